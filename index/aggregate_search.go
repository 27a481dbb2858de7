package index

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
)

// browseWindows are the recent windows Find looks in first when it lists
// reviews without words, newest first: sorting a whole large index by date
// is slow, and the newest reviews are almost always recent.
var browseWindows = []time.Duration{7 * 24 * time.Hour, 31 * 24 * time.Hour, 366 * 24 * time.Hour}

// Find runs q as Search does and, with facetSize >= 0, also counts the
// facets of everything q matches (at most facetSize values per field, 0
// for all). now is the present, for listings without words: they are
// sorted newest first by looking in recent windows before the whole index.
func (x *Index) Find(ctx context.Context, q Query, now time.Time, facetSize int) (*Result, *Facets, error) {
	browse := strings.TrimSpace(q.Text) == "" && (q.Sort == "" || q.Sort == SortRelevance || q.Sort == SortNewest)
	if !browse && facetSize >= 0 && scanColumns {
		return x.searchCounting(ctx, q, facetSize)
	}
	if browse && scanColumns && len(q.Locations)+len(q.Sources) == 0 {
		res, fs, ok, err := x.browseColumns(ctx, q, facetSize)
		if err != nil || ok {
			return res, fs, err
		}
	}
	var facets *Facets
	var err error
	if facetSize >= 0 {
		facets, err = x.Facets(ctx, q, facetSize)
		if err != nil {
			return nil, nil, err
		}
	}
	if !browse {
		res, err := x.Search(ctx, q)
		return res, facets, err
	}
	total := -1
	if facets != nil {
		total = facets.Total
	} else if total, err = x.count(ctx, q); err != nil {
		return nil, nil, err
	}
	res, err := x.Browse(ctx, q, now, total)
	return res, facets, err
}

// browseColumns lists the newest reviews that q's filters select from the
// column cache: one pass over the columns counts the facets and keeps the
// newest offset+size reviews, whose stored documents are then read. It
// returns false when the index has no column cache.
func (x *Index) browseColumns(ctx context.Context, q Query, facetSize int) (res *Result, facets *Facets, ok bool, err error) {
	start := time.Now()
	adv, err := x.b.Advanced()
	if err != nil {
		return nil, nil, false, fmt.Errorf("index: browse: %w", err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, nil, false, fmt.Errorf("index: browse: %w", err)
	}
	defer func() {
		if cerr := reader.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("index: browse: %w", cerr)
		}
	}()
	snap, isScorch := reader.(*scorch.IndexSnapshot)
	if !isScorch {
		return nil, nil, false, nil
	}
	v, err := x.columns().view(snap)
	if err != nil {
		return nil, nil, false, err
	}
	size := q.Size
	if size <= 0 {
		size = 10
	}
	keep := q.Offset + size
	fc := newFacetCounter()
	top := &newest{}
	offer := func(pub int64, g uint64) { top.offer(docAt{pub, g}, keep) }
	if f := v.filter(q); f.unfiltered() {
		err = v.browseAll(ctx, f, keep, fc, offer)
	} else {
		err = v.each(ctx, f, func(g uint64) {
			if facetSize >= 0 {
				fc.add(v, g)
			} else {
				fc.total++
			}
			pub, _ := v.published(g)
			offer(pub, g)
		})
	}
	if err != nil {
		return nil, nil, true, err
	}
	page := make([]docAt, top.Len())
	for i := len(page) - 1; i >= 0; i-- {
		page[i] = heap.Pop(top).(docAt)
	}
	if q.Offset < len(page) {
		page = page[q.Offset:]
	} else {
		page = nil
	}
	res = &Result{Total: uint64(fc.total), Hits: make([]Hit, 0, len(page))}
	for _, p := range page {
		iid := make(bindex.IndexInternalID, 8)
		iid.SetValue(p.g)
		id, err := reader.ExternalID(iid)
		if err != nil {
			return nil, nil, true, fmt.Errorf("index: browse: %w", err)
		}
		doc, err := reader.Document(id)
		if err != nil || doc == nil {
			return nil, nil, true, fmt.Errorf("index: browse %s: %v", id, err)
		}
		fields := map[string]any{}
		doc.VisitFields(func(f bindex.Field) { fields[f.Name()] = string(f.Value()) })
		r, err := decodeStored(id, fields)
		if err != nil {
			return nil, nil, true, err
		}
		res.Hits = append(res.Hits, Hit{Review: r})
	}
	sortNewestFirst(res.Hits)
	res.Took = time.Since(start)
	if facetSize >= 0 {
		facets = fc.result(facetSize)
	}
	return res, facets, true, nil
}

