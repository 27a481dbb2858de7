package html

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/andybalholm/cascadia"
	xhtml "golang.org/x/net/html"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// ErrNoParams is returned by Extract without a source configuration: the
// html kind reads nothing without selectors.
var ErrNoParams = errors.New("html: needs selectors from a source configuration (review, text, rating... of an html source)")

// Result is what one page yielded.
type Result struct {
	connectors.Extraction
	// Shown is the total review count the page displays (the total
	// selector), 0 when it shows none.
	Shown int
}

// selectors are a source's compiled selectors; nil when not configured.
type selectors struct {
	review, remove, author, title, text, rating, ratingCount, ratingHalf,
	date, id, link, reply, replyAuthor, replyDate, next, total cascadia.Selector
}

// defaultNext finds rel="next" links when no next selector is configured.
var defaultNext = cascadia.MustCompile(`link[rel~="next"][href], a[rel~="next"][href]`)

var baseHref = cascadia.MustCompile(`base[href]`)

func compile(p *Params) (*selectors, error) {
	var s selectors
	var errs []error
	for _, f := range []struct {
		field string
		value string
		dst   *cascadia.Selector
	}{
		{"review", p.Review, &s.review}, {"remove", p.Remove, &s.remove},
		{"author", p.Author, &s.author}, {"title", p.Title, &s.title}, {"text", p.Text, &s.text},
		{"rating", p.Rating, &s.rating}, {"rating_count", p.RatingCount, &s.ratingCount}, {"rating_half", p.RatingHalf, &s.ratingHalf},
		{"date", p.Date, &s.date}, {"id", p.ID, &s.id}, {"link", p.Link, &s.link},
		{"reply", p.Reply, &s.reply}, {"reply_author", p.ReplyAuthor, &s.replyAuthor}, {"reply_date", p.ReplyDate, &s.replyDate},
		{"next", p.Next, &s.next}, {"total", p.Total, &s.total},
	} {
		v := strings.TrimSpace(f.value)
		if v == "" {
			continue
		}
		sel, err := cascadia.Compile(v)
		if err != nil {
			errs = append(errs, invalid(f.field, "%q is not a CSS selector: %v", v, err))
			continue
		}
		*f.dst = sel
	}
	if s.next == nil {
		s.next = defaultNext
	}
	return &s, errors.Join(errs...)
}

// Extract reads the reviews of one saved page with a source's parameters;
// now resolves relative dates ("3 days ago"). Relative links resolve
// against doc.URL (or the page's <base href>).
func Extract(doc connectors.Document, p *Params, now time.Time) (Result, error) {
	if p == nil {
		return Result{}, ErrNoParams
	}
	q := *p
	if q.BestRating == 0 {
		q.BestRating = 5 // a Params built in code rather than by NewParams
	}
	if err := q.validateSelectors(); err != nil {
		return Result{}, fmt.Errorf("html: %w", err)
	}
	sel, err := compile(&q)
	if err != nil {
		return Result{}, fmt.Errorf("html: %w", err)
	}
	return extract(doc, &q, sel, now)
}

// extractor holds the state of one page's extraction.
type extractor struct {
	p    *Params
	sel  *selectors
	now  time.Time
	base *url.URL
	page string // the page URL without fragment
	res  Result
	// containers are every review container of the page, to keep one
	// review's fields out of another nested in it.
	containers map[*xhtml.Node]bool
}

