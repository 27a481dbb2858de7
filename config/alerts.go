package config

import (
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Alerts configures alerting: the rules that watch the reviews and the
// sources, and the channels that carry notifications (see
// docs/alerting.md).
type Alerts struct {
	// Enabled: false keeps the rules in the file without evaluating them.
	Enabled *bool `yaml:"enabled"`
	// DashboardURL is the dashboard's public address, for links in
	// notifications; it defaults to server.base_url.
	DashboardURL string `yaml:"dashboard_url"`
	// EvaluateEvery is the timer on which statistical rules are evaluated
	// again (windows slide even when nothing new comes in), digests sent
	// and silent sources found. Every ingested batch is evaluated at once
	// as well.
	EvaluateEvery Duration `yaml:"evaluate_every"`
	// Retention is how long resolved alerts are kept.
	Retention Period `yaml:"retention"`
	// Timezone is the IANA zone of digest schedules (default: the
	// machine's).
	Timezone string `yaml:"timezone"`
	// Delivery tunes retries of failed deliveries.
	Delivery AlertDelivery `yaml:"delivery"`
	// Channels are where notifications go.
	Channels []AlertChannel `yaml:"channels"`
	// Rules say what is worth a notification.
	Rules []AlertRule `yaml:"rules"`
}

// IsEnabled reports whether alerting runs: it has rules and is not
// switched off.
func (a Alerts) IsEnabled() bool { return (a.Enabled == nil || *a.Enabled) && len(a.Rules) > 0 }

// Channel returns the channel called name.
func (a Alerts) Channel(name string) (AlertChannel, bool) {
	for _, c := range a.Channels {
		if c.Name == name {
			return c, true
		}
	}
	return AlertChannel{}, false
}

// Rule returns the rule called name.
func (a Alerts) Rule(name string) (AlertRule, bool) {
	for _, r := range a.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return AlertRule{}, false
}

// AlertDelivery tunes how notifications are delivered.
type AlertDelivery struct {
	// Retries after a failed delivery (network error, 5xx, 429).
	Retries int `yaml:"retries"`
	// Backoff is the first retry's wait; it doubles each time, with
	// jitter, up to MaxBackoff.
	Backoff    Duration `yaml:"backoff"`
	MaxBackoff Duration `yaml:"max_backoff"`
	// Timeout bounds one delivery attempt.
	Timeout Duration `yaml:"timeout"`
}

// Alert channel types.
const (
	ChannelWebhook  = "webhook"
	ChannelSlack    = "slack"
	ChannelEmail    = "email"
	ChannelTelegram = "telegram"
)

// AlertChannel is one destination of notifications: a webhook, a Slack
// incoming webhook, e-mail recipients or a Telegram chat.
type AlertChannel struct {
	// Name identifies the channel in rules.
	Name string `yaml:"name"`
	// Type is webhook, slack, email or telegram.
	Type string `yaml:"type"`
	// URL is the webhook's or Slack incoming webhook's address. A Slack
	// URL is a secret: write it as ${ENV}.
	URL Secret `yaml:"url"`
	// Secret signs webhook bodies (HMAC-SHA256, header
	// X-Vigie-Signature).
	Secret Secret `yaml:"secret"`
	// Headers are added to webhook requests.
	Headers map[string]string `yaml:"headers"`
	// SMTP, From and To configure e-mail.
	SMTP AlertSMTP `yaml:"smtp"`
	From string    `yaml:"from"`
	To   []string  `yaml:"to"`
	// BotToken and ChatID configure Telegram; APIURL replaces
	// https://api.telegram.org (a local Bot API server).
	BotToken Secret `yaml:"bot_token"`
	ChatID   string `yaml:"chat_id"`
	APIURL   string `yaml:"api_url"`
	// Digest sends a summary of the period's alerts: daily (08:00),
	// weekly (Monday 08:00) or a cron expression.
	Digest string `yaml:"digest"`
	// Immediate: false sends only digests, no notification per alert.
	Immediate *bool `yaml:"immediate"`
}

// IsImmediate reports whether each alert is sent as it happens.
func (c AlertChannel) IsImmediate() bool { return c.Immediate == nil || *c.Immediate }

// LogValue keeps secrets out of logs.
func (c AlertChannel) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", c.Name), slog.String("type", c.Type))
}

