// Package config defines Vigie's configuration file, decodes it strictly
// (an unknown key is an error) and validates it in one place. Every error
// names the file, the line and the field.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of one Vigie installation.
type Config struct {
	// File is the path the configuration was read from.
	File string `yaml:"-"`

	// DataDir holds the index and all state. Relative paths are taken from
	// the configuration file's folder.
	DataDir string `yaml:"data_dir"`
	// Schedule is the default schedule of sources that do not set one.
	Schedule string  `yaml:"schedule"`
	Log      Log     `yaml:"log"`
	Crawler  Crawler `yaml:"crawler"`
	// Scheduler runs sources on their schedules in `vigie serve`.
	Scheduler Scheduler `yaml:"scheduler"`
	// Server is the HTTP server of `vigie serve` and `vigie demo`.
	Server Server `yaml:"server"`
	// Enrichment tunes sentiment and themes.
	Enrichment Enrichment `yaml:"enrichment"`
	Brands     []Brand    `yaml:"brands"`
	Alerts     Alerts     `yaml:"alerts"`
}

// Scheduler settings for `vigie serve`. Sources run on their own
// schedules; crawler.concurrency bounds the runs in flight overall.
type Scheduler struct {
	// Jitter delays each scheduled run by a random time up to this long,
	// so that a thousand sources on "@hourly" do not fire in the same
	// second.
	Jitter Duration `yaml:"jitter"`
	// PerHost bounds the runs in flight against one host.
	PerHost int `yaml:"per_host"`
	// MaxBackoff caps the wait after repeated failures of a source: each
	// failure doubles the wait before its next run, up to this; a success
	// resets it.
	MaxBackoff Duration `yaml:"max_backoff"`
	// Grace is how long a stopping service lets running batches finish.
	Grace Duration `yaml:"grace"`
}

// Server settings: the dashboard, the API, /healthz and /metrics.
type Server struct {
	// Addr is where to listen (host:port).
	Addr string `yaml:"addr"`
	// Tokens are API tokens (sent as "Authorization: Bearer TOKEN"); when
	// any is set, every request needs one. Use ${ENV} references.
	Tokens []string `yaml:"tokens"`
	// Insecure allows listening on a non-loopback address without tokens.
	Insecure bool `yaml:"insecure"`
	// BaseURL is the dashboard's public address, for links in alerts.
	BaseURL string `yaml:"base_url"`
}

// Enrichment tunes how reviews are understood: sentiment vocabulary,
// themes and a trained model.
type Enrichment struct {
	// Lexicons adds to or overrides the built-in sentiment vocabulary, per
	// language (fr, ru, en): each file holds lines "term<TAB>score", the
	// score between -4 and 4. Relative paths are taken from the
	// configuration file's folder.
	Lexicons map[string]string `yaml:"lexicons"`
	// Themes adds themes, or terms to built-in themes (same name).
	Themes []ThemeConfig `yaml:"themes"`
	// DefaultThemes: false starts from no built-in theme at all.
	DefaultThemes *bool `yaml:"default_themes"`
	// Model is a classifier trained with `vigie train`, combined with the
	// lexicon.
	Model string `yaml:"model"`
}

// UseDefaultThemes reports whether the built-in themes are loaded.
func (e Enrichment) UseDefaultThemes() bool { return e.DefaultThemes == nil || *e.DefaultThemes }

// ThemeConfig is a theme defined or extended by the user.
type ThemeConfig struct {
	// Name identifies the theme (lower case, such as "wait" or
	// "drive-through"); a built-in theme of the same name is extended.
	Name string `yaml:"name"`
	// Label is the name shown to people.
	Label string `yaml:"label"`
	// Terms lists words and phrases per language (fr, ru, en). A trailing
	// * matches any ending ("rembours*").
	Terms map[string][]string `yaml:"terms"`
	// Replace: true replaces the built-in terms instead of adding to them.
	Replace bool `yaml:"replace"`
	// Remove: true removes the built-in theme of that name.
	Remove bool `yaml:"remove"`
}

