package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func parse(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	s, err := p.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recorder collects the runs a scheduler starts.
type recorder struct {
	mu   sync.Mutex
	runs []RunInfo
}

func (r *recorder) add(info RunInfo) {
	r.mu.Lock()
	r.runs = append(r.runs, info)
	r.mu.Unlock()
}

func (r *recorder) list() []RunInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]RunInfo(nil), r.runs...)
}

// settle waits until no run is queued or running and the scheduler's loop
// is waiting on its timer again, for a few polls in a row.
func settle(t *testing.T, s *Scheduler, c *FakeClock) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for stable := 0; stable < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("the scheduler did not settle: %d queued, %d running, %d timers", s.QueueDepth(), s.Active(), c.Pending())
		}
		if s.QueueDepth() == 0 && s.Active() == 0 && c.Pending() >= 1 {
			stable++
		} else {
			stable = 0
		}
		time.Sleep(time.Millisecond)
	}
}

// step moves the fake clock to the next timer's deadline and lets the
// runs it starts finish.
func step(t *testing.T, s *Scheduler, c *FakeClock) time.Time {
	t.Helper()
	settle(t, s, c)
	next, ok := c.Next()
	if !ok {
		t.Fatal("no timer")
	}
	c.Set(next)
	settle(t, s, c)
	return next
}

func TestJitterWithinBounds(t *testing.T) {
	c := NewFakeClock(t0)
	rec := &recorder{}
	const jitter = 10 * time.Minute
	var jobs []Job
	for i := range 60 {
		spec := "@hourly"
		if i%2 == 1 {
			spec = "@every 30m"
		}
		// Every job ran just before t0: the next runs are on schedule.
		jobs = append(jobs, Job{ID: fmt.Sprintf("s%03d", i), Schedule: parse(t, spec), LastStart: t0.Add(-time.Second)})
	}
	s, err := New(Options{
		Clock: c, Rand: rand.New(rand.NewPCG(1, 2)), Jitter: jitter,
		Run: func(ctx context.Context, info RunInfo) error { rec.add(info); return nil },
	}, jobs)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop(time.Second)
	for c.Now().Before(t0.Add(3*time.Hour + jitter)) {
		step(t, s, c)
	}
	runs := rec.list()
	perJob := map[string]int{}
	seconds := map[int64]int{}
	for _, r := range runs {
		if r.Scheduled.Before(t0.Add(3 * time.Hour)) {
			perJob[r.ID]++
		}
		seconds[r.Fired.Unix()]++
		if r.Fired.Before(r.Scheduled) || r.Fired.Sub(r.Scheduled) >= jitter {
			t.Errorf("%s: scheduled %s, fired %s: outside [0, %s)", r.ID, r.Scheduled.Format(time.TimeOnly), r.Fired.Format(time.TimeOnly), jitter)
		}
	}
	// Scheduled in the three hours: @hourly at 10:00, 11:00 and 12:00;
	// @every 30m from 09:59:59, six times.
	for _, j := range jobs {
		want := 3
		if j.ID[len(j.ID)-1]%2 == 1 {
			want = 6
		}
		if got := perJob[j.ID]; got != want {
			t.Errorf("%s ran %d times in 3h, want about %d", j.ID, got, want)
		}
	}
	// The jitter spreads the runs: no second gets more than a few of the
	// 30 jobs due at the same time.
	for sec, n := range seconds {
		if n > 4 {
			t.Errorf("%d runs started in the same second %s", n, time.Unix(sec, 0).UTC())
		}
	}
	// And hourly runs land on the hour before jitter.
	for _, r := range runs {
		if r.ID[len(r.ID)-1]%2 == 0 && (r.Scheduled.Minute() != 0 || r.Scheduled.Second() != 0) {
			t.Errorf("%s: hourly run scheduled at %s", r.ID, r.Scheduled)
		}
	}
}

