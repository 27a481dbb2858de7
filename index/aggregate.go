package index

// Aggregations over the index: facet counts, trends, the location
// leaderboard and "what changed". They share one engine (scan): the
// filters run as a bleve searcher without scoring, and the keyword and
// numeric doc values of each matching review are read once, in one pass,
// into a small row that each aggregation folds as it likes. bleve's own
// facets cannot nest (an average rating per location per week), and
// numeric date ranges enumerate terms at a cost that grows with the
// index, so dates are first narrowed with the keyword month field and
// then checked exactly on each row (see docs/benchmarks.md).

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Sentiment labels, as enrichment writes them.
const (
	Positive = "positive"
	Neutral  = "neutral"
	Negative = "negative"
	Mixed    = "mixed"
)

// Tally holds the figures of a set of reviews.
type Tally struct {
	Count int `json:"count"`
	// Rated counts the reviews with a rating; RatingSum adds their
	// rating_norm (0..1), whatever the scale they were published on.
	Rated     int     `json:"rated"`
	RatingSum float64 `json:"rating_sum"`
	// Reviews per sentiment label; reviews not yet enriched have none.
	Positive int `json:"positive"`
	Neutral  int `json:"neutral"`
	Negative int `json:"negative"`
	Mixed    int `json:"mixed"`
}

func (t *Tally) add(r *row, label string) {
	t.Count++
	if r.hasNorm {
		t.Rated++
		t.RatingSum += r.ratingNorm
	}
	switch label {
	case Positive:
		t.Positive++
	case Neutral:
		t.Neutral++
	case Negative:
		t.Negative++
	case Mixed:
		t.Mixed++
	}
}

// Add adds o to t.
func (t *Tally) Add(o Tally) {
	t.Count += o.Count
	t.Rated += o.Rated
	t.RatingSum += o.RatingSum
	t.Positive += o.Positive
	t.Neutral += o.Neutral
	t.Negative += o.Negative
	t.Mixed += o.Mixed
}

// AvgRating is the mean rating on a scale of 1 to 5 (1 + 4 × the mean
// rating_norm, so that a 0-10 survey score counts on the same scale), and
// false when no review is rated.
func (t Tally) AvgRating() (float64, bool) {
	if t.Rated == 0 {
		return 0, false
	}
	return 1 + 4*t.RatingSum/float64(t.Rated), true
}

// Labeled counts the reviews with a sentiment label.
func (t Tally) Labeled() int { return t.Positive + t.Neutral + t.Negative + t.Mixed }

// Share is the fraction (0..1) of labelled reviews with label, and false
// when none is labelled.
func (t Tally) Share(label string) (float64, bool) {
	n := t.Labeled()
	if n == 0 {
		return 0, false
	}
	var c int
	switch label {
	case Positive:
		c = t.Positive
	case Neutral:
		c = t.Neutral
	case Negative:
		c = t.Negative
	case Mixed:
		c = t.Mixed
	}
	return float64(c) / float64(n), true
}

// NetSentiment is the percentage of positive reviews minus the percentage
// of negative ones (-100..100) among labelled reviews, and false when none
// is labelled.
func (t Tally) NetSentiment() (float64, bool) {
	n := t.Labeled()
	if n == 0 {
		return 0, false
	}
	return 100 * float64(t.Positive-t.Negative) / float64(n), true
}

// row is what the aggregations read of one review.
type row struct {
	location, source, kind, lang, sentiment string
	brand                                   string
	themes                                  []string
	// tlabels holds the sentiment about each theme (aligned with themes,
	// "" when unknown), when the index has FieldThemeSentiment.
	tlabels []string
	// themeSent holds the "theme:label" doc values read before tlabels
	// is filled.
	themeSent  []string
	published  int64 // Unix nanoseconds
	hasPub     bool
	ratingNorm float64
	hasNorm    bool
	rating     float64
	hasRating  bool
	replied    int8 // -1 unknown, 0 no, 1 yes
	replyHours float64
	hasReplyH  bool
}