func extract(doc connectors.Document, p *Params, sel *selectors, now time.Time) (Result, error) {
	root, err := xhtml.Parse(bytes.NewReader(doc.Body))
	if err != nil {
		return Result{}, fmt.Errorf("html: parsing the page: %w", err)
	}
	x := &extractor{p: p, sel: sel, now: now, containers: map[*xhtml.Node]bool{}}
	if doc.URL != "" {
		if u, err := url.Parse(doc.URL); err == nil {
			x.base = u
			pu := *u
			pu.Fragment = ""
			x.page = pu.String()
		}
	}
	if b := baseHref.MatchFirst(root); b != nil {
		if u, err := x.resolveURL(attr(b, "href")); err == nil {
			x.base = u
		}
	}

	nodes := sel.review.MatchAll(root)
	for _, n := range nodes {
		x.containers[n] = true
	}
	var kept []*xhtml.Node
	for _, n := range nodes {
		if !x.insideOther(n, nil) {
			kept = append(kept, n)
		}
	}
	if sel.remove != nil {
		for _, n := range kept {
			for _, r := range sel.remove.MatchAll(n) {
				if r.Parent != nil {
					r.Parent.RemoveChild(r)
				}
			}
		}
	}
	if len(kept) == 0 {
		x.res.Warnings = append(x.res.Warnings, fmt.Sprintf("no element matches the review selector %q", p.Review))
	}
	seen := map[string]bool{}
	var reviews []review.Review
	var links []string
	for i, n := range kept {
		r, link, ok := x.review(i+1, n)
		if !ok {
			continue
		}
		key := r.ExternalID
		if key == "" {
			key = fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%v", r.Author, r.PublishedAt, r.Title, r.Text, fmtRating(r.Rating))
		}
		if seen[key] {
			continue // a clone of a review already read (carousels, "read more" copies)
		}
		seen[key] = true
		reviews = append(reviews, r)
		links = append(links, link)
	}
	x.permalinkIDs(reviews, links)
	x.res.Reviews = reviews

	for _, n := range sel.next.MatchAll(root) {
		if u := x.href(n); u != "" && !strings.HasPrefix(u, x.page+"#") && u != x.page {
			x.res.Next = append(x.res.Next, u)
			break
		}
	}
	if sel.total != nil {
		if n := sel.total.MatchFirst(root); n != nil {
			for _, v := range []string{attr(n, "content"), text(n), attr(n, "data-count"), attr(n, "aria-label"), attr(n, "title")} {
				if c, ok := parseCount(v); ok {
					x.res.Shown = c
					break
				}
			}
		}
	}
	return x.res, nil
}

