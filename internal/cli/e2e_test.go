package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/collect"
	"github.com/vigie-dev/vigie/internal/review"
)

// fixtureSite serves testdata/site as a real site would: HTML without a
// charset in the header, so that each page's own <meta> decides.
func fixtureSite(t *testing.T) *httptest.Server {
	t.Helper()
	files := http.FileServer(http.Dir("testdata/site"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".html") {
			w.Header().Set("Content-Type", "text/html")
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeConfig(t *testing.T, siteURL string, extraSources string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`data_dir: data
log: {level: error}
crawler:
  delay: 0s
  backoff: 10ms
  retries: 1
  timeout: 5s
brands:
  - id: testcafe
    name: Test Café
    locations:
      - id: lyon
        city: Lyon
        country: FR
        sources:
          - id: lyon-site
            kind: schemaorg
            url: %[1]s/lyon-1.html
      - id: london
        city: London
        country: GB
        sources:
          - id: london-site
            kind: schemaorg
            url: %[1]s/london.html
      - id: moscow
        city: Moscow
        country: RU
        sources:
          - id: moscow-site
            kind: schemaorg
            url: %[1]s/moscow.html
%[2]s`, siteURL, extraSources)
	path := filepath.Join(dir, "vigie.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// vigie runs a command and returns its exit code and output.
func vigie(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errOut, Registry: connectors.Default, LookupEnv: os.LookupEnv}
	code := Run(context.Background(), env, args)
	return code, out.String(), errOut.String()
}

func jsonLines[T any](t *testing.T, s string) []T {
	t.Helper()
	var out []T
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		out = append(out, v)
	}
	return out
}

func slicesContains(s []string, v string) bool { return slices.Contains(s, v) }

func authors(rs []review.Review) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Author)
	}
	return strings.Join(out, ",")
}

