// Package appstore collects an iOS app's customer reviews in one App Store
// storefront from Apple's customer-reviews feed, in its JSON form:
// https://itunes.apple.com/{country}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json.
// Apple does not document the feed; its shapes come from captured
// responses.
//
// The feed lists written reviews, most recent first, about 50 a page and
// at most 10 pages (about 500 reviews) per storefront: older reviews of a
// popular app cannot be reached, and such a listing is never marked
// complete. Pagination follows the feed's link rel=next and rel=last,
// whose hrefs point to the XML form: only their page number is used.
//
// Every value is a string in {"label": …}. entry is an array, or an
// object when there is one entry; older feeds put the app itself first
// (an entry without im:rating), which is skipped. When the JSON entries
// carry no date (some captures lack entry.updated), the dates are read
// from the same page's XML form. Reviews are per storefront: configure one
// source per country that matters. There are no developer replies in this
// feed, and no language field (a storefront is not a language).
package appstore

import (
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// Kind is the source kind's name in the configuration.
const Kind = "appstore"

// DefaultEndpoint is the real feed host.
const DefaultEndpoint = "https://itunes.apple.com"

// maxFeedPages is Apple's cap on the feed's depth.
const maxFeedPages = 10

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "App Store customer reviews of an iOS app in one storefront (Apple's JSON feed, up to 500 reviews)",
		NewParams: func() any { return NewParams() },
		New:       New,
		Extract:   connutil.Extract(Extract),
		Detect:    Detect,
	})
}

// Params are an appstore source's parameters.
type Params struct {
	// AppID is the app's numeric App Store id: 1404176564, or id1404176564
	// as in its apps.apple.com URL.
	AppID string `yaml:"app_id"`
	// Country is the two-letter storefront code whose reviews are read:
	// fr, ru, gb, us, ca, be, ch… Each storefront has its own reviews.
	// Required.
	Country string `yaml:"country"`
	// Endpoint is the feed's base URL (default https://itunes.apple.com);
	// tests point it at a local server.
	Endpoint string `yaml:"endpoint"`
}

// NewParams returns the defaults.
func NewParams() *Params { return &Params{Endpoint: DefaultEndpoint} }

var (
	appIDPattern   = regexp.MustCompile(`^(id)?[0-9]{5,12}$`)
	countryPattern = regexp.MustCompile(`^[a-z]{2}$`)
)

func (p *Params) appID() string { return strings.TrimPrefix(strings.TrimSpace(p.AppID), "id") }

func (p *Params) country() string { return strings.ToLower(strings.TrimSpace(p.Country)) }

// Validate checks the parameters; errors name the field.
func (p *Params) Validate() error {
	var errs []error
	switch a := strings.TrimSpace(p.AppID); {
	case a == "":
		errs = append(errs, config.Invalid("app_id", "is required: the app's numeric id, from its apps.apple.com URL (…/id1404176564)"))
	case !appIDPattern.MatchString(a):
		errs = append(errs, config.Invalid("app_id", "%q is not an App Store app id (digits, as in …/id1404176564)", p.AppID))
	}
	switch c := p.country(); {
	case c == "":
		errs = append(errs, config.Invalid("country", "is required: the two-letter storefront code (fr, ru, gb, us…)"))
	case !countryPattern.MatchString(c):
		errs = append(errs, config.Invalid("country", "%q is not a two-letter storefront code (fr, ru, gb, us…)", p.Country))
	}
	if err := config.CheckURL("endpoint", p.Endpoint); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// pageURL is the feed URL of page n in form ("json" or "xml").
func (p *Params) pageURL(n int, form string) string {
	return strings.TrimRight(p.Endpoint, "/") + "/" + p.country() + "/rss/customerreviews/page=" + strconv.Itoa(n) +
		"/id=" + p.appID() + "/sortby=mostrecent/" + form
}

// Connector collects an appstore source.
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
