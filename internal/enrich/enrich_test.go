package enrich

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/sentiment"
	"github.com/vigie-dev/vigie/internal/themes"
)

var _ pipeline.Enricher = (*Enricher)(nil)

// testOptions read the small test lexicons and taxonomy, so that tests do
// not move when the built-in vocabulary grows.
func testOptions(t testing.TB) []Option {
	t.Helper()
	b, err := os.ReadFile("../themes/testdata/taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tax, err := themes.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return []Option{
		WithTaxonomy(tax),
		WithSentimentOptions(sentiment.Options{Builtin: os.DirFS("../sentiment/testdata/lexicons")}),
	}
}

func newTest(t testing.TB, cfg config.Enrichment, extra ...Option) *Enricher {
	t.Helper()
	e, err := New(cfg, append(testOptions(t), extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func themeNames(ts []review.Theme) []string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Name+":"+t.Label)
	}
	return s
}

func TestEnrich(t *testing.T) {
	e := newTest(t, config.Enrichment{})
	r := review.Review{Lang: "fr", Text: "Plats délicieux ! Mais le service était vraiment nul, et les prix… bof."}
	e.Enrich(&r)
	s := r.Sentiment
	if s == nil {
		t.Fatal("no sentiment")
	}
	if s.Driver != "text" || s.Label != "mixed" {
		t.Errorf("label %s driver %s, want mixed from the text", s.Label, s.Driver)
	}
	if len(s.Sentences) != 2 || s.Sentences[0].Label != "positive" || s.Sentences[1].Label != "negative" {
		t.Errorf("sentences %+v", s.Sentences)
	}
	for _, ss := range s.Sentences {
		if ss.Start < 0 || ss.End > len(r.Text) || ss.Start >= ss.End {
			t.Errorf("sentence span %d..%d", ss.Start, ss.End)
		}
	}
	var ev []string
	for _, x := range s.Evidence {
		if r.Text[x.Start:x.End] != x.Text {
			t.Errorf("evidence %q is not at %d..%d", x.Text, x.Start, x.End)
		}
		ev = append(ev, x.Text)
	}
	if strings.Join(ev, "|") != "délicieux|vraiment nul" {
		t.Errorf("evidence %q", ev)
	}
	if got := strings.Join(themeNames(r.Themes), " "); got != "food:positive service:negative price:negative" {
		t.Errorf("themes %s", got)
	}
}

func TestRating(t *testing.T) {
	e := newTest(t, config.Enrichment{})
	for _, c := range []struct {
		name, text        string
		rating            float64
		wantLabel, driver string
	}{
		{"five stars beat a grumble", "The service was terrible.", 1, "positive", "rating"},
		{"four stars", "The food was bad.", 0.75, "positive", "rating"},
		{"one star beats praise", "Excellent!", 0, "negative", "rating"},
		{"two stars", "The food was good.", 0.25, "negative", "rating"},
		{"low rating, positive text: mixed", "The food was good.", 0.35, "mixed", "rating"},
		{"low rating, neutral text: negative", "We went on Monday.", 0.35, "negative", "rating"},
		{"middle: the text decides", "The food was good.", 0.5, "positive", "text"},
		{"middle, neutral text", "We went on Monday.", 0.5, "neutral", "text"},
		{"rating without text", "", 1, "positive", "rating"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := review.Review{Lang: "en", Text: c.text, RatingNorm: review.Float(c.rating)}
			e.Enrich(&r)
			s := r.Sentiment
			if s == nil || s.Label != c.wantLabel || s.Driver != c.driver {
				t.Fatalf("sentiment %+v, want %s by %s", s, c.wantLabel, c.driver)
			}
			switch s.Label {
			case "positive":
				if s.Score <= 0 {
					t.Errorf("positive with score %v", s.Score)
				}
			case "negative":
				if s.Score >= 0 {
					t.Errorf("negative with score %v", s.Score)
				}
			}
			if c.text != "" && len(s.Sentences) != 1 {
				t.Errorf("sentences %+v: the text still gives them", s.Sentences)
			}
		})
	}
}

func TestEmptyAndTitle(t *testing.T) {
	e := newTest(t, config.Enrichment{})
	r := review.Review{Lang: "en", Text: "", Sentiment: &review.Sentiment{Label: "old"}, Themes: []review.Theme{{Name: "old"}}}
	e.Enrich(&r)
	if r.Sentiment != nil || r.Themes != nil {
		t.Errorf("empty review: sentiment %+v themes %+v", r.Sentiment, r.Themes)
	}
	r = review.Review{Lang: "en", Title: "Terrible", Text: "We had the pizza."}
	e.Enrich(&r)
	if r.Sentiment == nil || r.Sentiment.Label != "negative" || len(r.Sentiment.Evidence) != 0 {
		t.Errorf("title: sentiment %+v, want negative without evidence in the text", r.Sentiment)
	}
	if got := themeNames(r.Themes); len(got) != 1 || got[0] != "food:neutral" {
		t.Errorf("themes %v: only the text gives themes", got)
	}
}

type fakeClassifier struct {
	probs map[string]float64
	ok    bool
	calls int
	mu    sync.Mutex
}

func (f *fakeClassifier) Predict(text, lang string) (string, map[string]float64, bool) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	return "positive", f.probs, f.ok
}

