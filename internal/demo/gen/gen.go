package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigie-dev/vigie/internal/demo/brand"
)

// review is one line of reviews.jsonl. The field names are read by package
// demo.
type review struct {
	ID       string `json:"id"`
	Location string `json:"location"`
	// DaysAgo counts back from a reference Sunday; the site maps it onto
	// its epoch keeping the weekday (see package demo).
	DaysAgo int    `json:"days_ago"`
	Time    string `json:"time"` // local time of day, HH:MM
	Author  string `json:"author"`
	Rating  int    `json:"rating"`
	Title   string `json:"title,omitempty"`
	Text    string `json:"text"`
	// Lang and Themes are the ground truth, for tests and evaluation; the
	// site does not publish them.
	Lang   string   `json:"lang"`
	Themes []string `json:"themes,omitempty"`
	Reply  *reply   `json:"reply,omitempty"`
}

type reply struct {
	Author    string `json:"author"`
	Text      string `json:"text"`
	DaysAfter int    `json:"days_after"`
	Time      string `json:"time"`
}

// pol is the polarity of what a sentence says about a theme.
type pol int

const (
	pos pol = iota
	neg
	neu
	none pol = -1
)

func (p pol) String() string { return [...]string{"pos", "neg", "neu"}[p] }

func opposite(a, b pol) bool { return (a == pos && b == neg) || (a == neg && b == pos) }

// The themes, in the order of the product's list.
var themes = []string{"service", "waiting", "price", "cleanliness", "food", "product", "ambience", "location", "ordering", "payment", "hours", "overall"}

// baseWeight is how often a review talks about each theme, before a
// location's own biases.
var baseWeight = map[string]float64{
	"service": 1.3, "waiting": 0.7, "price": 0.8, "cleanliness": 0.5, "food": 1.9, "product": 0.55,
	"ambience": 0.8, "location": 0.45, "ordering": 0.45, "payment": 0.2, "hours": 0.3, "overall": 0.8,
}

// weeks is how far back the data goes: days_ago < 7*weeks, about 17.7
// months, so that dates stay within 18 months whatever the epoch's weekday.
const weeks = 77

const burstSize = 30

type generator struct {
	banks map[string]*bank
	usage map[string]int // template -> times used, to spread them out
	// drift is the running sum of (rating - trend) at the improving
	// location, kept small so that every stretch of its timeline follows
	// the trend instead of wandering.
	drift float64
}

func newGenerator() *generator {
	return &generator{
		banks: map[string]*bank{"fr": frBank(), "ru": ruBank(), "en": enBank()},
		usage: map[string]int{},
	}
}

// generate returns the whole data file.
func generate() []byte {
	g := newGenerator()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, loc := range brand.Locations() {
		sp := specFor(loc.ID)
		for _, rv := range g.location(loc, sp) {
			if err := enc.Encode(rv); err != nil {
				panic(err)
			}
		}
	}
	return buf.Bytes()
}

type slot struct {
	days  int
	hhmm  string
	burst bool
}

// weekdayWeight is indexed by days_ago % 7: Sunday, Saturday, Friday,
// Thursday, Wednesday, Tuesday, Monday. Weekends get more reviews.
var weekdayWeight = []float64{1.55, 1.65, 1.15, 0.9, 0.9, 0.8, 0.8}

// hourWeight is indexed by hour-7 (7:00 to 22:59).
var hourWeight = []float64{2, 5, 6, 6, 5, 7, 7, 5, 4, 4, 4, 4, 3.5, 3, 2, 1.5}

