package alert

import (
	"fmt"
	"math"
	"math/bits"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
)

// The statistical rules: negative_spike, rating_drop and theme_surge.
//
// negative_spike compares the count of negative reviews (or of negative
// mentions of a theme) in the window with what the location's own
// baseline predicts. Reviews come unevenly over the week (more at
// weekends, at lunch): each hour has a weight from the brand's weekly
// profile, and a period's exposure is the sum of its hours' weights (in
// "average hours"; windows are measured to the minute). The
// location's rate is a Gamma posterior: a prior from the brand (the
// location's own volume times the brand's share of such reviews, worth
// brand_prior of history) updated with the location's baseline count.
// The window's count then follows a negative binomial (the posterior
// predictive, widened by the configured dispersion for days that differ
// more than chance says); the rule fires when the count reaches
// min_count and its upper tail probability is below probability.

func isStatistical(kind string) bool {
	return kind == config.RuleNegativeSpike || kind == config.RuleRatingDrop || kind == config.RuleThemeSurge
}

// rule is a compiled rule.
type rule struct {
	cfg                                  config.AlertRule
	idx                                  int
	brands, locations, sources, langsSet map[string]bool
	sentiments                           map[string]bool
	matcher                              *matcher
	notifyResolved                       bool
	// sig identifies the window, baseline and scope: rules with the
	// same share their counts (pass number sigIdx).
	sig    string
	sigIdx int
}

func set(list []string) map[string]bool {
	if len(list) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, s := range list {
		m[s] = true
	}
	return m
}

func compileRule(c config.AlertRule, idx int) (*rule, error) {
	r := &rule{cfg: c, idx: idx, brands: set(c.Scope.Brands), locations: set(c.Scope.Locations),
		sources: set(c.Scope.Sources), langsSet: set(c.Scope.Languages), sentiments: set(c.Sentiments)}
	if c.NotifyResolved != nil {
		r.notifyResolved = *c.NotifyResolved
	} else {
		r.notifyResolved = c.Kind != config.RuleKeyword && c.Kind != config.RuleReview
	}
	if c.Kind == config.RuleKeyword {
		r.matcher = newMatcher(c.Phrases, c.UseDefaultPhrases(), c.Exclude)
	}
	// Defaults for rules built without config.Load (tests).
	if c.Window == 0 {
		r.cfg.Window = config.Period(24 * time.Hour)
	}
	if c.Baseline == 0 {
		r.cfg.Baseline = config.Period(8 * 7 * 24 * time.Hour)
	}
	sorted := func(l []string) string {
		c := append([]string(nil), l...)
		sort.Strings(c)
		return strings.Join(c, ",")
	}
	r.sig = fmt.Sprintf("%d/%d/%s/%s/%s", r.cfg.Window.D()/time.Hour, r.cfg.Baseline.D()/time.Hour,
		sorted(c.Scope.Sources), sorted(c.Scope.Languages), sorted(c.Scope.Themes))
	return r, nil
}

func (r *rule) inScope(brand, loc string) bool {
	return (r.brands == nil || r.brands[brand]) && (r.locations == nil || r.locations[loc])
}

func (r *rule) acceptSource(src string) bool { return r.sources == nil || r.sources[src] }

func (r *rule) acceptLang(l string) bool { return r.langsSet == nil || r.langsSet[l] }

func (r *rule) accept(l *locState, en *entry) bool {
	return (r.sources == nil || r.sources[l.sources[en.src]]) && (r.langsSet == nil || r.langsSet[langs[en.lang]])
}

// seriesMask returns the themes a rule watches separately (bits), and
// scope, the themes that limit the location-wide series.
func (e *Engine) seriesMask(r *rule) (themes uint64, scope uint64) {
	if len(r.cfg.Scope.Themes) > 0 {
		for _, t := range r.cfg.Scope.Themes {
			e.themes.idx(t)
		}
		scope = e.themes.mask(r.cfg.Scope.Themes)
	}
	switch {
	case r.cfg.Kind == config.RuleThemeSurge || r.cfg.Theme == "*":
		if scope != 0 {
			themes = scope
		} else if n := len(e.themes.names); n > 0 {
			themes = (1 << uint(n)) - 1
		}
	case r.cfg.Theme != "":
		if i, ok := e.themes.idx(r.cfg.Theme); ok {
			themes = 1 << uint(i)
		}
	}
	return themes, scope
}