// AlertSMTP is the mail server of an e-mail channel.
type AlertSMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	// Security is starttls (the default: the connection must be upgraded
	// before anything is sent), tls (implicit TLS, port 465) or none
	// (only to a relay on this machine).
	Security string `yaml:"security"`
	// CAFile holds PEM certificates to trust beyond the system's (a
	// relay with a private certificate authority).
	CAFile string `yaml:"ca_file"`
}

// Secret is a configuration value that must never be printed: a token, a
// password, a URL with a key in it. Its String, JSON and log forms are
// "[redacted]".
type Secret string

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the secret.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue keeps the secret out of logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON keeps the secret out of JSON.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// MarshalYAML keeps the secret out of YAML.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// Alert rule kinds.
const (
	RuleNegativeSpike = "negative_spike"
	RuleRatingDrop    = "rating_drop"
	RuleThemeSurge    = "theme_surge"
	RuleKeyword       = "keyword"
	RuleReview        = "review"
	RuleSourceHealth  = "source_health"
)

// AlertRule says when to raise an alert and where to send it. The fields
// after Scope apply to some kinds only; setting one on another kind is an
// error.
type AlertRule struct {
	// Name identifies the rule (lower-case id).
	Name string `yaml:"name"`
	// Kind is negative_spike, rating_drop, theme_surge, keyword, review
	// or source_health.
	Kind string `yaml:"kind"`
	// Severity is info, warning or critical.
	Severity string `yaml:"severity"`
	// Channels name the channels notified; none: the alert is only shown
	// in the dashboard and the API.
	Channels []string `yaml:"channels"`
	// Scope limits the reviews and sources the rule watches.
	Scope AlertScope `yaml:"scope"`

	// Window is the recent period observed; Baseline the trailing period
	// before it that says what is usual (negative_spike, rating_drop,
	// theme_surge; source_health's silent_for uses Baseline too).
	Window   Period `yaml:"window"`
	Baseline Period `yaml:"baseline"`
	// Theme: one theme's negative mentions instead of negative reviews;
	// "*" watches each theme (of scope.themes, or all) separately
	// (negative_spike; theme_surge always works per theme).
	Theme string `yaml:"theme"`
	// MinCount is the least observed count that can fire.
	MinCount int `yaml:"min_count"`
	// Probability is the tail probability under the baseline below which
	// the rule fires; ResolveProbability the one above which an alert
	// resolves.
	Probability        float64 `yaml:"probability"`
	ResolveProbability float64 `yaml:"resolve_probability"`
	// Dispersion is the extra-Poisson variance of counts (variance = mean
	// + dispersion·mean²): days differ more than a Poisson process says.
	Dispersion *float64 `yaml:"dispersion"`
	// BrandPrior is how much history the brand-wide rate counts for, so
	// that locations with little history borrow strength from it.
	BrandPrior Period `yaml:"brand_prior"`
	// Cooldown: after an alert resolves, the same rule at the same place
	// reopens that alert for this long instead of raising a new one; for
	// keyword and review rules, matching reviews within it join one
	// alert.
	Cooldown Period `yaml:"cooldown"`
	// NotifyResolved sends a notification when an alert resolves.
	NotifyResolved *bool `yaml:"notify_resolved"`

	// Reviews is how many of the latest rated reviews rating_drop
	// averages, MinReviews the fewest it judges, MinDrop the least drop
	// (in stars of 5) that fires.
	Reviews    int     `yaml:"reviews"`
	MinReviews int     `yaml:"min_reviews"`
	MinDrop    float64 `yaml:"min_drop"`

	// MinIncrease is the least rise of a theme's share of negative
	// mentions that fires theme_surge (0.2 = 20 points).
	MinIncrease float64 `yaml:"min_increase"`

	// Phrases are critical phrases (keyword), in any of the three
	// languages, matched after normalisation and stemming; a trailing *
	// matches any ending. DefaultPhrases adds the built-in list; Exclude
	// removes phrases or categories of it.
	Phrases        []string `yaml:"phrases"`
	DefaultPhrases *bool    `yaml:"default_phrases"`
	Exclude        []string `yaml:"exclude"`
	// MaxAge: keyword and review rules ignore reviews published longer
	// ago (a first crawl brings years of history).
	MaxAge Period `yaml:"max_age"`

	// MinRating, MaxRating (stars of 5) and Sentiments filter the reviews
	// a review rule notifies.
	MinRating  *float64 `yaml:"min_rating"`
	MaxRating  *float64 `yaml:"max_rating"`
	Sentiments []string `yaml:"sentiments"`
	// Unrated: reviews without a rating pass a rating filter.
	Unrated bool `yaml:"unrated"`

	// FailingFor: a source failing for longer raises source_health.
	FailingFor Period `yaml:"failing_for"`
	// ZeroReviews: a run that finds no review where the last one found
	// some raises source_health.
	ZeroReviews *bool `yaml:"zero_reviews"`
	// SilentFor: a source with no new review for this long, where its
	// baseline makes that improbable, raises source_health (0: off).
	SilentFor Period `yaml:"silent_for"`
}

