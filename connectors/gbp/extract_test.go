package gbp

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/internal/review"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// golden is the form of the golden files.
type golden struct {
	Reviews   []review.Review   `json:"reviews"`
	Aggregate *review.Aggregate `json:"aggregate,omitempty"`
	Warnings  []string          `json:"warnings,omitempty"`
}

func TestExtractGolden(t *testing.T) {
	for _, name := range []string{"reviews-page1", "reviews-page2", "malformed", "batch", "single"} {
		t.Run(name, func(t *testing.T) {
			body := conntest.Testdata(t, name+".json")
			doc := connectors.Document{Body: body, ContentType: "application/json"}
			if s := Detect(doc); s < 90 {
				t.Errorf("Detect = %d, want at least 90", s)
			}
			ext, err := Extract(doc)
			if err != nil {
				t.Fatal(err)
			}
			conntest.Golden(t, filepath.Join("testdata", name+".golden.json"), golden{ext.Reviews, ext.Aggregate, ext.Warnings}, *update)
		})
	}
}

func TestExtractPage1(t *testing.T) {
	body := conntest.Testdata(t, "reviews-page1.json")
	ext, err := Extract(connectors.Document{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	rs := ext.Reviews
	if len(rs) != 4 {
		t.Fatalf("%d reviews, want 4", len(rs))
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"plain: author", rs[0].Author, "Camille Martin"},
		{"plain: rating", *rs[0].Rating, 5.0},
		{"plain: not translated", rs[0].Translated, false},
		{"plain: reply", rs[0].Reply.Text, "Merci Camille, à très bientôt !"},
		{"plain: reply date", rs[0].Reply.PublishedAt.Format("2006-01-02T15:04:05Z07:00"), "2026-03-11T08:00:00Z"},
		{"plain: never edited", rs[0].UpdatedAt.IsZero(), true},
		{"plain: id", rs[0].ExternalID, "accounts/111/locations/222/reviews/AbFvOqmAAA1"},
		{"envelope: original kept", rs[1].Text, "Кофе был холодный, а ждать пришлось долго."},
		{"envelope: translated", rs[1].Translated, true},
		{"envelope: edited", rs[1].UpdatedAt.Format("2006-01-02T15:04:05.0Z07:00"), "2026-03-05T07:12:45.5Z"},
		{"truncated envelope kept as is", rs[2].Text, "(Translated by Google) Very good pastries, a bit expensive but"},
		{"truncated envelope marked", rs[2].Translated, true},
		{"anonymous: no author", rs[3].Author, ""},
		{"rating only: no text", rs[3].Text, ""},
		{"rating only: rated", *rs[3].Rating, 3.0},
		{"aggregate", *ext.Aggregate.Value, 4.3},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestSplitTranslation(t *testing.T) {
	tests := []struct {
		name                  string
		in                    string
		want                  string
		translated, truncated bool
	}{
		{name: "plain", in: "  Très bien.\n", want: "Très bien."},
		{name: "empty", in: "", want: ""},
		{name: "envelope", in: "(Translated by Google) Very good\n\n(Original)\nTrès bon", want: "Très bon", translated: true},
		{name: "envelope with CRLF", in: "(Translated by Google) Very good\r\n\r\n(Original)\r\nTrès bon\r\n", want: "Très bon", translated: true},
		{name: "multi-line original", in: "(Translated by Google) A\nB\n\n(Original)\nА\n\nБ", want: "А\n\nБ", translated: true},
		{name: "truncated", in: "(Translated by Google) Very good but", want: "(Translated by Google) Very good but", translated: true, truncated: true},
		{name: "marker inside a sentence is not a split", in: "(Translated by Google) he said (Original) twice", want: "(Translated by Google) he said (Original) twice", translated: true, truncated: true},
		{name: "original first", in: "(Original)\nОчень вкусно\n\n(Translated by Google)\nVery tasty", want: "Очень вкусно", translated: true},
		{name: "marker not at the start is text", in: "I wrote (Translated by Google) here", want: "I wrote (Translated by Google) here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tr, tc := splitTranslation(tt.in)
			if got != tt.want || tr != tt.translated || tc != tt.truncated {
				t.Errorf("splitTranslation(%q) = %q, %v, %v; want %q, %v, %v", tt.in, got, tr, tc, tt.want, tt.translated, tt.truncated)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	conntest.CheckDetect(t, Detect, []conntest.DetectCase{
		{Name: "review list", Body: `{"reviews":[{"reviewId":"x","starRating":"FIVE"}]}`, Want: 95},
		{Name: "aggregate only", Body: `{"averageRating":4,"totalReviewCount":0}`, Want: 60},
		{Name: "places response", Body: `{"result":{"reviews":[{"author_name":"a","rating":5}]},"status":"OK"}`, Want: 0},
		{Name: "html", Body: `<html><script type="application/ld+json">{"starRating":"FIVE"}</script></html>`, Want: 0},
		{Name: "empty", Body: ``, Want: 0},
	})
}

func TestExtractNotJSON(t *testing.T) {
	for _, body := range []string{"", "null", "[1,2]", "<html>"} {
		if _, err := Extract(connectors.Document{Body: []byte(body)}); err == nil {
			t.Errorf("Extract(%q): no error", body)
		}
	}
}