func TestJitterCappedAtHalfInterval(t *testing.T) {
	c := NewFakeClock(t0)
	rec := &recorder{}
	s, _ := New(Options{
		Clock: c, Jitter: time.Hour,
		Run: func(ctx context.Context, info RunInfo) error { rec.add(info); return nil },
	}, []Job{{ID: "a", Schedule: parse(t, "@every 1m"), LastStart: t0}})
	s.Start()
	defer s.Stop(time.Second)
	for range 20 {
		step(t, s, c)
	}
	for _, r := range rec.list() {
		if d := r.Fired.Sub(r.Scheduled); d < 0 || d >= 30*time.Second {
			t.Errorf("jitter %s for a 1m schedule, want < 30s", d)
		}
	}
}

func TestOverlappingRunsAreSkipped(t *testing.T) {
	c := NewFakeClock(t0)
	release := make(chan struct{})
	var started atomic.Int32
	var skipped atomic.Int32
	s, _ := New(Options{
		Clock:  c,
		OnSkip: func(string) { skipped.Add(1) },
		Run: func(ctx context.Context, info RunInfo) error {
			if started.Add(1) == 1 {
				<-release
			}
			return nil
		},
	}, []Job{{ID: "slow", Schedule: parse(t, "@every 1m")}})
	s.Start()
	defer s.Stop(time.Second)
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free() // before Stop, even when the test fails
	// The first run starts at once and hangs; three more come due.
	c.WaitForTimers(1, 5*time.Second)
	for deadline := time.Now().Add(5 * time.Second); started.Load() < 1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i <= 3; i++ {
		c.Set(t0.Add(time.Duration(i) * time.Minute))
		c.WaitForTimers(1, 5*time.Second)
		for deadline := time.Now().Add(5 * time.Second); skipped.Load() < int32(i) && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	if n := started.Load(); n != 1 {
		t.Fatalf("%d runs started while the first was going, want 1", n)
	}
	if n := skipped.Load(); n != 3 {
		t.Fatalf("skipped %d, want 3", n)
	}
	st, _ := s.JobStatus("slow")
	if !st.Running || st.Skipped != 3 {
		t.Errorf("status %+v", st)
	}
	free()
	settle(t, s, c)
	step(t, s, c)
	if n := started.Load(); n != 2 {
		t.Errorf("after the slow run, %d runs, want 2", n)
	}
}

func TestBackoffGrowsAndResets(t *testing.T) {
	c := NewFakeClock(t0)
	rec := &recorder{}
	var calls atomic.Int32
	s, _ := New(Options{
		Clock: c, MaxBackoff: time.Hour,
		Run: func(ctx context.Context, info RunInfo) error {
			rec.add(info)
			if calls.Add(1) <= 4 {
				return errors.New("site down")
			}
			return nil
		},
	}, []Job{{ID: "flaky", Schedule: parse(t, "@every 10m")}})
	s.Start()
	defer s.Stop(time.Second)
	for len(rec.list()) < 7 {
		step(t, s, c)
	}
	runs := rec.list()
	var gaps []time.Duration
	for i := 1; i < len(runs); i++ {
		gaps = append(gaps, runs[i].Fired.Sub(runs[i-1].Fired))
	}
	// Four failures: 10m, 20m, 40m, then capped at 1h; a success resets.
	want := []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, 10 * time.Minute, 10 * time.Minute}
	if fmt.Sprint(gaps) != fmt.Sprint(want) {
		t.Errorf("gaps between runs %v, want %v", gaps, want)
	}
	if runs[4].Failures != 4 || runs[5].Failures != 0 {
		t.Errorf("failures seen by runs: %d then %d", runs[4].Failures, runs[5].Failures)
	}
}

