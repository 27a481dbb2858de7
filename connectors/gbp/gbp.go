// Package gbp collects the reviews of one location from the Google Business
// Profile API (v4, accounts.locations.reviews.list), which lists every
// review of a verified location with the owner's replies, to the account
// that manages it.
//
// Authentication is OAuth 2.0 with a refresh token: the connector trades
// the refresh token for an access token at the token endpoint (one POST,
// grant_type=refresh_token), keeps it in a process-wide cache until shortly
// before it expires (so that the many locations of one brand share it), and
// refreshes it once if the API answers 401.
//
// Reviews are listed 50 a page, most recently updated first
// (orderBy=updateTime desc), following nextPageToken. The star rating is
// a word (ONE to FIVE); STAR_RATING_UNSPECIFIED is unrated. A comment that
// Google machine-translated arrives as "(Translated by Google) …
// (Original) …": the original is kept and the review marked Translated.
package gbp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// Kind is the source kind's name in the configuration.
const Kind = "gbp"

// The real endpoints, used unless the parameters override them.
const (
	DefaultEndpoint = "https://mybusiness.googleapis.com/v4"
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
)

// pageSize is the API's maximum page size.
const pageSize = 50

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "Google Business Profile API: every review of a verified location, with owner replies (OAuth refresh token)",
		NewParams: func() any { return NewParams() },
		New:       New,
		Extract:   connutil.Extract(Extract),
		Detect:    Detect,
	})
}

// Params are a gbp source's parameters. Secrets (client_secret,
// refresh_token) should not be written in the configuration file: write
// "${GBP_REFRESH_TOKEN}" and the loader substitutes the environment
// variable.
type Params struct {
	// Account is the Business Profile account id that manages the
	// location: "123456789" or "accounts/123456789".
	Account string `yaml:"account"`
	// Location is the location id: "987654321" or "locations/987654321"
	// (the full "accounts/…/locations/…" name is accepted too). The
	// location must be verified.
	Location string `yaml:"location"`
	// ClientID is the OAuth 2.0 client id of the Google Cloud project that
	// was granted Business Profile API access.
	ClientID string `yaml:"client_id"`
	// ClientSecret is that OAuth client's secret. Use ${ENV} expansion.
	ClientSecret string `yaml:"client_secret"`
	// RefreshToken is an OAuth 2.0 refresh token of a Google user who
	// manages the location, granted the
	// https://www.googleapis.com/auth/business.manage scope. Use ${ENV}
	// expansion.
	RefreshToken string `yaml:"refresh_token"`
	// Endpoint is the API's base URL (default
	// https://mybusiness.googleapis.com/v4); tests point it at a local
	// server.
	Endpoint string `yaml:"endpoint"`
	// TokenURL is the OAuth 2.0 token endpoint (default
	// https://oauth2.googleapis.com/token).
	TokenURL string `yaml:"token_url"`
}

// NewParams returns the defaults.
func NewParams() *Params {
	return &Params{Endpoint: DefaultEndpoint, TokenURL: DefaultTokenURL}
}

var idPart = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// accountID returns the bare account id.
func (p *Params) accountID() string {
	return strings.TrimPrefix(strings.TrimSpace(p.Account), "accounts/")
}

// locationID returns the bare location id; a full location name gives its
// last part.
func (p *Params) locationID() string {
	l := strings.TrimSpace(p.Location)
	if i := strings.LastIndex(l, "locations/"); i >= 0 {
		l = l[i+len("locations/"):]
	}
	return l
}

