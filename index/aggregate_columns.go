package index

// A column cache of what the aggregations read, per index segment.
//
// Reading doc values from bleve costs a snappy decompression of a chunk
// per field and per chunk of documents, and numeric fields hold a dozen
// terms per value: at a million reviews, the doc values of a leaderboard
// took seconds (docs/benchmarks.md). The aggregations therefore read a
// compact copy: for each segment of the index, the fields they need,
// decoded once into arrays. Segments never change once written (a merge
// writes a new one; a deletion only marks documents, which the searcher
// already skips), so a segment's columns are exact for as long as the
// segment exists: they are the index's own values, kept up to date at
// ingest time by construction. New segments are decoded when a query
// first meets them (a batch of new reviews costs milliseconds; the
// segment a big merge writes costs about a second per million reviews);
// segments that leave the index are dropped. Warm decodes everything
// ahead, for a server that starts.

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"weak"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Theme label codes in the columns.
const (
	lblNone uint32 = iota
	lblPositive
	lblNeutral
	lblNegative
	lblMixed
)

var labelNames = []string{"", Positive, Neutral, Negative, Mixed}

func labelCode(s string) uint32 {
	switch s {
	case Positive:
		return lblPositive
	case Neutral:
		return lblNeutral
	case Negative:
		return lblNegative
	case Mixed:
		return lblMixed
	}
	return lblNone
}

const noTime = math.MinInt64

// segCols holds the columns of one segment, by local document number.
type segCols struct {
	brand, loc, src, kind, lang, sent []uint32 // dictionary ids, 0 for none
	pub                               []int64  // Unix nanoseconds, noTime for none
	norm, rating, replyH              []float32
	replied                           []int8
	// Themes of document d: tpool[tstart[d]:tstart[d+1]], each entry the
	// theme's dictionary id << 3 | its label code.
	tstart []uint32
	tpool  []uint32

	// summary is computed the first time a listing needs it (see
	// browseAll): a segment never changes, so neither does its summary.
	summaryOnce sync.Once
	summary     *segSummary
}

// segSummary holds what a listing of everything needs of one segment:
// its facet counts over all its documents, deleted or not, and its
// documents newest first.
type segSummary struct {
	total  int
	ids    [6][]int // as facetCounter.ids
	brands idSet    // the brands present
	newest []uint32 // local document numbers, newest first, undated last
}

func (sc *segCols) summarize() *segSummary {
	sc.summaryOnce.Do(func() {
		s := &segSummary{}
		n := len(sc.loc)
		seen := map[uint32]bool{}
		for d := range n {
			s.total++
			addDoc(&s.ids, sc, uint64(d), 1)
			if b := sc.brand[d]; !seen[b] {
				seen[b] = true
				s.brands = append(s.brands, b)
			}
		}
		s.newest = make([]uint32, n)
		for i := range s.newest {
			s.newest[i] = uint32(i)
		}
		// The order of docAt.less, reversed: newer first, and for equal
		// times the lower document number first.
		sort.Slice(s.newest, func(i, j int) bool {
			a, b := s.newest[i], s.newest[j]
			if pa, pb := sc.pub[a], sc.pub[b]; pa != pb {
				return pa > pb
			}
			return a < b
		})
		sc.summary = s
	})
	return sc.summary
}

// colCache is the column cache of one index.
type colCache struct {
	mu   sync.Mutex
	dict map[string]uint32
	strs []string // id -> string; strs[0] = ""
	segs map[segment.Segment]*segCols
}

var caches sync.Map // weak.Pointer[Index] -> *colCache

func (x *Index) columns() *colCache {
	key := weak.Make(x)
	if c, ok := caches.Load(key); ok {
		return c.(*colCache)
	}
	c, loaded := caches.LoadOrStore(key, &colCache{dict: map[string]uint32{"": 0}, strs: []string{""}, segs: map[segment.Segment]*segCols{}})
	if !loaded {
		runtime.AddCleanup(x, func(k weak.Pointer[Index]) { caches.Delete(k) }, key)
	}
	return c.(*colCache)
}