// IsNotifyResolved reports whether resolution is notified.
func (r AlertRule) IsNotifyResolved() bool { return r.NotifyResolved == nil || *r.NotifyResolved }

// UseDefaultPhrases reports whether a keyword rule uses the built-in list.
func (r AlertRule) UseDefaultPhrases() bool { return r.DefaultPhrases == nil || *r.DefaultPhrases }

// IsZeroReviews reports whether empty runs raise source_health.
func (r AlertRule) IsZeroReviews() bool { return r.ZeroReviews == nil || *r.ZeroReviews }

// DispersionValue returns the dispersion, defaulted.
func (r AlertRule) DispersionValue() float64 {
	if r.Dispersion == nil {
		return 0.1
	}
	return *r.Dispersion
}

// AlertScope limits a rule to some brands, locations, sources, themes or
// languages; an empty list does not limit.
type AlertScope struct {
	Brands    []string `yaml:"brands"`
	Locations []string `yaml:"locations"`
	Sources   []string `yaml:"sources"`
	Themes    []string `yaml:"themes"`
	Languages []string `yaml:"languages"`
}

// Period is a length of time written as a Go duration ("90m", "24h") or
// in days or weeks ("7d", "8w").
type Period time.Duration

// UnmarshalYAML reads a period.
func (p *Period) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParsePeriod(n.Value)
	if err != nil {
		return err
	}
	*p = Period(v)
	return nil
}

// D returns the period as a time.Duration.
func (p Period) D() time.Duration { return time.Duration(p) }

func (p Period) String() string {
	d := time.Duration(p)
	switch {
	case d >= 14*24*time.Hour && d%(7*24*time.Hour) == 0:
		return strconv.Itoa(int(d/(7*24*time.Hour))) + "w"
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	if d > 0 && d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return d.String()
}

// ParsePeriod reads "24h", "90m", "7d" or "8w".
func ParsePeriod(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if n := len(t); n >= 2 && (t[n-1] == 'd' || t[n-1] == 'w') {
		if v, err := strconv.Atoi(t[:n-1]); err == nil && v >= 0 && v <= 3660 {
			unit := 24 * time.Hour
			if t[n-1] == 'w' {
				unit *= 7
			}
			return time.Duration(v) * unit, nil
		}
	}
	v, err := time.ParseDuration(t)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("expected a period such as 90m, 24h, 7d or 8w, found %q", s)
	}
	return v, nil
}

// Defaults of alerting.
const (
	defaultEvaluateEvery = 5 * time.Minute
	defaultRetention     = 90 * 24 * time.Hour
	alertDay             = 24 * time.Hour
	alertWeek            = 7 * alertDay
)

// DigestSchedule returns the cron expression of a digest setting: daily
// and weekly are shorthands.
func DigestSchedule(s string) string {
	switch strings.TrimSpace(s) {
	case "daily":
		return "0 8 * * *"
	case "weekly":
		return "0 8 * * 1"
	}
	return s
}

