// Package scheduler runs jobs (the collection of sources) on their cron
// schedules, the way `vigie serve` needs:
//
//   - schedules are robfig/cron expressions ("0 */6 * * *") and
//     descriptors ("@every 2h", "@hourly");
//   - each run is delayed by a random jitter (at most half the job's
//     interval), so that a thousand sources on "@hourly" do not all start
//     at the same second;
//   - a job never overlaps itself: a run that comes due while the previous
//     one is still going is skipped;
//   - at most Concurrency runs at a time overall, and PerHost per host;
//   - a failed run backs the job off: after n failures in a row the next
//     run waits at least interval x 2^(n-1), up to MaxBackoff; a success
//     resets it;
//   - Stop stops scheduling, lets the runs in progress finish for a grace
//     period, then cancels them.
//
// Time comes from a Clock, so that tests move it by hand.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is something to run on a schedule: the collection of one source.
type Job struct {
	ID string
	// Host groups jobs for the per-host limit; "" means no host limit.
	Host     string
	Schedule cron.Schedule
	// LastStart and LastEnd are when the job last ran (zero: never), and
	// Failures how many runs failed in a row, from the state store: a run
	// missed while the process was down happens soon after start, and a
	// failing job stays backed off across restarts.
	LastStart, LastEnd time.Time
	Failures           int
}

// RunInfo describes one run, for the run function.
type RunInfo struct {
	ID string
	// Scheduled is the schedule's time for the run; Fired when the
	// scheduler started it (Scheduled plus jitter, or later when slots
	// were busy). A triggered run has Scheduled equal to Fired.
	Scheduled, Fired time.Time
	// Triggered: run on demand, not on schedule.
	Triggered bool
	// Failures is the number of failed runs just before this one.
	Failures int
}

// RunFunc runs a job. It returns an error when the run failed (which
// backs the job off). ctx is cancelled when a stop's grace period ends.
type RunFunc func(ctx context.Context, run RunInfo) error

// Options configure a scheduler.
type Options struct {
	// Run runs a job (required).
	Run RunFunc
	// Clock defaults to the real one.
	Clock Clock
	// Rand draws the jitter; it defaults to a random seed.
	Rand *rand.Rand
	// Jitter is the longest random delay added to a scheduled run; it is
	// capped at half the job's interval.
	Jitter time.Duration
	// MaxBackoff caps the back-off of a failing job (default 6h).
	MaxBackoff time.Duration
	// Concurrency bounds the runs in progress (default 4); PerHost the
	// runs in progress per host (default 2).
	Concurrency, PerHost int
	Logger               *slog.Logger
	// OnSkip is called when a run is skipped because the previous run of
	// the job is still going.
	OnSkip func(id string)
}

// Scheduler runs jobs on their schedules. It is safe for concurrent use.
type Scheduler struct {
	opts  Options
	clock Clock
	log   *slog.Logger

	mu       sync.Mutex
	entries  map[string]*entry
	order    []*entry
	rnd      *rand.Rand
	hosts    map[string]chan struct{}
	queued   int
	active   int
	started  bool
	stopped  bool
	wake     chan struct{}
	stopping chan struct{}
	loopDone chan struct{}

	global     chan struct{}
	runs       sync.WaitGroup
	runCtx     context.Context
	cancelRuns context.CancelFunc
}

type entry struct {
	job      Job
	interval time.Duration
	nominal  time.Time // the schedule's time of the next run
	fire     time.Time // when the next run starts (nominal + jitter)
	trigger  bool      // the next fire is a triggered run

	busy, running bool
	failures      int
	lastStart     time.Time
	lastEnd       time.Time
	runs, skipped int
}

