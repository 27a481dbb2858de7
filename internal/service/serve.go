package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/collect"
	"github.com/vigie-dev/vigie/internal/scheduler"
	"github.com/vigie-dev/vigie/internal/store"
)

// StartScheduler starts running the enabled sources on their schedules.
func (s *Service) StartScheduler() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sched != nil {
		return nil
	}
	states, err := s.State.Sources()
	if err != nil {
		return err
	}
	byID := map[string]store.SourceState{}
	for _, st := range states {
		byID[st.ID] = st
	}
	var jobs []scheduler.Job
	for _, src := range s.Config.Sources() {
		if !src.IsEnabled() {
			continue
		}
		sched, err := config.Cron.Parse(src.Schedule)
		if err != nil {
			return fmt.Errorf("source %s: schedule %q: %w", src.ID, src.Schedule, err)
		}
		st := byID[src.ID]
		job := scheduler.Job{
			ID: src.ID, Host: sourceHost(src), Schedule: sched,
			LastStart: st.LastStart, LastEnd: st.LastEnd, Failures: st.Failures,
		}
		if st.Outcome == "interrupted" || st.Running() {
			// Cut short by a stop or a crash: run again soon.
			job.LastStart = time.Time{}
		}
		jobs = append(jobs, job)
	}
	sc := s.Config.Scheduler
	s.sched, err = scheduler.New(scheduler.Options{
		Run:         s.runJob,
		Clock:       s.opts.Clock,
		Jitter:      sc.Jitter.D(),
		MaxBackoff:  sc.MaxBackoff.D(),
		Concurrency: s.Config.Crawler.Concurrency,
		PerHost:     sc.PerHost,
		Logger:      s.Log,
		OnSkip: func(id string) {
			s.m.skipped.With(s.sources[id].Kind).Inc()
		},
	}, jobs)
	if err != nil {
		return err
	}
	s.sched.Start()
	s.Log.Info("scheduler started", "sources", len(jobs), "concurrency", s.Config.Crawler.Concurrency, "per_host", sc.PerHost, "jitter", sc.Jitter.D().String())
	return nil
}

func (s *Service) scheduler() *scheduler.Scheduler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sched
}

func (s *Service) runJob(ctx context.Context, info scheduler.RunInfo) error {
	src, ok := s.sources[info.ID]
	if !ok {
		return fmt.Errorf("unknown source %s", info.ID)
	}
	sum := s.RunSource(ctx, src)
	if failed(sum) {
		msg := sum.Err
		if msg == "" && len(sum.Errors) > 0 {
			msg = sum.Errors[0]
		}
		return errors.New(msg)
	}
	return nil
}

// RunNow runs the sources ids now, through the scheduler (a source already
// running is not run twice: its current run is waited for), and returns
// their summaries in the order given.
func (s *Service) RunNow(ctx context.Context, ids []string) ([]collect.Summary, error) {
	if err := s.StartScheduler(); err != nil {
		return nil, err
	}
	chans := make([]chan collect.Summary, len(ids))
	s.mu.Lock()
	for i, id := range ids {
		chans[i] = make(chan collect.Summary, 1)
		s.waiters[id] = append(s.waiters[id], chans[i])
	}
	s.mu.Unlock()
	if err := s.scheduler().Trigger(ids...); err != nil {
		return nil, err
	}
	out := make([]collect.Summary, len(ids))
	for i, ch := range chans {
		select {
		case out[i] = <-ch:
		case <-ctx.Done():
			// The runs see the same cancellation through the scheduler's
			// stop; report what is known.
			src := s.sources[ids[i]]
			out[i] = collect.Summary{Source: src.ID, Kind: src.Kind, Location: src.Location, Err: "interrupted"}
		}
	}
	// Whoever asked wants to see the result: wait until it is searchable.
	if err := s.Journal.Flush(); err != nil {
		s.Log.Warn("some reviews are archived but not indexed yet", "err", err)
	}
	return out, ctx.Err()
}