// window is a rule's window and baseline at one moment, in Unix
// minutes: the window is [winStart, now], the full baseline [baseStart,
// winStart).
type window struct {
	now       int32
	winStart  int32
	baseStart int32
	wm, bm    int32 // lengths
}

func windowOf(r *rule, now time.Time) window {
	w := window{now: minuteOf(now)}
	w.wm = max(int32(r.cfg.Window.D()/time.Minute), 60)
	w.bm = max(int32(r.cfg.Baseline.D()/time.Minute), 60)
	w.winStart = w.now - w.wm
	w.baseStart = w.winStart - w.bm
	return w
}

// counts are what one pass over a location's history found for a
// window, a baseline and a scope (rules that share them share the pass).
type counts struct {
	nBase, eBase, eWin float64
	cBase, cWin        [maxThemes + 1]float64 // 0: negative reviews; 1+t: theme t
	// ratings of the baseline, and the window's rated entries, newest
	// first
	rBase, rBase2, rBaseN float64
	sampleIdx             []int
	valid                 bool
}

// pass counts l's history for r over w, every theme. The baseline's
// counts are cached for six hours (they move by a few reviews a day):
// the evaluation after each batch then only reads the window.
func (e *Engine) pass(l *locState, r *rule, w window, p *profile, scope uint64, cs *counts) {
	*cs = counts{sampleIdx: cs.sampleIdx[:0], valid: cs.valid}
	from := max(w.baseStart, l.coverage())
	from = min(from, w.winStart)
	cs.eWin = p.exposure(w.winStart, w.now, l.offset)
	bc := l.baseCache(r.sigIdx, len(e.passes))
	start := from
	if bc.valid && w.now-bc.at < 6*60 && w.now >= bc.at && bc.from <= from+6*60 {
		cs.nBase, cs.eBase, cs.cBase = bc.nBase, bc.eBase, bc.cBase
		cs.rBase, cs.rBase2, cs.rBaseN = bc.rBase, bc.rBase2, bc.rBaseN
		start = w.winStart
	} else {
		cs.eBase = p.exposure(from, w.winStart, l.offset)
	}
	for i := l.search(start); i < len(l.entries); i++ {
		en := &l.entries[i]
		if en.at > w.now {
			break
		}
		if !r.accept(l, en) {
			continue
		}
		tgt := &cs.cBase
		if en.at >= w.winStart {
			tgt = &cs.cWin
			if en.rating > 0 {
				cs.sampleIdx = append(cs.sampleIdx, i)
			}
		} else {
			cs.nBase++
			if en.rating > 0 {
				cs.rBase += float64(en.rating)
				cs.rBase2 += float64(en.rating) * float64(en.rating)
				cs.rBaseN++
			}
		}
		if en.negative() && (scope == 0 || en.negT&scope != 0) {
			tgt[0]++
		}
		for m := en.negT; m != 0; m &= m - 1 {
			tgt[1+bits.TrailingZeros64(m)]++
		}
	}
	// The rated reviews of the window, newest first.
	slices.Reverse(cs.sampleIdx)
	if start != w.winStart {
		*bc = baseline{valid: true, at: w.now, from: from, winStart: w.winStart, nBase: cs.nBase, eBase: cs.eBase,
			cBase: cs.cBase, rBase: cs.rBase, rBase2: cs.rBase2, rBaseN: cs.rBaseN}
		l.cacheEnd = max(l.cacheEnd, w.winStart)
	}
}

