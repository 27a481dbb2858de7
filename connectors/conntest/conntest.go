// Package conntest helps test connectors: a sink that records what a
// connector hands over, a fixture server with fault injection, an Env
// with a fast, polite client, and the checks the kinds' tests share
// (golden files, Final on the last page only, expected errors, retries).
package conntest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/internal/review"
)

// Sink records pages. Known ids (external ids) make PageResult report
// reviews as unchanged, to exercise incremental stops.
type Sink struct {
	mu    sync.Mutex
	Pages []connectors.Page
	// Known external ids: reviews with these ids count as unchanged.
	Known map[string]bool
}

// Page implements connectors.Sink.
func (s *Sink) Page(ctx context.Context, p connectors.Page) (connectors.PageResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Pages = append(s.Pages, p)
	var res connectors.PageResult
	for _, r := range p.Reviews {
		if s.Known[r.ExternalID] {
			res.Unchanged++
		} else {
			res.New++
		}
	}
	return res, nil
}

// Reviews returns every review recorded, in order.
func (s *Sink) Reviews() []review.Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []review.Review
	for _, p := range s.Pages {
		out = append(out, p.Reviews...)
	}
	return out
}

// Errors returns the page errors recorded.
func (s *Sink) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []error
	for _, p := range s.Pages {
		if p.Err != nil {
			out = append(out, p.Err)
		}
	}
	return out
}

// Client returns a fetch client with the test-friendly settings: no delay,
// 10ms back-off, short timeout, two retries.
func Client() *fetch.Client {
	return fetch.New(fetch.Options{
		UserAgent:    "VigieBot/1.0 (test)",
		Backoff:      10 * time.Millisecond,
		Timeout:      time.Second,
		Retries:      2,
		MaxRetryWait: 5 * time.Second,
	})
}

// Env builds a connector environment for source src of kind with params.
func Env(kind string, params any) connectors.Env {
	c := config.Default().Crawler
	c.Delay = 0
	return connectors.Env{
		Source:      config.Source{ID: "test-" + kind, Kind: kind, Brand: "brand", Location: "loc", Params: params},
		Crawler:     c,
		Client:      Client(),
		Now:         time.Now,
		Incremental: true,
	}
}

// Faults makes a fixture server misbehave on chosen paths, once each.
type Faults struct {
	mu sync.Mutex
	// TooMany answers 429 with Retry-After: 0 the first time a path is hit.
	TooMany map[string]bool
	// ServerError answers 500 the first time a path is hit.
	ServerError map[string]bool
	// Slow delays the answer of a path by this long, every time.
	Slow map[string]time.Duration
	hits map[string]int
}

// Hits returns how many times path was requested.
func (f *Faults) Hits(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

// Wrap returns h with the faults applied. Paths are matched on
// URL.Path, or on URL.RequestURI when that is the key given.
func (f *Faults) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		if f.hits == nil {
			f.hits = map[string]int{}
		}
		key := r.URL.Path
		if _, ok := f.TooMany[r.URL.RequestURI()]; ok {
			key = r.URL.RequestURI()
		} else if _, ok := f.ServerError[r.URL.RequestURI()]; ok {
			key = r.URL.RequestURI()
		}
		f.hits[key]++
		n := f.hits[key]
		slow := f.Slow[r.URL.Path]
		f.mu.Unlock()
		switch {
		case f.TooMany[key] && n == 1:
			w.Header().Set("Retry-After", strconv.Itoa(0))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		case f.ServerError[key] && n == 1:
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		case slow > 0:
			select {
			case <-time.After(slow):
			case <-r.Context().Done():
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Server starts h (with faults, if any) on 127.0.0.1 for the test.
func Server(t testing.TB, h http.Handler, f *Faults) *httptest.Server {
	t.Helper()
	if f != nil {
		h = f.Wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// SinkFunc is a Sink made of a function: to fail, cancel or count.
type SinkFunc func(ctx context.Context, p connectors.Page) (connectors.PageResult, error)

// Page implements connectors.Sink.
func (f SinkFunc) Page(ctx context.Context, p connectors.Page) (connectors.PageResult, error) {
	return f(ctx, p)
}