// Log configures the structured logs.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Crawler holds the politeness and limit settings shared by every web
// connector.
type Crawler struct {
	UserAgent string `yaml:"user_agent"`
	// Delay is the pause between two requests to the same host.
	Delay Duration `yaml:"delay"`
	// Parallelism is how many requests may be in flight to one host.
	Parallelism int `yaml:"parallelism"`
	// Timeout bounds one request, body included.
	Timeout Duration `yaml:"timeout"`
	// MaxPageSize is the largest body accepted; a larger page is an error,
	// never silently truncated.
	MaxPageSize ByteSize `yaml:"max_page_size"`
	// Retries is how many times a request is retried after a 429, a 5xx or
	// a network error.
	Retries int `yaml:"retries"`
	// Backoff is the wait before the first retry; it doubles each time.
	Backoff Duration `yaml:"backoff"`
	// MaxRetryWait caps a server's Retry-After; a longer wait gives up.
	MaxRetryWait Duration `yaml:"max_retry_wait"`
	// Robots makes every web connector obey robots.txt. A source may opt
	// out with robots: false.
	Robots *bool `yaml:"robots"`
	// MaxPages is the default cap on pages fetched by one run of a source.
	MaxPages int `yaml:"max_pages"`
	// Concurrency is how many sources are collected at the same time.
	Concurrency int `yaml:"concurrency"`
}

// RobotsEnabled reports whether robots.txt is obeyed by default.
func (c Crawler) RobotsEnabled() bool { return c.Robots == nil || *c.Robots }

// Brand is a company with many locations.
type Brand struct {
	ID        string     `yaml:"id"`
	Name      string     `yaml:"name"`
	Locations []Location `yaml:"locations"`
}

// Location is one site of a brand: a restaurant, a shop, a branch.
type Location struct {
	ID          string       `yaml:"id"`
	Name        string       `yaml:"name"`
	Address     string       `yaml:"address"`
	City        string       `yaml:"city"`
	Country     string       `yaml:"country"`
	Coordinates *Coordinates `yaml:"coordinates"`
	Tags        []string     `yaml:"tags"`
	Sources     []Source     `yaml:"sources"`
}

// Coordinates place a location on the map.
type Coordinates struct {
	Lat float64 `yaml:"lat"`
	Lon float64 `yaml:"lon"`
}

// Source is one place where a location's customers speak: a connector kind
// and its parameters.
type Source struct {
	// ID identifies the source; it defaults to "<location>-<kind>". Review
	// identifiers derive from it, so changing it makes every review new.
	ID   string `yaml:"id"`
	Kind string `yaml:"kind"`
	// Schedule is a cron expression ("0 */6 * * *") or "@every 6h".
	Schedule string `yaml:"schedule"`
	// Robots overrides crawler.robots for this source.
	Robots *bool `yaml:"robots"`
	// MaxPages overrides crawler.max_pages for this source.
	MaxPages int `yaml:"max_pages"`
	// Enabled: false keeps a source in the file without collecting it.
	Enabled *bool `yaml:"enabled"`

	// Params holds the kind's own parameters, decoded strictly into the
	// type the kind registered (see Kinds).
	Params any `yaml:"-"`

	// Brand and Location are filled from where the source sits in the file.
	Brand    string `yaml:"-"`
	Location string `yaml:"-"`
	// Line is where the source starts in the file.
	Line int `yaml:"-"`

	params *yaml.Node
}

// Commonly used accessors.

// RobotsEnabled reports whether robots.txt is obeyed for this source.
func (s Source) RobotsEnabled(c Crawler) bool {
	if s.Robots != nil {
		return *s.Robots
	}
	return c.RobotsEnabled()
}

// PageLimit is the cap on pages of one run.
func (s Source) PageLimit(c Crawler) int {
	if s.MaxPages > 0 {
		return s.MaxPages
	}
	return c.MaxPages
}

// IsEnabled reports whether the source is collected.
func (s Source) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// keepUnknown collects the keys that are not common to every source: they
// are the kind's parameters, decoded once the kind is known.
func (s *Source) keepUnknown(key, value *yaml.Node) {
	if s.params == nil {
		s.params = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: key.Line, Column: key.Column}
	}
	s.params.Content = append(s.params.Content, key, value)
}

// Duration is a time.Duration written as "90s", "5m" or "1h30m".
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil || v < 0 {
		return fmt.Errorf("expected a duration such as 500ms, 30s, 5m or 1h, found %q", n.Value)
	}
	*d = Duration(v)
	return nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// ByteSize is a size written as a number of bytes or with a unit: "512KB",
// "10MB", "1GiB".
type ByteSize int64

// UnmarshalYAML reads a size with an optional unit.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return err
	}
	*b = ByteSize(v)
	return nil
}

// ParseByteSize reads "10MB", "512 KiB" or "1048576".
func ParseByteSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1000}, {"MB", 1000_000}, {"GB", 1000_000_000}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("expected a size such as 512KB, 10MB or 1GiB, found %q", s)
	}
	return int64(v * float64(mult)), nil
}