// browseAll is the listing of everything (or of whole brands), the
// dashboard's default view, without reading every document: each
// segment's summary gives its facet counts (less its deleted documents)
// and its documents newest first, of which only the first keep live ones
// can make the page. Segments the filter does not select whole are
// scanned.
func (v *colView) browseAll(ctx context.Context, f *colFilter, keep int, fc *facetCounter, offer func(int64, uint64)) error {
	for i, sc := range v.segs {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := sc.summarize()
		del := v.deleted[i]
		if !f.selectsAll(s) {
			n := uint64(len(sc.loc))
			for d := range n {
				if (del == nil || !del.Contains(uint32(d))) && f.match(sc, d) {
					fc.add(v, v.offsets[i]+d)
					offer(sc.pub[d], v.offsets[i]+d)
				}
			}
			continue
		}
		fc.addCounts(v, s.total, &s.ids)
		if del != nil {
			it := del.Iterator()
			for it.HasNext() {
				if d := uint64(it.Next()); d < uint64(len(sc.loc)) {
					fc.total--
					addDoc(&fc.ids, sc, d, -1)
				}
			}
		}
		taken := 0
		for _, d := range s.newest {
			if taken == keep {
				break
			}
			if del != nil && del.Contains(d) {
				continue
			}
			offer(sc.pub[d], v.offsets[i]+uint64(d))
			taken++
		}
	}
	return nil
}

// docAt is a match: its publication time and global document number.
type docAt struct {
	pub int64
	g   uint64
}

// less orders older first (undated first), and for equal times the
// higher document number first, so that the heap keeps the newest.
func (a docAt) less(b docAt) bool {
	if a.pub != b.pub {
		return a.pub < b.pub
	}
	return a.g > b.g
}

// sortNewestFirst orders a page newest first; reviews published at the
// same moment go by id, as bleve sorts them.
func sortNewestFirst(hits []Hit) {
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i].Review, hits[j].Review
		if !a.PublishedAt.Equal(b.PublishedAt) {
			return a.PublishedAt.After(b.PublishedAt)
		}
		return a.ID < b.ID
	})
}

// offer keeps d if it is among the keep newest seen so far.
func (h *newest) offer(d docAt, keep int) {
	if h.Len() < keep {
		heap.Push(h, d)
	} else if (*h)[0].less(d) {
		(*h)[0] = d
		heap.Fix(h, 0)
	}
}

// newest is a min-heap of the newest matches seen.
type newest []docAt

func (h newest) Len() int           { return len(h) }
func (h newest) Less(i, j int) bool { return h[i].less(h[j]) }
func (h newest) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *newest) Push(x any)        { *h = append(*h, x.(docAt)) }
func (h *newest) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// searchCounting runs Search and counts the facets of every match in the
// same pass: the collector hands each match to a handler that counts it
// from the column cache before the top-N heap sees it.
func (x *Index) searchCounting(ctx context.Context, q Query, facetSize int) (*Result, *Facets, error) {
	fc := newFacetCounter()
	fallback := false
	// Newest first, the page is chosen here from the column cache's dates
	// as the matches go by: bleve's sort would read every match's date
	// from its doc values (a broad word sorted by date took 280 ms at a
	// million reviews, against 70 by relevance).
	byDate := q.Sort == SortNewest
	size := q.Size
	if size <= 0 {
		size = 10
	}
	keep := q.Offset + size
	top := &newest{}
	var pageIDs []string
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		h, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil {
			return nil, false, err
		}
		snap, ok := sctx.IndexReader.(*scorch.IndexSnapshot)
		if !ok {
			fallback = true
			return h, loadID, nil
		}
		v, err := x.columns().view(snap)
		if err != nil {
			return nil, false, err
		}
		return func(d *search.DocumentMatch) error {
			if d != nil {
				g := d.IndexInternalID.Value()
				fc.add(v, g)
				if byDate {
					pub, _ := v.published(g)
					top.offer(docAt{pub, g}, keep)
				}
			} else if byDate {
				// The end of the matches: name the page's reviews while
				// this snapshot's document numbers hold.
				page := make([]docAt, top.Len())
				for i := len(page) - 1; i >= 0; i-- {
					page[i] = heap.Pop(top).(docAt)
				}
				if q.Offset < len(page) {
					for _, p := range page[q.Offset:] {
						iid := make(bindex.IndexInternalID, 8)
						iid.SetValue(p.g)
						id, err := sctx.IndexReader.ExternalID(iid)
						if err != nil {
							return err
						}
						pageIDs = append(pageIDs, id)
					}
				}
			}
			return h(d)
		}, loadID, nil
	}
	plain := q
	plain.Highlight = false
	if byDate {
		// bleve only counts; the page comes from the handler.
		plain.Sort, plain.Size, plain.Offset = SortRelevance, 1, 0
	}
	res, err := x.Search(context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker)), plain)
	if err != nil {
		return nil, nil, err
	}
	if byDate && fallback {
		res, err = x.Search(ctx, q)
		if err != nil {
			return nil, nil, err
		}
	} else if byDate {
		res.Hits = res.Hits[:0]
		for _, id := range pageIDs {
			r, ok, err := x.Get(id)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				res.Hits = append(res.Hits, Hit{Review: r})
			}
		}
		sortNewestFirst(res.Hits)
	}
	if q.Highlight {
		if err := x.highlight(ctx, q, res.Hits); err != nil {
			return nil, nil, err
		}
	}
	if fallback || uint64(fc.total) != res.Total {
		facets, err := x.Facets(ctx, q, facetSize)
		return res, facets, err
	}
	return res, fc.result(facetSize), nil
}

