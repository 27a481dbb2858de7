package alert

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/alert/notify"
	"github.com/vigie-dev/vigie/internal/metrics"
	"github.com/vigie-dev/vigie/internal/review"
)

// Options are what an Engine is built with.
type Options struct {
	// State persists alerts, history and the outbox (nil: nothing is
	// persisted).
	State StateStore
	// Now is the clock (nil: time.Now). Windows are measured on it, and
	// simulations replace it.
	Now func() time.Time
	// Logger receives the engine's logs; secrets never reach it.
	Logger *slog.Logger
	// Metrics, when set, gets the alerting metrics (alerts opened, open,
	// deliveries by outcome, queue depth).
	Metrics *metrics.Registry
	// HTTPClient carries webhook, Slack and Telegram requests (nil: one
	// with the delivery timeout). TLS is the base TLS configuration of
	// e-mail (tests trust their own certificate authority with it).
	HTTPClient *http.Client
	TLS        *tls.Config
	// Settle is how long a location must receive nothing before Tick
	// evaluates it when its history is still incomplete (a first crawl
	// brings the newest reviews first); default 10m.
	Settle time.Duration
	// ThemeLabel names a theme for people ("wait" -> "Waiting time") in
	// titles and summaries (nil: the theme's id).
	ThemeLabel func(id string) string
	// OnEvent is called, under the engine's lock, for every change of an
	// alert (tests and simulations record them); it must not call the
	// engine.
	OnEvent func(Event)
}

// Event is a change of an alert.
type Event struct {
	// Type is opened, updated (figures changed), grown (grew enough to
	// be notified again), reopened, resolved or acknowledged.
	Type  string
	At    time.Time
	Alert Alert
	// Rule is the rule whose evaluation caused the change.
	Rule string
}

// Event types.
const (
	EventOpened       = "opened"
	EventUpdated      = "updated"
	EventGrown        = "grown"
	EventReopened     = "reopened"
	EventResolved     = "resolved"
	EventAcknowledged = "acknowledged"
)

