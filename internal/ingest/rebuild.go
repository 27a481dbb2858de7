package ingest

import (
	"context"
	"encoding/hex"
	"os"
	"time"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
)

// Progress reports a rebuild's progress: done of total archive records.
type Progress func(done, total uint64)

// RebuildStats says what a rebuild did.
type RebuildStats struct {
	// Last is the last archive record applied: the new index's watermark.
	Last uint64
	// Records is the number of records read, Reviews the number of
	// reviews in the new index.
	Records uint64
	Reviews uint64
	Elapsed time.Duration
}

// chunkSize is the number of records enriched and written together by a
// rebuild.
const chunkSize = 1000

// Rebuild applies the archive in archiveDir, from the start, to x (a new,
// empty index), enriching every review with a's enrichment. Records
// appended while it runs are applied too, up to the end of the archive as
// it reads it. Searches on another index are not disturbed; x is not
// searched until the caller makes it current.
func (a *Applier) Rebuild(ctx context.Context, archiveDir string, x *index.Index, progress Progress) (RebuildStats, error) {
	start := time.Now()
	var st RebuildStats
	total, err := archive.Last(archiveDir)
	if err != nil {
		return st, err
	}
	from, err := x.Watermark()
	if err != nil {
		return st, err
	}
	// Ids already in x, to spare a lookup per new review: 12 bytes each.
	known := map[[12]byte]struct{}{}
	key := func(id string) ([12]byte, bool) {
		var k [12]byte
		if len(id) != 24 {
			return k, false
		}
		if _, err := hex.Decode(k[:], []byte(id)); err != nil {
			return k, false
		}
		return k, true
	}
	maybeKnown := func(id string) bool {
		k, ok := key(id)
		if !ok {
			return true
		}
		_, in := known[k]
		return in
	}

	// Reading and enriching run ahead of writing by one chunk.
	type chunk struct {
		items []Item
		err   error
	}
	chunks := make(chan chunk, 1)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(chunks)
		var items []Item
		send := func() bool {
			a.enrichMissing(items)
			select {
			case chunks <- chunk{items: items}:
				items = nil
				return true
			case <-rctx.Done():
				return false
			}
		}
		_, err := archive.Scan(archiveDir, from+1, func(r archive.Record) error {
			items = append(items, Item{Rec: r})
			if len(items) >= chunkSize && !send() {
				return rctx.Err()
			}
			return rctx.Err()
		})
		if err == nil && len(items) > 0 {
			send()
		}
		if err != nil {
			select {
			case chunks <- chunk{err: err}:
			case <-rctx.Done():
			}
		}
	}()
	for c := range chunks {
		if c.err != nil {
			return st, c.err
		}
		if _, err := a.Apply(ctx, x, c.items, maybeKnown); err != nil {
			return st, err
		}
		for _, it := range c.items {
			if k, ok := key(it.Rec.ID); ok {
				known[k] = struct{}{}
			}
		}
		st.Records += uint64(len(c.items))
		st.Last = c.items[len(c.items)-1].Rec.Seq
		if progress != nil {
			progress(st.Last, max(total, st.Last))
		}
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if st.Last == 0 {
		st.Last = from
	}
	st.Reviews, err = x.Count()
	st.Elapsed = time.Since(start)
	return st, err
}

// CatchUp applies the archive records after x's watermark to x, and
// returns the new watermark.
func (a *Applier) CatchUp(ctx context.Context, archiveDir string, x *index.Index) (uint64, error) {
	st, err := a.Rebuild(ctx, archiveDir, x, nil)
	return st.Last, err
}

// SwapIndex makes x, an index rebuilt from the archive, the journal's
// current index: it applies what was archived since the rebuild, then,
// holding back commits for a moment, the last records and the swap. It
// returns the previous index, for the caller to close and remove.
func (j *Journal) SwapIndex(ctx context.Context, x *index.Index) (*index.Index, error) {
	// Most of the way without holding up ingestion.
	if _, err := j.Applier.CatchUp(ctx, j.Archive.Dir(), x); err != nil {
		return nil, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	// What is queued for the current index is in the archive: the new
	// index gets it from there. Let the queue finish with the old one.
	j.ix.wait()
	if _, err := j.Applier.CatchUp(ctx, j.Archive.Dir(), x); err != nil {
		return nil, err
	}
	w, err := x.Watermark()
	if err != nil {
		return nil, err
	}
	if last := j.Archive.Last(); w < last {
		// Nothing is appended while mu is held: an index short of the
		// archive would lose records.
		return nil, errf("the rebuilt index %s ends at record %d, the archive at %d", x.Path(), w, last)
	}
	return j.Index.Swap(x), nil
}

// RemoveIndexDir removes an index folder that is no longer used.
func RemoveIndexDir(dir string) error { return os.RemoveAll(dir) }
