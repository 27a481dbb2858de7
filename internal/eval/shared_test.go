package eval

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/enrich"
	"github.com/vigie-dev/vigie/internal/sentiment"
	"github.com/vigie-dev/vigie/internal/themes"
)

// Run the evaluations on the development sets in ../shared/data (skipped
// when absent) with:
//
//	go test ./internal/eval -run Shared -v

// sharedData is where the development sets live next to the repository.
const sharedData = "../../../shared/data"

func shared(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{sharedData}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("development data absent: %v", err)
	}
	return p
}

// devEnricher builds the enricher evaluated on the development sets: the
// built-in vocabulary and taxonomy, or the taxonomy in $VIGIE_TAXONOMY.
func devEnricher(t testing.TB) *enrich.Enricher {
	t.Helper()
	var opts []enrich.Option
	if p := os.Getenv("VIGIE_TAXONOMY"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		tax, err := themes.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, enrich.WithTaxonomy(tax))
	}
	if js := os.Getenv("VIGIE_SENT_PARAMS"); js != "" {
		p := sentiment.DefaultParams
		if err := json.Unmarshal([]byte(js), &p); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, enrich.WithSentimentParams(p))
	}
	if js := os.Getenv("VIGIE_THEME_PARAMS"); js != "" {
		p := themes.DefaultParams
		if err := json.Unmarshal([]byte(js), &p); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, enrich.WithThemeParams(p))
	}
	e, err := enrich.New(config.Enrichment{}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The floors below sit a little under the figures reached (docs/quality.md):
// a change that loses more than that is a regression to look at. The dev
// splits were used for tuning; the train splits were not tuned on and
// give a fairer figure.

// semevalReviews are the organisers' training files that the smid_resplit
// splits were carved from: they group the sentences into reviews, the
// context the official test files give too. There is none for Russian.
var semevalReviews = map[string]string{
	"en": "en/ABSA16_Restaurants_Train_SB1_v2.xml",
	"fr": "fr/ABSA16FR_Restaurants_Train-withcontent.xml",
}

func TestSharedSemEval(t *testing.T) {
	e := devEnricher(t)
	for _, c := range []struct {
		name, lang, file   string
		minF1, minPolarity float64
		// minAlone is the floor of the polarity with each sentence alone
		// (SemEvalOptions.NoContext): the product's own theme labels.
		minAlone float64
	}{
		{"en dev", "en", "smid_resplit/en/dev.xml", 0.69, 0.86, 0.79},
		{"fr dev", "fr", "smid_resplit/fr/dev.xml", 0.71, 0.82, 0.77},
		{"ru dev", "ru", "smid_resplit/ru/dev.xml", 0.63, 0.81, 0.75},
		{"en train", "en", "smid_resplit/en/train.xml", 0.68, 0.825, 0.73},
		{"fr train", "fr", "smid_resplit/fr/train.xml", 0.70, 0.785, 0.72},
		{"ru train", "ru", "smid_resplit/ru/train.xml", 0.645, 0.80, 0.72},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := func(opts SemEvalOptions) SemEvalReport {
				f, err := os.Open(shared(t, "semeval2016_absa_restaurants", c.file))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if name, ok := semevalReviews[c.lang]; ok && !opts.NoContext {
					g, err := os.Open(shared(t, "semeval2016_absa_restaurants", name))
					if err != nil {
						t.Fatal(err)
					}
					defer g.Close()
					opts.Reviews = g
				}
				rep, err := SemEvalWith(f, e, opts)
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			rep := run(SemEvalOptions{})
			alone := run(SemEvalOptions{NoContext: true})
			t.Logf("%s: sentences %d opinions %d  themes P %.3f R %.3f F1 %.3f  polarity %.3f (sentence alone %.3f)", c.name, rep.Sentences, rep.Opinions,
				rep.ThemePrecision, rep.ThemeRecall, rep.ThemeF1, rep.PolarityAccuracy, alone.PolarityAccuracy)
			for th, n := range rep.PerTheme {
				t.Logf("   %-9s tp %4d fp %4d fn %4d", th, n.TP, n.FP, n.FN)
			}
			t.Logf("   polarity gold->pred %v", rep.Polarity)
			t.Logf("   decided by %v", rep.Decided)
			if rep.Lang != c.lang {
				t.Errorf("lang %q, want %q", rep.Lang, c.lang)
			}
			if rep.ThemeF1 < c.minF1 || rep.PolarityAccuracy < c.minPolarity || alone.PolarityAccuracy < c.minAlone {
				t.Errorf("theme F1 %.3f, polarity %.3f (alone %.3f): below the floors %.3f, %.3f (%.3f)", rep.ThemeF1, rep.PolarityAccuracy,
					alone.PolarityAccuracy, c.minF1, c.minPolarity, c.minAlone)
			}
		})
	}
}

func TestSharedTweets(t *testing.T) {
	e := devEnricher(t)
	for _, c := range []struct {
		name, lang, dir, split string
		minMacroF1             float64
	}{
		{"en val", "en", "english", "val", 0.58},
		{"fr val", "fr", "french", "val", 0.615},
		{"en train", "en", "english", "train", 0.57},
		{"fr train", "fr", "french", "train", 0.585},
	} {
		t.Run(c.name, func(t *testing.T) {
			texts, err := os.Open(shared(t, "umsab_xlmt_tweets_sentiment", c.dir, c.split+"_text.txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer texts.Close()
			labels, err := os.Open(shared(t, "umsab_xlmt_tweets_sentiment", c.dir, c.split+"_labels.txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer labels.Close()
			rep, err := Tweets(texts, labels, c.lang, e)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: n %d acc %.3f macroF1 %.3f posneg %.3f confusion %v", c.name, rep.N, rep.Accuracy, rep.MacroF1, rep.MacroF1PosNeg, rep.Confusion)
			if rep.MacroF1 < c.minMacroF1 {
				t.Errorf("macro-F1 %.3f below the floor %.3f", rep.MacroF1, c.minMacroF1)
			}
		})
	}
}

func TestSharedSentiRuEval(t *testing.T) {
	e := devEnricher(t)
	path := shared(t, "ru_sentirueval2016_tweets", "banks_test_etalon.xml")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := SentiRuEval(f, e)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("banks: n %d skipped %d acc %.3f macroF1 %.3f posneg %.3f confusion %v", rep.N, rep.Skipped, rep.Accuracy, rep.MacroF1, rep.MacroF1PosNeg, rep.Confusion)
	// The file is the only bank data: its odd rows were looked at while
	// writing the finance vocabulary, its even rows were not.
	for half, name := range []string{"even rows (not looked at)", "odd rows (looked at)"} {
		g, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		h, err := sentiRuEval(g, e, func(row, _ int, _ string) bool { return row%2 == half })
		g.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("   %s: n %d macroF1 %.3f posneg %.3f", name, h.N, h.MacroF1, h.MacroF1PosNeg)
	}
	if rep.MacroF1PosNeg < 0.58 || rep.MacroF1 < 0.665 {
		t.Errorf("macro-F1 pos/neg %.3f, macro-F1 %.3f: below the floors 0.58, 0.665", rep.MacroF1PosNeg, rep.MacroF1)
	}
}