// New returns a scheduler for jobs; it does nothing until Start.
func New(opts Options, jobs []Job) (*Scheduler, error) {
	if opts.Run == nil {
		return nil, errors.New("scheduler: no run function")
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Rand == nil {
		opts.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 6 * time.Hour
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.PerHost <= 0 {
		opts.PerHost = 2
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{
		opts:     opts,
		clock:    opts.Clock,
		log:      opts.Logger,
		entries:  map[string]*entry{},
		rnd:      opts.Rand,
		hosts:    map[string]chan struct{}{},
		wake:     make(chan struct{}, 1),
		stopping: make(chan struct{}),
		loopDone: make(chan struct{}),
		global:   make(chan struct{}, opts.Concurrency),
	}
	s.runCtx, s.cancelRuns = context.WithCancel(context.Background())
	now := s.clock.Now()
	for _, j := range jobs {
		if j.Schedule == nil {
			return nil, fmt.Errorf("scheduler: job %s has no schedule", j.ID)
		}
		if _, dup := s.entries[j.ID]; dup {
			return nil, fmt.Errorf("scheduler: job %s is listed twice", j.ID)
		}
		e := &entry{job: j, failures: j.Failures, lastStart: j.LastStart, lastEnd: j.LastEnd}
		e.interval = Interval(j.Schedule, now)
		switch {
		case j.LastStart.IsZero():
			e.nominal = now // never ran: soon
		default:
			e.nominal = j.Schedule.Next(j.LastStart)
			if e.nominal.Before(now) {
				e.nominal = now // missed while down: soon
			}
		}
		if j.Failures > 0 && !j.LastEnd.IsZero() {
			if earliest := j.LastEnd.Add(s.backoff(e)); e.nominal.Before(earliest) {
				e.nominal = s.align(e, earliest)
			}
		}
		e.fire = e.nominal.Add(s.jitter(e))
		s.entries[j.ID] = e
		s.order = append(s.order, e)
	}
	return s, nil
}

// Interval is the time between two runs of sched around t.
func Interval(sched cron.Schedule, t time.Time) time.Duration {
	if c, ok := sched.(cron.ConstantDelaySchedule); ok {
		return c.Delay
	}
	a := sched.Next(t)
	return sched.Next(a).Sub(a)
}

// jitter draws a job's random delay. Called with mu held.
func (s *Scheduler) jitter(e *entry) time.Duration {
	j := min(s.opts.Jitter, e.interval/2)
	if j <= 0 {
		return 0
	}
	return time.Duration(s.rnd.Int64N(int64(j)))
}

// backoff is how long a job that failed e.failures times in a row waits
// at least before its next run.
func (s *Scheduler) backoff(e *entry) time.Duration {
	if e.failures <= 0 {
		return 0
	}
	b := max(e.interval, time.Second)
	for i := 1; i < e.failures && b < s.opts.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, s.opts.MaxBackoff)
}

// align returns the first time of e's schedule at or after t (t itself
// for "@every" schedules, which have no fixed times).
func (s *Scheduler) align(e *entry, t time.Time) time.Time {
	if _, ok := e.job.Schedule.(cron.ConstantDelaySchedule); ok {
		return t
	}
	return e.job.Schedule.Next(t.Add(-time.Second))
}

// Start starts scheduling.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return
	}
	s.started = true
	go s.loop()
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Scheduler) loop() {
	defer close(s.loopDone)
	for {
		s.mu.Lock()
		now := s.clock.Now()
		var next time.Time
		for _, e := range s.order {
			if !e.fire.After(now) {
				s.fireLocked(e, now)
			}
			if next.IsZero() || e.fire.Before(next) {
				next = e.fire
			}
		}
		s.mu.Unlock()
		var timer Timer
		var tc <-chan time.Time
		if !next.IsZero() {
			timer = s.clock.Timer(next)
			tc = timer.C()
		}
		select {
		case <-tc:
		case <-s.wake:
		case <-s.stopping:
			if timer != nil {
				timer.Stop()
			}
			return
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// fireLocked starts a run of e if it is not running, and schedules the
// next. Called with mu held.
func (s *Scheduler) fireLocked(e *entry, now time.Time) {
	scheduled, triggered := e.nominal, e.trigger
	e.trigger = false
	if triggered {
		scheduled = now
	}
	if !triggered || !e.nominal.After(now) {
		// The next time on the schedule; runs missed (the process was
		// suspended, or the runs were late) are not made up one by one.
		n := e.job.Schedule.Next(e.nominal)
		if !n.After(now) {
			n = e.job.Schedule.Next(now)
		}
		e.nominal = n
	}
	e.fire = e.nominal.Add(s.jitter(e))
	if e.busy {
		e.skipped++
		s.log.Info("run skipped: the previous run is still going", "source", e.job.ID)
		if s.opts.OnSkip != nil {
			s.opts.OnSkip(e.job.ID)
		}
		return
	}
	e.busy = true
	s.queued++
	s.runs.Add(1)
	go s.dispatch(e, RunInfo{ID: e.job.ID, Scheduled: scheduled, Fired: now, Triggered: triggered, Failures: e.failures})
}

func (s *Scheduler) hostSlots(host string) chan struct{} {
	if host == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.hosts[host]
	if !ok {
		ch = make(chan struct{}, s.opts.PerHost)
		s.hosts[host] = ch
	}
	return ch
}

func (s *Scheduler) dispatch(e *entry, info RunInfo) {
	defer s.runs.Done()
	abandon := func() {
		s.mu.Lock()
		s.queued--
		e.busy = false
		s.mu.Unlock()
	}
	// The host's slot first: a job waiting for a global slot then holds
	// back only jobs of its own host.
	hs := s.hostSlots(e.job.Host)
	if hs != nil {
		select {
		case hs <- struct{}{}:
		case <-s.stopping:
			abandon()
			return
		}
	}
	select {
	case s.global <- struct{}{}:
	case <-s.stopping:
		if hs != nil {
			<-hs
		}
		abandon()
		return
	}
	s.mu.Lock()
	s.queued--
	s.active++
	e.running = true
	e.lastStart = s.clock.Now()
	s.mu.Unlock()

	err := s.run(info)

	<-s.global
	if hs != nil {
		<-hs
	}
	s.mu.Lock()
	s.active--
	e.busy, e.running = false, false
	e.runs++
	now := s.clock.Now()
	e.lastEnd = now
	switch {
	case err == nil:
		e.failures = 0
	case s.runCtx.Err() != nil:
		// Cut short by a stop: not the job's failure.
	default:
		e.failures++
		if earliest := now.Add(s.backoff(e)); e.fire.Before(earliest) {
			e.nominal = s.align(e, earliest)
			e.fire = e.nominal.Add(s.jitter(e))
		}
	}
	s.mu.Unlock()
	s.poke()
}

// run calls the run function, turning a panic into an error so that one
// bad source cannot take the service down.
func (s *Scheduler) run(info RunInfo) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
			s.log.Error("run panicked", "source", info.ID, "panic", p)
		}
	}()
	return s.opts.Run(s.runCtx, info)
}

