// Package html is the html source kind: reviews read from any review site
// with CSS selectors given in the configuration (the review container,
// and inside it the author, rating, date, title, text, owner reply...),
// following the site's pagination.
//
// Pages are fetched through the shared polite client (robots.txt, host
// limits, retries, charset decoding), so windows-1251 or ISO-8859-1 pages
// read like UTF-8 ones.
package html

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
)

// Kind is the source kind's name in the configuration.
const Kind = "html"

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "reviews of any site, read with CSS selectors from the configuration, with its pagination",
		NewParams: NewParams,
		New:       New,
		Extract: connutil.ExtractWith(func(p *Params, doc connectors.Document) (connectors.Extraction, error) {
			if p == nil {
				return connectors.Extraction{}, ErrNoParams
			}
			res, err := Extract(doc, p, time.Now())
			return res.Extraction, err
		}),
		// No Detect: without selectors the kind cannot read a page.
	})
}

// Params are an html source's parameters. Every selector is CSS (as
// jQuery and browsers read it); those of the fields of a review (author,
// rating, date, title, text, id, link, reply...) are looked up inside
// each review's container; next and total in the whole page. A field
// whose selector is empty is not read.
type Params struct {
	// URL is the first page of the location's reviews.
	URL string `yaml:"url"`
	// URLs are further start pages (another sort order, another list of
	// the same location); each is followed through its own pagination.
	URLs []string `yaml:"urls"`

	// Review selects the container of each review (required), e.g.
	// "div.review" or "li[itemprop=review]". Containers nested in another
	// matched container are part of it, not reviews of their own.
	Review string `yaml:"review"`
	// Remove selects elements to delete from each container before it is
	// read: "read more" buttons, machine translations, hidden copies.
	Remove string `yaml:"remove"`
	// Author selects the reviewer's name.
	Author string `yaml:"author"`
	// Title selects the review's title.
	Title string `yaml:"title"`
	// Text selects the review's text. Every matching element is read and
	// the texts are joined by line breaks, so "div.pros, div.cons,
	// div.body" gathers a review written in parts.
	Text string `yaml:"text"`

	// Rating selects the element that holds the rating. Its text is read
	// ("4", "4,5", "4 из 5", "Note : 8/10", "★★★★☆"), else its content,
	// aria-label, title, data-rating, style (width in %) or a rating-like
	// class; a scale stated in the text ("8/10") is kept as the review's
	// best rating.
	Rating string `yaml:"rating"`
	// RatingAttr reads the rating from this attribute of the rating
	// element (of the container when rating is empty) instead: the first
	// number of "data-rating", "aria-label" ("Rated 4.5 out of 5"),
	// "style" (a width of 80% is 4 of 5), "class" ("stars-4"; "bubble_45"
	// is 4.5). Decimal commas are read.
	RatingAttr string `yaml:"rating_attr"`
	// RatingCount selects the filled stars inside the container, e.g.
	// ".star.filled": the rating is how many there are (used when rating
	// and rating_attr give nothing).
	RatingCount string `yaml:"rating_count"`
	// RatingHalf selects the half-filled stars counted as 0.5 each, with
	// rating_count.
	RatingHalf string `yaml:"rating_half"`
	// BestRating is the top of the site's scale (default 5).
	BestRating float64 `yaml:"best_rating"`
	// WorstRating is the bottom of the site's scale (default 1).
	WorstRating float64 `yaml:"worst_rating"`

	// Date selects the element with the publication date. Without
	// date_attr, a datetime or content attribute is read first, then the
	// text, then a title attribute.
	Date string `yaml:"date"`
	// DateAttr reads the date from this attribute (e.g. "datetime",
	// "content") of the date element, or of the container when date is
	// empty.
	DateAttr string `yaml:"date_attr"`
	// DateLayout is the Go layout of the dates ("02.01.2006 15:04",
	// "2 January 2006"; French and Russian month names are read for
	// January). Empty: detected, ISO 8601 and written dates in English,
	// French and Russian ("12 марта 2024", "12 mars 2024"), relative
	// dates ("il y a 3 jours", "3 дня назад", "yesterday") and dates
	// without a year ("12 марта", this year).
	DateLayout string `yaml:"date_layout"`

	// ID selects the element holding the review's id on the site (its
	// id_attr attribute, or its text).
	ID string `yaml:"id_selector"`
	// IDAttr is the attribute holding the review's id, e.g.
	// "data-review-id": on the id element, else on the container or the
	// first element inside it that has it. Without an id, a permalink
	// (link) identifies the review.
	IDAttr string `yaml:"id_attr"`
	// Link selects the review's permalink (an <a href>).
	Link string `yaml:"link"`

	// Reply selects the owner's public answer; its elements are left out
	// of every other field.
	Reply string `yaml:"reply"`
	// ReplyAuthor selects the name of whoever answered.
	ReplyAuthor string `yaml:"reply_author"`
	// ReplyDate selects the date of the answer.
	ReplyDate string `yaml:"reply_date"`

	// Next selects the link to the next page of reviews (default: the
	// page's rel="next" link).
	Next string `yaml:"next"`
	// Total selects the element showing how many reviews the site has for
	// the location ("1 234 отзыва", "57 avis"), for coverage.
	Total string `yaml:"total"`
	// Lang is the language of the reviews (fr, ru, en), a hint for
	// language detection; default: the page's lang attribute.
	Lang string `yaml:"lang"`
	// ReviewKind is what the items are: review (default), comment or
	// survey.
	ReviewKind string `yaml:"review_kind"`
	// Partial says the pages never list every review (the site loads the
	// rest as you scroll): reviews missing from a run are then never taken
	// as deleted.
	Partial bool `yaml:"partial"`
}

