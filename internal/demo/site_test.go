package demo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/vigie-dev/vigie/internal/demo/brand"
)

// testEpoch is a Sunday in Paris, the day the clocks go forward.
var testEpoch = time.Date(2026, 3, 29, 9, 45, 0, 0, time.UTC)

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestRobotsAndStatuses(t *testing.T) {
	srv := httptest.NewServer(Handler(testEpoch))
	defer srv.Close()

	code, robots := get(t, srv, "/robots.txt")
	if code != 200 {
		t.Fatalf("robots.txt: %d", code)
	}
	for _, line := range []string{"User-agent: *", "Disallow: /admin/", "Disallow: /*?sort=", "Sitemap: " + srv.URL + "/sitemap.xml"} {
		if !strings.Contains(robots, "\n"+line+"\n") {
			t.Errorf("robots.txt lacks %q:\n%s", line, robots)
		}
	}
	for path, want := range map[string]int{
		"/":                                            200,
		"/sitemap.xml":                                 200,
		"/admin/":                                      403,
		"/admin/users":                                 403,
		"/nope":                                        404,
		"/locations/paris-opera/reviews":               200,
		"/locations/paris-opera/reviews?page=1":        200,
		"/locations/paris-opera/reviews?page=17":       200,
		"/locations/paris-opera/reviews?page=18":       404,
		"/locations/paris-opera/reviews?page=0":        404,
		"/locations/paris-opera/reviews?page=two":      404,
		"/locations/paris-opera/reviews?sort=rating":   200,
		"/locations/atlantis/reviews":                  404,
		"/locations/paris-opera/reviews/mc-0000000000": 404,
		"/locations/paris-opera":                       404,
	} {
		if code, _ := get(t, srv, path); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}

	_, index := get(t, srv, "/")
	for _, l := range Locations() {
		if !strings.Contains(index, `href="/locations/`+l.ID+`/reviews"`) {
			t.Errorf("the index does not link to %s", l.ID)
		}
	}
}

// item is a microdata item: its type, id and properties.
type item struct {
	typ, id string
	props   map[string][]any // string or *item
}

func (it *item) str(name string) string {
	for _, v := range it.props[name] {
		if s, ok := v.(string); ok {
			return s
		}
	}
	return ""
}

func (it *item) sub(name string) *item {
	for _, v := range it.props[name] {
		if s, ok := v.(*item); ok {
			return s
		}
	}
	return nil
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.Data == "br":
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// parseItem reads the properties of the item whose scope is n.
func parseItem(n *html.Node) *item {
	it := &item{props: map[string][]any{}}
	it.typ, _ = attr(n, "itemtype")
	it.id, _ = attr(n, "itemid")
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			prop, hasProp := attr(c, "itemprop")
			_, scope := attr(c, "itemscope")
			if hasProp {
				var v any
				switch {
				case scope:
					v = parseItem(c)
				case c.Data == "meta":
					v, _ = attr(c, "content")
				case c.Data == "time":
					v, _ = attr(c, "datetime")
				case c.Data == "link" || c.Data == "a":
					v, _ = attr(c, "href")
				default:
					v = textOf(c)
				}
				it.props[prop] = append(it.props[prop], v)
			}
			if !scope {
				walk(c)
			}
		}
	}
	walk(n)
	return it
}