// colView is the columns of one snapshot of the index.
type colView struct {
	offsets []uint64
	segs    []*segCols
	deleted []*roaring.Bitmap
	strs    []string
	cache   *colCache
}

// view returns the columns of snap's segments, decoding those not seen
// yet and forgetting those gone.
func (c *colCache) view(snap *scorch.IndexSnapshot) (*colView, error) {
	ss := snap.Segments()
	v := &colView{offsets: make([]uint64, len(ss)), segs: make([]*segCols, len(ss)), deleted: make([]*roaring.Bitmap, len(ss)), cache: c}
	c.mu.Lock()
	defer c.mu.Unlock()
	live := make(map[segment.Segment]bool, len(ss))
	var running uint64
	for i, s := range ss {
		// Offsets count every document of a segment, deleted or not, as
		// scorch numbers them (SegmentSnapshot.Count counts live ones).
		seg := s.Segment()
		v.offsets[i] = running
		running += seg.Count()
		live[seg] = true
		sc := c.segs[seg]
		if sc == nil {
			var err error
			if sc, err = c.decode(seg, seg.Count()); err != nil {
				return nil, err
			}
			c.segs[seg] = sc
		}
		v.segs[i] = sc
		if del := s.Deleted(); del != nil && !del.IsEmpty() {
			v.deleted[i] = del
		}
	}
	for seg := range c.segs {
		if !live[seg] {
			delete(c.segs, seg)
		}
	}
	v.strs = c.strs
	return v, nil
}

func (c *colCache) id(b []byte) uint32 {
	if id, ok := c.dict[string(b)]; ok {
		return id
	}
	s := string(b)
	id := uint32(len(c.strs))
	c.strs = append(c.strs, s)
	c.dict[s] = id
	return id
}

var columnFields = []string{FieldBrand, FieldLocation, FieldSource, FieldKind, FieldLang, FieldSentiment, FieldThemes,
	FieldThemeSentiment, FieldPublished, FieldRatingN, FieldRating, FieldReplied, FieldReplyHours}

// decode reads the doc values of a segment into columns.
func (c *colCache) decode(seg segment.Segment, n uint64) (*segCols, error) {
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("index: segment %T has no doc values", seg)
	}
	sc := &segCols{
		brand: make([]uint32, n), loc: make([]uint32, n), src: make([]uint32, n),
		kind: make([]uint32, n), lang: make([]uint32, n), sent: make([]uint32, n),
		pub: make([]int64, n), norm: make([]float32, n), rating: make([]float32, n), replyH: make([]float32, n),
		replied: make([]int8, n), tstart: make([]uint32, n+1),
	}
	nan := float32(math.NaN())
	var d uint64
	var themes []uint32
	var pairs [][2]uint32 // theme id, label code from theme_sentiment
	visit := func(field string, term []byte) {
		switch field {
		case FieldBrand:
			sc.brand[d] = c.id(term)
		case FieldLocation:
			sc.loc[d] = c.id(term)
		case FieldSource:
			sc.src[d] = c.id(term)
		case FieldKind:
			sc.kind[d] = c.id(term)
		case FieldLang:
			sc.lang[d] = c.id(term)
		case FieldSentiment:
			sc.sent[d] = c.id(term)
		case FieldThemes:
			themes = append(themes, c.id(term))
		case FieldThemeSentiment:
			for i := len(term) - 1; i >= 0; i-- {
				if term[i] == ':' {
					pairs = append(pairs, [2]uint32{c.id(term[:i]), labelCode(string(term[i+1:]))})
					break
				}
			}
		case FieldReplied:
			if string(term) == "yes" {
				sc.replied[d] = 1
			} else {
				sc.replied[d] = 0
			}
		case FieldPublished:
			if v, ok := decodeInt(term); ok {
				sc.pub[d] = v
			}
		case FieldRatingN:
			if v, ok := decodeInt(term); ok {
				sc.norm[d] = float32(numeric.Int64ToFloat64(v))
			}
		case FieldRating:
			if v, ok := decodeInt(term); ok {
				sc.rating[d] = float32(numeric.Int64ToFloat64(v))
			}
		case FieldReplyHours:
			if v, ok := decodeInt(term); ok {
				sc.replyH[d] = float32(numeric.Int64ToFloat64(v))
			}
		}
	}
	var state segment.DocVisitState
	var err error
	for d = 0; d < n; d++ {
		sc.pub[d], sc.norm[d], sc.rating[d], sc.replyH[d], sc.replied[d] = noTime, nan, nan, nan, -1
		themes, pairs = themes[:0], pairs[:0]
		if state, err = dv.VisitDocValues(d, columnFields, visit, state); err != nil {
			return nil, fmt.Errorf("index: read doc values: %w", err)
		}
		sc.tstart[d] = uint32(len(sc.tpool))
		for _, t := range themes {
			code := lblNone
			for _, p := range pairs {
				if p[0] == t {
					code = p[1]
				}
			}
			sc.tpool = append(sc.tpool, t<<3|code)
		}
	}
	sc.tstart[n] = uint32(len(sc.tpool))
	return sc, nil
}

