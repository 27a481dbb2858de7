package index

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/highlight"
	simplefrag "github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	simplehl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/simple"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/vigie-dev/vigie/internal/review"
)

// Highlight markers around matched words in Hit.Highlights. They are
// control characters that normalised review text never contains, so each
// front end can render them its own way (bold on a terminal, <mark> in
// HTML after escaping).
const (
	MarkStart = "\x02"
	MarkEnd   = "\x03"
)

const highlighterName = "vigie_marks"

func init() {
	err := registry.RegisterHighlighter(highlighterName, func(config map[string]any, cache *registry.Cache) (highlight.Highlighter, error) {
		return simplehl.NewHighlighter(simplefrag.NewFragmenter(200), markFormatter{}, " … "), nil
	})
	if err != nil {
		panic(err)
	}
}

// markFormatter wraps matched terms in MarkStart and MarkEnd.
type markFormatter struct{}

func (markFormatter) Format(f *highlight.Fragment, locs highlight.TermLocations) string {
	var b strings.Builder
	cur := f.Start
	for _, l := range locs {
		if l == nil || !l.ArrayPositions.Equals(f.ArrayPositions) || l.Start < cur {
			continue
		}
		if l.End > f.End {
			break
		}
		b.Write(f.Orig[cur:l.Start])
		b.WriteString(MarkStart)
		b.Write(f.Orig[l.Start:l.End])
		b.WriteString(MarkEnd)
		cur = l.End
	}
	b.Write(f.Orig[cur:f.End])
	return b.String()
}

// Sort orders search results.
type Sort string

// The orders a search can use.
const (
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "date"
	SortOldest    Sort = "date_asc"
	SortRating    Sort = "rating"
	SortRatingLow Sort = "rating_asc"
)

// Query is a search: a query string in bleve syntax plus filters.
type Query struct {
	// Text is a query string: words, "phrases", +must, -must_not,
	// field:value, fuzzy~1, prefix*. Empty matches everything.
	Text      string
	Brands    []string
	Locations []string
	Sources   []string
	Kinds     []string
	Langs     []string
	// Sentiments and Themes filter on enrichment labels.
	Sentiments []string
	Themes     []string
	// MinRating and MaxRating bound the published rating, inclusive.
	MinRating, MaxRating *float64
	// From and To bound published_at: From inclusive, To exclusive.
	From, To time.Time
	Sort     Sort
	Size     int // results per page (default 10)
	Offset   int
	// Highlight asks for the matched words in each hit.
	Highlight bool
}

// Hit is one search result.
type Hit struct {
	Review review.Review
	Score  float64
	// Highlights holds fragments of the text and title with matched words
	// between MarkStart and MarkEnd, keyed "text" and "title".
	Highlights map[string][]string
}

// Result is a page of search results.
type Result struct {
	Total uint64
	Hits  []Hit
	Took  time.Duration
}

// QueryError is a query the user wrote that cannot be run.
type QueryError struct {
	Query string
	Err   error
}

func (e *QueryError) Error() string { return fmt.Sprintf("bad query %q: %v", e.Query, e.Err) }
func (e *QueryError) Unwrap() error { return e.Err }

