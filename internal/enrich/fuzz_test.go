package enrich

import (
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/review"
)

// FuzzEnrich checks the enricher's contracts on any input: scores in
// [-1, 1], known labels, offsets that point at their text.
func FuzzEnrich(f *testing.F) {
	e, err := New(config.Enrichment{}, testOptions(f)...)
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range benchReviews {
		f.Add(r.Text, r.Lang, "", 0.5)
	}
	f.Add("pas bon :( mais super", "fr", "Bof", 0.0)
	f.Add("not not not good!!!!!!!! 10/10 02/10", "en", "", 1.0)
	f.Add("\xff ))) (((", "ru", "", -1.0)
	f.Fuzz(func(t *testing.T, text, lang, title string, rating float64) {
		r := review.Review{Text: text, Lang: lang, Title: title}
		if rating >= 0 && rating <= 1 {
			r.RatingNorm = review.Float(rating)
		}
		e.Enrich(&r)
		s := r.Sentiment
		if s == nil {
			return
		}
		checkScore(t, "review", s.Score, s.Label)
		for _, ss := range s.Sentences {
			checkScore(t, "sentence", ss.Score, ss.Label)
			if ss.Start < 0 || ss.End > len(text) || ss.Start >= ss.End {
				t.Fatalf("sentence %d..%d in %q", ss.Start, ss.End, text)
			}
		}
		for _, ev := range s.Evidence {
			if ev.Start < 0 || ev.End > len(text) || text[ev.Start:ev.End] != ev.Text {
				t.Fatalf("evidence %+v in %q", ev, text)
			}
		}
		for _, th := range r.Themes {
			checkScore(t, th.Name, th.Score, th.Label)
			for _, ev := range th.Evidence {
				if ev.Start < 0 || ev.End > len(text) || text[ev.Start:ev.End] != ev.Text {
					t.Fatalf("theme evidence %+v in %q", ev, text)
				}
			}
		}
	})
}

func checkScore(t *testing.T, what string, score float64, label string) {
	t.Helper()
	if score < -1 || score > 1 || score != score {
		t.Fatalf("%s: score %v", what, score)
	}
	switch label {
	case "positive", "negative", "neutral", "mixed":
	default:
		t.Fatalf("%s: label %q", what, label)
	}
}
