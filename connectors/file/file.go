// Package file is the file source kind: reviews, survey answers and
// e-mail feedback imported from CSV and JSON Lines exports (a survey tool's
// NPS or CSAT answers, another review tool's export), read from a local
// file (or every file a glob matches) or fetched from an http(s) URL, with
// a column mapping in the configuration.
//
// The delimiter (comma, semicolon, tab) and the encoding (UTF-8 with or
// without a byte-order mark, UTF-16, windows-1251, windows-1252...) are
// detected unless configured. A malformed line is a warning that names the
// file and the line; the other lines are kept.
package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html/charset"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
)

// Kind is the source kind's name in the configuration.
const Kind = "file"

func init() {
	connectors.Register(connectors.Kind{
		Name:      Kind,
		Summary:   "reviews, survey answers (NPS, CSAT) and feedback from CSV or JSON Lines exports, local or over http(s)",
		NewParams: NewParams,
		New:       New,
		Extract: connutil.ExtractWith(func(p *Params, doc connectors.Document) (connectors.Extraction, error) {
			if p == nil {
				p = NewParams().(*Params)
			}
			return Extract(doc, p)
		}),
		Detect: Detect,
	})
}

// Params are a file source's parameters.
type Params struct {
	// Path is the export to read: a file, or a glob ("exports/*.csv")
	// whose files are read in name order. Relative paths are taken from
	// the configuration file's folder. Give path or url.
	Path string `yaml:"path"`
	// URL is an export to fetch over http(s) instead.
	URL string `yaml:"url"`
	// Format is csv, jsonl (one JSON object per line) or json (an array
	// of objects); default: from the file name's extension, else from the
	// content.
	Format string `yaml:"format"`
	// Columns maps review fields to the file's columns (CSV header names
	// or 0-based indexes) or keys (JSON, "customer.name" for nested
	// keys). A field may list several columns: their values are joined by
	// line breaks (text: [liked, disliked]). Fields left out are found by
	// their usual names (text, comment, feedback, review, rating, score,
	// nps, date, created_at, author, name, id...); location is only read
	// when mapped.
	Columns Columns `yaml:"columns"`
	// Header says whether the first CSV row names the columns (default
	// true). Without a header, columns are given by index.
	Header *bool `yaml:"header"`
	// Delimiter is the CSV separator: ",", ";", "tab" or "|"; default:
	// detected.
	Delimiter string `yaml:"delimiter"`
	// Encoding is the file's charset ("utf-8", "windows-1251",
	// "iso-8859-1"...); default: detected (byte-order mark, valid UTF-8,
	// else from the bytes).
	Encoding string `yaml:"encoding"`
	// DateLayout is the Go layout of the dates ("02/01/2006 15:04"); default:
	// detected (ISO 8601, "12/03/2024", "12 mars 2024", Unix epochs,
	// spreadsheet serial numbers).
	DateLayout string `yaml:"date_layout"`
	// Scale is the rating scale: nps (0 to 10), csat (1 to 5), stars (1 to
	// 5) or ten (1 to 10); best and worst set it by number instead.
	// Default: nps when the rating column's name says NPS, csat when it
	// says CSAT, else guessed from the values (with a warning).
	Scale string `yaml:"scale"`
	// Best is the top of the rating scale (with worst, instead of scale).
	Best *float64 `yaml:"best"`
	// Worst is the bottom of the rating scale.
	Worst *float64 `yaml:"worst"`
	// ReviewKind is what the rows are: survey when there is a rating
	// column, else review (default); or comment.
	ReviewKind string `yaml:"review_kind"`
	// Lang is the language of the rows (fr, ru, en), a hint for language
	// detection when there is no lang column.
	Lang string `yaml:"lang"`
	// Locations are the values of the location column that mean this
	// source's location (compared without case); rows of other locations
	// are skipped. Default: the location's id.
	Locations []string `yaml:"locations"`
	// Complete says the export holds every answer of the location, so
	// that answers missing from it are taken as deleted (default false:
	// an export is one batch among others).
	Complete bool `yaml:"complete"`
}

