// Package pipeline turns what connectors collect into indexed reviews:
//
//	normalise -> identify -> deduplicate -> language -> enrich -> index
//
// Connectors hand over one page at a time (a Run is their Sink); each page
// is classified (new, updated, unchanged), and only new and updated
// reviews are enriched and written.
//
// Two ways to store: a plain Store (the index, or a test double), against
// which reviews are classified and upserted; or a Journal, which makes
// ingestion durable: reviews are classified against the state store's
// known reviews, and each batch of new versions is archived as collected
// (before enrichment) and durably, then indexed, before the page is
// acknowledged to the connector (see internal/ingest).
package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// LanguageDetector returns a review's language ("fr", "ru", "en" or "und")
// and the confidence of that decision. hint is the language the source
// declares, if any.
type LanguageDetector func(text, hint string) (lang string, confidence float64)

// Enricher adds understanding to a review whose language is known:
// sentiment, themes. Enrichers run in order and must be safe for
// concurrent use.
type Enricher interface {
	Name() string
	Enrich(r *review.Review)
}

// Store is where reviews go: the index, or a test double.
type Store interface {
	Lookup(ctx context.Context, ids []string) (map[string]index.Known, error)
	Upsert(ctx context.Context, reviews []review.Review) error
}

// Journal makes ingestion durable (internal/ingest implements it).
type Journal interface {
	// Known returns what is stored of the given ids of source; unknown
	// ids are absent.
	Known(ctx context.Context, source string, ids []string) (map[string]Known, error)
	// Commit archives the batch's new versions as collected, indexes them
	// enriched, and records what was seen; it returns once all of it is
	// durable. A batch is committed whole or not at all; committing the
	// same batch twice is harmless.
	Commit(ctx context.Context, b Batch) error
}

// Known is what a journal remembers of a review.
type Known struct {
	Hash    string
	Deleted bool
	// Seen is the last time a run saw this version.
	Seen time.Time
}

// Batch is what one page brought, for a journal.
type Batch struct {
	Source   string
	Location string
	At       time.Time
	// Changes are the new reviews and new versions of known ones.
	Changes []Change
	// Seen lists the ids of reviews seen unchanged.
	Seen []string
}

// Change is a new review or a new version of a known one.
type Change struct {
	// Raw is the review as collected and prepared, before enrichment: what
	// the archive keeps.
	Raw review.Review
	// Review is Raw enriched: what the index gets (the journal adds the
	// history of previous versions).
	Review review.Review
	// Prev is what was known of the review, nil for a new one.
	Prev *Known
}

// Pipeline holds the stages shared by every run.
type Pipeline struct {
	// Store is where reviews go when there is no Journal.
	Store Store
	// Journal, when set, is used instead of Store.
	Journal   Journal
	Language  LanguageDetector
	Enrichers []Enricher
	// Now is the clock used for fetched_at; tests replace it.
	Now    func() time.Time
	Logger *slog.Logger
}

// Stats counts what one run of a source did.
type Stats struct {
	Pages       int `json:"pages"`
	PagesFailed int `json:"pages_failed"`
	Found       int `json:"found"`
	New         int `json:"new"`
	Updated     int `json:"updated"`
	Unchanged   int `json:"unchanged"`
	// Deleted counts reviews marked deleted at the end of the run: a
	// complete listing no longer showed them.
	Deleted int `json:"deleted"`
	// Shown is the number of reviews the source says it has, when it says.
	Shown int `json:"shown,omitempty"`
	// Duplicates counts reviews seen twice in the run (on two pages).
	Duplicates int `json:"duplicates"`
	// Skipped counts items dropped as unusable (no text and no rating).
	Skipped   int               `json:"skipped"`
	Errors    []string          `json:"errors,omitempty"`
	Warnings  []string          `json:"warnings,omitempty"`
	Aggregate *review.Aggregate `json:"aggregate,omitempty"`
}

// maxMessages bounds the errors and warnings kept per run, so that a
// broken source cannot flood the summary.
const maxMessages = 50

// Run ingests the pages of one run of one source. It implements
// connectors.Sink and is safe for concurrent use.
type Run struct {
	p   *Pipeline
	src config.Source

	mu    sync.Mutex
	stats Stats
	seen  map[string]bool
	final bool
}