// negative reports whether the review counts as a complaint: its text
// sentiment is negative, or, for a review not yet enriched, its rating
// is at the bottom of the scale (1 or 2 of 5).
func (r *row) negative() bool {
	if r.sentiment != "" {
		return r.sentiment == Negative
	}
	return r.hasNorm && r.ratingNorm <= 0.25+1e-9
}

// themeLabel is the sentiment about theme in the review: the theme's own
// label when the index records it, else the review's.
func (r *row) themeLabel(theme string, perTheme bool) string {
	if perTheme {
		for i, t := range r.themes {
			if t == theme && i < len(r.tlabels) {
				return r.tlabels[i]
			}
		}
		return ""
	}
	return r.sentiment
}

func (r *row) themeNegative(theme string, perTheme bool) bool {
	if perTheme {
		return r.themeLabel(theme, true) == Negative
	}
	return r.negative()
}

func (r *row) reset() {
	themes, tl, ts := r.themes[:0], r.tlabels[:0], r.themeSent[:0]
	*r = row{themes: themes, tlabels: tl, themeSent: ts, replied: -1}
}

// labelThemes fills tlabels from the theme_sentiment doc values.
func (r *row) labelThemes() {
	for _, t := range r.themes {
		label := ""
		for _, ts := range r.themeSent {
			if name, l, ok := strings.Cut(ts, ":"); ok && name == t {
				label = l
			}
		}
		r.tlabels = append(r.tlabels, label)
	}
}

// scan fields, as bits.
type fieldSet uint16

const (
	fLocation fieldSet = 1 << iota
	fSource
	fKind
	fLang
	fSentiment
	fThemes
	fThemeSent
	fPublished
	fRatingNorm
	fRating
	fReply
	fBrand
)

var fieldNames = []struct {
	bit  fieldSet
	name string
}{
	{fLocation, FieldLocation}, {fSource, FieldSource}, {fKind, FieldKind}, {fLang, FieldLang},
	{fSentiment, FieldSentiment}, {fThemes, FieldThemes}, {fThemeSent, FieldThemeSentiment},
	{fPublished, FieldPublished}, {fRatingNorm, FieldRatingN}, {fRating, FieldRating},
	{fReply, FieldReplied}, {fReply, FieldReplyHours}, {fBrand, FieldBrand},
}

// HasField reports whether the index's mapping has the field: the
// aggregations use FieldThemeSentiment, FieldReplied and FieldReplyHours
// when the mapping records them (see AggregateFields).
func (x *Index) HasField(name string) bool {
	m, ok := x.b.Mapping().(*mapping.IndexMappingImpl)
	if !ok || m.DefaultMapping == nil {
		return false
	}
	_, ok = m.DefaultMapping.Properties[name]
	return ok
}

// scanColumns makes scan read the column cache (aggregate_columns.go);
// tests turn it off to compare with the doc values.
var scanColumns = true

// scan runs the filters of q (its text included) and calls fn with each
// matching review's row. The row is reused: fn must copy what it keeps.
// From and To of q are applied exactly to published_at.
func (x *Index) scan(ctx context.Context, q Query, fields fieldSet, fn func(*row)) (err error) {
	return x.scanWith(ctx, q, fields, fn, nil)
}