// Columns maps review fields to columns. Each is a column name or a
// 0-based index, or a list of them.
type Columns struct {
	ID       Column `yaml:"id"`
	Author   Column `yaml:"author"`
	Date     Column `yaml:"date"`
	Rating   Column `yaml:"rating"`
	Text     Column `yaml:"text"`
	Title    Column `yaml:"title"`
	Lang     Column `yaml:"lang"`
	Location Column `yaml:"location"`
	URL      Column `yaml:"url"`
	Reply    Column `yaml:"reply"`
}

// Column is one or more column names or indexes.
type Column []string

// UnmarshalYAML reads a name, an index or a list of them.
func (c *Column) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if v := strings.TrimSpace(n.Value); v != "" {
			*c = Column{v}
		}
		return nil
	case yaml.SequenceNode:
		var out Column
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("expected a column name or index, found a %s", kindName(item))
			}
			if v := strings.TrimSpace(item.Value); v != "" {
				out = append(out, v)
			}
		}
		*c = out
		return nil
	}
	return fmt.Errorf("expected a column name or index, or a list of them, found a %s", kindName(n))
}

func kindName(n *yaml.Node) string {
	if n.Kind == yaml.MappingNode {
		return "mapping"
	}
	return "list"
}

// NewParams returns the defaults.
func NewParams() any { return &Params{} }

// ResolvePaths makes a relative path relative to the configuration
// file's folder (config.PathResolver).
func (p *Params) ResolvePaths(dir string) {
	if p.Path != "" && !filepath.IsAbs(p.Path) {
		p.Path = filepath.Join(dir, p.Path)
	}
}

// Validate checks that there is one place to read from, and the format,
// delimiter, encoding, scale, layout and kind.
func (p *Params) Validate() error {
	var errs []error
	switch {
	case strings.TrimSpace(p.Path) == "" && strings.TrimSpace(p.URL) == "":
		errs = append(errs, config.Invalid("path", "is required: the export file (or a glob), or give url"))
	case p.Path != "" && p.URL != "":
		errs = append(errs, config.Invalid("url", "cannot go with path: give one of them"))
	case p.URL != "":
		if err := config.CheckURL("url", p.URL); err != nil {
			errs = append(errs, err)
		}
	default:
		if _, err := filepath.Match(p.Path, ""); err != nil {
			errs = append(errs, config.Invalid("path", "%q is not a valid glob: %v", p.Path, err))
		}
	}
	switch strings.ToLower(p.Format) {
	case "", "csv", "tsv", "jsonl", "ndjson", "json":
	default:
		errs = append(errs, config.Invalid("format", "must be csv, jsonl or json, not %q", p.Format))
	}
	if _, err := delimiter(p.Delimiter); err != nil {
		errs = append(errs, config.Invalid("delimiter", "%v", err))
	}
	if e := strings.TrimSpace(p.Encoding); e != "" && !strings.EqualFold(e, "auto") {
		if enc, _ := charset.Lookup(e); enc == nil {
			errs = append(errs, config.Invalid("encoding", "unknown charset %q (utf-8, windows-1251, iso-8859-1, koi8-r...)", e))
		}
	}
	if _, _, _, err := p.scale(); err != nil {
		errs = append(errs, err)
	}
	if l := p.DateLayout; l != "" {
		probe := time.Date(1999, 11, 28, 13, 47, 38, 0, time.UTC)
		if probe.Format(l) == l {
			errs = append(errs, config.Invalid("date_layout", "%q is not a Go time layout: write the reference date as the file does, such as \"02/01/2006 15:04\"", l))
		}
	}
	switch review.Kind(p.ReviewKind) {
	case "", review.KindReview, review.KindComment, review.KindSurvey:
	default:
		errs = append(errs, config.Invalid("review_kind", "must be survey, review or comment, not %q", p.ReviewKind))
	}
	return errors.Join(errs...)
}

