package alert

import (
	"context"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/vigie-dev/vigie/config"
)

// The source_health rule: a source failing for longer than failing_for, a
// run that finds no review where the last one found some, or a source
// with no new review for silent_for where its baseline makes that
// improbable.

// sourceState is what the engine remembers of a source's runs.
type sourceState struct {
	Location string `json:"location,omitempty"`
	Brand    string `json:"brand,omitempty"`
	// FailingSince is the start of the first of the failed runs in a row.
	FailingSince time.Time `json:"failing_since,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	LastOK       time.Time `json:"last_ok,omitzero"`
	// LastFound is what the last run that fetched pages found; Empty says
	// a run found nothing where the one before found reviews.
	LastFound int  `json:"last_found"`
	Empty     bool `json:"empty,omitempty"`
	Runs      int  `json:"runs"`
}

// ObserveRun records the outcome of a run of a source and evaluates the
// source_health rules on it.
func (e *Engine) ObserveRun(_ context.Context, run SourceRun) {
	if run.Source == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now().UTC()
	st := e.sources[run.Source]
	if st == nil {
		st = &sourceState{}
		e.sources[run.Source] = st
	}
	st.Location = run.Location
	if st.Location == "" {
		st.Location = e.cat.srcLoc[run.Source]
	}
	st.Brand = run.Brand
	if st.Brand == "" {
		st.Brand = e.cat.locBrand[st.Location]
	}
	st.Runs++
	start := run.Start
	if start.IsZero() {
		start = now
	}
	switch {
	case run.Failed:
		if st.FailingSince.IsZero() {
			st.FailingSince = start
		}
		e.anyFailing = true
		st.LastError = run.Err
	default:
		st.FailingSince = time.Time{}
		st.LastError = ""
		if run.OK {
			st.LastOK = run.End
			if st.LastOK.IsZero() {
				st.LastOK = now
			}
		}
		if run.Pages > 0 {
			if run.OK && run.Found == 0 && st.LastFound > 0 {
				st.Empty = true
			} else if run.Found > 0 {
				st.Empty = false
			}
			if run.Found > 0 || run.OK {
				st.LastFound = max(run.Found, 0)
				if st.Empty {
					// Keep the count that made the silence notable.
					st.LastFound = 0
				}
			}
		}
	}
	e.dirtySources[run.Source] = true
	e.checkSource(run.Source, st, now)
	e.commit()
}

// srcRef is a configured source with what the checks need at hand.
type srcRef struct {
	id, loc, brand string
	enabled        bool
	l              *locState
	si             int // index in l.sources, -1 unknown
}

// checkSources evaluates the sources (Tick): those failing or with an
// alert at every tick, all of them (silence) every six hours: the
// thresholds are days.
func (e *Engine) checkSources(now time.Time) {
	if !e.hasHealth {
		return
	}
	all := now.Sub(e.lastSourceCheck) >= 6*time.Hour
	if all {
		e.lastSourceCheck = now
	} else if len(e.srcActive) == 0 && !e.anyFailing {
		return
	}
	e.anyFailing = false
	for _, ref := range e.srcRefs {
		if !ref.enabled {
			continue
		}
		st := e.sources[ref.id]
		quiet := e.srcActive[ref.id] == 0 && (st == nil || (st.FailingSince.IsZero() && !st.Empty))
		if quiet && (!all || e.recentData(ref, now)) {
			continue // nothing wrong, and reviews came lately: not silent
		}
		if st == nil {
			st = &sourceState{Location: ref.loc, Brand: ref.brand}
		}
		if !st.FailingSince.IsZero() {
			e.anyFailing = true
		}
		e.checkSource(ref.id, st, now)
	}
}

// recentData reports whether ref brought a review within the shortest
// silent_for of the rules (it cannot be silent).
func (e *Engine) recentData(ref *srcRef, now time.Time) bool {
	if ref.l == nil {
		if ref.l = e.locs[ref.loc]; ref.l == nil {
			return false
		}
	}
	if ref.si < 0 || ref.si >= len(ref.l.latest) || ref.l.sources[ref.si] != ref.id {
		i, ok := ref.l.srcIdx[ref.id]
		if !ok {
			return false
		}
		ref.si = int(i)
	}
	return e.minSilent > 0 && ref.l.latest[ref.si] > minuteOf(now)-e.minSilent
}

// checkSource raises or resolves src's source_health alerts.
func (e *Engine) checkSource(src string, st *sourceState, now time.Time) {
	for _, r := range e.rules {
		if r.cfg.Kind != config.RuleSourceHealth || !r.inScope(st.Brand, st.Location) || !r.acceptSource(src) {
			continue
		}
		var what, series string
		p := 0.0
		expected := 0.0
		switch {
		case !st.FailingSince.IsZero() && now.Sub(st.FailingSince) >= r.cfg.FailingFor.D():
			series = "failing"
			what = "failing for " + roundDuration(now.Sub(st.FailingSince))
			if st.LastError != "" {
				what += ": " + st.LastError
			}
		case st.Empty && r.cfg.IsZeroReviews():
			series = "empty"
			what = "found no reviews where it used to: the site may have changed (check it with `vigie extract URL`)"
		default:
			if sil := r.cfg.SilentFor.D(); sil > 0 {
				if mu, prob, ok := e.silence(src, st.Location, r, now); ok && prob < r.cfg.Probability {
					series, p, expected = "silent", prob, mu
					what = "brought no new review for " + config.Period(sil).String() + " where about " + formatCount(mu) + " were expected"
				}
			}
		}
		if series == "" {
			if e.srcActive[src] > 0 {
				if a := e.active["src/"+r.cfg.Name+"/"+src]; a != nil {
					e.resolve(a, now, "auto", r.notifyResolved)
				}
			}
			continue
		}
		key := "src/" + r.cfg.Name + "/" + src
		if a := e.active[key]; a != nil && a.Contribs[r.cfg.Name+"|"+series] != nil {
			continue // known; nothing new to say
		}
		ev := &evidence{rule: r, series: series, key: key, brand: st.Brand, location: st.Location, source: src,
			expected: expected, p: p, to: now, search: url.Values{"source": {src}, "sort": {"date"}}}
		ev.title = sourceText(e, src, st.Location, map[string]string{"failing": "is failing", "empty": "found no reviews", "silent": "went silent"}[series])
		ev.summary = sourceText(e, src, st.Location, what) + "."
		if a := e.active[key]; a != nil {
			clear(a.Contribs) // the condition changed: the new one stands
		}
		e.raise(ev, now)
	}
}

func roundDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return config.Period(d.Round(24 * time.Hour)).String()
	case d >= time.Hour:
		return d.Round(time.Hour).String()
	}
	return d.Round(time.Minute).String()
}

func formatCount(v float64) string { return strconv.Itoa(int(math.Round(v))) }

// silence returns the expected count of src's reviews over the last
// silent_for and the probability of seeing none, when its history covers
// enough of the baseline before.
func (e *Engine) silence(src, loc string, r *rule, now time.Time) (mu, p float64, ok bool) {
	var l *locState
	if ref := e.srcByID[src]; ref != nil && ref.loc == loc {
		if ref.l == nil {
			ref.l = e.locs[loc]
		}
		l = ref.l
	} else {
		l = e.locs[loc]
	}
	if l == nil || len(l.entries) == 0 {
		return 0, 1, false
	}
	si, known := l.srcIdx[src]
	if !known || l.earliest[si] == math.MaxInt32 {
		return 0, 1, false
	}
	nowM := minuteOf(now)
	sm := int32(r.cfg.SilentFor.D() / time.Minute)
	bm := int32(r.cfg.Baseline.D() / time.Minute)
	winStart := nowM - sm
	if l.latest[si] >= winStart {
		return 0, 1, false // not silent
	}
	from := max(winStart-bm, l.earliest[si])
	if from > winStart-bm/2 {
		return 0, 1, false
	}
	prof := e.profile(l.brand)
	c := 0.0
	for i := l.search(from); i < len(l.entries); i++ {
		en := &l.entries[i]
		if en.src != si {
			continue
		}
		if en.at >= winStart {
			return 0, 1, false // not silent
		}
		c++
	}
	eBase := prof.exposure(from, winStart, l.offset)
	eWin := prof.exposure(winStart, nowM, l.offset)
	if eBase <= 0 || c == 0 {
		return 0, 1, false
	}
	mu = c / eBase * eWin
	// Gamma(c, eBase) posterior: P(0) = (eBase/(eBase+eWin))^c.
	return mu, math.Pow(eBase/(eBase+eWin), c), true
}