// Serve runs the service until ctx is done: the scheduler, the HTTP server
// (unless noServer), and the watch for a rebuilt index. Then it shuts
// down gracefully: scheduling stops, the runs in progress get the grace
// period (scheduler.grace) to finish their batches, the server drains, and
// the index, archive and state store are closed.
func (s *Service) Serve(ctx context.Context, noServer bool) error {
	if err := s.StartScheduler(); err != nil {
		return err
	}
	if !noServer {
		if err := s.Server.Start(); err != nil {
			s.Shutdown()
			return err
		}
	}
	s.watchIndex(ctx)
	go func() {
		// Prepare the aggregation columns while nobody waits for them.
		if err := s.Index.Use(warm); err != nil {
			s.Log.Warn("warming the index", "err", err)
		}
	}()
	<-ctx.Done()
	return s.Shutdown()
}

// warm prepares what the index's first queries would otherwise compute
// (the dashboard's aggregation columns), when the index can.
func warm(x *index.Index) error {
	if w, ok := any(x).(interface{ Warm() error }); ok {
		return w.Warm()
	}
	return nil
}

// Shutdown stops the scheduler (letting runs finish within the grace
// period), the HTTP server and the index watch, and closes the data.
func (s *Service) Shutdown() error {
	s.mu.Lock()
	if !s.stopping {
		s.stopping = true
		close(s.stopWatch)
	}
	sched, watch := s.sched, s.watchDone
	s.mu.Unlock()
	grace := s.Config.Scheduler.Grace.D()
	if sched != nil {
		s.Log.Info("stopping: no new runs; waiting for the runs in progress", "grace", grace.String(), "running", sched.Active())
		if !sched.Stop(grace) {
			s.Log.Warn("runs cancelled at the end of the grace period: their sources run in full next time")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.Server.Shutdown(ctx)
	if watch != nil {
		<-watch
	}
	if cerr := s.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err == nil {
		s.Log.Info("stopped cleanly")
	}
	return err
}

// watchIndex swaps in an index rebuilt by `vigie reindex` when the
// pointer file names it.
func (s *Service) watchIndex(ctx context.Context) {
	poll := s.opts.IndexPoll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.watchDone = done
	s.mu.Unlock()
	go func() {
		defer close(done)
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.stopWatch:
				return
			case <-t.C:
			}
			if err := s.SwapIfRebuilt(ctx); err != nil {
				s.Log.Error("switching to the rebuilt index failed; still serving the previous one", "err", err)
			}
		}
	}()
}

// SwapIfRebuilt switches to the index named by the pointer file when it
// is not the one in use: what was archived during the rebuild is applied
// to it first, then searches and ingestion move to it, and the previous
// index is closed and removed.
func (s *Service) SwapIfRebuilt(ctx context.Context) error {
	name, err := index.Current(s.Config.DataDir)
	if err != nil {
		return err
	}
	cur := s.Index.Path()
	if cur == "" || filepath.Base(cur) == name {
		return nil
	}
	dir := filepath.Join(s.Config.DataDir, name)
	x, err := index.Open(dir)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := warm(x); err != nil {
		x.Close()
		return err
	}
	old, err := s.Journal.SwapIndex(ctx, x)
	if err != nil {
		x.Close()
		return err
	}
	n, _ := x.Count()
	if old != nil {
		if err := old.Close(); err != nil {
			s.Log.Warn("closing the previous index", "err", err)
		}
		if err := os.RemoveAll(old.Path()); err != nil {
			s.Log.Warn("removing the previous index", "dir", old.Path(), "err", err)
		}
	}
	s.m.swaps.With().Inc()
	s.Log.Info("now serving the rebuilt index", "dir", name, "reviews", n, "switch_ms", time.Since(start).Milliseconds())
	return nil
}

// SourceHealth is a source's health, for `vigie sources` and
// /healthz/sources.
type SourceHealth struct {
	store.SourceState
	Schedule string `json:"schedule"`
	Enabled  bool   `json:"enabled"`
	// Status sums up: ok, warning (the last run had errors or warnings),
	// failing, running, never (not run yet) or disabled.
	Status string `json:"status"`
	// NextRun is when the next run is due (with jitter, when the serving
	// process says; else from the schedule).
	NextRun time.Time `json:"next_run,omitzero"`
	// Scheduled says NextRun comes from a running scheduler.
	Scheduled bool `json:"scheduled"`
	Queued    bool `json:"queued,omitempty"`
}