func fmtRating(f *float64) string {
	if f == nil {
		return "-"
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

// warn records a problem with the i-th review of the page.
func (x *extractor) warn(i int, id, format string, args ...any) {
	who := fmt.Sprintf("review %d", i)
	if id != "" {
		who += fmt.Sprintf(" (id %s)", id)
	}
	x.res.Warnings = append(x.res.Warnings, who+": "+fmt.Sprintf(format, args...))
}

// review reads one container. It returns the permalink separately, for
// permalinkIDs.
func (x *extractor) review(i int, c *xhtml.Node) (review.Review, string, bool) {
	p, sel := x.p, x.sel
	var replies []*xhtml.Node
	if sel.reply != nil {
		replies = matchReply(sel.reply, c)
	}
	find := func(s cascadia.Selector) []*xhtml.Node { return x.match(s, c, replies) }
	warned := len(x.res.Warnings)

	r := review.Review{Kind: review.KindReview, LangHint: x.p.Lang}
	if p.ReviewKind != "" {
		r.Kind = review.Kind(p.ReviewKind)
	}
	r.ExternalID = x.externalID(c, find)

	if sel.author != nil {
		r.Author = cleanAuthor(firstLine(find(sel.author)))
	}
	if sel.title != nil {
		r.Title = firstLine(find(sel.title))
	}
	if sel.text != nil {
		r.Text = trimReadMore(joinText(topmost(find(sel.text))))
	}
	x.readRating(i, &r, c, find)

	var dateNode *xhtml.Node
	switch {
	case sel.date != nil:
		if ns := find(sel.date); len(ns) > 0 {
			dateNode = ns[0]
		}
	case p.DateAttr != "":
		dateNode = c
	}
	if dateNode != nil {
		t, raw, err := x.readDate(dateNode, p.DateAttr)
		if err != nil {
			x.warn(i, r.ExternalID, "date %q is not a date (set date_layout?): %v", raw, err)
		} else {
			r.PublishedAt = t
		}
	} else if sel.date != nil {
		x.warn(i, r.ExternalID, "no element matches the date selector %q", p.Date)
	}

	link := ""
	if sel.link != nil {
		for _, n := range find(sel.link) {
			if link = x.href(n); link != "" {
				break
			}
		}
		r.URL = link
	}
	if len(replies) > 0 {
		rep := &review.Reply{Text: joinText(topmost(replies))}
		if sel.replyAuthor != nil {
			rep.Author = firstLine(matchReply(sel.replyAuthor, c))
		}
		if sel.replyDate != nil {
			if ns := matchReply(sel.replyDate, c); len(ns) > 0 {
				if t, raw, err := x.readDate(ns[0], ""); err == nil {
					rep.PublishedAt = t
				} else {
					x.warn(i, r.ExternalID, "reply date %q is not a date: %v", raw, err)
				}
			}
		}
		if rep.Text != "" {
			r.Reply = rep
		}
	}
	if r.LangHint == "" {
		r.LangHint = langOf(c)
	}
	if r.Text == "" && r.Title == "" && r.Rating == nil {
		// One warning for an item left out, not one per missing field.
		x.res.Warnings = x.res.Warnings[:warned]
		x.warn(i, r.ExternalID, "no text, title or rating found: left out (check the text and rating selectors)")
		return r, "", false
	}
	return r, link, true
}

// match returns the elements under c that s matches, leaving out those
// inside a nested review container or inside one of the excluded (reply)
// elements.
func (x *extractor) match(s cascadia.Selector, c *xhtml.Node, exclude []*xhtml.Node) []*xhtml.Node {
	var out []*xhtml.Node
	for _, n := range s.MatchAll(c) {
		if n == c || x.insideOther(n, c) || within(n, c, exclude) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// matchReply is match for the reply's fields, which may sit in a nested
// container (threaded comments, where the answer is a comment inside the
// review's).
func matchReply(s cascadia.Selector, c *xhtml.Node) []*xhtml.Node {
	var out []*xhtml.Node
	for _, n := range s.MatchAll(c) {
		if n != c {
			out = append(out, n)
		}
	}
	return out
}

// insideOther reports whether n lies inside a review container other than
// c (c nil: inside any container but itself).
func (x *extractor) insideOther(n, c *xhtml.Node) bool {
	for a := n.Parent; a != nil && a != c; a = a.Parent {
		if x.containers[a] {
			return true
		}
	}
	return false
}

// within reports whether n is one of set or inside one, below c.
func within(n, c *xhtml.Node, set []*xhtml.Node) bool {
	if len(set) == 0 {
		return false
	}
	for a := n; a != nil && a != c; a = a.Parent {
		for _, s := range set {
			if a == s {
				return true
			}
		}
	}
	return false
}

// topmost drops the elements that are inside another element of ns, so
// that a selector matching both a block and its paragraphs reads the text
// once.
func topmost(ns []*xhtml.Node) []*xhtml.Node {
	var out []*xhtml.Node
	for _, n := range ns {
		inner := false
		for a := n.Parent; a != nil && !inner; a = a.Parent {
			for _, m := range ns {
				if a == m {
					inner = true
					break
				}
			}
		}
		if !inner {
			out = append(out, n)
		}
	}
	return out
}

// externalID reads the review's id: the id selector's element (its
// id_attr attribute, or its text), else the id_attr attribute of the
// container or of its first descendant that has it.
func (x *extractor) externalID(c *xhtml.Node, find func(cascadia.Selector) []*xhtml.Node) string {
	a := strings.TrimSpace(x.p.IDAttr)
	if x.sel.id != nil {
		for _, n := range find(x.sel.id) {
			v := ""
			if a != "" {
				v = attr(n, a)
			} else {
				v = text(n)
			}
			if v = textnorm.Line(v); v != "" {
				return v
			}
		}
		return ""
	}
	if a == "" {
		return ""
	}
	if v := textnorm.Line(attr(c, a)); v != "" {
		return v
	}
	var found string
	walk(c, func(n *xhtml.Node) bool {
		if found != "" || (x.containers[n] && n != c) {
			return false
		}
		if v := textnorm.Line(attr(n, a)); v != "" {
			found = v
			return false
		}
		return true
	})
	return found
}

// readRating fills the rating: from the rating element (its rating_attr
// attribute, or its text and usual attributes), else by counting the
// rating_count (and rating_half) elements.
func (x *extractor) readRating(i int, r *review.Review, c *xhtml.Node, find func(cascadia.Selector) []*xhtml.Node) {
	p, sel := x.p, x.sel
	best := p.BestRating
	set := func(v, scale float64) {
		if scale == 0 {
			scale = best
		}
		if v < p.WorstRating || v > scale {
			if v == 0 {
				return // no rating given, not a zero rating
			}
			x.warn(i, r.ExternalID, "rating %g is outside the scale %g..%g: left out", v, p.WorstRating, scale)
			return
		}
		r.Rating = review.Float(v)
		r.BestRating = review.Float(scale)
		if p.WorstRating != 1 {
			r.WorstRating = review.Float(p.WorstRating)
		}
	}
	if sel.rating != nil || p.RatingAttr != "" {
		var n *xhtml.Node
		if sel.rating != nil {
			if ns := find(sel.rating); len(ns) > 0 {
				n = ns[0]
			}
		} else {
			n = c
		}
		if n != nil {
			var raw string
			var got rating
			ok := false
			if p.RatingAttr != "" {
				raw = attr(n, p.RatingAttr)
				got, ok = parseRating(raw, p.RatingAttr, best)
			} else {
				for _, a := range []string{"content", "", "aria-label", "title", "alt", "data-rating", "data-rating-value", "data-score", "data-stars", "data-value", "value", "style", "class"} {
					v := attr(n, a)
					switch a {
					case "":
						v = text(n)
					case "class":
						if c, word := ratingClass(v); word {
							v = c
						} else {
							v = ""
						}
					}
					if raw == "" {
						raw = v
					}
					if got, ok = parseRating(v, a, best); ok {
						break
					}
				}
			}
			if ok {
				set(got.value, got.best)
				return
			}
			if sel.ratingCount == nil && strings.TrimSpace(raw) != "" {
				x.warn(i, r.ExternalID, "rating %q holds no number", textnorm.Line(raw))
			}
		}
	}
	if sel.ratingCount != nil {
		v := float64(len(find(sel.ratingCount)))
		if sel.ratingHalf != nil {
			v += 0.5 * float64(len(find(sel.ratingHalf)))
		}
		if v > 0 {
			set(v, 0)
		}
	}
}

// readDate reads a date from n: from attribute a when given (the text
// when n lacks it), else from a datetime or content attribute, the text,
// or a title attribute, the first that parses.
func (x *extractor) readDate(n *xhtml.Node, a string) (time.Time, string, error) {
	var cands []string
	if a != "" {
		if v, ok := attrOK(n, a); ok {
			cands = []string{v}
		} else {
			cands = []string{text(n)}
		}
	} else {
		for _, k := range []string{"datetime", "content", "data-date", "data-time", "data-timestamp", "data-created"} {
			if v, ok := attrOK(n, k); ok && strings.TrimSpace(v) != "" {
				cands = append(cands, v)
			}
		}
		cands = append(cands, text(n))
		if v, ok := attrOK(n, "title"); ok {
			cands = append(cands, v)
		}
	}
	var firstErr error
	raw := ""
	for i, v := range cands {
		v = textnorm.Line(v)
		cands[i] = v
		if v == "" {
			continue
		}
		if raw == "" {
			raw = v
		}
		t, err := parseAbsolute(v, x.p.DateLayout, x.now)
		if err == nil {
			return t, v, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	for _, v := range cands {
		if t, ok := relative(v, x.now); ok {
			return t, v, nil
		}
	}
	if firstErr == nil {
		firstErr = errors.New("empty")
	}
	return time.Time{}, raw, firstErr
}

// permalinkIDs gives reviews without an id one from their permalink, when
// every permalink of the page is distinct: the link itself when it leads
// to a page of its own, its fragment when it points into this page.
func (x *extractor) permalinkIDs(rs []review.Review, links []string) {
	count := map[string]int{}
	for _, l := range links {
		if l != "" {
			count[l]++
		}
	}
	for i := range rs {
		l := links[i]
		if rs[i].ExternalID != "" || l == "" || count[l] > 1 {
			continue
		}
		u, err := url.Parse(l)
		if err != nil {
			continue
		}
		frag := u.Fragment
		u.Fragment = ""
		switch {
		case u.String() != x.page:
			rs[i].ExternalID = l
		case frag != "":
			rs[i].ExternalID = "#" + frag
		}
	}
}

// href reads the link target of n (href, data-href or data-url, or the
// first link inside it), as an absolute http(s) URL; "" if none.
func (x *extractor) href(n *xhtml.Node) string {
	v := ""
	for _, k := range []string{"href", "data-href", "data-url", "data-link"} {
		if s := strings.TrimSpace(attr(n, k)); s != "" {
			v = s
			break
		}
	}
	if v == "" {
		walk(n, func(m *xhtml.Node) bool {
			if v != "" {
				return false
			}
			if m.Type == xhtml.ElementNode && m.Data == "a" && strings.TrimSpace(attr(m, "href")) != "" {
				v = strings.TrimSpace(attr(m, "href"))
				return false
			}
			return true
		})
	}
	if v == "" || v == "#" || strings.HasPrefix(strings.ToLower(v), "javascript:") {
		return ""
	}
	u, err := x.resolveURL(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.String()
}

func (x *extractor) resolveURL(v string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil {
		return nil, err
	}
	if x.base != nil {
		u = x.base.ResolveReference(u)
	}
	return u, nil
}

// langOf returns the primary language subtag of the nearest lang
// attribute at or above n ("ru" for lang="ru-RU"), or "".
func langOf(n *xhtml.Node) string {
	for a := n; a != nil; a = a.Parent {
		if v, ok := attrOK(a, "lang"); ok {
			v = strings.ToLower(strings.TrimSpace(v))
			if i := strings.IndexAny(v, "-_"); i > 0 {
				v = v[:i]
			}
			return v
		}
	}
	return ""
}

// authorPrefixes are the words pages put before a reviewer's name.
var authorPrefixes = []string{"posted by ", "written by ", "reviewed by ", "by ", "publié par ", "écrit par ", "avis de ", "par ",
	"автор отзыва:", "автор:", "от ", "author:", "auteur :", "auteur:"}

// cleanAuthor drops a "by"/"par"/"от" label before a name.
func cleanAuthor(s string) string {
	lower := strings.ToLower(s)
	for _, p := range authorPrefixes {
		if strings.HasPrefix(lower, p) && len(s) > len(p) && len(lower) == len(s) {
			return strings.TrimSpace(s[len(p):])
		}
	}
	return s
}

// readMore are the links to the rest of a truncated review that a text
// selector often catches.
var readMore = []string{"Read more", "Show more", "See more", "Lire la suite", "Voir plus", "Afficher plus", "En savoir plus",
	"Читать далее", "Читать полностью", "Показать полностью", "Развернуть"}

// trimReadMore drops a trailing "Read more" from a text.
func trimReadMore(s string) string {
	for _, m := range readMore {
		if t, ok := strings.CutSuffix(s, m); ok && t != "" {
			if r, _ := utf8.DecodeLastRuneInString(t); unicode.IsSpace(r) || r == '…' || r == '.' {
				return strings.TrimRightFunc(t, unicode.IsSpace)
			}
		}
	}
	return s
}

// firstLine returns the first non-empty one-line value of ns: the text,
// or the content, title, alt or aria-label attribute.
func firstLine(ns []*xhtml.Node) string {
	for _, n := range ns {
		for _, v := range []string{text(n), attr(n, "content"), attr(n, "title"), attr(n, "alt"), attr(n, "aria-label")} {
			if v = textnorm.Line(v); v != "" {
				return v
			}
		}
	}
	return ""
}

// joinText returns the text of each element of ns, markup turned into
// line breaks, joined by line breaks; a meta element gives its content.
func joinText(ns []*xhtml.Node) string {
	var parts []string
	for _, n := range ns {
		var t string
		if n.Data == "meta" {
			t = textnorm.Text(attr(n, "content"))
		} else {
			t = textnorm.HTML(innerHTML(n))
		}
		if t != "" && (len(parts) == 0 || parts[len(parts)-1] != t) {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n")
}

func attrOK(n *xhtml.Node, key string) (string, bool) {
	if n == nil || n.Type != xhtml.ElementNode {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *xhtml.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

// text is the element's text content, <br> and blocks as line breaks.
func text(n *xhtml.Node) string {
	if n.Type == xhtml.ElementNode && n.Data == "meta" {
		return ""
	}
	return textnorm.HTML(innerHTML(n))
}

func innerHTML(n *xhtml.Node) string {
	var b bytes.Buffer
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if err := xhtml.Render(&b, c); err != nil {
			break
		}
	}
	return b.String()
}

// walk visits n and its descendants depth first; f returning false skips
// the node's subtree.
func walk(n *xhtml.Node, f func(*xhtml.Node) bool) {
	if !f(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}
