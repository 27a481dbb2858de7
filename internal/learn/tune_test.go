package learn

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cvScores trains on k-1 folds of examples and evaluates on the last, k
// times, and sums the counts.
func cvScores(t testing.TB, exs []Example, o Options, k int) (pol float64, themeF1 float64, sentF1 float64) {
	var pc, pn, tp, fp, fn int
	var sf float64
	for f := range k {
		var tr, te []Example
		for i, e := range exs {
			if i%k == f {
				te = append(te, e)
			} else {
				tr = append(tr, e)
			}
		}
		m, err := Train(tr, o)
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(m, te)
		for _, l := range r.Langs {
			if p := l.ThemePolarity; p != nil {
				pc += p.Correct
				pn += p.N
			}
			if th := l.Themes; th != nil {
				tp += th.Micro.TP
				fp += th.Micro.FP
				fn += th.Micro.FN
			}
			if s := l.Sentiment; s != nil {
				sf += s.MacroF1 / float64(k)
			}
		}
	}
	if pn > 0 {
		pol = float64(pc) / float64(pn)
	}
	if tp > 0 {
		themeF1 = 2 * float64(tp) / float64(2*tp+fp+fn)
	}
	return pol, themeF1, sf
}

func readLexiconExamples(t testing.TB, path, lang string, col int, min float64) []Example {
	return readScored(t, path, lang, 0, col, min)
}

func readScored(t testing.TB, path, lang string, textCol, col int, min float64) []Example {
	f, err := os.Open(path)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	var out []Example
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) <= col {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(fs[col]), 64)
		if err != nil {
			continue
		}
		l := ""
		switch {
		case v >= min:
			l = Positive
		case v <= -min:
			l = Negative
		default:
			continue
		}
		out = append(out, Example{Text: fs[textCol], Lang: lang, Label: l})
	}
	return out
}

func TestTune(t *testing.T) {
	if os.Getenv("VIGIE_LEARN_TUNE") == "" {
		t.Skip("set VIGIE_LEARN_TUNE=1 to run the tuning experiments")
	}
	langs := strings.Split(os.Getenv("VIGIE_LEARN_TUNE"), ",")
	for _, lang := range langs {
		tr := loadSemEval(t, lang, "train")
		dv := loadSemEval(t, lang, "dev")
		aux := auxSet(t, lang, "A")
		if a := os.Getenv("VIGIE_LEARN_TUNE_AUX"); a != "" {
			aux = auxSet(t, lang, a)
		}
		t.Logf("%s: %d aux examples", lang, len(aux))
		type cfg struct {
			name string
			o    Options
			aux  bool
		}
		cfgs := []cfg{
			{"default", Options{}, false},
			{"aux", Options{}, true},
			{"auxl2-3e-5", Options{PolarityL2: 3e-5}, true},
			{"auxl2-1e-5", Options{PolarityL2: 1e-5}, true},
			{"auxcrosswords", Options{crossMask: 1, plainMask: 3}, true},
			{"auxnocross", Options{crossMask: 0, plainMask: 7}, true},
			{"auxwinboth", Options{crossMask: 7, plainMask: 7}, true},
			{"auxwin1", Options{Window: 1}, true},
			{"auxwinnone", Options{Window: -1}, true},
			{"auxwin6", Options{Window: 6}, true},
			{"auxcw05", Options{CharWeight: 0.5}, true},
			{"auxcw2", Options{CharWeight: 2}, true},
			{"auxmc2", Options{MinCount: 2}, true},
			{"pol-mc2-l2", Options{MinCount: 2, PolarityL2: 3e-5}, true},
			{"pol-l2", Options{PolarityL2: 3e-5}, true},
			{"th-default", Options{}, false},
			{"th-l2-3e-5", Options{ThemeL2: 3e-5}, false},
			{"th-l2-3e-4", Options{ThemeL2: 3e-4}, false},
			{"th-mc2", Options{MinCount: 2}, false},
			{"th-nochars", Options{NoChars: true}, false},
			{"th-folds3", Options{Folds: 3}, false},
		}
		for _, c := range cfgs {
			if sel := os.Getenv("VIGIE_LEARN_TUNE_CFG"); sel != "" && !strings.Contains(sel, c.name) {
				continue
			}
			c.o.Heads = []string{HeadThemePolarity}
			if os.Getenv("VIGIE_LEARN_TUNE_HEAD") == "themes" {
				c.o.Heads = []string{HeadThemes}
				c.aux = false
			}
			start := time.Now()
			x := tr
			if c.aux {
				x = append(append([]Example(nil), tr...), aux...)
			}
			// CV only over the SemEval part: aux examples are in every
			// training fold (they come last, so fold on tr and add).
			pol, tf1, _ := cvAux(t, tr, aux, c.aux, c.o, 5)
			m, _ := Train(x, c.o)
			r := Evaluate(m, dv)
			if c.o.Heads[0] == HeadThemes {
				th := r.Lang(lang).Themes
				t.Logf("%s %-14s cv-F1=%.3f dev-F1=%.3f P=%.3f R=%.3f (%v)", lang, c.name, tf1, th.Micro.F1, th.Micro.Precision, th.Micro.Recall, time.Since(start).Round(time.Second))
				continue
			}
			t.Logf("%s %-14s cv-pol=%.3f dev-pol=%.3f dev-span=%.3f (%v)", lang, c.name, pol, r.Lang(lang).ThemePolarity.Accuracy, r.Lang(lang).ThemePolarity.SpanAccuracy, time.Since(start).Round(time.Second))
		}
	}
}

