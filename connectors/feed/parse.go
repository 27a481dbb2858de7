package feed

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	gjson "github.com/mmcdole/gofeed/json"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/dateparse"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// Options tune how feed items become reviews.
type Options struct {
	// Kind of the items; when empty, comment, or review for an item that
	// carries a rating.
	Kind review.Kind
	// Lang overrides the feed's declared language as the items' hint.
	Lang string
	// BestRating is the scale of ratings whose feed does not state one
	// (default 5).
	BestRating float64
}

// Result is what one feed document yielded.
type Result struct {
	connectors.Extraction
	// Complete is true when the feed declares that it holds every entry
	// (RFC 5005 <fh:complete/>).
	Complete bool
	// Charset is the charset the feed was read from.
	Charset string
	// Type is rss, atom or json.
	Type string
}

// ErrNotFeed is returned for documents that are not RSS, Atom or JSON
// Feed.
var ErrNotFeed = errors.New("feed: not an RSS, Atom or JSON feed")

// Parse reads an RSS (0.9x, 1.0, 2.0), Atom 1.0 or JSON Feed (1.0, 1.1)
// document into reviews, one per item, in the feed's order. doc.Body may
// be in any charset (see toUTF8). An XML feed that does not parse as a
// whole (an item with broken markup) is read item by item: the good items
// are kept and each broken one is a warning.
func Parse(doc connectors.Document, opts Options) (Result, error) {
	if opts.BestRating <= 0 {
		opts.BestRating = 5
	}
	body, cs := toUTF8(doc.Body, doc.ContentType)
	res := Result{Charset: cs}
	f, err := parse(body)
	var salvaged []string
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		return res, ErrNotFeed
	case err != nil:
		var ok bool
		f, salvaged, ok = salvage(body)
		if !ok {
			return res, fmt.Errorf("feed: %w", err)
		}
	case f.FeedType != "json" && countItems(body) > len(f.Items):
		// The lenient XML parser lost items to one with broken markup
		// without an error: read them one by one.
		if g, w, ok := salvage(body); ok && len(g.Items) > len(f.Items) {
			f, salvaged = g, w
		}
	}
	res.Type = f.FeedType
	base, _ := url.Parse(doc.URL)
	if base == nil {
		base = &url.URL{}
	}
	if f.Link != "" && doc.URL == "" {
		if u, err := url.Parse(f.Link); err == nil {
			base = u
		}
	}
	x := &reader{opts: opts, base: base, feed: f}
	x.lang = opts.Lang
	if x.lang == "" {
		x.lang = primaryLang(f.Language)
	}
	res.Warnings = append(res.Warnings, salvaged...)
	res.Reviews, res.Warnings = x.items(res.Warnings)
	res.Next = x.next()
	res.Complete = x.complete()
	return res, nil
}

func parse(body []byte) (*gofeed.Feed, error) {
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	return p.Parse(bytes.NewReader(body))
}

// itemRE finds the items of an RSS or Atom feed, for salvage.
var itemRE = regexp.MustCompile(`(?s)<(item|entry)(?:\s[^>]*)?>.*?</(?:item|entry)\s*>`)

// countItems counts the item and entry start tags of an XML feed.
func countItems(body []byte) int {
	n := 0
	for _, tag := range []string{"<item", "<entry"} {
		for rest := body; ; {
			i := bytes.Index(rest, []byte(tag))
			if i < 0 {
				break
			}
			rest = rest[i+len(tag):]
			if len(rest) > 0 && (rest[0] == '>' || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r') {
				n++
			}
		}
	}
	return n
}