// NewParams returns the defaults: a scale of 1 to 5.
func NewParams() any { return &Params{BestRating: 5, WorstRating: 1} }

// invalid is config.Invalid, named for brevity.
func invalid(field, format string, args ...any) error { return config.Invalid(field, format, args...) }

// Validate checks the start pages, that review is given, that every
// selector compiles (the error names the field), the scale, the date
// layout and the review kind.
func (p *Params) Validate() error {
	errs := connutil.CheckStarts(p.URL, p.URLs, "start pages")
	errs = append(errs, p.validateSelectors())
	return errors.Join(errs...)
}

// validateSelectors checks everything but the start pages: what Extract
// needs.
func (p *Params) validateSelectors() error {
	var errs []error
	if strings.TrimSpace(p.Review) == "" {
		errs = append(errs, invalid("review", "is required: a CSS selector for each review's container, such as \"div.review\""))
	}
	if _, err := compile(p); err != nil {
		errs = append(errs, err)
	}
	for field, v := range map[string]string{"rating_attr": p.RatingAttr, "date_attr": p.DateAttr, "id_attr": p.IDAttr} {
		if strings.ContainsAny(v, " \t\n\"'<>=/") {
			errs = append(errs, invalid(field, "%q is not an attribute name", v))
		}
	}
	if p.BestRating <= 0 {
		errs = append(errs, invalid("best_rating", "must be above 0, not %g", p.BestRating))
	}
	if p.WorstRating < 0 || p.WorstRating >= p.BestRating {
		errs = append(errs, invalid("worst_rating", "must be at least 0 and below best_rating (%g), not %g", p.BestRating, p.WorstRating))
	}
	if l := p.DateLayout; l != "" {
		probe := time.Date(1999, 11, 28, 13, 47, 38, 0, time.UTC)
		if probe.Format(l) == l {
			errs = append(errs, invalid("date_layout", "%q is not a Go time layout: write the reference date as the site prints it, such as \"02.01.2006\" or \"2 January 2006 15:04\"", l))
		}
	}
	switch review.Kind(p.ReviewKind) {
	case "", review.KindReview, review.KindComment, review.KindSurvey:
	default:
		errs = append(errs, invalid("review_kind", "must be review, comment or survey, not %q", p.ReviewKind))
	}
	return errors.Join(errs...)
}

// Connector collects an html source.
type Connector struct {
	env    connectors.Env
	params *Params
	sel    *selectors
	log    *slog.Logger
	now    func() time.Time
}

