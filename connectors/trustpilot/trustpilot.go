// Package trustpilot collects a business's reviews from its public
// Trustpilot pages, https://{domain}/review/{business}?page=N&languages=all,
// reading the Next.js state each page embeds (<script id="__NEXT_DATA__">:
// props.pageProps.reviews, businessUnit and filters.pagination), or the
// page's schema.org JSON-LD when that state is missing or unreadable.
//
// Pages are web pages, not an API: they are fetched through the shared
// polite client with robots.txt obeyed (unless the source turns robots
// off), the crawler's delay and retries. Trustpilot is reported to block
// automated clients under load (PerimeterX): keep the pace slow. A brand
// that is a Trustpilot customer should prefer its official API.
//
// Reviews come newest first; each keeps its title, text, rating (of 5),
// language, publication and edit dates, author's display name and the
// business's reply. Shown is the listing's count (of the languages asked
// for) and the aggregate is the TrustScore.
package trustpilot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// Kind is the source kind's name in the configuration.
const Kind = "trustpilot"

// DefaultDomain is the Trustpilot site used unless the parameters say.
const DefaultDomain = "www.trustpilot.com"

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "Trustpilot: a business's public review pages (embedded Next.js data, JSON-LD fallback)",
		NewParams: func() any { return NewParams() },
		New:       New,
		Extract:   connutil.Extract(Extract),
		Detect:    Detect,
	})
}

// Params are a trustpilot source's parameters.
type Params struct {
	// Business is the business's name on Trustpilot as it appears in its
	// page's URL after /review/: "vigie.fr" for
	// https://fr.trustpilot.com/review/vigie.fr.
	Business string `yaml:"business"`
	// Domain is the Trustpilot site: www.trustpilot.com (the default),
	// fr.trustpilot.com, uk.trustpilot.com… The reviews are the same;
	// the page language differs.
	Domain string `yaml:"domain"`
	// Languages filters the reviews by language: "all" (the default, every
	// language) or a language code (fr, ru, en).
	Languages string `yaml:"languages"`
	// Endpoint overrides the site's base URL (default https://{domain});
	// tests point it at a local server.
	Endpoint string `yaml:"endpoint"`
}

// NewParams returns the defaults.
func NewParams() *Params { return &Params{Domain: DefaultDomain, Languages: "all"} }

var (
	businessPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._-]*$`)
	hostPattern     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
	languagesPat    = regexp.MustCompile(`^(all|[a-z]{2}(-[A-Z]{2})?)$`)
)

// Validate checks the parameters; errors name the field.
func (p *Params) Validate() error {
	var errs []error
	switch b := strings.TrimSpace(p.Business); {
	case b == "":
		errs = append(errs, config.Invalid("business", "is required: the name after /review/ in the business's Trustpilot URL (vigie.fr)"))
	case strings.Contains(b, "/") || strings.Contains(b, ":"):
		errs = append(errs, config.Invalid("business", "%q: write only the part after /review/ in the URL (for https://fr.trustpilot.com/review/vigie.fr, write vigie.fr; the site goes in domain)", p.Business))
	case !businessPattern.MatchString(b):
		errs = append(errs, config.Invalid("business", "%q is not a Trustpilot business name (a domain name such as vigie.fr)", p.Business))
	}
	if !hostPattern.MatchString(p.Domain) {
		errs = append(errs, config.Invalid("domain", "%q is not a host name (www.trustpilot.com, fr.trustpilot.com…)", p.Domain))
	}
	if !languagesPat.MatchString(p.Languages) {
		errs = append(errs, config.Invalid("languages", "must be all or a language code (fr, ru, en), not %q", p.Languages))
	}
	if p.Endpoint != "" {
		if err := config.CheckURL("endpoint", p.Endpoint); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// base is the site's base URL, without a trailing slash.
func (p *Params) base() string {
	if p.Endpoint != "" {
		return strings.TrimRight(p.Endpoint, "/")
	}
	return "https://" + p.Domain
}

// pageURL is the URL of page n (1-based) of the listing.
func (p *Params) pageURL(n int) string {
	u := p.base() + "/review/" + url.PathEscape(strings.TrimSpace(p.Business)) + "?"
	if n > 1 {
		u += "page=" + strconv.Itoa(n) + "&"
	}
	return u + "languages=" + url.QueryEscape(p.Languages)
}

// Connector collects a trustpilot source.
type Connector struct {
	env    connectors.Env
	params *Params
	log    *slog.Logger
}

// New builds the connector for one run of env.Source, whose Params must be
// a valid *Params.
func New(env connectors.Env) (connectors.Connector, error) {
	p, log, err := connutil.Prepare[Params](Kind, env, true)
	if err != nil {
		return nil, err
	}
	return &Connector{env: env, params: p, log: log}, nil
}

// Collect reads the listing page by page, newest first, through the shared
// client with robots.txt obeyed per the source's setting. Each page goes
// to the sink as soon as it is read. The page count comes from the first
// page's pagination (or, from JSON-LD alone, from its next link). A page
// that fails is reported with Err and the run goes on with the next one
// when the page count is known. The last page is Final when every page of
// the listing was read, with every item. It stops at the page cap and,
// on an incremental run, after a page the sink already knows. It returns
// an error only when the sink fails or ctx ends.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	totalPages := 0 // unknown until a page says
	complete := true
	pages := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink}
	return pages.Walk(ctx, connutil.MaxPages(c.env), func(ctx context.Context, n int) (connectors.Page, int, error) {
		u := c.params.pageURL(n)
		pd, err := c.fetchPage(ctx, u)
		if err != nil {
			complete = false
			if totalPages == 0 || n >= totalPages {
				return connectors.Page{URL: u}, 0, err
			}
			return connectors.Page{URL: u}, n + 1, err
		}
		if pd.totalPages > 0 {
			totalPages = pd.totalPages
		}
		if pd.dropped > 0 {
			complete = false
		}
		last := false
		switch {
		case totalPages > 0:
			last = n >= totalPages
		default: // JSON-LD only: a page without reviews or without a next link ends the listing
			last = len(pd.Reviews) == 0 || len(pd.Next) == 0
		}
		page := connectors.Page{URL: u, Reviews: pd.Reviews, Aggregate: pd.Aggregate, Warnings: pd.Warnings, Shown: pd.shown, Final: last && complete}
		if last {
			return page, 0, nil
		}
		return page, n + 1, nil
	})
}

// fetchPage gets and reads one page.
func (c *Connector) fetchPage(ctx context.Context, u string) (*pageData, error) {
	header := http.Header{}
	header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: u, Header: header, Robots: c.env.Robots()})
	if err != nil {
		return nil, fmt.Errorf("trustpilot: source %q: %w%s", c.env.Source.ID, err, hint(resp))
	}
	pd, err := parsePage(connectors.Document{URL: resp.URL, ContentType: resp.Header.Get("Content-Type"), Body: resp.Body})
	if err != nil {
		return nil, fmt.Errorf("trustpilot: source %q: GET %s: %w", c.env.Source.ID, u, err)
	}
	return pd, nil
}

// hint says what to do about a failed page.
func hint(resp *fetch.Response) string {
	if resp == nil {
		return ""
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		return " (check business: it must be the name after /review/ in the business's Trustpilot URL)"
	case http.StatusForbidden:
		return " (Trustpilot refuses the crawler, probably its bot protection: try again later, at a slower pace)"
	}
	return ""
}
