// Package connectors defines how Vigie collects reviews from a source: the
// Connector interface, the registry of source kinds, and (in fetch) the one
// polite HTTP client every web connector uses.
//
// Each kind lives in its own package under connectors/ and registers itself
// in an init function; connectors/all imports them all.
package connectors

import (
	"context"
	"log/slog"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/internal/review"
)

// Connector collects the reviews of one configured source.
//
// Lifecycle: the registry builds a Connector for one run with Kind.New;
// Collect is then called once. Collect fetches pages (or API responses) in
// order, newest first where the source allows, and hands each page's
// reviews to the sink as soon as it has them, so that a failure on page 7
// loses nothing of pages 1 to 6. Collect returns when the source is
// exhausted, when the page limit is reached, when the sink says the rest is
// already known (incremental runs), or when ctx is done. A page that cannot
// be read or parsed is reported to the sink with Page.Err and the run goes
// on where it can; Collect returns an error only when the run could not
// continue.
type Connector interface {
	Collect(ctx context.Context, sink Sink) error
}

// Sink receives what a connector collects.
type Sink interface {
	// Page takes the reviews found on one page. The result tells whether
	// they were new, so that a connector of a newest-first source can stop
	// once a whole page is already known.
	Page(ctx context.Context, p Page) (PageResult, error)
}

// Page is what one fetched page or API response yielded.
type Page struct {
	URL     string
	Reviews []review.Review
	// Aggregate is the source's own rating summary for the location, if the
	// page shows one.
	Aggregate *review.Aggregate
	// Err is set when the page could not be fetched or read; Reviews then
	// holds whatever could be recovered.
	Err error
	// Warnings are problems with single items (a malformed date, a review
	// without text or rating) that did not stop the page.
	Warnings []string
	// Shown is the total number of reviews the source says it has for the
	// location, when it says (for collected-vs-shown coverage); 0 if not.
	Shown int
	// Final marks the last page of a complete listing: the connector went
	// through every page of a source that lists all its reviews, without
	// stopping early. Reviews of the source not seen in such a run have
	// been deleted from the source.
	Final bool
}

// PageResult is how the sink classified a page's reviews.
type PageResult struct {
	New, Updated, Unchanged int
}

// AllKnown reports whether every review of the page was already stored
// unchanged: an incremental connector can stop paging.
func (r PageResult) AllKnown() bool { return r.New == 0 && r.Updated == 0 && r.Unchanged > 0 }

// Env is what a connector is built with: its source, the shared HTTP
// client, and the run's settings.
type Env struct {
	Source  config.Source
	Crawler config.Crawler
	// Client is the polite HTTP client shared by all connectors of the
	// process (per-host limits, robots.txt, retries, charset decoding).
	Client *fetch.Client
	Logger *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Incremental asks the connector to stop paging once it reaches
	// reviews the sink already has.
	Incremental bool
}

// MaxPages is the run's page cap.
func (e Env) MaxPages() int { return e.Source.PageLimit(e.Crawler) }

// Robots reports whether robots.txt is obeyed for this source.
func (e Env) Robots() bool { return e.Source.RobotsEnabled(e.Crawler) }

// Document is a fetched page or saved response, as given to an extractor.
type Document struct {
	// URL is where the document came from; relative links resolve against
	// it. It may be empty for a local file without --base-url.
	URL string
	// ContentType is the media type, when known.
	ContentType string
	// Body is the document, already decoded to UTF-8.
	Body []byte
}

// Extraction is what an extractor found in one document.
type Extraction struct {
	Reviews   []review.Review
	Aggregate *review.Aggregate
	// Next lists the links to the following pages, if the document has
	// pagination.
	Next []string
	// Warnings are problems with single items that did not stop extraction.
	Warnings []string
}

// Extractor reads reviews out of one document, with no network access. It
// backs `vigie extract` and the connectors' own parsing.
type Extractor interface {
	Extract(ctx context.Context, doc Document) (Extraction, error)
}
