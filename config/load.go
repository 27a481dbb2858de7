package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Kinds tells the loader which source kinds exist and which parameters
// each takes. The connector registry implements it.
type Kinds interface {
	// Params returns a fresh pointer to the kind's parameter struct, holding
	// its defaults, or false when no such kind is registered. The struct
	// may implement Validator.
	Params(kind string) (any, bool)
	// Names lists the registered kinds, for error messages.
	Names() []string
}

// PathResolver is implemented by parameter structs that hold file paths:
// the loader calls it with the configuration file's folder, so that
// relative paths mean the same wherever Vigie is started from.
type PathResolver interface {
	ResolvePaths(dir string)
}

// Validator is implemented by parameter structs that check their values.
// Return errors made with Invalid so that the message names the field.
type Validator interface {
	Validate() error
}

// invalidField is a validation error about one field of a parameter struct.
type invalidField struct {
	field, msg string
}

func (e *invalidField) Error() string { return e.field + ": " + e.msg }

// Invalid reports that the parameter field (its YAML key) is wrong.
func Invalid(field, format string, args ...any) error {
	return &invalidField{field: field, msg: fmt.Sprintf(format, args...)}
}

// Default returns the settings used when the file leaves them out.
func Default() Config {
	robots := true
	return Config{
		DataDir:  "data",
		Schedule: "@every 6h",
		Log:      Log{Level: "info", Format: "text"},
		Crawler: Crawler{
			UserAgent:    "VigieBot/1.0 (+https://github.com/vigie-dev/vigie)",
			Delay:        Duration(time.Second),
			Parallelism:  2,
			Timeout:      Duration(30 * time.Second),
			MaxPageSize:  10 << 20,
			Retries:      3,
			Backoff:      Duration(time.Second),
			MaxRetryWait: Duration(2 * time.Minute),
			Robots:       &robots,
			MaxPages:     50,
			Concurrency:  4,
		},
		Scheduler: Scheduler{
			Jitter:     Duration(2 * time.Minute),
			PerHost:    2,
			MaxBackoff: Duration(6 * time.Hour),
			Grace:      Duration(30 * time.Second),
		},
		Server: Server{Addr: "127.0.0.1:8080"},
	}
}

// Load reads, decodes and validates the configuration file at path.
func Load(path string, kinds Kinds) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, kinds, os.LookupEnv)
}

// Parse decodes and validates a configuration read from file. lookupEnv
// resolves ${NAME} references.
func Parse(file string, data []byte, kinds Kinds, lookupEnv func(string) (string, bool)) (*Config, error) {
	d := &decoder{file: file, lines: map[string]int{}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{File: file, Msg: "the file is empty"}
		}
		line := yamlErrLine(err)
		msg := yamlLine.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: "), "")
		return nil, &FieldError{File: file, Line: line, Msg: strings.TrimLeft(msg, ": ")}
	}
	c := Default()
	c.File = file
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	d.expandEnv(root, lookupEnv)
	d.decode(root, reflect.ValueOf(&c), "")
	if len(d.errs) == 0 {
		d.validate(&c, kinds)
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	if !filepath.IsAbs(c.DataDir) {
		c.DataDir = filepath.Join(filepath.Dir(file), c.DataDir)
	}
	return &c, nil
}

var yamlLine = regexp.MustCompile(`line (\d+):?`)

