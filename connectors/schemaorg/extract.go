// Package schemaorg collects reviews published as schema.org structured
// data: JSON-LD, microdata and RDFa Review and AggregateRating items, and
// the legacy data-vocabulary.org Review markup, on any page, following
// the page's pagination.
//
// Extraction is lenient by design: real pages carry JSON-LD that strict
// JSON rejects, ratings written "4,5" or "4" or 4, authors as text or
// Person, reviews nested under Products, Restaurants, Recipes, WebPage
// mainEntity or nowhere at all. A problem with one item is a warning and
// costs that item (or that field) only.
package schemaorg

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/dateparse"
	"github.com/vigie-dev/vigie/internal/review"
)

// Options tune Extract.
type Options struct {
	// NextSelector is a CSS selector for the link to the next page of
	// reviews, used besides <link rel="next"> and <a rel="next">. The
	// selected element's href is taken, or that of the first link inside
	// it.
	NextSelector string
}

// Extract reads the reviews, the main item's aggregate rating and the
// pagination links of one document, HTML or JSON-LD. It fills the review
// fields the source publishes (ExternalID, Author, Rating, BestRating,
// WorstRating, Title, Text, PublishedAt, UpdatedAt, URL, LangHint) and
// Kind; the pipeline fills the rest. A review without a URL of its own
// gets doc.URL.
//
// Identical reviews (carousel clones, one review in both JSON-LD and
// microdata) are returned once. A review with neither text, rating nor
// title is dropped with a warning. Next links are absolute when doc.URL
// is. Extract fails only when opts is invalid; what a page lacks or gets
// wrong is reported in Warnings.
func Extract(doc connectors.Document, opts Options) (connectors.Extraction, error) {
	var sel cascadia.Matcher
	if s := strings.TrimSpace(opts.NextSelector); s != "" {
		var err error
		if sel, err = cascadia.ParseGroup(s); err != nil {
			return connectors.Extraction{}, fmt.Errorf("schemaorg: next selector %q: %w", s, err)
		}
	}
	pg := parsePage(doc, sel)
	x := &extractor{
		doc:      doc,
		pg:       pg,
		byID:     map[string]*node{},
		visited:  map[*node]bool{},
		refOwner: map[*node]*node{},
		warnings: pg.warnings,
	}
	return x.run(), nil
}

type extractor struct {
	doc      connectors.Document
	pg       *page
	byID     map[string]*node
	visited  map[*node]bool
	refOwner map[*node]*node
	reviews  []*found
	aggs     []*found
	warnings []string
}

// found is a Review or AggregateRating node and the item it is about.
type found struct {
	n     *node
	owner *node
	depth int
}

// reviewTypes are the schema.org and data-vocabulary.org types read as
// customer reviews. ClaimReview and MediaReview are fact checks, not
// reviews, and are left out.
var reviewTypes = []string{"review", "userreview", "criticreview", "employerreview", "customerreview"}

var aggregateTypes = []string{"aggregaterating", "review-aggregate"}

func (x *extractor) run() connectors.Extraction {
	var roots []*node
	roots = append(roots, x.pg.jsonld...)
	roots = append(roots, x.pg.micro...)
	roots = append(roots, x.pg.rdfa...)
	x.index(roots)
	for _, r := range roots {
		x.visit(r, nil, "", 0)
	}
	for _, f := range x.reviews {
		x.resolveOwner(f)
	}
	for _, f := range x.aggs {
		x.resolveOwner(f)
	}

	var cands []*cand
	for i, f := range x.reviews {
		c := x.convert(i+1, f)
		if c.r.Text == "" && c.r.Rating == nil && c.r.Title == "" {
			x.warn(c.idx, "no text, rating or title; dropped")
			continue
		}
		cands = append(cands, c)
	}
	cands = dedupe(cands)
	x.assignIDs(cands)

	agg, aggOwner := x.mainAggregate(cands)
	out := connectors.Extraction{Aggregate: agg, Next: x.pg.next}
	for _, c := range cands {
		x.fillScale(c, agg, aggOwner)
		if c.r.URL == "" {
			c.r.URL = x.doc.URL
		}
		out.Reviews = append(out.Reviews, c.r)
	}
	out.Warnings = x.warnings
	return out
}

// warn records a problem with the review at position idx: reviews are
// numbered from 1 in the order they are found, JSON-LD first, then
// microdata, then RDFa.
func (x *extractor) warn(idx int, format string, args ...any) {
	x.warnings = append(x.warnings, fmt.Sprintf("review %d: ", idx)+fmt.Sprintf(format, args...))
}

// index maps the @id (itemid, resource) of every defined node, so that
// JSON-LD references ({"@id": "#org"}) can be followed.
func (x *extractor) index(roots []*node) {
	seen := map[*node]bool{}
	var walk func(*node)
	walk = func(n *node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if n.id != "" && !n.ref {
			if _, dup := x.byID[n.id]; !dup {
				x.byID[n.id] = n
			}
		}
		for _, k := range n.keys {
			for _, v := range n.props[k] {
				if v.node != nil {
					walk(v.node)
				}
			}
		}
	}
	for _, r := range roots {
		walk(r)
	}
}

