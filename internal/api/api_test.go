package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/api/apitest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	api.Register(mux, apitest.Deps(t))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

var tookMS = regexp.MustCompile(`"took_ms": [0-9.e-]+`)

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/api -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/api -run %s -update rewrites it; review the diff):\n%s", path, t.Name(), firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return ""
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestEndpointsGolden runs every endpoint and filter against the fixture
// and compares the answers with golden JSON.
func TestEndpointsGolden(t *testing.T) {
	srv := testServer(t)
	cases := []struct {
		name   string
		path   string
		status int
	}{
		// Search: words, phrases, boolean, field:value, fuzzy, prefix.
		{"reviews-all", "/api/reviews", 200},
		{"reviews-words", "/api/reviews?q=attente+queue", 200},
		{"reviews-phrase", "/api/reviews?q=%22service+lent%22", 200},
		{"reviews-boolean", "/api/reviews?q=" + url.QueryEscape("+attente -croissants"), 200},
		{"reviews-field", "/api/reviews?q=" + url.QueryEscape("+location:moscow +rating:<=2"), 200},
		{"reviews-fuzzy", "/api/reviews?q=serveur~1&facets=false", 200},
		{"reviews-prefix", "/api/reviews?q=rembours*&facets=false", 200},
		{"reviews-russian", "/api/reviews?q=" + url.QueryEscape("очередь"), 200},
		// Filters, several locations, rating and date ranges.
		{"reviews-filters", "/api/reviews?location=lyon,paris&lang=fr&sentiment=negative&min_rating=1&max_rating=2&from=2025-06-01&to=2025-06-30&brand=acme", 200},
		{"reviews-location-repeated", "/api/reviews?location=lyon&location=moscow&theme=waiting&facets=false", 200},
		{"reviews-source-kind", "/api/reviews?source=paris-survey&kind=survey&facets=false", 200},
		{"reviews-relative-date", "/api/reviews?from=7d&sort=date_asc&facets=false&limit=3", 200},
		// Sorts and paging.
		{"reviews-sort-rating", "/api/reviews?sort=rating_asc&limit=3&offset=1&facets=false", 200},
		{"reviews-sort-date", "/api/reviews?q=coffee&sort=date&facets=false", 200},
		{"reviews-no-highlight", "/api/reviews?q=waiter&highlight=false&facets=false&sort=date", 200},
		// Errors say what was wrong.
		{"error-syntax", "/api/reviews?q=" + url.QueryEscape(`"attente`), 400},
		{"error-field", "/api/reviews?q=colour:red", 400},
		{"error-location", "/api/reviews?location=lyonn", 400},
		{"error-brand", "/api/reviews?brand=nope", 400},
		{"error-date", "/api/reviews?from=yesterday", 400},
		{"error-date-order", "/api/reviews?from=2025-06-10&to=2025-06-01", 400},
		{"error-rating", "/api/reviews?min_rating=lots", 400},
		{"error-sort", "/api/reviews?sort=best", 400},
		{"error-limit", "/api/reviews?limit=1000", 400},
		{"error-lang", "/api/reviews?lang=de", 400},
		{"error-sentiment", "/api/reviews?sentiment=angry", 400},
		{"error-endpoint", "/api/nothing", 404},
		// One review, with its evidence.
		{"review-detail", "/api/reviews/lyon-1", 200},
		{"review-missing", "/api/reviews/nope", 404},
		// Trends.
		{"trends-default", "/api/trends?period=8w", 200},
		{"trends-theme", "/api/trends?by=theme&interval=month&from=2025-01&to=2025-06", 200},
		{"trends-location", "/api/trends?by=location&location=lyon,moscow&interval=week&from=2025-06-01&to=2025-07-01", 200},
		{"trends-filters", "/api/trends?interval=day&from=2025-06-20&to=2025-06-30&lang=fr&theme=waiting&source=lyon-site&brand=acme", 200},
		{"error-trends-interval", "/api/trends?interval=hour", 400},
		{"error-trends-by", "/api/trends?by=author", 400},
		{"error-trends-period", "/api/trends?period=2025-01-01", 400},
		// Leaderboard.
		{"locations-default", "/api/locations", 200},
		{"locations-90d-by-rating", "/api/locations?period=90d&sort=avg_rating&order=asc", 200},
		{"locations-filtered", "/api/locations?location=lyon,paris&from=2025-06-01&to=2025-06-30&lang=fr", 200},
		{"error-locations-sort", "/api/locations?sort=stars", 400},
		{"error-locations-location", "/api/locations?location=tokyo", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, hdr, body := get(t, srv, c.path)
			if status != c.status {
				t.Fatalf("%s: status %d, want %d: %s", c.path, status, c.status, body)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, body)
			}
			if c.status >= 400 {
				m, _ := v.(map[string]any)["error"].(map[string]any)
				if msg, _ := m["message"].(string); msg == "" {
					t.Errorf("error without a message: %s", body)
				}
			}
			body = tookMS.ReplaceAll(body, []byte(`"took_ms": 0`))
			if strings.Contains(c.path, "q=") && !strings.Contains(c.path, "sort=") && c.status == 200 {
				body = byID(t, body)
			}
			golden(t, c.name+".json", body)
		})
	}
}