func TestClassifier(t *testing.T) {
	for _, c := range []struct {
		name  string
		clf   *fakeClassifier
		text  string
		want  string
		calls int
	}{
		{"agrees", &fakeClassifier{probs: map[string]float64{"positive": 0.9, "neutral": 0.05, "negative": 0.05}, ok: true}, "good", "positive", 1},
		{"turns a neutral text", &fakeClassifier{probs: map[string]float64{"positive": 0.1, "neutral": 0.1, "negative": 0.8}, ok: true}, "We went on Monday.", "negative", 1},
		{"cannot judge", &fakeClassifier{probs: nil, ok: false}, "We went on Monday.", "neutral", 1},
		{"a mixed text stays mixed", &fakeClassifier{probs: map[string]float64{"positive": 1}, ok: true}, "The food was excellent. The service was terrible.", "mixed", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newTest(t, config.Enrichment{Model: "model.bin"}, WithClassifier(c.clf, 0))
			r := review.Review{Lang: "en", Text: c.text}
			e.Enrich(&r)
			if r.Sentiment.Label != c.want || c.clf.calls != c.calls {
				t.Errorf("label %s after %d calls, want %s after %d", r.Sentiment.Label, c.clf.calls, c.want, c.calls)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	lex := dir + "/en.tsv"
	if err := os.WriteFile(lex, []byte("monday\t-2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	aspectLex := dir + "/aspect.tsv"
	if err := os.WriteFile(aspectLex, []byte("high\t-1.5\texact\twith=price\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	no := false
	for _, c := range []struct {
		name       string
		cfg        config.Enrichment
		text       string
		wantLabel  string
		wantThemes string
		wantErr    string
	}{
		{name: "user lexicon", cfg: config.Enrichment{Lexicons: map[string]string{"en": lex}}, text: "We went on Monday.", wantLabel: "negative", wantThemes: "overall:negative"},
		{name: "aspect word next to its theme", cfg: config.Enrichment{Lexicons: map[string]string{"en": aspectLex}},
			text: "The price is high.", wantLabel: "negative", wantThemes: "price:negative"},
		{name: "aspect word elsewhere", cfg: config.Enrichment{Lexicons: map[string]string{"en": aspectLex}},
			text: "The high pizza.", wantLabel: "neutral", wantThemes: "food:neutral"},
		{name: "aspect word, its theme added by the user", cfg: config.Enrichment{Lexicons: map[string]string{"en": aspectLex},
			Themes: []config.ThemeConfig{{Name: "price", Terms: map[string][]string{"en": {"bill"}}}}},
			text: "The bill was high.", wantLabel: "negative", wantThemes: "price:negative"},
		{name: "user theme", cfg: config.Enrichment{Themes: []config.ThemeConfig{{Name: "days", Terms: map[string][]string{"en": {"monday"}}}}},
			text: "We went on Monday.", wantLabel: "neutral", wantThemes: "days:neutral"},
		{name: "no built-in themes", cfg: config.Enrichment{DefaultThemes: &no, Themes: []config.ThemeConfig{{Name: "days", Terms: map[string][]string{"en": {"monday"}}}}},
			text: "Great food on Monday.", wantLabel: "positive", wantThemes: "days:positive"},
		{name: "removed theme", cfg: config.Enrichment{Themes: []config.ThemeConfig{{Name: "food", Remove: true}}},
			text: "Great food.", wantLabel: "positive", wantThemes: "overall:positive"},
		{name: "model without classifier", cfg: config.Enrichment{Model: "m.bin"}, wantErr: "m.bin"},
		{name: "missing lexicon", cfg: config.Enrichment{Lexicons: map[string]string{"en": dir + "/none.tsv"}}, wantErr: "none.tsv"},
		{name: "bad theme", cfg: config.Enrichment{Themes: []config.ThemeConfig{{Name: "x", Remove: true}}}, wantErr: `"x"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(c.cfg, testOptions(t)...)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.HasPrefix(err.Error(), "enrich: ") {
					t.Fatalf("error %v, want one naming %s", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := review.Review{Lang: "en", Text: c.text}
			e.Enrich(&r)
			if r.Sentiment.Label != c.wantLabel {
				t.Errorf("label %s, want %s", r.Sentiment.Label, c.wantLabel)
			}
			if got := strings.Join(themeNames(r.Themes), " "); got != c.wantThemes {
				t.Errorf("themes %q, want %q", got, c.wantThemes)
			}
		})
	}
}

// TestBuiltinAspects checks the built-in vocabulary's aspect words: they
// judge the theme they describe, and nothing elsewhere.
func TestBuiltinAspects(t *testing.T) {
	e, err := New(config.Enrichment{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, text, want string }{
		{"en", "Service was quick and prices were a bit high.", "service:positive price:negative"},
		{"en", "High ceilings and a long bar.", ""},
		{"en", "Try the green curry.", "food:positive"},
		{"fr", "Les prix sont plutôt élevés.", "price:negative"},
		{"ru", "Цены высокие.", "price:negative"},
	} {
		t.Run(c.text, func(t *testing.T) {
			r := review.Review{Lang: c.lang, Text: c.text}
			e.Enrich(&r)
			var got []string
			for _, th := range r.Themes {
				if th.Label != "neutral" {
					got = append(got, th.Name+":"+th.Label)
				}
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("polar themes %q, want %q (all: %v)", got, c.want, themeNames(r.Themes))
			}
		})
	}
}

// TestConcurrent runs one Enricher from many goroutines; with -race it
// checks that pooled scratch space is not shared.
func TestConcurrent(t *testing.T) {
	e := newTest(t, config.Enrichment{})
	want := map[string]string{}
	for _, r := range benchReviews {
		c := r
		e.Enrich(&c)
		want[c.Text] = c.Sentiment.Label + strings.Join(themeNames(c.Themes), ",")
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				r := benchReviews[(g+i)%len(benchReviews)]
				e.Enrich(&r)
				if got := r.Sentiment.Label + strings.Join(themeNames(r.Themes), ","); got != want[r.Text] {
					t.Errorf("concurrent result %s, want %s", got, want[r.Text])
					return
				}
			}
		}()
	}
	wg.Wait()
}
