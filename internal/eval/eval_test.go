package eval

import (
	"encoding/json"
	"errors"
	"maps"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/enrich"
	"github.com/vigie-dev/vigie/internal/sentiment"
	"github.com/vigie-dev/vigie/internal/themes"
)

// testEnricher uses the small test lexicons and taxonomy, on which the
// expected figures below were computed by hand.
func testEnricher(t *testing.T) *enrich.Enricher {
	t.Helper()
	b, err := os.ReadFile("../themes/testdata/taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tax, err := themes.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enrich.New(config.Enrichment{}, enrich.WithTaxonomy(tax),
		enrich.WithSentimentOptions(sentiment.Options{Builtin: os.DirFS("../sentiment/testdata/lexicons")}))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-3 }

func TestSemEvalTheme(t *testing.T) {
	for _, c := range []struct{ name, category, want string }{
		{"food", "FOOD#QUALITY", "food"},
		{"drinks are food", "DRINKS#STYLE_OPTIONS", "food"},
		{"any prices", "FOOD#PRICES", "price"},
		{"restaurant prices", "RESTAURANT#PRICES", "price"},
		{"general", "RESTAURANT#GENERAL", "overall"},
		{"miscellaneous", "RESTAURANT#MISCELLANEOUS", "overall"},
		{"service", "SERVICE#GENERAL", "service"},
		{"ambience", "AMBIENCE#GENERAL", "ambience"},
		{"location", "LOCATION#GENERAL", "location"},
		{"unknown", "LAPTOP#GENERAL", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := SemEvalTheme(c.category); got != c.want {
				t.Errorf("SemEvalTheme(%q) = %q, want %q", c.category, got, c.want)
			}
		})
	}
}

