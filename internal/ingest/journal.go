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
	// behind is set when a commit failed after its batch was archived: the
	// next commit first catches the index and the state up.
	behind bool
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

// Commit implements pipeline.Journal.
func (j *Journal) Commit(ctx context.Context, b pipeline.Batch) error {
	ev, err := j.commit(ctx, b)
	if err == nil && ev != nil && j.OnCommit != nil {
		j.OnCommit(*ev)
	}
	return err
}

func (j *Journal) commit(ctx context.Context, b pipeline.Batch) (*Event, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.catchUpLocked(ctx); err != nil {
		return nil, err
	}
	var seen []store.Change
	for _, id := range b.Seen {
		seen = append(seen, store.Change{Source: b.Source, ID: id, SeenOnly: true, Known: store.Known{Seen: b.At}})
	}
	if len(b.Changes) == 0 {
		if len(seen) == 0 {
			return nil, nil
		}
		return nil, j.State.Apply(0, seen)
	}
	recs := make([]archive.Record, len(b.Changes))
	items := make([]Item, len(b.Changes))
	ev := &Event{Source: b.Source, Location: b.Location, At: b.At}
	for i := range b.Changes {
		c := &b.Changes[i]
		raw := c.Raw
		recs[i] = archive.Record{Op: archive.OpPut, At: b.At, Source: b.Source, ID: raw.ID, Review: &raw}
		if c.Prev != nil {
			recs[i].PrevSeen = c.Prev.Seen
			ev.Updated++
		} else {
			ev.New++
		}
	}
	if err := j.Archive.Append(recs); err != nil {
		return nil, err
	}
	// From here on the batch is durable: a failure below is repaired by
	// replaying the archive.
	ev.Seq = recs[len(recs)-1].Seq
	for i := range recs {
		items[i] = Item{Rec: recs[i], Enriched: &b.Changes[i].Review}
	}
	err := j.Index.Use(func(x *index.Index) (err error) {
		ev.Reviews, err = j.Applier.Apply(ctx, x, items, nil)
		return err
	})
	if err != nil {
		j.behind = true
		return nil, err
	}
	changes := seen
	for _, r := range recs {
		changes = append(changes, store.Change{Source: b.Source, ID: r.ID, Known: store.Known{Hash: r.Review.ContentHash(), Seen: b.At}})
	}
	if err := j.State.Apply(ev.Seq, changes); err != nil {
		j.behind = true
		return nil, err
	}
	return ev, nil
}

// MarkDeleted records that the reviews ids of source were not in a
// complete listing at: they are archived as deleted, marked in the index
// and in the known reviews. Reviews already marked are left alone.
func (j *Journal) MarkDeleted(ctx context.Context, source, location string, ids []string, at time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	ev, err := j.markDeleted(ctx, source, location, ids, at)
	if err == nil && ev != nil && j.OnCommit != nil {
		j.OnCommit(*ev)
	}
	if ev == nil {
		return 0, err
	}
	return ev.Deleted, err
}

func (j *Journal) markDeleted(ctx context.Context, source, location string, ids []string, at time.Time) (*Event, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.catchUpLocked(ctx); err != nil {
		return nil, err
	}
	known, err := j.State.Known(source, ids)
	if err != nil {
		return nil, err
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
		return nil, nil
	}
	if err := j.Archive.Append(recs); err != nil {
		return nil, err
	}
	ev := &Event{Source: source, Location: location, At: at, Seq: recs[len(recs)-1].Seq, Deleted: len(recs)}
	items := make([]Item, len(recs))
	for i := range recs {
		items[i] = Item{Rec: recs[i]}
	}
	err = j.Index.Use(func(x *index.Index) (err error) {
		ev.Reviews, err = j.Applier.Apply(ctx, x, items, nil)
		return err
	})
	if err != nil {
		j.behind = true
		return nil, err
	}
	if err := j.State.Apply(ev.Seq, changes); err != nil {
		j.behind = true
		return nil, err
	}
	return ev, nil
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
	st, err := j.recoverLocked(ctx)
	if err == nil {
		j.behind = false
	}
	return st, err
}

func (j *Journal) catchUpLocked(ctx context.Context) error {
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
