package learn

import (
	"fmt"
	"slices"
	"strings"
)

// PRF counts one label's hits and derives precision, recall and F1.
type PRF struct {
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func (p *PRF) finish() {
	if p.TP+p.FP > 0 {
		p.Precision = float64(p.TP) / float64(p.TP+p.FP)
	}
	if p.TP+p.FN > 0 {
		p.Recall = float64(p.TP) / float64(p.TP+p.FN)
	}
	if p.TP > 0 {
		p.F1 = 2 * float64(p.TP) / float64(2*p.TP+p.FP+p.FN)
	}
}

// Report is the evaluation of a model on labelled examples, per language.
type Report struct {
	Langs []LangReport `json:"langs"`
}

// Lang returns the report of one language, nil when it has none.
func (r Report) Lang(lang string) *LangReport {
	for i := range r.Langs {
		if r.Langs[i].Lang == lang {
			return &r.Langs[i]
		}
	}
	return nil
}

// LangReport is the evaluation of one language's heads. A part is nil when
// the examples or the model do not allow it.
type LangReport struct {
	Lang          string           `json:"lang"`
	Sentiment     *SentimentReport `json:"sentiment,omitempty"`
	Themes        *ThemeReport     `json:"themes,omitempty"`
	ThemePolarity *PolarityReport  `json:"theme_polarity,omitempty"`
	// Skipped counts examples the model has no head for.
	Skipped int `json:"skipped"`
}

// SentimentReport evaluates the sentiment head: accuracy and macro-F1 over
// the labels of the gold data and of the model.
type SentimentReport struct {
	N        int            `json:"n"`
	Correct  int            `json:"correct"`
	Accuracy float64        `json:"accuracy"`
	MacroF1  float64        `json:"macro_f1"`
	PerLabel map[string]PRF `json:"per_label"`
	// Confusion[gold][predicted] counts examples.
	Confusion map[string]map[string]int `json:"confusion"`
}

// ThemeReport evaluates the themes head over unique (text, theme) pairs,
// micro-averaged (SemEval's slot 1 after merging categories into themes).
type ThemeReport struct {
	N        int            `json:"n"` // theme-annotated examples
	Micro    PRF            `json:"micro"`
	PerTheme map[string]PRF `json:"per_theme"`
}

// PolarityReport evaluates the theme_polarity head over gold opinions: each
// annotated theme polarity is predicted for its gold theme in its text
// (SemEval's slot 3, gold aspects given). Accuracy uses the text and theme
// alone; SpanAccuracy also gives the head the opinion's target spans when
// known.
type PolarityReport struct {
	N            int     `json:"n"`
	Correct      int     `json:"correct"`
	SpanCorrect  int     `json:"span_correct"`
	Accuracy     float64 `json:"accuracy"`
	SpanAccuracy float64 `json:"span_accuracy"`
	// Confusion[gold][predicted] counts opinions (without spans).
	Confusion map[string]map[string]int `json:"confusion"`
}

// Evaluate runs m on examples and scores every head against their labels.
func Evaluate(m *Model, examples []Example) Report {
	type acc struct {
		rep      LangReport
		sentConf map[string]map[string]int
		themes   map[string]*PRF
	}
	by := map[string]*acc{}
	for i := range examples {
		e := &examples[i]
		lang := strings.ToLower(e.Lang)
		a := by[lang]
		if a == nil {
			a = &acc{rep: LangReport{Lang: lang}, sentConf: map[string]map[string]int{}, themes: map[string]*PRF{}}
			by[lang] = a
		}
		used := false
		if e.Label != "" {
			if label, _, ok := m.PredictSentiment(e.Text, lang); ok {
				used = true
				if a.rep.Sentiment == nil {
					a.rep.Sentiment = &SentimentReport{}
				}
				a.rep.Sentiment.N++
				if label == e.Label {
					a.rep.Sentiment.Correct++
				}
				if a.sentConf[e.Label] == nil {
					a.sentConf[e.Label] = map[string]int{}
				}
				a.sentConf[e.Label][label]++
			}
		}
		if e.themesAnnotated() {
			if probs, ok := m.PredictThemes(e.Text, lang); ok {
				used = true
				if a.rep.Themes == nil {
					a.rep.Themes = &ThemeReport{}
				}
				a.rep.Themes.N++
				gold := e.themeNames()
				for _, g := range gold {
					g = normTheme(g)
					p := a.themes[g]
					if p == nil {
						p = &PRF{}
						a.themes[g] = p
					}
					if pr, ok := probs[g]; ok && pr >= m.ThemeThreshold(lang, g) {
						p.TP++
					} else {
						p.FN++
					}
				}
				for t, pr := range probs {
					if pr >= m.ThemeThreshold(lang, t) && !slices.Contains(gold, t) {
						p := a.themes[t]
						if p == nil {
							p = &PRF{}
							a.themes[t] = p
						}
						p.FP++
					}
				}
			}
			for _, t := range e.Themes {
				if t.Polarity == "" {
					continue
				}
				label, _, ok := m.PredictThemePolarity(e.Text, lang, t.Name)
				if !ok {
					continue
				}
				used = true
				r := a.rep.ThemePolarity
				if r == nil {
					r = &PolarityReport{Confusion: map[string]map[string]int{}}
					a.rep.ThemePolarity = r
				}
				r.N++
				if label == t.Polarity {
					r.Correct++
				}
				if r.Confusion[t.Polarity] == nil {
					r.Confusion[t.Polarity] = map[string]int{}
				}
				r.Confusion[t.Polarity][label]++
				if len(t.Spans) > 0 {
					label, _, _ = m.PredictThemePolaritySpans(e.Text, lang, t.Name, t.Spans)
				}
				if label == t.Polarity {
					r.SpanCorrect++
				}
			}
		}
		if !used {
			a.rep.Skipped++
		}
	}
	var rep Report
	for _, lang := range sortedKeys(by) {
		a := by[lang]
		if s := a.rep.Sentiment; s != nil {
			s.Accuracy = float64(s.Correct) / float64(s.N)
			s.Confusion = a.sentConf
			labels := map[string]int{}
			for g, row := range a.sentConf {
				labels[g]++
				for p := range row {
					labels[p]++
				}
			}
			for _, l := range m.Labels(lang, HeadSentiment) {
				labels[l]++
			}
			s.PerLabel = map[string]PRF{}
			for l := range labels {
				var p PRF
				for g, row := range a.sentConf {
					for pl, n := range row {
						switch {
						case g == l && pl == l:
							p.TP += n
						case g == l:
							p.FN += n
						case pl == l:
							p.FP += n
						}
					}
				}
				p.finish()
				s.PerLabel[l] = p
				s.MacroF1 += p.F1
			}
			s.MacroF1 /= float64(len(labels))
		}
		if t := a.rep.Themes; t != nil {
			t.PerTheme = map[string]PRF{}
			for name, p := range a.themes {
				p.finish()
				t.PerTheme[name] = *p
				t.Micro.TP += p.TP
				t.Micro.FP += p.FP
				t.Micro.FN += p.FN
			}
			t.Micro.finish()
		}
		if p := a.rep.ThemePolarity; p != nil {
			p.Accuracy = float64(p.Correct) / float64(p.N)
			p.SpanAccuracy = float64(p.SpanCorrect) / float64(p.N)
		}
		rep.Langs = append(rep.Langs, a.rep)
	}
	return rep
}

// String formats the report as a few lines per language.
func (r Report) String() string {
	var b strings.Builder
	for _, l := range r.Langs {
		if s := l.Sentiment; s != nil {
			fmt.Fprintf(&b, "%s sentiment: n=%d accuracy=%.3f macro-F1=%.3f", l.Lang, s.N, s.Accuracy, s.MacroF1)
			for _, lab := range sortedKeys(s.PerLabel) {
				fmt.Fprintf(&b, " %s=%.3f", lab, s.PerLabel[lab].F1)
			}
			b.WriteByte('\n')
		}
		if t := l.Themes; t != nil {
			fmt.Fprintf(&b, "%s themes: n=%d P=%.3f R=%.3f F1=%.3f (micro)", l.Lang, t.N, t.Micro.Precision, t.Micro.Recall, t.Micro.F1)
			for _, name := range sortedKeys(t.PerTheme) {
				fmt.Fprintf(&b, " %s=%.3f", name, t.PerTheme[name].F1)
			}
			b.WriteByte('\n')
		}
		if p := l.ThemePolarity; p != nil {
			fmt.Fprintf(&b, "%s theme polarity: n=%d accuracy=%.3f (with target spans %.3f)\n", l.Lang, p.N, p.Accuracy, p.SpanAccuracy)
		}
		if l.Skipped > 0 {
			fmt.Fprintf(&b, "%s: %d examples without a head\n", l.Lang, l.Skipped)
		}
	}
	return b.String()
}
