package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/api/apitest"
	"github.com/vigie-dev/vigie/internal/web"
)

func server(t *testing.T, deps api.Deps) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	web.Register(mux, deps)
	api.Register(mux, deps)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func fetch(t *testing.T, srv *httptest.Server, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

type health struct{}

func (health) SourceHealth(context.Context) ([]api.SourceHealth, error) {
	return []api.SourceHealth{
		{Source: "lyon-site", Kind: "schemaorg", Location: "lyon", Enabled: true, Status: "ok", LastRun: apitest.Now.Add(-time.Hour), LastSuccess: apitest.Now.Add(-time.Hour), LastNew: 3, Reviews: 7},
		{Source: "paris-site", Kind: "schemaorg", Location: "paris", Enabled: true, Status: "failing", LastRun: apitest.Now.Add(-2 * time.Hour), ConsecutiveFailures: 3,
			LastError: `GET https://paris.example/avis: 503 <b>Service Unavailable</b>`},
	}, nil
}

type alerts struct{}

func (alerts) Alerts(context.Context) ([]api.Alert, error) {
	return []api.Alert{
		{ID: "a1", Rule: "negative_spike", Severity: "critical", Status: "open", Location: "lyon", Theme: "waiting",
			Title: "Waiting complaints at Lyon Part-Dieu", Message: "4 in 7 days <script>x</script>", StartedAt: apitest.Now.Add(-48 * time.Hour),
			Search: "location=lyon&theme=waiting&from=14d"},
		{ID: "a0", Rule: "rating_drop", Severity: "warning", Status: "resolved", Location: "paris", Title: "Rating drop at Paris", StartedAt: apitest.Now.Add(-20 * 24 * time.Hour)},
	}, nil
}

func fullDeps(t *testing.T) api.Deps {
	d := apitest.Deps(t)
	d.Health, d.Alerts = health{}, alerts{}
	return d
}

// pages are every dashboard page, with parameters that show the fixture's
// hostile review.
var pages = []string{
	"/", "/?period=90d", "/locations", "/locations?sort=avg_rating&order=asc&period=1y", "/themes", "/themes?location=london&period=90d&interval=week",
	"/search", "/search?q=waiter", "/search?q=rude+coffee&location=london", "/search?q=alert", "/search?q=script",
	"/search?location=london&sort=rating_asc", "/reviews/xss-1", "/reviews/lyon-1", "/sources", "/alerts",
}

func TestPagesRender(t *testing.T) {
	for _, deps := range []api.Deps{apitest.Deps(t), fullDeps(t)} {
		srv := server(t, deps)
		for _, p := range pages {
			status, hdr, body := fetch(t, srv, p)
			if status != 200 {
				t.Errorf("%s: status %d\n%s", p, status, body)
				continue
			}
			if ct := hdr.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: content type %q", p, ct)
			}
			if hdr.Get("Content-Security-Policy") == "" || hdr.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: security headers missing: %v", p, hdr)
			}
			if !strings.Contains(body, "</html>") {
				t.Errorf("%s: page cut short", p)
			}
		}
	}
}

// TestUntrustedTextIsInert renders every page over reviews that carry
// <script>, event handlers, markup and a javascript: URL, and checks that
// none of it becomes markup: no script element, no event handler
// attribute, no javascript: link, and the text shown as typed.
func TestUntrustedTextIsInert(t *testing.T) {
	srv := server(t, fullDeps(t))
	for _, p := range pages {
		_, _, body := fetch(t, srv, p)
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "script", "iframe", "object", "embed", "img":
					if n.Data != "img" || !isOwnImage(n) {
						t.Errorf("%s: a <%s> element made it into the page", p, n.Data)
					}
				case "b":
					t.Errorf("%s: markup from a review made it into the page: <b>", p)
				}
				for _, a := range n.Attr {
					if strings.HasPrefix(strings.ToLower(a.Key), "on") {
						t.Errorf("%s: event handler attribute %s=%q on <%s>", p, a.Key, a.Val, n.Data)
					}
					if a.Key == "href" || a.Key == "src" || a.Key == "action" {
						v := strings.ToLower(strings.TrimSpace(a.Val))
						if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:") {
							t.Errorf("%s: dangerous URL %s=%q", p, a.Key, a.Val)
						}
					}
					if a.Key == "style" {
						t.Errorf("%s: inline style on <%s> (the CSP forbids it)", p, n.Data)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
	// The hostile review reads as typed, on the search page and its own.
	for _, p := range []string{"/search?q=rude", "/reviews/xss-1"} {
		_, _, body := fetch(t, srv, p)
		text := textOf(body)
		for _, want := range []string{`<script>alert("xss")</script>`, "<b>coffee</b>"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the text %q is not shown as typed", p, want)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s: <script> not escaped", p)
		}
		if strings.Contains(body, "javascript:alert") && !strings.Contains(body, "not a web link") {
			t.Errorf("%s: the javascript: URL is shown as a link", p)
		}
	}
	_, _, body := fetch(t, srv, "/reviews/xss-1")
	if !strings.Contains(textOf(body), "<svg onload=alert(2)>") || !strings.Contains(textOf(body), "<img src=x onerror=alert(1)>") {
		t.Error("the author's and title's markup is not shown as text")
	}
	// The API escapes markup in JSON too, for clients that paste it into pages.
	_, _, body = fetch(t, srv, "/api/reviews/xss-1")
	if strings.Contains(body, "<script>") || !strings.Contains(body, `\u003cscript\u003e`) {
		t.Errorf("the API does not escape markup in JSON: %s", body)
	}
}

