// Package bench measures Vigie on generated data (`vigie bench`): bleve
// alone against Vigie's whole ingestion path on the same documents, then
// searches, trends and the leaderboard on the result, and the cost of
// collecting an unchanged source again.
//
// The phases run one after the other in one process:
//
//  1. prepare: N reviews are generated, prepared and enriched exactly as
//     the pipeline would, and written to a file (not timed as ingestion);
//  2. raw: bleve alone indexes those documents with Vigie's mapping and
//     batch size (index.UpsertAt, batches of index.BatchSize), reading
//     them back from the file;
//  3. ingest: the same reviews go through Vigie's whole path: a source per
//     location and kind, collected crawler.concurrency at a time by a
//     connector that hands over pages of generated reviews; each page is
//     normalised, deduplicated against the state store, enriched
//     (language, sentiment, themes), archived durably, indexed and
//     recorded (internal/ingest), with the run's state;
//  4. queries on the ingested index; 5. a re-crawl of the demo site.
//
// Both ingestion figures come from the same run on the same documents, so
// their ratio holds on a machine shared with other work.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/pipeline"
)

// Options tune a benchmark run.
type Options struct {
	// N is the number of reviews to generate.
	N int
	// Locations is the number of locations (default 1,000).
	Locations int
	// Dir is the working folder; empty: a temporary folder, removed at the
	// end.
	Dir string
	// Keep leaves Dir in place.
	Keep bool
	// Concurrency is the number of sources collected at the same time in
	// the ingest phase (default 8); PageSize the reviews per page (default
	// 200).
	Concurrency, PageSize int
	// Shards, when 2 or more, adds a comparison: the same documents in that
	// many indexes split by location, searched through a bleve alias,
	// against the raw phase's single index.
	Shards int
	// BleveOnly stops after the raw phase (and the shard comparison).
	BleveOnly bool
	// Repeat is how many times each query is measured (default 5).
	Repeat int
	// Pipeline holds the language detector and the enrichers the ingest
	// phase uses (the configuration's, as `vigie serve` builds them).
	Pipeline *pipeline.Pipeline
	// Registry holds the schemaorg kind for the re-crawl (default:
	// connectors.Default).
	Registry *connectors.Registry
	// Now is the generated data's present (default: today).
	Now time.Time
	// ProfileDir, when set, receives a CPU profile of each phase
	// (raw.pprof, ingest.pprof, ...), for `go tool pprof`.
	ProfileDir string
	// Progress receives one line per step; nil: silent.
	Progress io.Writer
	Logger   *slog.Logger
}

// Result is what `vigie bench --json` prints. Times are in milliseconds,
// rates in reviews per second, memory in MiB.
type Result struct {
	N         int    `json:"n"`
	Locations int    `json:"locations"`
	Sources   int    `json:"sources"`
	Cores     int    `json:"cores"`
	GoVersion string `json:"go_version"`
	Date      string `json:"date"`

	RawBleveDocsPerS float64 `json:"raw_bleve_docs_per_s"`
	IngestDocsPerS   float64 `json:"ingest_docs_per_s"`
	IngestRatio      float64 `json:"ingest_ratio"`
	RawPeakRSSMiB    float64 `json:"raw_peak_rss_mib"`
	IngestPeakRSSMiB float64 `json:"ingest_peak_rss_mib"`
	// The peaks of anonymous memory (heap, stacks), without the pages of
	// index files the kernel maps in, which it reclaims under pressure.
	RawPeakAnonMiB    float64 `json:"raw_peak_anon_mib"`
	IngestPeakAnonMiB float64 `json:"ingest_peak_anon_mib"`
	// IndexBytesPerReview is the ingested index's size on disk per review;
	// ArchiveBytesPerReview the raw archive's.
	IndexBytesPerReview   float64 `json:"index_bytes_per_review"`
	ArchiveBytesPerReview float64 `json:"archive_bytes_per_review"`

	SearchP50Ms   float64 `json:"search_p50_ms"`
	SearchP95Ms   float64 `json:"search_p95_ms"`
	LatestP50Ms   float64 `json:"latest_p50_ms"`
	LatestP95Ms   float64 `json:"latest_p95_ms"`
	TrendP50Ms    float64 `json:"trend_p50_ms"`
	TrendP95Ms    float64 `json:"trend_p95_ms"`
	LeaderboardMs float64 `json:"leaderboard_ms"`
	// Per-query medians, to see which search costs what.
	Searches []QueryTime `json:"searches"`

	// RecrawlPages is the number of pages the second collection of an
	// unchanged demo source fetched; FirstCrawlPages the first one's.
	RecrawlPages    int `json:"recrawl_pages"`
	FirstCrawlPages int `json:"first_crawl_pages"`

	// Phase details.
	PrepareSeconds float64 `json:"prepare_s"`
	RawSeconds     float64 `json:"raw_s"`
	IngestSeconds  float64 `json:"ingest_s"`
	WarmSeconds    float64 `json:"warm_s"`
	// RawCurve and IngestCurve give the rate over each tenth of the run:
	// how indexing slows as the index grows.
	RawCurve    []Point `json:"raw_curve"`
	IngestCurve []Point `json:"ingest_curve"`
	// IngestStartRSSMiB is the resident memory when ingestion started (the
	// language models and lexicons already loaded by the prepare phase).
	IngestStartRSSMiB float64 `json:"ingest_start_rss_mib"`
	RawStartRSSMiB    float64 `json:"raw_start_rss_mib"`
	// Errors counts runs of the ingest phase that reported an error.
	Errors int `json:"errors"`
	// Shards compares a sharded index with the single one (--shards).
	Shards *ShardResult `json:"shards,omitempty"`
}

