package demo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigie-dev/vigie/internal/demo/brand"
)

// ConfigYAML returns a complete Vigie configuration for the demo site at
// siteURL (e.g. "http://127.0.0.1:8089"), with data_dir "." so that the data
// lives next to the file. It is the first configuration a new user reads,
// so it explains itself.
func ConfigYAML(siteURL string) []byte {
	site := strings.TrimRight(siteURL, "/")
	var b strings.Builder
	b.WriteString(`# Vigie configuration for the demo.
#
# ` + "`vigie demo`" + ` wrote this file. It points Vigie at a small review site running
# on this computer, ` + site + `, which publishes the reviews of Maison Colette,
# a fictional chain of bakery-cafés with 14 locations in France, Russia, the
# United Kingdom and Canada. Everything below works the same way with real
# sites: to follow your own brand, replace the brand, its locations and their
# sources, and keep the rest.
#
# The file is strict: a key Vigie does not know is an error, reported with
# its line, so a typo never goes unnoticed.

# Where Vigie keeps its search index and its state. A relative path is taken
# from this file's folder: "." keeps everything next to this file.
data_dir: .

# When sources are collected, unless a source sets its own schedule: a cron
# expression such as "0 */6 * * *", or "@every" and a duration.
schedule: "@every 1h"

# Logs: level is debug, info, warn or error; format is text or json.
log: {level: info, format: text}

# How Vigie behaves on the web. Every web connector shares these settings;
# robots.txt is always obeyed unless a source says robots: false.
crawler:
  # Sent with every request, so that site owners know who is crawling.
  user_agent: "VigieBot/1.0 (+https://github.com/vigie-dev/vigie)"
  # Pause between two requests to the same host. The demo site is local;
  # real sites want 1s or more.
  delay: 0s
  # Requests in flight to one host at a time.
  parallelism: 4
  # Longest wait for one page, body included.
  timeout: 10s
  # Largest page accepted; a larger page is an error, never cut short.
  max_page_size: 5MB
  # Retries after a 429, a 5xx or a network error: wait backoff, then twice
  # as long each time.
  retries: 2
  backoff: 200ms
  # Most pages one run of a source fetches while following rel="next" links.
  # The busiest demo location has ` + strconv.Itoa(maxPages()) + ` pages of ` + strconv.Itoa(PageSize) + ` reviews.
  max_pages: 100
  # Sources collected at the same time.
  concurrency: 4

# What you follow: brands, their locations, and for each location the
# sources where its customers speak. Ids are lower-case letters, digits, '.',
# '_' and '-'. Review ids derive from source ids: keep them stable, or every
# review counts as new.
brands:
  - id: ` + brand.ID + `
    name: ` + brand.Name + `
    locations:
`)
	for i, l := range brand.Locations() {
		if i == 0 {
			b.WriteString("      # A location is one place customers review: a café, a shop, a branch.\n" +
				"      # Its city, country and tags let you compare and filter; its\n" +
				"      # coordinates place it on the dashboard's map.\n")
		}
		fmt.Fprintf(&b, "      - id: %s\n", l.ID)
		fmt.Fprintf(&b, "        name: %s\n", quote(l.Name))
		fmt.Fprintf(&b, "        address: %s\n", quote(l.Address))
		fmt.Fprintf(&b, "        city: %s\n", quote(l.City))
		fmt.Fprintf(&b, "        country: %s\n", l.Country)
		fmt.Fprintf(&b, "        coordinates: {lat: %s, lon: %s}\n", num(l.Lat), num(l.Lon))
		fmt.Fprintf(&b, "        tags: [%s]\n", strings.Join(l.Tags, ", "))
		b.WriteString("        sources:\n")
		if i == 0 {
			b.WriteString("          # kind schemaorg reads the reviews a page publishes as schema.org\n" +
				"          # JSON-LD or microdata, follows rel=\"next\" to the following pages\n" +
				"          # and obeys robots.txt. Half of the demo cafés use each markup.\n")
		}
		fmt.Fprintf(&b, "          - id: %s-site\n", l.ID)
		b.WriteString("            kind: schemaorg\n")
		fmt.Fprintf(&b, "            url: %s/locations/%s/reviews\n", site, l.ID)
	}
	return []byte(b.String())
}

// maxPages is the number of pages of the busiest location.
func maxPages() int {
	count := map[string]int{}
	most := 0
	for _, r := range loadReviews() {
		count[r.Location]++
		most = max(most, count[r.Location])
	}
	return (most + PageSize - 1) / PageSize
}

// quote writes s as a YAML double-quoted scalar.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