func cvAux(t testing.TB, exs, aux []Example, useAux bool, o Options, k int) (pol, themeF1, sentF1 float64) {
	var pc, pn, tp, fp, fn int
	for f := range k {
		var tr, te []Example
		for i, e := range exs {
			if i%k == f {
				te = append(te, e)
			} else {
				tr = append(tr, e)
			}
		}
		if useAux {
			tr = append(tr, aux...)
		}
		m, err := Train(tr, o)
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(m, te)
		for _, l := range r.Langs {
			if p := l.ThemePolarity; p != nil {
				pc += p.Correct
				pn += p.N
			}
			if th := l.Themes; th != nil {
				tp += th.Micro.TP
				fp += th.Micro.FP
				fn += th.Micro.FN
			}
		}
	}
	if pn > 0 {
		pol = float64(pc) / float64(pn)
	}
	if tp > 0 {
		themeF1 = 2 * float64(tp) / float64(2*tp+fp+fn)
	}
	return pol, themeF1, 0
}

// auxData returns the shippable sentence-labelled data the evaluation adds
// to SemEval's training split: for English the UCI sentences (Yelp, Amazon,
// IMDB; CC BY 4.0) and the AFINN (Apache-2.0) and VADER (MIT) lexicons'
// words; for French the AFINN words; nothing for Russian.
func auxData(t testing.TB, lang string) []Example { return auxSet(t, lang, "C") }

// auxSet returns extra sentence-labelled data for a language: set A is
// Yelp sentences and AFINN (en), AFINN (fr); B adds the VADER lexicon; C
// the other UCI sentences; D VADER's ground-truth snippets.
func auxSet(t testing.TB, lang, set string) []Example {
	var aux []Example
	uci := func(name string) []Example {
		ex, err := ReadFile(filepath.Join(sharedData, "uci_sentiment_labelled_sentences", name), "en")
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	switch lang {
	case "en":
		aux = append(aux, uci("yelp_labelled.txt")...)
		aux = append(aux, readLexiconExamples(t, filepath.Join(sharedData, "lexicons/afinn/AFINN-en-165.txt"), "en", 1, 1)...)
		if set >= "B" {
			aux = append(aux, readLexiconExamples(t, filepath.Join(sharedData, "lexicons/vader/vader_lexicon.txt"), "en", 1, 1)...)
		}
		if set >= "C" {
			aux = append(aux, uci("amazon_cells_labelled.txt")...)
			aux = append(aux, uci("imdb_labelled.txt")...)
		}
		if set >= "D" {
			for _, f := range []string{"amazonReviewSnippets", "movieReviewSnippets", "tweets"} {
				aux = append(aux, readScored(t, filepath.Join(sharedData, "en_vader_groundtruth_icwsm2014", f+"_GroundTruth.txt"), "en", 2, 1, 1)...)
			}
		}
	case "fr":
		aux = append(aux, readLexiconExamples(t, filepath.Join(sharedData, "lexicons/afinn/AFINN-fr-165.txt"), "fr", 1, 1)...)
	}
	return aux
}

// TestTuneSentiment compares sentiment-head settings on the development
// splits of the sentence corpora (VIGIE_LEARN_TUNE_SENT=1).
func TestTuneSentiment(t *testing.T) {
	if os.Getenv("VIGIE_LEARN_TUNE_SENT") == "" {
		t.Skip("set VIGIE_LEARN_TUNE_SENT=1")
	}
	read := func(rel, lang string) []Example {
		ex, err := ReadFile(filepath.Join(sharedData, rel), lang)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	banksTr, banksDev := Split(read("ru_sentirueval2016_tweets/banks_test_etalon.xml", "ru"), 0.2, 1)
	sets := []struct {
		name   string
		tr, dv []Example
	}{
		{"umsab-en", read("umsab_xlmt_tweets_sentiment/english/train_text.txt", "en"), read("umsab_xlmt_tweets_sentiment/english/val_text.txt", "en")},
		{"umsab-fr", read("umsab_xlmt_tweets_sentiment/french/train_text.txt", "fr"), read("umsab_xlmt_tweets_sentiment/french/val_text.txt", "fr")},
		{"banks", banksTr, banksDev},
		{"allocine", read("fr_allocine_tvseries_dongdemelo/train.tsv", "fr"), read("fr_allocine_tvseries_dongdemelo/dev.tsv", "fr")},
	}
	for _, s := range sets {
		for _, o := range []Options{{L2: 1e-5}, {L2: 3e-5}, {L2: 1e-4}, {L2: 3e-4}, {L2: 1e-3}, {L2: 1e-4, ClassWeight: "balanced"}, {L2: 3e-4, ClassWeight: "balanced"}, {L2: 1e-4, NoChars: true}} {
			o.Heads = []string{HeadSentiment}
			m, err := Train(s.tr, o)
			if err != nil {
				t.Fatal(err)
			}
			r := Evaluate(m, s.dv).Langs[0].Sentiment
			t.Logf("%-9s L2=%g %-8s nochars=%v: acc=%.3f macro-F1=%.3f", s.name, o.L2, o.ClassWeight, o.NoChars, r.Accuracy, r.MacroF1)
		}
	}
}
