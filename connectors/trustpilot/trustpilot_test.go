package trustpilot

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/internal/review"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

const idPrefix = "65f1a00000000000000000"

// fakeSite serves testdata pages the way Trustpilot does: /review/{business}
// with ?page=N&languages=all, a robots.txt, a 404 for unknown businesses.
type fakeSite struct {
	mu   sync.Mutex
	hits map[string]int // request URIs
}

func newFakeSite(t *testing.T, faults *conntest.Faults) (*fakeSite, string) {
	t.Helper()
	s := &fakeSite{hits: map[string]int{}}
	read := func(name string) []byte {
		return conntest.Testdata(t, name)
	}
	cp1252 := conntest.Encode(t, charmap.Windows1252, read("fr-page.html"))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /review/blocked.example\nDisallow: /users/\n"))
	})
	mux.HandleFunc("GET /review/{business}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.RequestURI()]++
		s.mu.Unlock()
		if r.URL.Query().Get("languages") != "all" {
			http.Error(w, "languages missing", http.StatusBadRequest)
			return
		}
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		html := func(b []byte) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(b)
		}
		switch r.PathValue("business") {
		case "vigie.fr", "blocked.example":
			html(read("page-" + page + ".html"))
		case "gap.vigie.fr":
			if page == "2" {
				http.Error(w, "upstream error", http.StatusInternalServerError)
				return
			}
			html(read("page-" + page + ".html"))
		case "fr.vigie.fr":
			w.Header().Set("Content-Type", "text/html; charset=windows-1252")
			w.Write(cp1252)
		case "jsonld.vigie.fr":
			html(read("jsonld-only.html"))
		case "broken.vigie.fr":
			html(read("broken-next.html"))
		case "bad.vigie.fr":
			html(read("malformed.html"))
		case "empty.vigie.fr":
			html(read("empty.html"))
		case "nothing.vigie.fr":
			html([]byte("<html><body><p>Just a moment…</p></body></html>"))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte("<html><body>Page not found</body></html>"))
		}
	})
	return s, conntest.Server(t, mux, faults).URL
}

func (s *fakeSite) count(uri string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[uri]
}

