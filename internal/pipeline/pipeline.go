// Package pipeline turns what connectors collect into indexed reviews:
//
//	normalise -> identify -> deduplicate -> language -> enrich -> index
//
// Connectors hand over one page at a time (a Run is their Sink); each page
// is classified against the index (new, updated, unchanged), and only new
// and updated reviews are enriched and written.
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

// Pipeline holds the stages shared by every run.
type Pipeline struct {
	Store     Store
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

	res, err := r.p.Ingest(ctx, batch)
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
