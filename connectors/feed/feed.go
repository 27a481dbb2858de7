// Package feed is the feed source kind: comments and reviews published as
// RSS 2.0 (and 0.9x, 1.0), Atom 1.0 or JSON Feed (1.0, 1.1): WordPress
// comment feeds (/comments/feed/), alert feeds, social feeds, review
// sites' feeds. Each item becomes a review of kind comment (or review),
// with its author, title, text, dates, link and, when the feed carries
// one in a known element, its rating.
//
// The feed's charset is honoured (the XML declaration's, such as
// windows-1251, KOI8-R or ISO-8859-1), and an item with broken markup
// does not lose the others. Pagination follows WordPress's ?paged=N,
// Atom rel="next" links (RFC 5005) and JSON Feed's next_url.
package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
)

// Kind is the source kind's name in the configuration.
const Kind = "feed"

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "comments and reviews from an RSS, Atom or JSON feed (WordPress comment feeds, alerts, social feeds), with its pagination",
		NewParams: NewParams,
		New:       New,
		Extract: connutil.ExtractWith(func(p *Params, doc connectors.Document) (connectors.Extraction, error) {
			var opts Options
			if p != nil {
				opts = p.options()
			}
			res, err := Parse(doc, opts)
			return res.Extraction, err
		}),
		Detect: Detect,
	})
}

// Params are a feed source's parameters.
type Params struct {
	// URL is the feed, e.g. https://example.com/comments/feed/ for a
	// WordPress site's comments, or a post's comment feed
	// (https://example.com/2024/03/post/feed/).
	URL string `yaml:"url"`
	// URLs are further feeds of the same location, read the same way.
	URLs []string `yaml:"urls"`
	// Paged reads the older items through WordPress's ?paged=2, 3...
	// until a page is empty or missing. Atom rel="next" links and JSON
	// Feed's next_url are always followed.
	Paged bool `yaml:"paged"`
	// ReviewKind is what the items are: comment (the default; an item that
	// carries a rating is a review), review, or survey.
	ReviewKind string `yaml:"review_kind"`
	// Lang is the language of the items (fr, ru, en), a hint for language
	// detection; default: the feed's declared language.
	Lang string `yaml:"lang"`
	// BestRating is the top of the scale of ratings for feeds that carry
	// ratings without stating their scale (default 5).
	BestRating float64 `yaml:"best_rating"`
}

// NewParams returns the defaults.
func NewParams() any { return &Params{BestRating: 5} }

// Validate checks the feed URLs, the review kind and the scale.
func (p *Params) Validate() error {
	errs := connutil.CheckStarts(p.URL, p.URLs, "feeds")
	switch review.Kind(p.ReviewKind) {
	case "", review.KindReview, review.KindComment, review.KindSurvey:
	default:
		errs = append(errs, config.Invalid("review_kind", "must be comment, review or survey, not %q", p.ReviewKind))
	}
	if p.BestRating <= 0 {
		errs = append(errs, config.Invalid("best_rating", "must be above 0, not %g", p.BestRating))
	}
	return errors.Join(errs...)
}

func (p *Params) options() Options {
	return Options{Kind: review.Kind(p.ReviewKind), Lang: p.Lang, BestRating: p.BestRating}
}

// Connector collects a feed source.
type Connector struct {
	env    connectors.Env
	params *Params
	log    *slog.Logger
}

// New builds the connector for one run of env.Source, whose Params must
// be a valid *Params.
func New(env connectors.Env) (connectors.Connector, error) {
	p, log, err := connutil.Prepare[Params](Kind, env, true)
	if err != nil {
		return nil, err
	}
	return &Connector{env: env, params: p, log: log}, nil
}