// scanWith is scan; with cfn, matches that the column cache holds go to
// cfn (with their global document number) instead of fn, unread.
func (x *Index) scanWith(ctx context.Context, q Query, fields fieldSet, fn func(*row), cfn func(v *colView, g uint64)) (err error) {
	if strings.TrimSpace(q.Text) == "" && scanColumns && len(q.Locations)+len(q.Sources) == 0 {
		// Broad filters alone: evaluated on the columns, without a
		// searcher (a location's postings are cheaper to walk than a
		// million rows).
		done, err := x.scanFilters(ctx, q, fn, cfn)
		if done || err != nil {
			return err
		}
	}
	bq, err := scanQuery(q)
	if err != nil {
		return err
	}
	adv, err := x.b.Advanced()
	if err != nil {
		return fmt.Errorf("index: scan: %w", err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("index: scan: %w", err)
	}
	defer func() {
		if cerr := reader.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("index: scan: %w", cerr)
		}
	}()
	timed := !q.From.IsZero() || !q.To.IsZero()
	if timed {
		fields |= fPublished
	}
	var names []string
	for _, f := range fieldNames {
		if fields&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	searcher, err := bq.Searcher(ctx, reader, x.b.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		return fmt.Errorf("index: scan: %w", err)
	}
	defer searcher.Close()
	var cols *colView
	if snap, ok := reader.(*scorch.IndexSnapshot); ok && scanColumns {
		if cols, err = x.columns().view(snap); err != nil {
			return err
		}
	}
	dvr, err := reader.DocValueReader(names)
	if err != nil {
		return fmt.Errorf("index: scan: %w", err)
	}
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(searcher.DocumentMatchPoolSize(), 0),
		IndexReader:       reader,
	}
	var from, to int64 = math.MinInt64, math.MaxInt64
	if !q.From.IsZero() {
		from = q.From.UnixNano()
	}
	if !q.To.IsZero() {
		to = q.To.UnixNano()
	}
	strs := map[string]string{}
	intern := func(b []byte) string {
		if s, ok := strs[string(b)]; ok {
			return s
		}
		s := string(b)
		strs[s] = s
		return s
	}
	r := &row{replied: -1}
	visit := func(field string, term []byte) {
		switch field {
		case FieldLocation:
			r.location = intern(term)
		case FieldSource:
			r.source = intern(term)
		case FieldKind:
			r.kind = intern(term)
		case FieldLang:
			r.lang = intern(term)
		case FieldSentiment:
			r.sentiment = intern(term)
		case FieldBrand:
			r.brand = intern(term)
		case FieldThemes:
			r.themes = append(r.themes, intern(term))
		case FieldThemeSentiment:
			r.themeSent = append(r.themeSent, intern(term))
		case FieldReplied:
			if string(term) == "yes" {
				r.replied = 1
			} else {
				r.replied = 0
			}
		case FieldPublished:
			if v, ok := decodeInt(term); ok {
				r.published, r.hasPub = v, true
			}
		case FieldRatingN:
			if v, ok := decodeInt(term); ok {
				r.ratingNorm, r.hasNorm = numeric.Int64ToFloat64(v), true
			}
		case FieldRating:
			if v, ok := decodeInt(term); ok {
				r.rating, r.hasRating = numeric.Int64ToFloat64(v), true
			}
		case FieldReplyHours:
			if v, ok := decodeInt(term); ok {
				r.replyHours, r.hasReplyH = numeric.Int64ToFloat64(v), true
			}
		}
	}
	n := 0
	for {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		n++
		dm, err := searcher.Next(sctx)
		if err != nil {
			return fmt.Errorf("index: scan: %w", err)
		}
		if dm == nil {
			return nil
		}
		if cols != nil && cfn != nil {
			g := docNum(dm.IndexInternalID)
			if pub, ok := cols.published(g); ok {
				sctx.DocumentMatchPool.Put(dm)
				if !timed || (pub != noTime && pub >= from && pub < to) {
					cfn(cols, g)
				}
				continue
			}
		}
		r.reset()
		if cols == nil || !cols.fill(docNum(dm.IndexInternalID), r) {
			r.reset()
			if err := dvr.VisitDocValues(dm.IndexInternalID, visit); err != nil {
				return fmt.Errorf("index: scan: %w", err)
			}
			r.labelThemes()
		}
		sctx.DocumentMatchPool.Put(dm)
		if timed && (!r.hasPub || r.published < from || r.published >= to) {
			continue
		}
		fn(r)
	}
}

