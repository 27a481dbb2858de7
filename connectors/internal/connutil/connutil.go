// Package connutil holds what the source kinds of connectors/ do alike:
// the first checks of New, the adapter of Kind.Extract, start pages, the
// page loop of a listing read page after page (Pages.Walk), the queue of
// a crawl that follows next links (Frontier), and the small text helpers
// of their error messages and warnings.
//
// It changes nothing in what a kind says: every message keeps the form
// the kinds have always given, with the kind's name in front.
package connutil

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
)

// Prepare does what the New function of every kind does first: it takes
// env.Source.Params as a *P (an error unless it is one, and not nil),
// validates it, checks that env has an HTTP client when client is true,
// and returns the parameters with env.Logger, or a logger that discards
// when env has none. Its errors read `kind: source "id": …`:
//
//	kind: source "id": parameters are <nil>, not *kind.Params
//	kind: source "id": <the Validate error>
//	kind: source "id": no HTTP client
func Prepare[P any, PP interface {
	*P
	Validate() error
}](kind string, env connectors.Env, client bool) (PP, *slog.Logger, error) {
	p, ok := env.Source.Params.(PP)
	if !ok || p == nil {
		return nil, nil, fmt.Errorf("%s: source %q: parameters are %T, not %T", kind, env.Source.ID, env.Source.Params, PP(nil))
	}
	if err := p.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%s: source %q: %w", kind, env.Source.ID, err)
	}
	if client && env.Client == nil {
		return nil, nil, fmt.Errorf("%s: source %q: no HTTP client", kind, env.Source.ID)
	}
	return p, Logger(env), nil
}

// Logger is env.Logger, or a logger that discards when env has none.
func Logger(env connectors.Env) *slog.Logger {
	if env.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return env.Logger
}

// ExtractFunc is the type of connectors.Kind.Extract.
type ExtractFunc = func(ctx context.Context, params any, doc connectors.Document) (connectors.Extraction, error)

// Extract adapts the extractor of a kind whose saved documents need no
// parameters to connectors.Kind.Extract: it returns ctx's error once ctx
// is done, and what extract finds in doc otherwise.
func Extract(extract func(doc connectors.Document) (connectors.Extraction, error)) ExtractFunc {
	return func(ctx context.Context, _ any, doc connectors.Document) (connectors.Extraction, error) {
		if err := ctx.Err(); err != nil {
			return connectors.Extraction{}, err
		}
		return extract(doc)
	}
}

// ExtractWith is Extract for an extractor that reads the source's
// parameters: p is the *P given, nil when there is none (no configured
// source, as with `vigie extract`) or when it is of another type. What
// nil means (the defaults, an error) is extract's to say.
func ExtractWith[P any](extract func(p *P, doc connectors.Document) (connectors.Extraction, error)) ExtractFunc {
	return func(ctx context.Context, params any, doc connectors.Document) (connectors.Extraction, error) {
		if err := ctx.Err(); err != nil {
			return connectors.Extraction{}, err
		}
		p, _ := params.(*P)
		return extract(p, doc)
	}
}

// DefaultMaxPages caps a run whose environment sets no page limit.
const DefaultMaxPages = 50

// MaxPages is the run's page cap: env.MaxPages(), or DefaultMaxPages when
// the environment sets none.
func MaxPages(env connectors.Env) int {
	if n := env.MaxPages(); n > 0 {
		return n
	}
	return DefaultMaxPages
}

// Starts lists a source's start pages: url first, then urls, trimmed,
// without empty or repeated ones.
func Starts(url string, urls []string) []string {
	var out []string
	for _, u := range append([]string{url}, urls...) {
		if u = strings.TrimSpace(u); u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// CheckStarts checks a source's start pages, given as url and urls: that
// there is one, and that each is an absolute http(s) URL. what names them
// in the error for none: "url: is required (or list <what> under urls)".
func CheckStarts(url string, urls []string, what string) []error {
	var errs []error
	if strings.TrimSpace(url) == "" && len(urls) == 0 {
		errs = append(errs, config.Invalid("url", "is required (or list %s under urls)", what))
	}
	if url != "" {
		if err := config.CheckURL("url", url); err != nil {
			errs = append(errs, err)
		}
	}
	for i, u := range urls {
		if err := config.CheckURL(fmt.Sprintf("urls[%d]", i), u); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// CheckSecret checks a credential parameter (an API key, a token), which
// is meant to come from the environment as ${ENV_VAR}: that it is set,
// when required says what it is ("is required: <required> (write
// ${ENV_VAR} …)"); that it holds no ${…} reference left unexpanded; and
// that it holds none of the characters of bad, with badWhy as the error
// then. It returns nil or one error, which never quotes the value.
func CheckSecret(field, value, required, bad, badWhy string) error {
	switch {
	case required != "" && strings.TrimSpace(value) == "":
		return config.Invalid(field, "is required: %s (write ${ENV_VAR} to take it from the environment)", required)
	case strings.Contains(value, "${"):
		return config.Invalid(field, "holds an unexpanded ${…} reference: is the environment variable set?")
	case bad != "" && strings.ContainsAny(value, bad):
		return config.Invalid(field, "%s", badWhy)
	}
	return nil
}