// Collect reads each feed and its following pages, in order, handing each
// page's items to the sink as soon as it is read. A page that cannot be
// fetched or parsed goes to the sink with Err set, and that feed's paging
// stops there; the other feeds go on. Paging stops after env.MaxPages()
// pages in all, at the feed's last page, when an incremental run reaches
// a page the sink already knows entirely, when a next page holds only
// items read earlier in the run (a server that ignores ?paged; that page
// is not handed over), or when ctx is done (returning ctx's error).
//
// A feed is a window on the latest items unless it says otherwise, so the
// last page is Final only when the run read the whole listing: every page
// of a paged WordPress feed up to the empty (or missing) one, every page
// of a feed with next links, or a feed that declares itself complete
// (RFC 5005 <fh:complete/>), with no error, cap or early stop on the way.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	maxPages := connutil.MaxPages(c.env)
	opts := c.params.options()
	starts := connutil.Starts(c.params.URL, c.params.URLs)
	seen := map[string]bool{}
	out := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink}
	pages := 0
	complete := true
	items := map[string]bool{} // the items read in this run
	endPage := ""              // the empty (or missing) page that ended the last paged feed
	for si, start := range starts {
		last := si == len(starts)-1
		target := start
		paged := 1
		followed := false // a next page was read: the feed is paginated
		endPage = ""
		for target != "" {
			if err := ctx.Err(); err != nil {
				return err
			}
			if pages >= maxPages {
				c.log.Debug("feed: page cap reached", "source", c.env.Source.ID, "max_pages", maxPages)
				complete = false
				break
			}
			pages++
			seen[target] = true
			resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: target, Robots: c.env.Robots(), Raw: true, Header: accept})
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil && paged > 1 && isGone(err) {
				endPage = target // past WordPress's last page
				break
			}
			if err != nil {
				complete = false
				if err := out.Fail(ctx, target, err); err != nil {
					return err
				}
				break
			}
			res, err := Parse(connectors.Document{URL: resp.URL, ContentType: resp.Header.Get("Content-Type"), Body: resp.Body}, opts)
			if err != nil {
				complete = false
				if _, err := out.Send(ctx, connectors.Page{URL: resp.URL, Err: fmt.Errorf("%s: %w", resp.URL, err)}); err != nil {
					return err
				}
				break
			}
			if paged > 1 && len(res.Reviews) == 0 && len(res.Warnings) == 0 {
				endPage = resp.URL // an empty page past the last one
				break
			}
			if repeated := allSeen(items, res.Reviews); repeated && target != start {
				// A server that ignores ?paged (or a next link back to
				// pages already read): the feed is a window after all.
				c.log.Debug("feed: next page repeats items already read", "source", c.env.Source.ID, "url", resp.URL)
				complete = false
				break
			}
			next := ""
			switch {
			case len(res.Next) > 0:
				next = res.Next[0]
			case c.params.Paged && len(res.Reviews)+len(res.Warnings) > 0:
				paged++
				next = withPaged(start, paged)
			}
			if next != "" && seen[next] {
				next = "" // a loop, or a server that ignores paged
			}
			if next == "" && !followed && !res.Complete && !c.params.Paged {
				complete = false // a window on the latest items, not a listing
			}
			page := connectors.Page{URL: resp.URL, Reviews: res.Reviews, Warnings: res.Warnings}
			page.Final = last && next == "" && complete
			r, err := out.Send(ctx, page)
			if err != nil {
				return err
			}
			if next != "" && out.Known(r, resp.URL) {
				complete = false
				break
			}
			if next != "" {
				followed = true
			}
			target = next
		}
	}
	if complete && endPage != "" {
		// The last feed's end was found one page after its last items.
		_, err := out.Send(ctx, connectors.Page{URL: endPage, Final: true})
		return err
	}
	return nil
}

var accept = http.Header{"Accept": {"application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}}

// allSeen reports whether every review was read before in the run, and
// records them.
func allSeen(seen map[string]bool, rs []review.Review) bool {
	all := len(rs) > 0
	for _, r := range rs {
		k := itemKey(r)
		if !seen[k] {
			all = false
			seen[k] = true
		}
	}
	return all
}

func itemKey(r review.Review) string {
	if r.ExternalID != "" {
		return "id\x00" + r.ExternalID
	}
	return fmt.Sprintf("c\x00%s\x00%s\x00%s\x00%s", r.Author, r.PublishedAt, r.Title, r.Text)
}

// isGone reports whether a fetch failed with 404 or 410: for a page past
// the end of a paged feed, the end of the listing.
func isGone(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && (fe.StatusCode == http.StatusNotFound || fe.StatusCode == http.StatusGone)
}

// withPaged returns the feed URL asking for page n.
func withPaged(feed string, n int) string {
	u, err := url.Parse(feed)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("paged", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return u.String()
}

// Detect scores how much doc looks like a feed: 95 for RSS, Atom or JSON
// Feed that parses, 0 otherwise.
func Detect(doc connectors.Document) int {
	head := doc.Body
	if len(head) > 4096 {
		head = head[:4096]
	}
	s := strings.ToLower(string(head))
	isJSON := strings.Contains(s, "jsonfeed.org/version")
	isXML := strings.Contains(s, "<rss") || strings.Contains(s, "<feed") || strings.Contains(s, "<rdf:rdf")
	if !isJSON && !isXML {
		return 0
	}
	if _, err := Parse(doc, Options{}); err != nil {
		return 0
	}
	return 95
}