// validateAlerts checks the alerts section and fills its defaults. It runs
// after the brands, so that source ids are known.
func (d *decoder) validateAlerts(c *Config) {
	bad := func(path, format string, args ...any) {
		d.errorf(d.line(path), path, format, args...)
	}
	given := func(path string) bool { _, ok := d.lines[path]; return ok }
	a := &c.Alerts
	if a.EvaluateEvery == 0 {
		a.EvaluateEvery = Duration(defaultEvaluateEvery)
	} else if a.EvaluateEvery.D() < time.Second {
		bad("alerts.evaluate_every", "must be at least 1s")
	}
	if a.Retention == 0 {
		a.Retention = Period(defaultRetention)
	}
	if a.DashboardURL == "" {
		a.DashboardURL = c.Server.BaseURL
	} else if err := CheckURL("alerts.dashboard_url", a.DashboardURL); err != nil {
		bad("alerts.dashboard_url", "%q is not an absolute http(s) URL", a.DashboardURL)
	}
	if a.Timezone != "" {
		if _, err := time.LoadLocation(a.Timezone); err != nil {
			bad("alerts.timezone", "unknown time zone %q (write an IANA name such as Europe/Paris)", a.Timezone)
		}
	}
	dl := &a.Delivery
	if !given("alerts.delivery.retries") {
		dl.Retries = 5
	} else if dl.Retries < 0 || dl.Retries > 100 {
		bad("alerts.delivery.retries", "must be between 0 and 100")
	}
	if dl.Backoff == 0 {
		dl.Backoff = Duration(30 * time.Second)
	}
	if dl.MaxBackoff == 0 {
		dl.MaxBackoff = Duration(time.Hour)
	}
	if dl.MaxBackoff < dl.Backoff {
		bad("alerts.delivery.max_backoff", "must not be shorter than backoff (%s)", dl.Backoff.D())
	}
	if dl.Timeout == 0 {
		dl.Timeout = Duration(15 * time.Second)
	}

	channels := map[string]string{}
	for i := range a.Channels {
		ch := &a.Channels[i]
		p := fmt.Sprintf("alerts.channels[%d]", i)
		switch {
		case ch.Name == "":
			bad(p+".name", "a channel needs a name")
		case !idPattern.MatchString(ch.Name):
			bad(p+".name", "channel name %q may hold only lower-case letters, digits, '.', '_' and '-'", ch.Name)
		case channels[ch.Name] != "":
			bad(p+".name", "channel %q is already defined at line %d", ch.Name, d.line(channels[ch.Name]))
		default:
			channels[ch.Name] = p + ".name"
		}
		d.validateChannel(c, ch, p, given)
	}

	rules := map[string]string{}
	for i := range a.Rules {
		r := &a.Rules[i]
		p := fmt.Sprintf("alerts.rules[%d]", i)
		switch {
		case r.Name == "":
			bad(p+".name", "a rule needs a name")
		case !idPattern.MatchString(r.Name):
			bad(p+".name", "rule name %q may hold only lower-case letters, digits, '.', '_' and '-'", r.Name)
		case rules[r.Name] != "":
			bad(p+".name", "rule %q is already defined at line %d", r.Name, d.line(rules[r.Name]))
		default:
			rules[r.Name] = p + ".name"
		}
		for j, name := range r.Channels {
			if channels[name] == "" {
				known := make([]string, 0, len(channels))
				for _, ch := range a.Channels {
					known = append(known, ch.Name)
				}
				bad(fmt.Sprintf("%s.channels[%d]", p, j), "no channel is called %q (channels: %s)", name, listOrNone(known))
			}
		}
		d.validateRule(c, r, p, given)
	}
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none defined in alerts.channels"
	}
	return strings.Join(names, ", ")
}

