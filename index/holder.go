package index

import (
	"context"
	"errors"
	"sync"

	"github.com/vigie-dev/vigie/internal/review"
)

// Holder holds the index a long-running process serves, and swaps it for
// a rebuilt one (`vigie reindex`) while searches and ingestion go on:
// every use takes a read lock; Swap takes the write lock, so it waits for
// the uses in progress and the next ones see the new index. It is safe for
// concurrent use.
type Holder struct {
	mu sync.RWMutex
	x  *Index
}

// NewHolder holds x.
func NewHolder(x *Index) *Holder { return &Holder{x: x} }

// ErrClosed is returned by a holder whose index was closed.
var ErrClosed = errors.New("index: closed")

// Use runs fn with the current index, which is not swapped or closed
// until fn returns. fn must not keep x.
func (h *Holder) Use(fn func(x *Index) error) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.x == nil {
		return ErrClosed
	}
	return fn(h.x)
}

// Search runs q on the current index.
func (h *Holder) Search(ctx context.Context, q Query) (*Result, error) {
	var res *Result
	err := h.Use(func(x *Index) (err error) {
		res, err = x.Search(ctx, q)
		return err
	})
	return res, err
}

// Get returns the review with id.
func (h *Holder) Get(id string) (r review.Review, ok bool, err error) {
	err = h.Use(func(x *Index) error {
		r, ok, err = x.Get(id)
		return err
	})
	return r, ok, err
}

// Count returns the number of reviews indexed.
func (h *Holder) Count() (n uint64, err error) {
	err = h.Use(func(x *Index) error {
		n, err = x.Count()
		return err
	})
	return n, err
}

// Lookup implements pipeline.Store.
func (h *Holder) Lookup(ctx context.Context, ids []string) (m map[string]Known, err error) {
	err = h.Use(func(x *Index) error {
		m, err = x.Lookup(ctx, ids)
		return err
	})
	return m, err
}

// Upsert implements pipeline.Store.
func (h *Holder) Upsert(ctx context.Context, reviews []review.Review) error {
	return h.Use(func(x *Index) error { return x.Upsert(ctx, reviews) })
}

// Path is the current index's folder.
func (h *Holder) Path() string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.x == nil {
		return ""
	}
	return h.x.Path()
}

// Swap makes x the current index, once the uses in progress are done, and
// returns the previous one, for the caller to close.
func (h *Holder) Swap(x *Index) *Index {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.x
	h.x = x
	return old
}

// Close closes the current index; later uses fail with ErrClosed.
func (h *Holder) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.x == nil {
		return nil
	}
	err := h.x.Close()
	h.x = nil
	return err
}
