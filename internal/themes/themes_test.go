package themes

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/sentiment"
	"github.com/vigie-dev/vigie/internal/textproc"
)

func testTaxonomy(t testing.TB) *Taxonomy {
	t.Helper()
	b, err := os.ReadFile("testdata/taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tax, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return tax
}

func testAnalyzer(t testing.TB) *sentiment.Analyzer {
	t.Helper()
	a, err := sentiment.New(sentiment.Options{Builtin: os.DirFS("../sentiment/testdata/lexicons")})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func tag(t *testing.T, tg *Tagger, a *sentiment.Analyzer, text, lang string) []review.Theme {
	t.Helper()
	d := textproc.Tokenize(text, lang)
	var s sentiment.Result
	a.Analyze(d, &s)
	var res Result
	tg.Find(d, &s, &res)
	return tg.Themes(text, &res, a)
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, yaml, err string
	}{
		{"valid", "themes:\n  - name: wait\n    label: Waiting\n    terms:\n      en: [wait]\n", ""},
		{"unknown key", "themes:\n  - name: wait\n    colour: red\n", "colour"},
		{"no name", "themes:\n  - label: Waiting\n", "no name"},
		{"upper case name", "themes:\n  - name: Wait\n", "lower case"},
		{"twice", "themes:\n  - name: wait\n  - name: wait\n", "twice"},
		{"unknown language", "themes:\n  - name: wait\n    terms:\n      de: [warten]\n", `"de"`},
		{"empty term", "themes:\n  - name: wait\n    terms:\n      en: [\"*\"]\n", "empty"},
		{"not yaml", "themes: [", "themes: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "themes: ")):
				t.Fatalf("error %v, want one containing %q", err, c.err)
			}
		})
	}
}