// New builds the connector for one run of env.Source, whose Params must
// be a valid *Params.
func New(env connectors.Env) (connectors.Connector, error) {
	p, log, err := connutil.Prepare[Params](Kind, env, true)
	if err != nil {
		return nil, err
	}
	sel, err := compile(p)
	if err != nil {
		return nil, fmt.Errorf("html: source %q: %w", env.Source.ID, err)
	}
	c := &Connector{env: env, params: p, sel: sel, log: log, now: env.Now}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Collect fetches the start pages and follows their next links, in order,
// handing each page's reviews to the sink as soon as it is read. A page
// that cannot be fetched goes to the sink with Err set and its pagination
// is lost; the run goes on with the other start pages. It stops after
// env.MaxPages() pages, when no next link is left, when an incremental run
// reaches a page the sink already knows entirely (its next link is not
// followed), when a next page holds only reviews read earlier in the run
// (a page number past the end showing the first page again; that page is
// not handed over), or when ctx is done (returning ctx's error).
//
// The last page gets Final when the run went through every page of every
// start page without an error, a cap or an early stop, the source is not
// partial, and the reviews collected are at least as many as the site
// says it has (total), when it says.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	maxPages := connutil.MaxPages(c.env)
	starts := connutil.Starts(c.params.URL, c.params.URLs)
	queue := connutil.NewFrontier(starts)
	items := map[string]bool{} // the reviews read in this run
	out := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink}
	complete := !c.params.Partial
	collected, shown, pages := 0, 0, 0
	for queue.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pages >= maxPages {
			c.log.Debug("html: page cap reached", "source", c.env.Source.ID, "max_pages", maxPages)
			break
		}
		target := queue.Pop()
		pages++
		start := ""
		if slices.Contains(starts, target) {
			start = target
		}

		resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: target, Robots: c.env.Robots()})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && isCaptcha(resp.URL) {
			err = fmt.Errorf("html: %s: the site answered with a captcha page (%s)", target, resp.URL)
		}
		if err != nil {
			complete = false
			if serr := out.Fail(ctx, target, err); serr != nil {
				return serr
			}
			continue
		}
		queue.Reached(resp.URL)
		doc := connectors.Document{URL: resp.URL, ContentType: resp.Header.Get("Content-Type"), Body: resp.Body}
		res, err := extract(doc, c.params, c.sel, c.now())
		page := connectors.Page{URL: resp.URL, Err: err}
		var next []string
		if err == nil {
			page.Reviews, page.Warnings, page.Shown = res.Reviews, res.Warnings, res.Shown
			for i := range page.Reviews {
				if page.Reviews[i].URL == "" {
					page.Reviews[i].URL = resp.URL
				}
			}
			next = queue.Links(resp.URL, res.Next)
			if repeated := allSeen(items, page.Reviews); repeated && target != start {
				// A next link that leads back to reviews already read (a
				// page number past the end showing the first page again).
				c.log.Debug("html: page repeats reviews already read", "source", c.env.Source.ID, "url", resp.URL)
				complete = false
				continue
			}
		} else {
			complete = false
		}
		collected += len(page.Reviews)
		shown = max(shown, res.Shown)
		if complete && queue.Len() == 0 && len(next) == 0 && (shown == 0 || collected >= shown) {
			page.Final = true
		}
		result, serr := out.Send(ctx, page)
		if serr != nil {
			return serr
		}
		if out.Known(result, resp.URL) {
			complete = false
			continue
		}
		queue.Push(next...)
	}
	return nil
}

// allSeen reports whether every review was read before in the run, and
// records them.
func allSeen(seen map[string]bool, rs []review.Review) bool {
	all := len(rs) > 0
	for _, r := range rs {
		k := fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s", r.ExternalID, r.Author, r.PublishedAt, r.Title, r.Text)
		if !seen[k] {
			all = false
			seen[k] = true
		}
	}
	return all
}

// isCaptcha reports whether the final URL of a page is an anti-bot
// challenge (Yandex's showcaptcha, 2GIS's captcha host...).
func isCaptcha(final string) bool {
	u, err := url.Parse(final)
	if err != nil {
		return false
	}
	return strings.Contains(strings.ToLower(u.Host+u.Path), "captcha")
}
