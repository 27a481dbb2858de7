package ingest

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/store"
)

// Journal is the durable ingestion path: it implements pipeline.Journal
// over the archive, the index and the state store.
type Journal struct {
	Archive *archive.Archive
	State   *store.Store
	Index   *index.Holder
	Applier *Applier
	Log     *slog.Logger
	// OnCommit, when set, is called after each committed batch, outside
	// the journal's lock (alert evaluation hooks in here).
	OnCommit func(Event)

	// mu orders commits: the archive's order is the index's order.
	mu sync.Mutex
	// qmu guards the queue of batches waiting for a group commit, and
	// leading, set while a group is being written.
	qmu     sync.Mutex
	queue   []*waiter
	leading bool
	groups  int // group commits written, for tests
	// behind is set when a commit failed after its batch was archived: the
	// next commit first catches the index and the state up.
	behind bool

	ix indexer
}

// Event describes a committed batch.
type Event struct {
	Source   string
	Location string
	At       time.Time
	// Seq is the archive sequence number of the batch's last record.
	Seq uint64
	// Reviews are the reviews written to the index (new and updated
	// reviews, or reviews marked deleted), as indexed.
	Reviews []review.Review
	// New and Updated count the batch's new reviews and new versions;
	// Deleted the reviews marked deleted.
	New, Updated, Deleted int
}

var _ pipeline.Journal = (*Journal)(nil)

// Known implements pipeline.Journal from the state store.
func (j *Journal) Known(ctx context.Context, source string, ids []string) (map[string]pipeline.Known, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := j.State.Known(source, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]pipeline.Known, len(m))
	for id, k := range m {
		out[id] = pipeline.Known{Hash: k.Hash, Deleted: k.Deleted, Seen: k.Seen}
	}
	return out, nil
}

// Commit implements pipeline.Journal. It returns once the batch is in the
// archive and in the known reviews: from then on nothing can lose it, and
// the next pages are classified against it. The index follows a moment
// later (see indexer); OnCommit is called once the batch is indexed.
//
// Commits are grouped: the batches of runs that commit while another
// group is being written wait, and the next group writes them all at once
// (one archive sync, one state transaction), so that a thousand sources
// collected at once do not each pay for a sync per page.
func (j *Journal) Commit(ctx context.Context, b pipeline.Batch) error {
	w := &waiter{b: b, done: make(chan outcome, 1)}
	j.qmu.Lock()
	j.queue = append(j.queue, w)
	first := !j.leading
	j.leading = true
	j.qmu.Unlock()
	if first {
		j.commitNext(ctx)
	}
	for {
		o := <-w.done
		if o.lead {
			// This batch heads the queue: write its group.
			j.commitNext(ctx)
			continue
		}
		return o.err
	}
}

// maxGroupReviews bounds the reviews of one group commit: an index batch.
const maxGroupReviews = index.BatchSize

// waiter is a batch waiting for its group commit.
type waiter struct {
	b    pipeline.Batch
	done chan outcome
}

// outcome is what a waiter hears: its batch was written (with err), or
// it now leads the next group.
type outcome struct {
	err  error
	lead bool
}

// commitNext writes the group at the head of the queue, tells its
// waiters, and hands the lead to the next waiting batch, if any.
func (j *Journal) commitNext(ctx context.Context) {
	j.qmu.Lock()
	n, k := 0, 0
	for k < len(j.queue) && (k == 0 || n+len(j.queue[k].b.Changes) <= maxGroupReviews) {
		n += len(j.queue[k].b.Changes)
		k++
	}
	group := append([]*waiter(nil), j.queue[:k]...)
	j.queue = append(j.queue[:0], j.queue[k:]...)
	j.groups++
	j.qmu.Unlock()

	batches := make([]pipeline.Batch, len(group))
	for i, w := range group {
		batches[i] = w.b
	}
	// A group holds other runs' batches: one run's cancellation must not
	// abort them.
	err := j.commit(context.WithoutCancel(ctx), batches)
	for _, w := range group {
		w.done <- outcome{err: err}
	}

	j.qmu.Lock()
	if len(j.queue) > 0 {
		j.queue[0].done <- outcome{lead: true}
	} else {
		j.leading = false
	}
	j.qmu.Unlock()
}