// deref follows a reference node to its definition.
func (x *extractor) deref(n *node) *node {
	if n != nil && n.ref {
		if t := x.byID[n.id]; t != nil {
			return t
		}
	}
	return n
}

// visit finds the reviews and aggregates under n, wherever they are
// nested; via is the property n is the value of. Depth counts items from
// the roots, not counting a WebPage's mainEntity, so that the page's main
// item is shallow.
func (x *extractor) visit(n, parent *node, via string, depth int) {
	if x.visited[n] {
		return
	}
	x.visited[n] = true
	untyped := len(n.types) == 0
	switch {
	case n.is(reviewTypes...) || (untyped && (via == "review" || via == "reviews")):
		f := &found{n: n, depth: depth}
		if via == "review" || via == "reviews" {
			f.owner = parent
		}
		x.reviews = append(x.reviews, f)
	case n.is(aggregateTypes...) || (untyped && via == "aggregaterating"):
		f := &found{n: n, depth: depth}
		if via == "aggregaterating" {
			f.owner = parent
		}
		x.aggs = append(x.aggs, f)
	}
	for _, k := range n.keys {
		for _, v := range n.props[k] {
			c := v.node
			if c == nil {
				continue
			}
			if c.ref {
				if t := x.byID[c.id]; t != nil && t != n && x.refOwner[t] == nil {
					switch k {
					case "review", "reviews", "aggregaterating":
						x.refOwner[t] = n
					}
				}
				continue
			}
			d := depth + 1
			if (k == "mainentity" || k == "about") && isPage(n) {
				d = depth
			}
			x.visit(c, n, k, d)
		}
	}
}

func isPage(n *node) bool {
	for _, t := range n.types {
		if strings.HasSuffix(t, "page") {
			return true
		}
	}
	return false
}

// resolveOwner completes a found item's owner from a reference
// ("review": {"@id": ...}) or from its itemReviewed.
func (x *extractor) resolveOwner(f *found) {
	if f.owner != nil {
		return
	}
	if o := x.refOwner[f.n]; o != nil {
		f.owner = o
		return
	}
	for _, v := range f.n.get("itemreviewed") {
		if v.node != nil {
			f.owner = x.deref(v.node)
			return
		}
	}
}

// cand is a converted review on its way out.
type cand struct {
	r     review.Review
	idx   int // 1-based position on the page, for warnings
	owner *node
	// id and link are the review's @id (itemid) and url, when it has them.
	id, link string
}

// convert reads one review node.
func (x *extractor) convert(idx int, f *found) *cand {
	n := f.n
	c := &cand{idx: idx, owner: f.owner}
	r := &c.r
	r.Kind = review.KindReview
	r.Author = x.author(n)
	r.Title = n.str("name", "headline", "summary")
	for _, k := range []string{"reviewbody", "description", "text"} {
		for _, v := range n.get(k) {
			if t := v.body(); t != "" {
				r.Text = t
				if r.LangHint == "" && v.lang != "" {
					r.LangHint = normLang(v.lang)
				}
				break
			}
		}
		if r.Text != "" {
			break
		}
	}
	x.readRating(c, n)
	x.readDates(c, n)
	r.Reply = x.reply(n, f.owner)
	for _, v := range n.get("inlanguage", "language") {
		s := v.str()
		if v.node != nil {
			s = v.node.str("alternatename")
			if s == "" {
				s = nodeName(v.node)
			}
		}
		if l := normLang(s); l != "" {
			r.LangHint = l
			break
		}
	}
	if !strings.HasPrefix(n.id, "_:") {
		c.id = n.id
	}
	for _, v := range n.get("url") {
		if l := v.link(); l != "" {
			c.link = l
			break
		}
	}
	return c
}

// reply reads the owner's public answer to a review: a schema.org Comment
// (or Answer) on the review written by an organisation, or by someone
// with the reviewed item's name. Comments of other customers are not
// replies.
func (x *extractor) reply(n, owner *node) *review.Reply {
	ownerName := ""
	if owner != nil {
		ownerName = strings.ToLower(nodeName(owner))
	}
	for _, v := range n.get("comment") {
		c := x.deref(v.node)
		if c == nil || !c.is("comment", "answer") {
			continue
		}
		byOwner := false
		for _, a := range c.get("author", "creator") {
			if a.node != nil {
				an := x.deref(a.node)
				byOwner = byOwner || an.is("organization", "localbusiness", "corporation") ||
					ownerName != "" && strings.ToLower(nodeName(an)) == ownerName
			} else if ownerName != "" && strings.ToLower(a.str()) == ownerName {
				byOwner = true
			}
		}
		if !byOwner {
			continue
		}
		text := ""
		for _, t := range c.get("text", "description") {
			if text = t.body(); text != "" {
				break
			}
		}
		if text == "" {
			continue
		}
		rp := &review.Reply{Author: x.author(c), Text: text}
		for _, name := range []string{"datecreated", "datepublished"} {
			if raw := c.raw(name); raw != "" {
				if t, err := dateparse.Parse(raw); err == nil {
					rp.PublishedAt = t
					break
				}
			}
		}
		return rp
	}
	return nil
}

