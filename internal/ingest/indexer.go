package ingest

import (
	"context"
	"log/slog"
	"sync"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/review"
)

// indexer writes committed batches to the index behind the commits.
//
// A commit is acknowledged once its batch is in the archive and in the
// known reviews; the index write is queued here, and one goroutine writes
// the queue in index batches of up to index.BatchSize reviews, with the
// archive sequence number of the last as the index's watermark. So pages
// of a few reviews from many sources still make full bleve batches (small
// ones multiply segments, and merging them costs more than indexing), and
// the runs enrich and archive their next pages while bleve indexes.
//
// Nothing is lost on a crash: what is queued is in the archive, and
// Recover indexes the records after the index's watermark. The queue is
// bounded (maxIndexQueue reviews): commits wait when bleve falls behind.
// A failed write stops the indexer and drops the queue; the next commit
// replays the archive into the index first.
type indexer struct {
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*indexGroup
	queued  int // reviews queued or being written
	running bool
	err     error
}

// indexGroup is one commit's index write and the events it completes.
type indexGroup struct {
	items  []Item
	owner  []int  // items[i] belongs to events[owner[i]]
	lookup []bool // items[i] may be in the index already
	events []*Event
}

// maxIndexQueue bounds the reviews waiting for the index.
const maxIndexQueue = 2 * index.BatchSize

func (ix *indexer) lock() {
	ix.mu.Lock()
	if ix.cond == nil {
		ix.cond = sync.NewCond(&ix.mu)
	}
}

// enqueue queues g, waiting while the queue is full, and starts the
// writer if it is idle.
func (ix *indexer) enqueue(j *Journal, g *indexGroup) {
	ix.lock()
	defer ix.mu.Unlock()
	for ix.queued >= maxIndexQueue && ix.err == nil {
		ix.cond.Wait()
	}
	if ix.err != nil {
		return // in the archive: the next commit's catch-up indexes it
	}
	ix.queue = append(ix.queue, g)
	ix.queued += len(g.items)
	if !ix.running {
		ix.running = true
		go ix.run(j)
	}
}

// run writes the queue until it is empty.
func (ix *indexer) run(j *Journal) {
	for {
		ix.lock()
		if len(ix.queue) == 0 || ix.err != nil {
			ix.queue, ix.queued, ix.running = nil, 0, false
			ix.cond.Broadcast()
			ix.mu.Unlock()
			return
		}
		n, k := 0, 0
		for k < len(ix.queue) && (k == 0 || n+len(ix.queue[k].items) <= index.BatchSize) {
			n += len(ix.queue[k].items)
			k++
		}
		groups := append([]*indexGroup(nil), ix.queue[:k]...)
		ix.queue = append(ix.queue[:0], ix.queue[k:]...)
		ix.mu.Unlock()

		err := j.write(groups)

		ix.lock()
		ix.queued -= n
		if err != nil {
			ix.err = err
		}
		ix.cond.Broadcast()
		ix.mu.Unlock()
		if err != nil {
			j.logger().Error("index write failed; the next commit replays the archive into the index", "err", err)
			continue
		}
		if j.OnCommit != nil {
			for _, g := range groups {
				for _, ev := range g.events {
					j.OnCommit(*ev)
				}
			}
		}
	}
}

// wait returns once the queue is written (or dropped after a failure).
func (ix *indexer) wait() {
	ix.lock()
	for ix.running {
		ix.cond.Wait()
	}
	ix.mu.Unlock()
}

func (ix *indexer) failed() bool {
	ix.lock()
	defer ix.mu.Unlock()
	return ix.err != nil
}

func (ix *indexer) clearErr() {
	ix.lock()
	ix.err = nil
	ix.mu.Unlock()
}

func (ix *indexer) lastErr() error {
	ix.lock()
	defer ix.mu.Unlock()
	return ix.err
}

// write applies groups to the index in one go and fills their events
// with the reviews written.
func (j *Journal) write(groups []*indexGroup) error {
	var items []Item
	mayHold := map[string]bool{}
	for _, g := range groups {
		items = append(items, g.items...)
		for i, it := range g.items {
			if g.lookup[i] {
				mayHold[it.Rec.ID] = true
			}
		}
	}
	var written []review.Review
	err := j.Index.Use(func(x *index.Index) (err error) {
		written, err = j.Applier.Apply(context.Background(), x, items, func(id string) bool { return mayHold[id] })
		return err
	})
	if err != nil {
		return err
	}
	// Each written review goes to the event of the batch that wrote it
	// last.
	last := make(map[string]*Event, len(items))
	for _, g := range groups {
		for i, it := range g.items {
			last[it.Rec.ID] = g.events[g.owner[i]]
		}
	}
	for _, r := range written {
		if ev := last[r.ID]; ev != nil {
			ev.Reviews = append(ev.Reviews, r)
		}
	}
	return nil
}

// Flush waits until every committed batch is in the index (and its
// OnCommit called). It returns the error of a failed index write, which
// the next commit, or the next start, repairs from the archive.
func (j *Journal) Flush() error {
	j.ix.wait()
	return j.ix.lastErr()
}

func (j *Journal) logger() *slog.Logger {
	if j.Log != nil {
		return j.Log
	}
	return slog.Default()
}
