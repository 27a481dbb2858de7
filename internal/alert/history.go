package alert

import (
	"encoding/json"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/internal/review"
)

// The history the statistical rules read: for each location, one compact
// entry per review published within the retention (the longest window and
// baseline of the rules), sorted by time of publication; for each brand,
// how reviews spread over the week, in local time.

// Sentiment codes of an entry.
const (
	sentNone uint8 = iota
	sentPositive
	sentNeutral
	sentNegative
	sentMixed
)

func sentCode(s *review.Sentiment) uint8 {
	if s == nil {
		return sentNone
	}
	switch s.Label {
	case "positive":
		return sentPositive
	case "neutral":
		return sentNeutral
	case "negative":
		return sentNegative
	case "mixed":
		return sentMixed
	}
	return sentNone
}

// maxThemes is how many distinct theme names the history tells apart
// (bits of a mask); the built-in taxonomy has 12.
const maxThemes = 63

// entry is one review as the history keeps it.
type entry struct {
	at     int32   // Unix minutes of publication
	src    uint16  // index in locState.sources
	lang   uint8   // index in langs
	sent   uint8   // sentiment code
	rating float32 // stars of 5; 0 when unrated
	negT   uint64  // themes mentioned negatively (bit per theme index)
	anyT   uint64  // themes mentioned at all
	id     string
	// excerpt and url are kept for negative reviews only, to quote them.
	excerpt string
	url     string
}

func (e *entry) negative() bool { return e.sent == sentNegative }

var langs = []string{"", "fr", "ru", "en", "und"}

func langCode(l string) uint8 {
	for i, s := range langs {
		if s == l {
			return uint8(i)
		}
	}
	return 4
}

// locState is the history of one location.
type locState struct {
	id, brand string
	key       string // of its statistical alerts
	// offset is the local time's offset from UTC, in hours, from the
	// reviews' own timestamps.
	offset  int32
	sources []string
	srcIdx  map[string]uint16
	// earliest is, per source, the minute of the oldest review ever seen:
	// the history is complete from the latest of them on.
	earliest []int32
	// latest is, per source, the minute of the newest review in entries.
	latest  []int32
	entries []entry
	ids     map[string]int32 // review id -> minute

	// pending: new data not yet evaluated (waiting for the history to
	// be complete enough, or to settle); lastData is when data came.
	pending  bool
	lastData time.Time
	// evaluated: the statistical rules ran on l at least once.
	evaluated bool
	// changed: to persist.
	changed bool
	// bases caches the baseline counts by rule signature; cacheEnd is
	// the latest window start of a valid cache (an entry before it
	// invalidates them).
	bases    []baseline
	cacheEnd int32
}

// baseline is a cached baseline count.
type baseline struct {
	valid                 bool
	at, from, winStart    int32
	nBase, eBase          float64
	cBase                 [maxThemes + 1]float64
	rBase, rBase2, rBaseN float64
}

func (l *locState) baseCache(i, n int) *baseline {
	if len(l.bases) < n {
		l.bases = append(l.bases, make([]baseline, n-len(l.bases))...)
	}
	return &l.bases[i]
}

// touch invalidates the cached baselines if minute h is in one of them.
func (l *locState) touch(h int32) {
	if h < l.cacheEnd {
		l.invalidate()
	}
}

// invalidate drops the cached baselines.
func (l *locState) invalidate() {
	for i := range l.bases {
		l.bases[i].valid = false
	}
	l.cacheEnd = math.MinInt32
}

func newLocState(id, brand string) *locState {
	return &locState{id: id, key: statKey(id), brand: brand, srcIdx: map[string]uint16{}, ids: map[string]int32{}}
}

// coverage returns the minute from which the history is complete: the
// latest of the sources' oldest reviews (MinInt32 when no source has any).
func (l *locState) coverage() int32 {
	c := int32(math.MinInt32)
	for _, e := range l.earliest {
		if e != math.MaxInt32 && e > c {
			c = e
		}
	}
	return c
}

func (l *locState) source(id string) uint16 {
	if i, ok := l.srcIdx[id]; ok {
		return i
	}
	i := uint16(len(l.sources))
	l.sources = append(l.sources, id)
	l.earliest = append(l.earliest, math.MaxInt32)
	l.latest = append(l.latest, math.MinInt32)
	l.srcIdx[id] = i
	return i
}

