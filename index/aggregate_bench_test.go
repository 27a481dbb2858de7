package index

// Benchmarks on an index of 1,000,000 generated reviews (1,000 locations,
// three years, French, Russian and English text of realistic lengths made
// from the demo's sentences). They run only when asked:
//
//	VIGIE_BENCH_1M=1 go test ./index -run '^$' -bench 1M -benchtime 200x -timeout 60m
//
// The index is generated once (about five minutes on 2 cores) into
// $VIGIE_BENCH_DIR, or a folder under the system's temporary folder, and
// reused by later runs. Each benchmark reports p50 and p95 latencies in
// milliseconds; docs/benchmarks.md records them.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/vigie-dev/vigie/internal/review"
)

const (
	benchDocs      = 1_000_000
	benchLocations = 1000
	benchGenerator = "1" // change when the generated data changes
)

// BenchNow is the generated data's present: reviews span the three years
// before it.
var benchNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

var (
	benchOnce sync.Once
	benchIdx  *Index
	benchErr  error
)

// benchIndex opens the 1M index, generating it the first time.
func benchIndex(b *testing.B) *Index {
	if os.Getenv("VIGIE_BENCH_1M") == "" {
		b.Skip("set VIGIE_BENCH_1M=1 to run the 1M-review benchmarks (they generate a 1 GB index once)")
	}
	benchOnce.Do(func() {
		dir := os.Getenv("VIGIE_BENCH_DIR")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "vigie-bench-1m-m"+MappingVersion+"-g"+benchGenerator)
		}
		benchIdx, benchErr = openOrGenerate(dir)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchIdx
}

type demoRecord struct {
	Lang   string   `json:"lang"`
	Rating float64  `json:"rating"`
	Title  string   `json:"title"`
	Text   string   `json:"text"`
	Themes []string `json:"themes"`
	Author string   `json:"author"`
}