// commit writes batches as one: archive, then known reviews; the index
// write is queued for the indexer.
func (j *Journal) commit(ctx context.Context, batches []pipeline.Batch) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.catchUpLocked(ctx); err != nil {
		return err
	}
	g := &indexGroup{}
	var seen []store.Change
	var recs []archive.Record
	evIndex := make([]int, len(batches)) // batch -> event, -1 for none
	for bi, b := range batches {
		evIndex[bi] = -1
		for _, id := range b.Seen {
			seen = append(seen, store.Change{Source: b.Source, ID: id, SeenOnly: true, Known: store.Known{Seen: b.At}})
		}
		if len(b.Changes) == 0 {
			continue
		}
		ev := &Event{Source: b.Source, Location: b.Location, At: b.At}
		evIndex[bi] = len(g.events)
		g.events = append(g.events, ev)
		for i := range b.Changes {
			c := &b.Changes[i]
			raw := c.Raw
			rec := archive.Record{Op: archive.OpPut, At: b.At, Source: b.Source, ID: raw.ID, Review: &raw}
			if c.Prev != nil {
				rec.PrevSeen = c.Prev.Seen
				ev.Updated++
			} else {
				ev.New++
			}
			recs = append(recs, rec)
			g.owner = append(g.owner, evIndex[bi])
			// A review the known reviews do not hold is not in the index
			// either (both follow the archive): no need to look it up.
			g.lookup = append(g.lookup, c.Prev != nil)
		}
	}
	if len(recs) == 0 {
		if len(seen) == 0 {
			return nil
		}
		return j.State.Apply(0, seen)
	}
	if err := j.Archive.Append(recs); err != nil {
		return err
	}
	// From here on the batches are durable: a failure below is repaired
	// by replaying the archive.
	g.items = make([]Item, len(recs))
	at := 0
	for bi, b := range batches {
		for i := range b.Changes {
			g.items[at] = Item{Rec: recs[at], Enriched: &b.Changes[i].Review}
			at++
		}
		if evIndex[bi] >= 0 {
			g.events[evIndex[bi]].Seq = recs[at-1].Seq
		}
	}
	changes := seen
	for _, r := range recs {
		changes = append(changes, store.Change{Source: r.Source, ID: r.ID, Known: store.Known{Hash: r.Review.ContentHash(), Seen: r.At}})
	}
	if err := j.State.Apply(recs[len(recs)-1].Seq, changes); err != nil {
		j.behind = true
		return err
	}
	j.ix.enqueue(j, g)
	return nil
}

// MarkDeleted records that the reviews ids of source were not in a
// complete listing at: they are archived as deleted, marked in the index
// and in the known reviews. Reviews already marked are left alone.
func (j *Journal) MarkDeleted(ctx context.Context, source, location string, ids []string, at time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	return j.markDeleted(ctx, source, location, ids, at)
}

func (j *Journal) markDeleted(ctx context.Context, source, location string, ids []string, at time.Time) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.catchUpLocked(ctx); err != nil {
		return 0, err
	}
	known, err := j.State.Known(source, ids)
	if err != nil {
		return 0, err
	}
	var recs []archive.Record
	var changes []store.Change
	for _, id := range ids {
		k, ok := known[id]
		if !ok || k.Deleted {
			continue
		}
		recs = append(recs, archive.Record{Op: archive.OpDelete, At: at.UTC(), Source: source, ID: id})
		k.Deleted = true
		changes = append(changes, store.Change{Source: source, ID: id, Known: k})
	}
	if len(recs) == 0 {
		return 0, nil
	}
	if err := j.Archive.Append(recs); err != nil {
		return 0, err
	}
	if err := j.State.Apply(recs[len(recs)-1].Seq, changes); err != nil {
		j.behind = true
		return 0, err
	}
	ev := &Event{Source: source, Location: location, At: at, Seq: recs[len(recs)-1].Seq, Deleted: len(recs)}
	g := &indexGroup{events: []*Event{ev}}
	for _, r := range recs {
		g.items = append(g.items, Item{Rec: r})
		g.owner = append(g.owner, 0)
		g.lookup = append(g.lookup, true)
	}
	j.ix.enqueue(j, g)
	return len(recs), nil
}

// RecoverStats says what Recover did.
type RecoverStats struct {
	// Last is the archive's last sequence number.
	Last uint64
	// Indexed and Known count the records applied to the index and to the
	// known reviews.
	Indexed, Known int
	// Migrated counts the reviews of an index built before the archive
	// existed, copied into the archive.
	Migrated int
}

// Recover brings the index and the known reviews up to date with the
// archive: what a crash left archived but not indexed is indexed now.
// Call it once, before the first commit.
func (j *Journal) Recover(ctx context.Context) (RecoverStats, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ix.wait()
	j.ix.clearErr()
	st, err := j.recoverLocked(ctx)
	if err == nil {
		j.behind = false
	}
	return st, err
}

func (j *Journal) catchUpLocked(ctx context.Context) error {
	if j.ix.failed() {
		// The indexer stopped at a failed write and dropped what followed:
		// it is all in the archive, replay it.
		j.ix.wait()
		j.ix.clearErr()
		j.behind = true
	}
	if !j.behind {
		return nil
	}
	if _, err := j.recoverLocked(ctx); err != nil {
		return err
	}
	j.behind = false
	return nil
}