// salvage parses an XML feed that failed as a whole one item at a time,
// each wrapped in the feed's own header, so that one item with broken
// markup does not lose the others. It reports each unreadable item.
func salvage(body []byte) (*gofeed.Feed, []string, bool) {
	locs := itemRE.FindAllIndex(body, -1)
	if len(locs) == 0 {
		return nil, nil, false
	}
	head := body[:locs[0][0]]
	tail := body[locs[len(locs)-1][1]:]
	var out *gofeed.Feed
	var warnings []string
	for i, l := range locs {
		doc := make([]byte, 0, len(head)+l[1]-l[0]+len(tail))
		doc = append(append(append(doc, head...), body[l[0]:l[1]]...), tail...)
		f, err := parse(doc)
		if err != nil || len(f.Items) != 1 {
			what := "unreadable"
			if err != nil {
				what = "unreadable: " + xmlLine.ReplaceAllString(err.Error(), "")
			}
			warnings = append(warnings, fmt.Sprintf("item %d%s: %s: left out", i+1, guessID(body[l[0]:l[1]]), what))
			continue
		}
		if out == nil {
			out = f
			continue
		}
		out.Items = append(out.Items, f.Items...)
	}
	if out == nil {
		return nil, warnings, false
	}
	return out, warnings, true
}

// idREs find an item's identifier in raw markup, to name a broken item.
var idREs = []*regexp.Regexp{
	regexp.MustCompile(`(?s)<guid(?:\s[^>]*)?>\s*([^<]{1,200}?)\s*</`),
	regexp.MustCompile(`(?s)<id(?:\s[^>]*)?>\s*([^<]{1,200}?)\s*</`),
	regexp.MustCompile(`(?s)<link(?:\s[^>]*)?>\s*([^<]{1,200}?)\s*</`),
	regexp.MustCompile(`(?s)<link\s[^>]*href=["']([^"']{1,200})["']`),
}

func guessID(item []byte) string {
	for _, re := range idREs {
		if m := re.FindSubmatch(item); m != nil {
			return fmt.Sprintf(" (%s)", textnorm.Line(string(m[1])))
		}
	}
	return ""
}

var xmlLine = regexp.MustCompile(`\s*on line \d+`)

// reader turns a parsed feed's items into reviews.
type reader struct {
	opts Options
	base *url.URL
	feed *gofeed.Feed
	lang string
}

func (x *reader) items(warnings []string) ([]review.Review, []string) {
	warn := func(i int, it *gofeed.Item, format string, args ...any) {
		who := fmt.Sprintf("item %d", i+1)
		if id := firstNonEmpty(it.GUID, it.Link, it.Title); id != "" {
			who += fmt.Sprintf(" (%s)", textnorm.Line(id))
		}
		warnings = append(warnings, who+": "+fmt.Sprintf(format, args...))
	}
	var jsonItems []*gjson.Item
	if jf, ok := x.feed.OriginalFeed().(*gjson.Feed); ok && len(jf.Items) == len(x.feed.Items) {
		jsonItems = jf.Items
	}
	var atomEntries []*atom.Entry
	if af, ok := x.feed.OriginalFeed().(*atom.Feed); ok && len(af.Entries) == len(x.feed.Items) {
		atomEntries = af.Entries
	}
	appStore := x.hasExtension("im", "rating")
	var out []review.Review
	for i, it := range x.feed.Items {
		if it == nil {
			continue
		}
		r := review.Review{Kind: review.KindComment, LangHint: x.lang}
		r.ExternalID = strings.TrimSpace(it.GUID)
		r.URL = x.resolve(it.Link)
		if r.URL == "" && len(it.Links) > 0 {
			r.URL = x.resolve(it.Links[0])
		}
		if r.ExternalID == "" {
			r.ExternalID = r.URL
		}
		for _, a := range it.Authors {
			if a != nil && strings.TrimSpace(a.Name) != "" {
				r.Author = textnorm.Line(a.Name)
				break
			}
		}
		if r.Author == "" && it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0 {
			r.Author = textnorm.Line(it.DublinCoreExt.Creator[0])
		}
		r.Title = textnorm.Line(textnorm.HTML(it.Title))

		content := it.Content
		if strings.TrimSpace(content) == "" {
			content = it.Description
		}
		if isPasswordForm(content) || isPasswordForm(it.Description) {
			warn(i, it, "comment on a password-protected post: left out")
			continue
		}
		switch {
		case jsonItems != nil && jsonItems[i] != nil && jsonItems[i].ContentHTML == "" && jsonItems[i].ContentText != "":
			r.Text = textnorm.Text(jsonItems[i].ContentText)
		case atomEntries != nil && atomEntries[i] != nil && atomEntries[i].Content != nil &&
			strings.TrimSpace(atomEntries[i].Content.Value) != "" && strings.EqualFold(atomEntries[i].Content.Type, "text"):
			r.Text = textnorm.Text(atomEntries[i].Content.Value) // Atom text, not markup
		default:
			r.Text = textnorm.HTML(content)
		}
		if jsonItems != nil && jsonItems[i] != nil && jsonItems[i].Language != "" && x.opts.Lang == "" {
			r.LangHint = primaryLang(jsonItems[i].Language)
		}

		published, pubOK := feedDate(it.Published, it.PublishedParsed)
		updated, updOK := feedDate(it.Updated, it.UpdatedParsed)
		switch {
		case !published.IsZero():
			r.PublishedAt = published
			if updated.After(published) {
				r.UpdatedAt = updated
			}
		case !updated.IsZero():
			r.PublishedAt = updated
		}
		if !pubOK {
			warn(i, it, "date %q is not a date", textnorm.Line(it.Published))
		} else if !updOK && r.PublishedAt.IsZero() {
			warn(i, it, "date %q is not a date", textnorm.Line(it.Updated))
		}

		if v, best, worst, ok, problem := itemRating(it, x.opts.BestRating); ok {
			r.Rating, r.BestRating, r.WorstRating = &v, &best, worst
			r.Kind = review.KindReview
		} else if problem != "" {
			warn(i, it, "%s", problem)
		} else if appStore && hasExt(it.Extensions, "im", "name") {
			continue // an App Store feed's first entry is the app itself
		}
		if r.Text == "" && r.Title == "" && r.Rating == nil {
			warn(i, it, "no text, title or rating: left out")
			continue
		}
		if x.opts.Kind != "" {
			r.Kind = x.opts.Kind
		}
		out = append(out, r)
	}
	return out, warnings
}

