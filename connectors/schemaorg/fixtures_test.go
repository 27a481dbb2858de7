package schemaorg

import (
	"encoding/json"
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/review"
)

// sharedFixtures is the team's development set of real documents, with
// expected.json; see its README for the comparison rules applied here.
const sharedFixtures = "../../../shared/fixtures"

type expectedDoc struct {
	Count     int                `json:"count"`
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

// TestSharedFixtures extracts every schema.org fixture and compares it
// with expected.json: the count, each example review (author, rating,
// best, date, title, text prefix after the README's normalisation) and
// the aggregate.
func TestSharedFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedFixtures, "expected.json"))
	if err != nil {
		t.Skipf("shared fixtures not available (%v); they live in /work/shared/fixtures", err)
	}
	var expected map[string]expectedDoc
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatalf("expected.json: %v", err)
	}
	var keys []string
	for k := range expected {
		if kind, _, _ := strings.Cut(k, "/"); kind == "jsonld" || kind == "microdata" || kind == "rdfa" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	// Every file of the three folders must have an expectation.
	for _, dir := range []string{"jsonld", "microdata", "rdfa"} {
		files, _ := filepath.Glob(filepath.Join(sharedFixtures, dir, "*"))
		for _, f := range files {
			if _, ok := expected[dir+"/"+filepath.Base(f)]; !ok {
				t.Errorf("%s/%s has no entry in expected.json", dir, filepath.Base(f))
			}
		}
	}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(sharedFixtures, key))
			if err != nil {
				t.Fatal(err)
			}
			want := expected[key]
			ext, err := Extract(connectors.Document{Body: body}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ok := checkFixture(t, want, ext)
			agg := "none"
			if a := ext.Aggregate; a != nil && a.Value != nil {
				agg = fmtNum(*a.Value) + " from " + fmtNum(float64(max(a.RatingCount, a.ReviewCount)))
			}
			status := "PASS"
			if !ok {
				status = "FAIL"
			}
			t.Logf("%s %s: %d reviews (want %d), aggregate %s, %d warnings", status, key, len(ext.Reviews), want.Count, agg, len(ext.Warnings))
			for _, w := range ext.Warnings {
				t.Logf("  warning: %s", w)
			}
		})
	}
}

func checkFixture(t *testing.T, want expectedDoc, ext connectors.Extraction) bool {
	t.Helper()
	ok := true
	if len(ext.Reviews) != want.Count {
		t.Errorf("count = %d, want %d", len(ext.Reviews), want.Count)
		ok = false
	}
	for i, ex := range want.Reviews {
		if !anyMatches(ex, ext.Reviews) {
			b, _ := json.Marshal(ex)
			t.Errorf("example %d matches no extracted review: %s", i+1, b)
			for _, r := range ext.Reviews {
				rb, _ := json.Marshal(r)
				t.Logf("  have %s", rb)
			}
			ok = false
		}
	}
	a := ext.Aggregate
	switch {
	case want.Aggregate == nil || want.Aggregate.Value == nil:
		if a != nil && a.Value != nil {
			t.Errorf("aggregate = %v, want none", *a.Value)
			ok = false
		}
	case a == nil || a.Value == nil:
		t.Errorf("no aggregate, want %v", *want.Aggregate.Value)
		ok = false
	default:
		w := want.Aggregate
		count := a.RatingCount
		if count == 0 {
			count = a.ReviewCount
		}
		if !approx(*a.Value, *w.Value) {
			t.Errorf("aggregate value = %v, want %v", *a.Value, *w.Value)
			ok = false
		}
		if w.Count != nil && count != *w.Count {
			t.Errorf("aggregate count = %d, want %d", count, *w.Count)
			ok = false
		}
		if w.ReviewCount != nil && a.ReviewCount != *w.ReviewCount {
			t.Errorf("aggregate review_count = %d, want %d", a.ReviewCount, *w.ReviewCount)
			ok = false
		}
		if w.Best != nil && (a.BestRating == nil || !approx(*a.BestRating, *w.Best)) {
			t.Errorf("aggregate best = %v, want %v", a.BestRating, *w.Best)
			ok = false
		}
	}
	return ok
}

func anyMatches(ex expectedReview, rs []review.Review) bool {
	for _, r := range rs {
		if matches(ex, r) {
			return true
		}
	}
	return false
}

func matches(ex expectedReview, r review.Review) bool {
	if ex.Author != nil && normText(*ex.Author) != normText(r.Author) {
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
	if ex.Title != nil && normText(*ex.Title) != normText(r.Title) {
		return false
	}
	if ex.TextPrefix != nil && !strings.HasPrefix(normText(r.Text), normText(*ex.TextPrefix)) {
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

var tagRE = regexp.MustCompile(`<[^>]*>`)

// normText is the README's normalisation: character references decoded,
// tags stripped (a <br> is whitespace), whitespace collapsed, trimmed.
func normText(s string) string {
	s = html.UnescapeString(s)
	s = tagRE.ReplaceAllString(s, " ")
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