// mentions sums the negative mentions of every theme, in the baseline or
// the window (cached: the pass is reset before each evaluation).
func (cs *counts) mentions(base bool) float64 {
	src := &cs.cWin
	if base {
		src = &cs.cBase
	}
	n := 0.0
	for i := 1; i < len(src); i++ {
		n += src[i]
	}
	return n
}

// aggKey names a brand-wide baseline: rules with the same window,
// baseline and scope share it.
type aggKey struct {
	brand string
	sig   string
}

// aggregate is a brand-wide baseline: the sums of its locations' counts,
// the prior that locations with little history borrow from.
type aggregate struct {
	at    int32 // minute computed
	added int   // entries added to the brand's history then
	locs  int
	counts
}

// aggregate returns the brand-wide baseline of r, recomputing it when it
// is a week old or the brand's history grew by a tenth since: it is a
// prior, and moves slowly.
func (e *Engine) aggregate(brand string, r *rule, now time.Time, scope uint64) *aggregate {
	k := aggKey{brand, r.sig}
	a := e.aggs[k]
	added := e.brandAdded[brand]
	nowM := minuteOf(now)
	if a != nil && nowM-a.at < 7*24*60 && float64(added-a.added) <= 0.1*float64(a.added)+5 {
		return a
	}
	a = &aggregate{at: nowM, added: added}
	w := windowOf(r, now)
	p := e.profile(brand)
	var cs counts
	for _, l := range e.brandLocs(brand) {
		if !r.inScope(l.brand, l.id) || l.coverage() == math.MinInt32 {
			continue
		}
		e.pass(l, r, w, p, scope, &cs)
		if cs.eBase <= 0 {
			continue
		}
		a.locs++
		a.nBase += cs.nBase
		a.eBase += cs.eBase
		for i := range cs.cBase {
			a.cBase[i] += cs.cBase[i]
		}
		a.rBase += cs.rBase
		a.rBase2 += cs.rBase2
		a.rBaseN += cs.rBaseN
	}
	e.aggs[k] = a
	return a
}

// minBrandHistory is the history a brand needs, on average per location,
// before its rules judge anything: with less, what is usual is not known
// (a new set-up whose sources list only recent reviews).
const minBrandHistory = 14 * 24

func (a *aggregate) ready() bool {
	return a.locs > 0 && a.nBase > 0 && a.eBase/float64(a.locs) >= minBrandHistory
}

// brandLocs returns the locations of brand, in id order.
func (e *Engine) brandLocs(brand string) []*locState {
	if len(e.byBrand) == 0 || e.byBrandN != len(e.locs) {
		e.byBrand = map[string][]*locState{}
		for _, id := range sortedKeys(e.locs) {
			l := e.locs[id]
			e.byBrand[l.brand] = append(e.byBrand[l.brand], l)
		}
		e.byBrandN = len(e.locs)
	}
	return e.byBrand[brand]
}

func (e *Engine) profile(brand string) *profile {
	p := e.profiles[brand]
	if p == nil {
		p = &profile{}
		e.profiles[brand] = p
	}
	p.weights()
	return p
}