// search returns the index of the first entry at or after minute h.
func (l *locState) search(h int32) int {
	return sort.Search(len(l.entries), func(i int) bool { return l.entries[i].at >= h })
}

// find returns the index of the entry of id at minute h, or -1.
func (l *locState) find(id string, h int32) int {
	for i := l.search(h); i < len(l.entries) && l.entries[i].at == h; i++ {
		if l.entries[i].id == id {
			return i
		}
	}
	return -1
}

// remove drops the entry of id, if any.
func (l *locState) remove(id string) bool {
	h, ok := l.ids[id]
	if !ok {
		return false
	}
	delete(l.ids, id)
	l.touch(h)
	if i := l.find(id, h); i >= 0 {
		l.entries = append(l.entries[:i], l.entries[i+1:]...)
		l.changed = true
		return true
	}
	return false
}

// put inserts or replaces e, keeping entries sorted by time.
func (l *locState) put(e entry) {
	l.touch(e.at)
	if h, ok := l.ids[e.id]; ok {
		l.touch(h)
		if i := l.find(e.id, h); i >= 0 {
			if h == e.at {
				l.entries[i] = e
				l.changed = true
				return
			}
			l.entries = append(l.entries[:i], l.entries[i+1:]...)
		}
	}
	l.ids[e.id] = e.at
	if int(e.src) < len(l.latest) && e.at > l.latest[e.src] {
		l.latest[e.src] = e.at
	}
	n := len(l.entries)
	if n == 0 || l.entries[n-1].at <= e.at {
		l.entries = append(l.entries, e)
	} else {
		i := sort.Search(n, func(i int) bool { return l.entries[i].at > e.at })
		l.entries = append(l.entries, entry{})
		copy(l.entries[i+1:], l.entries[i:])
		l.entries[i] = e
	}
	l.changed = true
}

// prune drops entries older than minute h.
func (l *locState) prune(h int32) {
	i := l.search(h)
	if i == 0 {
		return
	}
	for _, e := range l.entries[:i] {
		delete(l.ids, e.id)
	}
	clear(l.entries[:i]) // no longer pin their strings
	l.entries = l.entries[i:]
	l.changed = true
}

// profile is how a brand's reviews spread over the week in local time:
// counts by weekday (Monday first) and by hour of the day. The expected
// count of an hour is proportional to weekday weight × hour weight, both
// shrunk towards flat when data is scarce.
type profile struct {
	Dow [7]float64  `json:"dow"`
	Hod [24]float64 `json:"hod"`

	// weights by hour of the week (Monday 00:00 first), mean 1, and
	// their prefix sums.
	w      [168]float64
	prefix [169]float64
	stale  bool
	added  int
}

// add counts a review published at local hour-of-week how.
func (p *profile) add(how int) {
	p.Dow[how/24]++
	p.Hod[how%24]++
	p.added++
	if p.added >= 50 || p.total() < 2000 {
		p.stale = true
	}
}

func (p *profile) total() float64 {
	t := 0.0
	for _, v := range p.Dow {
		t += v
	}
	return t
}

// weights recomputes the hour-of-week weights when the counts moved.
func (p *profile) weights() {
	if !p.stale && p.prefix[168] != 0 {
		return
	}
	p.stale, p.added = false, 0
	n := p.total()
	// Pseudo-counts: 20 reviews per weekday and 5 per hour spread flat,
	// so that a few reviews do not make an hour "impossible".
	const dowPrior, hodPrior = 20.0, 5.0
	var dow [7]float64
	var hod [24]float64
	for i := range dow {
		dow[i] = (p.Dow[i] + dowPrior) / (n + 7*dowPrior) * 7
	}
	for i := range hod {
		hod[i] = (p.Hod[i] + hodPrior) / (n + 24*hodPrior) * 24
	}
	sum := 0.0
	for i := range p.w {
		p.w[i] = dow[i/24] * hod[i%24]
		sum += p.w[i]
	}
	p.prefix[0] = 0
	for i := range p.w {
		p.w[i] *= 168 / sum
		p.prefix[i+1] = p.prefix[i] + p.w[i]
	}
}

// hourOfWeek returns the local hour of the week (Monday 00:00 = 0) of
// Unix hour h at offset off (hours). The Unix epoch was a Thursday.
func hourOfWeek(h, off int32) int {
	x := int64(h) + int64(off) + 72
	m := x % 168
	if m < 0 {
		m += 168
	}
	return int(m)
}

