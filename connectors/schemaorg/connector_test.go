package schemaorg

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/connectors/fetch"
)

// fixtureSite serves testdata/site and a few misbehaving paths, and
// records every request.
type fixtureSite struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newFixtureSite(t *testing.T) *fixtureSite {
	t.Helper()
	s := &fixtureSite{hits: map[string]int{}}
	cp1251 := conntest.Encode(t, charmap.Windows1251, conntest.Testdata(t, "site", "russian-cp1251.html"))
	malformed := conntest.Testdata(t, "malformed.html")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	mux.Handle("GET /site/", http.StripPrefix("/site/", http.FileServer(http.Dir(filepath.Join("testdata", "site")))))
	mux.HandleFunc("GET /private/", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "site", "list-1.html"))
	})
	mux.HandleFunc("GET /old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/site/sel-4.html", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /limited", func(w http.ResponseWriter, r *http.Request) {
		if s.hit(r) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		http.ServeFile(w, r, filepath.Join("testdata", "site", "sel-4.html"))
	})
	mux.HandleFunc("GET /flaky", func(w http.ResponseWriter, r *http.Request) {
		if s.hit(r) == 1 {
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		}
		http.ServeFile(w, r, filepath.Join("testdata", "site", "sel-4.html"))
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("GET /cp1251", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // no charset, and none in the page
		w.Write(cp1251)
	})
	mux.HandleFunc("GET /malformed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(malformed)
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/limited", "/flaky": // counted by their handlers
		default:
			s.hit(r)
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *fixtureSite) hit(r *http.Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	return s.hits[r.URL.Path]
}

func (s *fixtureSite) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// recordingSink records pages and answers "all known" for the paths in
// known.
type recordingSink struct {
	mu    sync.Mutex
	pages []connectors.Page
	known map[string]bool
	// onPage, if set, runs after each page is recorded.
	onPage func(connectors.Page)
}

func (s *recordingSink) Page(ctx context.Context, p connectors.Page) (connectors.PageResult, error) {
	s.mu.Lock()
	s.pages = append(s.pages, p)
	s.mu.Unlock()
	if s.onPage != nil {
		s.onPage(p)
	}
	u, _ := url.Parse(p.URL)
	if u != nil && s.known[u.Path] {
		return connectors.PageResult{Unchanged: len(p.Reviews)}, nil
	}
	return connectors.PageResult{New: len(p.Reviews)}, nil
}

func (s *recordingSink) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, p := range s.pages {
		u, _ := url.Parse(p.URL)
		out = append(out, u.Path)
	}
	return out
}

func testEnv(params *Params, maxPages int, incremental bool) connectors.Env {
	return connectors.Env{
		Source:      config.Source{ID: "diner-schemaorg", Kind: Kind, MaxPages: maxPages, Params: params},
		Crawler:     config.Crawler{MaxPages: 50},
		Client:      fetch.New(fetch.Options{Delay: 0, Backoff: 10 * time.Millisecond, Timeout: 500 * time.Millisecond, Retries: 2}),
		Incremental: incremental,
	}
}