// TestEndToEnd crawls a fixture site, searches it in each language and
// crawls it again.
func TestEndToEnd(t *testing.T) {
	site := fixtureSite(t)
	cfg := writeConfig(t, site.URL, "")

	code, out, errOut := vigie(t, "crawl", "--config", cfg, "--json")
	if code != 0 {
		t.Fatalf("crawl exit %d: %s %s", code, out, errOut)
	}
	sums := map[string]collect.Summary{}
	for _, s := range jsonLines[collect.Summary](t, out) {
		sums[s.Source] = s
	}
	for src, want := range map[string][2]int{"lyon-site": {2, 4}, "london-site": {1, 2}, "moscow-site": {1, 2}} {
		if s := sums[src]; s.Pages != want[0] || s.New != want[1] || !s.OK() {
			t.Errorf("%s: pages %d new %d errors %v, want pages %d new %d", src, s.Pages, s.New, s.Errors, want[0], want[1])
		}
	}

	tests := []struct {
		name string
		args []string
		want string // authors, in order
	}{
		{"french stemming", []string{"serveur"}, "Camille D.,Marc"},
		{"french plural query", []string{"serveurs"}, "Camille D.,Marc"},
		{"russian case form", []string{"официантки"}, "Анна К."},
		{"english plural", []string{"waiters"}, "Oliver"},
		{"phrase", []string{`"flat white"`}, "Oliver"},
		{"field and boolean", []string{"+location:lyon -serveur"}, "Inès,Julien"},
		{"must and must", []string{"+location:lyon +brunch"}, "Inès"},
		{"language filter", []string{"--lang", "ru", "--sort", "date"}, "Анна К.,Дмитрий"},
		{"location filter, by date", []string{"--location", "lyon", "--sort", "date"}, "Camille D.,Julien,Inès,Marc"},
		{"date range", []string{"--from", "2025-09-01", "--to", "2025-09-30", "--sort", "date_asc"}, "Julien,Camille D.,Priya"},
		{"rating filter", []string{"rating:<=2", "--sort", "rating_asc"}, "Дмитрий,Priya,Julien"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"search", "--config", cfg, "--json"}, tt.args...)
			code, out, errOut := vigie(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got := jsonLines[review.Review](t, out)
			if !strings.Contains(tt.args[0], "--sort") && !slicesContains(tt.args, "--sort") {
				sort.Slice(got, func(i, j int) bool { return got[i].Author < got[j].Author })
			}
			if got := authors(got); got != tt.want {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}

	// The Review form: fields as published, language detected, charset decoded.
	_, out, _ = vigie(t, "search", "--config", cfg, "--json", "ждали")
	rs := jsonLines[review.Review](t, out)
	if len(rs) != 1 {
		t.Fatalf("ждали: %d hits", len(rs))
	}
	r := rs[0]
	if r.Text != "Ждали заказ почти час, никто не извинился." || *r.Rating != 1.5 || *r.BestRating != 5 || r.Lang != "ru" ||
		r.Location != "moscow" || r.Brand != "testcafe" || r.Source != "moscow-site" || r.Kind != "review" || r.ID == "" ||
		r.PublishedAt.Format("2006-01-02T15:04:05-07:00") != "2025-10-03T08:10:00+03:00" {
		t.Errorf("review: %+v", r)
	}

	// People's output highlights the matched words.
	code, out, _ = vigie(t, "search", "--config", cfg, "attente")
	if code != 0 || !strings.Contains(out, "attente**") || !strings.Contains(out, "1 review match") {
		t.Errorf("human output:\n%s", out)
	}

	// A second crawl adds nothing and stops after the first page.
	code, out, errOut = vigie(t, "crawl", "--config", cfg, "--json")
	if code != 0 {
		t.Fatalf("second crawl exit %d: %s", code, errOut)
	}
	for _, s := range jsonLines[collect.Summary](t, out) {
		if s.New != 0 || s.Updated != 0 || s.Pages != 1 {
			t.Errorf("second crawl of %s: pages %d new %d updated %d", s.Source, s.Pages, s.New, s.Updated)
		}
	}
	_, out, _ = vigie(t, "search", "--config", cfg, "--json", "--limit", "100")
	if n := len(jsonLines[review.Review](t, out)); n != 8 {
		t.Errorf("index holds %d reviews after two crawls, want 8", n)
	}
}

func TestCrawlReportsFailingSourceAndKeepsOthers(t *testing.T) {
	site := fixtureSite(t)
	cfg := writeConfig(t, site.URL, `      - id: hidden
        sources:
          - kind: schemaorg
            url: `+site.URL+`/private/page.html
`)
	code, out, _ := vigie(t, "crawl", "--config", cfg)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(out, "hidden-schemaorg") || !strings.Contains(out, "robots.txt") || !strings.Contains(out, "/private/page.html") {
		t.Errorf("the failure does not say which source, which URL and why:\n%s", out)
	}
	_, out, _ = vigie(t, "search", "--config", cfg, "--json", "--limit", "100")
	if n := len(jsonLines[review.Review](t, out)); n != 8 {
		t.Errorf("the other sources' reviews: %d, want 8", n)
	}
}

func TestUsageErrors(t *testing.T) {
	site := fixtureSite(t)
	cfg := writeConfig(t, site.URL, "")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("brands:\n  - id: x\n    colour: red\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "Usage: vigie <command>"},
		{"unknown command", []string{"crawll"}, 2, `unknown command "crawll"`},
		{"help", []string{"search", "--help"}, 0, ""},
		{"missing config", []string{"crawl"}, 2, "--config FILE is required"},
		{"bad config names the line", []string{"crawl", "--config", bad}, 2, "bad.yaml:3: brands[0].colour: unknown key"},
		{"unknown source", []string{"crawl", "--config", cfg, "--source", "nope"}, 2, `no source "nope"`},
		{"bad query", []string{"search", "--config", cfg, "colour:red"}, 2, `unknown field "colour"`},
		{"bad date", []string{"search", "--config", cfg, "--from", "yesterday", "x"}, 2, `--from: not a date: "yesterday"`},
		{"unknown location", []string{"search", "--config", cfg, "--location", "paris", "x"}, 2, `--location "paris" is not in`},
		{"bad flag", []string{"search", "--colour"}, 2, "flag provided but not defined"},
		{"check", []string{"check", "--config", cfg}, 0, ""},
		{"extract source needs config", []string{"extract", "--source", "x", "page.html"}, 2, "--source needs --config"},
		{"extract unknown kind", []string{"extract", "--kind", "nope", "page.html"}, 2, `--kind "nope"`},
		{"extract missing file", []string{"extract", "nope.html"}, 2, "nope.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := vigie(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("exit %d, want %d; output:\n%s%s\nwant it to contain %q", code, tt.code, out, errOut, tt.want)
			}
		})
	}
}

// An html source's selectors can be tried on a saved page.
func TestExtractWithConfiguredSource(t *testing.T) {
	code, out, errOut := vigie(t, "extract", "--config", "../../config/examples/otzovik.yaml", "--source", "spb-nevsky-otzovik",
		"../../connectors/html/testdata/otzovik/list-1.html")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rs := jsonLines[review.Review](t, out)
	if len(rs) == 0 || rs[0].Source != "spb-nevsky-otzovik" || rs[0].Author == "" || rs[0].Rating == nil {
		t.Errorf("reviews: %+v", rs)
	}
}
