// Package ingest makes ingestion durable and the index rebuildable.
//
// Every new review and every new version of a review goes first to the
// archive (internal/archive), as collected and before enrichment, in a
// batch that is on disk before anything else happens; then the enriched
// reviews go to the index, with the archive sequence number of the batch
// written in the same index batch (the index's watermark); then the state
// store's known reviews are updated, with their own watermark. Only then is
// the page acknowledged to the connector.
//
// The index and the known reviews are thus both functions of the archive:
// after a crash, whatever was archived but not yet indexed (or recorded as
// known) is exactly the records after each watermark, and Recover applies
// them. Applying a record twice is harmless. Rebuild applies the whole
// archive to a new index, with the current enrichment (`vigie reindex`);
// the same Applier does it, so a rebuilt index holds the same reviews,
// versions and deletion marks as the live one.
package ingest

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/review"
)

// DefaultMaxHistory is how many previous versions of a review the index
// keeps (the archive keeps them all).
const DefaultMaxHistory = 20

// Applier applies archive records to an index.
type Applier struct {
	// Enrich enriches a collected review in place: language, sentiment,
	// themes (pipeline.Pipeline.Enrich). Nil leaves reviews as collected.
	Enrich func(*review.Review)
	// MaxHistory caps the versions kept per review; 0 means
	// DefaultMaxHistory.
	MaxHistory int
}

// Item is a record to apply; for a put, Enriched may hold the review
// already enriched (the live path), else the applier enriches it.
type Item struct {
	Rec      archive.Record
	Enriched *review.Review
}

// Apply writes the effect of items, in order, to x, with the sequence
// number of the last one as x's watermark, and returns the reviews
// written. maybeKnown, when not nil, says whether x may already hold an id
// (false spares a lookup).
func (a *Applier) Apply(ctx context.Context, x *index.Index, items []Item, maybeKnown func(id string) bool) ([]review.Review, error) {
	if len(items) == 0 {
		return nil, nil
	}
	a.enrichMissing(items)
	pending := map[string]int{} // id -> position in out
	var out []review.Review
	prev := func(id string) (*review.Review, error) {
		if i, ok := pending[id]; ok {
			return &out[i], nil
		}
		if maybeKnown != nil && !maybeKnown(id) {
			return nil, nil
		}
		r, ok, err := x.Get(id)
		if err != nil || !ok {
			return nil, err
		}
		return &r, nil
	}
	set := func(r review.Review) {
		if i, ok := pending[r.ID]; ok {
			out[i] = r
			return
		}
		pending[r.ID] = len(out)
		out = append(out, r)
	}
	for _, it := range items {
		rec := it.Rec
		if rec.ID == "" {
			continue
		}
		p, err := prev(rec.ID)
		if err != nil {
			return nil, err
		}
		switch rec.Op {
		case archive.OpPut:
			if it.Enriched == nil {
				continue // a put without a review: nothing to apply
			}
			set(a.merge(p, rec, *it.Enriched))
		case archive.OpDelete:
			if p == nil || !p.DeletedAt.IsZero() {
				continue
			}
			r := *p
			r.DeletedAt = rec.At
			set(r)
		}
	}
	if err := x.UpsertAt(ctx, out, items[len(items)-1].Rec.Seq); err != nil {
		return nil, err
	}
	return out, nil
}

// enrichMissing enriches, in parallel, the puts that are not enriched yet.
func (a *Applier) enrichMissing(items []Item) {
	var todo []int
	for i := range items {
		if items[i].Rec.Op == archive.OpPut && items[i].Enriched == nil && items[i].Rec.Review != nil {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := pipeline.Clone(*items[i].Rec.Review)
				r.ID = items[i].Rec.ID
				if a.Enrich != nil {
					a.Enrich(&r)
				}
				items[i].Enriched = &r
			}
		}()
	}
	for _, i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
}

// merge makes the indexed form of a new version cur of a review whose
// current indexed form is prev (nil for a new review): prev becomes the
// last entry of the history when the content changed.
func (a *Applier) merge(prev *review.Review, rec archive.Record, cur review.Review) review.Review {
	cur.ID = rec.ID
	cur.DeletedAt = time.Time{}
	cur.History = nil
	if prev == nil {
		return cur
	}
	hist := prev.History
	if prev.ContentHash() != cur.ContentHash() {
		seen := rec.PrevSeen
		if seen.IsZero() {
			seen = prev.FetchedAt
		}
		v := review.Version{
			Title:       prev.Title,
			Text:        prev.Text,
			Rating:      prev.Rating,
			Reply:       prev.Reply,
			PublishedAt: prev.PublishedAt,
			UpdatedAt:   prev.UpdatedAt,
			SeenUntil:   seen,
		}
		hist = append(append([]review.Version(nil), hist...), v)
		limit := a.MaxHistory
		if limit <= 0 {
			limit = DefaultMaxHistory
		}
		if len(hist) > limit {
			hist = hist[len(hist)-limit:]
		}
	}
	cur.History = hist
	return cur
}

// Strip returns r as collected: without what enrichment and the index
// add. It turns an indexed review back into an archive record's review.
func Strip(r review.Review) review.Review {
	r.Lang, r.LangConfidence = "", 0
	r.Sentiment, r.Themes = nil, nil
	r.History = nil
	r.DeletedAt = time.Time{}
	return r
}

func errf(format string, args ...any) error { return fmt.Errorf("ingest: "+format, args...) }
