package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"
	"golang.org/x/text/encoding/charmap"
)

func fastClient(opts Options) *Client {
	if opts.Backoff == 0 {
		opts.Backoff = 5 * time.Millisecond
	}
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.Retries == 0 {
		opts.Retries = 2
	}
	return New(opts)
}

// site is a fixture server whose handlers count their hits.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newSite(t *testing.T, routes map[string]http.HandlerFunc) *site {
	s := &site{hits: map[string]int{}}
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.hits[r.URL.Path]++
			s.mu.Unlock()
			h(w, r)
		})
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func text(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }
}

func TestRobots(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text("User-agent: *\nDisallow: /private/\nDisallow: /*?sort=\n\nUser-agent: OtherBot\nDisallow: /\n"),
		"/":           text("ok"),
	})
	c := fastClient(Options{UserAgent: "VigieBot/1.0 (+https://example.org)"})
	ctx := context.Background()
	tests := []struct {
		name    string
		path    string
		robots  bool
		allowed bool
	}{
		{"allowed page", "/reviews?page=2", true, true},
		{"disallowed folder", "/private/x", true, false},
		{"disallowed pattern", "/list?sort=date", true, false},
		{"source opted out", "/private/x", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.count(tt.path[:strings.IndexAny(tt.path+"?", "?")])
			_, err := c.Do(ctx, &Request{URL: s.URL + tt.path, Robots: tt.robots})
			if tt.allowed && err != nil {
				t.Fatalf("fetch: %v", err)
			}
			if !tt.allowed {
				if !errors.Is(err, ErrRobots) || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("error %v, want a robots.txt refusal naming the URL", err)
				}
				if after := s.count(tt.path[:strings.IndexAny(tt.path+"?", "?")]); after != before {
					t.Errorf("a disallowed page was fetched")
				}
			}
		})
	}
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once", n)
	}
}

func TestRobotsUnavailableAndUnreachable(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		allowed bool
	}{
		{"404 allows everything", http.StatusNotFound, true},
		{"403 allows everything (RFC 9309)", http.StatusForbidden, true},
		{"500 disallows everything", http.StatusInternalServerError, false},
		{"503 disallows everything", http.StatusServiceUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, map[string]http.HandlerFunc{
				"/robots.txt": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.status) },
				"/page":       text("ok"),
			})
			_, err := fastClient(Options{}).Get(context.Background(), s.URL+"/page")
			if tt.allowed != (err == nil) {
				t.Fatalf("err = %v, want allowed=%v", err, tt.allowed)
			}
			if !tt.allowed && !strings.Contains(err.Error(), "robots.txt") {
				t.Errorf("error does not say why: %v", err)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	var n429, n500, n404 atomic.Int32
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text(""),
		"/busy": func(w http.ResponseWriter, r *http.Request) {
			if n429.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			fmt.Fprint(w, "done")
		},
		"/flaky": func(w http.ResponseWriter, r *http.Request) {
			if n500.Add(1) == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, "done")
		},
		"/gone": func(w http.ResponseWriter, r *http.Request) {
			n404.Add(1)
			http.NotFound(w, r)
		},
		"/long-wait": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		"/down": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) },
	})
	c := fastClient(Options{Retries: 2, MaxRetryWait: time.Minute})
	ctx := context.Background()

	resp, err := c.Get(ctx, s.URL+"/busy")
	if err != nil || string(resp.Body) != "done" || resp.Attempts != 2 {
		t.Errorf("429 then 200: %v, %+v", err, resp)
	}
	resp, err = c.Get(ctx, s.URL+"/flaky")
	if err != nil || resp.Attempts != 2 {
		t.Errorf("500 then 200: %v, %+v", err, resp)
	}
	_, err = c.Get(ctx, s.URL+"/gone")
	var fe *Error
	if !errors.As(err, &fe) || fe.StatusCode != 404 || n404.Load() != 1 {
		t.Errorf("404 must fail at once: %v (requests: %d)", err, n404.Load())
	}
	_, err = c.Get(ctx, s.URL+"/long-wait")
	if err == nil || !strings.Contains(err.Error(), "retry after 1h0m0s") || !strings.Contains(err.Error(), "/long-wait") {
		t.Errorf("a Retry-After past the limit must give up and say so: %v", err)
	}
	_, err = c.Get(ctx, s.URL+"/down")
	if !errors.As(err, &fe) || fe.Attempts != 3 || !strings.Contains(err.Error(), "502 Bad Gateway (after 3 attempts)") {
		t.Errorf("persistent 502: %v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{"0", 0, true},
		{"Thu, 01 Jan 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Thursday, 01-Jan-26 12:01:00 GMT", time.Minute, true},
		{"Thu Jan  1 12:00:10 2026", 10 * time.Second, true},
		{"Wed, 31 Dec 2025 00:00:00 GMT", 0, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTimeoutAndSize(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text(""),
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		},
		"/big": text(strings.Repeat("x", 5000)),
	})
	c := fastClient(Options{Timeout: 100 * time.Millisecond, Retries: 1, MaxBodySize: 4096})
	_, err := c.Get(context.Background(), s.URL+"/slow")
	if err == nil || !strings.Contains(err.Error(), "/slow") || !strings.Contains(err.Error(), "within 100ms") {
		t.Errorf("timeout error = %v", err)
	}
	_, err = c.Get(context.Background(), s.URL+"/big")
	if !errors.Is(err, ErrTooLarge) || s.count("/big") != 1 {
		t.Errorf("too large: %v (fetched %d times)", err, s.count("/big"))
	}
}