// Search runs q.
func (x *Index) Search(ctx context.Context, q Query) (*Result, error) {
	bq, err := BuildQuery(q)
	if err != nil {
		return nil, err
	}
	size := q.Size
	if size <= 0 {
		size = 10
	}
	req := bleve.NewSearchRequestOptions(bq, size, q.Offset, false)
	req.Fields = []string{FieldDoc}
	for _, l := range Languages {
		req.Fields = append(req.Fields, TextField(l), TitleField(l))
	}
	switch q.Sort {
	case "", SortRelevance:
		if strings.TrimSpace(q.Text) == "" {
			req.SortBy([]string{"-" + FieldPublished, "_id"})
		} else {
			// Ties broken by id, so that paging neither repeats nor skips.
			req.SortBy([]string{"-_score", "_id"})
		}
	case SortNewest:
		req.SortBy([]string{"-" + FieldPublished, "_id"})
	case SortOldest:
		req.SortBy([]string{FieldPublished, "_id"})
	case SortRating:
		req.SortBy([]string{"-" + FieldRating, "-" + FieldPublished})
	case SortRatingLow:
		req.SortBy([]string{FieldRating, "-" + FieldPublished})
	default:
		return nil, &QueryError{Query: string(q.Sort), Err: fmt.Errorf("unknown sort (use relevance, date, date_asc, rating or rating_asc)")}
	}
	if q.Highlight && strings.TrimSpace(q.Text) != "" {
		req.Highlight = bleve.NewHighlightWithStyle(highlighterName)
		for _, l := range Languages {
			req.Highlight.AddField(TextField(l))
			req.Highlight.AddField(TitleField(l))
		}
	}
	res, err := x.b.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: search: %w", err)
	}
	out := &Result{Total: res.Total, Took: res.Took, Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		r, err := decodeStored(h.ID, h.Fields)
		if err != nil {
			return nil, err
		}
		hit := Hit{Review: r, Score: h.Score}
		for field, frags := range h.Fragments {
			key := "text"
			if strings.HasPrefix(field, "title_") {
				key = "title"
			}
			if hit.Highlights == nil {
				hit.Highlights = map[string][]string{}
			}
			hit.Highlights[key] = append(hit.Highlights[key], frags...)
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// BuildQuery turns q into a bleve query: the parsed query string with its
// field names mapped onto the index's fields, and the filters.
func BuildQuery(q Query) (query.Query, error) {
	var must []query.Query
	if text := strings.TrimSpace(q.Text); text != "" {
		parsed, err := query.NewQueryStringQuery(text).Parse()
		if err != nil {
			return nil, &QueryError{Query: text, Err: cleanParseError(err)}
		}
		rewritten, err := rewrite(filtersFirst(parsed))
		if err != nil {
			return nil, &QueryError{Query: text, Err: err}
		}
		must = append(must, rewritten)
	}
	terms := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		ds := make([]query.Query, 0, len(values))
		for _, v := range values {
			t := query.NewTermQuery(v)
			t.SetField(field)
			ds = append(ds, t)
		}
		must = append(must, query.NewDisjunctionQuery(ds))
	}
	terms(FieldBrand, q.Brands)
	terms(FieldLocation, q.Locations)
	terms(FieldSource, q.Sources)
	terms(FieldKind, q.Kinds)
	terms(FieldLang, q.Langs)
	terms(FieldSentiment, q.Sentiments)
	terms(FieldThemes, q.Themes)
	if q.MinRating != nil || q.MaxRating != nil {
		t := true
		r := query.NewNumericRangeInclusiveQuery(q.MinRating, q.MaxRating, &t, &t)
		r.SetField(FieldRating)
		must = append(must, r)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		t, f := true, false
		r := query.NewDateRangeInclusiveQuery(q.From, q.To, &t, &f)
		r.SetField(FieldPublished)
		must = append(must, r)
	}
	switch len(must) {
	case 0:
		return query.NewMatchAllQuery(), nil
	case 1:
		return must[0], nil
	}
	return query.NewConjunctionQuery(must), nil
}

// filtersFirst makes the field clauses of a parsed query string filters:
// "location:lyon attente" finds Lyon's reviews that mention waiting, where
// bleve alone would return Lyon's reviews and every review mentioning
// waiting. Clauses on the same field remain alternatives ("lang:fr
// lang:ru" is either language), and the words remain as they were: at
// least one of them must match unless the query has required (+) parts.
func filtersFirst(q query.Query) query.Query {
	bq, ok := q.(*query.BooleanQuery)
	if !ok || bq.Should == nil {
		return q
	}
	should, ok := bq.Should.(*query.DisjunctionQuery)
	if !ok {
		return q
	}
	byField := map[string][]query.Query{}
	var fields []string
	var words []query.Query
	for _, d := range should.Disjuncts {
		f, ok := filterField(d)
		if !ok {
			words = append(words, d)
			continue
		}
		if _, seen := byField[f]; !seen {
			fields = append(fields, f)
		}
		byField[f] = append(byField[f], d)
	}
	if len(fields) == 0 {
		return q
	}
	var must []query.Query
	switch m := bq.Must.(type) {
	case nil:
	case *query.ConjunctionQuery:
		must = append(must, m.Conjuncts...)
	default:
		must = append(must, m)
	}
	hadMust := len(must) > 0
	for _, f := range fields {
		if cs := byField[f]; len(cs) == 1 {
			must = append(must, cs[0])
		} else {
			must = append(must, query.NewDisjunctionQuery(cs))
		}
	}
	out := query.NewBooleanQuery(must, nil, nil)
	out.MustNot = bq.MustNot
	if len(words) > 0 {
		d := query.NewDisjunctionQuery(words)
		if !hadMust {
			d.SetMin(1)
		}
		out.Should = d
	}
	return out
}

// filterField returns the field of a query string clause that filters
// (a keyword, a number, a date or the author), as the user wrote it.
func filterField(q query.Query) (string, bool) {
	switch q := q.(type) {
	case *query.DisjunctionQuery:
		// field:4 is "the word 4 or the number 4" on one field.
		field := ""
		for i, d := range q.Disjuncts {
			f, ok := filterField(d)
			if !ok || (i > 0 && f != field) {
				return "", false
			}
			field = f
		}
		return field, field != ""
	case query.FieldableQuery:
		f := q.Field()
		_, isKeyword := keywordAliases[f]
		_, isNumber := numericAliases[f]
		_, isDate := dateAliases[f]
		return f, isKeyword || isNumber || isDate || f == "author"
	}
	return "", false
}

func cleanParseError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "parse error: ")
	return errors.New(msg)
}