// highlight fills the highlights of hits. Asking bleve for highlights in
// the search itself makes every matching review's term locations be read,
// tens of thousands for a common word; here only the page's reviews are
// searched again, with highlights.
func (x *Index) highlight(ctx context.Context, q Query, hits []Hit) error {
	if strings.TrimSpace(q.Text) == "" || len(hits) == 0 {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.Review.ID
	}
	only := q
	only.Sort, only.Offset, only.Size, only.Highlight = SortRelevance, 0, len(ids), true
	bq, err := BuildQuery(only)
	if err != nil {
		return err
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{bq, query.NewDocIDQuery(ids)}), len(ids), 0, false)
	req.Highlight = bleve.NewHighlightWithStyle(highlighterName)
	for _, l := range Languages {
		req.Highlight.AddField(TextField(l))
		req.Highlight.AddField(TitleField(l))
	}
	res, err := x.b.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("index: highlight: %w", err)
	}
	frags := map[string]map[string][]string{}
	for _, h := range res.Hits {
		for field, fs := range h.Fragments {
			key := "text"
			if strings.HasPrefix(field, "title_") {
				key = "title"
			}
			if frags[h.ID] == nil {
				frags[h.ID] = map[string][]string{}
			}
			frags[h.ID][key] = append(frags[h.ID][key], fs...)
		}
	}
	for i := range hits {
		if f := frags[hits[i].Review.ID]; f != nil {
			hits[i].Highlights = f
		}
	}
	return nil
}

// Browse lists the reviews q's filters select, newest first, looking in
// recent windows before the whole index. total is the number of reviews q
// selects, when the caller knows it (-1 otherwise): it decides whether
// the recent windows can hold the page asked for.
func (x *Index) Browse(ctx context.Context, q Query, now time.Time, total int) (*Result, error) {
	q.Sort = SortNewest
	size := q.Size
	if size <= 0 {
		size = 10
	}
	need := q.Offset + size
	end := now
	if !q.To.IsZero() && q.To.Before(end) {
		end = q.To
	}
	if total < 0 {
		var err error
		if total, err = x.count(ctx, q); err != nil {
			return nil, err
		}
	}
	need = min(need, total)
	for _, w := range browseWindows {
		from := end.Add(-w)
		if !q.From.IsZero() && !from.After(q.From) {
			break // the window holds the whole query: search it as it is
		}
		wq := q
		wq.From = from // To stays: everything newer than from is in the window
		res, err := x.Search(ctx, wq)
		if err != nil {
			return nil, err
		}
		if int(res.Total) >= need {
			res.Total = uint64(total)
			return res, nil
		}
	}
	res, err := x.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	res.Total = uint64(total)
	return res, nil
}

// count returns the number of reviews q selects.
func (x *Index) count(ctx context.Context, q Query) (int, error) {
	if strings.TrimSpace(q.Text) == "" && len(q.Brands)+len(q.Locations)+len(q.Sources)+len(q.Kinds)+len(q.Langs)+len(q.Sentiments)+len(q.Themes) == 0 &&
		q.MinRating == nil && q.MaxRating == nil && q.From.IsZero() && q.To.IsZero() {
		n, err := x.Count()
		return int(n), err
	}
	n := 0
	err := x.scan(ctx, q, 0, func(*row) { n++ })
	return n, err
}