// feedDate reads an item date: with dateparse first, which keeps the
// offset the feed wrote (so that the calendar date is the feed's), else
// as gofeed read it. ok is false for a date given but unreadable.
func feedDate(raw string, parsed *time.Time) (t time.Time, ok bool) {
	raw = strings.TrimSpace(raw)
	if raw != "" {
		if t, err := dateparse.Parse(raw); err == nil {
			return t, true
		}
	}
	if parsed != nil && !parsed.IsZero() {
		return *parsed, true
	}
	return time.Time{}, raw == ""
}

// isPasswordForm reports whether a WordPress comment feed item stands for
// the comments of a password-protected post: its content is the password
// form, whatever the site's language.
func isPasswordForm(s string) bool {
	return strings.Contains(s, "post-password-form") || strings.Contains(s, "action=postpass")
}

// ratingNames are the extension elements that carry an item's rating:
// <rating>, review:rating, im:rating (App Store), gd:rating (Google).
var ratingNames = []string{"rating", "ratingValue", "reviewRating", "stars", "score"}

// itemRating reads an item's rating from the elements feeds use for one.
// problem is set when an element is there but unreadable.
func itemRating(it *gofeed.Item, defBest float64) (v, best float64, worst *float64, ok bool, problem string) {
	var cands []ext.Extension
	for _, name := range ratingNames {
		if s, found := it.Custom[name]; found {
			cands = append(cands, ext.Extension{Name: name, Value: s})
		}
	}
	for _, prefix := range sortedKeys(it.Extensions) {
		for _, name := range ratingNames {
			if name == "score" && prefix != "review" && prefix != "rev" {
				continue // too common a word outside review vocabularies
			}
			cands = append(cands, it.Extensions[prefix][name]...)
		}
	}
	for _, e := range cands {
		raw := strings.TrimSpace(e.Value)
		for _, k := range []string{"value", "average", "ratingValue"} {
			if raw == "" {
				raw = strings.TrimSpace(e.Attrs[k])
			}
		}
		if raw == "" {
			raw = child(e, "ratingValue", "value")
		}
		if raw == "" {
			continue
		}
		num, stated, readable := parseRating(raw)
		if !readable {
			problem = fmt.Sprintf("rating %q is not a number", raw)
			continue
		}
		best = defBest
		if stated > 0 {
			best = stated
		}
		for _, k := range []string{"max", "best", "bestRating", "scale"} {
			if b, ok := decimal(e.Attrs[k]); ok && b > 0 {
				best = b
			}
		}
		if b, ok := decimal(child(e, "bestRating", "best", "max")); ok && b > 0 {
			best = b
		}
		for _, k := range []string{"min", "worst", "worstRating"} {
			if w, ok := decimal(e.Attrs[k]); ok {
				worst = &w
			}
		}
		if w, ok := decimal(child(e, "worstRating", "worst", "min")); ok {
			worst = &w
		}
		if worst != nil && *worst == 1 {
			worst = nil
		}
		lo := 1.0
		if worst != nil {
			lo = *worst
		}
		if num == 0 && lo > 0 {
			return 0, 0, nil, false, "" // 0 on a scale from 1: unrated
		}
		if num < lo || num > best {
			return 0, 0, nil, false, fmt.Sprintf("rating %g is outside the scale %g..%g", num, lo, best)
		}
		return num, best, worst, true, ""
	}
	return 0, 0, nil, false, problem
}

