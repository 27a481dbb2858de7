package schemaorg

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// dedupe merges reviews that are copies of one another: carousel clones,
// or one review marked up twice (JSON-LD and microdata, the latter often
// cut short with "… Read more"). Two reviews are copies when the author
// is the same, the text is the same (or one is a long enough beginning of
// the other), and nothing else tells them apart: no two different dates,
// ratings, titles, ids or links. The same text at another date, or under
// another id, is another review.
func dedupe(cs []*cand) []*cand {
	buckets := map[string][]*cand{} // by author
	var out []*cand
	for _, c := range cs {
		k := fingerprint(c.r.Author)
		merged := false
		for _, o := range buckets[k] {
			if copies(o, c) {
				merge(o, c)
				merged = true
				break
			}
		}
		if !merged {
			buckets[k] = append(buckets[k], c)
			out = append(out, c)
		}
	}
	return out
}

// copies reports whether b tells nothing different from a, whose author
// is the same.
func copies(a, b *cand) bool {
	ra, rb := &a.r, &b.r
	if !sameText(fingerprint(ra.Text), fingerprint(rb.Text)) {
		return false
	}
	if ra.Title != "" && rb.Title != "" && fingerprint(ra.Title) != fingerprint(rb.Title) {
		return false
	}
	if ra.Rating != nil && rb.Rating != nil && *ra.Rating != *rb.Rating {
		return false
	}
	if !ra.PublishedAt.IsZero() && !rb.PublishedAt.IsZero() &&
		ra.PublishedAt.Format("2006-01-02") != rb.PublishedAt.Format("2006-01-02") {
		return false
	}
	if a.id != "" && b.id != "" && a.id != b.id {
		return false
	}
	if a.link != "" && b.link != "" && a.link != b.link {
		return false
	}
	return true
}

// minExcerpt is the shortest text taken as an excerpt of a longer one.
const minExcerpt = 30

// sameText reports whether two text fingerprints are one text: equal, or
// one is an excerpt that the other begins with.
func sameText(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	a = trimMore(a)
	return len(a) >= minExcerpt && strings.HasPrefix(b, a)
}

// moreLinks are the "read more" words that end an excerpt.
var moreLinks = []string{"read more", "more", "show more", "see more", "lire la suite", "voir plus", "suite", "plus", "читать далее", "читать полностью", "показать полностью", "далее", "ещё", "еще"}

func trimMore(s string) string {
	for _, m := range moreLinks {
		if t, ok := strings.CutSuffix(s, " "+m); ok {
			return t
		}
	}
	return s
}

// merge fills what a lacks from its copy b.
func merge(a, b *cand) {
	ra, rb := &a.r, &b.r
	if ra.Title == "" {
		ra.Title = rb.Title
	}
	if len(rb.Text) > len(ra.Text) {
		ra.Text = rb.Text
	}
	if ra.Rating == nil && rb.Rating != nil {
		ra.Rating, ra.BestRating, ra.WorstRating = rb.Rating, rb.BestRating, rb.WorstRating
	}
	if ra.BestRating == nil {
		ra.BestRating = rb.BestRating
	}
	if ra.WorstRating == nil {
		ra.WorstRating = rb.WorstRating
	}
	// A timestamp says more than a date.
	if !rb.PublishedAt.IsZero() && (ra.PublishedAt.IsZero() || isMidnight(ra.PublishedAt)) {
		ra.PublishedAt = rb.PublishedAt
	}
	if ra.UpdatedAt.IsZero() {
		ra.UpdatedAt = rb.UpdatedAt
	}
	if ra.LangHint == "" {
		ra.LangHint = rb.LangHint
	}
	if a.id == "" {
		a.id = b.id
	}
	if a.link == "" {
		a.link = b.link
	}
	if a.owner == nil {
		a.owner = b.owner
	}
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// assignIDs sets ExternalID and URL from the reviews' @id and url where
// they identify the review: not the page's own URL, not the reviewed
// item's, not shared by several reviews, and not a position on the page
// ("#review-1", "#review-2"...), which a newest-first page gives to a
// different review tomorrow.
func (x *extractor) assignIDs(cs []*cand) {
	usable := func(s string, c *cand) bool {
		if s == "" {
			return false
		}
		abs := x.pg.resolve(s)
		hasFragment := strings.Contains(s, "#")
		// abs is empty for identifiers that are not web addresses
		// ("urn:...", "12345"): they are never the page's own URL.
		if !hasFragment && abs != "" && (abs == x.pg.self || abs == x.pg.canonical) {
			return false
		}
		if c.owner != nil {
			if s == c.owner.id {
				return false
			}
			for _, v := range c.owner.get("url") {
				if v.link() == s {
					return false
				}
			}
		}
		return true
	}
	count := func(get func(*cand) string) map[string]int {
		m := map[string]int{}
		for _, c := range cs {
			if s := get(c); s != "" {
				m[s]++
			}
		}
		return m
	}
	ids, links := count(func(c *cand) string { return c.id }), count(func(c *cand) string { return c.link })
	chosen := make([]string, len(cs))
	for i, c := range cs {
		linkOK := usable(c.link, c) && links[c.link] == 1
		switch {
		case usable(c.id, c) && ids[c.id] == 1:
			chosen[i] = c.id
		case linkOK:
			chosen[i] = c.link
		}
		if linkOK {
			if abs := x.pg.resolveKeepFragment(c.link); abs != "" {
				c.r.URL = abs
			}
		}
	}
	pos := make([]int, len(cs))
	for i, c := range cs {
		pos[i] = c.idx
	}
	if positional(chosen, pos) {
		return
	}
	for i, c := range cs {
		c.r.ExternalID = chosen[i]
	}
}

// positional reports whether the ids are positions in the list rather
// than identities: every id ends with a number, and the numbers follow the
// reviews' positions (pos, 1-based) with a constant offset below
// maxPositionOffset, as "#review-1, #review-2" on page one and
// "#review-11, #review-12" on page two do. Taking a position for an
// identity would make tomorrow's first review overwrite today's; real
// identifiers are rarely consecutive in page order, and when they are
// (auto-increment ids listed oldest first) they are large.
func positional(ids []string, pos []int) bool {
	offset, n := 0, 0
	for i, id := range ids {
		if id == "" {
			continue
		}
		num, ok := trailingNumber(id)
		if !ok {
			return false
		}
		switch {
		case n == 0:
			offset = num - pos[i]
		case num-pos[i] != offset:
			return false
		}
		n++
	}
	if n == 1 {
		// One id: a position only if it is the review's own (0- or 1-based).
		return offset == 0 || offset == -1
	}
	return n > 1 && offset < maxPositionOffset
}

// maxPositionOffset bounds the position of a page's first review in the
// whole list: beyond it, consecutive numbers are taken for real ids.
const maxPositionOffset = 1000

func trailingNumber(s string) (int, bool) {
	s = strings.TrimRight(s, "/")
	end := len(s)
	start := strings.LastIndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) + 1
	if start >= end || end-start > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(s[start:end])
	return n, err == nil
}

// resolveKeepFragment makes a review's own link absolute, keeping the
// fragment that points at the review.
func (pg *page) resolveKeepFragment(href string) string {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	if pg.base != nil {
		u = pg.base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}