// cum is the exposure from a fixed origin to the start of local hour x.
func (p *profile) cum(x int64) float64 {
	weeks := x / 168
	m := x % 168
	if m < 0 {
		m += 168
		weeks--
	}
	return float64(weeks)*168 + p.prefix[m]
}

// cumMinute is the exposure from a fixed origin to Unix minute m at
// offset off.
func (p *profile) cumMinute(m int64, off int32) float64 {
	h := m / 60
	if m%60 < 0 {
		h--
	}
	x := h + int64(off) + 72
	i := x % 168
	if i < 0 {
		i += 168
	}
	return p.cum(x) + float64(m-h*60)/60*p.w[i]
}

// exposure is the expected share of reviews, in hours of an average
// hour, of Unix minutes [a, b) at offset off (hours).
func (p *profile) exposure(a, b, off int32) float64 {
	if b <= a {
		return 0
	}
	return p.cumMinute(int64(b), off) - p.cumMinute(int64(a), off)
}

// Persistence of a location's history.

type locJSON struct {
	Brand    string      `json:"b"`
	Offset   int32       `json:"o"`
	Sources  []string    `json:"s"`
	Earliest []int32     `json:"e"`
	Entries  []entryJSON `json:"r"`
}

// entryJSON is an entry as a compact array.
type entryJSON struct{ e entry }

func (x entryJSON) MarshalJSON() ([]byte, error) {
	e := x.e
	return json.Marshal([]any{e.id, e.at, e.src, e.lang, e.sent, math.Round(float64(e.rating)*100) / 100, e.negT, e.anyT, e.excerpt, e.url})
}

func (x *entryJSON) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if len(a) < 8 {
		return nil
	}
	var rating float64
	e := &x.e
	json.Unmarshal(a[0], &e.id)
	json.Unmarshal(a[1], &e.at)
	json.Unmarshal(a[2], &e.src)
	json.Unmarshal(a[3], &e.lang)
	json.Unmarshal(a[4], &e.sent)
	json.Unmarshal(a[5], &rating)
	json.Unmarshal(a[6], &e.negT)
	json.Unmarshal(a[7], &e.anyT)
	if len(a) >= 10 {
		json.Unmarshal(a[8], &e.excerpt)
		json.Unmarshal(a[9], &e.url)
	}
	e.rating = float32(rating)
	return nil
}

func (l *locState) marshal() ([]byte, error) {
	j := locJSON{Brand: l.brand, Offset: l.offset, Sources: l.sources, Earliest: l.earliest, Entries: make([]entryJSON, len(l.entries))}
	for i, e := range l.entries {
		j.Entries[i] = entryJSON{e}
	}
	return json.Marshal(j)
}

func unmarshalLoc(id string, b []byte) (*locState, error) {
	var j locJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, err
	}
	l := newLocState(id, j.Brand)
	l.offset = j.Offset
	for i, s := range j.Sources {
		l.source(s)
		if i < len(j.Earliest) {
			l.earliest[i] = j.Earliest[i]
		}
	}
	for _, x := range j.Entries {
		if int(x.e.src) >= len(l.sources) {
			continue
		}
		l.entries = append(l.entries, x.e)
		l.ids[x.e.id] = x.e.at
		l.latest[x.e.src] = max(l.latest[x.e.src], x.e.at)
	}
	sort.SliceStable(l.entries, func(a, b int) bool { return l.entries[a].at < l.entries[b].at })
	return l, nil
}

// themeSet maps theme names to bits. Theme indexes are global to the
// engine and persisted, so that masks keep their meaning.
type themeSet struct {
	names []string
	index map[string]int
}

func (t *themeSet) idx(name string) (int, bool) {
	if i, ok := t.index[name]; ok {
		return i, true
	}
	if len(t.names) >= maxThemes || name == "" {
		return 0, false
	}
	if t.index == nil {
		t.index = map[string]int{}
	}
	i := len(t.names)
	t.names = append(t.names, name)
	t.index[name] = i
	return i, true
}

func (t *themeSet) mask(names []string) uint64 {
	var m uint64
	for _, n := range names {
		if i, ok := t.index[n]; ok {
			m |= 1 << uint(i)
		}
	}
	return m
}

// excerptOf keeps the beginning of a review for quoting.
func excerptOf(r *review.Review) string {
	s := r.Text
	if r.Title != "" {
		s = r.Title + ". " + s
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		cut := 400
		for cut > 0 && (s[cut]&0xC0) == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
