// Package service assembles Vigie's long-running parts around one data
// folder: the state store, the raw archive, the index (swappable after a
// rebuild), the durable ingestion path, the runner of sources, the
// scheduler, the HTTP server with /healthz and /metrics, and the metrics.
//
// Data folder layout:
//
//	data/state.db                     state store (bbolt), held by one process
//	data/state.db.owner               pid and command of that process
//	data/archive/seg-*.jsonl.gz       raw archive: every review version as collected
//	data/index/                       the search index (bleve)
//	data/index-20260102T030405.000Z/  an index rebuilt by `vigie reindex`
//	data/index.current                names the current index folder, once rebuilt
//	data/reindex.lock                 held by a running `vigie reindex`
//
// `vigie crawl`, `vigie serve` and `vigie demo` all open a Service: only
// one of them at a time per data folder.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
	"github.com/vigie-dev/vigie/internal/collect"
	"github.com/vigie-dev/vigie/internal/ingest"
	"github.com/vigie-dev/vigie/internal/metrics"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/scheduler"
	"github.com/vigie-dev/vigie/internal/server"
	"github.com/vigie-dev/vigie/internal/store"
)

// Paths in the data folder.

// StatePath is the state store's file.
func StatePath(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "state.db") }

// ArchiveDir is the raw archive's folder.
func ArchiveDir(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "archive") }

// ReindexLockPath is the lock held by `vigie reindex`.
func ReindexLockPath(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "reindex.lock") }

// Options tune Open.
type Options struct {
	Registry *connectors.Registry
	Logger   *slog.Logger
	// Pipeline holds the language detector and the enrichers; Open sets
	// its Journal. Nil: no language detection, no enrichment.
	Pipeline *pipeline.Pipeline
	// Command names the process in the state store's owner file ("vigie
	// serve"), so that another process can say who holds the data.
	Command string
	// Version is reported by /metrics.
	Version string
	// Clock drives the scheduler (tests use scheduler.FakeClock).
	Clock scheduler.Clock
	// IndexPoll is how often a serving process looks for a rebuilt index
	// (default 2s).
	IndexPoll time.Duration
	// Err, when set, is returned by Open: the caller could not build
	// what it passes (an enrichment model that does not load).
	Err error
}

// Service is an open data folder with everything that works on it.
type Service struct {
	Config   *config.Config
	Log      *slog.Logger
	State    *store.Store
	Archive  *archive.Archive
	Index    *index.Holder
	Journal  *ingest.Journal
	Pipeline *pipeline.Pipeline
	Runner   *collect.Runner
	Metrics  *metrics.Registry
	// Server is the HTTP server, created but not started: mount handlers
	// on it before Serve.
	Server *server.Server

	opts    Options
	sources map[string]config.Source
	m       *instruments
	started time.Time

	mu        sync.Mutex
	sched     *scheduler.Scheduler
	stopping  bool
	onRun     []func(config.Source, collect.Summary)
	onBatch   []func(ingest.Event)
	waiters   map[string][]chan collect.Summary
	closeOnce sync.Once
	closeErr  error
	watchDone chan struct{}
	stopWatch chan struct{}
}