func TestCollect(t *testing.T) {
	const path = "/review/vigie.fr"
	all := "01 02 03 04 05"
	robotsOff := false
	tests := []struct {
		name        string
		business    string
		faults      *conntest.Faults
		timeout     time.Duration
		maxPages    int
		incremental bool
		robots      *bool
		known       []string
		wantIDs     string
		wantPages   int
		wantFinal   bool
		wantShown   int
		wantErr     map[int][]string // page index → substrings
		check       func(t *testing.T, s *conntest.Sink, site *fakeSite)
	}{
		{
			name:      "three pages, the last Final",
			business:  "vigie.fr",
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
			wantShown: 5,
			check: func(t *testing.T, s *conntest.Sink, site *fakeSite) {
				for _, uri := range []string{path + "?languages=all", path + "?page=2&languages=all", path + "?page=3&languages=all"} {
					if site.count(uri) != 1 {
						t.Errorf("%s fetched %d times, want once", uri, site.count(uri))
					}
				}
				a := s.Pages[0].Aggregate
				if a == nil || *a.Value != 3.8 || a.ReviewCount != 5 || a.Item != "Café Vigie" {
					t.Errorf("aggregate %+v", a)
				}
				r := s.Reviews()[0]
				if r.Reply == nil || r.Reply.Author != "Café Vigie" || r.Reply.Text != "Merci Camille, à bientôt !" {
					t.Errorf("reply %+v", r.Reply)
				}
				if !strings.HasSuffix(r.URL, "/reviews/"+idPrefix+"01") {
					t.Errorf("review URL %s", r.URL)
				}
			},
		},
		{
			name:        "incremental stop at a known page",
			business:    "vigie.fr",
			incremental: true,
			known:       []string{"03", "04"},
			wantIDs:     "01 02 03 04",
			wantPages:   2,
			wantShown:   5,
		},
		{
			name:      "page cap",
			business:  "vigie.fr",
			maxPages:  2,
			wantIDs:   "01 02 03 04",
			wantPages: 2,
			wantShown: 5,
		},
		{
			name:      "429 with Retry-After then success",
			business:  "vigie.fr",
			faults:    &conntest.Faults{TooMany: map[string]bool{path: true}},
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
			wantShown: 5,
		},
		{
			name:      "500 then success",
			business:  "vigie.fr",
			faults:    &conntest.Faults{ServerError: map[string]bool{path: true}},
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
			wantShown: 5,
		},
		{
			name:      "timeout names the URL",
			business:  "vigie.fr",
			faults:    &conntest.Faults{Slow: map[string]time.Duration{path: 2 * time.Second}},
			timeout:   100 * time.Millisecond,
			wantPages: 1,
			wantErr:   map[int][]string{0: {`trustpilot: source "test-trustpilot"`, "GET http://127.0.0.1:", path + "?languages=all", "no complete answer within 100ms"}},
		},
		{
			name:      "a failed middle page: the run goes on, no Final",
			business:  "gap.vigie.fr",
			wantIDs:   "01 02 05",
			wantPages: 3,
			wantShown: 5,
			wantErr:   map[int][]string{1: {"/review/gap.vigie.fr?page=2&languages=all: 500 Internal Server Error", "(after 3 attempts)"}},
		},
		{
			name:      "malformed items among good ones",
			business:  "bad.vigie.fr",
			wantIDs:   "01 03 04 05",
			wantPages: 1,
			wantShown: 6,
			check: func(t *testing.T, s *conntest.Sink, _ *fakeSite) {
				conntest.CheckWarnings(t, s.Pages[0].Warnings,
					"review 2: not a review object (a JSON string): left out",
					"review 3: not a review object (rating is a JSON string): left out",
					`review 4 (`+idPrefix+`03): dates.publishedDate: unreadable date "21/03/2026"`,
					`review 5 (`+idPrefix+`04): rating 9 out of 1..5: kept unrated`,
				)
			},
		},
		{
			name:      "windows-1252 page",
			business:  "fr.vigie.fr",
			wantIDs:   "06",
			wantPages: 1,
			wantFinal: true,
			wantShown: 1,
			check: func(t *testing.T, s *conntest.Sink, _ *fakeSite) {
				r := s.Reviews()[0]
				if r.Title != "Très bon café crème" || r.Author != "Hélène" || !strings.HasPrefix(r.Text, "Serveuse très aimable, pâtisseries délicieuses. À refaire") {
					t.Errorf("misread: %q by %q: %q", r.Title, r.Author, r.Text)
				}
			},
		},
		{
			name:      "JSON-LD only",
			business:  "jsonld.vigie.fr",
			wantIDs:   "01 02",
			wantPages: 1,
			wantFinal: true,
			wantShown: 5,
		},
		{
			name:      "Next.js state broken: JSON-LD with a warning",
			business:  "broken.vigie.fr",
			wantIDs:   "03 04",
			wantPages: 1,
			wantFinal: true,
			wantShown: 5,
			check: func(t *testing.T, s *conntest.Sink, _ *fakeSite) {
				if w := strings.Join(s.Pages[0].Warnings, "\n"); !strings.Contains(w, "__NEXT_DATA__: not JSON") || !strings.Contains(w, "read the JSON-LD instead") {
					t.Errorf("warnings %q", w)
				}
			},
		},
		{
			name:      "no reviews at all",
			business:  "empty.vigie.fr",
			wantPages: 1,
			wantFinal: true,
		},
		{
			name:      "a page that is not a review page",
			business:  "nothing.vigie.fr",
			wantPages: 1,
			wantErr:   map[int][]string{0: {"/review/nothing.vigie.fr?languages=all", "neither __NEXT_DATA__ with pageProps.reviews nor schema.org reviews found"}},
		},
		{
			name:      "unknown business",
			business:  "unknown.example",
			wantPages: 1,
			wantErr:   map[int][]string{0: {"404 Not Found", "check business"}},
		},
		{
			name:      "robots.txt disallows",
			business:  "blocked.example",
			wantPages: 1,
			wantErr:   map[int][]string{0: {"/review/blocked.example?languages=all", "disallowed by robots.txt"}},
		},
		{
			name:      "robots off for the source",
			business:  "blocked.example",
			robots:    &robotsOff,
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
			wantShown: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, base := newFakeSite(t, tt.faults)
			p := NewParams()
			p.Business, p.Endpoint = tt.business, base
			env := conntest.Env(Kind, p)
			env.Incremental = tt.incremental
			env.Source.MaxPages = tt.maxPages
			env.Source.Robots = tt.robots
			if tt.timeout > 0 {
				env.Client = fetch.New(fetch.Options{Timeout: tt.timeout})
			}
			sink := conntest.NewSink()
			for _, k := range tt.known {
				sink.Known[idPrefix+k] = true
			}
			conntest.Collect(t, New, env, sink)
			var ids []string
			for _, r := range sink.Reviews() {
				ids = append(ids, strings.TrimPrefix(r.ExternalID, idPrefix))
			}
			if got := strings.Join(ids, " "); got != tt.wantIDs {
				t.Errorf("reviews %q, want %q", got, tt.wantIDs)
			}
			if len(sink.Pages) != tt.wantPages {
				t.Fatalf("%d pages, want %d", len(sink.Pages), tt.wantPages)
			}
			sink.CheckFinal(t, tt.wantFinal)
			for i, pg := range sink.Pages {
				if pg.Err == nil && pg.Shown != tt.wantShown {
					t.Errorf("page %d: Shown %d, want %d", i+1, pg.Shown, tt.wantShown)
				}
				wantErr, ok := tt.wantErr[i]
				switch {
				case !ok && pg.Err != nil:
					t.Errorf("page %d: unexpected error %v", i+1, pg.Err)
				case ok && pg.Err == nil:
					t.Errorf("page %d: no error, want %q", i+1, wantErr)
				case ok:
					for _, w := range wantErr {
						if !strings.Contains(pg.Err.Error(), w) {
							t.Errorf("page %d: error lacks %q:\n%s", i+1, w, pg.Err)
						}
					}
				}
			}
			tt.faults.CheckRetried(t, path, 4) // the fault, then 3 pages
			if tt.check != nil {
				tt.check(t, sink, site)
			}
		})
	}
}