// Validate checks that every parameter is present and well formed. It
// never quotes a secret.
func (p *Params) Validate() error {
	var errs []error
	if p.Account == "" {
		errs = append(errs, config.Invalid("account", "is required: the Business Profile account id (accounts/123…)"))
	} else if !idPart.MatchString(p.accountID()) {
		errs = append(errs, config.Invalid("account", "%q is not an account id: write 123456789 or accounts/123456789", p.Account))
	}
	if p.Location == "" {
		errs = append(errs, config.Invalid("location", "is required: the location id (locations/987…)"))
	} else if !idPart.MatchString(p.locationID()) {
		errs = append(errs, config.Invalid("location", "%q is not a location id: write 987654321 or locations/987654321", p.Location))
	} else if l := strings.TrimSpace(p.Location); strings.HasPrefix(l, "accounts/") && !strings.HasPrefix(l, "accounts/"+p.accountID()+"/") {
		errs = append(errs, config.Invalid("location", "%q belongs to another account than %q", p.Location, p.Account))
	}
	secret := func(field, value, what string) {
		if err := connutil.CheckSecret(field, value, what, "", ""); err != nil {
			errs = append(errs, err)
		}
	}
	secret("client_id", p.ClientID, "the OAuth client id of the Google Cloud project")
	secret("client_secret", p.ClientSecret, "the OAuth client secret")
	secret("refresh_token", p.RefreshToken, "a refresh token with the business.manage scope")
	if err := config.CheckURL("endpoint", p.Endpoint); err != nil {
		errs = append(errs, err)
	}
	if err := config.CheckURL("token_url", p.TokenURL); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Connector collects a gbp source.
type Connector struct {
	env    connectors.Env
	params *Params
	log    *slog.Logger
	now    func() time.Time
	token  *tokenSource
}

// New builds the connector for one run of env.Source, whose Params must be
// a valid *Params.
func New(env connectors.Env) (connectors.Connector, error) {
	p, log, err := connutil.Prepare[Params](Kind, env, true)
	if err != nil {
		return nil, err
	}
	now := env.Now
	if now == nil {
		now = time.Now
	}
	c := &Connector{env: env, params: p, log: log, now: now}
	c.token = &tokenSource{client: env.Client, params: p, now: now}
	return c, nil
}

// listURL is the reviews.list URL of a page.
func (c *Connector) listURL(pageToken string) string {
	q := url.Values{}
	q.Set("pageSize", fmt.Sprint(pageSize))
	q.Set("orderBy", "updateTime desc")
	if pageToken != "" {
		q.Set("pageToken", pageToken)
	}
	return strings.TrimRight(c.params.Endpoint, "/") + "/accounts/" + url.PathEscape(c.params.accountID()) +
		"/locations/" + url.PathEscape(c.params.locationID()) + "/reviews?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// Collect lists the location's reviews page by page, most recently updated
// first. Each page goes to the sink as soon as it is read, with the
// location's average rating and review count. It stops when Google sends
// no nextPageToken (that page is Final, unless an item could not be read),
// at the page cap, when an incremental run reaches a page the sink already
// knows, or at the first page that fails (reported with Err: the next page
// token is unknown then). It returns an error only when the sink fails or
// ctx ends.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	pageToken := ""
	seenTokens := map[string]bool{}
	dropped := false // an item of the listing could not be read
	pages := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink}
	return pages.Walk(ctx, connutil.MaxPages(c.env), func(ctx context.Context, n int) (connectors.Page, int, error) {
		u := c.listURL(pageToken)
		list, err := c.fetchPage(ctx, u)
		if err != nil {
			return connectors.Page{URL: u}, 0, err
		}
		ext := list.extraction()
		dropped = dropped || ext.dropped > 0
		page := connectors.Page{URL: u, Reviews: ext.Reviews, Aggregate: ext.Aggregate, Warnings: ext.Warnings, Shown: list.TotalReviewCount}
		next := list.NextPageToken
		if next != "" && seenTokens[next] {
			page.Err = fmt.Errorf("gbp: source %q: GET %s: Google sent the same nextPageToken twice; stopping", c.env.Source.ID, u)
			next = ""
		} else if next == "" {
			page.Final = !dropped
		}
		if next == "" {
			return page, 0, nil
		}
		seenTokens[next] = true
		pageToken = next
		return page, n + 1, nil
	})
}

// fetchPage gets one page with a valid access token, refreshing it once if
// the API says 401, and decodes it.
func (c *Connector) fetchPage(ctx context.Context, u string) (*listResponse, error) {
	resp, err := c.authorizedGet(ctx, u)
	if err != nil {
		return nil, err
	}
	list, err := decodeList(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("gbp: source %q: GET %s: the response is not a reviews list: %w", c.env.Source.ID, u, err)
	}
	return list, nil
}

func (c *Connector) authorizedGet(ctx context.Context, u string) (*fetch.Response, error) {
	refreshed := false
	for {
		tok, err := c.token.get(ctx)
		if err != nil {
			return nil, fmt.Errorf("gbp: source %q: %w", c.env.Source.ID, err)
		}
		header := http.Header{}
		header.Set("Authorization", "Bearer "+tok)
		header.Set("Accept", "application/json")
		resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: u, Header: header})
		if err == nil {
			return resp, nil
		}
		if resp != nil && resp.StatusCode == http.StatusUnauthorized && !refreshed && ctx.Err() == nil {
			c.log.Debug("gbp: access token refused, refreshing it", "source", c.env.Source.ID)
			c.token.invalidate(tok)
			refreshed = true
			continue
		}
		return nil, fmt.Errorf("gbp: source %q: %w", c.env.Source.ID, describe(err, resp, refreshed))
	}
}