func TestSemEval(t *testing.T) {
	e := testEnricher(t)
	for _, c := range []struct {
		name, file string
		opts       SemEvalOptions
		want       SemEvalReport
		decided    map[string]int
	}{
		// en: 6 sentences in scope. Predicted (gold): food (food);
		// service, food (service, food); nothing (overall); overall
		// (overall, ambience); price, food (price); service (nothing).
		// TP 5, FP 2, FN 2. Opinions, unique per sentence: 7. Alone, only
		// "Expensive food." is wrong (neutral for negative).
		{"english alone", "testdata/semeval_en.xml", SemEvalOptions{NoContext: true}, SemEvalReport{Lang: "en", Sentences: 6,
			ThemePrecision: 5.0 / 7, ThemeRecall: 5.0 / 7, ThemeF1: 5.0 / 7, PolarityAccuracy: 6.0 / 7},
			map[string]int{"theme": 5, "sentence": 2}},
		// In its review, "We went on Monday." (gold neutral) takes the
		// review's positive label, and "Expensive food." (price, gold
		// negative) the positive label of the review's other sentence:
		// two wrong.
		{"english in context", "testdata/semeval_en.xml", SemEvalOptions{}, SemEvalReport{Lang: "en", Sentences: 6,
			ThemePrecision: 5.0 / 7, ThemeRecall: 5.0 / 7, ThemeF1: 5.0 / 7, PolarityAccuracy: 5.0 / 7},
			map[string]int{"theme": 4, "sentence": 1, "review theme": 1, "review": 1}},
		// ru: both themes found; "вкусная и ужасная" is mixed, which
		// counts on the side of its score (negative), not as conflict.
		{"russian conflict", "testdata/semeval_ru.xml", SemEvalOptions{}, SemEvalReport{Lang: "ru", Sentences: 2,
			ThemePrecision: 1, ThemeRecall: 1, ThemeF1: 1, PolarityAccuracy: 0.5},
			map[string]int{"theme": 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := os.Open(c.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := SemEvalWith(f, e, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			w := c.want
			if got.Lang != w.Lang || got.Sentences != w.Sentences || !near(got.ThemePrecision, w.ThemePrecision) ||
				!near(got.ThemeRecall, w.ThemeRecall) || !near(got.ThemeF1, w.ThemeF1) || !near(got.PolarityAccuracy, w.PolarityAccuracy) {
				t.Errorf("report %+v\nwant %+v", got, w)
			}
			if !maps.Equal(got.Decided, c.decided) {
				t.Errorf("decided by %v, want %v", got.Decided, c.decided)
			}
		})
	}
}

// A file without <Review> grouping takes its reviews from another file,
// by sentence text; a sentence no review holds has none, and a polarity
// nothing decides is the prior, positive.
func TestSemEvalReviews(t *testing.T) {
	e := testEnricher(t)
	flat := `<Reviews><sentences>
<sentence id="x1"><text>The pizza was there.</text><Opinions><Opinion category="FOOD#QUALITY" polarity="negative"/></Opinions></sentence>
<sentence id="x2"><text>We sat down.</text><Opinions><Opinion category="RESTAURANT#GENERAL" polarity="positive"/></Opinions></sentence>
</sentences></Reviews>`
	grouped := `<Reviews><Review rid="r1"><sentences>
<sentence id="r1:0"><text>The pizza was there.</text></sentence>
<sentence id="r1:1"><text>The food was terrible.</text></sentence>
</sentences></Review></Reviews>`
	got, err := SemEvalWith(strings.NewReader(flat), e, SemEvalOptions{Reviews: strings.NewReader(grouped)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"review theme": 1, "prior": 1}
	if !maps.Equal(got.Decided, want) || got.PolarityAccuracy != 1 {
		t.Errorf("decided by %v, accuracy %.2f; want %v, 1", got.Decided, got.PolarityAccuracy, want)
	}
	alone, err := SemEvalWith(strings.NewReader(flat), e, SemEvalOptions{NoContext: true})
	if err != nil {
		t.Fatal(err)
	}
	if alone.PolarityAccuracy != 0 {
		t.Errorf("alone: accuracy %.2f, want 0 (both neutral)", alone.PolarityAccuracy)
	}
}

func TestSemEvalJSON(t *testing.T) {
	b, err := json.Marshal(SemEvalReport{Lang: "fr", Sentences: 3, ThemeF1: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"lang":"fr","sentences":3,"theme_precision":0,"theme_recall":0,"theme_f1":0.5,"polarity_accuracy":0}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	b, _ = json.Marshal(TweetReport{N: 2, Accuracy: 1})
	if want := `{"n":2,"accuracy":1,"macro_f1":0,"macro_f1_posneg":0}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}

func TestSemEvalErrors(t *testing.T) {
	e := testEnricher(t)
	for _, c := range []struct{ name, xml, want string }{
		{"broken xml", "<Reviews><sentences>\n<sentence id=\"1\"><text>x</text>\n</Reviews>", "line 3"},
		{"bad polarity", `<Reviews><sentence id="s1"><text>x</text><Opinions><Opinion category="FOOD#QUALITY" polarity="great"/></Opinions></sentence></Reviews>`, `"s1"`},
		{"bad category", `<Reviews><sentence id="s2"><text>x</text><Opinions><Opinion category="FOOD" polarity="positive"/></Opinions></sentence></Reviews>`, `"s2"`},
		{"no sentence", `<Reviews></Reviews>`, "no <sentence>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := SemEval(strings.NewReader(c.xml), e)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "eval: ") {
				t.Fatalf("error %v, want one naming %s", err, c.want)
			}
		})
	}
}

func TestTweets(t *testing.T) {
	e := testEnricher(t)
	texts, err := os.Open("testdata/tweets_text.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer texts.Close()
	labels, err := os.Open("testdata/tweets_labels.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer labels.Close()
	got, err := Tweets(texts, labels, "en", e)
	if err != nil {
		t.Fatal(err)
	}
	// Gold → predicted: 2→2 good, 0→0 bad, 1→1 Monday, 2→0 terrible,
	// 1→2 excellent, 0→1 Monday again, 2→2 great. F1: negative 1/2,
	// neutral 1/2, positive 2·2/(2·2+1+1) = 2/3.
	want := TweetReport{N: 7, Accuracy: 4.0 / 7, MacroF1: (0.5 + 0.5 + 2.0/3) / 3, MacroF1PosNeg: (0.5 + 2.0/3) / 2}
	if got.N != want.N || !near(got.Accuracy, want.Accuracy) || !near(got.MacroF1, want.MacroF1) || !near(got.MacroF1PosNeg, want.MacroF1PosNeg) {
		t.Errorf("report %+v\nwant %+v", got, want)
	}
}

func TestTweetsErrors(t *testing.T) {
	e := testEnricher(t)
	text, _ := os.ReadFile("testdata/tweets_text.txt")
	for _, c := range []struct{ name, labels, want string }{
		{"label out of range", "testdata/tweets_labels_bad.txt", "labels line 3"},
		{"fewer labels", "testdata/tweets_labels_short.txt", "line 4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			labels, err := os.Open(c.labels)
			if err != nil {
				t.Fatal(err)
			}
			defer labels.Close()
			_, err = Tweets(strings.NewReader(string(text)), labels, "en", e)
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, errData) {
				t.Fatalf("error %v, want one naming %s", err, c.want)
			}
		})
	}
}

func TestSentiRuEval(t *testing.T) {
	e := testEnricher(t)
	f, err := os.Open("testdata/sentirueval.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := SentiRuEval(f, e)
	if err != nil {
		t.Fatal(err)
	}
	// Rows 3 (columns disagree) and 5 (all NULL) are skipped. Gold →
	// predicted: 2→2, 0→0, 1→1, 2→0. F1: negative 2/3, neutral 1,
	// positive 2/3.
	want := TweetReport{N: 4, Accuracy: 0.75, MacroF1: (2.0/3 + 1 + 2.0/3) / 3, MacroF1PosNeg: 2.0 / 3, Skipped: 2}
	if got.N != want.N || got.Skipped != want.Skipped || !near(got.Accuracy, want.Accuracy) || !near(got.MacroF1, want.MacroF1) || !near(got.MacroF1PosNeg, want.MacroF1PosNeg) {
		t.Errorf("report %+v\nwant %+v", got, want)
	}
}

func TestSentiRuEvalErrors(t *testing.T) {
	e := testEnricher(t)
	for _, c := range []struct{ name, xml, want string }{
		{"bad value", "<x><table name=\"t\">\n<column name=\"text\">a</column><column name=\"vtb\">2</column></table></x>", `"vtb"`},
		{"no text", `<x><table name="t"><column name="vtb">1</column></table></x>`, "no text"},
		{"no row", `<x></x>`, "no <table>"},
		{"broken", "<x><table>", "eval: sentirueval"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := SentiRuEval(strings.NewReader(c.xml), e)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one naming %s", err, c.want)
			}
		})
	}
}