func TestExtractGolden(t *testing.T) {
	for _, name := range []string{"page-1", "jsonld-only", "broken-next", "malformed"} {
		t.Run(name, func(t *testing.T) {
			body := conntest.Testdata(t, name+".html")
			doc := connectors.Document{URL: "https://fr.trustpilot.com/review/vigie.fr?languages=all", Body: body}
			if s := Detect(doc); s < 92 {
				t.Errorf("Detect = %d, want at least 92", s)
			}
			ext, err := Extract(doc)
			if err != nil {
				t.Fatal(err)
			}
			conntest.Golden(t, filepath.Join("testdata", name+".golden.json"), struct {
				Reviews   []review.Review   `json:"reviews"`
				Aggregate *review.Aggregate `json:"aggregate,omitempty"`
				Next      []string          `json:"next,omitempty"`
				Warnings  []string          `json:"warnings,omitempty"`
			}{ext.Reviews, ext.Aggregate, ext.Next, ext.Warnings}, *update)
		})
	}
}

// TestStateAndJSONLDAgree checks that both ways of reading a page give
// the same reviews: same ids, authors, ratings, titles, texts and dates.
func TestStateAndJSONLDAgree(t *testing.T) {
	body := conntest.Testdata(t, "page-1.html")
	doc := connectors.Document{URL: "https://www.trustpilot.com/review/vigie.fr", Body: body}
	state, err := Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	noState := bytes.Replace(body, []byte(`id="__NEXT_DATA__"`), []byte(`id="removed"`), 1)
	ld, err := Extract(connectors.Document{URL: doc.URL, Body: noState})
	if err != nil {
		t.Fatal(err)
	}
	if len(state.Reviews) != 2 || len(ld.Reviews) != 2 {
		t.Fatalf("%d and %d reviews, want 2 and 2", len(state.Reviews), len(ld.Reviews))
	}
	for i := range state.Reviews {
		a, b := state.Reviews[i], ld.Reviews[i]
		if a.ExternalID != b.ExternalID || a.Author != b.Author || *a.Rating != *b.Rating || a.Title != b.Title ||
			a.Text != b.Text || !a.PublishedAt.Equal(b.PublishedAt) || a.LangHint != b.LangHint || a.URL != b.URL {
			t.Errorf("review %d differs:\nstate:   %+v\njson-ld: %+v", i+1, a, b)
		}
	}
}