// Open opens the data folder of cfg: it takes the state store (failing
// with a *store.LockedError if another process holds it), opens the
// archive and the current index, and brings the index and the state up to
// date with the archive (what a crash left archived but not indexed is
// indexed now).
func Open(ctx context.Context, cfg *config.Config, opts Options) (*Service, error) {
	if opts.Err != nil {
		return nil, opts.Err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Registry == nil {
		opts.Registry = connectors.Default
	}
	if opts.Command == "" {
		opts.Command = "vigie"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	s := &Service{Config: cfg, Log: log, opts: opts, sources: map[string]config.Source{}, waiters: map[string][]chan collect.Summary{}, started: time.Now(), stopWatch: make(chan struct{})}
	for _, src := range cfg.Sources() {
		s.sources[src.ID] = src
	}
	var err error
	if s.State, err = store.Open(StatePath(cfg), store.Options{Command: opts.Command}); err != nil {
		return nil, err
	}
	fail := func(err error) (*Service, error) {
		s.Close()
		return nil, err
	}
	if s.Archive, err = archive.Open(ArchiveDir(cfg), archive.Options{}); err != nil {
		return fail(err)
	}
	s.removeStaleIndexes()
	x, err := index.Open(index.CurrentDir(cfg.DataDir))
	if err != nil {
		return fail(err)
	}
	s.Index = index.NewHolder(x)

	p := opts.Pipeline
	if p == nil {
		p = &pipeline.Pipeline{}
	}
	if p.Logger == nil {
		p.Logger = log
	}
	s.Pipeline = p
	s.Journal = &ingest.Journal{
		Archive:  s.Archive,
		State:    s.State,
		Index:    s.Index,
		Applier:  &ingest.Applier{Enrich: p.Enrich},
		Log:      log,
		OnCommit: s.committed,
	}
	p.Journal = s.Journal
	p.Store = s.Index

	rs, err := s.Journal.Recover(ctx)
	if err != nil {
		return fail(err)
	}
	switch {
	case rs.Migrated > 0:
		log.Info("copied the index into the archive (first start with an archive)", "reviews", rs.Migrated, "archive_seq", rs.Last)
	case rs.Indexed > 0 || rs.Known > 0:
		log.Warn("recovered reviews archived but not yet indexed (the last run was cut short)", "indexed", rs.Indexed, "state", rs.Known, "archive_seq", rs.Last)
	}
	if err := s.markInterrupted(); err != nil {
		return fail(err)
	}

	s.Runner = &collect.Runner{
		Registry: opts.Registry,
		Client:   collect.NewClient(cfg.Crawler, log),
		Pipeline: p,
		Crawler:  cfg.Crawler,
		Logger:   log,
		Ledger:   ledger{s},
	}
	s.Metrics = metrics.NewRegistry()
	s.m = s.newInstruments()
	s.Server = server.New(cfg.Server, log)
	s.Server.Handle("GET /healthz", handlerFunc(s.healthz))
	s.Server.Handle("GET /healthz/sources", handlerFunc(s.healthSources))
	s.Server.Handle("GET /metrics", s.Metrics.Handler())
	return s, nil
}

// markInterrupted records the runs a crash cut short.
func (s *Service) markInterrupted() error {
	states, err := s.State.Sources()
	if err != nil {
		return err
	}
	for _, st := range states {
		if !st.Running() {
			continue
		}
		s.Log.Warn("run interrupted: the process stopped during it", "source", st.ID, "start", st.LastStart)
		_, err := s.State.UpdateSource(st.ID, func(st *store.SourceState) error {
			st.Outcome = "interrupted"
			st.Error = "interrupted: the process stopped during the run"
			st.Complete = false
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// removeStaleIndexes removes index folders other than the current one:
// left by a rebuild that was interrupted, or by a swap that did not finish
// its cleanup. Nothing is removed while a `vigie reindex` runs.
func (s *Service) removeStaleIndexes() {
	lock, err := store.Lock(ReindexLockPath(s.Config), 10*time.Millisecond)
	if err != nil {
		return
	}
	defer lock.Unlock()
	cur, err := index.Current(s.Config.DataDir)
	if err != nil {
		return
	}
	names, _ := index.Versions(s.Config.DataDir)
	for _, n := range names {
		if n == cur {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.Config.DataDir, n)); err == nil {
			s.Log.Info("removed an index folder no longer used", "dir", n)
		}
	}
}

// Sources returns the configured sources by id.
func (s *Service) Sources() map[string]config.Source { return s.sources }

// OnRun registers fn to be called after each run of a source (alert
// evaluation, dashboards). Register before Serve; fn must be quick or
// hand work off.
func (s *Service) OnRun(fn func(config.Source, collect.Summary)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onRun = append(s.onRun, fn)
}

// OnBatch registers fn to be called after each batch is committed to the
// archive, the index and the state (new and changed reviews, deletions).
// It runs in the run's goroutine, after the batch is acknowledged; fn must
// be quick or hand work off.
func (s *Service) OnBatch(fn func(ingest.Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onBatch = append(s.onBatch, fn)
}

func (s *Service) committed(ev ingest.Event) {
	s.m.batches.With().Inc()
	s.mu.Lock()
	hooks := s.onBatch
	s.mu.Unlock()
	for _, fn := range hooks {
		fn(ev)
	}
}

// RunSource collects one source once, records its metrics and calls the
// run hooks.
func (s *Service) RunSource(ctx context.Context, src config.Source) collect.Summary {
	s.m.running.With(src.Kind).Add(1)
	sum := s.Runner.RunSource(ctx, src)
	s.m.running.With(src.Kind).Add(-1)
	s.observe(src, sum)
	return sum
}

// RunAll collects the given sources once each, crawler.concurrency at a
// time (`vigie crawl`).
func (s *Service) RunAll(ctx context.Context, sources []config.Source) []collect.Summary {
	out := make([]collect.Summary, len(sources))
	sem := make(chan struct{}, max(s.Config.Crawler.Concurrency, 1))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = collect.Summary{Source: src.ID, Kind: src.Kind, Location: src.Location, Err: "interrupted"}
				return
			}
			defer func() { <-sem }()
			out[i] = s.RunSource(ctx, src)
		}()
	}
	wg.Wait()
	return out
}

// failed reports whether a run counts as a failure for back-off: it
// stopped early, or every page failed. A shutdown is not a failure.
func failed(sum collect.Summary) bool {
	if sum.Err == "interrupted" {
		return false
	}
	return sum.Err != "" || (sum.Pages > 0 && sum.PagesFailed == sum.Pages)
}

func (s *Service) observe(src config.Source, sum collect.Summary) {
	s.m.observe(src, sum)
	s.mu.Lock()
	hooks := s.onRun
	waiters := s.waiters[src.ID]
	delete(s.waiters, src.ID)
	s.mu.Unlock()
	for _, fn := range hooks {
		fn(src, sum)
	}
	for _, w := range waiters {
		w <- sum
	}
}

// sourceHost is the host a source collects from, for the per-host limit:
// the host of its url, first of its urls, or endpoint parameter, else its
// kind (API connectors share one host per kind).
func sourceHost(src config.Source) string {
	v := reflect.ValueOf(src.Params)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "kind:" + src.Kind
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		for _, name := range []string{"URL", "URLs", "Endpoint", "BaseURL", "FeedURL"} {
			f := v.FieldByName(name)
			var raw string
			switch {
			case !f.IsValid():
				continue
			case f.Kind() == reflect.String:
				raw = f.String()
			case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String && f.Len() > 0:
				raw = f.Index(0).String()
			}
			if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.Host != "" {
				return strings.ToLower(strings.TrimPrefix(u.Hostname(), "www."))
			}
		}
	}
	return "kind:" + src.Kind
}

// Close closes the index, the archive and the state store, in that order.
// Everything acknowledged is already on disk.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.Journal != nil {
			// What is committed but not yet indexed is in the archive
			// anyway; writing it now spares the next start the replay.
			if err := s.Journal.Flush(); err != nil {
				s.Log.Warn("some reviews are archived but not indexed; the next start indexes them", "err", err)
			}
		}
		if s.Index != nil {
			errs = append(errs, s.Index.Close())
		}
		if s.Archive != nil {
			errs = append(errs, s.Archive.Close())
		}
		if s.State != nil {
			errs = append(errs, s.State.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