func isOwnImage(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "src" && strings.HasPrefix(a.Val, "/static/") {
			return true
		}
	}
	return false
}

// textOf returns the text of a page, entities decoded.
func textOf(body string) string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "title" {
					b.WriteString(" " + a.Val + " ")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

func TestOverviewLeadsToTheBurst(t *testing.T) {
	srv := server(t, apitest.Deps(t))
	_, _, body := fetch(t, srv, "/")
	i := strings.Index(body, "What changed")
	if i < 0 {
		t.Fatal("no what-changed panel")
	}
	panel := body[i:]
	panel = panel[:strings.Index(panel, "</section>")]
	if !strings.Contains(panel, "Lyon Part-Dieu") || !strings.Contains(panel, "Waiting") {
		t.Fatalf("the panel does not name Lyon's waiting complaints:\n%s", panel)
	}
	m := regexp.MustCompile(`href="(/search\?[^"]*theme=waiting[^"]*)"`).FindStringSubmatch(panel)
	if m == nil {
		m = regexp.MustCompile(`href="(/search\?[^"]*location=lyon[^"]*)"`).FindStringSubmatch(panel)
	}
	if m == nil {
		t.Fatalf("no link to the reviews in:\n%s", panel)
	}
	link := html.UnescapeString(m[1])
	u, _ := url.Parse(link)
	if u.Query().Get("location") != "lyon" {
		t.Errorf("link %s does not filter on lyon", link)
	}
	_, _, results := fetch(t, srv, link)
	if !strings.Contains(results, `data-id="lyon-1"`) || strings.Contains(results, `data-id="paris-`) {
		t.Errorf("%s does not show Lyon's complaints", link)
	}
}

func TestSearchHighlights(t *testing.T) {
	srv := server(t, apitest.Deps(t))
	_, _, body := fetch(t, srv, "/search?q=attente&location=lyon")
	if !regexp.MustCompile(`<mark class="hl-q[^"]*"[^>]*>[Aa]ttente</mark>`).MatchString(body) {
		t.Error("query words not highlighted")
	}
	if !strings.Contains(body, `class="ev-neg"`) && !strings.Contains(body, `class="hl-q ev-neg`) {
		t.Error("sentiment evidence not highlighted")
	}
	if !strings.Contains(body, "ev-theme") {
		t.Error("theme evidence not marked")
	}
	// Facets filter and unfilter.
	if !strings.Contains(body, `data-facet="theme"`) {
		t.Error("no theme facet")
	}
	status, _, body := fetch(t, srv, "/search?q="+url.QueryEscape(`"attente`))
	if status != 400 || !strings.Contains(body, "unterminated quote") {
		t.Errorf("bad query: %d, message not shown", status)
	}
	status, _, body = fetch(t, srv, "/search?location=lyonn")
	if status != 400 || !strings.Contains(body, "did you mean lyon") {
		t.Errorf("unknown location: %d", status)
	}
	_, _, body = fetch(t, srv, "/search?q="+url.QueryEscape("очередь"))
	if !regexp.MustCompile(`<mark class="hl-q[^"]*"[^>]*>очередь</mark>`).MatchString(body) || !strings.Contains(body, ">RU<") {
		t.Error("Russian search not highlighted or language badge missing")
	}
}

func TestThemeChartsHaveData(t *testing.T) {
	srv := server(t, apitest.Deps(t))
	_, _, body := fetch(t, srv, "/themes?period=90d")
	pts := regexp.MustCompile(`<svg class="chart"[^>]*data-points="(\d+)"`).FindAllStringSubmatch(body, -1)
	if len(pts) < 3 {
		t.Fatalf("%d charts", len(pts))
	}
	for _, p := range pts {
		if n, _ := strconv.Atoi(p[1]); n == 0 {
			t.Error("a chart without data")
		}
	}
	if !strings.Contains(body, `data-theme="waiting"`) {
		t.Error("no waiting theme chart")
	}
}

func TestLocationsTable(t *testing.T) {
	srv := server(t, apitest.Deps(t))
	_, _, body := fetch(t, srv, "/locations?sort=avg_rating&order=asc")
	lyon, paris := strings.Index(body, "Lyon Part-Dieu"), strings.Index(body, "Paris Opéra")
	if lyon < 0 || paris < 0 || lyon > paris {
		t.Error("lowest rating first: Lyon before Paris")
	}
	for _, want := range []string{"heat-", "▼", "Москва Тверская", "Quiet Corner", "NPS"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in the table", want)
		}
	}
}

func TestReviewNotFound(t *testing.T) {
	srv := server(t, apitest.Deps(t))
	status, _, body := fetch(t, srv, "/reviews/nope")
	if status != 404 || !strings.Contains(body, "no review with this id") {
		t.Errorf("%d", status)
	}
}