// Field names users may write in a query string, and the index fields
// they mean. Text fields expand to every language's field.
var (
	textAliases = map[string]func() []string{
		"":      func() []string { return append(langFields(TextField), langFields(TitleField)...) },
		"text":  func() []string { return langFields(TextField) },
		"title": func() []string { return langFields(TitleField) },
	}
	keywordAliases = map[string]string{
		"brand": FieldBrand, "location": FieldLocation, "source": FieldSource, "kind": FieldKind,
		"lang": FieldLang, "language": FieldLang, "sentiment": FieldSentiment, "theme": FieldThemes,
		"themes": FieldThemes, "month": FieldMonth, "week": FieldWeek, "day": FieldDay,
	}
	numericAliases = map[string]string{"rating": FieldRating, "stars": FieldRating, "rating_norm": FieldRatingN}
	dateAliases    = map[string]string{"date": FieldPublished, "published": FieldPublished, "published_at": FieldPublished}
)

func langFields(f func(string) string) []string {
	out := make([]string, len(Languages))
	for i, l := range Languages {
		out[i] = f(l)
	}
	return out
}

// QueryFields lists the field names a query string may use.
func QueryFields() []string {
	var names []string
	for k := range textAliases {
		if k != "" {
			names = append(names, k)
		}
	}
	names = append(names, "author")
	for _, m := range []map[string]string{keywordAliases, numericAliases, dateAliases} {
		for k := range m {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

func unknownField(name string) error {
	return fmt.Errorf("unknown field %q (fields: %s)", name, strings.Join(QueryFields(), ", "))
}

// rewrite maps the field names of a parsed query string onto the index.
func rewrite(q query.Query) (query.Query, error) {
	var err error
	switch q := q.(type) {
	case *query.BooleanQuery:
		for _, p := range []*query.Query{&q.Must, &q.Should, &q.MustNot} {
			if *p != nil {
				if *p, err = rewrite(*p); err != nil {
					return nil, err
				}
			}
		}
		return q, nil
	case *query.ConjunctionQuery:
		for i := range q.Conjuncts {
			if q.Conjuncts[i], err = rewrite(q.Conjuncts[i]); err != nil {
				return nil, err
			}
		}
		return q, nil
	case *query.DisjunctionQuery:
		// field:4 parses as "the word 4 or the number 4"; on a numeric
		// field only the number makes sense.
		if len(q.Disjuncts) == 2 {
			m, isMatch := q.Disjuncts[0].(*query.MatchQuery)
			n, isNum := q.Disjuncts[1].(*query.NumericRangeQuery)
			if isMatch && isNum && m.FieldVal == n.FieldVal && numericAliases[n.FieldVal] != "" {
				return rewrite(n)
			}
		}
		for i := range q.Disjuncts {
			if q.Disjuncts[i], err = rewrite(q.Disjuncts[i]); err != nil {
				return nil, err
			}
		}
		return q, nil
	case *query.NumericRangeQuery:
		if f, ok := numericAliases[q.FieldVal]; ok {
			q.SetField(f)
			return q, nil
		}
		if q.FieldVal == "" || keywordAliases[q.FieldVal] != "" || textAliases[q.FieldVal] != nil || q.FieldVal == "author" {
			// A bare number, or a number in a text field: the match
			// beside it in the query string's disjunction covers it.
			return query.NewMatchNoneQuery(), nil
		}
		return nil, unknownField(q.FieldVal)
	case *query.DateRangeQuery:
		if f, ok := dateAliases[q.FieldVal]; ok {
			q.SetField(f)
			return q, nil
		}
		return nil, fmt.Errorf("field %q holds no dates (use date:>\"2025-01-01\")", q.FieldVal)
	case *query.MatchQuery:
		return expand(q.FieldVal, q.Match, func(field, value string) query.Query {
			c := *q
			c.SetField(field)
			c.Match = value
			return &c
		})
	case *query.MatchPhraseQuery:
		return expand(q.FieldVal, q.MatchPhrase, func(field, value string) query.Query {
			c := *q
			c.SetField(field)
			c.MatchPhrase = value
			return &c
		})
	case *query.WildcardQuery:
		q.Wildcard = foldTerm(q.Wildcard)
		return expandTerm(q.FieldVal, q.Wildcard, func(field, value string) query.Query {
			c := *q
			c.SetField(field)
			c.Wildcard = value
			return &c
		})
	case *query.RegexpQuery:
		return expandTerm(q.FieldVal, q.Regexp, func(field, value string) query.Query {
			c := *q
			c.SetField(field)
			c.Regexp = value
			return &c
		})
	}
	return q, nil
}

// expandTerm is expand for term-level queries (wildcards, regular
// expressions), which are not analysed: on text they search the unstemmed
// words field.
func expandTerm(userField, value string, build func(field, value string) query.Query) (query.Query, error) {
	if _, ok := textAliases[userField]; ok {
		return build(FieldWords, value), nil
	}
	return expand(userField, value, build)
}

// foldTerm lower-cases a wildcard pattern and removes its accents, as the
// words field's analyser does.
func foldTerm(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("ё", "е").Replace(s)
	return string(foldAccents([]byte(s)))
}

// expand builds the query for a user field: one query per language field
// for text, one on the mapped field for keywords (ids are lower case).
func expand(userField, value string, build func(field, value string) query.Query) (query.Query, error) {
	if fields, ok := textAliases[userField]; ok {
		fs := fields()
		qs := make([]query.Query, len(fs))
		for i, f := range fs {
			qs[i] = build(f, value)
		}
		return query.NewDisjunctionQuery(qs), nil
	}
	if userField == "author" {
		return build(FieldAuthor, value), nil
	}
	if f, ok := keywordAliases[userField]; ok {
		return build(f, strings.ToLower(value)), nil
	}
	if f, ok := numericAliases[userField]; ok {
		return nil, fmt.Errorf("field %q is a number: write %s:>=4 or %s:<3", userField, userField, f)
	}
	if _, ok := dateAliases[userField]; ok {
		return nil, fmt.Errorf("field %q is a date: write %s:>=\"2025-01-01\"", userField, userField)
	}
	return nil, unknownField(userField)
}