func child(e ext.Extension, names ...string) string {
	for _, n := range names {
		for _, c := range e.Children[n] {
			if v := strings.TrimSpace(c.Value); v != "" {
				return v
			}
		}
	}
	return ""
}

var ratingRE = regexp.MustCompile(`(?i)^\s*(\d+(?:[.,]\d+)?)(?:\s*(?:/|out of|of|sur|из)\s*(\d+(?:[.,]\d+)?))?`)

// parseRating reads "4", "4,5", "4/5" or "4 out of 5".
func parseRating(s string) (v, best float64, ok bool) {
	m := ratingRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	v, ok = decimal(m[1])
	if m[2] != "" {
		best, _ = decimal(m[2])
	}
	return v, best, ok
}

func decimal(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > 1e9 {
		return 0, false
	}
	return f, true
}

func sortedKeys(m ext.Extensions) []string { return slices.Sorted(maps.Keys(m)) }

func hasExt(m ext.Extensions, prefix, name string) bool {
	return len(m[prefix][name]) > 0
}

// hasExtension reports whether any item carries the extension element.
func (x *reader) hasExtension(prefix, name string) bool {
	for _, it := range x.feed.Items {
		if it != nil && hasExt(it.Extensions, prefix, name) {
			return true
		}
	}
	return false
}

// next returns the feed's link to its next page: an Atom (or RSS
// atom:link) rel="next" link, RFC 5005, or JSON Feed's next_url.
func (x *reader) next() []string {
	var hrefs []string
	switch f := x.feed.OriginalFeed().(type) {
	case *atom.Feed:
		for _, l := range f.Links {
			if l != nil && strings.EqualFold(l.Rel, "next") {
				hrefs = append(hrefs, l.Href)
			}
		}
	case *gjson.Feed:
		hrefs = append(hrefs, f.NextURL)
	}
	for _, prefix := range sortedKeys(x.feed.Extensions) {
		for _, l := range x.feed.Extensions[prefix]["link"] {
			if strings.EqualFold(l.Attrs["rel"], "next") {
				hrefs = append(hrefs, l.Attrs["href"])
			}
		}
	}
	var out []string
	for _, h := range hrefs {
		if u := x.resolve(h); u != "" {
			return append(out, u)
		}
	}
	return nil
}

// complete reports RFC 5005's <fh:complete/>: the feed holds every entry.
func (x *reader) complete() bool {
	for _, elems := range x.feed.Extensions {
		if len(elems["complete"]) > 0 {
			return true
		}
	}
	return false
}

// resolve makes a link absolute against the feed's URL; "" for anything
// but http(s).
func (x *reader) resolve(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	u = x.base.ResolveReference(u)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

// primaryLang returns the primary subtag of a language tag, lower case:
// "ru" for "ru-RU".
func primaryLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
