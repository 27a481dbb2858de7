package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/demo"
	"github.com/vigie-dev/vigie/internal/service"
)

// searchCase is one search of the mix: what /api/reviews does for a
// reputation manager's query (first page of 20, highlights, facets).
type searchCase struct {
	name string
	q    index.Query
}

func (b *runner) searchCases() []searchCase {
	now := b.opts.Now
	year := now.AddDate(-1, 0, 0)
	loc := func(l int) string { return locationID(min(l, b.opts.Locations-1)) }
	return []searchCase{
		{"attente", index.Query{Text: "attente"}},
		{"очередь", index.Query{Text: "очередь"}},
		{"queue waiting", index.Query{Text: "queue waiting"}},
		{`"service lent"`, index.Query{Text: `"service lent"`}},
		{"+attente -prix", index.Query{Text: "+attente -prix"}},
		{"rembours*", index.Query{Text: "rembours*"}},
		{"serveur~1", index.Query{Text: "serveur~1"}},
		{"location:" + loc(42) + " attente", index.Query{Text: "location:" + loc(42) + " attente"}},
		{"croissant in two locations", index.Query{Text: "croissant", Locations: []string{loc(7), loc(100)}}},
		{"кофе, Russian, negative", index.Query{Text: "кофе", Langs: []string{"ru"}, Sentiments: []string{"negative"}}},
		{"coffee, last year", index.Query{Text: "coffee", From: year, To: now}},
		{"theme wait, negative, one location, last year", index.Query{Themes: []string{"wait"}, Sentiments: []string{"negative"}, Locations: []string{loc(3)}, From: year, To: now}},
		{"rating 1 to 2, last 90 days", index.Query{MinRating: ptr(1), MaxRating: ptr(2), From: now.AddDate(0, 0, -90), To: now}},
		{"attente, newest first", index.Query{Text: "attente", Sort: index.SortNewest}},
	}
}

func ptr(f float64) *float64 { return &f }

// queries measures searches, the latest reviews, trends and the
// leaderboard on the ingested index, its aggregation columns warmed as
// `vigie serve` warms them at start-up.
func (b *runner) queries(ctx context.Context) error {
	x, err := index.Open(b.indexDir)
	if err != nil {
		return err
	}
	defer x.Close()
	start := time.Now()
	if err := x.Warm(); err != nil {
		return err
	}
	b.res.WarmSeconds = round(time.Since(start).Seconds(), 2)
	now := b.opts.Now
	rep := b.opts.Repeat

	var all []time.Duration
	for _, c := range b.searchCases() {
		var ds []time.Duration
		var hits uint64
		for range rep {
			q := c.q
			q.Size, q.Highlight = 20, true
			t0 := time.Now()
			res, _, err := x.Find(ctx, q, now, 20)
			if err != nil {
				return fmt.Errorf("search %s: %w", c.name, err)
			}
			ds = append(ds, time.Since(t0))
			hits = res.Total
		}
		all = append(all, ds...)
		b.res.Searches = append(b.res.Searches, QueryTime{Query: c.name, P50Ms: ms(pct(ds, 0.5)), Hits: hits})
	}
	b.res.SearchP50Ms, b.res.SearchP95Ms = ms(pct(all, 0.5)), ms(pct(all, 0.95))
	b.progress("search: p50 %.1f ms, p95 %.1f ms over %d searches", b.res.SearchP50Ms, b.res.SearchP95Ms, len(all))

	// The dashboard's default view: everything, newest first, with facets.
	latest, err := timed(4*rep, func(int) error {
		_, _, err := x.Find(ctx, index.Query{Size: 20, Sort: index.SortNewest}, now, 20)
		return err
	})
	if err != nil {
		return fmt.Errorf("latest reviews: %w", err)
	}
	b.res.LatestP50Ms, b.res.LatestP95Ms = ms(pct(latest, 0.5)), ms(pct(latest, 0.95))
	b.progress("latest 20 reviews: p50 %.1f ms, p95 %.1f ms", b.res.LatestP50Ms, b.res.LatestP95Ms)

	// One-year weekly trends of single locations, overall and per theme.
	locs := []int{1, 42, 500, 999}
	trends, err := timed(rep*len(locs), func(i int) error {
		by := index.SplitNone
		if i%2 == 1 {
			by = index.SplitTheme
		}
		l := locationID(min(locs[i%len(locs)], b.opts.Locations-1))
		_, err := x.Trends(ctx, index.TrendQuery{Filter: index.Query{Locations: []string{l}, From: now.AddDate(-1, 0, 0), To: now}, Interval: index.Weekly, By: by})
		return err
	})
	if err != nil {
		return fmt.Errorf("trend: %w", err)
	}
	b.res.TrendP50Ms, b.res.TrendP95Ms = ms(pct(trends, 0.5)), ms(pct(trends, 0.95))
	b.progress("one-year weekly trend of a location: p50 %.1f ms, p95 %.1f ms", b.res.TrendP50Ms, b.res.TrendP95Ms)

	// The leaderboard of every location for the last 30 days (against the
	// 30 days before).
	boards, err := timed(rep, func(int) error {
		_, err := x.Leaderboard(ctx, index.LeaderboardQuery{Filter: index.Query{From: now.AddDate(0, 0, -30), To: now}})
		return err
	})
	if err != nil {
		return fmt.Errorf("leaderboard: %w", err)
	}
	b.res.LeaderboardMs = ms(pct(boards, 0.5))
	b.progress("leaderboard of %d locations: %.1f ms", b.opts.Locations, b.res.LeaderboardMs)
	return nil
}