func (g *generator) location(loc brand.Location, sp *spec) []review {
	r := newRNG(seedOf(loc.ID))
	g.drift = 0
	weekW := make([]float64, weeks)
	for w := range weekW {
		weekW[w] = 1 + 0.5*(1-float64(w)/float64(weeks-1)) // a little more recent volume
	}
	slots := make([]slot, 0, sp.n+burstSize)
	for range sp.n {
		days := 7*r.weighted(weekW) + r.weighted(weekdayWeight)
		slots = append(slots, slot{days: days, hhmm: sampleTime(r)})
	}
	if sp.burst {
		// Escalating: more reviews as the last two weeks go on.
		dw := make([]float64, 14)
		for d := range dw {
			dw[d] = float64(16-d) * weekdayWeight[d%7]
		}
		for range burstSize {
			slots = append(slots, slot{days: r.weighted(dw), hhmm: sampleTime(r), burst: true})
		}
	}
	// Oldest first, so that templates are spread along the timeline.
	slices.SortStableFunc(slots, func(a, b slot) int {
		if a.days != b.days {
			return b.days - a.days
		}
		return strings.Compare(a.hhmm, b.hhmm)
	})
	out := make([]review, 0, len(slots)+2)
	for i, s := range slots {
		rr := newRNG(seedOf(loc.ID, strconv.Itoa(i)))
		rv := g.review(rr, loc, sp, s)
		rv.ID = externalID(loc.ID, strconv.Itoa(i))
		out = append(out, rv)
	}
	for i, rv := range specials {
		if rv.Location == loc.ID {
			rv.ID = externalID(loc.ID, "special-"+strconv.Itoa(i))
			out = append(out, rv)
		}
	}
	// Newest first in the file.
	slices.SortStableFunc(out, func(a, b review) int {
		if a.DaysAgo != b.DaysAgo {
			return a.DaysAgo - b.DaysAgo
		}
		if c := strings.Compare(b.Time, a.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func sampleTime(r *rng) string {
	return fmt.Sprintf("%02d:%02d", 7+r.weighted(hourWeight), r.intn(60))
}

// externalID is the review's stable identifier on the demo site.
func externalID(loc, key string) string {
	return fmt.Sprintf("mc-%010x", newRNG(seedOf("id", loc, key)).next()>>24)
}

// The rating distribution of a location is a mix of a harsh and a kind
// distribution (J-shaped, like real review sites) that gives the wanted
// mean.
var (
	harsh = []float64{0.30, 0.24, 0.22, 0.14, 0.10} // mean 2.50
	kind  = []float64{0.02, 0.02, 0.06, 0.22, 0.68} // mean 4.52
)

func sampleRating(r *rng, mean float64) int {
	a := (mean - 2.5) / (4.52 - 2.5)
	a = min(max(a, 0), 1)
	ws := make([]float64, 5)
	for i := range ws {
		ws[i] = (1-a)*harsh[i] + a*kind[i]
	}
	return 1 + r.weighted(ws)
}

func (g *generator) review(r *rng, loc brand.Location, sp *spec, s slot) review {
	t := 1 - float64(s.days)/float64(7*weeks) // 0 oldest, 1 today
	langs := make([]float64, len(sp.langs))
	for i, l := range sp.langs {
		langs[i] = l.w
	}
	lang := sp.langs[r.weighted(langs)].lang
	b := g.banks[lang]
	who := g.author(r, lang, loc)
	c := &ctx{r: r, gender: who.gender, lists: g.lists(b, lang, loc, who.first)}

	rating := 0
	if s.burst {
		rating = 1 + r.weighted([]float64{0.6, 0.4})
	} else if sp.trend {
		m := sp.meanAt(t)
		for range 12 {
			rating = sampleRating(r, m)
			if d := g.drift + float64(rating) - m; d >= -2.5 && d <= 2.5 {
				break
			}
		}
		g.drift += float64(rating) - m
	} else {
		rating = sampleRating(r, sp.meanAt(t))
	}
	comp := g.compose(c, b, loc, sp, rating, t, s.burst)
	rv := review{
		Location: loc.ID, DaysAgo: s.days, Time: s.hhmm, Author: who.display,
		Rating: rating, Text: comp.text, Lang: lang,
	}
	seen := map[string]bool{}
	for _, it := range comp.items {
		k := it.theme + ":" + it.pol.String()
		if !seen[k] {
			seen[k] = true
			rv.Themes = append(rv.Themes, k)
		}
	}
	if r.chance(b.titleRate) {
		rv.Title = g.title(c, b, comp)
	}
	rv.Reply = g.reply(r, loc, sp, lang, rating, t, s, comp, who)
	return rv
}

// item is one thing a review says: a theme and its polarity.
type item struct {
	theme string
	pol   pol
}

type composition struct {
	text  string
	items []item
	sent  pol // the sentiment the text expresses
	short bool
}

func sentimentOf(rating int) pol {
	switch {
	case rating >= 4:
		return pos
	case rating <= 2:
		return neg
	}
	return neu
}

// compose writes the text of one review.
func (g *generator) compose(c *ctx, b *bank, loc brand.Location, sp *spec, rating int, t float64, burst bool) composition {
	r := c.r
	tr := rating // the rating the text agrees with
	if !burst && r.chance(0.035) {
		// Some reviewers click the wrong star, or rate the place kinder or
		// harsher than what they write.
		tr = [...]int{0, 4, 4, 1, 2, 2}[rating]
		if rating == 1 && r.chance(0.5) {
			tr = 5
		}
	}
	comp := composition{sent: sentimentOf(tr)}
	u := r.float()
	switch {
	case u < 0.2:
		comp.short = true
		comp.text, comp.items = g.short(c, b, loc, sp, tr, t, burst)
	case u < 0.7:
		comp.text, comp.items = g.body(c, b, loc, sp, tr, t, burst, false)
	default:
		comp.text, comp.items = g.body(c, b, loc, sp, tr, t, burst, true)
	}
	comp.text = g.decorate(c, b, comp)
	return comp
}

// pickThemes draws n distinct themes after the location's weights.
func (g *generator) pickThemes(r *rng, sp *spec, n int, t float64, exclude ...string) []string {
	var names []string
	var ws []float64
	for _, th := range themes {
		if slices.Contains(exclude, th) {
			continue
		}
		names = append(names, th)
		ws = append(ws, sp.weight(th, t))
	}
	var out []string
	for len(out) < n && len(names) > 0 {
		i := r.weighted(ws)
		out = append(out, names[i])
		names = slices.Delete(names, i, i+1)
		ws = slices.Delete(ws, i, i+1)
	}
	return out
}

// polarity decides what a review rated tr says about a theme.
func polarity(r *rng, sp *spec, theme string, tr int, t float64, allowNeutral bool) pol {
	p := [...]float64{0, 0.06, 0.2, 0.5, 0.8, 0.93}[tr]
	if o, ok := sp.lean(theme, t); ok {
		p = 0.3*p + 0.7*o
	}
	if allowNeutral && r.chance(0.08) {
		return neu
	}
	if r.chance(p) {
		return pos
	}
	return neg
}

// assign gives polarities to themes, keeps the text coherent with its
// rating and orders the items as people tell them.
func (g *generator) assign(r *rng, sp *spec, names []string, tr int, t float64, allowNeutral bool) []item {
	items := make([]item, 0, len(names))
	var overall *item
	for _, th := range names {
		if th == "overall" {
			p := sentimentOf(tr)
			overall = &item{theme: th, pol: p}
			continue
		}
		items = append(items, item{th, polarity(r, sp, th, tr, t, allowNeutral)})
	}
	count := func(p pol) int {
		n := 0
		for _, it := range items {
			if it.pol == p {
				n++
			}
		}
		return n
	}
	if len(items) > 0 {
		switch {
		case tr >= 4 && count(pos) == 0:
			items[0].pol = pos
		case tr <= 2 && count(neg) == 0:
			items[0].pol = neg
		}
		// A 5 has at most one complaint, a 1 at most one compliment,
		// unless the location's bias says otherwise.
		if tr == 5 || tr == 1 {
			want := neg
			if tr == 1 {
				want = pos
			}
			seen := 0
			for i := range items {
				if items[i].pol != want {
					continue
				}
				if _, leaned := sp.lean(items[i].theme, t); leaned {
					continue
				}
				seen++
				if seen > 1 {
					items[i].pol = 1 - want
				}
			}
		}
	}
	// Order: the main feeling first, the other side after it.
	rank := func(p pol) int {
		switch {
		case tr >= 4:
			return map[pol]int{pos: 0, neu: 1, neg: 2}[p]
		case tr <= 2:
			return map[pol]int{neg: 0, neu: 1, pos: 2}[p]
		}
		return 0
	}
	if tr == 3 {
		for i := len(items) - 1; i > 0; i-- {
			j := r.intn(i + 1)
			items[i], items[j] = items[j], items[i]
		}
	} else {
		slices.SortStableFunc(items, func(a, b item) int { return rank(a.pol) - rank(b.pol) })
		// Sometimes an unhappy review ends on one more complaint.
		if tr <= 2 && len(items) >= 3 && items[len(items)-1].pol == pos && r.chance(0.5) {
			first := items[0]
			items = append(items[1:], first)
		}
	}
	if overall != nil {
		items = append(items, *overall)
	}
	return items
}

// short writes a review of 1 to 12 words.
func (g *generator) short(c *ctx, b *bank, loc brand.Location, sp *spec, tr int, t float64, burst bool) (string, []item) {
	r := c.r
	if burst {
		if r.chance(0.5) {
			return strings.TrimPrefix(g.choose(c, b.burstShort), "="), []item{{"waiting", neg}}
		}
	} else if r.chance(0.5) {
		line := strings.TrimPrefix(g.choose(c, b.oneLiners[tr]), "=")
		if ann, rest, ok := strings.Cut(line, "]"); ok && strings.HasPrefix(ann, "[") {
			var items []item
			for _, a := range strings.Split(ann[1:], ",") {
				th, p, _ := strings.Cut(a, ":")
				items = append(items, item{th, map[string]pol{"pos": pos, "neg": neg, "neu": neu}[p]})
			}
			return rest, items
		}
		return line, []item{{"overall", sentimentOf(tr)}}
	}
	for attempt := 0; ; attempt++ {
		k := 1
		if r.chance(0.5) && attempt < 4 {
			k = 2
		}
		var names []string
		if burst {
			names = append([]string{"waiting"}, g.pickThemes(r, sp, k-1, t, "waiting", "overall")...)
		} else {
			names = g.pickThemes(r, sp, k, t)
		}
		items := g.assign(r, sp, names, tr, t, false)
		if burst {
			for i := range items {
				if items[i].theme == "waiting" {
					items[i].pol = neg
					items[0], items[i] = items[i], items[0]
				}
			}
		}
		for i := range items {
			if items[i].pol == neu {
				items[i].pol = sentimentOf(tr)
				if items[i].pol == neu {
					items[i].pol = pos
				}
			}
		}
		var s string
		if len(items) == 1 {
			s = capFirst(g.clause(c, b, items[0]))
		} else {
			join := pick(r, b.sameJoin)
			if opposite(items[0].pol, items[1].pol) {
				join = pick(r, b.contrastJoin)
			}
			s = capFirst(g.clause(c, b, items[0])) + join + g.clause(c, b, items[1])
		}
		s += g.ending(r, b, sentimentOf(tr))
		if words(s) <= 12 {
			return s, items
		}
	}
}

func (g *generator) ending(r *rng, b *bank, p pol) string {
	u := r.float()
	switch {
	case u < 0.12:
		return ""
	case u < 0.4 && p == pos:
		return b.bang
	case u < 0.25 && p == neg:
		return b.bang
	case u < 0.35 && p == neg:
		return "..."
	}
	return "."
}

// body writes a medium (2-4 sentences) or long (5-10 sentences) review.
func (g *generator) body(c *ctx, b *bank, loc brand.Location, sp *spec, tr int, t float64, burst, long bool) (string, []item) {
	r := c.r
	var k int
	var opener, context, context2, closer bool
	if long {
		k = r.between(3, 6)
		opener, context, context2, closer = r.chance(0.7), r.chance(0.8), r.chance(0.2), r.chance(0.75)
	} else {
		k = 1 + r.weighted([]float64{0.25, 0.45, 0.3})
		opener, closer = r.chance(0.35), r.chance(0.35)
		context = r.chance(0.12)
	}
	var names []string
	if burst {
		names = append([]string{"waiting"}, g.pickThemes(r, sp, k-1, t, "waiting")...)
	} else {
		names = g.pickThemes(r, sp, k, t)
	}
	items := g.assign(r, sp, names, tr, t, true)
	if burst {
		for i := range items {
			if items[i].theme == "waiting" {
				items[i].pol = neg
				items[0], items[i] = items[i], items[0]
			}
		}
	}
	sent := sentimentOf(tr)
	hasNeg := slices.ContainsFunc(items, func(it item) bool { return it.pol == neg })
	var out []string
	if opener {
		out = append(out, capFirst(g.choose(c, b.openers[sent])))
	}
	if context {
		out = append(out, capFirst(g.choose(c, g.contexts(b, loc, sp, c))))
	}
	if context2 {
		out = append(out, capFirst(g.choose(c, b.contexts)))
	}
	head := len(out)
	prev := none
	for i := 0; i < len(items); i++ {
		it := items[i]
		if i+1 < len(items) && opposite(it.pol, items[i+1].pol) && it.theme != "overall" && items[i+1].theme != "overall" && r.chance(0.25) {
			s := capFirst(g.clause(c, b, it)) + pick(r, b.contrastJoin) + g.clause(c, b, items[i+1]) + "."
			out = append(out, s)
			prev = items[i+1].pol
			i++
			continue
		}
		s := capFirst(g.sentence(c, b, loc, sp, it, t, burst, hasNeg))
		if opposite(prev, it.pol) && it.theme != "overall" && r.chance(0.55) {
			conn := b.toPos
			if it.pol == neg {
				conn = b.toNeg
			}
			s = pick(r, conn) + " " + decap(s)
		}
		out = append(out, s)
		prev = it.pol
	}
	hasCloser := closer || len(out) < 2
	if hasCloser {
		out = append(out, capFirst(g.choose(c, b.closers[sent])))
	}
	if !long {
		// A medium review says more than a short one: add a theme, then a
		// closing line.
		if words(strings.Join(out, " ")) <= 12 && len(out) < 4 {
			var have []string
			for _, it := range items {
				have = append(have, it.theme)
			}
			if more := g.pickThemes(r, sp, 1, t, append(have, "overall")...); len(more) == 1 {
				it := item{more[0], polarity(r, sp, more[0], tr, t, false)}
				if burst || (tr >= 4 && it.pol == neg) || (tr <= 2 && it.pol == pos) {
					it.pol = sentimentOf(tr)
				}
				if it.pol == neu {
					it.pol = pos
				}
				items = append(items, it)
				s := capFirst(g.sentence(c, b, loc, sp, it, t, false, hasNeg))
				if hasCloser {
					out = slices.Insert(out, len(out)-1, s)
				} else {
					out = append(out, s)
				}
			}
		}
		if words(strings.Join(out, " ")) <= 12 && len(out) < 4 && !hasCloser {
			out = append(out, capFirst(g.choose(c, b.closers[sent])))
		}
	}
	if long {
		for len(out) < 5 {
			out = slices.Insert(out, head, capFirst(g.choose(c, b.contexts)))
		}
		if len(out) > 10 {
			out = out[:10]
		}
	} else if len(out) > 4 {
		out = out[len(out)-4:]
	}
	for i := range out {
		out[i] = strings.TrimPrefix(out[i], "=")
	}
	var text strings.Builder
	para := long && len(out) >= 6 && r.chance(0.35)
	breakAt := max(head, 2)
	for i, s := range out {
		if i > 0 {
			if para && (i == breakAt || i == len(out)-1 && r.chance(0.5)) {
				text.WriteString("\n")
			} else {
				text.WriteString(" ")
			}
		}
		text.WriteString(s)
	}
	return text.String(), items
}

func (g *generator) contexts(b *bank, loc brand.Location, sp *spec, c *ctx) []string {
	pool := b.contexts
	if extra := b.locContexts[loc.ID]; len(extra) > 0 && c.r.chance(0.5) {
		pool = extra
	}
	if b.lang != sp.main && loc.Country != "CA" && c.r.chance(0.6) {
		pool = b.tourist
	}
	return pool
}

// sentence writes one sentence about an item.
func (g *generator) sentence(c *ctx, b *bank, loc brand.Location, sp *spec, it item, t float64, burst, hasNeg bool) string {
	r := c.r
	if burst && it.theme == "waiting" && it.pol == neg && r.chance(0.6) {
		return g.choose(c, b.burst)
	}
	if it.theme == "overall" && it.pol == pos && !hasNeg && r.chance(0.4) {
		return g.choose(c, b.perfect)
	}
	var extra []string
	if ex, ok := b.locExtras[loc.ID]; ok {
		extra = append(extra, ex[it.theme][it.pol]...)
	}
	if sp.trend && t > 0.55 {
		if ex, ok := b.locExtras[loc.ID+"@late"]; ok {
			extra = append(extra, ex[it.theme][it.pol]...)
		}
	}
	if sp.trend && t < 0.35 {
		if ex, ok := b.locExtras[loc.ID+"@early"]; ok {
			extra = append(extra, ex[it.theme][it.pol]...)
		}
	}
	if len(extra) > 0 && r.chance(0.45) {
		if s, ok := g.tryChoose(c, extra); ok {
			return s
		}
	}
	return g.choose(c, b.sent[it.theme][it.pol])
}

// clause writes the short form of an item, for "X, mais Y" sentences and
// short reviews.
func (g *generator) clause(c *ctx, b *bank, it item) string {
	p := it.pol
	if p == neu {
		p = pos
	}
	return g.choose(c, b.clause[it.theme][p])
}

// choose expands the least used of a few random templates of pool, so that
// sentences spread evenly and neighbours rarely repeat.
func (g *generator) choose(c *ctx, pool []string) string {
	s, ok := g.tryChoose(c, pool)
	if !ok {
		panic(fmt.Sprintf("no eligible template among %q", pool))
	}
	return s
}

func (g *generator) tryChoose(c *ctx, pool []string) (string, bool) {
	if len(pool) == 0 {
		return "", false
	}
	best, bestN := "", -1
	for range 3 {
		s := pick(c.r, pool)
		if !c.eligible(s) {
			continue
		}
		if n := g.usage[s]; bestN < 0 || n < bestN {
			best, bestN = s, n
		}
	}
	if bestN < 0 {
		off := c.r.intn(len(pool))
		for i := range pool {
			if s := pool[(off+i)%len(pool)]; c.eligible(s) {
				best, bestN = s, 0
				break
			}
		}
		if bestN < 0 {
			return "", false
		}
	}
	g.usage[best]++
	if c.used == nil {
		c.used = map[string]bool{}
	}
	c.used[best] = true
	return tidy(c.expand(best)), true
}

// tidy drops the period after an alternative that ended in "!" or "?"
// ("merci !." becomes "merci !").
func tidy(s string) string {
	for _, end := range []string{"!.", "?."} {
		if strings.HasSuffix(s, end) && !strings.HasSuffix(s, "..") {
			return strings.TrimSuffix(s, ".")
		}
	}
	return s
}

// decorate adds what real reviews have: emoji, typos, shouting, missing
// punctuation.
func (g *generator) decorate(c *ctx, b *bank, comp composition) string {
	r := c.r
	s := comp.text
	if r.chance(0.07) {
		s = b.typo(r, s)
	}
	if r.chance(0.05) {
		s = strings.TrimRight(s, ".! ") + "!!!"
	}
	switch comp.sent {
	case pos:
		if r.chance(0.13) {
			s = addEmoji(r, s, b.emojiPos)
		}
	case neg:
		if r.chance(0.07) {
			s = addEmoji(r, s, b.emojiNeg)
		}
	default:
		if r.chance(0.04) {
			s = addEmoji(r, s, b.emojiNeu)
		}
	}
	if comp.short && r.chance(0.05) {
		s = strings.ToUpper(s)
	} else if comp.sent == neg && r.chance(0.05) {
		// Shout the last sentence.
		if i := strings.LastIndexAny(strings.TrimRight(s, ".!? "), ".!?"); i > 0 {
			s = s[:i+1] + strings.ToUpper(s[i+1:])
		}
	}
	if r.chance(0.04) {
		s = decap(s)
	}
	if r.chance(0.05) {
		s = strings.TrimRight(s, ".")
	}
	return strings.TrimSpace(s)
}

func addEmoji(r *rng, s string, emoji []string) string {
	e := pick(r, emoji)
	if r.chance(0.3) {
		e += e
	}
	if r.chance(0.5) {
		s = strings.TrimSuffix(s, ".")
	}
	return s + " " + e
}

func (g *generator) title(c *ctx, b *bank, comp composition) string {
	r := c.r
	if len(comp.items) > 0 && r.chance(0.5) {
		it := comp.items[0]
		if it.pol != neu {
			if pool := b.themeTitles[it.theme][it.pol]; len(pool) > 0 {
				return strings.TrimPrefix(capFirst(g.choose(c, pool)), "=")
			}
		}
	}
	return strings.TrimPrefix(capFirst(g.choose(c, b.titles[comp.sent])), "=")
}

// reply writes the owner's answer, for about a fifth of the reviews.
func (g *generator) reply(r *rng, loc brand.Location, sp *spec, lang string, rating int, t float64, s slot, comp composition, who person) *reply {
	w := s.days / 7
	if w == 0 {
		return nil // too recent: not answered yet
	}
	rate := [...]float64{0, 0.5, 0.5, 0.34, 0.14, 0.12}[rating] * sp.reply
	if sp.trend && t > 0.5 {
		rate *= 1.8 // the new manager answers
	}
	if s.burst {
		rate = 0.5
	}
	if !r.chance(rate) {
		return nil
	}
	rl := sp.main
	if loc.Country == "CA" {
		rl = lang
	}
	b := g.banks[rl]
	rb := &b.reply
	c := &ctx{r: r, gender: who.gender, lists: map[string][]string{}}
	if who.first != "" && rl == lang {
		c.lists["name"] = []string{who.first}
	}
	var parts []string
	parts = append(parts, g.choose(c, rb.greet))
	sent := comp.sent
	parts = append(parts, g.choose(c, rb.body[sent]))
	switch {
	case s.burst:
		parts = append(parts, g.choose(c, rb.burst))
	case r.chance(0.75):
		want := pos
		if sent != pos {
			want = neg
		}
		for _, it := range comp.items {
			if it.pol != want {
				continue
			}
			pool := rb.themeNeg[it.theme]
			if want == pos {
				pool = rb.themePos[it.theme]
			}
			if len(pool) > 0 {
				parts = append(parts, g.choose(c, pool))
				break
			}
		}
	}
	parts = append(parts, g.choose(c, rb.closing[sent]))
	days := 0
	switch u := r.float(); {
	case u < 0.25:
	case u < 0.6:
		days = 1
	case u < 0.85:
		days = r.between(2, 4)
	default:
		days = r.between(5, 14)
	}
	days = min(days, 7*w-1)
	authors := replyAuthors[loc.ID][rl]
	return &reply{
		Author:    pick(r, authors),
		Text:      parts[0] + "\n" + strings.Join(parts[1:], " "),
		DaysAfter: days,
		Time:      fmt.Sprintf("%02d:%02d", r.between(8, 19), r.intn(60)),
	}
}

// words counts words as a reader would: runs of letters or digits.
func words(s string) int {
	return len(strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' && r != '-'
	}))
}

// capFirst upper-cases the first letter (after a "=" marker, which it
// keeps).
func capFirst(s string) string {
	marker := strings.HasPrefix(s, "=")
	body := strings.TrimPrefix(s, "=")
	r, n := utf8.DecodeRuneInString(body)
	if r == utf8.RuneError || unicode.IsUpper(r) {
		return s
	}
	body = string(unicode.ToUpper(r)) + body[n:]
	if marker {
		return "=" + body
	}
	return body
}

// protected first words keep their capital after a connector.
var protected = map[string]bool{"I": true, "I'm": true, "I've": true, "I'd": true, "I'll": true, "OK": true}

// decap lower-cases the first letter so that the sentence can follow a
// connector ("Mais le café..."), unless it starts with a name ("=" marker)
// or a word that keeps its capital.
func decap(s string) string {
	if body, ok := strings.CutPrefix(s, "="); ok {
		return body
	}
	first, _, _ := strings.Cut(s, " ")
	first = strings.TrimRight(first, ",.!?:;")
	if protected[first] {
		return s
	}
	if n := utf8.RuneCountInString(first); n > 1 && strings.ToUpper(first) == first {
		return s // an acronym or a shout
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
