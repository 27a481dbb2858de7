// Package collect runs sources: it builds each source's connector, feeds
// what it collects through the pipeline, and reports one summary per run.
// `vigie crawl` runs every source once; the scheduler runs them on their
// schedules. Logging and counting around a run happen here, not in each
// connector.
package collect

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/internal/pipeline"
)

// Runner runs sources through the pipeline.
type Runner struct {
	Registry *connectors.Registry
	Client   *fetch.Client
	Pipeline *pipeline.Pipeline
	Crawler  config.Crawler
	Logger   *slog.Logger
	// Full disables incremental stops: every page is fetched.
	Full bool
}

// Summary is the outcome of one run of one source.
type Summary struct {
	Source   string        `json:"source"`
	Kind     string        `json:"kind"`
	Location string        `json:"location"`
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration_ns"`
	pipeline.Stats
	// Err is why the run stopped early, if it did.
	Err string `json:"error,omitempty"`
}

// OK reports whether the run completed without any error.
func (s Summary) OK() bool { return s.Err == "" && len(s.Errors) == 0 }

// NewClient builds the shared HTTP client from the crawler settings.
func NewClient(c config.Crawler, logger *slog.Logger) *fetch.Client {
	return fetch.New(fetch.Options{
		UserAgent:    c.UserAgent,
		Delay:        c.Delay.D(),
		Parallelism:  c.Parallelism,
		Timeout:      c.Timeout.D(),
		MaxBodySize:  int64(c.MaxPageSize),
		Retries:      c.Retries,
		Backoff:      c.Backoff.D(),
		MaxRetryWait: c.MaxRetryWait.D(),
		Logger:       logger,
	})
}

// RunSource collects one source once.
func (r *Runner) RunSource(ctx context.Context, src config.Source) Summary {
	start := time.Now()
	log := r.logger().With("source", src.ID, "kind", src.Kind, "location", src.Location)
	run := r.Pipeline.NewRun(src)
	sum := Summary{Source: src.ID, Kind: src.Kind, Location: src.Location, Start: start}
	conn, err := r.Registry.New(connectors.Env{
		Source:      src,
		Crawler:     r.Crawler,
		Client:      r.Client,
		Logger:      log,
		Now:         time.Now,
		Incremental: !r.Full,
	})
	if err == nil {
		err = conn.Collect(ctx, run)
	}
	sum.Stats = run.Stats()
	sum.Duration = time.Since(start)
	if err != nil {
		sum.Err = err.Error()
		if errors.Is(err, context.Canceled) {
			sum.Err = "interrupted"
		}
	}
	attrs := []any{"pages", sum.Pages, "pages_failed", sum.PagesFailed, "found", sum.Found, "new", sum.New,
		"updated", sum.Updated, "unchanged", sum.Unchanged, "skipped", sum.Skipped, "errors", len(sum.Errors),
		"duration_ms", sum.Duration.Milliseconds()}
	switch {
	case sum.Err != "":
		log.Error("run failed", append(attrs, "err", sum.Err)...)
	case len(sum.Errors) > 0:
		log.Warn("run finished with errors", append(attrs, "first_error", sum.Errors[0])...)
	default:
		log.Info("run finished", attrs...)
	}
	return sum
}

// RunAll collects the given sources once each, Crawler.Concurrency at a
// time, and returns their summaries in the order given.
func (r *Runner) RunAll(ctx context.Context, sources []config.Source) []Summary {
	out := make([]Summary, len(sources))
	sem := make(chan struct{}, max(r.Crawler.Concurrency, 1))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = Summary{Source: src.ID, Kind: src.Kind, Location: src.Location, Err: "interrupted"}
				return
			}
			defer func() { <-sem }()
			out[i] = r.RunSource(ctx, src)
		}()
	}
	wg.Wait()
	return out
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}