// at finds the columns and local number of global document number g.
func (v *colView) at(g uint64) (*segCols, uint64, bool) {
	i := sort.Search(len(v.offsets), func(i int) bool { return v.offsets[i] > g }) - 1
	if i < 0 {
		return nil, 0, false
	}
	sc := v.segs[i]
	d := g - v.offsets[i]
	if d >= uint64(len(sc.loc)) {
		return nil, 0, false
	}
	return sc, d, true
}

// published is the publication time of g (noTime if none), and false
// when the columns do not hold g.
func (v *colView) published(g uint64) (int64, bool) {
	sc, d, ok := v.at(g)
	if !ok {
		return 0, false
	}
	return sc.pub[d], true
}

// fill sets r from the columns of global document number g.
func (v *colView) fill(g uint64, r *row) bool {
	sc, d, ok := v.at(g)
	if !ok {
		return false
	}
	s := v.strs
	r.brand, r.location, r.source = s[sc.brand[d]], s[sc.loc[d]], s[sc.src[d]]
	r.kind, r.lang, r.sentiment = s[sc.kind[d]], s[sc.lang[d]], s[sc.sent[d]]
	if p := sc.pub[d]; p != noTime {
		r.published, r.hasPub = p, true
	}
	if f := sc.norm[d]; f == f {
		r.ratingNorm, r.hasNorm = roundF(f), true
	}
	if f := sc.rating[d]; f == f {
		r.rating, r.hasRating = roundF(f), true
	}
	if f := sc.replyH[d]; f == f {
		r.replyHours, r.hasReplyH = float64(f), true
	}
	r.replied = sc.replied[d]
	for _, e := range sc.tpool[sc.tstart[d]:sc.tstart[d+1]] {
		r.themes = append(r.themes, s[e>>3])
		r.tlabels = append(r.tlabels, labelNames[e&7])
	}
	return true
}

// roundF widens a float32 column value back to the float64 it was
// (ratings and normalised ratings have at most three decimals).
func roundF(f float32) float64 { return math.Round(float64(f)*1e6) / 1e6 }

// Warm decodes the columns of every segment of the index, so that the
// first dashboard request after a start does not pay for it.
func (x *Index) Warm() error {
	adv, err := x.b.Advanced()
	if err != nil {
		return err
	}
	reader, err := adv.Reader()
	if err != nil {
		return err
	}
	defer reader.Close()
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	v, err := x.columns().view(snap)
	if err != nil {
		return err
	}
	// And the summaries of the default listing (newest first, everything).
	for _, sc := range v.segs {
		sc.summarize()
	}
	return nil
}

// docNum is the global document number of a match.
func docNum(id bindex.IndexInternalID) uint64 { return id.Value() }

// idSet is the dictionary ids of a filter's values; nil means no filter.
type idSet []uint32

