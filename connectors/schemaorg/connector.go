package schemaorg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/andybalholm/cascadia"
	"github.com/gocolly/colly/v2"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
)

// Kind is the source kind's name in the configuration.
const Kind = "schemaorg"

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "reviews published as schema.org JSON-LD, microdata or RDFa on any page, with its pagination",
		NewParams: func() any { return &Params{} },
		New:       New,
		Extract: connutil.ExtractWith(func(p *Params, doc connectors.Document) (connectors.Extraction, error) {
			var opts Options
			if p != nil {
				opts.NextSelector = p.NextSelector
			}
			return Extract(doc, opts)
		}),
		Detect: Detect,
	})
}

// Params are a schemaorg source's parameters.
type Params struct {
	// URL is the first page of reviews.
	URL string `yaml:"url"`
	// URLs are further start pages (other review lists of the same
	// location); each is followed through its own pagination.
	URLs []string `yaml:"urls"`
	// NextSelector is a CSS selector for the next-page link, for sites
	// that do not mark it rel="next".
	NextSelector string `yaml:"next_selector"`
}

// Validate checks that there is at least one start page, that every start
// page is an absolute http(s) URL and that next_selector is valid CSS.
func (p *Params) Validate() error {
	errs := connutil.CheckStarts(p.URL, p.URLs, "start pages")
	if s := strings.TrimSpace(p.NextSelector); s != "" {
		if _, err := cascadia.ParseGroup(s); err != nil {
			errs = append(errs, config.Invalid("next_selector", "%q is not a CSS selector: %v", s, err))
		}
	}
	return errors.Join(errs...)
}

// Connector collects a schemaorg source.
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

// fetched is what one visit of the collector produced.
type fetched struct {
	url         string // final URL, after redirects
	contentType string
	body        []byte
	err         error
}

// Collect visits the start pages and follows their next links, in order,
// through one collector (robots.txt, host limits, retries and charset
// decoding are the fetch client's). Each page goes to the sink as soon as
// it is read; a page that cannot be fetched goes with Err set, and the
// run goes on with the pages still queued. It stops after env.MaxPages()
// pages, when no next link is left unvisited, when an incremental run
// reaches a page the sink already knows entirely (that page's next link
// is not followed), or when ctx is done (returning ctx's error). It
// returns an error only when the sink fails or ctx ends.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	col := c.env.Client.Collector(ctx, c.env.Robots())
	col.AllowURLRevisit = true // visits are deduplicated here, after redirects too
	var (
		mu  sync.Mutex
		cur *fetched
	)
	col.OnResponse(func(r *colly.Response) {
		mu.Lock()
		defer mu.Unlock()
		cur.url = r.Request.URL.String()
		cur.contentType = r.Headers.Get("Content-Type")
		cur.body = r.Body
	})
	col.OnError(func(r *colly.Response, err error) {
		mu.Lock()
		defer mu.Unlock()
		cur.err = err
	})

	maxPages := connutil.MaxPages(c.env)
	opts := Options{NextSelector: c.params.NextSelector}
	queue := connutil.NewFrontier(connutil.Starts(c.params.URL, c.params.URLs))
	out := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink}
	done := map[string]bool{} // fetched, under their first and their final URL
	pages := 0
	// A run is complete when it followed every page without a failure or
	// an early stop and collected at least as many reviews as the page's
	// own count: only then are reviews missing from it deleted ones.
	// Pages that show only the latest few reviews never qualify.
	complete, collected := true, 0
	for queue.Len() > 0 && pages < maxPages {
		if err := ctx.Err(); err != nil {
			return err
		}
		target := queue.Pop()
		if done[connutil.VisitKey(target)] {
			continue // reached earlier through a redirect
		}
		done[connutil.VisitKey(target)] = true
		pages++

		mu.Lock()
		cur = &fetched{url: target}
		mu.Unlock()
		visitErr := col.Visit(target)
		mu.Lock()
		got := *cur
		mu.Unlock()
		if got.err == nil {
			got.err = visitErr
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if got.err != nil {
			complete = false
			if _, serr := out.Send(ctx, connectors.Page{URL: target, Err: pageError(target, got.err)}); serr != nil {
				return serr
			}
			continue
		}
		queue.Reached(got.url)
		done[connutil.VisitKey(got.url)] = true

		ext, err := Extract(connectors.Document{URL: got.url, ContentType: got.contentType, Body: got.body}, opts)
		p := connectors.Page{URL: got.url, Err: err}
		var next []string
		if err == nil {
			p.Reviews, p.Aggregate, p.Warnings = ext.Reviews, ext.Aggregate, ext.Warnings
			p.Shown = shown(ext.Aggregate)
			for i := range p.Reviews {
				if p.Reviews[i].URL == "" {
					p.Reviews[i].URL = got.url
				}
			}
			next = queue.Links(got.url, ext.Next)
			collected += len(p.Reviews)
			p.Final = complete && len(next) == 0 && queue.Len() == 0 && p.Shown > 0 && collected >= p.Shown
		} else {
			complete = false
		}
		res, serr := out.Send(ctx, p)
		if serr != nil {
			return serr
		}
		if out.Known(res, got.url) {
			complete = false
			continue
		}
		queue.Push(next...)
	}
	return nil
}

// shown is how many reviews a page's rating summary says the item has:
// its review count, else its rating count; 0 when it says nothing.
func shown(a *review.Aggregate) int {
	if a == nil {
		return 0
	}
	if a.ReviewCount > 0 {
		return a.ReviewCount
	}
	return a.RatingCount
}

// pageError is the error reported for a page that could not be fetched:
// the fetch package's error, whose message names the URL, the status and
// the attempts, unwrapped from the *url.Error net/http puts around
// transport errors; any other error (colly's) gets the URL.
func pageError(target string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("schemaorg: GET %s: %w", target, err)
}

// Detect scores how much doc looks like a page of schema.org reviews: 90
// with reviews, 70 with only an aggregate rating, 10 with structured data
// that holds neither, 0 otherwise.
func Detect(doc connectors.Document) int {
	body := strings.ToLower(string(doc.Body))
	if !strings.Contains(body, "ld+json") && !strings.Contains(body, "itemscope") &&
		!strings.Contains(body, "typeof") && !strings.Contains(body, "@type") {
		return 0
	}
	ext, err := Extract(doc, Options{})
	switch {
	case err != nil:
		return 0
	case len(ext.Reviews) > 0:
		return 90
	case ext.Aggregate != nil:
		return 70
	}
	return 10
}