func TestBackoffSurvivesRestart(t *testing.T) {
	c := NewFakeClock(t0)
	rec := &recorder{}
	// The job failed three times in a row, the last at t0 - 5m: it waits
	// 10m x 2^2 = 40m from then.
	s, _ := New(Options{
		Clock: c, MaxBackoff: 6 * time.Hour,
		Run: func(ctx context.Context, info RunInfo) error { rec.add(info); return nil },
	}, []Job{{ID: "a", Schedule: parse(t, "@every 10m"), LastStart: t0.Add(-6 * time.Minute), LastEnd: t0.Add(-5 * time.Minute), Failures: 3}})
	s.Start()
	defer s.Stop(time.Second)
	step(t, s, c)
	if runs := rec.list(); len(runs) != 1 || !runs[0].Fired.Equal(t0.Add(35*time.Minute)) {
		t.Errorf("runs %+v, want one at %s", runs, t0.Add(35*time.Minute))
	}
}

func TestMissedRunHappensSoonAfterStart(t *testing.T) {
	c := NewFakeClock(t0)
	rec := &recorder{}
	s, _ := New(Options{
		Clock: c, Jitter: 2 * time.Minute, Rand: rand.New(rand.NewPCG(3, 4)),
		Run: func(ctx context.Context, info RunInfo) error { rec.add(info); return nil },
	}, []Job{
		{ID: "overdue", Schedule: parse(t, "@every 1h"), LastStart: t0.Add(-3 * time.Hour)},
		{ID: "recent", Schedule: parse(t, "@every 1h"), LastStart: t0.Add(-10 * time.Minute)},
	})
	s.Start()
	defer s.Stop(time.Second)
	step(t, s, c)
	runs := rec.list()
	if len(runs) != 1 || runs[0].ID != "overdue" || runs[0].Fired.Sub(t0) >= 2*time.Minute {
		t.Fatalf("first run %+v, want the overdue source within the jitter", runs)
	}
	st, _ := s.JobStatus("recent")
	if st.Next.Before(t0.Add(50*time.Minute)) || st.Next.After(t0.Add(52*time.Minute)) {
		t.Errorf("recent source next at %s, want 50m after start (+jitter)", st.Next.Sub(t0))
	}
}

func TestConcurrencyLimits(t *testing.T) {
	c := NewFakeClock(t0)
	var mu sync.Mutex
	inFlight := map[string]int{}
	maxHost := map[string]int{}
	total, maxTotal, runs := 0, 0, 0
	var jobs []Job
	for i := range 9 {
		jobs = append(jobs, Job{ID: fmt.Sprintf("j%d", i), Host: fmt.Sprintf("host%d", i%2), Schedule: parse(t, "@every 1h")})
	}
	s, _ := New(Options{
		Clock: c, Concurrency: 3, PerHost: 2,
		Run: func(ctx context.Context, info RunInfo) error {
			host := fmt.Sprintf("host%c", info.ID[1]%2+'0')
			mu.Lock()
			inFlight[host]++
			total++
			maxHost[host] = max(maxHost[host], inFlight[host])
			maxTotal = max(maxTotal, total)
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			inFlight[host]--
			total--
			runs++
			mu.Unlock()
			return nil
		},
	}, jobs)
	s.Start()
	defer s.Stop(time.Second)
	settle(t, s, c)
	mu.Lock()
	defer mu.Unlock()
	if runs != 9 {
		t.Errorf("%d runs, want 9", runs)
	}
	if maxTotal > 3 || maxHost["host0"] > 2 || maxHost["host1"] > 2 {
		t.Errorf("in flight at most %d overall, %v per host; limits 3 and 2", maxTotal, maxHost)
	}
	if maxTotal < 2 {
		t.Errorf("runs were not concurrent (max %d)", maxTotal)
	}
}