// Engine evaluates the rules and keeps the alerts. It is safe for
// concurrent use.
type Engine struct {
	cfg       config.Alerts
	opts      Options
	log       *slog.Logger
	state     StateStore
	rules     []*rule
	byName    map[string]*rule
	cat       catalog
	dashboard string
	disp      *notify.Dispatcher
	channels  map[string]config.AlertChannel
	m         *instruments
	retention int32 // minutes of history kept
	settle    time.Duration

	mu       sync.Mutex
	now      func() time.Time
	locs     map[string]*locState
	profiles map[string]*profile
	themes   themeSet
	alerts   map[string]*record
	active   map[string]*record // by key, open or acknowledged
	last     map[string]*record // by key, the latest alert (any status)
	sources  map[string]*sourceState
	digests  map[string]*digestState
	aggs     map[aggKey]*aggregate
	// brandAdded counts entries added to each brand's history.
	brandAdded map[string]int
	// pendingLocs are the locations with data not yet evaluated.
	pendingLocs map[string]bool
	// srcOrder lists the configured sources in order; srcActive counts
	// the active alerts of each source.
	srcRefs         []*srcRef
	srcByID         map[string]*srcRef
	srcActive       map[string]int
	hasHealth       bool
	anyFailing      bool
	minSilent       int32 // minutes
	lastSourceCheck time.Time
	// cur is the active statistical alert of the location being
	// evaluated.
	cur *record
	// passes are the counts of the location being evaluated, by rule
	// signature; firing the evidence found there.
	passes []counts
	firing []*evidence
	// byBrand lists the locations of each brand (byBrandN: of how many
	// locations).
	byBrand  map[string][]*locState
	byBrandN int
	outbox   map[string]*notify.Delivery
	seq      uint64

	dirtyAlerts  map[string]bool
	dirtySources map[string]bool
	dirtyDigests map[string]bool
	dirtyProf    map[string]bool
	deletes      []string
	sends        []notify.Delivery
	themesDirty  bool
	lastPrune    time.Time

	runMu  sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// record is an alert with what the engine needs to follow it.
type record struct {
	Alert
	Key string `json:"key"`
	// Contribs are the evaluations behind the alert: by rule and series.
	Contribs map[string]*contrib `json:"contribs,omitempty"`
	// Channels are the channels of the rules behind it.
	Channels []string `json:"channels,omitempty"`
	// Notified is the observed count last notified, NotifiedSeverity
	// its severity.
	Notified         int    `json:"notified"`
	NotifiedSeverity string `json:"notified_severity,omitempty"`
	// LastMatch is when a keyword alert last matched.
	LastMatch time.Time `json:"last_match,omitzero"`
}

// contrib is one rule's evaluation of one series behind an alert.
type contrib struct {
	Rule     string    `json:"rule"`
	Series   string    `json:"series"`
	P        float64   `json:"p"`
	Elevated bool      `json:"elevated"`
	At       time.Time `json:"at"`
}

// catalog names brands, locations and sources from the configuration.
type catalog struct {
	brandName    map[string]string
	locName      map[string]string
	locBrand     map[string]string
	srcLoc       map[string]string
	srcEnabled   map[string]bool
	locSources   map[string][]string
	brandSources map[string][]string
}

func newCatalog(c *config.Config) catalog {
	cat := catalog{brandName: map[string]string{}, locName: map[string]string{}, locBrand: map[string]string{},
		srcLoc: map[string]string{}, srcEnabled: map[string]bool{}, locSources: map[string][]string{}, brandSources: map[string][]string{}}
	for _, b := range c.Brands {
		cat.brandName[b.ID] = b.Name
		for _, l := range b.Locations {
			cat.locName[l.ID] = l.Name
			cat.locBrand[l.ID] = b.ID
			for _, s := range l.Sources {
				cat.srcLoc[s.ID] = l.ID
				cat.srcEnabled[s.ID] = s.IsEnabled()
				cat.locSources[l.ID] = append(cat.locSources[l.ID], s.ID)
				cat.brandSources[b.ID] = append(cat.brandSources[b.ID], s.ID)
			}
		}
	}
	return cat
}

func (c *catalog) locationName(id string) string {
	if n := c.locName[id]; n != "" {
		return n
	}
	return id
}

// New builds an engine for the configuration's alerts section and loads
// what opts.State holds. It sends nothing until Start.
func New(cfg *config.Config, opts Options) (*Engine, error) {
	e := &Engine{
		cfg: cfg.Alerts, opts: opts, log: opts.Logger, state: opts.State, byName: map[string]*rule{},
		cat: newCatalog(cfg), channels: map[string]config.AlertChannel{},
		now: opts.Now, locs: map[string]*locState{}, profiles: map[string]*profile{},
		alerts: map[string]*record{}, active: map[string]*record{}, last: map[string]*record{},
		sources: map[string]*sourceState{}, digests: map[string]*digestState{}, aggs: map[aggKey]*aggregate{}, brandAdded: map[string]int{}, pendingLocs: map[string]bool{}, srcActive: map[string]int{},
		outbox: map[string]*notify.Delivery{}, dirtyAlerts: map[string]bool{}, dirtySources: map[string]bool{},
		dirtyDigests: map[string]bool{}, dirtyProf: map[string]bool{}, settle: opts.Settle,
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.state == nil {
		e.state = nopState{}
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.settle <= 0 {
		e.settle = 10 * time.Minute
	}
	e.srcByID = map[string]*srcRef{}
	for _, id := range sortedKeys(e.cat.srcLoc) {
		loc := e.cat.srcLoc[id]
		ref := &srcRef{id: id, loc: loc, brand: e.cat.locBrand[loc], enabled: e.cat.srcEnabled[id], si: -1}
		e.srcRefs = append(e.srcRefs, ref)
		e.srcByID[id] = ref
	}
	e.dashboard = strings.TrimRight(cfg.Alerts.DashboardURL, "/")
	if e.dashboard == "" {
		e.dashboard = strings.TrimRight(cfg.Server.BaseURL, "/")
	}
	retention := 2 * 24 * time.Hour
	sigs := map[string]int{}
	for i, rc := range cfg.Alerts.Rules {
		r, err := compileRule(rc, i)
		if err != nil {
			return nil, err
		}
		r.sigIdx = len(sigs)
		if j, ok := sigs[r.sig]; ok {
			r.sigIdx = j
		} else {
			sigs[r.sig] = r.sigIdx
			e.passes = append(e.passes, counts{})
		}
		e.rules = append(e.rules, r)
		e.byName[r.cfg.Name] = r
		if rc.Kind == config.RuleSourceHealth {
			e.hasHealth = true
			if h := int32(rc.SilentFor.D() / time.Minute); h > 0 && (e.minSilent == 0 || h < e.minSilent) {
				e.minSilent = h
			}
		}
		retention = max(retention, rc.Window.D()+rc.Baseline.D()+24*time.Hour, rc.SilentFor.D()+rc.Baseline.D()+24*time.Hour)
	}
	e.retention = int32(retention / time.Minute)
	var chans []notify.Channel
	for _, c := range cfg.Alerts.Channels {
		e.channels[c.Name] = c
		ch, err := notify.New(c, notify.Options{Client: opts.HTTPClient, TLS: opts.TLS, Now: e.now})
		if err != nil {
			return nil, err
		}
		chans = append(chans, ch)
	}
	d := cfg.Alerts.Delivery
	e.disp = notify.NewDispatcher(chans, notify.Policy{
		Retries: d.Retries, Backoff: d.Backoff.D(), MaxBackoff: d.MaxBackoff.D(), Timeout: d.Timeout.D(),
	}, notify.DispatcherOptions{OnResult: e.delivered, Logger: e.log})
	if err := e.load(); err != nil {
		return nil, fmt.Errorf("alerts: state: %w", err)
	}
	if opts.Metrics != nil {
		e.m = newInstruments(opts.Metrics, e)
		e.m.refresh(e)
	}
	return e, nil
}

// Rules returns the names of the rules.
func (e *Engine) Rules() []string {
	out := make([]string, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.cfg.Name
	}
	return out
}

// Dispatcher returns the engine's dispatcher (its channels).
func (e *Engine) Dispatcher() *notify.Dispatcher { return e.disp }

// Start delivers queued notifications and evaluates the rules every
// alerts.evaluate_every until ctx is done or Close is called.
func (e *Engine) Start(ctx context.Context) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	if e.cancel != nil {
		return
	}
	ctx, e.cancel = context.WithCancel(ctx)
	e.done = make(chan struct{})
	e.mu.Lock()
	for _, d := range e.outbox {
		e.disp.Enqueue(*d)
	}
	e.mu.Unlock()
	every := e.cfg.EvaluateEvery.D()
	if every <= 0 {
		every = 5 * time.Minute
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		e.disp.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				e.Tick(ctx, e.now())
			}
		}
	}()
	go func() {
		wg.Wait()
		close(e.done)
	}()
}