// NewRun starts a run of src.
func (p *Pipeline) NewRun(src config.Source) *Run {
	return &Run{p: p, src: src, seen: map[string]bool{}}
}

// Stats returns the run's counts so far.
func (r *Run) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Errors = append([]string(nil), s.Errors...)
	s.Warnings = append([]string(nil), s.Warnings...)
	return s
}

// Seen returns the ids of the reviews the run saw, in no order.
func (r *Run) Seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.seen))
	for id := range r.seen {
		out = append(out, id)
	}
	return out
}

// Final reports whether a page of the run was the last page of a complete
// listing (connectors.Page.Final).
func (r *Run) Final() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.final
}

// Warn records a warning about the run.
func (r *Run) Warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addMessage(&r.stats.Warnings, msg)
}

// Error records a failure of the run that happened outside any page.
func (r *Run) Error(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addMessage(&r.stats.Errors, err.Error())
}

func (r *Run) addMessage(list *[]string, msg string) {
	if len(*list) < maxMessages {
		*list = append(*list, msg)
	} else if len(*list) == maxMessages {
		*list = append(*list, "(more messages left out)")
	}
}

// Page implements connectors.Sink.
func (r *Run) Page(ctx context.Context, page connectors.Page) (connectors.PageResult, error) {
	now := r.p.now()
	r.mu.Lock()
	r.stats.Pages++
	if page.Err != nil {
		r.stats.PagesFailed++
		r.addMessage(&r.stats.Errors, page.Err.Error())
	}
	for _, w := range page.Warnings {
		r.addMessage(&r.stats.Warnings, fmt.Sprintf("%s: %s", page.URL, w))
	}
	if page.Aggregate != nil {
		r.stats.Aggregate = page.Aggregate
	}
	if page.Final {
		r.final = true
	}
	r.stats.Shown = max(r.stats.Shown, page.Shown)
	batch := make([]review.Review, 0, len(page.Reviews))
	for _, rv := range page.Reviews {
		r.stats.Found++
		if !Prepare(&rv, r.src, now) {
			r.stats.Skipped++
			continue
		}
		if r.seen[rv.ID] {
			r.stats.Duplicates++
			continue
		}
		r.seen[rv.ID] = true
		batch = append(batch, rv)
	}
	r.mu.Unlock()

	res, err := r.p.ingest(ctx, r.src, batch)
	r.mu.Lock()
	r.stats.New += res.New
	r.stats.Updated += res.Updated
	r.stats.Unchanged += res.Unchanged
	if err != nil {
		r.addMessage(&r.stats.Errors, err.Error())
	}
	r.mu.Unlock()
	return res, err
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Prepare normalises a collected review and gives it its identity within
// src. It reports false for an item that carries nothing to keep.
func Prepare(r *review.Review, src config.Source, fetched time.Time) bool {
	r.Text = textnorm.Text(r.Text)
	r.Title = textnorm.Line(r.Title)
	r.Author = textnorm.Line(r.Author)
	if r.Reply != nil {
		r.Reply.Text = textnorm.Text(r.Reply.Text)
		if r.Reply.Text == "" {
			r.Reply = nil
		}
	}
	if r.Text == "" && r.Title == "" && r.Rating == nil {
		return false
	}
	r.Brand, r.Location, r.Source = src.Brand, src.Location, src.ID
	if r.Kind == "" {
		r.Kind = review.KindReview
	}
	if r.FetchedAt.IsZero() {
		r.FetchedAt = fetched.UTC().Truncate(time.Second)
	}
	r.ID = review.MakeID(src.ID, r.ExternalID, r.Author, r.PublishedAt, r.Title+"\n"+r.Text)
	r.Normalize()
	return true
}

func (p *Pipeline) ingest(ctx context.Context, src config.Source, batch []review.Review) (connectors.PageResult, error) {
	if p.Journal != nil {
		return p.journal(ctx, src, batch)
	}
	return p.Ingest(ctx, batch)
}

// journal classifies prepared reviews of src against the journal, enriches
// the new and changed ones and commits the batch.
func (p *Pipeline) journal(ctx context.Context, src config.Source, batch []review.Review) (connectors.PageResult, error) {
	var res connectors.PageResult
	if len(batch) == 0 {
		return res, nil
	}
	ids := make([]string, len(batch))
	for i := range batch {
		ids[i] = batch[i].ID
	}
	known, err := p.Journal.Known(ctx, src.ID, ids)
	if err != nil {
		return res, fmt.Errorf("pipeline: %w", err)
	}
	b := Batch{Source: src.ID, Location: src.Location, At: p.now().UTC()}
	for i := range batch {
		rv := &batch[i]
		k, ok := known[rv.ID]
		switch {
		case !ok:
			res.New++
		case k.Hash != rv.ContentHash() || k.Deleted:
			// Edited, or back after being marked deleted.
			res.Updated++
		default:
			res.Unchanged++
			b.Seen = append(b.Seen, rv.ID)
			continue
		}
		c := Change{Raw: Clone(*rv)}
		if ok {
			c.Prev = &k
		}
		b.Changes = append(b.Changes, c)
	}
	if err := ctx.Err(); err != nil {
		return connectors.PageResult{}, err
	}
	for i := range b.Changes {
		c := &b.Changes[i]
		c.Review = Clone(c.Raw)
		p.Enrich(&c.Review)
	}
	// A batch that was started is finished: a shutdown waits for it.
	if err := p.Journal.Commit(context.WithoutCancel(ctx), b); err != nil {
		return connectors.PageResult{}, fmt.Errorf("pipeline: %w", err)
	}
	return res, nil
}

// Clone returns a deep copy of r, so that enriching the copy leaves r as
// it was.
func Clone(r review.Review) review.Review {
	cp := func(f *float64) *float64 {
		if f == nil {
			return nil
		}
		v := *f
		return &v
	}
	r.Rating, r.BestRating, r.RatingNorm, r.WorstRating = cp(r.Rating), cp(r.BestRating), cp(r.RatingNorm), cp(r.WorstRating)
	if r.Reply != nil {
		reply := *r.Reply
		r.Reply = &reply
	}
	if r.Sentiment != nil {
		s := *r.Sentiment
		s.Evidence = append([]review.Evidence(nil), s.Evidence...)
		s.Sentences = append([]review.SentenceSentiment(nil), s.Sentences...)
		r.Sentiment = &s
	}
	if r.Themes != nil {
		themes := make([]review.Theme, len(r.Themes))
		for i, t := range r.Themes {
			t.Evidence = append([]review.Evidence(nil), t.Evidence...)
			themes[i] = t
		}
		r.Themes = themes
	}
	if r.History != nil {
		h := make([]review.Version, len(r.History))
		for i, v := range r.History {
			v.Rating = cp(v.Rating)
			if v.Reply != nil {
				reply := *v.Reply
				v.Reply = &reply
			}
			h[i] = v
		}
		r.History = h
	}
	return r
}

// Ingest classifies prepared reviews against the store, enriches the new
// and changed ones and writes them.
func (p *Pipeline) Ingest(ctx context.Context, batch []review.Review) (connectors.PageResult, error) {
	var res connectors.PageResult
	if len(batch) == 0 {
		return res, nil
	}
	ids := make([]string, len(batch))
	for i := range batch {
		ids[i] = batch[i].ID
	}
	known, err := p.Store.Lookup(ctx, ids)
	if err != nil {
		return res, fmt.Errorf("pipeline: %w", err)
	}
	write := batch[:0:0]
	for i := range batch {
		rv := &batch[i]
		k, ok := known[rv.ID]
		switch {
		case !ok:
			res.New++
		case k.Hash != rv.ContentHash():
			res.Updated++
		default:
			res.Unchanged++
			continue
		}
		p.Enrich(rv)
		write = append(write, *rv)
	}
	if len(write) == 0 {
		return res, nil
	}
	if err := p.Store.Upsert(ctx, write); err != nil {
		return connectors.PageResult{}, fmt.Errorf("pipeline: %w", err)
	}
	return res, nil
}

// Enrich detects the review's language and runs the enrichers.
func (p *Pipeline) Enrich(r *review.Review) {
	if p.Language != nil {
		text := r.Text
		if r.Title != "" {
			text = r.Title + "\n" + r.Text
		}
		r.Lang, r.LangConfidence = p.Language(text, r.LangHint)
	}
	if r.Lang == "" {
		r.Lang = review.LangUnknown
	}
	for _, e := range p.Enrichers {
		e.Enrich(r)
	}
}
