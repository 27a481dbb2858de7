package schemaorg

import (
	"github.com/vigie-dev/vigie/internal/review"
)

// mainAggregate picks the aggregate rating of the page's main item: the
// item most of the page's reviews are about if it has one, else the
// shallowest aggregate (a Product's or a Restaurant's, not those of the
// related items listed under it), the first in document order on a tie.
// An aggregate without a value, or with 0 where the scale has no 0 (an
// empty "0 from 0 reviews"), is no aggregate.
func (x *extractor) mainAggregate(cs []*cand) (*review.Aggregate, *node) {
	type scored struct {
		agg *review.Aggregate
		f   *found
	}
	var all []scored
	for _, f := range x.aggs {
		if a := x.aggregate(f); a != nil {
			all = append(all, scored{a, f})
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	// The item most reviews belong to.
	var owners []*node
	var counts []int
	for _, c := range cs {
		if c.owner == nil {
			continue
		}
		found := false
		for i, o := range owners {
			if sameItem(o, c.owner) {
				counts[i]++
				found = true
				break
			}
		}
		if !found {
			owners = append(owners, c.owner)
			counts = append(counts, 1)
		}
	}
	if len(owners) > 0 {
		top := 0
		for i := range owners {
			if counts[i] > counts[top] {
				top = i
			}
		}
		for _, s := range all {
			if sameItem(s.f.owner, owners[top]) {
				return s.agg, s.f.owner
			}
		}
	}
	best := all[0]
	for _, s := range all[1:] {
		if s.f.depth < best.f.depth {
			best = s
		}
	}
	return best.agg, best.f.owner
}

// aggregate reads an AggregateRating (or data-vocabulary Review-aggregate)
// node.
func (x *extractor) aggregate(f *found) *review.Aggregate {
	n := f.n
	raw := n.raw("ratingvalue", "average", "value")
	bestRaw := n.raw("bestrating", "best")
	worstRaw := n.raw("worstrating", "worst")
	// data-vocabulary.org: rating is a nested Rating or a literal.
	for _, v := range n.get("rating") {
		if v.node != nil {
			rn := x.deref(v.node)
			if raw == "" {
				raw = rn.raw("average", "ratingvalue", "value")
			}
			if bestRaw == "" {
				bestRaw = rn.raw("best", "bestrating")
			}
			if worstRaw == "" {
				worstRaw = rn.raw("worst", "worstrating")
			}
		} else if raw == "" {
			raw = v.raw()
		}
	}
	val, implied, ok := parseRating(raw)
	if !ok {
		return nil
	}
	a := &review.Aggregate{}
	if b, ok := parseNumber(bestRaw); ok && b > 0 {
		a.BestRating = &b
	} else if implied != nil {
		a.BestRating = implied
	}
	if w, ok := parseNumber(worstRaw); ok && worstRaw != "" {
		a.WorstRating = &w
	}
	if val == 0 && (a.WorstRating == nil || *a.WorstRating > 0) {
		return nil
	}
	a.Value = &val
	if c, ok := parseCount(n.raw("ratingcount", "votes")); ok {
		a.RatingCount = c
	}
	if c, ok := parseCount(n.raw("reviewcount", "count")); ok {
		a.ReviewCount = c
	}
	if f.owner != nil {
		a.Item = nodeName(f.owner)
	}
	if a.Item == "" {
		a.Item = n.str("itemreviewed")
	}
	return a
}