// author joins the names of a review's authors.
func (x *extractor) author(n *node) string {
	var names []string
	for _, v := range n.get("author", "reviewer", "creator") {
		var s string
		if v.node != nil {
			s = nodeName(x.deref(v.node))
			if s == "" && v.elem != nil {
				s = v.line()
			}
		} else {
			s = v.str()
		}
		if s == "" || looksLikeURL(s) {
			continue
		}
		dup := false
		for _, have := range names {
			dup = dup || have == s
		}
		if !dup {
			names = append(names, s)
		}
	}
	return strings.Join(names, ", ")
}

// readRating fills the rating and its scale. A rating of 0 on a scale
// that does not include 0 is a placeholder: the review is unrated.
func (x *extractor) readRating(c *cand, n *node) {
	var raw, bestRaw, worstRaw string
	for _, v := range n.get("reviewrating", "rating") {
		if v.node != nil {
			rn := x.deref(v.node)
			raw = rn.raw("ratingvalue", "value", "average")
			if raw == "" && v.elem != nil {
				raw = v.raw()
			}
			bestRaw = rn.raw("bestrating", "best")
			worstRaw = rn.raw("worstrating", "worst")
		} else {
			raw = v.raw()
		}
		if raw != "" {
			break
		}
	}
	if raw == "" {
		raw = n.raw("ratingvalue")
	}
	if raw == "" {
		return
	}
	val, implied, ok := parseRating(raw)
	if !ok {
		x.warn(c.idx, "unreadable rating %q", raw)
		return
	}
	var best, worst *float64
	if bestRaw != "" {
		if b, ok := parseNumber(bestRaw); ok && b > 0 {
			best = &b
		} else {
			x.warn(c.idx, "unreadable best rating %q", bestRaw)
		}
	}
	if best == nil {
		best = implied
	}
	if worstRaw != "" {
		if w, ok := parseNumber(worstRaw); ok {
			worst = &w
		} else {
			x.warn(c.idx, "unreadable worst rating %q", worstRaw)
		}
	}
	if val == 0 && (worst == nil || *worst > 0) {
		return // unrated
	}
	c.r.Rating = &val
	c.r.BestRating = best
	c.r.WorstRating = worst
}

// readDates fills PublishedAt and UpdatedAt.
func (x *extractor) readDates(c *cand, n *node) {
	date := func(names ...string) time.Time {
		for _, name := range names {
			raw := n.raw(name)
			if raw == "" {
				continue
			}
			parse := dateparse.Parse
			if x.pg.monthFirst {
				parse = dateparse.ParseMonthFirst
			}
			t, err := parse(raw)
			if err != nil {
				x.warn(c.idx, "unreadable date %q", raw)
				continue
			}
			return t
		}
		return time.Time{}
	}
	c.r.PublishedAt = date("datepublished", "datecreated", "dtreviewed")
	modified := date("datemodified")
	switch {
	case c.r.PublishedAt.IsZero():
		c.r.PublishedAt = modified
	case !modified.Equal(c.r.PublishedAt):
		c.r.UpdatedAt = modified
	}
}

// fillScale completes a rating's scale. Without a bestRating the review
// takes its item's aggregate scale if the page gives one, else the
// schema.org default of 5; a rating above 5 with no scale at all is read
// on 10 (or 100), with a warning, rather than clamped to 5.
func (x *extractor) fillScale(c *cand, agg *review.Aggregate, aggOwner *node) {
	r := &c.r
	if r.Rating == nil || r.BestRating != nil {
		return
	}
	if agg != nil && agg.BestRating != nil && (c.owner == nil || aggOwner == nil || sameItem(c.owner, aggOwner)) && *r.Rating <= *agg.BestRating {
		b := *agg.BestRating
		r.BestRating = &b
		return
	}
	best := 5.0
	switch v := *r.Rating; {
	case v > 10 && v <= 100:
		best = 100
	case v > 5 && v <= 10:
		best = 10
	}
	if best != 5 {
		x.warn(c.idx, "rating %s with no bestRating; read on a scale of %s", fmtNum(*r.Rating), fmtNum(best))
	}
	r.BestRating = &best
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// sameItem reports whether two nodes describe the same item.
func sameItem(a, b *node) bool {
	if a == nil || b == nil {
		return false
	}
	if a == b || (a.id != "" && a.id == b.id) {
		return true
	}
	na, nb := nodeName(a), nodeName(b)
	return na != "" && strings.EqualFold(na, nb)
}
