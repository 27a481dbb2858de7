// Package mastodon collects public Mastodon posts about a brand from one
// instance: the posts of a hashtag (GET /api/v1/timelines/tag/{hashtag})
// or of an account (GET /api/v1/accounts/lookup?acct=…, then
// GET /api/v1/accounts/{id}/statuses).
//
// Posts are comments (Kind comment, no rating): the text is the post's
// HTML content made plain, the content warning (spoiler_text) is the
// title, the author's language choice is the language hint. A boost is
// read as the post it boosts, once per run. Each instance only knows the
// remote posts its users follow, so one instance's hashtag timeline is a
// partial view of the network.
//
// Timelines are paged 40 posts at a time, newest first, by following the
// Link header's rel="next" (max_id). Instances limit clients to 300
// requests per 5 minutes; the error of a 429 names the X-RateLimit-Reset
// time. Hashtag timelines need an access token on instances that disabled
// public preview; access_token is optional otherwise.
package mastodon

import (
	"errors"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// Kind is the source kind's name in the configuration.
const Kind = "mastodon"

// pageLimit is the API's largest page.
const pageLimit = 40

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "Mastodon: public posts of a hashtag or an account on one instance",
		NewParams: func() any { return &Params{} },
		New:       New,
		Extract:   connutil.Extract(Extract),
		Detect:    Detect,
	})
}

// Params are a mastodon source's parameters. Give either hashtag or
// account.
type Params struct {
	// Instance is the Mastodon server to ask: "mastodon.social", or a base
	// URL ("https://piaille.fr"; tests give a local server's URL).
	Instance string `yaml:"instance"`
	// Hashtag is the hashtag whose public posts are read, with or without
	// its "#": "CafeVigie".
	Hashtag string `yaml:"hashtag"`
	// Account is the account whose public posts are read: "vigie" for a
	// local account of the instance, "vigie@piaille.fr" for a remote one
	// (a leading "@" is accepted).
	Account string `yaml:"account"`
	// AccessToken is an optional OAuth access token of an application on
	// the instance (scope read:statuses), for instances that refuse
	// anonymous reads of hashtag timelines. Write ${ENV_VAR} to take it
	// from the environment.
	AccessToken string `yaml:"access_token"`
}

var (
	hashtagPattern = regexp.MustCompile(`^[\p{L}\p{N}_\p{Mn}]+$`)
	accountPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*(@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?)?$`)
	hostPattern    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
)

func (p *Params) hashtag() string { return strings.TrimPrefix(strings.TrimSpace(p.Hashtag), "#") }
func (p *Params) account() string { return strings.TrimPrefix(strings.TrimSpace(p.Account), "@") }

// base is the instance's base URL, without a trailing slash.
func (p *Params) base() string {
	in := strings.TrimRight(strings.TrimSpace(p.Instance), "/")
	if strings.Contains(in, "://") {
		return in
	}
	return "https://" + strings.ToLower(in)
}

// Validate checks the parameters; errors name the field and never quote
// the token.
func (p *Params) Validate() error {
	var errs []error
	switch in := strings.TrimSpace(p.Instance); {
	case in == "":
		errs = append(errs, config.Invalid("instance", "is required: the Mastodon server to ask (mastodon.social)"))
	case strings.Contains(in, "://"):
		if err := config.CheckURL("instance", in); err != nil {
			errs = append(errs, err)
		} else if u, _ := url.Parse(in); u.Path != "" && u.Path != "/" {
			errs = append(errs, config.Invalid("instance", "%q: give the server only (https://mastodon.social), not a page", in))
		}
	case !hostPattern.MatchString(strings.ToLower(strings.TrimRight(in, "/"))):
		errs = append(errs, config.Invalid("instance", "%q is not a host name (mastodon.social) or a base URL", in))
	}
	h, a := p.hashtag(), p.account()
	switch {
	case h == "" && a == "":
		errs = append(errs, config.Invalid("hashtag", "give a hashtag or an account"))
	case h != "" && a != "":
		errs = append(errs, config.Invalid("account", "give a hashtag or an account, not both (use two sources)"))
	case h != "" && !hashtagPattern.MatchString(h):
		errs = append(errs, config.Invalid("hashtag", "%q is not a hashtag (letters, digits and _)", p.Hashtag))
	case a != "" && !accountPattern.MatchString(a):
		errs = append(errs, config.Invalid("account", "%q is not an account: write user or user@domain", p.Account))
	}
	// access_token is optional.
	if err := connutil.CheckSecret("access_token", p.AccessToken, "", " \t\r\n", "holds white space: copy the token alone"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Connector collects a mastodon source.
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
