package alert

import (
	"math"
	"net/url"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/review"
)

// The rules that look at one review at a time: keyword and review. Only
// reviews published within the rule's max_age count: a first crawl
// brings years of history, which is not news.

func (e *Engine) perReview(rv *review.Review, now time.Time) {
	if !rv.DeletedAt.IsZero() || rv.ID == "" {
		return
	}
	loc := rv.Location
	if loc == "" {
		loc = e.cat.srcLoc[rv.Source]
	}
	brand := rv.Brand
	if brand == "" {
		brand = e.cat.locBrand[loc]
	}
	pub := rv.PublishedAt
	if pub.IsZero() {
		pub = rv.FetchedAt
	}
	if pub.IsZero() || pub.After(now) {
		pub = now
	}
	for _, r := range e.rules {
		if r.cfg.Kind != config.RuleKeyword && r.cfg.Kind != config.RuleReview {
			continue
		}
		if !r.inScope(brand, loc) || !r.acceptSource(rv.Source) || !r.acceptLang(rv.Lang) {
			continue
		}
		if now.Sub(pub) > r.cfg.MaxAge.D() {
			continue
		}
		if len(r.cfg.Scope.Themes) > 0 && !mentions(rv, r.cfg.Scope.Themes) {
			continue
		}
		if r.cfg.Kind == config.RuleKeyword {
			e.keyword(r, rv, brand, loc, pub, now)
		} else {
			e.reviewRule(r, rv, brand, loc, pub, now)
		}
	}
}

func mentions(rv *review.Review, themes []string) bool {
	for _, t := range rv.Themes {
		if contains(themes, t.Name) {
			return true
		}
	}
	return false
}

func stars(rv *review.Review) float64 {
	if rv.RatingNorm == nil {
		return 0
	}
	return math.Round((1+4**rv.RatingNorm)*10) / 10
}

func exampleOf(rv *review.Review, pub time.Time) Example {
	return Example{ID: rv.ID, Source: rv.Source, PublishedAt: pub, Rating: stars(rv), Lang: rv.Lang, Text: excerptOf(rv), URL: rv.URL}
}

func (e *Engine) keyword(r *rule, rv *review.Review, brand, loc string, pub, now time.Time) {
	text := rv.Text
	if rv.Title != "" {
		text = rv.Title + "\n" + rv.Text
	}
	for _, m := range r.matcher.match(text, rv.Lang) {
		key := "kw/" + r.cfg.Name + "/" + loc + "/" + m.Category
		n := 1
		var examples []Example
		a := e.active[key]
		if p := e.last[key]; a == nil && p != nil && p.ResolvedBy == "auto" && now.Sub(p.ResolvedAt) < r.cfg.Cooldown.D() {
			a = p // to be reopened
		}
		if a != nil {
			if contains(a.ReviewIDs, rv.ID) {
				continue // an edit of a review already counted
			}
			n = len(a.ReviewIDs) + 1
			examples = a.Examples
		}
		examples = append([]Example{exampleOf(rv, pub)}, examples...)
		if len(examples) > 3 {
			examples = examples[:3]
		}
		ev := &evidence{rule: r, series: m.Category, key: key, brand: brand, location: loc, theme: "",
			observed: n, reviewIDs: []string{rv.ID}, examples: examples, window: r.cfg.Cooldown.D(), to: now,
			search: url.Values{"location": {loc}, "q": {m.Phrase}, "sort": {"date"}}}
		ev.title, ev.summary = keywordText(e, loc, m.Category, n, m.Phrase, r)
		if a := e.raise(ev, now); a != nil {
			a.LastMatch = now
		}
	}
}

func (e *Engine) reviewRule(r *rule, rv *review.Review, brand, loc string, pub, now time.Time) {
	key := "rev/" + r.cfg.Name + "/" + rv.ID
	if e.last[key] != nil {
		return // notified already (the review was edited since)
	}
	s := stars(rv)
	if r.cfg.MinRating != nil || r.cfg.MaxRating != nil {
		if s == 0 {
			if !r.cfg.Unrated {
				return
			}
		} else if (r.cfg.MinRating != nil && s < *r.cfg.MinRating) || (r.cfg.MaxRating != nil && s > *r.cfg.MaxRating) {
			return
		}
	}
	label := ""
	if rv.Sentiment != nil {
		label = rv.Sentiment.Label
	}
	if r.sentiments != nil && !r.sentiments[label] {
		return
	}
	ev := &evidence{rule: r, key: key, brand: brand, location: loc, observed: 1, reviewIDs: []string{rv.ID},
		examples: []Example{exampleOf(rv, pub)}, to: pub, resolveAtOnce: true,
		search: url.Values{"location": {loc}, "source": {rv.Source}, "sort": {"date"}}}
	ev.title, ev.summary = reviewText(e, loc, s, label, excerptOf(rv))
	e.raise(ev, now)
}

// expireKeywordAlerts resolves keyword alerts with no new match for their
// cooldown.
func (e *Engine) expireKeywordAlerts(now time.Time) {
	for _, k := range sortedKeys(e.active) {
		a := e.active[k]
		if a.Kind != config.RuleKeyword {
			continue
		}
		r := e.byName[a.Rule]
		cool := 7 * 24 * time.Hour
		if r != nil {
			cool = r.cfg.Cooldown.D()
		}
		last := a.LastMatch
		if last.IsZero() {
			last = a.UpdatedAt
		}
		if now.Sub(last) >= cool {
			e.resolve(a, now, "auto", r != nil && r.notifyResolved)
		}
	}
}
