package conntest

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// SharedFixtures is the team's development set of real documents with
// expected.json (see its README for the comparison rules), seen from a
// package two folders below the project; it is absent on users' clones.
const SharedFixtures = "../../../shared/fixtures"

// Expected is one entry of expected.json.
type Expected struct {
	Count     int                `json:"count"`
	CountNote string             `json:"count_note"`
	Reviews   []ExpectedReview   `json:"reviews"`
	Aggregate *ExpectedAggregate `json:"aggregate"`
}

// ExpectedReview is an example review: every field given must match one
// extracted review.
type ExpectedReview struct {
	Author     *string          `json:"author"`
	Rating     *json.RawMessage `json:"rating"`
	Best       *float64         `json:"best"`
	Date       *string          `json:"date"`
	Title      *string          `json:"title"`
	TextPrefix *string          `json:"text_prefix"`
}

// ExpectedAggregate is the document's rating summary.
type ExpectedAggregate struct {
	Value       *float64 `json:"value"`
	Count       *int     `json:"count"`
	Best        *float64 `json:"best"`
	ReviewCount *int     `json:"review_count"`
}

// LoadExpected reads SharedFixtures/expected.json, skipping the test when
// the shared fixtures are not there. It returns the entries and their
// names, sorted.
func LoadExpected(t testing.TB) (map[string]Expected, []string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(SharedFixtures, "expected.json"))
	if err != nil {
		t.Skipf("shared fixtures not available (%v): skipping the comparison with expected.json", err)
	}
	var expected map[string]Expected
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatalf("expected.json: %v", err)
	}
	names := make([]string, 0, len(expected))
	for name := range expected {
		names = append(names, name)
	}
	sort.Strings(names)
	return expected, names
}

// CheckExtraction compares what was extracted from a document with its
// entry: the count, each example review, and the aggregate. It reports
// whether everything agreed.
func CheckExtraction(t testing.TB, want Expected, got []review.Review, agg *review.Aggregate) bool {
	t.Helper()
	ok := true
	if len(got) != want.Count {
		t.Errorf("%d reviews, want %d %s", len(got), want.Count, want.CountNote)
		ok = false
	}
	for i, ex := range want.Reviews {
		if !anyMatches(ex, got) {
			b, _ := json.Marshal(ex)
			t.Errorf("example review %d matches none of the %d extracted: %s", i+1, len(got), b)
			for _, r := range got {
				rb, _ := json.Marshal(r)
				t.Logf("  have %s", rb)
			}
			ok = false
		}
	}
	return checkAggregate(t, want.Aggregate, agg) && ok
}

func checkAggregate(t testing.TB, want *ExpectedAggregate, a *review.Aggregate) bool {
	t.Helper()
	var problems []string
	switch {
	case want == nil || want.Value == nil:
		if a != nil && a.Value != nil {
			problems = append(problems, fmt.Sprintf("aggregate = %v, want none", *a.Value))
		}
	case a == nil || a.Value == nil:
		problems = append(problems, fmt.Sprintf("no aggregate, want %v", *want.Value))
	default:
		count := a.RatingCount
		if count == 0 {
			count = a.ReviewCount
		}
		if !approx(*a.Value, *want.Value) {
			problems = append(problems, fmt.Sprintf("aggregate value = %v, want %v", *a.Value, *want.Value))
		}
		if want.Count != nil && count != *want.Count {
			problems = append(problems, fmt.Sprintf("aggregate count = %d, want %d", count, *want.Count))
		}
		if want.ReviewCount != nil && a.ReviewCount != *want.ReviewCount {
			problems = append(problems, fmt.Sprintf("aggregate review_count = %d, want %d", a.ReviewCount, *want.ReviewCount))
		}
		if want.Best != nil && (a.BestRating == nil || !approx(*a.BestRating, *want.Best)) {
			problems = append(problems, fmt.Sprintf("aggregate best = %v, want %v", a.BestRating, *want.Best))
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
	return len(problems) == 0
}

func anyMatches(ex ExpectedReview, rs []review.Review) bool {
	for _, r := range rs {
		if matches(ex, r) {
			return true
		}
	}
	return false
}

func matches(ex ExpectedReview, r review.Review) bool {
	if ex.Author != nil && FixtureNorm(*ex.Author) != FixtureNorm(r.Author) {
		return false
	}
	if ex.Rating != nil {
		var want *float64
		if err := json.Unmarshal(*ex.Rating, &want); err != nil {
			return false
		}
		switch {
		case want == nil && r.Rating != nil, want != nil && r.Rating == nil:
			return false
		case want != nil && !approx(*want, *r.Rating):
			return false
		}
	}
	if ex.Best != nil && (r.BestRating == nil || !approx(*ex.Best, *r.BestRating)) {
		return false
	}
	if ex.Date != nil && !sameDate(*ex.Date, r.PublishedAt) {
		return false
	}
	if ex.Title != nil && FixtureNorm(*ex.Title) != FixtureNorm(r.Title) {
		return false
	}
	if ex.TextPrefix != nil && !strings.HasPrefix(FixtureNorm(r.Text), FixtureNorm(*ex.TextPrefix)) {
		return false
	}
	return true
}

// sameDate applies the README's rule: a date-only value is the calendar
// date of the extracted time in its own offset; a timestamp is an
// instant.
func sameDate(want string, got time.Time) bool {
	if got.IsZero() {
		return false
	}
	if len(want) == len("2006-01-02") {
		return got.Format("2006-01-02") == want
	}
	w, err := time.Parse(time.RFC3339, want)
	return err == nil && w.Equal(got)
}

// FixtureNorm is the README's normalisation: character references
// decoded, tags stripped (a <br> is whitespace), whitespace runs
// collapsed, trimmed.
func FixtureNorm(s string) string { return strings.Join(strings.Fields(textnorm.HTML(s)), " ") }

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