// microdata returns the top-level items of a page.
func microdata(t *testing.T, body string) []*item {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []*item
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if _, ok := attr(n, "itemscope"); ok {
				if _, prop := attr(n, "itemprop"); !prop {
					out = append(out, parseItem(n))
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

var ldScript = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

type ldPage struct {
	Type      string `json:"@type"`
	Aggregate struct {
		Value float64 `json:"ratingValue"`
		Count int     `json:"reviewCount"`
	} `json:"aggregateRating"`
	Review []struct {
		Type   string `json:"@type"`
		ID     string `json:"@id"`
		Author struct {
			Type string `json:"@type"`
			Name string `json:"name"`
		} `json:"author"`
		Date   string `json:"datePublished"`
		Rating struct {
			Value int `json:"ratingValue"`
			Best  int `json:"bestRating"`
		} `json:"reviewRating"`
		Name string `json:"name"`
		Body string `json:"reviewBody"`
	} `json:"review"`
}

// published is a review as a page publishes it.
type published struct {
	id, author, date, title, body string
	rating, best                  int
}

// reviewsOn extracts the reviews of a location page, from its JSON-LD or
// its microdata.
func reviewsOn(t *testing.T, loc brand.Location, body string) []published {
	t.Helper()
	var out []published
	if loc.Markup == "jsonld" {
		found := false
		for _, m := range ldScript.FindAllStringSubmatch(body, -1) {
			var p ldPage
			if err := json.Unmarshal([]byte(m[1]), &p); err != nil {
				t.Fatalf("%s: JSON-LD does not parse: %v", loc.ID, err)
			}
			if p.Type != loc.Type {
				continue
			}
			found = true
			for _, r := range p.Review {
				if r.Type != "Review" || r.Author.Type != "Person" {
					t.Errorf("%s: review node %+v", loc.ID, r)
				}
				out = append(out, published{r.ID, r.Author.Name, r.Date, r.Name, r.Body, r.Rating.Value, r.Rating.Best})
			}
		}
		if !found {
			t.Fatalf("%s: no %s node in the JSON-LD", loc.ID, loc.Type)
		}
		if strings.Contains(body, "itemtype=\"https://schema.org/Review\"") {
			t.Errorf("%s: a JSON-LD page also has microdata reviews", loc.ID)
		}
		return out
	}
	items := microdata(t, body)
	if len(items) != 1 || items[0].typ != "https://schema.org/"+loc.Type {
		t.Fatalf("%s: want one %s item, got %d", loc.ID, loc.Type, len(items))
	}
	biz := items[0]
	if agg := biz.sub("aggregateRating"); agg == nil || agg.str("ratingValue") == "" || agg.str("reviewCount") == "" {
		t.Errorf("%s: no aggregateRating", loc.ID)
	}
	for _, v := range biz.props["review"] {
		r, ok := v.(*item)
		if !ok || r.typ != "https://schema.org/Review" {
			t.Fatalf("%s: review property is not a Review item", loc.ID)
		}
		rating := r.sub("reviewRating")
		author := r.sub("author")
		if rating == nil || author == nil {
			t.Fatalf("%s: review %s lacks reviewRating or author", loc.ID, r.id)
		}
		value, _ := strconv.Atoi(rating.str("ratingValue"))
		best, _ := strconv.Atoi(rating.str("bestRating"))
		out = append(out, published{r.id, author.str("name"), r.str("datePublished"), r.str("name"), r.str("reviewBody"), value, best})
	}
	return out
}

var (
	headNext = regexp.MustCompile(`<link rel="next" href="([^"]+)">`)
	aNext    = regexp.MustCompile(`<a rel="next" href="([^"]+)">`)
	htmlLang = regexp.MustCompile(`<html lang="([^"]+)">`)
)

// TestCrawl follows rel=next from every location's first page, as the
// schemaorg connector does, and finds every review exactly once, as
// published in the data.
func TestCrawl(t *testing.T) {
	srv := httptest.NewServer(Handler(testEpoch))
	defer srv.Close()
	robots := regexp.MustCompile(`^/admin/|\?sort=`)
	recs := map[string]record{}
	for _, r := range loadReviews() {
		recs[r.ID] = r
	}
	seen := map[string]int{}
	titled := 0
	for _, loc := range brand.Locations() {
		tz, _ := time.LoadLocation(loc.TZ)
		path := "/locations/" + loc.ID + "/reviews"
		pages, total := 0, 0
		for path != "" {
			if robots.MatchString(path) {
				t.Fatalf("%s: rel=next leads to %s, which robots.txt disallows", loc.ID, path)
			}
			pages++
			if pages > 30 {
				t.Fatalf("%s: more than 30 pages", loc.ID)
			}
			code, body := get(t, srv, path)
			if code != 200 {
				t.Fatalf("GET %s: %d", path, code)
			}
			if m := htmlLang.FindStringSubmatch(body); m == nil || m[1] != loc.Lang {
				t.Errorf("%s: html lang %v, want %s", path, m, loc.Lang)
			}
			if !strings.Contains(body, `<meta charset="utf-8">`) {
				t.Errorf("%s: no charset", path)
			}
			reviews := reviewsOn(t, loc, body)
			if len(reviews) == 0 || len(reviews) > PageSize {
				t.Fatalf("%s: %d reviews on the page", path, len(reviews))
			}
			var prev time.Time
			for _, p := range reviews {
				id, ok := strings.CutPrefix(p.id, "urn:maison-colette:review:")
				if !ok {
					t.Errorf("%s: review id %q does not identify the review independently of the site's address", path, p.id)
				}
				seen[id]++
				total++
				r, ok := recs[id]
				if !ok {
					t.Errorf("%s: unknown review %s", path, id)
					continue
				}
				if r.Location != loc.ID || p.author != r.Author || p.body != r.Text || p.title != r.Title || p.rating != r.Rating || p.best != 5 {
					t.Errorf("%s: review %s published as %+v, want %+v", path, id, p, r)
				}
				if p.title != "" {
					titled++
				}
				at, err := time.Parse(time.RFC3339, p.date)
				if err != nil {
					t.Errorf("%s: datePublished %q: %v", path, p.date, err)
					continue
				}
				_, off := at.Zone()
				if _, want := at.In(tz).Zone(); off != want || strings.HasSuffix(p.date, "Z") {
					t.Errorf("%s: datePublished %q does not carry %s's offset", path, p.date, loc.TZ)
				}
				if want := publishedAt(testEpoch, tz, r.DaysAgo, r.Time); !at.Equal(want) {
					t.Errorf("%s: %s published %v, want %v", path, id, at, want)
				}
				if !prev.IsZero() && at.After(prev) {
					t.Errorf("%s: reviews are not newest first", path)
				}
				prev = at
			}
			// rel=next in the head and in the pager agree.
			h, a := headNext.FindStringSubmatch(body), aNext.FindStringSubmatch(body)
			if (h == nil) != (a == nil) || (h != nil && h[1] != a[1]) {
				t.Fatalf("%s: rel=next in head %v and pager %v disagree", path, h, a)
			}
			path = ""
			if h != nil {
				u, err := url.Parse(html.UnescapeString(h[1]))
				if err != nil {
					t.Fatal(err)
				}
				path = u.RequestURI()
			}
		}
		n := len(byLocation()[loc.ID])
		if total != n || pages != (n+PageSize-1)/PageSize {
			t.Errorf("%s: %d reviews on %d pages, want %d", loc.ID, total, pages, n)
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("review %s seen %d times", id, n)
		}
	}
	if len(seen) != ReviewCount() {
		t.Errorf("crawled %d reviews, want %d", len(seen), ReviewCount())
	}
	if titled == 0 {
		t.Error("no review has a title")
	}
}

func TestPageShowsCountAndDates(t *testing.T) {
	srv := httptest.NewServer(Handler(testEpoch))
	defer srv.Close()
	for id, want := range map[string][]string{
		"paris-opera":          {"340 avis", "Avis 1 à 20 sur 340", "Page 1 sur 17", " mars 2026<"},
		"moscow-tverskaya":     {"отзыв", "Страница 1 из ", " марта 2026 г.<"},
		"london-covent-garden": {"reviews", "Page 1 of ", " March 2026<"},
		"montreal-plateau":     {"avis", " mars 2026<"},
	} {
		_, body := get(t, srv, "/locations/"+id+"/reviews")
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", id, w)
			}
		}
	}
	// The last page has no next link.
	_, body := get(t, srv, "/locations/paris-opera/reviews?page=17")
	if strings.Contains(body, `rel="next"`) || !strings.Contains(body, `rel="prev"`) {
		t.Error("last page: want rel=prev and no rel=next")
	}
}

// Reviews hold markup on purpose: a customer pasting HTML and a script.
func TestEscaping(t *testing.T) {
	srv := httptest.NewServer(Handler(testEpoch))
	defer srv.Close()
	found := 0
	for _, r := range loadReviews() {
		if !strings.Contains(r.Text, "<script>") {
			continue
		}
		found++
		_, body := get(t, srv, "/locations/"+r.Location+"/reviews/"+r.ID)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>Pros") {
			t.Errorf("%s: markup from the review reaches the page unescaped", r.ID)
		}
		if !strings.Contains(body, "&lt;script&gt;alert") {
			t.Errorf("%s: the review's text is not shown escaped", r.ID)
		}
		if n := strings.Count(body, "<script"); n != map[bool]int{true: 2, false: 1}[strings.Contains(body, `"@type": "Review"`)] {
			t.Errorf("%s: %d script elements on the page", r.ID, n)
		}
		loc := brand.Locations()[0]
		for _, l := range brand.Locations() {
			if l.ID == r.Location {
				loc = l
			}
		}
		ps := reviewsOn(t, loc, body)
		if len(ps) != 1 || ps[0].body != r.Text || ps[0].title != r.Title {
			t.Errorf("%s: published as %+v, want the text %q", r.ID, ps, r.Text)
		}
	}
	if found < 2 {
		t.Fatalf("%d reviews with a <script> in the data, want one on a JSON-LD page and one on a microdata page", found)
	}
}

func TestDeterministic(t *testing.T) {
	a := httptest.NewServer(Handler(testEpoch))
	defer a.Close()
	b := httptest.NewServer(Handler(testEpoch))
	defer b.Close()
	for _, p := range []string{"/", "/locations/moscow-tverskaya/reviews?page=3", "/locations/paris-marais/reviews?page=2"} {
		_, x := get(t, a, p)
		_, y := get(t, b, p)
		y = strings.ReplaceAll(y, b.URL, a.URL)
		if x != y {
			t.Errorf("%s differs between two handlers with the same epoch", p)
		}
	}
	// Another epoch moves the dates, not the reviews.
	c := httptest.NewServer(Handler(testEpoch.AddDate(0, 1, 3)))
	defer c.Close()
	_, x := get(t, a, "/locations/kazan-baumana/reviews?page=2")
	_, y := get(t, c, "/locations/kazan-baumana/reviews?page=2")
	if x == strings.ReplaceAll(y, c.URL, a.URL) {
		t.Error("the page does not depend on the epoch")
	}
	if !bytes.Contains([]byte(y), []byte("itemprop=\"reviewBody\"")) {
		t.Error("no review body on a microdata page")
	}
}
