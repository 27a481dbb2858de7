package index

import (
	"context"
	"time"

	"github.com/vigie-dev/vigie/internal/review"
)

// The read methods of the dashboard's API, on the held index, so that a
// serving process can hand its Holder to the API and keep it across a
// swap (a rebuilt index).

// Find runs a search with its facets on the current index.
func (h *Holder) Find(ctx context.Context, q Query, now time.Time, facetSize int) (res *Result, f *Facets, err error) {
	err = h.Use(func(x *Index) error {
		res, f, err = x.Find(ctx, q, now, facetSize)
		return err
	})
	return res, f, err
}

// Trends runs q on the current index.
func (h *Holder) Trends(ctx context.Context, q TrendQuery) (t *Trend, err error) {
	err = h.Use(func(x *Index) error {
		t, err = x.Trends(ctx, q)
		return err
	})
	return t, err
}

// Leaderboard runs q on the current index.
func (h *Holder) Leaderboard(ctx context.Context, q LeaderboardQuery) (l *Leaderboard, err error) {
	err = h.Use(func(x *Index) error {
		l, err = x.Leaderboard(ctx, q)
		return err
	})
	return l, err
}

// Changes runs q on the current index.
func (h *Holder) Changes(ctx context.Context, q ChangeQuery) (c []Change, err error) {
	err = h.Use(func(x *Index) error {
		c, err = x.Changes(ctx, q)
		return err
	})
	return c, err
}

// Each calls fn for each review matching q on the current index; the
// index is not swapped before it returns.
func (h *Holder) Each(ctx context.Context, q Query, fn func(review.Review) error) error {
	return h.Use(func(x *Index) error { return x.Each(ctx, q, fn) })
}
