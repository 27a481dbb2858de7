package review

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name                string
		rating, best, worst *float64
		want                *float64
	}{
		{"unrated", nil, nil, nil, nil},
		{"4 of 5", Float(4), nil, nil, Float(0.75)},
		{"5 of 5", Float(5), Float(5), nil, Float(1)},
		{"1 of 5", Float(1), Float(5), nil, Float(0)},
		{"8 of 10", Float(8), Float(10), nil, Float(0.778)},
		{"NPS 9 of 0..10", Float(9), Float(10), Float(0), Float(0.9)},
		{"0..1 scale", Float(0.8), Float(1), nil, Float(0.8)},
		{"out of scale clamps", Float(7), Float(5), nil, Float(1)},
		{"broken scale", Float(3), Float(1), Float(1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Review{Rating: tt.rating, BestRating: tt.best, WorstRating: tt.worst}
			r.Normalize()
			switch {
			case tt.want == nil && r.RatingNorm != nil:
				t.Errorf("rating_norm = %v, want none", *r.RatingNorm)
			case tt.want != nil && (r.RatingNorm == nil || *r.RatingNorm != *tt.want):
				t.Errorf("rating_norm = %v, want %v", r.RatingNorm, *tt.want)
			}
		})
	}
}

func TestJSONFieldNames(t *testing.T) {
	r := Review{ID: "x", Brand: "b", Location: "l", Source: "s", Kind: KindReview, URL: "u", Author: "a",
		Rating: Float(4), BestRating: Float(5), RatingNorm: Float(0.75), Title: "t", Text: "x",
		PublishedAt: time.Unix(0, 0).UTC(), FetchedAt: time.Unix(1, 0).UTC(), Lang: "fr", LangConfidence: 0.9,
		Sentiment: &Sentiment{Label: "positive"}, Themes: []Theme{{Name: "service"}}, Reply: &Reply{Text: "merci"}}
	b, _ := json.Marshal(r)
	for _, f := range strings.Split("id brand location source kind url author rating best_rating rating_norm title text published_at fetched_at lang lang_confidence sentiment themes reply", " ") {
		if !strings.Contains(string(b), `"`+f+`":`) {
			t.Errorf("JSON lacks %q: %s", f, b)
		}
	}
	b, _ = json.Marshal(Review{ID: "x"})
	if string(b) != `{"id":"x"}` {
		t.Errorf("unknown fields must be omitted: %s", b)
	}
}

func TestMakeIDIsStable(t *testing.T) {
	// The identifier of a review must never change between versions:
	// it is stored in indexes and state. Update these only with a
	// migration.
	if got := MakeID("src", "ext-1", "", time.Time{}, ""); got != "649dcbad62b54ab88fa5bde6" {
		t.Errorf("external id: %s", got)
	}
	day := time.Date(2025, 1, 2, 15, 4, 5, 0, time.FixedZone("", 3600))
	if got := MakeID("src", "", "Ann", day, "Great  coffee!"); got != MakeID("src", "", "ann", day, "great coffee") {
		t.Errorf("content id changes with case or punctuation: %s", got)
	}
}