func TestDetect(t *testing.T) {
	conntest.CheckDetect(t, Detect, []conntest.DetectCase{
		{Name: "next data", Body: `<script id="__NEXT_DATA__">{"props":{"pageProps":{"businessUnit":{},"reviews":[]}}}</script><a href="https://www.trustpilot.com">`, Want: 95},
		{Name: "json-ld", Body: `<script type="application/ld+json">{"@id":"https://www.trustpilot.com/#/schema/Review/x/1"}</script>`, Want: 92},
		{Name: "other next.js site", Body: `<script id="__NEXT_DATA__">{"props":{"pageProps":{"businessUnit":{},"reviews":[]}}}</script>`, Want: 0},
		{Name: "trustpilot widget on a shop", Body: `<div class="trustpilot-widget"></div>`, Want: 0},
	})
}

func TestPageURL(t *testing.T) {
	p := NewParams()
	p.Business = "vigie.fr"
	if got := p.pageURL(1); got != "https://www.trustpilot.com/review/vigie.fr?languages=all" {
		t.Errorf("page 1: %s", got)
	}
	p.Domain = "fr.trustpilot.com"
	if got := p.pageURL(3); got != "https://fr.trustpilot.com/review/vigie.fr?page=3&languages=all" {
		t.Errorf("page 3: %s", got)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(p *Params)
		wantErr []string
	}{
		{name: "valid", edit: func(p *Params) {}},
		{name: "country site and language", edit: func(p *Params) { p.Domain, p.Languages = "fr.trustpilot.com", "fr" }},
		{name: "empty", edit: func(p *Params) { p.Business = "" }, wantErr: []string{"business: is required"}},
		{name: "a URL as business", edit: func(p *Params) { p.Business = "https://fr.trustpilot.com/review/vigie.fr" }, wantErr: []string{"business: \"https://fr.trustpilot.com/review/vigie.fr\": write only the part after /review/"}},
		{name: "bad values", edit: func(p *Params) {
			p.Business, p.Domain, p.Languages, p.Endpoint = "vigie fr", "https://fr.trustpilot.com", "french", "localhost"
		},
			wantErr: []string{`business: "vigie fr" is not`, `domain: "https://fr.trustpilot.com" is not a host name`, `languages: must be all or a language code`, `endpoint: "localhost"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParams()
			p.Business = "vigie.fr"
			tt.edit(p)
			conntest.CheckError(t, p.Validate(), tt.wantErr...)
		})
	}
}

func TestNew(t *testing.T) {
	conntest.CheckNew(t, New, Kind, NewParams(), "business: is required")
}

func FuzzParseNextData(f *testing.F) {
	for _, n := range []string{"page-1.html", "malformed.html"} {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			continue
		}
		const open = `<script id="__NEXT_DATA__" type="application/json">`
		if i := bytes.Index(b, []byte(open)); i >= 0 {
			rest := b[i+len(open):]
			if j := bytes.Index(rest, []byte("</script>")); j >= 0 {
				f.Add(rest[:j])
			}
		}
	}
	f.Add([]byte(`{"props":{"pageProps":{"reviews":[{"dates":{"updatedDate":5}},{"rating":-0,"reply":{"message":" "}}],"filters":{"pagination":{"totalPages":-1}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pd, err := parseNextData(connectors.Document{URL: "https://www.trustpilot.com/review/x"}, data)
		if err != nil {
			return
		}
		for i, r := range pd.Reviews {
			if r.Rating != nil && (*r.Rating < 1 || *r.Rating > 5) {
				t.Fatalf("review %d: rating %v", i, *r.Rating)
			}
		}
	})
}

func FuzzParsePage(f *testing.F) {
	for _, n := range []string{"page-1.html", "jsonld-only.html", "broken-next.html"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		doc := connectors.Document{URL: "https://www.trustpilot.com/review/x", Body: body}
		Detect(doc)
		parsePage(doc)
	})
}