func (s idSet) has(id uint32) bool {
	for _, v := range s {
		if v == id {
			return true
		}
	}
	return false
}

// ids looks values up in the dictionary; unknown values match nothing.
func (c *colCache) ids(values []string) idSet {
	if len(values) == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := idSet{}
	for _, v := range values {
		if id, ok := c.dict[v]; ok {
			out = append(out, id)
		}
	}
	return out
}

// colFilter is a query without words, evaluated on the columns.
type colFilter struct {
	brand, loc, src, kind, lang, sent, theme idSet
	minR, maxR                               float64
	from, to                                 int64
	timed                                    bool
}

func (v *colView) filter(q Query) *colFilter {
	c := v.cache
	f := &colFilter{brand: c.ids(q.Brands), loc: c.ids(q.Locations), src: c.ids(q.Sources), kind: c.ids(q.Kinds),
		lang: c.ids(q.Langs), sent: c.ids(q.Sentiments), theme: c.ids(q.Themes), minR: math.Inf(-1), maxR: math.Inf(1),
		from: math.MinInt64, to: math.MaxInt64}
	if q.MinRating != nil {
		f.minR = *q.MinRating
	}
	if q.MaxRating != nil {
		f.maxR = *q.MaxRating
	}
	if !q.From.IsZero() {
		f.from, f.timed = q.From.UnixNano(), true
	}
	if !q.To.IsZero() {
		f.to, f.timed = q.To.UnixNano(), true
	}
	return f
}

// selectsAll reports whether f selects every document of a segment whose
// summary is s: no filter but a brand filter that holds all its brands.
func (f *colFilter) selectsAll(s *segSummary) bool {
	if f.timed || f.loc != nil || f.src != nil || f.kind != nil || f.lang != nil || f.sent != nil || f.theme != nil ||
		!math.IsInf(f.minR, -1) || !math.IsInf(f.maxR, 1) {
		return false
	}
	if f.brand != nil {
		for _, b := range s.brands {
			if !f.brand.has(b) {
				return false
			}
		}
	}
	return true
}

// unfiltered reports whether f may select whole segments (see
// selectsAll), so that a listing can use their summaries.
func (f *colFilter) unfiltered() bool {
	return !f.timed && f.loc == nil && f.src == nil && f.kind == nil && f.lang == nil && f.sent == nil && f.theme == nil &&
		math.IsInf(f.minR, -1) && math.IsInf(f.maxR, 1)
}

func (f *colFilter) match(sc *segCols, d uint64) bool {
	if f.timed {
		if p := sc.pub[d]; p == noTime || p < f.from || p >= f.to {
			return false
		}
	}
	if (f.brand != nil && !f.brand.has(sc.brand[d])) || (f.loc != nil && !f.loc.has(sc.loc[d])) ||
		(f.src != nil && !f.src.has(sc.src[d])) || (f.kind != nil && !f.kind.has(sc.kind[d])) ||
		(f.lang != nil && !f.lang.has(sc.lang[d])) || (f.sent != nil && !f.sent.has(sc.sent[d])) {
		return false
	}
	if !math.IsInf(f.minR, -1) || !math.IsInf(f.maxR, 1) {
		r := sc.rating[d]
		if r != r {
			return false
		}
		if v := roundF(r); v < f.minR || v > f.maxR {
			return false
		}
	}
	if f.theme != nil {
		for _, e := range sc.tpool[sc.tstart[d]:sc.tstart[d+1]] {
			if f.theme.has(e >> 3) {
				return true
			}
		}
		return false
	}
	return true
}

// each calls fn with the global number of every live document f selects.
func (v *colView) each(ctx context.Context, f *colFilter, fn func(g uint64)) error {
	for i, sc := range v.segs {
		del := v.deleted[i]
		n := uint64(len(sc.loc))
		for d := uint64(0); d < n; d++ {
			if d%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if del != nil && del.Contains(uint32(d)) {
				continue
			}
			if f.match(sc, d) {
				fn(v.offsets[i] + d)
			}
		}
	}
	return nil
}