func TestApply(t *testing.T) {
	for _, c := range []struct {
		name    string
		cfg     []config.ThemeConfig
		check   func(t *testing.T, tax *Taxonomy)
		wantErr string
	}{
		{
			name: "add terms to a built-in theme",
			cfg:  []config.ThemeConfig{{Name: "wait", Terms: map[string][]string{"en": {"drive-through line"}}}},
			check: func(t *testing.T, tax *Taxonomy) {
				if terms := tax.Find("wait").Terms["en"]; !slices.Contains(terms, "drive-through line") || !slices.Contains(terms, "queue") {
					t.Errorf("terms %v", terms)
				}
			},
		},
		{
			name: "replace the terms",
			cfg:  []config.ThemeConfig{{Name: "wait", Replace: true, Label: "Queues", Terms: map[string][]string{"fr": {"bouchon"}}}},
			check: func(t *testing.T, tax *Taxonomy) {
				th := tax.Find("wait")
				if len(th.Terms["en"]) != 0 || !slices.Equal(th.Terms["fr"], []string{"bouchon"}) || th.Label != "Queues" {
					t.Errorf("theme %+v", th)
				}
			},
		},
		{
			name: "remove a theme",
			cfg:  []config.ThemeConfig{{Name: "price", Remove: true}},
			check: func(t *testing.T, tax *Taxonomy) {
				if tax.Find("price") != nil {
					t.Error("price is still there")
				}
			},
		},
		{
			name: "add a theme",
			cfg:  []config.ThemeConfig{{Name: "drive-through", Terms: map[string][]string{"en": {"drive-through", "drive thru"}}}},
			check: func(t *testing.T, tax *Taxonomy) {
				th := tax.Find("drive-through")
				if th == nil || th.Label != "drive-through" || len(th.Terms["en"]) != 2 {
					t.Errorf("theme %+v", th)
				}
			},
		},
		{name: "remove an unknown theme", cfg: []config.ThemeConfig{{Name: "parking", Remove: true}}, wantErr: "parking"},
		{name: "unknown language", cfg: []config.ThemeConfig{{Name: "wait", Terms: map[string][]string{"es": {"cola"}}}}, wantErr: `"es"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tax := testTaxonomy(t)
			err := tax.Apply(c.cfg)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, tax)
			if testTaxonomy(t).Find("wait").Label != "Waiting time" {
				t.Error("Apply changed another taxonomy")
			}
		})
	}
}

func TestTag(t *testing.T) {
	tg, err := NewTagger(testTaxonomy(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := testAnalyzer(t)
	for _, c := range []struct {
		name, lang, text string
		want             map[string]string // theme → label
		evidence         map[string]string // theme → first evidence span
	}{
		{
			name: "each theme takes its clause's sentiment", lang: "en",
			text:     "The food was good but the service was terrible.",
			want:     map[string]string{"food": "positive", "service": "negative"},
			evidence: map[string]string{"food": "food", "service": "service"},
		},
		{
			name: "negation", lang: "en", text: "The staff was not friendly.",
			want: map[string]string{"service": "negative"},
		},
		{
			name: "inflections and prefixes", lang: "fr", text: "Les serveuses étaient sympa, mais quelle lenteur.",
			want:     map[string]string{"service": "positive", "wait": "neutral"},
			evidence: map[string]string{"service": "serveuses", "wait": "lenteur"},
		},
		{
			name: "phrase", lang: "fr", text: "Une file d'attente interminable",
			want:     map[string]string{"wait": "neutral"},
			evidence: map[string]string{"wait": "file d'attente"},
		},
		{
			name: "russian inflection", lang: "ru", text: "Из-за очереди ужасное обслуживание.",
			want: map[string]string{"wait": "negative", "service": "negative"},
		},
		{
			name: "evaluative sentence without aspect is overall", lang: "en", text: "Excellent!",
			want: map[string]string{"overall": "positive"},
		},
		{
			name: "neutral sentence without aspect has no theme", lang: "en", text: "We went on Monday.",
			want: map[string]string{},
		},
		{
			name: "mentions without sentiment words take the sentence's", lang: "en",
			text: "Great food and service.",
			want: map[string]string{"food": "positive", "service": "positive"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := tag(t, tg, a, c.text, c.lang)
			labels := map[string]string{}
			for _, th := range got {
				labels[th.Name] = th.Label
				if th.Score < -1 || th.Score > 1 {
					t.Errorf("%s: score %v", th.Name, th.Score)
				}
				for _, ev := range th.Evidence {
					if c.text[ev.Start:ev.End] != ev.Text {
						t.Errorf("%s: evidence %q does not match its offsets", th.Name, ev.Text)
					}
				}
				if want, ok := c.evidence[th.Name]; ok && (len(th.Evidence) == 0 || th.Evidence[0].Text != want) {
					t.Errorf("%s: evidence %+v, want %q", th.Name, th.Evidence, want)
				}
			}
			if len(labels) != len(c.want) {
				t.Errorf("themes %v, want %v", labels, c.want)
			}
			for name, l := range c.want {
				if labels[name] != l {
					t.Errorf("%s: %q, want %q (all: %v)", name, labels[name], l, labels)
				}
			}
		})
	}
}

func TestAcross(t *testing.T) {
	p := DefaultParams
	p.Across = -0.5
	tg, err := NewTagger(testTaxonomy(t), &p)
	if err != nil {
		t.Fatal(err)
	}
	got := tag(t, tg, testAnalyzer(t), "Les serveuses étaient sympa, mais quelle lenteur.", "fr")
	if len(got) != 2 || got[1].Name != "wait" || got[1].Label != "negative" {
		t.Errorf("themes %+v, want wait negative: across a contrast the sentiment turns", got)
	}
}

func TestTaggerLabelsAndNames(t *testing.T) {
	tg, err := NewTagger(testTaxonomy(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.Label("wait"); got != "Waiting time" {
		t.Errorf("label %q", got)
	}
	if got := tg.Label("nope"); got != "nope" {
		t.Errorf("label of an unknown theme %q", got)
	}
	if names := tg.Names(); len(names) != 5 || names[0] != "service" {
		t.Errorf("names %v", names)
	}
}