func TestCollect(t *testing.T) {
	tests := []struct {
		name        string
		starts      []string // paths; the first is url, the rest urls
		selector    string
		maxPages    int
		incremental bool
		known       []string
		wantPaths   []string          // pages given to the sink, in order
		wantErr     map[string]string // path -> substring of Page.Err
		notFetched  []string
		hits        map[string]int // path -> requests expected
		minDuration time.Duration
		check       func(t *testing.T, pages []connectors.Page, base string)
	}{
		{
			name:      "rel next links, cycle back to the start is not revisited",
			starts:    []string{"/site/list-1.html"},
			wantPaths: []string{"/site/list-1.html", "/site/list-2.html", "/site/list-3.html"},
			check: func(t *testing.T, pages []connectors.Page, base string) {
				for _, p := range pages {
					if p.Err != nil || len(p.Reviews) != 2 || p.Aggregate == nil {
						t.Errorf("page %s: err %v, %d reviews, aggregate %v", p.URL, p.Err, len(p.Reviews), p.Aggregate)
					}
					// 6 reviews collected of the 12 the page counts: not a
					// complete listing, whatever the pagination says.
					if p.Shown != 12 || p.Final {
						t.Errorf("page %s: shown %d final %v, want 12 and not final", p.URL, p.Shown, p.Final)
					}
					for _, r := range p.Reviews {
						if r.URL != p.URL {
							t.Errorf("review URL %q, want the page's %q", r.URL, p.URL)
						}
					}
				}
			},
		},
		{
			name:      "a complete listing marks its last page final",
			starts:    []string{"/site/complete-1.html"},
			wantPaths: []string{"/site/complete-1.html", "/site/complete-2.html"},
			check: func(t *testing.T, pages []connectors.Page, base string) {
				if pages[0].Final || !pages[1].Final || pages[1].Shown != 4 {
					t.Errorf("final %v, %v; shown %d: want only the last page final, 4 shown", pages[0].Final, pages[1].Final, pages[1].Shown)
				}
			},
		},
		{
			name:        "an incremental stop is not a complete listing",
			starts:      []string{"/site/complete-1.html"},
			incremental: true,
			known:       []string{"/site/complete-1.html"},
			wantPaths:   []string{"/site/complete-1.html"},
			check: func(t *testing.T, pages []connectors.Page, base string) {
				if pages[0].Final {
					t.Error("a run stopped early marked final")
				}
			},
		},
		{
			name:       "next selector with page cap",
			starts:     []string{"/site/sel-1.html"},
			selector:   "div.pager a.more",
			maxPages:   3,
			wantPaths:  []string{"/site/sel-1.html", "/site/sel-2.html", "/site/sel-3.html"},
			notFetched: []string{"/site/sel-4.html"},
		},
		{
			name:      "extra start urls share the cap and the visited set",
			starts:    []string{"/site/list-3.html", "/site/list-1.html"},
			maxPages:  10,
			wantPaths: []string{"/site/list-3.html", "/site/list-1.html", "/site/list-2.html"},
		},
		{
			name:      "a redirect is reported under its final URL and not fetched twice; no off-site next link",
			starts:    []string{"/old", "/site/sel-4.html"},
			wantPaths: []string{"/site/sel-4.html"},
			hits:      map[string]int{"/old": 1, "/site/sel-4.html": 1},
			check: func(t *testing.T, pages []connectors.Page, base string) {
				if len(pages[0].Reviews) != 2 || pages[0].Reviews[0].URL != base+"/site/sel-4.html" {
					t.Errorf("page %s: %d reviews, first URL %q", pages[0].URL, len(pages[0].Reviews), pages[0].Reviews[0].URL)
				}
			},
		},
		{
			name:       "robots.txt disallows a path",
			starts:     []string{"/private/reviews", "/site/sel-4.html"},
			wantPaths:  []string{"/private/reviews", "/site/sel-4.html"},
			wantErr:    map[string]string{"/private/reviews": "disallowed by robots.txt"},
			notFetched: []string{"/private/reviews"},
		},
		{
			name:        "429 with Retry-After then success",
			starts:      []string{"/limited"},
			wantPaths:   []string{"/limited"},
			hits:        map[string]int{"/limited": 2},
			minDuration: 900 * time.Millisecond,
			check: func(t *testing.T, pages []connectors.Page, base string) {
				if len(pages[0].Reviews) != 2 {
					t.Errorf("%d reviews after the retry, want 2", len(pages[0].Reviews))
				}
			},
		},
		{
			name:      "500 then success",
			starts:    []string{"/flaky"},
			wantPaths: []string{"/flaky"},
			hits:      map[string]int{"/flaky": 2},
			check: func(t *testing.T, pages []connectors.Page, base string) {
				if len(pages[0].Reviews) != 2 {
					t.Errorf("%d reviews after the retry, want 2", len(pages[0].Reviews))
				}
			},
		},
		{
			name:      "timeout names the url",
			starts:    []string{"/slow", "/site/sel-4.html"},
			wantPaths: []string{"/slow", "/site/sel-4.html"},
			wantErr:   map[string]string{"/slow": "/slow: no complete answer within 500ms"},
			hits:      map[string]int{"/slow": 3}, // 1 + 2 retries
		},
		{
			name:      "not found",
			starts:    []string{"/site/missing.html"},
			wantPaths: []string{"/site/missing.html"},
			wantErr:   map[string]string{"/site/missing.html": "404 Not Found"},
		},
		{
			name:      "windows-1251 page without a declared charset",
			starts:    []string{"/cp1251"},
			wantPaths: []string{"/cp1251"},
			check: func(t *testing.T, pages []connectors.Page, base string) {
				rs := pages[0].Reviews
				if len(rs) != 2 {
					t.Fatalf("%d reviews, want 2", len(rs))
				}
				if rs[0].Author != "Ирина Петрова" || !strings.HasPrefix(rs[0].Text, "Очень вкусный капучино") {
					t.Errorf("Cyrillic misread: author %q, text %q", rs[0].Author, rs[0].Text)
				}
				if got := rs[0].PublishedAt.Format("2006-01-02"); got != "2024-04-05" {
					t.Errorf("date %s, want 2024-04-05", got)
				}
			},
		},
		{
			name:      "malformed items among good ones",
			starts:    []string{"/malformed"},
			wantPaths: []string{"/malformed"},
			check: func(t *testing.T, pages []connectors.Page, base string) {
				p := pages[0]
				if p.Err != nil {
					t.Fatalf("page error %v", p.Err)
				}
				var authors []string
				for _, r := range p.Reviews {
					authors = append(authors, r.Author)
				}
				if got := strings.Join(authors, ","); got != "Good One,Bad Date,Bad Rating,Stars Only,Broken,Last" {
					t.Errorf("reviews %s", got)
				}
				conntest.CheckWarnings(t, p.Warnings, `review 2: unreadable date "32/13/2020"`, `review 3: unreadable rating "excellent"`, "review 4: no text, rating or title", "json-ld block 1: malformed JSON")
			},
		},
		{
			name:        "incremental run stops at a known page",
			starts:      []string{"/site/list-1.html"},
			incremental: true,
			known:       []string{"/site/list-2.html"},
			wantPaths:   []string{"/site/list-1.html", "/site/list-2.html"},
			notFetched:  []string{"/site/list-3.html"},
		},
		{
			name:      "a full run does not stop at a known page",
			starts:    []string{"/site/list-1.html"},
			known:     []string{"/site/list-2.html"},
			wantPaths: []string{"/site/list-1.html", "/site/list-2.html", "/site/list-3.html"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newFixtureSite(t)
			params := &Params{URL: site.URL + tt.starts[0], NextSelector: tt.selector}
			for _, s := range tt.starts[1:] {
				params.URLs = append(params.URLs, site.URL+s)
			}
			c, err := New(testEnv(params, tt.maxPages, tt.incremental))
			if err != nil {
				t.Fatal(err)
			}
			sink := &recordingSink{known: map[string]bool{}}
			for _, k := range tt.known {
				sink.known[k] = true
			}
			start := time.Now()
			if err := c.Collect(context.Background(), sink); err != nil {
				t.Fatalf("Collect: %v", err)
			}
			elapsed := time.Since(start)
			if got := strings.Join(sink.paths(), " "); got != strings.Join(tt.wantPaths, " ") {
				t.Errorf("pages %s, want %s", got, strings.Join(tt.wantPaths, " "))
			}
			for _, p := range sink.pages {
				u, _ := url.Parse(p.URL)
				want, ok := tt.wantErr[u.Path]
				switch {
				case ok && p.Err == nil:
					t.Errorf("page %s: no error, want one saying %q", p.URL, want)
				case ok && (!strings.Contains(p.Err.Error(), want) || !strings.Contains(p.Err.Error(), p.URL)):
					t.Errorf("page %s: error %q, want it to name the URL and say %q", p.URL, p.Err, want)
				case !ok && p.Err != nil:
					t.Errorf("page %s: unexpected error %v", p.URL, p.Err)
				}
				if p.Err != nil {
					var ue *url.Error
					if errors.As(p.Err, &ue) {
						t.Errorf("page %s: error is still a *url.Error: %v", p.URL, p.Err)
					}
				}
			}
			for _, path := range tt.notFetched {
				if n := site.count(path); n != 0 {
					t.Errorf("%s fetched %d times, want never", path, n)
				}
			}
			for path, want := range tt.hits {
				if n := site.count(path); n != want {
					t.Errorf("%s requested %d times, want %d", path, n, want)
				}
			}
			if elapsed < tt.minDuration {
				t.Errorf("took %s, want at least %s (Retry-After honoured)", elapsed, tt.minDuration)
			}
			if tt.check != nil && len(sink.pages) > 0 {
				tt.check(t, sink.pages, site.URL)
			}
		})
	}
}

