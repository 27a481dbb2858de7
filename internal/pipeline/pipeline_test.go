package pipeline

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/review"
)

// memStore is an in-memory Store.
type memStore struct {
	mu      sync.Mutex
	reviews map[string]review.Review
	writes  int
}

func (m *memStore) Lookup(_ context.Context, ids []string) (map[string]index.Known, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]index.Known{}
	for _, id := range ids {
		if r, ok := m.reviews[id]; ok {
			out[id] = index.Known{Hash: r.ContentHash()}
		}
	}
	return out, nil
}

func (m *memStore) Upsert(_ context.Context, rs []review.Review) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range rs {
		m.reviews[r.ID] = r
		m.writes++
	}
	return nil
}

type upper struct{}

func (upper) Name() string { return "test" }
func (upper) Enrich(r *review.Review) {
	r.Sentiment = &review.Sentiment{Label: "neutral"}
}

var src = config.Source{ID: "paris-site", Kind: "schemaorg", Brand: "acme", Location: "paris"}

func newPipeline() (*Pipeline, *memStore) {
	store := &memStore{reviews: map[string]review.Review{}}
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &Pipeline{
		Store:     store,
		Language:  func(text, hint string) (string, float64) { return "fr", 0.9 },
		Enrichers: []Enricher{upper{}},
		Now:       func() time.Time { return fixed },
	}, store
}

func page(reviews ...review.Review) connectors.Page {
	return connectors.Page{URL: "https://example.com/p", Reviews: reviews}
}

func TestRunClassifiesReviews(t *testing.T) {
	p, store := newPipeline()
	ctx := context.Background()
	a := review.Review{ExternalID: "1", Author: "Anne", Text: "Très  bon &amp; pas cher", Rating: review.Float(4)}
	b := review.Review{Author: "Boris", Text: "Долго ждали", Rating: review.Float(2)}
	empty := review.Review{Author: "Nobody"}

	run := p.NewRun(src)
	res, err := run.Page(ctx, page(a, b, empty, a))
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 2 || res.Unchanged != 0 {
		t.Errorf("first page: %+v", res)
	}
	st := run.Stats()
	if st.Found != 4 || st.Skipped != 1 || st.Duplicates != 1 || st.New != 2 {
		t.Errorf("stats: %+v", st)
	}
	got := store.reviews[review.MakeID("paris-site", "1", "", time.Time{}, "")]
	if got.Text != "Très bon & pas cher" || got.Lang != "fr" || got.Sentiment == nil || got.Brand != "acme" ||
		got.Location != "paris" || got.Source != "paris-site" || got.Kind != review.KindReview || *got.RatingNorm != 0.75 ||
		got.FetchedAt.IsZero() {
		t.Errorf("stored review: %+v", got)
	}

	// A second run: the same reviews are unchanged, an edit is an update.
	run = p.NewRun(src)
	edited := a
	edited.Text = "Très bon, mais plus cher qu'avant"
	res, err = run.Page(ctx, page(edited, b))
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || res.Unchanged != 1 || res.New != 0 {
		t.Errorf("second run: %+v", res)
	}
	res, _ = p.NewRun(src).Page(ctx, page(edited, b))
	if !res.AllKnown() {
		t.Errorf("third run must find everything known: %+v", res)
	}
	if len(store.reviews) != 2 {
		t.Errorf("store holds %d reviews, want 2", len(store.reviews))
	}
}

func TestRunRecordsPageErrors(t *testing.T) {
	p, _ := newPipeline()
	run := p.NewRun(src)
	_, err := run.Page(context.Background(), connectors.Page{URL: "https://example.com/p2", Err: errors.New("fetch: GET https://example.com/p2: 500"), Warnings: []string{"review 3: unreadable date"}})
	if err != nil {
		t.Fatal(err)
	}
	st := run.Stats()
	if st.PagesFailed != 1 || len(st.Errors) != 1 || len(st.Warnings) != 1 || st.Warnings[0] != "https://example.com/p2: review 3: unreadable date" {
		t.Errorf("stats: %+v", st)
	}
}

func TestPrepareIdentity(t *testing.T) {
	day := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		a, b   review.Review
		sameID bool
	}{
		{"same external id, new text", review.Review{ExternalID: "x", Text: "a"}, review.Review{ExternalID: "x", Text: "b"}, true},
		{"no id: whitespace and markup differences", review.Review{Author: "Ann", PublishedAt: day, Text: "Great  coffee!"}, review.Review{Author: "Ann", PublishedAt: day.Add(time.Hour), Text: "Great coffee"}, true},
		{"no id: other author", review.Review{Author: "Ann", Text: "Great"}, review.Review{Author: "Bob", Text: "Great"}, false},
		{"no id: other day", review.Review{Author: "Ann", PublishedAt: day, Text: "Great"}, review.Review{Author: "Ann", PublishedAt: day.AddDate(0, 0, 1), Text: "Great"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Now()
			Prepare(&tt.a, src, now)
			Prepare(&tt.b, src, now)
			if (tt.a.ID == tt.b.ID) != tt.sameID {
				t.Errorf("ids %s and %s: same=%v, want %v", tt.a.ID, tt.b.ID, tt.a.ID == tt.b.ID, tt.sameID)
			}
		})
	}
}
