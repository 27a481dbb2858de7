package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// sharedFixtures is the folder of real documents with expected
// extractions, next to the project (absent on users' clones).
const sharedFixtures = "../../../shared/fixtures"

// expectedDoc is one entry of expected.json; see its README.
type expectedDoc struct {
	Count     int                `json:"count"`
	CountNote string             `json:"count_note"`
	Reviews   []expectedReview   `json:"reviews"`
	Aggregate *expectedAggregate `json:"aggregate"`
}

type expectedReview struct {
	Author     *string          `json:"author"`
	Rating     *json.RawMessage `json:"rating"`
	Best       *float64         `json:"best"`
	Date       *string          `json:"date"`
	Title      *string          `json:"title"`
	TextPrefix *string          `json:"text_prefix"`
}

type expectedAggregate struct {
	Value       *float64 `json:"value"`
	Count       *int     `json:"count"`
	Best        *float64 `json:"best"`
	ReviewCount *int     `json:"review_count"`
}

// TestSharedFixtures runs `vigie extract` over every document of the shared
// fixtures and compares the reviews with expected.json, as its README
// describes: the count, and for each example review one extracted review
// matching every field given.
func TestSharedFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedFixtures, "expected.json"))
	if err != nil {
		t.Skipf("shared fixtures not available (%v): skipping the comparison with expected.json", err)
	}
	var expected map[string]expectedDoc
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(expected))
	for name := range expected {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := expected[name]
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(sharedFixtures, name)
			code, out, errOut := vigie(t, "extract", path)
			if code != 0 {
				t.Fatalf("extract exit %d: %s", code, errOut)
			}
			got := jsonLines[review.Review](t, out)
			if len(got) != want.Count {
				t.Errorf("%d reviews, want %d (%s)", len(got), want.Count, want.CountNote)
			}
			for i, w := range want.Reviews {
				if !anyMatches(got, w) {
					t.Errorf("example review %d (%s) not found among %d extracted", i+1, describeExpected(w), len(got))
				}
			}
			checkAggregate(t, path, want.Aggregate)
			t.Logf("%s: %d reviews (want %d), %d examples checked", name, len(got), want.Count, len(want.Reviews))
		})
	}
}

func anyMatches(got []review.Review, w expectedReview) bool {
	for _, r := range got {
		if reviewMatches(r, w) {
			return true
		}
	}
	return false
}

// fixtureNorm is the README's normalisation: references decoded, tags
// stripped (<br> as whitespace), whitespace runs collapsed, trimmed.
func fixtureNorm(s string) string {
	return strings.Join(strings.Fields(textnorm.HTML(s)), " ")
}

func reviewMatches(r review.Review, w expectedReview) bool {
	if w.Author != nil && fixtureNorm(r.Author) != fixtureNorm(*w.Author) {
		return false
	}
	if w.Rating != nil {
		if string(*w.Rating) == "null" {
			if r.Rating != nil {
				return false
			}
		} else {
			var v float64
			if json.Unmarshal(*w.Rating, &v) != nil || r.Rating == nil || math.Abs(*r.Rating-v) > 1e-9 {
				return false
			}
		}
	}
	if w.Best != nil && (r.BestRating == nil || math.Abs(*r.BestRating-*w.Best) > 1e-9) {
		return false
	}
	if w.Date != nil && !sameDate(r.PublishedAt, *w.Date) {
		return false
	}
	if w.Title != nil && fixtureNorm(r.Title) != fixtureNorm(*w.Title) {
		return false
	}
	if w.TextPrefix != nil && !strings.HasPrefix(fixtureNorm(r.Text), fixtureNorm(*w.TextPrefix)) {
		return false
	}
	return true
}

// sameDate compares a date-only value with the calendar date in the
// document's own offset, and a timestamp as an instant.
func sameDate(got time.Time, want string) bool {
	if got.IsZero() {
		return false
	}
	if len(want) == len("2006-01-02") {
		return got.Format("2006-01-02") == want
	}
	t, err := time.Parse(time.RFC3339, want)
	return err == nil && t.Equal(got)
}

func describeExpected(w expectedReview) string {
	var parts []string
	if w.Author != nil {
		parts = append(parts, "author "+*w.Author)
	}
	if w.Rating != nil {
		parts = append(parts, "rating "+string(*w.Rating))
	}
	if w.Date != nil {
		parts = append(parts, "date "+*w.Date)
	}
	if w.TextPrefix != nil {
		parts = append(parts, fmt.Sprintf("text %q", *w.TextPrefix))
	}
	return strings.Join(parts, ", ")
}

// checkAggregate compares the document's rating summary, read by the same
// kind that `vigie extract` detects.
func checkAggregate(t *testing.T, path string, want *expectedAggregate) {
	t.Helper()
	env := &Env{Registry: connectors.Default}
	doc, err := readDocument(context.Background(), env, path, "", defaultCrawler())
	if err != nil {
		t.Fatal(err)
	}
	kind, ok := env.Registry.Detect(doc)
	if !ok {
		t.Fatalf("no kind detected")
	}
	ext, err := kind.Extract(context.Background(), nil, doc)
	if err != nil {
		t.Fatal(err)
	}
	got := ext.Aggregate
	if want == nil || want.Value == nil {
		if got != nil && got.Value != nil {
			t.Errorf("aggregate %v, want none", *got.Value)
		}
		return
	}
	if got == nil || got.Value == nil || math.Abs(*got.Value-*want.Value) > 1e-9 {
		t.Errorf("aggregate %+v, want value %v", got, *want.Value)
		return
	}
	if want.Count != nil {
		count := got.RatingCount
		if count == 0 {
			count = got.ReviewCount
		}
		if count != *want.Count {
			t.Errorf("aggregate count %d, want %d", count, *want.Count)
		}
	}
	if want.Best != nil && (got.BestRating == nil || *got.BestRating != *want.Best) {
		t.Errorf("aggregate best %v, want %v", got.BestRating, *want.Best)
	}
	if want.ReviewCount != nil && got.ReviewCount != *want.ReviewCount {
		t.Errorf("aggregate review_count %d, want %d", got.ReviewCount, *want.ReviewCount)
	}
}

func defaultCrawler() config.Crawler { return config.Default().Crawler }
