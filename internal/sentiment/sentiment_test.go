package sentiment

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/internal/textproc"
)

// testAnalyzer reads the small lexicons of testdata/lexicons instead of
// the embedded ones, so that tests do not move when the vocabulary grows.
func testAnalyzer(t testing.TB, opts Options) *Analyzer {
	t.Helper()
	opts.Builtin = os.DirFS("testdata/lexicons")
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func analyze(a *Analyzer, text, lang string) *Result {
	var r Result
	a.Analyze(textproc.Tokenize(text, lang), &r)
	return &r
}

func TestLabels(t *testing.T) {
	a := testAnalyzer(t, Options{})
	for _, c := range []struct {
		name, lang, text, want string
	}{
		{"plain positive", "en", "The food is good", Positive},
		{"plain negative", "en", "The food is bad", Negative},
		{"no sentiment word", "en", "We had lunch on Monday", Neutral},
		{"negation flips", "en", "The food is not good", Negative},
		{"negated negative is positive", "en", "not bad at all", Positive},
		{"contraction negates", "en", "I don't like it", Negative},
		{"negation stops at a comma", "en", "No kidding, it was good", Positive},
		{"not only is no negation", "en", "not only good but excellent", Positive},
		{"negation reaches past or", "en", "not bad or terrible", Positive},
		{"but: the clause after weighs more", "en", "The food was good but the service was terrible", Negative},
		{"although: its clause weighs less", "en", "Although the food was bad, the service was great", Positive},
		{"too before a neutral word is negative", "en", "Too salty", Negative},
		{"me too is not negative", "en", "Me too.", Neutral},
		{"rating in the text", "en", "I give it 9/10", Positive},
		{"low rating in the text", "en", "1/5 would not go", Negative},
		{"emoji", "en", "😍", Positive},
		{"russian smiles", "ru", "спасибо)))", Positive},
		{"russian frowns", "ru", "ну вот(((", Negative},
		{"clearly both is mixed", "en", "The food was excellent. The service was terrible.", Mixed},
		{"ne ... pas", "fr", "Ce n'est pas bon", Negative},
		{"ne ... que is no negation", "fr", "Je ne peux que recommander", Positive},
		{"informal pas after the verb", "fr", "J'aime pas", Negative},
		{"pas mal de is not a judgement", "fr", "Il y avait pas mal de monde", Neutral},
		{"phrase beats its words", "fr", "Pas cher du tout", Positive},
		{"phrase with inflected words", "fr", "Le service laisse à désirer", Negative},
		{"stems find inflections", "fr", "Des plats délicieuses", Positive},
		{"accents may be missing", "fr", "Tres delicieux", Positive},
		{"mais", "fr", "C'était bon mais vraiment nul au final", Negative},
		{"не плохо", "ru", "Совсем не плохо", Positive},
		{"ничего хорошего", "ru", "Ничего хорошего", Negative},
		{"fused не", "ru", "Очень невкусный суп", Negative},
		{"russian inflection", "ru", "Вкусного много", Positive},
		{"но", "ru", "Вкусно, но дорого и ужасно", Negative},
		{"unknown language uses emoji only", "und", "bon :)", Positive},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := analyze(a, c.text, c.lang)
			if r.Label != c.want {
				t.Errorf("%q: %s (score %.3f, units %v), want %s", c.text, r.Label, r.Score, units(c.text, r), c.want)
			}
			if r.Score < -1 || r.Score > 1 {
				t.Errorf("score %v out of [-1, 1]", r.Score)
			}
		})
	}
}

func units(text string, r *Result) []string {
	var s []string
	for _, u := range r.Units {
		s = append(s, text[u.Start:u.End])
	}
	return s
}

func TestIntensity(t *testing.T) {
	a := testAnalyzer(t, Options{})
	for _, c := range []struct {
		name, lang, weaker, stronger string
	}{
		{"booster", "en", "good", "very good"},
		{"dampener", "en", "a bit bad", "bad"},
		{"capitals", "en", "The food was good", "The food was GOOD"},
		{"exclamation", "en", "good", "good!!!"},
		{"stretched letters", "en", "good", "goooood"},
		{"file booster", "fr", "très bon", "vraiment bon"},
		{"un peu", "fr", "un peu cher", "cher"},
		{"очень", "ru", "вкусно", "очень вкусно"},
		{"немного", "ru", "немного дорого", "дорого"},
		{"repeated emoji", "en", "😍", "😍😍😍"},
		{"not very good is less bad than not good", "en", "not very good", "not good"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, s := analyze(a, c.weaker, c.lang), analyze(a, c.stronger, c.lang)
			if !(abs(s.Score) > abs(w.Score)) || w.Score == 0 {
				t.Errorf("|%q| = %.3f should be less than |%q| = %.3f", c.weaker, w.Score, c.stronger, s.Score)
			}
		})
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestEvidenceSpans(t *testing.T) {
	a := testAnalyzer(t, Options{})
	for _, c := range []struct {
		name, lang, text string
		want             []string
	}{
		{"negation is in the span", "fr", "Ce n'est pas très bon", []string{"n'est pas très bon"}},
		{"informal negation", "fr", "j'aime pas", []string{"aime pas"}},
		{"too takes its word", "en", "too salty", []string{"too"}},
		{"phrase", "en", "it is worth it", []string{"worth it"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := analyze(a, c.text, c.lang)
			if got := units(c.text, r); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("evidence %q, want %q", got, c.want)
			}
		})
	}
}

