package feed

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/internal/review"
)

// feedServer serves the testdata feeds at the paths a site would, with
// absolute links rewritten to the server.
func feedServer(t *testing.T, faults *conntest.Faults, gone bool) string {
	t.Helper()
	type page struct {
		file, label, ctype string
	}
	pages := map[string]page{
		"/comments/feed/":                              {"wordpress-comments.xml", "", "application/rss+xml; charset=UTF-8"},
		"/comments/feed/?paged=2":                      {"wordpress-comments-2.xml", "", "application/rss+xml; charset=UTF-8"},
		"/comments/feed/?paged=3":                      {"wordpress-comments-empty.xml", "", "application/rss+xml; charset=UTF-8"},
		"/threads/maison-colette/comments.atom":        {"atom-1.xml", "", "application/atom+xml"},
		"/threads/maison-colette/comments.atom?page=2": {"atom-2.xml", "", "application/atom+xml"},
		"/tags/maisoncolette.json":                     {"jsonfeed-1.json", "", "application/feed+json"},
		"/tags/maisoncolette-older.json":               {"jsonfeed-2.json", "", "application/json"},
		"/ru/koi8.xml":                                 {"koi8r.xml.utf8", "KOI8-R", "text/xml"},
		"/ru/cp1251.xml":                               {"russian.xml.utf8", "windows-1251", "application/xml"},
		"/complete.atom":                               {"complete.xml", "", "application/atom+xml"},
		"/broken.xml":                                  {"broken.xml", "", "application/rss+xml"},
	}
	var base string
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
			return
		}
		if r.URL.Path == "/ignores/feed.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(readFixture(t, "wordpress-comments-2.xml", ""))
			return
		}
		if r.URL.Path == "/not-a-feed" {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Moved</body></html>"))
			return
		}
		if gone && r.URL.RequestURI() == "/comments/feed/?paged=3" {
			http.NotFound(w, r)
			return
		}
		p, ok := pages[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body := readFixture(t, p.file, p.label)
		body = bytes.ReplaceAll(body, []byte("https://social.example.test/tags/maisoncolette.json?before=9001"), []byte(base+"/tags/maisoncolette-older.json"))
		w.Header().Set("Content-Type", p.ctype)
		w.Write(body)
	})
	srv := conntest.Server(t, mux, faults)
	base = srv.URL
	return srv.URL
}