// scale returns the configured scale; ok is false when it is to be
// guessed.
func (p *Params) scale() (best, worst float64, ok bool, err error) {
	switch strings.ToLower(strings.TrimSpace(p.Scale)) {
	case "":
	case "nps":
		best, worst, ok = 10, 0, true
	case "csat", "stars", "5":
		best, worst, ok = 5, 1, true
	case "ten", "10":
		best, worst, ok = 10, 1, true
	default:
		return 0, 0, false, config.Invalid("scale", "must be nps, csat, stars or ten (or set best and worst), not %q", p.Scale)
	}
	if p.Best != nil || p.Worst != nil {
		if !ok {
			best, worst = 5, 1
		}
		ok = true
		if p.Best != nil {
			best = *p.Best
		}
		if p.Worst != nil {
			worst = *p.Worst
		}
		if best <= worst {
			return 0, 0, false, config.Invalid("best", "must be above worst (%g), not %g", worst, best)
		}
	}
	return best, worst, ok, nil
}

// delimiter reads the delimiter parameter; 0 means detect.
func delimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "tab", "\\t", "\t":
		return '\t', nil
	case ",", ";", "|":
		return rune(s[0]), nil
	}
	return 0, fmt.Errorf("must be \",\", \";\", \"tab\" or \"|\", not %q", s)
}

// pageSize is how many rows go to the sink at a time.
const pageSize = 500

// maxFileSize bounds a local file read at once.
const maxFileSize = 512 << 20

// Connector collects a file source.
type Connector struct {
	env    connectors.Env
	params *Params
	log    *slog.Logger
}

// New builds the connector for one run of env.Source, whose Params must
// be a valid *Params.
func New(env connectors.Env) (connectors.Connector, error) {
	// Only an export fetched over http(s) needs the client.
	p, log, err := connutil.Prepare[Params](Kind, env, false)
	if err != nil {
		return nil, err
	}
	if p.URL != "" && env.Client == nil {
		return nil, fmt.Errorf("file: source %q: no HTTP client", env.Source.ID)
	}
	return &Connector{env: env, params: p, log: log}, nil
}

// Collect reads the export (every file of the glob, in name order) and
// hands its rows to the sink in pages of about 500 reviews, with the
// malformed lines as warnings. It remembers nothing between runs: every
// row is handed over each time and the pipeline recognises those it has.
// A file that cannot be read is a page with Err; the other files are
// still read. The last page is Final only with complete: true and every
// file read.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	p := *c.params
	if len(p.Locations) == 0 && c.env.Source.Location != "" {
		p.Locations = []string{c.env.Source.Location}
	}
	type input struct {
		name, pageURL, contentType string
		data                       []byte
		err                        error
	}
	var inputs []func() input
	if p.URL != "" {
		inputs = append(inputs, func() input {
			in := input{name: nameOf(p.URL), pageURL: p.URL}
			resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: p.URL, Robots: c.env.Robots(), Raw: true})
			if err != nil {
				in.err = err
				return in
			}
			in.data, in.contentType, in.name = resp.Body, resp.Header.Get("Content-Type"), nameOf(resp.URL)
			return in
		})
	} else {
		files, err := filepath.Glob(p.Path)
		if err == nil && len(files) == 0 {
			if _, serr := os.Stat(p.Path); serr != nil {
				err = fmt.Errorf("file: %s: no such file", p.Path)
			} else {
				files = []string{p.Path}
			}
		}
		if err != nil {
			_, serr := sink.Page(ctx, connectors.Page{URL: fileURL(p.Path), Err: err})
			return wrapSink(serr)
		}
		sort.Strings(files)
		for _, f := range files {
			inputs = append(inputs, func() input {
				in := input{name: filepath.Base(f), pageURL: fileURL(f)}
				st, err := os.Stat(f)
				switch {
				case err != nil:
					in.err = fmt.Errorf("file: %w", err)
				case st.IsDir():
					in.err = fmt.Errorf("file: %s is a directory", f)
				case st.Size() > maxFileSize:
					in.err = fmt.Errorf("file: %s: %d bytes, more than the %d this kind reads", f, st.Size(), maxFileSize)
				default:
					in.data, in.err = os.ReadFile(f)
					if in.err != nil {
						in.err = fmt.Errorf("file: %w", in.err)
					}
				}
				return in
			})
		}
	}
	complete := p.Complete
	var last *connectors.Page
	send := func(pg connectors.Page) error {
		if last != nil {
			if _, err := sink.Page(ctx, *last); err != nil {
				return wrapSink(err)
			}
		}
		last = &pg
		return nil
	}
	for _, next := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		in := next()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if in.err != nil {
			complete = false
			c.log.Warn("file: cannot read", "source", c.env.Source.ID, "file", in.pageURL, "err", in.err)
			if err := send(connectors.Page{URL: in.pageURL, Err: in.err}); err != nil {
				return err
			}
			continue
		}
		pages := 0
		err := read(in.name, in.data, in.contentType, &p, func(b batch) error {
			pages++
			if err := ctx.Err(); err != nil {
				return err
			}
			return send(connectors.Page{URL: in.pageURL, Reviews: b.reviews, Warnings: b.warnings})
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			var se sinkError
			if errors.As(err, &se) {
				return err
			}
			complete = false
			if err := send(connectors.Page{URL: in.pageURL, Err: err}); err != nil {
				return err
			}
		}
	}
	if last != nil {
		last.Final = complete
		if _, err := sink.Page(ctx, *last); err != nil {
			return wrapSink(err)
		}
	}
	return nil
}