// scanFilters is scan for a query without words, on the column cache; it
// returns false when the index has no column cache.
func (x *Index) scanFilters(ctx context.Context, q Query, fn func(*row), cfn func(v *colView, g uint64)) (done bool, err error) {
	adv, err := x.b.Advanced()
	if err != nil {
		return false, fmt.Errorf("index: scan: %w", err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return false, fmt.Errorf("index: scan: %w", err)
	}
	defer func() {
		if cerr := reader.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("index: scan: %w", cerr)
		}
	}()
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return false, nil
	}
	v, err := x.columns().view(snap)
	if err != nil {
		return false, err
	}
	r := &row{replied: -1}
	return true, v.each(ctx, v.filter(q), func(g uint64) {
		if cfn != nil {
			cfn(v, g)
			return
		}
		r.reset()
		if v.fill(g, r) {
			fn(r)
		}
	})
}

// decodeInt decodes a numeric doc value; only the full-precision term
// (shift 0) of each value counts.
func decodeInt(term []byte) (int64, bool) {
	p := numeric.PrefixCoded(term)
	shift, err := p.Shift()
	if err != nil || shift != 0 {
		return 0, false
	}
	v, err := p.Int64()
	return v, err == nil
}

// maxMonthTerms bounds the months a date window is turned into; longer
// windows keep bleve's date range.
const maxMonthTerms = 72

// scanQuery is BuildQuery with the date window expressed as a disjunction
// of month terms (cheap), the exact bounds being checked on each row.
func scanQuery(q Query) (query.Query, error) {
	if q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) {
		return BuildQuery(q)
	}
	months := monthsBetween(q.From, q.To)
	if len(months) > maxMonthTerms {
		return BuildQuery(q)
	}
	q.From, q.To = time.Time{}, time.Time{}
	base, err := BuildQuery(q)
	if err != nil {
		return nil, err
	}
	ds := make([]query.Query, len(months))
	for i, m := range months {
		t := query.NewTermQuery(m)
		t.SetField(FieldMonth)
		ds[i] = t
	}
	var mq query.Query = query.NewDisjunctionQuery(ds)
	if len(ds) == 1 {
		mq = ds[0]
	}
	if _, all := base.(*query.MatchAllQuery); all {
		return mq, nil
	}
	return query.NewConjunctionQuery([]query.Query{base, mq}), nil
}

// monthsBetween lists the UTC months (YYYY-MM) that [from, to) touches.
func monthsBetween(from, to time.Time) []string {
	from, last := from.UTC(), to.UTC().Add(-time.Nanosecond)
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	var out []string
	for !m.After(last) && len(out) <= maxMonthTerms {
		out = append(out, m.Format("2006-01"))
		m = m.AddDate(0, 1, 0)
	}
	return out
}

// FacetCount is one value of a facet and the reviews that have it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facet names: the fields Facets counts.
const (
	FacetLocation  = "location"
	FacetSource    = "source"
	FacetLang      = "lang"
	FacetSentiment = "sentiment"
	FacetTheme     = "theme"
	FacetKind      = "kind"
)

// Facets are the counts of each value of the facet fields among the
// reviews a query matches.
type Facets struct {
	Total  int                     `json:"total"`
	Fields map[string][]FacetCount `json:"fields"`
}

// Facets counts, for the reviews q matches (its text and filters; paging
// and sort are ignored), the reviews per location, source, language,
// sentiment, theme and kind, most frequent first, at most size values per
// field (0: all).
func (x *Index) Facets(ctx context.Context, q Query, size int) (*Facets, error) {
	fc := newFacetCounter()
	err := x.scanWith(ctx, q, fLocation|fSource|fLang|fSentiment|fThemes|fKind, fc.addRow, fc.add)
	if err != nil {
		return nil, err
	}
	return fc.result(size), nil
}

// facetCounter counts facet values: by dictionary id for the reviews the
// column cache holds, by name for the others.
type facetCounter struct {
	total int
	seg   int // the segment of the last match: matches come in order
	v     *colView
	ids   [6][]int // by facetNames index, then dictionary id
	names [6]map[string]int
}

// facetNames are the facets, in the order of facetCounter's arrays.
var facetNames = []string{FacetLocation, FacetSource, FacetLang, FacetSentiment, FacetTheme, FacetKind}

