// Package googleplaces collects the reviews Google Maps shows for a place,
// through the Places API: Place Details (New), GET places/{place_id} with
// an X-Goog-FieldMask, or the Legacy Place Details endpoint
// (api: legacy).
//
// Both APIs return AT MOST 5 REVIEWS per call, chosen by Google (by
// relevance in the New API; the newest with reviews_sort=newest in the
// Legacy one), with no pagination: a source of this kind samples a place's
// recent reviews, it never lists them all. Schedule it often; it never
// marks a listing complete (Page.Final), so reviews it no longer sees are
// not taken for deleted. For every review of a location you manage, use
// the gbp kind.
//
// The place's rating and userRatingCount (user_ratings_total) are given
// as the page's aggregate and Shown. Each review keeps its original text:
// the New API's originalText wins over text (its translation), and Legacy
// requests ask for reviews_no_translations=true.
package googleplaces

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// Kind is the source kind's name in the configuration.
const Kind = "googleplaces"

// The APIs.
const (
	APINew    = "new"
	APILegacy = "legacy"
)

// The real endpoints, used unless the parameters override them.
const (
	DefaultEndpointNew    = "https://places.googleapis.com/v1"
	DefaultEndpointLegacy = "https://maps.googleapis.com/maps/api/place/details/json"
)

// fieldMask is what the New API is asked for (billed by field).
const fieldMask = "id,displayName,rating,userRatingCount,reviews,googleMapsUri"

// legacyFields is the Legacy API's fields parameter.
const legacyFields = "place_id,name,url,rating,user_ratings_total,reviews"

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "Google Places API (New or Legacy) place details: the place's rating and up to 5 of its reviews per call",
		NewParams: func() any { return NewParams() },
		New:       New,
		Extract:   connutil.Extract(Extract),
		Detect:    Detect,
	})
}

// Params are a googleplaces source's parameters. Write the API key as
// "${GOOGLE_MAPS_API_KEY}": the configuration loader substitutes the
// environment variable, and the key stays out of the file.
type Params struct {
	// PlaceID is the place's id ("ChIJN1t_tDeuEmsRUsoyG83frY4"; the
	// resource name "places/ChIJ…" is accepted too). Place ids can
	// change: a NOT_FOUND error means it must be looked up again.
	PlaceID string `yaml:"place_id"`
	// APIKey is a Google Maps Platform API key allowed to call the Places
	// API (New) or, for api: legacy, the Places API. Use ${ENV} expansion.
	APIKey string `yaml:"api_key"`
	// API is "new" (Places API (New), the default) or "legacy" (Legacy
	// Place Details).
	API string `yaml:"api"`
	// Language is the preferred language of the answer (fr, ru, en…):
	// languageCode for the New API, language for Legacy. Optional. In
	// Legacy it also biases which reviews are picked with most_relevant.
	Language string `yaml:"language"`
	// ReviewsSort is Legacy's reviews_sort: "newest" (the default) or
	// "most_relevant". The New API has no such choice: it is an error to
	// set it with api: new.
	ReviewsSort string `yaml:"reviews_sort"`
	// Endpoint overrides the API's URL: by default
	// https://places.googleapis.com/v1 (new) or
	// https://maps.googleapis.com/maps/api/place/details/json (legacy).
	// Tests point it at a local server.
	Endpoint string `yaml:"endpoint"`
}

// NewParams returns the defaults.
func NewParams() *Params { return &Params{API: APINew} }