// Point is the rate between the previous point and this one.
type Point struct {
	Docs       int     `json:"docs"`
	Seconds    float64 `json:"s"`
	DocsPerSec float64 `json:"docs_per_s"`
}

// QueryTime is one search's median.
type QueryTime struct {
	Query string  `json:"query"`
	P50Ms float64 `json:"p50_ms"`
	Hits  uint64  `json:"hits"`
}

// Run runs the benchmark.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.N <= 0 {
		return nil, fmt.Errorf("bench: the number of reviews must be positive, got %d", opts.N)
	}
	if opts.Locations <= 0 {
		opts.Locations = 1000
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 200
	}
	if opts.Repeat <= 0 {
		opts.Repeat = 5
	}
	if opts.Registry == nil {
		opts.Registry = connectors.Default
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if opts.Pipeline == nil {
		return nil, fmt.Errorf("bench: no pipeline")
	}
	dir := opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "vigie-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		dir = d
		if !opts.Keep {
			defer os.RemoveAll(dir)
		}
	} else {
		if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
			return nil, fmt.Errorf("bench: folder %s is not empty: give an empty or new folder", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	b := &runner{opts: opts, dir: dir, gen: newGenerator(opts.N, opts.Locations, opts.Now)}
	res := &Result{
		N: opts.N, Locations: opts.Locations, Sources: b.gen.sources(),
		Cores: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), Date: time.Now().UTC().Format(time.RFC3339),
	}
	b.res = res
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"prepare", b.prepare},
		{"raw", b.raw},
		{"shards", b.shards},
		{"ingest", b.ingest},
		{"queries", b.queries},
		{"recrawl", b.recrawl},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opts.BleveOnly && s.name != "prepare" && s.name != "raw" && s.name != "shards" {
			continue
		}
		// Each phase starts from what the previous ones left resident.
		runtime.GC()
		debug.FreeOSMemory()
		stop, err := b.profile(s.name)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		err = s.fn(ctx)
		stop()
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", s.name, err)
		}
	}
	if res.RawBleveDocsPerS > 0 {
		res.IngestRatio = round(res.IngestDocsPerS/res.RawBleveDocsPerS, 3)
	}
	return res, nil
}

// runner holds one benchmark run's state.
type runner struct {
	opts Options
	dir  string
	gen  *generator
	res  *Result
	// order lists the reviews source by source, as the ingest phase
	// collects them; the raw phase indexes them in the same order.
	bySource [][]int32
	srcIndex map[string]int
	// indexDir is the ingested index.
	indexDir string
}

// profile starts a CPU profile of one phase, when asked.
func (b *runner) profile(phase string) (stop func(), err error) {
	if b.opts.ProfileDir == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(b.opts.ProfileDir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(b.opts.ProfileDir, phase+".pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func (b *runner) path(name string) string { return filepath.Join(b.dir, name) }

func (b *runner) progress(format string, args ...any) {
	if b.opts.Progress != nil {
		fmt.Fprintf(b.opts.Progress, format+"\n", args...)
	}
}

func round(f float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	if f < 0 {
		return -float64(int64(-f*p+0.5)) / p
	}
	return float64(int64(f*p+0.5)) / p
}

func ms(d time.Duration) float64 { return round(float64(d.Microseconds())/1000, 1) }

// dirSize is the size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