func yamlErrLine(err error) int {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// Cron parses schedules: five-field cron expressions and descriptors such
// as @every 6h, @hourly or @daily.
var Cron = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// validate checks each field, then the combinations.
func (d *decoder) validate(c *Config, kinds Kinds) {
	bad := func(path, format string, args ...any) {
		d.errorf(d.line(path), path, format, args...)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "must be text or json, not %q", c.Log.Format)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("data_dir", "must not be empty")
	}
	if _, err := Cron.Parse(c.Schedule); err != nil {
		bad("schedule", "%q is not a schedule: %v (write a cron expression such as \"0 */6 * * *\" or \"@every 6h\")", c.Schedule, err)
	}
	cr := &c.Crawler
	if strings.TrimSpace(cr.UserAgent) == "" {
		bad("crawler.user_agent", "must not be empty: sites need to know who is crawling")
	}
	positive := map[string]int{"crawler.parallelism": cr.Parallelism, "crawler.max_pages": cr.MaxPages, "crawler.concurrency": cr.Concurrency}
	for p, v := range positive {
		if v < 1 {
			bad(p, "must be at least 1, not %d", v)
		}
	}
	if cr.Retries < 0 {
		bad("crawler.retries", "must not be negative")
	}
	if cr.Timeout <= 0 {
		bad("crawler.timeout", "must be longer than 0")
	}
	if cr.MaxPageSize < 1024 {
		bad("crawler.max_page_size", "must be at least 1KB")
	}

	d.validateEnrichment(c)
	if c.Scheduler.PerHost < 1 {
		bad("scheduler.per_host", "must be at least 1, not %d", c.Scheduler.PerHost)
	}
	if c.Scheduler.MaxBackoff <= 0 {
		bad("scheduler.max_backoff", "must be longer than 0")
	}
	if host, port, err := net.SplitHostPort(c.Server.Addr); err != nil || port == "" {
		bad("server.addr", "%q is not host:port (such as 127.0.0.1:8080)", c.Server.Addr)
	} else if !isLoopback(host) && len(c.Server.Tokens) == 0 && !c.Server.Insecure {
		bad("server.addr", "listening on %q without server.tokens would expose reviews and settings to the network: add tokens, or set server.insecure: true", c.Server.Addr)
	}
	for i, t := range c.Server.Tokens {
		if len(t) < 16 {
			bad(fmt.Sprintf("server.tokens[%d]", i), "a token needs at least 16 characters")
		}
	}
	if c.Server.BaseURL != "" {
		if err := CheckURL("server.base_url", c.Server.BaseURL); err != nil {
			bad("server.base_url", "%q is not an absolute http(s) URL", c.Server.BaseURL)
		}
	}

	ids := map[string]string{} // brand, location and source ids -> path
	unique := func(kind, id, path string) {
		key := kind + "\x00" + id
		if prev, ok := ids[key]; ok {
			bad(path, "%s id %q is already used at line %d", kind, id, d.line(prev))
			return
		}
		ids[key] = path
	}
	checkID := func(kind, id, path string) {
		switch {
		case id == "":
			bad(path, "a %s needs an id", kind)
		case !idPattern.MatchString(id):
			bad(path, "%s id %q may hold only lower-case letters, digits, '.', '_' and '-'", kind, id)
		default:
			unique(kind, id, path)
		}
	}
	if len(c.Brands) == 0 {
		bad("brands", "at least one brand is needed")
	}
	for bi := range c.Brands {
		b := &c.Brands[bi]
		bp := fmt.Sprintf("brands[%d]", bi)
		checkID("brand", b.ID, bp+".id")
		if b.Name == "" {
			b.Name = b.ID
		}
		for li := range b.Locations {
			l := &b.Locations[li]
			lp := fmt.Sprintf("%s.locations[%d]", bp, li)
			checkID("location", l.ID, lp+".id")
			if l.Coordinates != nil {
				if l.Coordinates.Lat < -90 || l.Coordinates.Lat > 90 {
					bad(lp+".coordinates.lat", "must be between -90 and 90")
				}
				if l.Coordinates.Lon < -180 || l.Coordinates.Lon > 180 {
					bad(lp+".coordinates.lon", "must be between -180 and 180")
				}
			}
			for si := range l.Sources {
				d.validateSource(c, l, &l.Sources[si], fmt.Sprintf("%s.sources[%d]", lp, si), b.ID, kinds, unique)
			}
		}
	}
	d.validateAlerts(c)
}

// isLoopback reports whether host only listens on this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var themeName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