func TestCollectStopsWhenContextDone(t *testing.T) {
	site := newFixtureSite(t)
	c, err := New(testEnv(&Params{URL: site.URL + "/site/list-1.html"}, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &recordingSink{onPage: func(connectors.Page) { cancel() }}
	err = c.Collect(ctx, sink)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Collect = %v, want context.Canceled", err)
	}
	if n := len(sink.pages); n != 1 {
		t.Errorf("%d pages, want 1", n)
	}
	if n := site.count("/site/list-2.html"); n != 0 {
		t.Errorf("page 2 fetched after cancel")
	}
}

func TestCollectSinkError(t *testing.T) {
	site := newFixtureSite(t)
	c, err := New(testEnv(&Params{URL: site.URL + "/site/list-1.html"}, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err = c.Collect(context.Background(), conntest.SinkFunc(func(context.Context, connectors.Page) (connectors.PageResult, error) {
		return connectors.PageResult{}, boom
	}))
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "schemaorg: ") {
		t.Errorf("Collect = %v, want the sink's error wrapped with schemaorg:", err)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		env     connectors.Env
		wantErr string
	}{
		{name: "ok", env: testEnv(&Params{URL: "https://example.test/"}, 0, false)},
		{name: "no params", env: connectors.Env{Source: config.Source{ID: "s"}, Client: fetch.New(fetch.Options{})}, wantErr: "parameters are <nil>"},
		{name: "invalid params", env: testEnv(&Params{URL: "nope"}, 0, false), wantErr: "not an absolute http(s) URL"},
		{name: "no client", env: connectors.Env{Source: config.Source{ID: "s", Params: &Params{URL: "https://example.test/"}}}, wantErr: "no HTTP client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.env)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("New: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "schemaorg: ")):
				t.Errorf("New = %v, want a schemaorg: error saying %q", err, tt.wantErr)
			}
		})
	}
}