const (
	fiLocation = iota
	fiSource
	fiLang
	fiSentiment
	fiTheme
	fiKind
)

func newFacetCounter() *facetCounter {
	fc := &facetCounter{}
	for i := range fc.names {
		fc.names[i] = map[string]int{}
	}
	return fc
}

func (fc *facetCounter) addRow(r *row) {
	fc.total++
	for i, v := range [...]string{fiLocation: r.location, fiSource: r.source, fiLang: r.lang, fiSentiment: r.sentiment, fiTheme: "", fiKind: r.kind} {
		if v != "" {
			fc.names[i][v]++
		}
	}
	for _, t := range r.themes {
		fc.names[fiTheme][t]++
	}
}

func inc(counts []int, id uint32) []int { return incBy(counts, id, 1) }

func incBy(counts []int, id uint32, delta int) []int {
	if id == 0 {
		return counts
	}
	if int(id) >= len(counts) {
		counts = append(counts, make([]int, int(id)+1-len(counts)+64)...)
	}
	counts[id] += delta
	return counts
}

func (fc *facetCounter) add(v *colView, g uint64) {
	var sc *segCols
	var d uint64
	if i := fc.seg; i < len(v.offsets) && g >= v.offsets[i] && (i+1 == len(v.offsets) || g < v.offsets[i+1]) {
		sc, d = v.segs[i], g-v.offsets[i]
	} else {
		var ok bool
		if sc, d, ok = v.at(g); !ok {
			return
		}
		fc.seg = sort.Search(len(v.offsets), func(i int) bool { return v.offsets[i] > g }) - 1
	}
	if d >= uint64(len(sc.loc)) {
		return
	}
	fc.total++
	if fc.v == nil || len(v.strs) > len(fc.v.strs) {
		fc.v = v
	}
	addDoc(&fc.ids, sc, d, 1)
}

// addDoc adds delta to the facet counts of document d of sc.
func addDoc(ids *[6][]int, sc *segCols, d uint64, delta int) {
	ids[fiLocation] = incBy(ids[fiLocation], sc.loc[d], delta)
	ids[fiSource] = incBy(ids[fiSource], sc.src[d], delta)
	ids[fiLang] = incBy(ids[fiLang], sc.lang[d], delta)
	ids[fiSentiment] = incBy(ids[fiSentiment], sc.sent[d], delta)
	ids[fiKind] = incBy(ids[fiKind], sc.kind[d], delta)
	ts := ids[fiTheme]
	for _, e := range sc.tpool[sc.tstart[d]:sc.tstart[d+1]] {
		ts = incBy(ts, e>>3, delta)
	}
	ids[fiTheme] = ts
}

// addCounts adds a segment's counts to fc.
func (fc *facetCounter) addCounts(v *colView, total int, ids *[6][]int) {
	fc.total += total
	if fc.v == nil || len(v.strs) > len(fc.v.strs) {
		fc.v = v
	}
	for f := range fc.ids {
		if len(ids[f]) > len(fc.ids[f]) {
			fc.ids[f] = append(fc.ids[f], make([]int, len(ids[f])-len(fc.ids[f]))...)
		}
		for id, c := range ids[f] {
			fc.ids[f][id] += c
		}
	}
}

func (fc *facetCounter) result(size int) *Facets {
	out := &Facets{Total: fc.total, Fields: map[string][]FacetCount{}}
	var strs []string
	if fc.v != nil {
		strs = fc.v.strs
	}
	for i, name := range facetNames {
		m := fc.names[i]
		for id, c := range fc.ids[i] {
			if c > 0 {
				m[strs[id]] += c
			}
		}
		out.Fields[name] = topCounts(m, size)
	}
	return out
}

func topCounts(m map[string]int, size int) []FacetCount {
	out := make([]FacetCount, 0, len(m))
	for v, c := range m {
		out = append(out, FacetCount{Value: v, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	if size > 0 && len(out) > size {
		out = out[:size]
	}
	return out
}