// Close stops the background work started by Start and waits for it.
// What is queued stays in the state store for the next start.
func (e *Engine) Close() error {
	e.runMu.Lock()
	cancel, done := e.cancel, e.done
	e.cancel = nil
	e.runMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.flush()
}

// Pending returns the notifications not yet delivered.
func (e *Engine) Pending() int { return e.disp.Pending() }

// Drain waits, after Start, until every queued notification is delivered
// or given up, or ctx is done (a one-shot `vigie crawl` before it exits).
func (e *Engine) Drain(ctx context.Context) error {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for e.disp.Pending() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// Tick re-evaluates what time alone changes: statistical alerts whose
// window slid, locations whose incomplete history has settled, keyword
// alerts gone quiet, silent and failing sources, digests; and prunes old
// history and resolved alerts. Call it on a timer (Start does).
func (e *Engine) Tick(ctx context.Context, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now = now.UTC()
	nowM := minuteOf(now)
	// Locations with active statistical alerts, or data waiting.
	due := map[string]bool{}
	for _, r := range e.active {
		if r.Location != "" && isStatistical(r.Kind) {
			due[r.Location] = true
		}
	}
	for id := range e.pendingLocs {
		if l := e.locs[id]; l != nil && now.Sub(l.lastData) >= e.settle {
			due[id] = true
		}
	}
	for _, id := range sortedKeys(due) {
		e.evaluateLocation(e.locs[id], now, true)
	}
	e.expireKeywordAlerts(now)
	e.checkSources(now)
	if now.Sub(e.lastPrune) >= 6*time.Hour {
		e.lastPrune = now
		for _, l := range e.locs {
			if len(l.entries) > 0 && l.entries[0].at < nowM-e.retention-24*60 {
				l.prune(nowM - e.retention)
			}
		}
		e.pruneAlerts(now)
	}
	e.sendDigests(now)
	e.commit()
}

// setPending marks l as waiting for an evaluation, or not.
func (e *Engine) setPending(l *locState, v bool) {
	l.pending = v
	if v {
		e.pendingLocs[l.id] = true
	} else {
		delete(e.pendingLocs, l.id)
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func minuteOf(t time.Time) int32 { return int32(math.Floor(float64(t.Unix()) / 60)) }

func timeOfMinute(m int32) time.Time { return time.Unix(int64(m)*60, 0).UTC() }

// pruneAlerts forgets resolved alerts older than the retention.
func (e *Engine) pruneAlerts(now time.Time) {
	keep := e.cfg.Retention.D()
	if keep <= 0 {
		keep = 90 * 24 * time.Hour
	}
	for id, r := range e.alerts {
		if r.Status == StatusResolved && now.Sub(r.ResolvedAt) > keep {
			delete(e.alerts, id)
			if e.last[r.Key] == r {
				delete(e.last, r.Key)
			}
			e.deletes = append(e.deletes, "a/"+id)
		}
	}
}

// List returns the alerts f selects, most recently updated first.
func (e *Engine) List(_ context.Context, f Filter) ([]Alert, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Alert
	for _, r := range e.alerts {
		if f.match(&r.Alert) {
			out = append(out, r.copyAlert())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].ID > out[j].ID
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Get returns the alert id.
func (e *Engine) Get(id string) (Alert, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.alerts[id]
	if !ok {
		return Alert{}, false
	}
	return r.copyAlert(), true
}

func (r *record) copyAlert() Alert {
	a := r.Alert
	a.ReviewIDs = append([]string{}, a.ReviewIDs...)
	a.Rules = append([]string(nil), a.Rules...)
	a.Themes = append([]string(nil), a.Themes...)
	a.Examples = append([]Example(nil), a.Examples...)
	a.Deliveries = append([]Delivery(nil), a.Deliveries...)
	return a
}

// Errors of Acknowledge and Resolve.
var (
	ErrNotFound = errors.New("no such alert")
)

// Acknowledge marks the alert as seen by someone: it stays open (it is
// still updated and resolves by itself) but is no longer new.
func (e *Engine) Acknowledge(_ context.Context, id, by string) (Alert, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.alerts[id]
	if !ok {
		return Alert{}, ErrNotFound
	}
	if r.Status == StatusOpen {
		now := e.now().UTC()
		r.Status = StatusAcknowledged
		r.AcknowledgedAt = now
		r.AcknowledgedBy = by
		e.dirtyAlerts[id] = true
		e.emit(EventAcknowledged, r, "", now)
		e.commit()
	}
	return r.copyAlert(), nil
}

// Resolve closes the alert by hand. A rule that fires again at the same
// place within its cooldown does not reopen it.
func (e *Engine) Resolve(_ context.Context, id, by string) (Alert, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.alerts[id]
	if !ok {
		return Alert{}, ErrNotFound
	}
	if r.Status != StatusResolved {
		if by == "" {
			by = "user"
		}
		e.resolve(r, e.now().UTC(), by, false)
		e.commit()
	}
	return r.copyAlert(), nil
}

// emit calls OnEvent and counts the event.
func (e *Engine) emit(typ string, r *record, rule string, now time.Time) {
	if e.m != nil && typ == EventOpened {
		e.m.opened.With(r.Kind, r.Severity).Inc()
	}
	if e.opts.OnEvent != nil {
		e.opts.OnEvent(Event{Type: typ, At: now, Alert: r.copyAlert(), Rule: rule})
	}
}

// evidence is what an evaluation found, to open or update an alert.
type evidence struct {
	rule          *rule
	series        string // "" for all negative reviews, else the theme
	key           string
	brand         string
	location      string
	theme         string
	source        string
	observed      int
	expected      float64
	p             float64
	obsValue      float64
	expValue      float64
	window        time.Duration
	from, to      time.Time
	reviewIDs     []string
	examples      []Example
	title         string
	summary       string
	search        url.Values
	resolveAtOnce bool // review rule: nothing to follow up
}

// alertID derives an alert's id from its key and opening time.
func alertID(key string, at time.Time, seq uint64) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", key, at.UnixNano(), seq))
	return hex.EncodeToString(h[:8])
}

// raise opens an alert for ev, or updates the one already open for the
// same incident, or reopens one resolved within the cooldown.
func (e *Engine) raise(ev *evidence, now time.Time) *record {
	r := e.active[ev.key]
	typ := EventUpdated
	if r == nil {
		if prev := e.last[ev.key]; prev != nil && prev.Status == StatusResolved && now.Sub(prev.ResolvedAt) < ev.rule.cfg.Cooldown.D() {
			if prev.ResolvedBy != "auto" {
				// Resolved by hand: quiet until the cooldown ends.
				return nil
			}
			r = prev
			r.Status = StatusOpen
			r.ResolvedAt, r.ResolvedBy = time.Time{}, ""
			e.activate(r)
			typ = EventReopened
		}
	}
	if r == nil {
		e.seq++
		r = &record{Key: ev.key, Contribs: map[string]*contrib{}}
		r.ID = alertID(ev.key, now, e.seq)
		r.Rule, r.Kind, r.Severity = ev.rule.cfg.Name, ev.rule.cfg.Kind, ev.rule.cfg.Severity
		r.Status = StatusOpen
		r.OpenedAt = now
		r.Brand, r.Location, r.Theme, r.Source = ev.brand, ev.location, ev.theme, ev.source
		r.ReviewIDs = []string{}
		e.alerts[r.ID] = r
		e.activate(r)
		e.last[ev.key] = r
		typ = EventOpened
	}
	before := r.fingerprint()
	updatedAt, theme := r.UpdatedAt, r.Theme
	e.apply(r, ev, now)
	refined := typ != EventOpened && theme == "" && r.Theme != ""
	if typ == EventUpdated && r.fingerprint() == before {
		// The same evidence again (the next evaluation of a location
		// with an open alert): nothing to record.
		r.UpdatedAt = updatedAt
		return r
	}
	if ev.resolveAtOnce {
		r.Status = StatusResolved
		r.ResolvedAt, r.ResolvedBy = now, "auto"
		e.deactivate(r)
	}
	e.dirtyAlerts[r.ID] = true
	e.emit(typ, r, ev.rule.cfg.Name, now)
	if refined {
		// Now it is known what the incident is about: say so.
		r.NotifiedSeverity = ""
	}
	e.maybeNotify(r, typ, ev, now)
	return r
}

// fingerprint sums up what an update can change of r.
func (r *record) fingerprint() string {
	c := make([]string, 0, len(r.Contribs))
	for k, v := range r.Contribs {
		c = append(c, fmt.Sprintf("%s=%v", k, v.Elevated))
	}
	sort.Strings(c)
	return fmt.Sprintf("%s|%s|%s|%d|%.4g|%.3g|%.3g|%d|%v|%v|%s", r.Rule, r.Theme, r.Severity, r.Observed, r.Expected, r.Probability,
		r.ObservedValue, len(r.ReviewIDs), r.Themes, r.Rules, strings.Join(c, ","))
}

// apply records ev on r.
func (e *Engine) apply(r *record, ev *evidence, now time.Time) {
	if r.Contribs == nil {
		r.Contribs = map[string]*contrib{}
	}
	ck := ev.rule.cfg.Name + "|" + ev.series
	r.Contribs[ck] = &contrib{Rule: ev.rule.cfg.Name, Series: ev.series, P: ev.p, Elevated: true, At: now}
	if !contains(r.Rules, ev.rule.cfg.Name) {
		r.Rules = append(r.Rules, ev.rule.cfg.Name)
	}
	for _, ch := range ev.rule.cfg.Channels {
		if !contains(r.Channels, ch) {
			r.Channels = append(r.Channels, ch)
		}
	}
	if severityRank(ev.rule.cfg.Severity) > severityRank(r.Severity) {
		r.Severity = ev.rule.cfg.Severity
	}
	// The figures shown are those of the alert's theme, from the
	// strongest current evidence: another theme joining the incident, or
	// a weaker rule, does not overwrite them.
	primary := r.UpdatedAt.IsZero() || (ev.theme == r.Theme && (ev.rule.cfg.Name == r.primaryRule() || ev.p <= r.Probability))
	switch {
	case ev.theme != "" && r.Theme == "":
		// A theme's evidence makes a location-wide alert more precise.
		r.Theme = ev.theme
		primary = true
	case ev.theme != "" && ev.theme != r.Theme && r.Theme != "" && ev.rule.cfg.Name == r.primaryRule() &&
		float64(ev.observed)-ev.expected > float64(r.Observed)-r.Expected+0.5:
		// Many themes rise together when something goes wrong (a queue
		// brings complaints about service and food too); each passed the
		// rule's significance test, so the alert names the one with the
		// most complaints beyond the usual.
		r.Theme = ev.theme
		r.ReviewIDs = r.ReviewIDs[:0]
		primary = true
	}
	if ev.theme != "" && !contains(r.Themes, ev.theme) {
		r.Themes = append(r.Themes, ev.theme)
	}
	if primary {
		r.Observed, r.Expected, r.Probability = ev.observed, ev.expected, ev.p
		r.ObservedValue, r.ExpectedValue = ev.obsValue, ev.expValue
		if ev.window > 0 {
			r.Window = config.Period(ev.window).String()
		}
		r.WindowStart, r.WindowEnd = ev.from, ev.to
		r.Title, r.Summary = ev.title, ev.summary
		if ev.search != nil {
			r.Search = ev.search.Encode()
		}
		r.setPrimary(ev.rule.cfg.Name)
		r.Kind = ev.rule.cfg.Kind
	}
	if ev.theme == r.Theme || r.Theme == "" {
		for _, id := range ev.reviewIDs {
			if !contains(r.ReviewIDs, id) && len(r.ReviewIDs) < 100 {
				r.ReviewIDs = append(r.ReviewIDs, id)
			}
		}
	}
	if len(ev.examples) > 0 && (primary || len(r.Examples) == 0) {
		r.Examples = ev.examples
	}
	r.UpdatedAt = now
}

// primaryRule is the rule whose figures the alert shows (the first of
// Rules after setPrimary).
func (r *record) primaryRule() string {
	if len(r.Rules) == 0 {
		return ""
	}
	return r.Rules[0]
}

func (r *record) setPrimary(name string) {
	for i, n := range r.Rules {
		if n == name {
			r.Rules[0], r.Rules[i] = r.Rules[i], r.Rules[0]
			r.Rule = name
			return
		}
	}
}

func severityRank(s string) int {
	switch s {
	case "critical":
		return 3
	case "warning":
		return 2
	case "info":
		return 1
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// grew reports whether the alert grew enough since it was last notified
// to be worth another notification: half as large again, and by step; or
// its severity rose, or it became precise (NotifiedSeverity cleared).
func grew(r *record, step int) bool {
	if r.NotifiedSeverity == "" || severityRank(r.Severity) > severityRank(r.NotifiedSeverity) {
		return true
	}
	need := max(r.Notified+step, int(math.Ceil(1.5*float64(r.Notified))))
	return r.Observed >= need
}

// maybeNotify sends r's event to its channels when it is worth it: an
// opening, a growth, a resolution (if the rule says so).
func (e *Engine) maybeNotify(r *record, typ string, ev *evidence, now time.Time) {
	step := 3
	if r.Kind == config.RuleKeyword || r.Kind == config.RuleSourceHealth {
		step = 1
	}
	var event string
	switch typ {
	case EventOpened:
		event = notify.EventOpened
	case EventUpdated, EventReopened:
		if !grew(r, step) {
			return
		}
		event = notify.EventUpdated
		if typ == EventReopened {
			event = notify.EventReopened
		}
		e.emit(EventGrown, r, ev.rule.cfg.Name, now)
	default:
		return
	}
	r.Notified, r.NotifiedSeverity = r.Observed, r.Severity
	e.notify(r, event, now)
}

// notify queues a message about r for each of its immediate channels.
func (e *Engine) notify(r *record, event string, now time.Time) {
	if len(r.Channels) == 0 {
		return
	}
	msg := notify.Message{Event: event, Alert: e.view(&r.Alert)}
	for _, name := range r.Channels {
		ch, ok := e.channels[name]
		if !ok || !ch.IsImmediate() {
			continue
		}
		e.seq++
		d := notify.Delivery{
			ID: fmt.Sprintf("%s-%s-%d", r.ID, event, e.seq), Channel: name, AlertID: r.ID,
			Message: msg, CreatedAt: now, NextAt: now,
		}
		e.queue(d)
		r.setDelivery(Delivery{Channel: name, Status: "pending", Event: event, At: now})
		e.dirtyAlerts[r.ID] = true
	}
}

func (e *Engine) queue(d notify.Delivery) {
	e.outbox[d.ID] = &d
	e.sends = append(e.sends, d)
}

func (r *record) setDelivery(d Delivery) {
	for i := range r.Deliveries {
		if r.Deliveries[i].Channel == d.Channel {
			if d.Attempts == 0 && d.Status == "pending" {
				d.Attempts = 0
			}
			r.Deliveries[i] = d
			return
		}
	}
	r.Deliveries = append(r.Deliveries, d)
}

// delivered records the outcome of a delivery attempt (the dispatcher
// calls it).
func (e *Engine) delivered(res notify.Result) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := res.Delivery
	if e.m != nil {
		e.m.deliveries.With(d.Channel, res.Outcome).Inc()
		failing := 0.0
		if res.Outcome != notify.Delivered {
			failing = 1
		}
		e.m.failing.With(d.Channel).Set(failing)
	}
	key := "o/" + d.ID
	if res.Outcome == notify.Retrying {
		e.outbox[d.ID] = &d
		if b, err := json.Marshal(d); err == nil {
			e.persist(map[string][]byte{key: b}, nil)
		}
	} else {
		delete(e.outbox, d.ID)
		e.persist(nil, []string{key})
	}
	if r, ok := e.alerts[d.AlertID]; ok {
		st := res.Outcome
		r.setDelivery(Delivery{Channel: d.Channel, Status: st, Event: d.Message.Event, Attempts: d.Attempts, LastError: d.LastError, At: e.now()})
		e.dirtyAlerts[r.ID] = true
		e.commit()
	}
}

// activate and deactivate keep the index of active alerts.
func (e *Engine) activate(r *record) {
	if _, ok := e.active[r.Key]; !ok && r.Source != "" {
		e.srcActive[r.Source]++
	}
	e.active[r.Key] = r
}

func (e *Engine) deactivate(r *record) {
	if _, ok := e.active[r.Key]; ok && r.Source != "" {
		if e.srcActive[r.Source]--; e.srcActive[r.Source] <= 0 {
			delete(e.srcActive, r.Source)
		}
	}
	delete(e.active, r.Key)
}

// resolve closes r.
func (e *Engine) resolve(r *record, now time.Time, by string, notifyIt bool) {
	r.Status = StatusResolved
	r.ResolvedAt, r.ResolvedBy = now, by
	r.UpdatedAt = now
	for _, c := range r.Contribs {
		c.Elevated = false
	}
	e.deactivate(r)
	e.dirtyAlerts[r.ID] = true
	e.emit(EventResolved, r, "", now)
	if notifyIt {
		e.notify(r, notify.EventResolved, now)
	}
}

// view is an alert as notifications show it.
func (e *Engine) view(a *Alert) *notify.Alert {
	v := &notify.Alert{
		ID: a.ID, Rule: a.Rule, Kind: a.Kind, Severity: a.Severity, Status: a.Status,
		Brand: a.Brand, Location: a.Location, Theme: a.Theme, Source: a.Source,
		OpenedAt: a.OpenedAt, UpdatedAt: a.UpdatedAt, Observed: a.Observed, Expected: a.Expected,
		Probability: a.Probability, ReviewIDs: append([]string{}, a.ReviewIDs...),
		BrandName: e.cat.brandName[a.Brand], LocationName: e.cat.locName[a.Location],
		Title: a.Title, Summary: a.Summary, Window: a.Window,
	}
	for _, ex := range a.Examples {
		v.Examples = append(v.Examples, notify.Example{ID: ex.ID, Source: ex.Source, PublishedAt: ex.PublishedAt, Rating: ex.Rating, Lang: ex.Lang, Text: ex.Text, URL: ex.URL})
	}
	if e.dashboard != "" {
		v.URL = e.dashboard + "/alerts#alert-" + a.ID
		if a.Search != "" {
			v.SearchURL = e.dashboard + "/search?" + a.Search
		}
	}
	return v
}

// commit persists what changed and hands new deliveries to the
// dispatcher. Errors are logged: alerting must not fail ingestion.
func (e *Engine) commit() {
	if err := e.flush(); err != nil {
		e.log.Error("alerts: could not save the alert state", "err", err)
	}
	for _, d := range e.sends {
		e.disp.Enqueue(d)
	}
	e.sends = e.sends[:0]
	if e.m != nil {
		e.m.refresh(e)
	}
}

// flush writes the dirty state in one transaction.
func (e *Engine) flush() error {
	if _, ok := e.state.(nopState); ok {
		// Nothing to keep (simulations): only forget what is dirty.
		clear(e.dirtyAlerts)
		clear(e.dirtyProf)
		clear(e.dirtySources)
		clear(e.dirtyDigests)
		e.deletes, e.themesDirty = nil, false
		return nil
	}
	puts := map[string][]byte{}
	var err error
	put := func(k string, v any) {
		b, jerr := json.Marshal(v)
		if jerr != nil {
			err = errors.Join(err, jerr)
			return
		}
		puts[k] = b
	}
	for id := range e.dirtyAlerts {
		if r, ok := e.alerts[id]; ok {
			put("a/"+id, r)
		}
	}
	for _, l := range e.locs {
		if l.changed {
			b, jerr := l.marshal()
			if jerr != nil {
				err = errors.Join(err, jerr)
				continue
			}
			puts["h/"+l.id] = b
			l.changed = false
		}
	}
	for b := range e.dirtyProf {
		put("p/"+b, e.profiles[b])
	}
	for id := range e.dirtySources {
		put("s/"+id, e.sources[id])
	}
	for id := range e.dirtyDigests {
		put("d/"+id, e.digests[id])
	}
	if e.themesDirty {
		put("t", e.themes.names)
		e.themesDirty = false
	}
	for _, d := range e.sends {
		put("o/"+d.ID, d)
	}
	clear(e.dirtyAlerts)
	clear(e.dirtyProf)
	clear(e.dirtySources)
	clear(e.dirtyDigests)
	deletes := e.deletes
	e.deletes = nil
	if len(puts) == 0 && len(deletes) == 0 {
		return err
	}
	return errors.Join(err, e.state.Apply(puts, deletes))
}

func (e *Engine) persist(puts map[string][]byte, deletes []string) {
	if err := e.state.Apply(puts, deletes); err != nil {
		e.log.Error("alerts: could not save the alert state", "err", err)
	}
}

// load reads the state store.
func (e *Engine) load() error {
	var errs []error
	err := e.state.Load(func(k string, v []byte) error {
		kind, id, _ := strings.Cut(k, "/")
		var err error
		switch kind {
		case "a":
			r := &record{}
			if err = json.Unmarshal(v, r); err == nil {
				e.alerts[r.ID] = r
				if p := e.last[r.Key]; p == nil || r.OpenedAt.After(p.OpenedAt) {
					e.last[r.Key] = r
				}
				if r.Active() {
					e.activate(r)
				}
			}
		case "h":
			var l *locState
			if l, err = unmarshalLoc(id, v); err == nil {
				e.locs[id] = l
			}
		case "p":
			p := &profile{}
			if err = json.Unmarshal(v, p); err == nil {
				p.stale = true
				e.profiles[id] = p
			}
		case "s":
			s := &sourceState{}
			if err = json.Unmarshal(v, s); err == nil {
				e.sources[id] = s
			}
		case "d":
			d := &digestState{}
			if err = json.Unmarshal(v, d); err == nil {
				e.digests[id] = d
			}
		case "o":
			d := &notify.Delivery{}
			if err = json.Unmarshal(v, d); err == nil {
				e.outbox[d.ID] = d
			}
		case "t":
			var names []string
			if err = json.Unmarshal(v, &names); err == nil {
				for _, n := range names {
					e.themes.idx(n)
				}
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, err := range errs {
		e.log.Warn("alerts: ignoring an unreadable state record", "err", err)
	}
	return nil
}

// Observe records a batch of ingested reviews (new ones, new versions,
// reviews marked deleted) and evaluates the rules on it: per-review
// rules at once, statistical rules for the locations the batch touched.
// It never blocks on a notification.
func (e *Engine) Observe(ctx context.Context, reviews []review.Review) {
	if len(reviews) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now().UTC()
	touched := e.record(reviews, now)
	for i := range reviews {
		e.perReview(&reviews[i], now)
	}
	for _, id := range sortedKeys(touched) {
		e.evaluateLocation(e.locs[id], now, false)
	}
	e.commit()
}

// Seed records reviews in the history without evaluating anything: to
// give a new alerting set-up the history already indexed.
func (e *Engine) Seed(_ context.Context, reviews []review.Review) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.record(reviews, e.now().UTC()) {
		e.setPending(l, false)
	}
	e.commit()
}

// HasHistory reports whether the engine holds any history (a new set-up
// may Seed it from the index).
func (e *Engine) HasHistory() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.locs) > 0
}

// record adds reviews to the history and returns the locations touched.
func (e *Engine) record(reviews []review.Review, now time.Time) map[string]*locState {
	touched := map[string]*locState{}
	nowM := minuteOf(now)
	themes := len(e.themes.names)
	defer func() {
		if len(e.themes.names) != themes {
			e.themesDirty = true
		}
	}()
	for i := range reviews {
		r := &reviews[i]
		loc := r.Location
		if loc == "" {
			loc = e.cat.srcLoc[r.Source]
		}
		if loc == "" || r.ID == "" {
			continue
		}
		l := e.locs[loc]
		if l == nil {
			brand := r.Brand
			if brand == "" {
				brand = e.cat.locBrand[loc]
			}
			l = newLocState(loc, brand)
			e.locs[loc] = l
		}
		l.lastData = now
		if !l.evaluated {
			touched[loc] = l // the first data of a location is always evaluated
		}
		if !r.DeletedAt.IsZero() {
			l.remove(r.ID)
			continue
		}
		pub := r.PublishedAt
		if pub.IsZero() {
			pub = r.FetchedAt
		}
		if pub.IsZero() || pub.After(now) {
			pub = now
		}
		h := minuteOf(pub)
		_, off := pub.Zone()
		src := l.source(r.Source)
		isNew := false
		if _, known := l.ids[r.ID]; !known {
			isNew = true
		}
		if h < l.earliest[src] {
			l.earliest[src] = h
			l.changed = true
			l.invalidate() // the coverage moved
		}
		if isNew {
			if off != 0 || l.offset == 0 {
				l.offset = int32(math.Round(float64(off) / 3600))
			}
			p := e.profiles[l.brand]
			if p == nil {
				p = &profile{}
				e.profiles[l.brand] = p
			}
			p.add(hourOfWeek(h/60, l.offset))
			e.dirtyProf[l.brand] = true
		}
		if h < nowM-e.retention {
			continue // counted in the weekly profile and coverage only
		}
		en := entry{at: h, src: src, lang: langCode(r.Lang), sent: sentCode(r.Sentiment), id: r.ID}
		if r.RatingNorm != nil {
			en.rating = float32(1 + 4**r.RatingNorm)
		}
		for _, t := range r.Themes {
			ti, ok := e.themes.idx(t.Name)
			if !ok {
				continue
			}
			en.anyT |= 1 << uint(ti)
			if t.Label == "negative" {
				en.negT |= 1 << uint(ti)
			}
		}
		if en.negative() || en.negT != 0 || (en.rating > 0 && en.rating <= 2) {
			en.excerpt = excerptOf(r)
			en.url = r.URL
		}
		l.put(en)
		e.brandAdded[l.brand]++
		if en.negative() || en.negT != 0 || (en.rating > 0 && en.rating <= 2) {
			// Only what could raise an alert is evaluated at once; the
			// rest counts in baselines, and Tick follows open alerts.
			touched[loc] = l
		}
	}
	for _, l := range touched {
		e.setPending(l, true)
	}
	return touched
}
