package schemaorg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/andybalholm/cascadia"
	"github.com/gocolly/colly/v2"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
)

// Kind is the source kind's name in the configuration.
const Kind = "schemaorg"

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "reviews published as schema.org JSON-LD, microdata or RDFa on any page, with its pagination",
		NewParams: func() any { return &Params{} },
		New:       New,
		Extract: func(ctx context.Context, params any, doc connectors.Document) (connectors.Extraction, error) {
			if err := ctx.Err(); err != nil {
				return connectors.Extraction{}, err
			}
			var opts Options
			if p, ok := params.(*Params); ok && p != nil {
				opts.NextSelector = p.NextSelector
			}
			return Extract(doc, opts)
		},
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
	var errs []error
	if strings.TrimSpace(p.URL) == "" && len(p.URLs) == 0 {
		errs = append(errs, config.Invalid("url", "is required (or list start pages under urls)"))
	}
	if p.URL != "" {
		if err := config.CheckURL("url", p.URL); err != nil {
			errs = append(errs, err)
		}
	}
	for i, u := range p.URLs {
		if err := config.CheckURL(fmt.Sprintf("urls[%d]", i), u); err != nil {
			errs = append(errs, err)
		}
	}
	if s := strings.TrimSpace(p.NextSelector); s != "" {
		if _, err := cascadia.ParseGroup(s); err != nil {
			errs = append(errs, config.Invalid("next_selector", "%q is not a CSS selector: %v", s, err))
		}
	}
	return errors.Join(errs...)
}

// starts lists the start pages, the url first, without duplicates.
func (p *Params) starts() []string {
	var out []string
	for _, u := range append([]string{p.URL}, p.URLs...) {
		if u = strings.TrimSpace(u); u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// defaultMaxPages caps a run whose environment sets no page limit.
const defaultMaxPages = 50

// Connector collects a schemaorg source.
type Connector struct {
	env    connectors.Env
	params *Params
	log    *slog.Logger
}

// New builds the connector for one run of env.Source, whose Params must
// be a valid *Params.
func New(env connectors.Env) (connectors.Connector, error) {
	p, ok := env.Source.Params.(*Params)
	if !ok || p == nil {
		return nil, fmt.Errorf("schemaorg: source %q: parameters are %T, not *schemaorg.Params", env.Source.ID, env.Source.Params)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("schemaorg: source %q: %w", env.Source.ID, err)
	}
	if env.Client == nil {
		return nil, fmt.Errorf("schemaorg: source %q: no HTTP client", env.Source.ID)
	}
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
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

	maxPages := c.env.MaxPages()
	if maxPages <= 0 {
		maxPages = defaultMaxPages
	}
	opts := Options{NextSelector: c.params.NextSelector}
	queue := c.params.starts()
	seen := map[string]bool{}
	for _, u := range queue {
		seen[visitKey(u)] = true
	}
	done := map[string]bool{} // fetched, under their first and their final URL
	pages := 0
	for len(queue) > 0 && pages < maxPages {
		if err := ctx.Err(); err != nil {
			return err
		}
		target := queue[0]
		queue = queue[1:]
		if done[visitKey(target)] {
			continue // reached earlier through a redirect
		}
		done[visitKey(target)] = true
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
			if _, serr := sink.Page(ctx, connectors.Page{URL: target, Err: pageError(target, got.err)}); serr != nil {
				return fmt.Errorf("schemaorg: %w", serr)
			}
			continue
		}
		seen[visitKey(got.url)] = true
		done[visitKey(got.url)] = true

		ext, err := Extract(connectors.Document{URL: got.url, ContentType: got.contentType, Body: got.body}, opts)
		p := connectors.Page{URL: got.url, Err: err}
		if err == nil {
			p.Reviews, p.Aggregate, p.Warnings = ext.Reviews, ext.Aggregate, ext.Warnings
			for i := range p.Reviews {
				if p.Reviews[i].URL == "" {
					p.Reviews[i].URL = got.url
				}
			}
		}
		res, serr := sink.Page(ctx, p)
		if serr != nil {
			return fmt.Errorf("schemaorg: %w", serr)
		}
		if c.env.Incremental && res.AllKnown() {
			c.log.Debug("schemaorg: page already known, not paging further", "source", c.env.Source.ID, "url", got.url)
			continue
		}
		for _, next := range ext.Next {
			if k := visitKey(next); !seen[k] && samesite(got.url, next) {
				seen[k] = true
				queue = append(queue, next)
			}
		}
	}
	return nil
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

// visitKey identifies a URL for "visited": without its fragment.
func visitKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return stripFragment(u)
}

// samesite reports whether a next link stays on the site of the page it
// was found on (www. or not); pagination never leaves the site, and a
// link that does is more likely an advertisement.
func samesite(from, to string) bool {
	a, errA := url.Parse(from)
	b, errB := url.Parse(to)
	if errA != nil || errB != nil || (b.Scheme != "http" && b.Scheme != "https") {
		return false
	}
	strip := func(h string) string { return strings.TrimPrefix(strings.ToLower(h), "www.") }
	return strip(a.Hostname()) == strip(b.Hostname())
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
