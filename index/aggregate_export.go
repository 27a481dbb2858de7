package index

import (
	"context"
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/vigie-dev/vigie/internal/review"
)

// Each calls fn with every review q selects (its text and filters; Size
// and Offset are ignored), newest first, or oldest first when q.Sort is
// SortOldest. Only the dates and document numbers of the matches are held
// in memory; each review is loaded when its turn comes, so that an export
// of the whole index streams. An error from fn stops the walk and is
// returned.
func (x *Index) Each(ctx context.Context, q Query, fn func(review.Review) error) (err error) {
	switch q.Sort {
	case "", SortRelevance, SortNewest, SortOldest:
	default:
		return &QueryError{Query: string(q.Sort), Err: fmt.Errorf("an export is sorted by date (date or date_asc)")}
	}
	bq, err := scanQuery(q)
	if err != nil {
		return err
	}
	adv, err := x.b.Advanced()
	if err != nil {
		return fmt.Errorf("index: export: %w", err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("index: export: %w", err)
	}
	defer func() {
		if cerr := reader.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("index: export: %w", cerr)
		}
	}()
	searcher, err := bq.Searcher(ctx, reader, x.b.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		return fmt.Errorf("index: export: %w", err)
	}
	defer searcher.Close()
	dvr, err := reader.DocValueReader([]string{FieldPublished})
	if err != nil {
		return fmt.Errorf("index: export: %w", err)
	}
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(searcher.DocumentMatchPoolSize(), 0),
		IndexReader:       reader,
	}
	type match struct {
		at  int64
		has bool
		id  bindex.IndexInternalID
	}
	var matches []match
	var cur match
	visit := func(field string, term []byte) {
		if v, ok := decodeInt(term); ok {
			cur.at, cur.has = v, true
		}
	}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		dm, err := searcher.Next(sctx)
		if err != nil {
			return fmt.Errorf("index: export: %w", err)
		}
		if dm == nil {
			break
		}
		cur = match{}
		if err := dvr.VisitDocValues(dm.IndexInternalID, visit); err != nil {
			return fmt.Errorf("index: export: %w", err)
		}
		if (!q.From.IsZero() || !q.To.IsZero()) &&
			(!cur.has || (!q.From.IsZero() && cur.at < q.From.UnixNano()) || (!q.To.IsZero() && cur.at >= q.To.UnixNano())) {
			sctx.DocumentMatchPool.Put(dm)
			continue
		}
		cur.id = append(bindex.IndexInternalID(nil), dm.IndexInternalID...)
		matches = append(matches, cur)
		sctx.DocumentMatchPool.Put(dm)
	}
	asc := q.Sort == SortOldest
	sort.SliceStable(matches, func(i, j int) bool {
		a, b := matches[i], matches[j]
		if a.has != b.has {
			return a.has // undated last
		}
		if asc {
			return a.at < b.at
		}
		return a.at > b.at
	})
	for i, m := range matches {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		id, err := reader.ExternalID(m.id)
		if err != nil {
			return fmt.Errorf("index: export: %w", err)
		}
		doc, err := reader.Document(id)
		if err != nil {
			return fmt.Errorf("index: export %s: %w", id, err)
		}
		if doc == nil {
			continue // deleted meanwhile
		}
		fields := map[string]any{}
		doc.VisitFields(func(f bindex.Field) {
			fields[f.Name()] = string(f.Value())
		})
		r, err := decodeStored(id, fields)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