// timed runs fn n times (with the run's number) and returns each run's
// wall time.
func timed(n int, fn func(i int) error) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for i := range n {
		t0 := time.Now()
		if err := fn(i); err != nil {
			return nil, err
		}
		out = append(out, time.Since(t0))
	}
	return out, nil
}

// pct is the p-th quantile of ds (nearest rank).
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// recrawl collects the busiest location of the demo site twice: the
// second, incremental run of the unchanged source should fetch one page.
func (b *runner) recrawl(ctx context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: demo.Handler(time.Now()), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	dir := b.path("recrawl")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfgPath := b.path("recrawl/vigie.yaml")
	if err := os.WriteFile(cfgPath, demo.ConfigYAML("http://"+ln.Addr().String()), 0o644); err != nil {
		return err
	}
	cfg, err := config.Load(cfgPath, b.opts.Registry)
	if err != nil {
		return err
	}
	cfg.Log.Level = "warn"
	var src config.Source
	for _, s := range cfg.Sources() {
		if strings.HasPrefix(s.ID, demo.Locations()[0].ID) {
			src = s
			break
		}
	}
	p := *b.opts.Pipeline
	p.Journal, p.Store = nil, nil
	svc, err := service.Open(ctx, cfg, service.Options{Registry: b.opts.Registry, Logger: b.opts.Logger, Pipeline: &p, Command: "vigie bench"})
	if err != nil {
		return err
	}
	defer svc.Close()
	first := svc.RunSource(ctx, src)
	second := svc.RunSource(ctx, src)
	if !first.OK() || !second.OK() {
		return fmt.Errorf("demo source %s: %s%s %s%s", src.ID, first.Err, strings.Join(first.Errors, "; "), second.Err, strings.Join(second.Errors, "; "))
	}
	if second.New != 0 || second.Updated != 0 {
		return fmt.Errorf("demo source %s: the second run found %d new and %d updated reviews in an unchanged source", src.ID, second.New, second.Updated)
	}
	b.res.FirstCrawlPages, b.res.RecrawlPages = first.Pages, second.Pages
	b.progress("re-crawl of %s: %d pages the first time, %d the second", src.ID, first.Pages, second.Pages)
	return nil
}
