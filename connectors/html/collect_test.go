package html

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
)

// siteHandler serves testdata/site under /site/, cp1251.html encoded in
// windows-1251 with no charset declared anywhere.
func siteHandler(t *testing.T) http.Handler {
	t.Helper()
	cp := conntest.Encode(t, charmap.Windows1251, conntest.Testdata(t, "site", "cp1251.html"))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	mux.HandleFunc("GET /site/cp1251.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(cp)
	})
	mux.Handle("GET /site/", http.StripPrefix("/site/", http.FileServer(http.Dir(filepath.Join("testdata", "site")))))
	mux.HandleFunc("GET /private/", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "site", "few.html"))
	})
	return mux
}

func TestCollect(t *testing.T) {
	tests := []struct {
		name     string
		start    string
		extra    []string
		maxPages int
		partial  bool
		known    []string // external ids the sink already has
		// faults, applied once each by the server
		tooMany, serverError []string
		slow                 string
		// want: one entry per page given to the sink
		wantPaths   []string
		wantReviews int
		wantFinal   bool   // the last page is Final (no other page ever is)
		wantErr     string // substring of the one page error expected
		wantShown   int    // Shown of the first page
		check       func(t *testing.T, sink *conntest.Sink, f *conntest.Faults)
	}{
		{
			name:        "rel=next pagination to the end is a complete listing",
			start:       "/site/list-1.html",
			wantPaths:   []string{"/site/list-1.html", "/site/list-2.html", "/site/list-3.html"},
			wantReviews: 7,
			wantFinal:   true,
			wantShown:   7,
			check: func(t *testing.T, sink *conntest.Sink, _ *conntest.Faults) {
				w := strings.Join(sink.Pages[2].Warnings, "\n")
				if !strings.Contains(w, "review 2 (id r-107)") {
					t.Errorf("the malformed item is not named: %q", sink.Pages[2].Warnings)
				}
				for _, p := range sink.Pages {
					for _, r := range p.Reviews {
						if r.URL != p.URL {
							t.Errorf("review URL %q, want the page's %q", r.URL, p.URL)
						}
					}
				}
			},
		},
		{
			name:        "page cap: not complete",
			start:       "/site/list-1.html",
			maxPages:    2,
			wantPaths:   []string{"/site/list-1.html", "/site/list-2.html"},
			wantReviews: 5,
			wantShown:   7,
		},
		{
			name:        "incremental stop on a page already known",
			start:       "/site/list-1.html",
			known:       []string{"r-101", "r-102", "r-103"},
			wantPaths:   []string{"/site/list-1.html"},
			wantReviews: 3,
			wantShown:   7,
		},
		{
			name:        "429 with Retry-After, then success",
			start:       "/site/list-1.html",
			tooMany:     []string{"/site/list-2.html"},
			wantPaths:   []string{"/site/list-1.html", "/site/list-2.html", "/site/list-3.html"},
			wantReviews: 7,
			wantFinal:   true,
			wantShown:   7,
			check: func(t *testing.T, _ *conntest.Sink, f *conntest.Faults) {
				if n := f.Hits("/site/list-2.html"); n != 2 {
					t.Errorf("page 2 fetched %d times, want 2", n)
				}
			},
		},
		{
			name:        "500, then success",
			start:       "/site/list-1.html",
			serverError: []string{"/site/list-3.html"},
			wantPaths:   []string{"/site/list-1.html", "/site/list-2.html", "/site/list-3.html"},
			wantReviews: 7,
			wantFinal:   true,
			wantShown:   7,
		},
		{
			name:        "timeout: the error names the URL and paging stops there",
			start:       "/site/list-1.html",
			slow:        "/site/list-2.html",
			wantPaths:   []string{"/site/list-1.html", "/site/list-2.html"},
			wantReviews: 3,
			wantErr:     "/site/list-2.html",
			wantShown:   7,
			check: func(t *testing.T, sink *conntest.Sink, _ *conntest.Faults) {
				if err := sink.Pages[1].Err; !strings.Contains(err.Error(), "crawler.timeout") {
					t.Errorf("error %v does not say it timed out", err)
				}
			},
		},
		{
			name:        "windows-1251 page without a declared charset",
			start:       "/site/cp1251.html",
			wantPaths:   []string{"/site/cp1251.html"},
			wantReviews: 2,
			wantFinal:   true,
			wantShown:   2,
			check: func(t *testing.T, sink *conntest.Sink, _ *conntest.Faults) {
				rs := sink.Reviews()
				if rs[0].Text != "Вкусные пирожные, быстрое обслуживание. Цены — средние…" || *rs[0].Rating != 5 {
					t.Errorf("review 1: %q %v", rs[0].Text, *rs[0].Rating)
				}
				if rs[1].Reply == nil || rs[1].Reply.Author != "Администрация" {
					t.Errorf("review 2 reply: %+v", rs[1].Reply)
				}
				if !rs[0].PublishedAt.Equal(time.Date(2024, 3, 17, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("3 дня назад = %v", rs[0].PublishedAt)
				}
			},
		},
		{
			name:        "fewer reviews than the site shows: not complete",
			start:       "/site/few.html",
			wantPaths:   []string{"/site/few.html"},
			wantReviews: 1,
			wantShown:   1234,
		},
		{
			name:        "partial source: never complete",
			start:       "/site/list-3.html",
			partial:     true,
			wantPaths:   []string{"/site/list-3.html"},
			wantReviews: 2,
			wantShown:   7,
		},
		{
			name:        "robots.txt disallows a start page; the other goes on",
			start:       "/private/reviews",
			extra:       []string{"/site/list-3.html"},
			wantPaths:   []string{"/private/reviews", "/site/list-3.html"},
			wantReviews: 2,
			wantErr:     "robots.txt",
		},
		{
			name:        "a next link back to reviews already read: not complete, not sent twice",
			start:       "/site/loop.html",
			wantPaths:   []string{"/site/loop.html"},
			wantReviews: 1,
		},
		{
			name:        "two start pages sharing the visited set",
			start:       "/site/list-2.html",
			extra:       []string{"/site/list-1.html"},
			wantPaths:   []string{"/site/list-2.html", "/site/list-1.html", "/site/list-3.html"},
			wantReviews: 7,
			wantFinal:   true,
			wantShown:   7,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faults := &conntest.Faults{TooMany: conntest.Set(tt.tooMany...), ServerError: conntest.Set(tt.serverError...), Slow: map[string]time.Duration{}}
			if tt.slow != "" {
				faults.Slow[tt.slow] = 5 * time.Second
			}
			srv := conntest.Server(t, siteHandler(t), faults)
			p := siteParams()
			p.URL = srv.URL + tt.start
			for _, e := range tt.extra {
				p.URLs = append(p.URLs, srv.URL+e)
			}
			p.Partial = tt.partial
			env := conntest.Env(Kind, p)
			env.Source.MaxPages = tt.maxPages
			env.Now = func() time.Time { return testNow }
			sink := conntest.NewSink(tt.known...)
			conntest.Collect(t, New, env, sink)
			var paths []string
			for _, pg := range sink.Pages {
				paths = append(paths, strings.TrimPrefix(pg.URL, srv.URL))
			}
			if strings.Join(paths, " ") != strings.Join(tt.wantPaths, " ") {
				t.Fatalf("pages %v, want %v", paths, tt.wantPaths)
			}
			if n := len(sink.Reviews()); n != tt.wantReviews {
				t.Errorf("%d reviews, want %d", n, tt.wantReviews)
			}
			sink.CheckFinal(t, tt.wantFinal)
			if len(sink.Pages) > 0 && sink.Pages[0].Shown != tt.wantShown {
				t.Errorf("Shown %d, want %d", sink.Pages[0].Shown, tt.wantShown)
			}
			sink.CheckErrors(t, tt.wantErr)
			if tt.check != nil {
				tt.check(t, sink, faults)
			}
		})
	}
}

func TestCollectCanceled(t *testing.T) {
	srv := conntest.Server(t, siteHandler(t), nil)
	p := siteParams()
	p.URL = srv.URL + "/site/list-1.html"
	conn, err := New(conntest.Env(Kind, p))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pages := 0
	sink := conntest.SinkFunc(func(ctx context.Context, p connectors.Page) (connectors.PageResult, error) {
		pages++
		cancel()
		return connectors.PageResult{New: len(p.Reviews)}, nil
	})
	if err := conn.Collect(ctx, sink); err != context.Canceled {
		t.Fatalf("Collect = %v, want context.Canceled", err)
	}
	if pages != 1 {
		t.Fatalf("%d pages after cancel, want 1", pages)
	}
}

func TestNewRejects(t *testing.T) {
	env := conntest.Env(Kind, &Params{URL: "https://x.test/"})
	if _, err := New(env); err == nil || !strings.Contains(err.Error(), "review") {
		t.Fatalf("New with no review selector: %v", err)
	}
	env.Source.Params = struct{}{}
	if _, err := New(env); err == nil {
		t.Fatal("New with the wrong params type succeeded")
	}
}
