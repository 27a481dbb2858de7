// Package collect runs sources: it builds each source's connector, feeds
// what it collects through the pipeline, and reports one summary per run.
// `vigie crawl` runs every source once; the scheduler runs them on their
// schedules. Logging and counting around a run happen here, not in each
// connector.
package collect

import (
	"context"
	"errors"
	"fmt"
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
	// Ledger, when set, keeps each source's state between runs: runs are
	// incremental only once a complete pass was recorded, deletions are
	// marked, the outcome is stored.
	Ledger Ledger
	// Now is the clock (tests replace it).
	Now func() time.Time
}

// Ledger keeps the state of sources between runs (the state store).
type Ledger interface {
	// Begin records that a run of src starts and returns what the
	// previous runs left.
	Begin(ctx context.Context, src config.Source, start time.Time) (Previous, error)
	// MarkDeleted marks the known reviews of src that are not in seen as
	// deleted, and returns how many it marked.
	MarkDeleted(ctx context.Context, src config.Source, seen []string, at time.Time) (int, error)
	// Finish records the run's outcome.
	Finish(ctx context.Context, src config.Source, sum Summary) error
}

// Previous is what the previous runs of a source left.
type Previous struct {
	// Complete: a previous run went through the whole listing (or caught
	// up with one) and no run was cut short since: this run may stop at
	// the first page already known.
	Complete bool
	// LastFound is the number of reviews the last run found.
	LastFound int
	// Known is the number of reviews of the source held (not deleted).
	Known int
}

// Summary is the outcome of one run of one source.
type Summary struct {
	Source   string        `json:"source"`
	Kind     string        `json:"kind"`
	Location string        `json:"location"`
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration_ns"`
	pipeline.Stats
	// Complete says the run went through the whole listing, or caught up
	// with a complete earlier pass (it stopped at known reviews), without
	// errors and before the page cap.
	Complete bool `json:"complete"`
	// Incremental says the run was allowed to stop at known reviews.
	Incremental bool `json:"incremental"`
	// Err is why the run stopped early, if it did.
	Err string `json:"error,omitempty"`
}

// OK reports whether the run completed without any error.
func (s Summary) OK() bool { return s.Err == "" && len(s.Errors) == 0 }

// Outcome names how the run ended: ok, errors (it finished, but pages or
// reviews failed), failed (it stopped early) or interrupted.
func (s Summary) Outcome() string {
	switch {
	case s.Err == "interrupted":
		return "interrupted"
	case s.Err != "":
		return "failed"
	case len(s.Errors) > 0:
		return "errors"
	}
	return "ok"
}

// zeroWarning is the warning of a run that found nothing where the last
// one found reviews.
const zeroWarning = "no reviews found where the last run found %d: the site may have changed (check it with `vigie extract URL`)"

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
	now := r.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	log := r.logger().With("source", src.ID, "kind", src.Kind, "location", src.Location)
	run := r.Pipeline.NewRun(src)
	sum := Summary{Source: src.ID, Kind: src.Kind, Location: src.Location, Start: start}
	var prev Previous
	var err error
	if r.Ledger != nil {
		prev, err = r.Ledger.Begin(ctx, src, start)
		sum.Incremental = !r.Full && prev.Complete
	} else {
		sum.Incremental = !r.Full
	}
	var conn connectors.Connector
	if err == nil {
		conn, err = r.Registry.New(connectors.Env{
			Source:      src,
			Crawler:     r.Crawler,
			Client:      r.Client,
			Logger:      log,
			Now:         now,
			Incremental: sum.Incremental,
		})
	}
	if err == nil {
		err = conn.Collect(ctx, run)
	}
	if err != nil {
		sum.Err = err.Error()
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			sum.Err = "interrupted"
		}
	}
	if r.Ledger != nil && sum.Err == "" && ctx.Err() == nil {
		st := run.Stats()
		if run.Final() && st.PagesFailed == 0 {
			seen := run.Seen()
			if len(seen) == 0 && prev.Known > 0 {
				// An empty "complete" listing is a broken page far more
				// often than a source that lost every review.
				run.Warn("the source listed no reviews: none are marked deleted")
			} else if n, derr := r.Ledger.MarkDeleted(ctx, src, seen, now()); derr != nil {
				run.Error(derr)
			} else {
				sum.Deleted = n
			}
		}
	}
	deleted := sum.Deleted
	sum.Stats = run.Stats()
	sum.Deleted = deleted
	if sum.Err == "" && sum.Found == 0 && sum.PagesFailed == 0 && sum.Pages > 0 && prev.LastFound > 0 {
		msg := fmt.Sprintf(zeroWarning, prev.LastFound)
		sum.Warnings = append(sum.Warnings, msg)
	}
	sum.Complete = sum.OK() && (run.Final() || sum.Pages < src.PageLimit(r.Crawler))
	sum.Duration = now().Sub(start)
	if r.Ledger != nil {
		// The outcome is recorded even when ctx is done (a shutdown).
		if ferr := r.Ledger.Finish(context.WithoutCancel(ctx), src, sum); ferr != nil {
			sum.Errors = append(sum.Errors, ferr.Error())
			sum.Complete = false
		}
	}
	attrs := []any{"outcome", sum.Outcome(), "pages", sum.Pages, "pages_failed", sum.PagesFailed, "found", sum.Found, "new", sum.New,
		"updated", sum.Updated, "unchanged", sum.Unchanged, "deleted", sum.Deleted, "skipped", sum.Skipped,
		"shown", sum.Shown, "complete", sum.Complete, "incremental", sum.Incremental,
		"errors", len(sum.Errors), "warnings", len(sum.Warnings), "duration_ms", sum.Duration.Milliseconds()}
	switch {
	case sum.Err != "":
		log.Error("run", append(attrs, "err", sum.Err)...)
	case len(sum.Errors) > 0:
		log.Warn("run", append(attrs, "err", sum.Errors[0])...)
	case len(sum.Warnings) > 0:
		log.Info("run", append(attrs, "warning", sum.Warnings[0])...)
	default:
		log.Info("run", attrs...)
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