// Health returns the health of every configured source, from the stored
// states and, when given, the running scheduler.
func Health(cfg *config.Config, states []store.SourceState, sched *scheduler.Scheduler, now time.Time) []SourceHealth {
	byID := map[string]store.SourceState{}
	for _, st := range states {
		byID[st.ID] = st
	}
	var out []SourceHealth
	for _, src := range cfg.Sources() {
		st, ok := byID[src.ID]
		if !ok {
			st = store.SourceState{ID: src.ID}
		}
		st.Kind, st.Location = src.Kind, src.Location
		h := SourceHealth{SourceState: st, Schedule: src.Schedule, Enabled: src.IsEnabled()}
		running := false
		if sched != nil {
			if js, ok := sched.JobStatus(src.ID); ok {
				h.NextRun, h.Scheduled, h.Queued, running = js.Next, true, js.Queued, js.Running
			}
		}
		if !h.Scheduled && h.Enabled {
			if s, err := config.Cron.Parse(src.Schedule); err == nil {
				from := now
				if !st.LastStart.IsZero() {
					if n := s.Next(st.LastStart); n.After(now) {
						from = st.LastStart
					}
				}
				h.NextRun = s.Next(from)
			}
		}
		switch {
		case !h.Enabled:
			h.Status = "disabled"
		case running:
			h.Status = "running"
		case st.Runs == 0 && st.LastStart.IsZero():
			h.Status = "never"
		case st.Outcome == "failed" || st.Failures > 0 || (st.Outcome == "interrupted" && st.LastSuccess.IsZero()):
			h.Status = "failing"
		case st.Outcome == "errors" || len(st.Warnings) > 0 || st.Outcome == "interrupted":
			h.Status = "warning"
		default:
			h.Status = "ok"
		}
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Health returns the health of every source, as the running service sees
// it.
func (s *Service) Health() ([]SourceHealth, error) {
	states, err := s.State.Sources()
	if err != nil {
		return nil, err
	}
	return Health(s.Config, states, s.scheduler(), time.Now()), nil
}

// HealthSummary is the body of /healthz.
type HealthSummary struct {
	Status  string `json:"status"` // ok, or stopping
	Sources int    `json:"sources"`
	// Failing counts sources whose last run failed (stopped early, or no
	// page could be read).
	Failing        int     `json:"failing"`
	Running        int     `json:"running"`
	Queued         int     `json:"queued"`
	IndexDocuments uint64  `json:"index_documents"`
	ArchiveSeq     uint64  `json:"archive_seq"`
	UptimeSeconds  float64 `json:"uptime_seconds"`
}

func handlerFunc(fn func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return http.HandlerFunc(fn)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (s *Service) healthz(w http.ResponseWriter, r *http.Request) {
	sum := HealthSummary{Status: "ok", UptimeSeconds: time.Since(s.started).Round(time.Second).Seconds()}
	s.mu.Lock()
	stopping, sched := s.stopping, s.sched
	s.mu.Unlock()
	if sched != nil {
		sum.Running, sum.Queued = sched.Active(), sched.QueueDepth()
	}
	for _, src := range s.sources {
		if src.IsEnabled() {
			sum.Sources++
		}
	}
	if states, err := s.State.Sources(); err == nil {
		for _, st := range states {
			if _, ok := s.sources[st.ID]; ok && (st.Outcome == "failed" || st.Failures > 0) {
				sum.Failing++
			}
		}
	}
	sum.IndexDocuments, _ = s.Index.Count()
	sum.ArchiveSeq = s.Archive.Last()
	status := http.StatusOK
	if stopping {
		sum.Status, status = "stopping", http.StatusServiceUnavailable
	}
	writeJSON(w, status, sum)
}

func (s *Service) healthSources(w http.ResponseWriter, r *http.Request) {
	h, err := s.Health()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// Scheduler returns the running scheduler (nil before StartScheduler), for
// the API ("run now": Trigger).
func (s *Service) Scheduler() *scheduler.Scheduler { return s.scheduler() }
