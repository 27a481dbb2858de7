// Package yelp collects a business's reviews from the Yelp Fusion API
// (Yelp Places API), GET /v3/businesses/{id}/reviews, with a private API
// key sent as "Authorization: Bearer".
//
// Yelp returns review EXCERPTS, not full texts (the text is cut, often
// ending with "..."; url leads to the whole review), and on the standard
// plans only 3 of a business's reviews, whatever limit and offset ask: a
// yelp source samples the newest reviews (sort_by newest) and its coverage
// is low, which the page's Shown (Yelp's total) makes visible. Paid plans
// return more; the connector pages with limit and offset until Yelp's
// total is reached, or until a page comes back short.
//
// time_created is a local time without an offset ("2026-04-18 19:32:11").
// Yelp's schema calls it Pacific time; it is read in the timezone
// parameter's zone, America/Los_Angeles unless set.
//
// Fusion reviews carry no owner reply. Yelp announces its limits in
// RateLimit-* headers; a 429 is retried by the shared client after
// Retry-After when Yelp sends one, and the error names RateLimit-ResetTime
// (when the daily quota comes back) when it does not.
package yelp

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
	"time"
	_ "time/tzdata" // time zones for the timezone parameter, on hosts without a zoneinfo database

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// Kind is the source kind's name in the configuration.
const Kind = "yelp"

// DefaultEndpoint is the real API base URL.
const DefaultEndpoint = "https://api.yelp.com/v3"

// DefaultTimezone is the zone time_created is read in by default: Yelp's
// schema documents it as Pacific time.
const DefaultTimezone = "America/Los_Angeles"

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "Yelp Fusion API: review excerpts of a business (API key)",
		NewParams: func() any { return NewParams() },
		New:       New,
		Extract: connutil.ExtractWith(func(p *Params, doc connectors.Document) (connectors.Extraction, error) {
			if p == nil {
				p = NewParams()
			}
			loc, err := time.LoadLocation(p.Timezone)
			if err != nil {
				return connectors.Extraction{}, fmt.Errorf("yelp: timezone %q: %w", p.Timezone, err)
			}
			ext, err := parse(doc.Body, loc, langOf(p.Locale))
			if err != nil {
				return connectors.Extraction{}, fmt.Errorf("yelp: %w", err)
			}
			return ext.Extraction, nil
		}),
		Detect: Detect,
	})
}

// Params are a yelp source's parameters. Write the API key as
// "${YELP_API_KEY}": the configuration loader substitutes the environment
// variable.
type Params struct {
	// BusinessID is the business's Yelp id (22 characters) or alias
	// ("cafe-vigie-paris-2", the end of its yelp.com/biz/ URL).
	BusinessID string `yaml:"business_id"`
	// APIKey is the private API key of a Yelp Fusion app. Use ${ENV}
	// expansion.
	APIKey string `yaml:"api_key"`
	// Locale asks for the reviews of one language, as language_COUNTRY:
	// fr_FR, ru_RU, en_US, en_GB… Optional (Yelp's default is en_US). Its
	// language is given to the reviews as a hint.
	Locale string `yaml:"locale"`
	// SortBy is "newest" (the default, best for incremental runs) or
	// "yelp_sort" (Yelp's own order).
	SortBy string `yaml:"sort_by"`
	// Limit is the number of reviews asked per request, 1 to 50 (default
	// 20). The standard plans return at most 3 whatever it says.
	Limit int `yaml:"limit"`
	// Timezone is the IANA zone time_created is read in (default
	// America/Los_Angeles, as Yelp's schema documents Pacific time). Set
	// the business's zone (Europe/Paris) if your account's data shows
	// local times instead.
	Timezone string `yaml:"timezone"`
	// Endpoint is the API base URL (default https://api.yelp.com/v3);
	// tests point it at a local server.
	Endpoint string `yaml:"endpoint"`
}

// NewParams returns the defaults.
func NewParams() *Params {
	return &Params{SortBy: "newest", Limit: 20, Timezone: DefaultTimezone, Endpoint: DefaultEndpoint}
}

var (
	businessPattern = regexp.MustCompile(`^[\p{L}\p{N}_-]+$`)
	localePattern   = regexp.MustCompile(`^[a-z]{2}_[A-Z]{2}$`)
)

