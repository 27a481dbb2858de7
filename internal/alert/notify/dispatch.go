package notify

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// Delivery is one message on its way to one channel.
type Delivery struct {
	ID        string    `json:"id"`
	Channel   string    `json:"channel"`
	AlertID   string    `json:"alert_id,omitempty"`
	Message   Message   `json:"message"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	CreatedAt time.Time `json:"created_at"`
	LastError string    `json:"last_error,omitempty"`
}

// Outcomes of an attempt.
const (
	Delivered = "delivered"
	Retrying  = "retrying"
	Failed    = "failed" // gave up
)

// Result is the outcome of one attempt.
type Result struct {
	Delivery Delivery
	// Outcome is delivered, retrying (another attempt is scheduled at
	// Delivery.NextAt) or failed (no more attempts).
	Outcome string
	Err     error
	Took    time.Duration
}

// Policy says how often and how long to try.
type Policy struct {
	// Retries after the first attempt.
	Retries int
	// Backoff is the first retry's wait, doubling each time up to
	// MaxBackoff, with ±20% jitter. A Retry-After from the destination
	// is obeyed when longer.
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one attempt.
	Timeout time.Duration
}

// Wait returns the wait before the attempt after the n-th failed one.
func (p Policy) Wait(n int, asked time.Duration) time.Duration {
	w := p.Backoff
	for i := 1; i < n && w < p.MaxBackoff; i++ {
		w *= 2
	}
	if p.MaxBackoff > 0 && w > p.MaxBackoff {
		w = p.MaxBackoff
	}
	w = time.Duration(float64(w) * (0.8 + 0.4*rand.Float64()))
	if asked > w {
		w = asked
		if p.MaxBackoff > 0 && w > p.MaxBackoff {
			w = p.MaxBackoff
		}
	}
	return w
}

// Dispatcher delivers queued messages in the background: one attempt at
// a time per channel, in order, so that a failing channel waits without
// holding up the others. It is safe for concurrent use.
type Dispatcher struct {
	channels map[string]Channel
	policy   Policy
	now      func() time.Time
	onResult func(Result)
	log      *slog.Logger

	mu     sync.Mutex
	queues map[string][]*Delivery
	busy   map[string]bool
	wake   chan struct{}
}

// DispatcherOptions tune a Dispatcher.
type DispatcherOptions struct {
	// OnResult is called after every attempt, outside the dispatcher's
	// lock: persist the delivery (Retrying) or forget it (Delivered,
	// Failed), update what the UI shows, count it.
	OnResult func(Result)
	Now      func() time.Time
	Logger   *slog.Logger
}

// NewDispatcher returns a dispatcher over channels.
func NewDispatcher(channels []Channel, p Policy, o DispatcherOptions) *Dispatcher {
	d := &Dispatcher{
		channels: map[string]Channel{}, policy: p, now: o.Now, onResult: o.OnResult, log: o.Logger,
		queues: map[string][]*Delivery{}, busy: map[string]bool{}, wake: make(chan struct{}, 1),
	}
	for _, c := range channels {
		d.channels[c.Name()] = c
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.policy.Timeout <= 0 {
		d.policy.Timeout = 15 * time.Second
	}
	return d
}

// Channel returns the channel called name.
func (d *Dispatcher) Channel(name string) (Channel, bool) {
	c, ok := d.channels[name]
	return c, ok
}

// Enqueue adds a delivery; it never blocks on the network.
func (d *Dispatcher) Enqueue(dl Delivery) {
	d.mu.Lock()
	q := append(d.queues[dl.Channel], &dl)
	sort.SliceStable(q, func(i, j int) bool { return q[i].CreatedAt.Before(q[j].CreatedAt) })
	d.queues[dl.Channel] = q
	d.mu.Unlock()
	d.poke()
}

func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Pending counts the deliveries not yet delivered nor given up.
func (d *Dispatcher) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, q := range d.queues {
		n += len(q)
	}
	return n
}

// Run delivers until ctx is done, then waits for the attempts in flight
// (they are cancelled; a cancelled attempt is not counted and stays
// queued for the next start).
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := d.start(ctx, &wg)
		wait := time.Hour
		if !next.IsZero() {
			wait = max(next.Sub(d.now()), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// start launches the due head of every idle channel and returns when the
// next one is due (zero: nothing waiting).
func (d *Dispatcher) start(ctx context.Context, wg *sync.WaitGroup) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	var next time.Time
	for name, q := range d.queues {
		if len(q) == 0 || d.busy[name] {
			continue
		}
		head := q[0]
		if head.NextAt.After(now) {
			if next.IsZero() || head.NextAt.Before(next) {
				next = head.NextAt
			}
			continue
		}
		d.busy[name] = true
		dl := *head
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.attempt(ctx, dl)
		}()
	}
	return next
}

func (d *Dispatcher) attempt(ctx context.Context, dl Delivery) {
	ch, ok := d.channels[dl.Channel]
	start := d.now()
	var err error
	if !ok {
		err = permanent("channel %s is no longer configured", dl.Channel)
	} else {
		actx, cancel := context.WithTimeout(ctx, d.policy.Timeout)
		msg := dl.Message
		err = ch.Send(actx, &msg, dl.ID)
		cancel()
	}
	res := Result{Took: d.now().Sub(start), Err: err}
	d.mu.Lock()
	d.busy[dl.Channel] = false
	q := d.queues[dl.Channel]
	idx := -1
	for i, x := range q {
		if x.ID == dl.ID {
			idx = i
			break
		}
	}
	if err != nil && ctx.Err() != nil && !IsPermanent(err) {
		// Stopped: not the destination's fault; try again next start.
		d.mu.Unlock()
		return
	}
	switch {
	case err == nil:
		res.Outcome = Delivered
		dl.Attempts++
		dl.LastError = ""
	default:
		dl.Attempts++
		dl.LastError = err.Error()
		var e *Error
		asked := time.Duration(0)
		if errors.As(err, &e) {
			asked = e.RetryAfter
		}
		if IsPermanent(err) || dl.Attempts > d.policy.Retries {
			res.Outcome = Failed
		} else {
			res.Outcome = Retrying
			dl.NextAt = d.now().Add(d.policy.Wait(dl.Attempts, asked))
		}
	}
	if idx >= 0 {
		if res.Outcome == Retrying {
			*q[idx] = dl
		} else {
			d.queues[dl.Channel] = append(q[:idx:idx], q[idx+1:]...)
		}
	}
	d.mu.Unlock()
	res.Delivery = dl
	if res.Outcome == Failed {
		d.log.Warn("alert notification not delivered: giving up", "channel", dl.Channel, "delivery", dl.ID, "attempts", dl.Attempts, "err", dl.LastError)
	} else if res.Outcome == Retrying {
		d.log.Info("alert notification failed: will retry", "channel", dl.Channel, "delivery", dl.ID, "attempts", dl.Attempts, "next", dl.NextAt, "err", dl.LastError)
	}
	if d.onResult != nil {
		d.onResult(res)
	}
	d.poke()
}

// SendWithRetries delivers m through ch now, retrying as p says (for
// `vigie alerts test`); sleep waits between attempts (nil: time.Sleep
// interrupted by ctx).
func SendWithRetries(ctx context.Context, ch Channel, m *Message, id string, p Policy) (attempts int, err error) {
	for {
		attempts++
		actx, cancel := context.WithTimeout(ctx, max(p.Timeout, time.Second))
		err = ch.Send(actx, m, id)
		cancel()
		if err == nil || IsPermanent(err) || attempts > p.Retries || ctx.Err() != nil {
			return attempts, err
		}
		var e *Error
		asked := time.Duration(0)
		if errors.As(err, &e) {
			asked = e.RetryAfter
		}
		t := time.NewTimer(p.Wait(attempts, asked))
		select {
		case <-ctx.Done():
			t.Stop()
			return attempts, err
		case <-t.C:
		}
	}
}