var (
	placeIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{10,}$`)
	languagePat    = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

func (p *Params) placeID() string {
	return strings.TrimPrefix(strings.TrimSpace(p.PlaceID), "places/")
}

func (p *Params) endpoint() string {
	switch {
	case p.Endpoint != "":
		return p.Endpoint
	case p.API == APILegacy:
		return DefaultEndpointLegacy
	}
	return DefaultEndpointNew
}

func (p *Params) reviewsSort() string {
	if p.ReviewsSort == "" {
		return "newest"
	}
	return p.ReviewsSort
}

// Validate checks the parameters; errors name the field and never quote
// the key.
func (p *Params) Validate() error {
	var errs []error
	switch id := p.placeID(); {
	case id == "":
		errs = append(errs, config.Invalid("place_id", "is required: the Google place id (ChIJ…), found with the Place ID finder or a Text Search"))
	case !placeIDPattern.MatchString(id):
		errs = append(errs, config.Invalid("place_id", "%q is not a place id (letters, digits, '_' and '-', like ChIJN1t_tDeuEmsRUsoyG83frY4)", p.PlaceID))
	}
	if err := connutil.CheckSecret("api_key", p.APIKey, "a Google Maps Platform API key",
		" \t\r\n&?#/", "holds characters an API key never has (spaces, &, ?, #, /)"); err != nil {
		errs = append(errs, err)
	}
	switch p.API {
	case APINew:
		if p.ReviewsSort != "" {
			errs = append(errs, config.Invalid("reviews_sort", "applies only to api: legacy; the New API always sorts by relevance"))
		}
	case APILegacy:
		if s := p.ReviewsSort; s != "" && s != "newest" && s != "most_relevant" {
			errs = append(errs, config.Invalid("reviews_sort", "must be newest or most_relevant, not %q", s))
		}
	default:
		errs = append(errs, config.Invalid("api", "must be new or legacy, not %q", p.API))
	}
	if p.Language != "" && !languagePat.MatchString(p.Language) {
		errs = append(errs, config.Invalid("language", "%q is not a language code (fr, ru, en, pt-BR…)", p.Language))
	}
	if p.Endpoint != "" {
		if err := config.CheckURL("endpoint", p.Endpoint); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Connector collects a googleplaces source.
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

// request builds the call: its URL (which, for Legacy, holds the key) and
// headers.
func (c *Connector) request() *fetch.Request {
	p := c.params
	header := http.Header{}
	header.Set("Accept", "application/json")
	if p.API == APILegacy {
		q := url.Values{}
		q.Set("place_id", p.placeID())
		q.Set("fields", legacyFields)
		q.Set("reviews_sort", p.reviewsSort())
		q.Set("reviews_no_translations", "true")
		if p.Language != "" {
			q.Set("language", p.Language)
		}
		q.Set("key", p.APIKey)
		return &fetch.Request{URL: p.endpoint() + "?" + q.Encode(), Header: header}
	}
	u := strings.TrimRight(p.endpoint(), "/") + "/places/" + url.PathEscape(p.placeID())
	if p.Language != "" {
		u += "?" + url.Values{"languageCode": {p.Language}}.Encode()
	}
	header.Set("X-Goog-Api-Key", p.APIKey)
	header.Set("X-Goog-FieldMask", fieldMask)
	return &fetch.Request{URL: u, Header: header}
}

// Collect makes the one call, and gives its reviews (at most 5), the
// place's rating and its rating count to the sink as one page, never
// Final. A failed call is reported as the page's Err. It returns an error
// only when the sink fails or ctx ends.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	pages := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink, Failed: "call failed"}
	// One call: a listing of one page, never Final.
	return pages.Walk(ctx, 1, func(ctx context.Context, _ int) (connectors.Page, int, error) {
		req := c.request()
		shown := c.redact(req.URL)
		resp, err := c.env.Client.Do(ctx, req)
		if err != nil {
			return connectors.Page{URL: shown}, 0, c.fail(describe(err, resp))
		}
		ext, err := parse(resp.Body, c.params.API == APILegacy)
		if err != nil {
			return connectors.Page{URL: shown}, 0, c.fail(fmt.Errorf("GET %s: %w", shown, err))
		}
		return connectors.Page{URL: shown, Reviews: ext.Reviews, Aggregate: ext.Aggregate, Warnings: ext.Warnings, Shown: ext.shown}, 0, nil
	})
}

// fail wraps err with the kind and the source, with the API key masked.
func (c *Connector) fail(err error) error {
	return &redacted{err: fmt.Errorf("googleplaces: source %q: %w", c.env.Source.ID, err), secret: c.params.APIKey}
}

// redact masks the API key in a URL or message.
func (c *Connector) redact(s string) string { return redactKey(s, c.params.APIKey) }

func redactKey(s, key string) string {
	if key == "" {
		return s
	}
	s = strings.ReplaceAll(s, key, "REDACTED")
	if esc := url.QueryEscape(key); esc != key {
		s = strings.ReplaceAll(s, esc, "REDACTED")
	}
	return s
}

// redacted is an error whose message never shows the API key, which the
// Legacy API takes in the URL that fetch errors quote.
type redacted struct {
	err    error
	secret string
}

func (e *redacted) Error() string { return redactKey(e.err.Error(), e.secret) }
func (e *redacted) Unwrap() error { return e.err }