// Trigger runs the jobs ids now (a run in progress is not doubled). It
// reports the ids it does not know.
func (s *Scheduler) Trigger(ids ...string) error {
	s.mu.Lock()
	var unknown []string
	now := s.clock.Now()
	for _, id := range ids {
		e, ok := s.entries[id]
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		e.fire, e.trigger = now, true
	}
	s.mu.Unlock()
	s.poke()
	if len(unknown) > 0 {
		return fmt.Errorf("scheduler: unknown jobs %v", unknown)
	}
	return nil
}

// Stop stops scheduling and waits for the runs in progress to finish, for
// grace at most; then it cancels them and waits for them to return. It
// reports whether every run finished within the grace period. Runs
// waiting for a slot are dropped.
func (s *Scheduler) Stop(grace time.Duration) bool {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return true
	}
	s.stopped = true
	started := s.started
	s.mu.Unlock()
	close(s.stopping)
	if started {
		<-s.loopDone
	}
	done := make(chan struct{})
	go func() {
		s.runs.Wait()
		close(done)
	}()
	t := s.clock.Timer(s.clock.Now().Add(grace))
	defer t.Stop()
	select {
	case <-done:
		s.cancelRuns()
		return true
	case <-t.C():
	}
	s.log.Warn("grace period over: cancelling the runs still going", "grace", grace.String())
	s.cancelRuns()
	<-done
	return false
}

// Status is the state of one job.
type Status struct {
	ID   string    `json:"id"`
	Host string    `json:"host,omitempty"`
	Next time.Time `json:"next"`
	// Running: a run is in progress; Queued: a run waits for a slot.
	Running bool `json:"running"`
	Queued  bool `json:"queued"`
	// Failures counts the failed runs in a row; BackedOff says the next
	// run was delayed for it.
	Failures  int       `json:"failures"`
	LastStart time.Time `json:"last_start,omitzero"`
	LastEnd   time.Time `json:"last_end,omitzero"`
	Runs      int       `json:"runs"`
	Skipped   int       `json:"skipped"`
	Interval  string    `json:"interval"`
}

// Status returns the state of every job, by id.
func (s *Scheduler) Status() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.order))
	for _, e := range s.order {
		out = append(out, s.statusLocked(e))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// JobStatus returns the state of job id.
func (s *Scheduler) JobStatus(id string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[id]
	if !ok {
		return Status{}, false
	}
	return s.statusLocked(e), true
}

func (s *Scheduler) statusLocked(e *entry) Status {
	return Status{
		ID: e.job.ID, Host: e.job.Host, Next: e.fire,
		Running: e.running, Queued: e.busy && !e.running,
		Failures: e.failures, LastStart: e.lastStart, LastEnd: e.lastEnd,
		Runs: e.runs, Skipped: e.skipped, Interval: e.interval.String(),
	}
}

// QueueDepth is the number of runs due and waiting for a slot.
func (s *Scheduler) QueueDepth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued
}

// Active is the number of runs in progress.
func (s *Scheduler) Active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}