func (j *Journal) recoverLocked(ctx context.Context) (RecoverStats, error) {
	st := RecoverStats{Last: j.Archive.Last()}
	var iw uint64
	var docs uint64
	err := j.Index.Use(func(x *index.Index) (err error) {
		if iw, err = x.Watermark(); err != nil {
			return err
		}
		docs, err = x.Count()
		return err
	})
	if err != nil {
		return st, err
	}
	sw, err := j.State.Watermark()
	if err != nil {
		return st, err
	}
	if st.Last == 0 && iw == 0 && docs > 0 {
		n, err := j.migrateLocked(ctx)
		st.Migrated = n
		st.Last = j.Archive.Last()
		return st, err
	}
	if iw > st.Last || sw > st.Last {
		return st, errf("the index (at record %d) or the state (at record %d) is ahead of the archive in %s (last record %d): was the archive folder replaced? Restore it, or move the index and state.db away and run `vigie reindex`",
			iw, sw, j.Archive.Dir(), st.Last)
	}
	from := min(iw, sw) + 1
	if from > st.Last {
		return st, nil
	}
	var chunk []archive.Record
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		var items []Item
		for _, r := range chunk {
			if r.Seq > iw {
				items = append(items, Item{Rec: r})
			}
		}
		if len(items) > 0 {
			err := j.Index.Use(func(x *index.Index) error {
				_, err := j.Applier.Apply(ctx, x, items, nil)
				return err
			})
			if err != nil {
				return err
			}
			st.Indexed += len(items)
		}
		n, err := j.applyKnown(chunk, sw)
		st.Known += n
		chunk = chunk[:0]
		return err
	}
	_, err = archive.Scan(j.Archive.Dir(), from, func(r archive.Record) error {
		if r.Seq > st.Last {
			return nil
		}
		chunk = append(chunk, r)
		if len(chunk) >= 500 {
			return flush()
		}
		return ctx.Err()
	})
	if err == nil {
		err = flush()
	}
	return st, err
}

// applyKnown records the records after sw in the known reviews.
func (j *Journal) applyKnown(recs []archive.Record, sw uint64) (int, error) {
	var changes []store.Change
	var last uint64
	latest := map[string]store.Known{}
	for _, r := range recs {
		if r.Seq <= sw {
			continue
		}
		last = r.Seq
		switch r.Op {
		case archive.OpPut:
			if r.Review == nil {
				continue
			}
			k := store.Known{Hash: r.Review.ContentHash(), Seen: r.At}
			latest[r.Source+"\x00"+r.ID] = k
			changes = append(changes, store.Change{Source: r.Source, ID: r.ID, Known: k})
		case archive.OpDelete:
			k, ok := latest[r.Source+"\x00"+r.ID]
			if !ok {
				m, err := j.State.Known(r.Source, []string{r.ID})
				if err != nil {
					return 0, err
				}
				if k, ok = m[r.ID]; !ok {
					continue
				}
			}
			k.Deleted = true
			latest[r.Source+"\x00"+r.ID] = k
			changes = append(changes, store.Change{Source: r.Source, ID: r.ID, Known: k})
		}
	}
	if last == 0 {
		return 0, nil
	}
	return len(changes), j.State.Apply(last, changes)
}

// migrateLocked copies the reviews of an index built before the archive
// into the archive (without their enrichment, as collected) and into the
// known reviews, so that a rebuild keeps them.
func (j *Journal) migrateLocked(ctx context.Context) (int, error) {
	n := 0
	var recs []archive.Record
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		if err := j.Archive.Append(recs); err != nil {
			return err
		}
		if _, err := j.applyKnown(recs, 0); err != nil {
			return err
		}
		recs = recs[:0]
		return nil
	}
	var walkErr error
	err := j.Index.Use(func(x *index.Index) error {
		walkErr = x.ReviewsByID(ctx, func(r review.Review) error {
			raw := Strip(r)
			at := r.FetchedAt
			if at.IsZero() {
				at = time.Now().UTC()
			}
			recs = append(recs, archive.Record{Op: archive.OpPut, At: at, Source: r.Source, ID: r.ID, Review: &raw})
			if !r.DeletedAt.IsZero() {
				recs = append(recs, archive.Record{Op: archive.OpDelete, At: r.DeletedAt, Source: r.Source, ID: r.ID})
			}
			n++
			if len(recs) >= 500 {
				return flush()
			}
			return nil
		})
		if walkErr != nil {
			return walkErr
		}
		if err := flush(); err != nil {
			return err
		}
		return x.SetWatermark(j.Archive.Last())
	})
	if err != nil {
		return n, errors.Join(errf("copying the index into the archive"), err)
	}
	return n, nil
}