type sinkError struct{ error }

func (e sinkError) Unwrap() error { return e.error }

func wrapSink(err error) error {
	if err == nil {
		return nil
	}
	return sinkError{fmt.Errorf("file: %w", err)}
}

// fileURL is the page URL of a local file.
func fileURL(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

// nameOf is the name warnings give a fetched export: its last path
// segment.
func nameOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" || u.Path == "/" {
		return raw
	}
	n := path.Base(u.Path)
	if s, err := url.PathUnescape(n); err == nil {
		n = s
	}
	return n
}

// Extract reads a saved export with the parameters (their columns,
// delimiter, scale...; the defaults without a configuration). Warnings
// name the file as doc.URL's last segment ("export.csv:17: ..."), or the
// line alone ("line 17: ...") when doc.URL is empty.
func Extract(doc connectors.Document, p *Params) (connectors.Extraction, error) {
	var ext connectors.Extraction
	name := ""
	if doc.URL != "" {
		name = nameOf(doc.URL)
	}
	q := *p
	if q.Format == "" {
		q.Format = formatFromName(name)
	}
	err := read(name, doc.Body, doc.ContentType, &q, func(b batch) error {
		ext.Reviews = append(ext.Reviews, b.reviews...)
		ext.Warnings = append(ext.Warnings, b.warnings...)
		return nil
	})
	return ext, err
}

// Detect scores how much doc looks like an export this kind reads: 80 for
// a .csv or .jsonl name or media type whose columns are recognised, 50
// for content alone that has a header (or keys) with a text or rating
// column, 0 otherwise.
func Detect(doc connectors.Document) int {
	name := nameOf(doc.URL)
	byName := formatFromName(name)
	mt := strings.ToLower(doc.ContentType)
	switch {
	case strings.Contains(mt, "csv"), strings.Contains(mt, "tab-separated"):
		byName = "csv"
	case strings.Contains(mt, "ndjson"), strings.Contains(mt, "jsonl"):
		byName = "jsonl"
	}
	head := doc.Body
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	p := NewParams().(*Params)
	p.Format = byName
	format, cols, err := sniff(head, p)
	if err != nil || (cols.text < 0 && cols.rating < 0) {
		return 0
	}
	if t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf"); format == "csv" && (cols.width < 2 || len(t) == 0 || t[0] == '<') {
		return 0 // one column, or markup: not a table
	}
	if byName != "" && byName == format {
		return 80
	}
	if format == "json" {
		return 30 // any JSON array of objects: other kinds know better
	}
	return 50
}

// formatFromName reads the format from a file name's extension.
func formatFromName(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		return "csv"
	case ".jsonl", ".ndjson":
		return "jsonl"
	case ".json":
		return "json"
	}
	return ""
}