func TestCharsets(t *testing.T) {
	ru := "Очень вкусно, спасибо!"
	fr := "Très bon café, un peu cher."
	cp1251, _ := charmap.Windows1251.NewEncoder().String(ru)
	latin1, _ := charmap.ISO8859_1.NewEncoder().String(fr)
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text(""),
		"/header": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=windows-1251")
			fmt.Fprint(w, "<p>"+cp1251+"</p>")
		},
		"/meta": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><meta charset="iso-8859-1"></head><body>`+latin1+`</body></html>`)
		},
		"/sniffed": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body><p>"+strings.Repeat(cp1251+" ", 5)+"</p></body></html>")
		},
		"/sniffed-fr": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body><p>"+strings.Repeat(latin1+" ", 3)+"</p></body></html>")
		},
		"/utf8": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<p>"+ru+" \xff</p>")
		},
		"/feed.xml": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0" encoding="windows-1251"?><rss>`+cp1251+`</rss>`)
		},
	})
	c := fastClient(Options{})
	tests := []struct{ path, want, charset string }{
		{"/header", ru, "windows-1251"},
		{"/meta", fr, "windows-1252"},
		{"/sniffed", ru, "windows-1251"},
		{"/sniffed-fr", fr, "windows-1252"},
		{"/utf8", ru + " \uFFFD", "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := c.Get(context.Background(), s.URL+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(resp.Body), tt.want) || resp.Charset != tt.charset {
				t.Errorf("body %q (charset %q), want %q from %s", resp.Body, resp.Charset, tt.want, tt.charset)
			}
		})
	}
	resp, err := c.Get(context.Background(), s.URL+"/feed.xml")
	if err != nil || resp.Charset != "" || !strings.Contains(string(resp.Body), cp1251) {
		t.Errorf("XML must be left to the feed parser: %v charset=%q", err, resp.Charset)
	}
}

func TestHostDelay(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{"/robots.txt": text(""), "/": text("ok")})
	c := fastClient(Options{Delay: 50 * time.Millisecond, Parallelism: 4})
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Do(context.Background(), &Request{URL: fmt.Sprintf("%s/%d", s.URL, i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// Four requests spaced by 50ms cannot all start in less than 150ms.
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("4 requests took %v: the per-host delay was not applied", d)
	}
}

func TestCrawlDelayFromRobots(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{"/robots.txt": text("User-agent: *\nCrawl-delay: 0.1\n"), "/": text("ok")})
	c := fastClient(Options{})
	start := time.Now()
	for i := range 3 {
		if _, err := c.Get(context.Background(), fmt.Sprintf("%s/%d", s.URL, i)); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("3 requests took %v: robots.txt Crawl-delay was not applied", d)
	}
}

func TestCollectorUsesClient(t *testing.T) {
	cp1251, _ := charmap.Windows1251.NewEncoder().String("Отличный сервис")
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text("User-agent: *\nDisallow: /no\n"),
		"/page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=windows-1251")
			fmt.Fprint(w, `<html><body><a rel="next" href="/no">next</a><p>`+cp1251+`</p></body></html>`)
		},
	})
	c := fastClient(Options{UserAgent: "VigieBot/1.0"})
	col := c.Collector(context.Background(), true)
	var body, ua string
	col.OnResponse(func(r *colly.Response) {
		body = string(r.Body)
		ua = r.Request.Headers.Get("User-Agent")
	})
	if err := col.Visit(s.URL + "/page"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Отличный сервис") {
		t.Errorf("charset not decoded for colly: %q", body)
	}
	if ua != "VigieBot/1.0" {
		t.Errorf("user agent %q", ua)
	}
	err := col.Visit(s.URL + "/no")
	if !errors.Is(err, ErrRobots) {
		t.Errorf("colly visit of a disallowed page: %v", err)
	}
	if s.count("/no") != 0 {
		t.Error("disallowed page fetched through colly")
	}
}

func TestErrorsRedactCredentials(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{"/robots.txt": text(""), "/api": func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "denied", http.StatusForbidden)
	}})
	_, err := fastClient(Options{}).Get(context.Background(), s.URL+"/api?place=1&key=SECRET123&access_token=TOK")
	if err == nil || strings.Contains(err.Error(), "SECRET123") || strings.Contains(err.Error(), "TOK") || !strings.Contains(err.Error(), "place=1") {
		t.Errorf("error leaks or loses the URL: %v", err)
	}
}
