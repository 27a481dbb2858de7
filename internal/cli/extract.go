package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/internal/collect"
	"github.com/vigie-dev/vigie/internal/pipeline"
)

var extractCommand = command{
	name:    "extract",
	summary: "Extract the reviews of one page, saved file or API response and print them as JSON lines (no index): the tool for a site that does not work.",
	usage:   "extract [--kind KIND] [--base-url URL] [--config FILE [--source ID]] FILE|URL",
	run:     runExtract,
}

func runExtract(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	kindName := fs.String("kind", "", "the source `kind` that reads the document (default: detected from the content)")
	baseURL := fs.String("base-url", "", "the `URL` a saved file came from, to resolve its links")
	cfgPath := fs.String("config", "", "configuration `file` whose crawler settings to use when fetching a URL (optional)")
	sourceID := fs.String("source", "", "read the document with this configured source's kind and parameters (`id`; needs --config): how to try an html source's selectors on a saved page")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one FILE or URL")
	}
	target := pos[0]
	crawler := config.Default().Crawler
	var params any
	if *sourceID != "" && *cfgPath == "" {
		return usagef("--source needs --config")
	}
	if *cfgPath != "" {
		cfg, err := loadConfig(env, *cfgPath)
		if err != nil {
			return err
		}
		crawler = cfg.Crawler
		if *sourceID != "" {
			srcs, err := selectSources(cfg, []string{*sourceID})
			if err != nil {
				return err
			}
			if *kindName != "" && *kindName != srcs[0].Kind {
				return usagef("--kind %q contradicts source %s, which is of kind %q", *kindName, *sourceID, srcs[0].Kind)
			}
			*kindName, params = srcs[0].Kind, srcs[0].Params
		}
	}
	if *baseURL != "" {
		if err := config.CheckURL("--base-url", *baseURL); err != nil {
			return usagef("%v", err)
		}
	}
	var kind connectors.Kind
	if *kindName != "" {
		k, ok := env.Registry.Lookup(*kindName)
		if !ok || k.Extract == nil {
			return usagef("--kind %q: kinds that can extract: %s", *kindName, strings.Join(extractKinds(env.Registry), ", "))
		}
		kind = k
	}

	doc, err := readDocument(ctx, env, target, *baseURL, crawler)
	if err != nil {
		return err
	}
	if kind.Name == "" {
		k, ok := env.Registry.Detect(doc)
		if !ok {
			return fmt.Errorf("%s: no review markup or known response format found (try --kind: %s)", target, strings.Join(extractKinds(env.Registry), ", "))
		}
		kind = k
	}
	ext, err := kind.Extract(ctx, params, doc)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	now := time.Now()
	src := config.Source{ID: *sourceID, Kind: kind.Name}
	for i := range ext.Reviews {
		r := &ext.Reviews[i]
		if !pipeline.Prepare(r, src, now) {
			ext.Warnings = append(ext.Warnings, fmt.Sprintf("review %d: no text, title or rating: left out", i+1))
			continue
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	for _, w := range ext.Warnings {
		fmt.Fprintf(env.Stderr, "%s: warning: %s\n", target, w)
	}
	msg := fmt.Sprintf("%s: %d reviews (kind %s)", target, len(ext.Reviews), kind.Name)
	if a := ext.Aggregate; a != nil && a.Value != nil {
		best := 5.0
		if a.BestRating != nil {
			best = *a.BestRating
		}
		msg += fmt.Sprintf("; the page rates it %g/%g", *a.Value, best)
		if a.RatingCount > 0 {
			msg += fmt.Sprintf(" from %d ratings", a.RatingCount)
		} else if a.ReviewCount > 0 {
			msg += fmt.Sprintf(" from %d reviews", a.ReviewCount)
		}
	}
	for _, n := range ext.Next {
		msg += "\nnext page: " + n
	}
	fmt.Fprintln(env.Stderr, msg)
	return nil
}

func extractKinds(r *connectors.Registry) []string {
	var out []string
	for _, n := range r.Names() {
		if k, _ := r.Lookup(n); k.Extract != nil {
			out = append(out, n)
		}
	}
	return out
}

// readDocument fetches a URL (politely, as a crawl would) or reads a file.
func readDocument(ctx context.Context, env *Env, target, baseURL string, crawler config.Crawler) (connectors.Document, error) {
	if u, err := url.Parse(target); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		client := collect.NewClient(crawler, nil)
		resp, err := client.Do(ctx, &fetch.Request{URL: target, Robots: crawler.RobotsEnabled(), Raw: false})
		if err != nil {
			return connectors.Document{}, err
		}
		return connectors.Document{URL: resp.URL, ContentType: resp.Header.Get("Content-Type"), Body: resp.Body}, nil
	}
	raw, err := os.ReadFile(target)
	if err != nil {
		return connectors.Document{}, usageError{err}
	}
	// The extension gives the media type only: a saved file's charset is
	// its own business (a windows-1251 page says so in its <meta>).
	ct, _, _ := mime.ParseMediaType(mime.TypeByExtension(strings.ToLower(filepath.Ext(target))))
	doc := connectors.Document{URL: baseURL, ContentType: ct, Body: raw}
	// Pages and JSON are decoded here as a crawl would; feeds and exports
	// are left to their readers, which honour the XML declaration or
	// detect the spreadsheet's encoding.
	if ct == "text/html" || ct == "application/xhtml+xml" || ct == "application/json" || ct == "" && !isDataFile(target) {
		doc.Body, _ = fetch.Decode(raw, ct)
	}
	return doc, nil
}

func isDataFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".jsonl", ".ndjson", ".xml", ".rss", ".atom":
		return true
	}
	return false
}