func openOrGenerate(dir string) (*Index, error) {
	done := filepath.Join(dir, "generated")
	idxDir := filepath.Join(dir, "index")
	if _, err := os.Stat(done); err == nil {
		b, err := bleve.Open(idxDir)
		if err != nil {
			return nil, err
		}
		return &Index{path: idxDir, b: b}, nil
	}
	os.RemoveAll(dir)
	f, err := os.Open("../internal/demo/data/reviews.jsonl")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byLang := map[string][]demoRecord{}
	sentences := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r demoRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, err
		}
		byLang[r.Lang] = append(byLang[r.Lang], r)
		for _, s := range strings.SplitAfter(r.Text, ". ") {
			if s = strings.TrimSpace(s); s != "" {
				sentences[r.Lang] = append(sentences[r.Lang], s)
			}
		}
	}
	m, err := NewMapping()
	if err != nil {
		return nil, err
	}
	AddAggregateMappings(m.DefaultMapping)
	bi, err := bleve.New(idxDir, m)
	if err != nil {
		return nil, err
	}
	x := &Index{path: idxDir, b: bi}
	start := time.Now()
	const batch = 1000
	work := make(chan int)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range work {
				bt := bi.NewBatch()
				for i := first; i < first+batch; i++ {
					r := benchReview(i, byLang, sentences)
					doc, err := Document(&r)
					if err != nil {
						errs <- err
						return
					}
					for k, v := range AggregateFields(&r) {
						doc[k] = v
					}
					if err := bt.Index(r.ID, doc); err != nil {
						errs <- err
						return
					}
				}
				if err := bi.Batch(bt); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < benchDocs; i += batch {
		select {
		case work <- i:
		case err := <-errs:
			close(work)
			return nil, err
		}
		if i%100_000 == 0 && i > 0 {
			fmt.Fprintf(os.Stderr, "generated %d reviews in %s\n", i, time.Since(start).Round(time.Second))
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	fmt.Fprintf(os.Stderr, "generated %d reviews in %s\n", benchDocs, time.Since(start).Round(time.Second))
	if err := os.WriteFile(done, []byte(time.Now().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return nil, err
	}
	return x, nil
}

// benchReview makes review i: a deterministic function of i.
func benchReview(i int, byLang map[string][]demoRecord, sentences map[string][]string) review.Review {
	rnd := rand.New(rand.NewPCG(uint64(i), 42))
	// Locations have unequal volumes: a few flagships, many quiet ones.
	loc := int(float64(benchLocations) * rnd.Float64() * rnd.Float64() * 2)
	if loc >= benchLocations {
		loc = rnd.IntN(benchLocations)
	}
	langs := []string{"fr", "fr", "ru", "en"}
	lang := langs[(loc+rnd.IntN(10)/9)%4]
	pool := byLang[lang]
	base := pool[rnd.IntN(len(pool))]
	text := base.Text
	if rnd.IntN(3) == 0 { // mix in a sentence of another review
		ss := sentences[lang]
		text += " " + ss[rnd.IntN(len(ss))]
	}
	locID := fmt.Sprintf("loc-%04d", loc)
	src := []string{"site", "maps", "maps", "social"}[rnd.IntN(4)]
	r := review.Review{
		ID: fmt.Sprintf("b%07d", i), Brand: "bench", Location: locID, Source: locID + "-" + src,
		Kind: review.KindReview, URL: "https://example.com/r/" + fmt.Sprint(i), Author: base.Author,
		Title: base.Title, Text: text, Lang: lang, LangConfidence: 0.99,
		PublishedAt: benchNow.Add(-time.Duration(rnd.Int64N(int64(3 * 365 * 24 * time.Hour)))),
	}
	rating := base.Rating
	if src == "social" {
		r.Kind = review.KindComment
	}
	if rnd.IntN(20) == 0 {
		r.Kind = review.KindSurvey
		r.Source = locID + "-survey"
		r.BestRating, r.WorstRating = review.Float(10), review.Float(0)
		rating = float64(rnd.IntN(11))
	}
	r.Rating = review.Float(rating)
	r.Normalize()
	label := Neutral
	switch {
	case *r.RatingNorm >= 0.75:
		label = Positive
	case *r.RatingNorm <= 0.3:
		label = Negative
	}
	if rnd.IntN(20) == 0 {
		label = Mixed
	}
	r.Sentiment = &review.Sentiment{Label: label, Score: 0.5}
	for _, t := range base.Themes {
		name, pol, _ := strings.Cut(t, ":")
		l := map[string]string{"pos": Positive, "neg": Negative, "neu": Neutral}[pol]
		r.Themes = append(r.Themes, review.Theme{Name: name, Label: l, Score: 0.5})
	}
	if rnd.IntN(5) == 0 {
		r.Reply = &review.Reply{Text: "Merci pour votre avis.", PublishedAt: r.PublishedAt.Add(time.Duration(1+rnd.IntN(96)) * time.Hour)}
	}
	return r
}

// measure runs fn b.N times, cycling over the cases, and reports p50/p95.
func measure[T any](b *testing.B, cases []T, fn func(T) error) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	perCase := make([][]time.Duration, len(cases))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0 := cpuTime()
		start := time.Now()
		if err := fn(cases[i%len(cases)]); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		cpu = append(cpu, cpuTime()-c0)
		lat = append(lat, d)
		perCase[i%len(cases)] = append(perCase[i%len(cases)], d)
	}
	b.StopTimer()
	if os.Getenv("VIGIE_BENCH_VERBOSE") != "" {
		for i, ds := range perCase {
			sort.Slice(ds, func(a, b int) bool { return ds[a] < ds[b] })
			if len(ds) > 0 {
				b.Logf("case %d: median %s, max %s", i, ds[len(ds)/2].Round(time.Millisecond/10), ds[len(ds)-1].Round(time.Millisecond/10))
			}
		}
	}
	pct := func(ds []time.Duration, p float64) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(lat, 0.50), "p50-ms")
	b.ReportMetric(pct(lat, 0.95), "p95-ms")
	// CPU time is what the operation costs on an idle machine: the
	// machines these run on are shared, and wall time includes the waits
	// for a core.
	b.ReportMetric(pct(cpu, 0.50), "cpu-p50-ms")
	b.ReportMetric(pct(cpu, 0.95), "cpu-p95-ms")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the CPU time the process used so far (all its threads, the
// garbage collector included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSearch1M is what /api/reviews does for a typed search: the
// first page of 20 with highlights, and the facet counts.
func BenchmarkSearch1M(b *testing.B) {
	x := benchIndex(b)
	ctx := context.Background()
	year := Query{From: benchNow.AddDate(-1, 0, 0), To: benchNow}
	cases := []Query{
		{Text: "attente"},
		{Text: "очередь"},
		{Text: "queue waiting"},
		{Text: `"service lent"`},
		{Text: "+attente -prix"},
		{Text: "rembours*"},
		{Text: "serveur~1"},
		{Text: "location:loc-0042 attente"},
		{Text: "croissant", Locations: []string{"loc-0007", "loc-0100"}},
		{Text: "кофе", Langs: []string{"ru"}, Sentiments: []string{Negative}},
		{Text: "coffee", From: year.From, To: year.To},
		{Text: "attente", Sort: SortNewest},
	}
	measure(b, cases, func(q Query) error {
		q.Size, q.Highlight = 20, true
		_, _, err := x.Find(ctx, q, benchNow, 20)
		return err
	})
}

// BenchmarkBrowse1M is the search page without words: the newest reviews
// of one location, and of the whole brand, with facets.
func BenchmarkBrowse1M(b *testing.B) {
	x := benchIndex(b)
	ctx := context.Background()
	cases := []Query{
		{Locations: []string{"loc-0042"}},
		{Locations: []string{"loc-0003"}, From: benchNow.AddDate(0, 0, -90), To: benchNow},
		{Brands: []string{"bench"}, From: benchNow.AddDate(0, 0, -30), To: benchNow},
		{},
	}
	measure(b, cases, func(q Query) error {
		q.Size, q.Sort = 20, SortNewest
		_, _, err := x.Find(ctx, q, benchNow, 20)
		return err
	})
}

// BenchmarkTrendLocationYear1M is a one-year weekly trend of one location,
// overall and per theme.
func BenchmarkTrendLocationYear1M(b *testing.B) {
	x := benchIndex(b)
	ctx := context.Background()
	var cases []TrendQuery
	for i, loc := range []string{"loc-0001", "loc-0042", "loc-0500", "loc-0999"} {
		by := SplitNone
		if i%2 == 1 {
			by = SplitTheme
		}
		cases = append(cases, TrendQuery{Filter: Query{Locations: []string{loc}, From: benchNow.AddDate(-1, 0, 0), To: benchNow}, Interval: Weekly, By: by})
	}
	measure(b, cases, func(q TrendQuery) error {
		_, err := x.Trends(ctx, q)
		return err
	})
}

// BenchmarkTrendBrandYear1M is a one-year weekly trend of the whole brand.
func BenchmarkTrendBrandYear1M(b *testing.B) {
	x := benchIndex(b)
	ctx := context.Background()
	measure(b, []TrendQuery{{Filter: Query{From: benchNow.AddDate(-1, 0, 0), To: benchNow}, Interval: Weekly}}, func(q TrendQuery) error {
		_, err := x.Trends(ctx, q)
		return err
	})
}

// BenchmarkLeaderboard1M is the leaderboard of the 1,000 locations for the
// last 30 and 90 days (each against the period before).
func BenchmarkLeaderboard1M(b *testing.B) {
	x := benchIndex(b)
	ctx := context.Background()
	cases := []LeaderboardQuery{
		{Filter: Query{From: benchNow.AddDate(0, 0, -30), To: benchNow}},
		{Filter: Query{From: benchNow.AddDate(0, 0, -90), To: benchNow}},
	}
	measure(b, cases, func(q LeaderboardQuery) error {
		lb, err := x.Leaderboard(ctx, q)
		if err == nil && len(lb.Locations) < benchLocations*9/10 {
			err = fmt.Errorf("only %d locations", len(lb.Locations))
		}
		return err
	})
}

// BenchmarkChanges1M is the overview's "what changed" panel.
func BenchmarkChanges1M(b *testing.B) {
	x := benchIndex(b)
	ctx := context.Background()
	measure(b, []ChangeQuery{{Now: benchNow}}, func(q ChangeQuery) error {
		_, err := x.Changes(ctx, q)
		return err
	})
}