// evaluateLocation evaluates the statistical rules at l. Unless force,
// rules whose baseline the history does not cover for at least half are
// left for later (a first crawl brings the newest reviews first).
func (e *Engine) evaluateLocation(l *locState, now time.Time, force bool) {
	if l == nil {
		return
	}
	nowM := minuteOf(now)
	if len(l.entries) > 0 && l.entries[0].at < nowM-e.retention-7*24*60 {
		l.prune(nowM - e.retention)
	}
	waiting := false
	evaluated := false
	for i := range e.passes {
		e.passes[i].valid = false
	}
	e.cur = e.active[l.key]
	for _, r := range e.rules {
		if !isStatistical(r.cfg.Kind) || !r.inScope(l.brand, l.id) {
			continue
		}
		cov := l.coverage()
		if cov == math.MinInt32 {
			continue
		}
		w := windowOf(r, now)
		if !force && cov > w.baseStart+w.bm/2 {
			waiting = true
			continue
		}
		evaluated = true
		themes, scope := e.seriesMask(r)
		cs := &e.passes[r.sigIdx]
		if !cs.valid {
			e.pass(l, r, w, e.profile(l.brand), scope, cs)
			cs.valid = true
		}
		agg := e.aggregate(l.brand, r, now, scope)
		switch r.cfg.Kind {
		case config.RuleNegativeSpike:
			if r.cfg.Theme == "" {
				e.spike(l, r, w, cs, agg, 0, now)
			}
			for m := themes; m != 0; m &= m - 1 {
				e.spike(l, r, w, cs, agg, 1+bits.TrailingZeros64(m), now)
			}
		case config.RuleThemeSurge:
			n, n0, nB := cs.mentions(false), cs.mentions(true), agg.mentions(true)
			for m := themes; m != 0; m &= m - 1 {
				e.surge(l, r, w, cs, agg, 1+bits.TrailingZeros64(m), n, n0, nB, now)
			}
		case config.RuleRatingDrop:
			e.ratingDrop(l, r, w, cs, agg, now)
		}
	}
	// The strongest evidence first: it names the incident (its theme).
	sort.SliceStable(e.firing, func(i, j int) bool { return e.firing[i].p < e.firing[j].p })
	for _, ev := range e.firing {
		e.fire(l, ev, now)
	}
	clear(e.firing)
	e.firing = e.firing[:0]
	e.setPending(l, waiting)
	if evaluated {
		l.evaluated = true
	}
	if evaluated || force {
		e.resolveSubsided(l, now)
	}
	e.cur = nil
}

// seriesName is the theme of series s ("" for negative reviews).
func (e *Engine) seriesName(s int) string {
	if s == 0 || s-1 >= len(e.themes.names) {
		return ""
	}
	return e.themes.names[s-1]
}

// spikeTest returns the expected count of series s in the window and the
// probability of the observed count or more.
func spikeTest(r *rule, cs *counts, agg *aggregate, s int) (mu, p float64, ok bool) {
	if !agg.ready() {
		return 0, 1, false
	}
	beta := r.cfg.BrandPrior.D().Hours()
	if beta <= 0 {
		beta = 168
	}
	vBrand := agg.nBase / agg.eBase // reviews per exposure hour, per location
	share := agg.cBase[s] / agg.nBase
	vLoc := (cs.nBase + beta*vBrand) / (cs.eBase + beta)
	alpha := math.Max(beta*vLoc*share, 1e-3)
	lambda := (alpha + cs.cBase[s]) / (beta + cs.eBase)
	mu = lambda * cs.eWin
	if cs.cWin[s] <= mu {
		return mu, 1, true // at or below what is expected
	}
	shape := 1 / (1/(alpha+cs.cBase[s]) + r.cfg.DispersionValue())
	return mu, NegBinomialTail(int(cs.cWin[s]), mu, shape), true
}

func (e *Engine) spike(l *locState, r *rule, w window, cs *counts, agg *aggregate, s int, now time.Time) {
	theme := e.seriesName(s)
	obs := int(cs.cWin[s])
	if obs < max(r.cfg.MinCount, 1) && !e.tracked(l, r, theme) {
		return // cannot fire, and no alert to follow
	}
	mu, p, ok := spikeTest(r, cs, agg, s)
	if !ok {
		return
	}
	fire := obs >= max(r.cfg.MinCount, 1) && p < r.cfg.Probability
	if !fire {
		e.track(l, r, theme, p, now)
		return
	}
	ev := e.statEvidence(l, r, w, s, now)
	ev.observed, ev.expected, ev.p = obs, mu, p
	ev.title, ev.summary = spikeText(e, l, r, theme, obs, mu, p)
	e.firing = append(e.firing, ev)
}