// byID orders the reviews of a relevance-sorted answer by id: bleve
// breaks ties between equal scores differently from run to run.
func byID(t *testing.T, body []byte) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	var reviews []map[string]any
	if err := json.Unmarshal(m["reviews"], &reviews); err != nil {
		t.Fatal(err)
	}
	sort.Slice(reviews, func(i, j int) bool { return reviews[i]["id"].(string) < reviews[j]["id"].(string) })
	m["reviews"], _ = json.Marshal(reviews)
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func TestRelevance(t *testing.T) {
	srv := testServer(t)
	var res api.SearchResponse
	_, _, body := get(t, srv, "/api/reviews?q="+url.QueryEscape("attente interminable train"))
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Reviews) == 0 || res.Reviews[0].ID != "lyon-1" {
		t.Errorf("the review with all three words must come first: %s", body)
	}
}

func TestSearchFindsAndCounts(t *testing.T) {
	srv := testServer(t)
	var res api.SearchResponse
	_, _, body := get(t, srv, "/api/reviews?q=attente&location=lyon&from=14d")
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 {
		t.Fatalf("lyon attente in 14 days: %d reviews, want 3", res.Total)
	}
	hl := res.Reviews[0].Highlights["text"]
	found := false
	for _, frag := range hl {
		for _, p := range frag {
			if p.Match && strings.EqualFold(p.Text, "attente") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no highlighted \"attente\" in %+v", hl)
	}
	facets := map[string]int{}
	for _, f := range res.Facets["theme"] {
		facets[f.Value] = f.Count
	}
	if facets["waiting"] != 3 {
		t.Errorf("theme facet %v", facets)
	}
}

func TestExport(t *testing.T) {
	srv := testServer(t)
	status, hdr, body := get(t, srv, "/api/export?format=csv&location=paris")
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	if cd := hdr.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("disposition %q", cd)
	}
	if !bytes.Contains(body, []byte(`'=HYPERLINK(`)) {
		t.Error("a formula in a cell was not defused")
	}
	golden(t, "export-paris.csv", body)

	status, hdr, body = get(t, srv, "/api/export?format=ndjson&lang=ru&sort=date_asc")
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("status %d %q", status, hdr.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	golden(t, "export-ru.ndjson", body)

	status, _, body = get(t, srv, "/api/export?format=xml")
	if status != 400 || !bytes.Contains(body, []byte("csv or ndjson")) {
		t.Errorf("format xml: %d %s", status, body)
	}
	status, _, body = get(t, srv, "/api/export?format=csv&location=atlantis")
	if status != 400 || !bytes.Contains(body, []byte("unknown location")) {
		t.Errorf("unknown location: %d %s", status, body)
	}
	// An empty export still has its header row.
	_, _, body = get(t, srv, "/api/export?format=csv&q=zzzzzz")
	if !bytes.Contains(body, []byte("id,brand,location")) {
		t.Errorf("empty export: %q", body)
	}
}

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+33 1 23": "'+33 1 23", "@SUM(A1)": "'@SUM(A1)", "-2": "-2", "-x": "'-x", "bonjour": "bonjour", "": "",
	} {
		if got := api.CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMethodsAndUnknownPaths(t *testing.T) {
	srv := testServer(t)
	resp, err := http.Post(srv.URL+"/api/reviews", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/reviews: %d", resp.StatusCode)
	}
}

// TestOpenAPI checks that the OpenAPI document is served, is JSON, and
// documents every endpoint with the parameters the code reads.
func TestOpenAPI(t *testing.T) {
	srv := testServer(t)
	status, _, body := get(t, srv, "/api/openapi.json")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	var doc struct {
		OpenAPI    string                                                      `json:"openapi"`
		Paths      map[string]map[string]struct{ Parameters []map[string]any } `json:"paths"`
		Components struct {
			Parameters map[string]struct{ Name string } `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	filters := []string{"q", "brand", "location", "source", "kind", "lang", "sentiment", "theme", "min_rating", "max_rating", "from", "to"}
	want := map[string][]string{
		"/api/reviews":      append([]string{"sort", "limit", "offset", "highlight", "facets"}, filters...),
		"/api/reviews/{id}": {"id"},
		"/api/trends":       append([]string{"interval", "by", "period", "limit"}, filters...),
		"/api/locations":    append([]string{"period", "sort", "order", "themes"}, filters...),
		"/api/export":       append([]string{"format", "sort"}, filters...),
		"/api/openapi.json": nil,
	}
	for path, params := range want {
		op, ok := doc.Paths[path]["get"]
		if !ok {
			t.Errorf("%s is not documented", path)
			continue
		}
		have := map[string]bool{}
		for _, p := range op.Parameters {
			if ref, _ := p["$ref"].(string); ref != "" {
				have[doc.Components.Parameters[strings.TrimPrefix(ref, "#/components/parameters/")].Name] = true
			} else if name, _ := p["name"].(string); name != "" {
				have[name] = true
			}
		}
		for _, p := range params {
			if !have[p] {
				t.Errorf("%s: parameter %s is not documented", path, p)
			}
		}
	}
}
