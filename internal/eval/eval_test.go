package eval

import (
	"encoding/json"
	"errors"
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
		want       SemEvalReport
	}{
		// en: 6 sentences in scope. Predicted (gold): food (food);
		// service, food (service, food); nothing (overall); overall
		// (overall, ambience); price, food (price); service (nothing).
		// TP 5, FP 2, FN 2. Opinions, unique per sentence: 7, of which
		// only "Expensive food." is wrong (neutral for negative).
		{"english", "testdata/semeval_en.xml", SemEvalReport{Lang: "en", Sentences: 6,
			ThemePrecision: 5.0 / 7, ThemeRecall: 5.0 / 7, ThemeF1: 5.0 / 7, PolarityAccuracy: 6.0 / 7}},
		// ru: both themes found; "вкусная и ужасная" is mixed, scored as
		// conflict.
		{"russian with conflict", "testdata/semeval_ru.xml", SemEvalReport{Lang: "ru", Sentences: 2,
			ThemePrecision: 1, ThemeRecall: 1, ThemeF1: 1, PolarityAccuracy: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := os.Open(c.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := SemEval(f, e)
			if err != nil {
				t.Fatal(err)
			}
			w := c.want
			if got.Lang != w.Lang || got.Sentences != w.Sentences || !near(got.ThemePrecision, w.ThemePrecision) ||
				!near(got.ThemeRecall, w.ThemeRecall) || !near(got.ThemeF1, w.ThemeF1) || !near(got.PolarityAccuracy, w.PolarityAccuracy) {
				t.Errorf("report %+v\nwant %+v", got, w)
			}
		})
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