func (d *decoder) validateEnrichment(c *Config) {
	bad := func(path, format string, args ...any) {
		d.errorf(d.line(path), path, format, args...)
	}
	base := filepath.Dir(c.File)
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	e := &c.Enrichment
	for lang, p := range e.Lexicons {
		path := "enrichment.lexicons." + lang
		if lang != "fr" && lang != "ru" && lang != "en" {
			bad(path, "language must be fr, ru or en")
			continue
		}
		e.Lexicons[lang] = abs(p)
		if _, err := os.Stat(e.Lexicons[lang]); err != nil {
			bad(path, "%v", err)
		}
	}
	if e.Model != "" {
		e.Model = abs(e.Model)
		if _, err := os.Stat(e.Model); err != nil {
			bad("enrichment.model", "%v (train one with `vigie train`)", err)
		}
	}
	seen := map[string]bool{}
	for i, t := range e.Themes {
		p := fmt.Sprintf("enrichment.themes[%d]", i)
		switch {
		case !themeName.MatchString(t.Name):
			bad(p+".name", "theme name %q must be lower-case letters, digits, '_' or '-'", t.Name)
		case seen[t.Name]:
			bad(p+".name", "theme %q is defined twice", t.Name)
		}
		seen[t.Name] = true
		for lang := range t.Terms {
			if lang != "fr" && lang != "ru" && lang != "en" {
				bad(p+".terms."+lang, "language must be fr, ru or en")
			}
		}
		if t.Remove && (len(t.Terms) > 0 || t.Replace) {
			bad(p, "remove: true cannot go with terms or replace")
		}
	}
}

func (d *decoder) validateSource(c *Config, l *Location, s *Source, sp, brand string, kinds Kinds, unique func(kind, id, path string)) {
	bad := func(path, format string, args ...any) {
		d.errorf(d.line(path), path, format, args...)
	}
	s.Brand, s.Location, s.Line = brand, l.ID, d.line(sp)
	if s.Kind == "" {
		bad(sp+".kind", "a source needs a kind (one of: %s)", strings.Join(kinds.Names(), ", "))
		return
	}
	if s.ID == "" {
		s.ID = l.ID + "-" + s.Kind
	}
	if !idPattern.MatchString(s.ID) {
		bad(sp+".id", "source id %q may hold only lower-case letters, digits, '.', '_' and '-'", s.ID)
	} else {
		unique("source", s.ID, sp+".id")
	}
	if s.Schedule == "" {
		s.Schedule = c.Schedule
	} else if _, err := Cron.Parse(s.Schedule); err != nil {
		bad(sp+".schedule", "%q is not a schedule: %v (write a cron expression such as \"0 */6 * * *\" or \"@every 6h\")", s.Schedule, err)
	}
	if s.MaxPages < 0 {
		bad(sp+".max_pages", "must not be negative")
	}
	params, ok := kinds.Params(s.Kind)
	if !ok {
		bad(sp+".kind", "unknown kind %q (known kinds: %s)", s.Kind, strings.Join(kinds.Names(), ", "))
		return
	}
	if s.params != nil {
		d.structure(s.params, reflect.ValueOf(params).Elem(), sp)
	}
	if r, ok := params.(PathResolver); ok {
		r.ResolvePaths(filepath.Dir(c.File))
	}
	if v, ok := params.(Validator); ok {
		if err := v.Validate(); err != nil {
			for _, e := range flatten(err) {
				var f *invalidField
				if errors.As(e, &f) {
					bad(sp+"."+f.field, "%s", f.msg)
				} else {
					bad(sp, "%v", e)
				}
			}
		}
	}
	s.Params = params
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// CheckURL validates an absolute http or https URL parameter.
func CheckURL(field, raw string) error {
	if raw == "" {
		return Invalid(field, "is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Invalid(field, "%q is not an absolute http(s) URL", raw)
	}
	return nil
}

// Sources lists every source of the configuration, in file order.
func (c *Config) Sources() []Source {
	var out []Source
	for _, b := range c.Brands {
		for _, l := range b.Locations {
			out = append(out, l.Sources...)
		}
	}
	return out
}

// Location finds a location by id.
func (c *Config) Location(id string) (Brand, Location, bool) {
	for _, b := range c.Brands {
		for _, l := range b.Locations {
			if l.ID == id {
				return b, l, true
			}
		}
	}
	return Brand{}, Location{}, false
}