func (e *Engine) surge(l *locState, r *rule, w window, cs *counts, agg *aggregate, s int, n, n0, nB float64, now time.Time) {
	k, k0, kB := cs.cWin[s], cs.cBase[s], agg.cBase[s]
	theme := e.seriesName(s)
	if n == 0 || nB == 0 || !agg.ready() {
		e.track(l, r, theme, 1, now)
		return
	}
	pB := (kB + 1) / (nB + 2)
	const weight = 20.0 // the brand's share counts for 20 mentions
	p0 := (k0 + weight*pB) / (n0 + weight)
	conc := n0 + weight
	share := k / n
	p := 1.0
	switch {
	case share-p0 < r.cfg.MinIncrease/2:
		// No longer a surge, whatever the count.
	case int(k) < max(r.cfg.MinCount, 1) && !e.tracked(l, r, theme):
		return
	default:
		p = BetaBinomialTail(int(k), int(n), p0*conc, (1-p0)*conc)
	}
	fire := int(k) >= max(r.cfg.MinCount, 1) && p < r.cfg.Probability && share-p0 >= r.cfg.MinIncrease
	if !fire {
		e.track(l, r, theme, p, now)
		return
	}
	ev := e.statEvidence(l, r, w, s, now)
	ev.observed, ev.expected, ev.p = int(k), n*p0, p
	ev.obsValue, ev.expValue = share, p0
	ev.title, ev.summary = surgeText(e, l, r, theme, int(k), int(n), share, p0, p)
	e.firing = append(e.firing, ev)
}

func (e *Engine) ratingDrop(l *locState, r *rule, w window, cs *counts, agg *aggregate, now time.Time) {
	sample := cs.sampleIdx
	if len(sample) > max(r.cfg.Reviews, 1) {
		sample = sample[:max(r.cfg.Reviews, 1)]
	}
	n := float64(len(sample))
	if int(n) < max(r.cfg.MinReviews, 2) || !agg.ready() {
		e.track(l, r, "", 1, now)
		return
	}
	m := 0.0
	for _, i := range sample {
		m += float64(l.entries[i].rating)
	}
	m /= n
	meanB, varB := 4.0, 1.5
	if agg.rBaseN >= 10 {
		meanB = agg.rBase / agg.rBaseN
		varB = math.Max(agg.rBase2/agg.rBaseN-meanB*meanB, 0.25)
	}
	const k = 20.0 // the brand's average counts for 20 reviews
	n0 := cs.rBaseN
	mean0, var0 := meanB, varB
	if n0 > 0 {
		mean0 = cs.rBase / n0
		var0 = math.Max(cs.rBase2/n0-mean0*mean0, 0)
	}
	mu0 := (n0*mean0 + k*meanB) / (n0 + k)
	v := math.Max((n0*var0+k*varB)/(n0+k), 0.25)
	se := math.Sqrt(v/n + v/(n0+k))
	drop := mu0 - m
	p := NormalTail(drop / se)
	fire := p < r.cfg.Probability && drop >= r.cfg.MinDrop
	if !fire {
		if drop < r.cfg.MinDrop/2 {
			p = 1
		}
		e.track(l, r, "", p, now)
		return
	}
	ev := e.statEvidence(l, r, w, -1, now)
	ev.observed, ev.expected, ev.p = int(n), 0, p
	ev.obsValue, ev.expValue = m, mu0
	ev.reviewIDs, ev.examples = nil, nil
	var low []int
	for _, i := range sample {
		en := &l.entries[i]
		ev.reviewIDs = append(ev.reviewIDs, en.id)
		if en.rating <= 2 {
			low = append(low, i)
		}
	}
	ev.examples = examplesOf(l, low, 3)
	ev.title, ev.summary = ratingText(e, l, r, int(n), m, mu0, p)
	ev.search.Set("max_rating", "2")
	ev.search.Del("sentiment")
	e.firing = append(e.firing, ev)
}