func TestCollect(t *testing.T) {
	tests := []struct {
		name                 string
		start                string
		extra                []string
		paged, gone          bool
		maxPages             int
		known                []string
		tooMany, serverError []string // request URIs that fail once
		slow                 string   // a path that answers too late
		wantPages            []string // request URIs of the pages given to the sink
		wantReviews          int
		wantFinal            bool
		wantErr              string
		check                func(t *testing.T, sink *conntest.Sink, f *conntest.Faults)
	}{
		{
			name:        "wordpress ?paged=N to the empty page: complete",
			start:       "/comments/feed/",
			paged:       true,
			wantPages:   []string{"/comments/feed/", "/comments/feed/?paged=2", "/comments/feed/?paged=3"},
			wantReviews: 6,
			wantFinal:   true,
			check: func(t *testing.T, sink *conntest.Sink, _ *conntest.Faults) {
				if w := sink.Pages[0].Warnings; len(w) != 1 || !strings.Contains(w[0], "item 3") {
					t.Errorf("warnings %q", w)
				}
				if len(sink.Pages[2].Reviews) != 0 {
					t.Error("the end marker page has reviews")
				}
			},
		},
		{
			name:        "wordpress ?paged=N to a 404: complete",
			start:       "/comments/feed/",
			paged:       true,
			gone:        true,
			wantPages:   []string{"/comments/feed/", "/comments/feed/?paged=2", "/comments/feed/?paged=3"},
			wantReviews: 6,
			wantFinal:   true,
		},
		{
			name:        "a feed without pagination is a window, never complete",
			start:       "/comments/feed/",
			wantPages:   []string{"/comments/feed/"},
			wantReviews: 4,
		},
		{
			name:        "atom rel=next to the end: complete",
			start:       "/threads/maison-colette/comments.atom",
			wantPages:   []string{"/threads/maison-colette/comments.atom", "/threads/maison-colette/comments.atom?page=2"},
			wantReviews: 4,
			wantFinal:   true,
			check: func(t *testing.T, sink *conntest.Sink, _ *conntest.Faults) {
				if r := sink.Pages[1].Reviews[0]; r.Text != "Great scones. 5 < 6 stars though." {
					t.Errorf("atom text content: %q", r.Text)
				}
			},
		},
		{
			name:        "json feed next_url, 429 with Retry-After then success",
			start:       "/tags/maisoncolette.json",
			tooMany:     []string{"/tags/maisoncolette-older.json"},
			wantPages:   []string{"/tags/maisoncolette.json", "/tags/maisoncolette-older.json"},
			wantReviews: 3,
			wantFinal:   true,
			check: func(t *testing.T, sink *conntest.Sink, f *conntest.Faults) {
				if n := f.Hits("/tags/maisoncolette-older.json"); n != 2 {
					t.Errorf("page 2 fetched %d times", n)
				}
				if r := sink.Pages[1].Reviews[0]; r.Author != "Анна" || r.Text != "Мезон Колетт в Париже — лучшие эклеры!" {
					t.Errorf("json feed 1.0 item %+v", r)
				}
			},
		},
		{
			name:        "500, then success",
			start:       "/comments/feed/",
			paged:       true,
			serverError: []string{"/comments/feed/?paged=2"},
			wantPages:   []string{"/comments/feed/", "/comments/feed/?paged=2", "/comments/feed/?paged=3"},
			wantReviews: 6,
			wantFinal:   true,
		},
		{
			name:        "timeout: the error names the URL, the first page is kept",
			start:       "/tags/maisoncolette.json",
			slow:        "/tags/maisoncolette-older.json",
			wantPages:   []string{"/tags/maisoncolette.json", "/tags/maisoncolette-older.json"},
			wantReviews: 2,
			wantErr:     "/tags/maisoncolette-older.json",
		},
		{
			name:        "incremental stop on a page already known",
			start:       "/comments/feed/",
			paged:       true,
			known:       []string{"https://blog.example.test/?p=311#comment-1042", "https://blog.example.test/?p=311#comment-1040", "https://blog.example.test/?p=311#comment-1037", "https://blog.example.test/?p=311#comment-1036"},
			wantPages:   []string{"/comments/feed/"},
			wantReviews: 4,
		},
		{
			name:        "page cap",
			start:       "/comments/feed/",
			paged:       true,
			maxPages:    2,
			wantPages:   []string{"/comments/feed/", "/comments/feed/?paged=2"},
			wantReviews: 6,
		},
		{
			name:        "KOI8-R and windows-1251 feeds, two start URLs",
			start:       "/ru/koi8.xml",
			extra:       []string{"/ru/cp1251.xml"},
			wantPages:   []string{"/ru/koi8.xml", "/ru/cp1251.xml"},
			wantReviews: 4,
			check: func(t *testing.T, sink *conntest.Sink, _ *conntest.Faults) {
				rs := sink.Reviews()
				if rs[0].Author != "Марат" || !strings.Contains(rs[0].Text, "чёрствые") || !strings.Contains(rs[2].Text, "так себе…") {
					t.Errorf("decoded %q / %q", rs[0].Text, rs[2].Text)
				}
			},
		},
		{
			name:        "a feed that declares itself complete",
			start:       "/complete.atom",
			wantPages:   []string{"/complete.atom"},
			wantReviews: 1,
			wantFinal:   true,
		},
		{
			name:        "a malformed item among good ones",
			start:       "/broken.xml",
			wantPages:   []string{"/broken.xml"},
			wantReviews: 2,
			check: func(t *testing.T, sink *conntest.Sink, _ *conntest.Faults) {
				if w := sink.Pages[0].Warnings; len(w) != 1 || !strings.Contains(w[0], "item 2 (https://colette.example.test/?p=9#comment-2)") {
					t.Errorf("warnings %q", w)
				}
			},
		},
		{
			name:        "a server that ignores ?paged: a window after all",
			start:       "/ignores/feed.xml",
			paged:       true,
			wantPages:   []string{"/ignores/feed.xml"},
			wantReviews: 2,
		},
		{
			name:      "a page that is not a feed",
			start:     "/not-a-feed",
			wantPages: []string{"/not-a-feed"},
			wantErr:   "not an RSS, Atom or JSON feed",
		},
		{
			name:        "robots.txt disallows a feed; the other goes on",
			start:       "/private/feed",
			extra:       []string{"/complete.atom"},
			wantPages:   []string{"/private/feed", "/complete.atom"},
			wantReviews: 1,
			wantErr:     "robots.txt",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faults := &conntest.Faults{TooMany: conntest.Set(tt.tooMany...), ServerError: conntest.Set(tt.serverError...), Slow: map[string]time.Duration{}}
			if tt.slow != "" {
				faults.Slow[tt.slow] = 5 * time.Second
			}
			base := feedServer(t, faults, tt.gone)
			p := NewParams().(*Params)
			p.URL = base + tt.start
			for _, e := range tt.extra {
				p.URLs = append(p.URLs, base+e)
			}
			p.Paged = tt.paged
			env := conntest.Env(Kind, p)
			env.Source.MaxPages = tt.maxPages
			sink := conntest.NewSink(tt.known...)
			conntest.Collect(t, New, env, sink)
			var got []string
			for _, pg := range sink.Pages {
				got = append(got, strings.TrimPrefix(pg.URL, base))
			}
			if strings.Join(got, " ") != strings.Join(tt.wantPages, " ") {
				t.Fatalf("pages %v, want %v", got, tt.wantPages)
			}
			if n := len(sink.Reviews()); n != tt.wantReviews {
				t.Errorf("%d reviews, want %d", n, tt.wantReviews)
			}
			sink.CheckFinal(t, tt.wantFinal)
			sink.CheckErrors(t, tt.wantErr)
			for _, r := range sink.Reviews() {
				if r.Kind != review.KindComment {
					t.Errorf("kind %s", r.Kind)
				}
			}
			if tt.check != nil {
				tt.check(t, sink, faults)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Params)
		want   string
	}{
		{"valid", func(p *Params) {}, ""},
		{"no url", func(p *Params) { p.URL = "" }, "url: is required"},
		{"bad url", func(p *Params) { p.URL = "feed.xml" }, "url: \"feed.xml\" is not an absolute"},
		{"bad urls", func(p *Params) { p.URLs = []string{"x"} }, "urls[0]"},
		{"kind", func(p *Params) { p.ReviewKind = "post" }, "review_kind"},
		{"review kind", func(p *Params) { p.ReviewKind = "review" }, ""},
		{"scale", func(p *Params) { p.BestRating = -1 }, "best_rating"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParams().(*Params)
			p.URL = "https://blog.example.test/comments/feed/"
			tt.change(p)
			conntest.CheckError(t, p.Validate(), tt.want)
		})
	}
}

func TestReviewKindParam(t *testing.T) {
	base := feedServer(t, nil, false)
	p := NewParams().(*Params)
	p.URL = base + "/comments/feed/"
	p.ReviewKind = "review"
	sink := &conntest.Sink{}
	conntest.Collect(t, New, conntest.Env(Kind, p), sink)
	for _, r := range sink.Reviews() {
		if r.Kind != review.KindReview {
			t.Fatalf("kind %s, want review", r.Kind)
		}
	}
}