func (d *decoder) validateChannel(c *Config, ch *AlertChannel, p string, given func(string) bool) {
	bad := func(path, format string, args ...any) {
		d.errorf(d.line(path), path, format, args...)
	}
	// Keys of one type set on another are mistakes.
	only := map[string][]string{
		"url":       {ChannelWebhook, ChannelSlack},
		"secret":    {ChannelWebhook},
		"headers":   {ChannelWebhook},
		"smtp":      {ChannelEmail},
		"from":      {ChannelEmail},
		"to":        {ChannelEmail},
		"bot_token": {ChannelTelegram},
		"chat_id":   {ChannelTelegram},
		"api_url":   {ChannelTelegram},
	}
	switch ch.Type {
	case ChannelWebhook, ChannelSlack, ChannelEmail, ChannelTelegram:
	case "":
		bad(p+".type", "a channel needs a type: webhook, slack, email or telegram")
		return
	default:
		bad(p+".type", "unknown channel type %q (use webhook, slack, email or telegram)", ch.Type)
		return
	}
	for key, types := range only {
		if given(p+"."+key) && !contains(types, ch.Type) {
			bad(p+"."+key, "does not apply to a %s channel (it is for %s)", ch.Type, strings.Join(types, ", "))
		}
	}
	switch ch.Type {
	case ChannelWebhook, ChannelSlack:
		if err := CheckURL("url", ch.URL.Value()); err != nil {
			if ch.URL == "" {
				bad(p+".url", "is required")
			} else {
				// The URL may hold a key: do not repeat it.
				bad(p+".url", "is not an absolute http(s) URL")
			}
		}
		for k := range ch.Headers {
			if strings.ContainsAny(k, " :\r\n") || k == "" {
				bad(p+".headers."+k, "is not a valid header name")
			}
		}
	case ChannelEmail:
		s := &ch.SMTP
		if s.Host == "" {
			bad(p+".smtp.host", "is required")
		}
		switch s.Security {
		case "":
			s.Security = "starttls"
		case "starttls", "tls":
		case "none":
			if !isLoopback(s.Host) {
				bad(p+".smtp.security", "none sends mail and passwords in clear: it is only allowed to a relay on this machine (localhost); use starttls or tls")
			}
		default:
			bad(p+".smtp.security", "must be starttls, tls or none, not %q", s.Security)
		}
		if s.Port == 0 {
			switch s.Security {
			case "tls":
				s.Port = 465
			case "none":
				s.Port = 25
			default:
				s.Port = 587
			}
		} else if s.Port < 1 || s.Port > 65535 {
			bad(p+".smtp.port", "must be between 1 and 65535")
		}
		if s.Password != "" && s.Username == "" {
			bad(p+".smtp.username", "is required with a password")
		}
		if s.CAFile != "" {
			if !filepath.IsAbs(s.CAFile) {
				s.CAFile = filepath.Join(filepath.Dir(c.File), s.CAFile)
			}
			if _, err := os.Stat(s.CAFile); err != nil {
				bad(p+".smtp.ca_file", "%v", err)
			}
		}
		if ch.From == "" {
			bad(p+".from", "is required (the sender's address)")
		} else if _, err := mail.ParseAddress(ch.From); err != nil {
			bad(p+".from", "%q is not an e-mail address", ch.From)
		}
		if len(ch.To) == 0 {
			bad(p+".to", "at least one recipient is needed")
		}
		for i, to := range ch.To {
			if _, err := mail.ParseAddress(to); err != nil {
				bad(fmt.Sprintf("%s.to[%d]", p, i), "%q is not an e-mail address", to)
			}
		}
	case ChannelTelegram:
		if ch.BotToken == "" {
			bad(p+".bot_token", "is required (from @BotFather; write it as ${ENV})")
		} else if !strings.Contains(ch.BotToken.Value(), ":") {
			bad(p+".bot_token", "does not look like a bot token (digits, a colon, then letters)")
		}
		if strings.TrimSpace(ch.ChatID) == "" {
			bad(p+".chat_id", "is required (a chat id such as -1001234567890, or @channelname)")
		}
		if ch.APIURL == "" {
			ch.APIURL = "https://api.telegram.org"
		} else if err := CheckURL("api_url", ch.APIURL); err != nil {
			bad(p+".api_url", "%q is not an absolute http(s) URL", ch.APIURL)
		}
	}
	if ch.Digest != "" {
		if _, err := Cron.Parse(DigestSchedule(ch.Digest)); err != nil {
			bad(p+".digest", "%q is not a schedule: write daily, weekly or a cron expression such as \"0 8 * * 1\"", ch.Digest)
		}
	} else if !ch.IsImmediate() {
		bad(p+".immediate", "false needs a digest: the channel would receive nothing")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ruleKeys says which kinds each kind-specific key applies to.
var ruleKeys = map[string][]string{
	"window":              {RuleNegativeSpike, RuleRatingDrop, RuleThemeSurge},
	"baseline":            {RuleNegativeSpike, RuleRatingDrop, RuleThemeSurge, RuleSourceHealth},
	"theme":               {RuleNegativeSpike},
	"min_count":           {RuleNegativeSpike, RuleThemeSurge},
	"probability":         {RuleNegativeSpike, RuleRatingDrop, RuleThemeSurge, RuleSourceHealth},
	"resolve_probability": {RuleNegativeSpike, RuleRatingDrop, RuleThemeSurge},
	"dispersion":          {RuleNegativeSpike},
	"brand_prior":         {RuleNegativeSpike, RuleRatingDrop, RuleThemeSurge},
	"reviews":             {RuleRatingDrop},
	"min_reviews":         {RuleRatingDrop},
	"min_drop":            {RuleRatingDrop},
	"min_increase":        {RuleThemeSurge},
	"phrases":             {RuleKeyword},
	"default_phrases":     {RuleKeyword},
	"exclude":             {RuleKeyword},
	"max_age":             {RuleKeyword, RuleReview},
	"min_rating":          {RuleReview},
	"max_rating":          {RuleReview},
	"sentiments":          {RuleReview},
	"unrated":             {RuleReview},
	"failing_for":         {RuleSourceHealth},
	"zero_reviews":        {RuleSourceHealth},
	"silent_for":          {RuleSourceHealth},
}

func (d *decoder) validateRule(c *Config, r *AlertRule, p string, given func(string) bool) {
	bad := func(path, format string, args ...any) {
		d.errorf(d.line(path), path, format, args...)
	}
	kinds := []string{RuleNegativeSpike, RuleRatingDrop, RuleThemeSurge, RuleKeyword, RuleReview, RuleSourceHealth}
	if r.Kind == "" {
		bad(p+".kind", "a rule needs a kind: %s", strings.Join(kinds, ", "))
		return
	}
	if !contains(kinds, r.Kind) {
		bad(p+".kind", "unknown rule kind %q (use %s)", r.Kind, strings.Join(kinds, ", "))
		return
	}
	for key, ks := range ruleKeys {
		if given(p+"."+key) && !contains(ks, r.Kind) {
			bad(p+"."+key, "does not apply to a %s rule (it is for %s)", r.Kind, strings.Join(ks, ", "))
		}
	}
	switch r.Severity {
	case "":
		r.Severity = "warning"
		if r.Kind == RuleKeyword {
			r.Severity = "critical"
		}
		if r.Kind == RuleReview {
			r.Severity = "info"
		}
	case "info", "warning", "critical":
	default:
		bad(p+".severity", "must be info, warning or critical, not %q", r.Severity)
	}

	// Defaults by kind.
	def := func(v *Period, dflt time.Duration) {
		if *v == 0 {
			*v = Period(dflt)
		}
	}
	defInt := func(v *int, dflt int) {
		if *v == 0 {
			*v = dflt
		}
	}
	defFloat := func(v *float64, dflt float64) {
		if *v == 0 {
			*v = dflt
		}
	}
	switch r.Kind {
	case RuleNegativeSpike:
		def(&r.Window, alertDay)
		def(&r.Baseline, 8*alertWeek)
		def(&r.Cooldown, 2*alertDay)
		def(&r.BrandPrior, alertWeek)
		defInt(&r.MinCount, 5)
		defFloat(&r.Probability, 1e-4)
		defFloat(&r.ResolveProbability, 0.05)
	case RuleRatingDrop:
		def(&r.Window, 7*alertDay)
		def(&r.Baseline, 8*alertWeek)
		def(&r.Cooldown, 2*alertDay)
		def(&r.BrandPrior, alertWeek)
		defInt(&r.Reviews, 20)
		defInt(&r.MinReviews, 8)
		defFloat(&r.MinDrop, 1)
		defFloat(&r.Probability, 1e-4)
		defFloat(&r.ResolveProbability, 0.05)
	case RuleThemeSurge:
		def(&r.Window, 7*alertDay)
		def(&r.Baseline, 8*alertWeek)
		def(&r.Cooldown, 2*alertDay)
		def(&r.BrandPrior, alertWeek)
		defInt(&r.MinCount, 5)
		defFloat(&r.MinIncrease, 0.25)
		defFloat(&r.Probability, 1e-4)
		defFloat(&r.ResolveProbability, 0.05)
	case RuleKeyword:
		def(&r.MaxAge, 7*alertDay)
		def(&r.Cooldown, 7*alertDay)
	case RuleReview:
		def(&r.MaxAge, 2*alertDay)
	case RuleSourceHealth:
		def(&r.FailingFor, alertDay)
		def(&r.Baseline, 8*alertWeek)
		def(&r.Cooldown, alertDay)
		defFloat(&r.Probability, 1e-4)
	}
	if given(p+".window") && r.Window.D() < time.Hour {
		bad(p+".window", "must be at least 1h")
	}
	if given(p+".baseline") && r.Baseline.D() < alertWeek {
		bad(p+".baseline", "must be at least 7d: a baseline needs a whole week to know weekdays from weekends")
	}
	if r.Window.D() > 0 && r.Baseline.D() > 0 && r.Baseline.D() < r.Window.D() {
		bad(p+".baseline", "must be longer than the window (%s)", r.Window)
	}
	if r.Baseline.D() > 52*alertWeek {
		bad(p+".baseline", "must be at most 52w")
	}
	if r.Window.D() > 8*alertWeek {
		bad(p+".window", "must be at most 8w")
	}
	if r.MinCount < 0 {
		bad(p+".min_count", "must not be negative")
	}
	if r.Probability < 0 || r.Probability > 0.5 {
		bad(p+".probability", "must be between 0 and 0.5 (such as 0.0001)")
	}
	if r.ResolveProbability < 0 || r.ResolveProbability > 1 || (r.ResolveProbability > 0 && r.ResolveProbability < r.Probability) {
		bad(p+".resolve_probability", "must be between probability (%g) and 1", r.Probability)
	}
	if r.Dispersion != nil && (*r.Dispersion < 0 || *r.Dispersion > 10) {
		bad(p+".dispersion", "must be between 0 and 10")
	}
	if r.Reviews < 0 || r.MinReviews < 0 {
		bad(p+".reviews", "must not be negative")
	}
	if r.Kind == RuleRatingDrop {
		if r.MinReviews < 2 {
			bad(p+".min_reviews", "must be at least 2")
		}
		if r.Reviews < r.MinReviews {
			bad(p+".reviews", "must be at least min_reviews (%d)", r.MinReviews)
		}
		if r.MinDrop < 0 || r.MinDrop > 4 {
			bad(p+".min_drop", "must be between 0 and 4 stars")
		}
	}
	if r.MinIncrease < 0 || r.MinIncrease > 1 {
		bad(p+".min_increase", "must be between 0 and 1 (a share: 0.2 is 20 points)")
	}
	for _, pr := range []struct {
		name string
		v    *float64
	}{{"min_rating", r.MinRating}, {"max_rating", r.MaxRating}} {
		if pr.v != nil && (*pr.v < 0 || *pr.v > 5) {
			bad(p+"."+pr.name, "must be between 0 and 5 stars")
		}
	}
	if r.MinRating != nil && r.MaxRating != nil && *r.MinRating > *r.MaxRating {
		bad(p+".min_rating", "is above max_rating")
	}
	for i, s := range r.Sentiments {
		switch s {
		case "positive", "neutral", "negative", "mixed":
		default:
			bad(fmt.Sprintf("%s.sentiments[%d]", p, i), "must be positive, neutral, negative or mixed, not %q", s)
		}
	}
	if r.Theme != "" && r.Theme != "*" && !themeName.MatchString(r.Theme) {
		bad(p+".theme", "theme name %q must be lower-case letters, digits, '_' or '-', or * for each theme", r.Theme)
	}
	if r.Kind == RuleKeyword && !r.UseDefaultPhrases() && len(r.Phrases) == 0 {
		bad(p+".phrases", "a keyword rule without the default phrases needs phrases")
	}
	for i, ph := range r.Phrases {
		if strings.TrimSpace(strings.TrimSuffix(ph, "*")) == "" {
			bad(fmt.Sprintf("%s.phrases[%d]", p, i), "is empty")
		}
	}
	if r.Kind == RuleSourceHealth && r.FailingFor.D() < time.Minute {
		bad(p+".failing_for", "must be at least 1m")
	}

	// Scope ids must be configured.
	brands, locations, sources := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, b := range c.Brands {
		brands[b.ID] = true
		for _, l := range b.Locations {
			locations[l.ID] = true
			for _, s := range l.Sources {
				sources[s.ID] = true
			}
		}
	}
	check := func(field string, ids []string, known map[string]bool, what string) {
		for i, id := range ids {
			if !known[id] {
				bad(fmt.Sprintf("%s.scope.%s[%d]", p, field, i), "no %s is called %q", what, id)
			}
		}
	}
	check("brands", r.Scope.Brands, brands, "brand")
	check("locations", r.Scope.Locations, locations, "location")
	check("sources", r.Scope.Sources, sources, "source")
	for i, t := range r.Scope.Themes {
		if !themeName.MatchString(t) {
			bad(fmt.Sprintf("%s.scope.themes[%d]", p, i), "theme name %q must be lower-case letters, digits, '_' or '-'", t)
		}
	}
	for i, l := range r.Scope.Languages {
		switch l {
		case "fr", "ru", "en", "und":
		default:
			bad(fmt.Sprintf("%s.scope.languages[%d]", p, i), "must be fr, ru, en or und, not %q", l)
		}
	}
}