// statEvidence builds the evidence of series s (-1: no series) at l: the
// reviews of the window and links.
func (e *Engine) statEvidence(l *locState, r *rule, w window, s int, now time.Time) *evidence {
	theme := ""
	if s > 0 {
		theme = e.seriesName(s)
	}
	ev := &evidence{rule: r, series: theme, brand: l.brand, location: l.id, theme: theme,
		window: r.cfg.Window.D(), from: timeOfMinute(w.winStart), to: now}
	ev.key = statKey(l.id)
	if s >= 0 {
		_, scope := e.seriesMask(r)
		var idx []int
		var bit uint64
		if s > 0 {
			bit = 1 << uint(s-1)
		}
		for i := len(l.entries) - 1; i >= 0; i-- {
			en := &l.entries[i]
			if en.at > w.now {
				continue
			}
			if en.at < w.winStart {
				break
			}
			if !r.accept(l, en) {
				continue
			}
			if (s == 0 && en.negative() && (scope == 0 || en.negT&scope != 0)) || (s > 0 && en.negT&bit != 0) {
				idx = append(idx, i)
			}
		}
		for _, i := range idx {
			if len(ev.reviewIDs) == 50 {
				break
			}
			ev.reviewIDs = append(ev.reviewIDs, l.entries[i].id)
		}
		ev.examples = examplesOf(l, idx, 3)
	}
	ev.search = url.Values{"location": {l.id}, "sentiment": {"negative"}, "from": {ev.from.Format(time.RFC3339)}, "sort": {"date"}}
	if theme != "" {
		ev.search.Set("theme", theme)
	}
	return ev
}

// examplesOf quotes up to n of the entries idx (newest first), those with
// text first.
func examplesOf(l *locState, idx []int, n int) []Example {
	var out []Example
	for pass := 0; pass < 2 && len(out) < n; pass++ {
		for _, i := range idx {
			if len(out) == n {
				break
			}
			en := &l.entries[i]
			if (pass == 0) != (en.excerpt != "") {
				continue
			}
			out = append(out, Example{ID: en.id, Source: l.sources[en.src], PublishedAt: timeOfMinute(en.at),
				Rating: math.Round(float64(en.rating)*10) / 10, Lang: langs[en.lang], Text: en.excerpt, URL: en.url})
		}
	}
	return out
}

func statKey(loc string) string { return "stat/" + loc }

// fire raises ev. Statistical alerts are kept by location: what fires at
// a location while an alert is open there (another theme, another window,
// the location-wide count) is the same incident and joins that alert; a
// theme makes a location-wide alert more precise.
func (e *Engine) fire(l *locState, ev *evidence, now time.Time) {
	e.raise(ev, now)
	e.cur = e.active[l.key]
}

// activeAt returns the active statistical alerts at location loc, by key.
func (e *Engine) activeAt(loc string) []*record {
	var out []*record
	for _, r := range e.active {
		if r.Location == loc && isStatistical(r.Kind) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// tracked reports whether an active alert at l follows r's series.
func (e *Engine) tracked(l *locState, r *rule, series string) bool {
	a := e.cur
	return a != nil && a.Contribs[r.cfg.Name+"|"+series] != nil
}

// track records an evaluation that did not fire on the alerts it
// contributes to: whether it is still elevated.
func (e *Engine) track(l *locState, r *rule, series string, p float64, now time.Time) {
	if a := e.cur; a != nil {
		c, ok := a.Contribs[r.cfg.Name+"|"+series]
		if !ok {
			return
		}
		elevated := p < r.cfg.ResolveProbability
		if c.Elevated != elevated || c.P != p {
			c.P, c.Elevated, c.At = p, elevated, now
			e.dirtyAlerts[a.ID] = true
		}
	}
}

// resolveSubsided resolves the alerts at l none of whose evaluations is
// still elevated.
func (e *Engine) resolveSubsided(l *locState, now time.Time) {
	for _, a := range e.activeAt(l.id) {
		elevated := false
		for _, c := range a.Contribs {
			r := e.byName[c.Rule]
			if r == nil || !isStatistical(r.cfg.Kind) || !r.inScope(l.brand, l.id) {
				continue // a rule since removed from the configuration
			}
			if c.Elevated {
				elevated = true
			}
		}
		if !elevated {
			r := e.byName[a.Rule]
			e.resolve(a, now, "auto", r != nil && r.notifyResolved)
		}
	}
}