// Validate checks the parameters; errors name the field and never quote
// the key.
func (p *Params) Validate() error {
	var errs []error
	switch b := strings.TrimSpace(p.BusinessID); {
	case b == "":
		errs = append(errs, config.Invalid("business_id", "is required: the business's Yelp id or alias (the end of its yelp.com/biz/ URL)"))
	case !businessPattern.MatchString(b):
		errs = append(errs, config.Invalid("business_id", "%q is not a Yelp business id or alias (letters, digits, '-' and '_')", p.BusinessID))
	}
	if err := connutil.CheckSecret("api_key", p.APIKey, "the Yelp Fusion API key", " \t\r\n", "holds white space: copy the key alone"); err != nil {
		errs = append(errs, err)
	}
	if p.Locale != "" && !localePattern.MatchString(p.Locale) {
		errs = append(errs, config.Invalid("locale", "%q is not a Yelp locale: write language_COUNTRY, like fr_FR, ru_RU or en_US", p.Locale))
	}
	if p.SortBy != "newest" && p.SortBy != "yelp_sort" {
		errs = append(errs, config.Invalid("sort_by", "must be newest or yelp_sort, not %q", p.SortBy))
	}
	if p.Limit < 1 || p.Limit > 50 {
		errs = append(errs, config.Invalid("limit", "must be between 1 and 50, not %d", p.Limit))
	}
	if _, err := time.LoadLocation(p.Timezone); err != nil || p.Timezone == "" {
		errs = append(errs, config.Invalid("timezone", "%q is not an IANA time zone (America/Los_Angeles, Europe/Paris…)", p.Timezone))
	}
	if err := config.CheckURL("endpoint", p.Endpoint); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// langOf is the language part of a locale.
func langOf(locale string) string {
	l, _, _ := strings.Cut(locale, "_")
	return l
}

// Connector collects a yelp source.
type Connector struct {
	env    connectors.Env
	params *Params
	loc    *time.Location
	log    *slog.Logger
}

// New builds the connector for one run of env.Source, whose Params must be
// a valid *Params.
func New(env connectors.Env) (connectors.Connector, error) {
	p, log, err := connutil.Prepare[Params](Kind, env, true)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return nil, fmt.Errorf("yelp: source %q: timezone: %w", env.Source.ID, err)
	}
	return &Connector{env: env, params: p, loc: loc, log: log}, nil
}

func (c *Connector) pageURL(offset int) string {
	p := c.params
	q := url.Values{}
	q.Set("limit", strconv.Itoa(p.Limit))
	q.Set("offset", strconv.Itoa(offset))
	q.Set("sort_by", p.SortBy)
	if p.Locale != "" {
		q.Set("locale", p.Locale)
	}
	return strings.TrimRight(p.Endpoint, "/") + "/businesses/" + url.PathEscape(strings.TrimSpace(p.BusinessID)) + "/reviews?" + q.Encode()
}

// Collect pages through the reviews with limit and offset, newest first
// by default. Each response goes to the sink as a page, with Yelp's total
// as Shown. It stops when Yelp's total is reached (that page is Final,
// unless an item could not be read), when a page comes back empty or
// shorter than asked (the plan's limit: not Final), at the page cap, when
// an incremental run reaches a page the sink already knows, or at the
// first failed request (reported as the page's Err). It returns an error
// only when the sink fails or ctx ends.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	lang := langOf(c.params.Locale)
	offset := 0
	dropped := false
	short := func() {} // logs, after the sink took it, a page that came back short
	pages := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink, Failed: "request failed"}
	err := pages.Walk(ctx, connutil.MaxPages(c.env), func(ctx context.Context, n int) (connectors.Page, int, error) {
		u := c.pageURL(offset)
		ext, err := c.fetch(ctx, u, lang)
		if err != nil {
			return connectors.Page{URL: u}, 0, err
		}
		dropped = dropped || ext.dropped > 0
		got := ext.items
		complete := ext.total > 0 && offset+got >= ext.total
		page := connectors.Page{URL: u, Reviews: ext.Reviews, Warnings: ext.Warnings, Shown: ext.total, Final: (complete || (got == 0 && offset >= ext.total)) && !dropped}
		switch {
		case complete || got == 0:
			return page, 0, nil
		case got < c.params.Limit:
			short = func() {
				c.log.Debug("yelp: short page: the API plan returns no more", "source", c.env.Source.ID, "got", offset+got, "total", ext.total)
			}
			return page, 0, nil
		}
		offset += got
		return page, n + 1, nil
	})
	if err == nil {
		short()
	}
	return err
}

func (c *Connector) fetch(ctx context.Context, u, lang string) (extraction, error) {
	header := http.Header{}
	header.Set("Authorization", "Bearer "+c.params.APIKey)
	header.Set("Accept", "application/json")
	resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: u, Header: header})
	if err != nil {
		return extraction{}, fmt.Errorf("yelp: source %q: %w", c.env.Source.ID, describe(err, resp))
	}
	ext, err := parse(resp.Body, c.loc, lang)
	if err != nil {
		return extraction{}, fmt.Errorf("yelp: source %q: GET %s: %w", c.env.Source.ID, u, err)
	}
	return ext, nil
}