func TestStemCollisions(t *testing.T) {
	a := testAnalyzer(t, Options{})
	for _, c := range []struct {
		name, text string
		want       float64
	}{
		// "lively" and "live" share the stem "live" with opposite signs:
		// each matches its own form only, and "lives" matches neither.
		{"own form", "lively", 2},
		{"other own form", "live", -1},
		{"colliding stem matches nothing", "lives", 0},
		{"exact entry", "handsome", 2},
		{"exact entry takes no inflection", "handsomely", 0},
		{"stem of a plain entry", "friendlier", 0},
		// "charming" and "charm" agree: their stem has their mean.
		{"inflection of plain entries", "charms", 1.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := analyze(a, c.text, "en")
			got := 0.0
			for _, u := range r.Units {
				got += u.Base
			}
			if got != c.want {
				t.Errorf("%q scores %v, want %v", c.text, got, c.want)
			}
		})
	}
}

func TestUserLexicon(t *testing.T) {
	base := testAnalyzer(t, Options{})
	user := testAnalyzer(t, Options{Lexicons: map[string][]string{"en": {"testdata/user_en.tsv"}}})
	for _, c := range []struct {
		name       string
		a          *Analyzer
		text       string
		wantBase   float64
		wantPhrase bool
	}{
		{"built-in score", base, "slow", -1.2, false},
		{"user score overrides", user, "slow", -3, false},
		{"user phrase", user, "the wait staff", 0.5, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := analyze(c.a, c.text, "en")
			if len(r.Units) != 1 || r.Units[0].Base != c.wantBase {
				t.Fatalf("units %+v, want one of base %v", r.Units, c.wantBase)
			}
			if got := c.text[r.Units[0].Start:r.Units[0].End]; c.wantPhrase && !strings.Contains(got, " ") {
				t.Errorf("span %q is not the phrase", got)
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		want string
	}{
		{"score not a number", Options{Lexicons: map[string][]string{"en": {"testdata/bad_score.tsv"}}}, "testdata/bad_score.tsv:1"},
		{"third column", Options{Lexicons: map[string][]string{"en": {"testdata/bad_third.tsv"}}}, "testdata/bad_third.tsv:1"},
		{"two with columns", Options{Lexicons: map[string][]string{"en": {"testdata/bad_with.tsv"}}}, "testdata/bad_with.tsv:1"},
		{"modifier kind", Options{Modifiers: map[string][]string{"fr": {"testdata/bad_kind.tsv"}}}, "testdata/bad_kind.tsv:1"},
		{"missing file", Options{Lexicons: map[string][]string{"en": {"testdata/none.tsv"}}}, "none.tsv"},
		{"unknown language", Options{Lexicons: map[string][]string{"de": {"testdata/user_en.tsv"}}}, `"de"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Builtin = os.DirFS("testdata/lexicons")
			_, err := New(c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sentiment: ") {
				t.Fatalf("error %v, want one naming %s", err, c.want)
			}
			if strings.Contains(c.want, ":1") && !errors.Is(err, errFormat) {
				t.Errorf("error %v does not wrap errFormat", err)
			}
		})
	}
}

func TestSplitLine(t *testing.T) {
	for _, c := range []struct {
		name, line string
		tail       func(int, string) bool
		want       []string
	}{
		{"tabs", "pas mal\t1.5", lexiconTail, []string{"pas mal", "1.5"}},
		{"spaces", "pas mal 1.5", lexiconTail, []string{"pas mal", "1.5"}},
		{"spaces and exact", "bon 2 exact", lexiconTail, []string{"bon", "2", "exact"}},
		{"modifier with spaces", "a bit dampener 0.6", modifierTail, []string{"a bit", "dampener", "0.6"}},
		{"modifier without value", "not negator", modifierTail, []string{"not", "negator"}},
		{"spaces and aspects", "high -1.2 exact with=price", lexiconTail, []string{"high", "-1.2", "exact", "with=price"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := splitLine(c.line, 3, c.tail)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("splitLine(%q) = %q, want %q", c.line, got, c.want)
			}
		})
	}
}

// Entries marked with=aspect count only in a clause that names the
// aspect; an excess word before them says it all ("too high").
func TestContextual(t *testing.T) {
	aspects := map[string]map[string][]string{"en": {"price": {"price", "prices"}, "wait": {"wait", "queue*"}}}
	a := testAnalyzer(t, Options{Lexicons: map[string][]string{"en": {"testdata/context_en.tsv"}}, Aspects: aspects})
	blind := testAnalyzer(t, Options{Lexicons: map[string][]string{"en": {"testdata/context_en.tsv"}}})
	for _, c := range []struct {
		name  string
		a     *Analyzer
		text  string
		want  string
		units int
	}{
		{"price named", a, "The prices are high", Negative, 1},
		{"another aspect", a, "High ceilings", Neutral, 0},
		{"other clause", a, "The prices, well. High ceilings", Neutral, 0},
		{"prefix term", a, "The queues were long", Negative, 1},
		{"negated", a, "The prices are not high", Positive, 1},
		{"too: one unit", a, "The prices are too high", Negative, 1},
		{"no aspects given", blind, "The prices are high", Neutral, 0},
		{"a neutral form makes no unit", a, "good", Neutral, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := analyze(c.a, c.text, "en")
			if r.Label != c.want || len(r.Units) != c.units {
				t.Errorf("%q: %s with units %v, want %s with %d", c.text, r.Label, units(c.text, r), c.want, c.units)
			}
		})
	}
}

// A privative modifier negates the word after it and is negative alone.
func TestPrivative(t *testing.T) {
	a := testAnalyzer(t, Options{Modifiers: map[string][]string{"en": {"testdata/privative_en.tsv"}}})
	for _, c := range []struct {
		text string
		want float64 // the only unit's value
	}{
		{"a lack of salt", -1.3},
		{"a lack of good food", -DefaultParams.NegatePositive * 1.9},
	} {
		t.Run(c.text, func(t *testing.T) {
			r := analyze(a, c.text, "en")
			if len(r.Units) != 1 || abs(r.Units[0].Value()-c.want) > 1e-9 {
				t.Errorf("%q: units %v (%+v), want one of %.3f", c.text, units(c.text, r), r.Units, c.want)
			}
		})
	}
}

// Russian не negates the word right after it, past modifiers and a few
// auxiliary words only.
func TestRussianNegationReach(t *testing.T) {
	a := testAnalyzer(t, Options{Lexicons: map[string][]string{"ru": {"testdata/extra_ru.tsv"}}})
	for _, c := range []struct{ text, want string }{
		{"не оказалось к сожалению", Negative},
		{"не очень хороший", Negative},
		{"не всегда хороший", Negative},
		{"не в восторге", Negative},
		{"не хороший", Negative},
	} {
		t.Run(c.text, func(t *testing.T) {
			if r := analyze(a, c.text, "ru"); r.Label != c.want {
				t.Errorf("%q: %s (units %v), want %s", c.text, r.Label, units(c.text, r), c.want)
			}
		})
	}
}

// TestBuiltin loads the embedded vocabulary and checks a few facts that
// must hold whatever its size.
func TestBuiltin(t *testing.T) {
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, lang, text, want string }{
		{"vader", "en", "This is excellent", Positive},
		{"vader negative", "en", "horrible", Negative},
		{"afinn", "fr", "C'est excellent", Positive},
		{"afinn negative", "fr", "horrible", Negative},
		{"emoji everywhere", "ru", "👍", Positive},
		{"aspect word without its aspect", "en", "High ceilings", Neutral},
		{"pourrait is not pourri", "fr", "On pourrait revenir", Neutral},
		{"manque de", "fr", "Le plat manque de sel", Negative},
		{"bank news", "ru", "Банк получил убыток", Negative},
		{"отменили is not отменный", "ru", "Рейс отменили", Neutral},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := analyze(a, c.text, c.lang); r.Label != c.want {
				t.Errorf("%q: %s, want %s", c.text, r.Label, c.want)
			}
		})
	}
}

func BenchmarkAnalyze(b *testing.B) {
	a, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	d := textproc.Tokenize("Très bon accueil, le personnel est souriant et efficace. Par contre l'attente était vraiment trop longue, presque 40 minutes pour un plat tiède. Le rapport qualité-prix reste correct mais je ne suis pas sûr de revenir. Dommage, le cadre est sympa !", "fr")
	var r Result
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze(d, &r)
	}
}