func TestQueueDepth(t *testing.T) {
	c := NewFakeClock(t0)
	release := make(chan struct{})
	var jobs []Job
	for i := range 5 {
		jobs = append(jobs, Job{ID: fmt.Sprintf("j%d", i), Schedule: parse(t, "@every 1h")})
	}
	s, _ := New(Options{Clock: c, Concurrency: 2, Run: func(ctx context.Context, info RunInfo) error {
		<-release
		return nil
	}}, jobs)
	s.Start()
	defer s.Stop(time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for (s.Active() != 2 || s.QueueDepth() != 3) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if s.Active() != 2 || s.QueueDepth() != 3 {
		t.Errorf("active %d queued %d, want 2 and 3", s.Active(), s.QueueDepth())
	}
	close(release)
	settle(t, s, c)
}

func TestGracefulStopCompletesRun(t *testing.T) {
	started := make(chan struct{})
	var completed, cancelled atomic.Bool
	s, _ := New(Options{Run: func(ctx context.Context, info RunInfo) error {
		close(started)
		// A batch being written: it takes a moment and must not be cut.
		select {
		case <-time.After(200 * time.Millisecond):
			completed.Store(true)
		case <-ctx.Done():
			cancelled.Store(true)
		}
		return nil
	}}, []Job{{ID: "a", Schedule: parse(t, "@every 1h")}})
	s.Start()
	<-started
	begin := time.Now()
	if !s.Stop(5 * time.Second) {
		t.Error("Stop reports the run did not finish in time")
	}
	if !completed.Load() || cancelled.Load() {
		t.Errorf("completed %v cancelled %v, want the run completed", completed.Load(), cancelled.Load())
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("Stop took %s", d)
	}
	// Nothing runs after a stop.
	if err := s.Trigger("a"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if st, _ := s.JobStatus("a"); st.Runs != 1 {
		t.Errorf("runs after stop: %d", st.Runs)
	}
}

func TestStopCancelsAfterGrace(t *testing.T) {
	started := make(chan struct{})
	var cancelled atomic.Bool
	s, _ := New(Options{Run: func(ctx context.Context, info RunInfo) error {
		close(started)
		<-ctx.Done()
		cancelled.Store(true)
		return ctx.Err()
	}}, []Job{{ID: "a", Schedule: parse(t, "@every 1h")}})
	s.Start()
	<-started
	if s.Stop(50 * time.Millisecond) {
		t.Error("Stop reports success for a run that never ends by itself")
	}
	if !cancelled.Load() {
		t.Error("the run was not cancelled after the grace period")
	}
	if st, _ := s.JobStatus("a"); st.Failures != 0 {
		t.Errorf("a run cut by a stop counts as a failure: %+v", st)
	}
}

func TestTrigger(t *testing.T) {
	c := NewFakeClock(t0)
	rec := &recorder{}
	s, _ := New(Options{Clock: c, Jitter: 5 * time.Minute, Run: func(ctx context.Context, info RunInfo) error {
		rec.add(info)
		return nil
	}}, []Job{{ID: "a", Schedule: parse(t, "@every 1h"), LastStart: t0.Add(-time.Minute)}})
	s.Start()
	defer s.Stop(time.Second)
	settle(t, s, c)
	if err := s.Trigger("a"); err != nil {
		t.Fatal(err)
	}
	settle(t, s, c)
	runs := rec.list()
	if len(runs) != 1 || !runs[0].Triggered || !runs[0].Fired.Equal(t0) {
		t.Fatalf("runs %+v", runs)
	}
	// The scheduled run still happens at 10:59 (+ jitter).
	step(t, s, c)
	runs = rec.list()
	if len(runs) != 2 || runs[1].Triggered || !runs[1].Scheduled.Equal(t0.Add(59*time.Minute)) {
		t.Errorf("runs %+v", runs)
	}
	if err := s.Trigger("nope"); err == nil {
		t.Error("unknown job accepted")
	}
}

func TestRunPanicIsAFailure(t *testing.T) {
	c := NewFakeClock(t0)
	s, _ := New(Options{Clock: c, Run: func(ctx context.Context, info RunInfo) error {
		panic("boom")
	}}, []Job{{ID: "a", Schedule: parse(t, "@every 1h")}})
	s.Start()
	defer s.Stop(time.Second)
	settle(t, s, c)
	if st, _ := s.JobStatus("a"); st.Failures != 1 || st.Runs != 1 {
		t.Errorf("status %+v", st)
	}
}
