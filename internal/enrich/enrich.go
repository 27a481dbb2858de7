// Package enrich is the pipeline stage that understands a review whose
// language is known: it tokenizes the text once, scores its sentiment
// (per sentence and for the review, with evidence), finds its themes with
// the sentiment about each, and combines the text with the star rating
// and, when configured, a trained classifier.
package enrich

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/sentiment"
	"github.com/vigie-dev/vigie/internal/textproc"
	"github.com/vigie-dev/vigie/internal/themes"
)

// Classifier is a trained text classifier (see `vigie train`). Predict
// returns a label (positive, neutral or negative), the probability of
// each label, and ok false when it cannot judge the text (a language it
// was not trained on). It must be safe for concurrent use.
type Classifier interface {
	Predict(text, lang string) (label string, probs map[string]float64, ok bool)
}

// Option changes how an Enricher is built.
type Option func(*settings)

type settings struct {
	classifier Classifier
	weight     float64
	taxonomy   *themes.Taxonomy
	sentParams *sentiment.Params
	themParams *themes.Params
	builtin    *sentiment.Options
}

// WithClassifier combines a trained classifier with the lexicon: the
// review's text score becomes (1-weight)·lexicon + weight·(P(positive) -
// P(negative)). weight is in (0, 1]; 0 means the default, 0.5.
func WithClassifier(c Classifier, weight float64) Option {
	return func(s *settings) {
		s.classifier = c
		s.weight = weight
	}
}

// WithTaxonomy replaces the built-in taxonomy (before the configuration's
// themes are applied).
func WithTaxonomy(t *themes.Taxonomy) Option {
	return func(s *settings) { s.taxonomy = t }
}

// WithSentimentParams replaces the sentiment scoring constants.
func WithSentimentParams(p sentiment.Params) Option {
	return func(s *settings) { s.sentParams = &p }
}

// WithThemeParams replaces the theme constants.
func WithThemeParams(p themes.Params) Option {
	return func(s *settings) { s.themParams = &p }
}

// WithSentimentOptions replaces the options the sentiment analyser is
// built with (tests use it to read lexicons from a test folder); the
// configuration's lexicons are added to them.
func WithSentimentOptions(o sentiment.Options) Option {
	return func(s *settings) { s.builtin = &o }
}

// Enricher implements the pipeline's Enricher. It is safe for concurrent
// use.
type Enricher struct {
	an     *sentiment.Analyzer
	tagger *themes.Tagger
	clf    Classifier
	weight float64
	pool   sync.Pool
}

// work is the scratch space of one Enrich call.
type work struct {
	doc, title textproc.Doc
	sent, tsen sentiment.Result
	themes     themes.Result
}

// New builds an Enricher from the enrichment configuration: user lexicons
// per language, user themes on top of the built-in taxonomy (or none of
// it when cfg.DefaultThemes is false). cfg.Model is not read here: the
// caller loads the model and passes it with WithClassifier; a configured
// model without a classifier is an error, so that it is not silently
// ignored.
func New(cfg config.Enrichment, opts ...Option) (*Enricher, error) {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	if cfg.Model != "" && s.classifier == nil {
		return nil, fmt.Errorf("enrich: model %s is configured but no classifier was loaded from it", cfg.Model)
	}
	var tax *themes.Taxonomy
	var err error
	switch {
	case !cfg.UseDefaultThemes():
		tax = &themes.Taxonomy{}
	case s.taxonomy != nil:
		tax = s.taxonomy.Clone()
	default:
		if tax, err = themes.Default(); err != nil {
			return nil, fmt.Errorf("enrich: %w", err)
		}
	}
	if err := tax.Apply(cfg.Themes); err != nil {
		return nil, fmt.Errorf("enrich: %w", err)
	}
	so := sentiment.Options{}
	if s.builtin != nil {
		so = *s.builtin
	}
	so.Params = s.sentParams
	if so.Aspects == nil {
		// The themes are the aspects that contextual lexicon entries
		// ("high" with prices) look for.
		so.Aspects = aspects(tax)
	}
	if len(cfg.Lexicons) > 0 {
		lex := map[string][]string{}
		for lang, paths := range so.Lexicons {
			lex[lang] = slices.Clone(paths)
		}
		for lang, path := range cfg.Lexicons {
			lex[lang] = append(lex[lang], path)
		}
		so.Lexicons = lex
	}
	an, err := sentiment.New(so)
	if err != nil {
		return nil, fmt.Errorf("enrich: %w", err)
	}
	tg, err := themes.NewTagger(tax, s.themParams)
	if err != nil {
		return nil, fmt.Errorf("enrich: %w", err)
	}
	e := &Enricher{an: an, tagger: tg, clf: s.classifier, weight: s.weight}
	if e.weight <= 0 || e.weight > 1 {
		e.weight = 0.5
	}
	e.pool.New = func() any { return new(work) }
	return e, nil
}

// aspects lists the terms of each theme per language, as the sentiment
// analyser takes them.
func aspects(tax *themes.Taxonomy) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for _, th := range tax.Themes {
		for lang, terms := range th.Terms {
			if out[lang] == nil {
				out[lang] = map[string][]string{}
			}
			out[lang][th.Name] = append(out[lang][th.Name], terms...)
		}
	}
	return out
}

// Name implements pipeline.Enricher.
func (e *Enricher) Name() string { return "enrich" }

// Themes returns the names of the themes the enricher looks for.
func (e *Enricher) Themes() []string { return e.tagger.Names() }

// ThemeLabel returns the label shown for a theme name.
func (e *Enricher) ThemeLabel(name string) string { return e.tagger.Label(name) }

// Rating thresholds on the 0..1 scale: at or above ratingPositive the
// review is positive whatever its text; at or below ratingNegative it is
// negative; up to ratingLow it is negative unless the text is positive
// (then mixed); in between the text decides.
const (
	ratingPositive = 0.75
	ratingNegative = 0.25
	ratingLow      = 0.4
	// maxEvidence bounds the evidence of the review's sentiment.
	maxEvidence = 8
)

// Enrich implements pipeline.Enricher: it sets r.Sentiment and r.Themes.
// Offsets in evidence and sentences are byte offsets in r.Text. The title,
// when there is one, counts in the review's score but gives no sentence,
// evidence or theme (its offsets would not be in r.Text).
func (e *Enricher) Enrich(r *review.Review) {
	w := e.pool.Get().(*work)
	defer e.pool.Put(w)
	lang := r.Lang
	w.doc.Parse(r.Text, lang)
	e.an.Analyze(&w.doc, &w.sent)
	sum, pos, neg := w.sent.Sum, 0.0, 0.0
	for i := range w.sent.Sentences {
		ss := &w.sent.Sentences[i]
		pos += max(ss.Sum, 0)
		neg += max(-ss.Sum, 0)
	}
	if r.Title != "" {
		w.title.Parse(r.Title, lang)
		e.an.Analyze(&w.title, &w.tsen)
		sum += w.tsen.Sum
		pos += max(w.tsen.Sum, 0)
		neg += max(-w.tsen.Sum, 0)
	}
	r.Themes = nil
	if len(w.doc.Tokens) == 0 && len(w.title.Tokens) == 0 && r.RatingNorm == nil {
		r.Sentiment = nil
		return
	}
	score := e.an.Normalize(sum)
	label := e.an.ReviewLabel(score, pos, neg)
	if e.clf != nil && label != sentiment.Mixed {
		text := r.Text
		if r.Title != "" {
			text = r.Title + "\n" + r.Text
		}
		if _, probs, ok := e.clf.Predict(text, lang); ok {
			c := probs[sentiment.Positive] - probs[sentiment.Negative]
			score = (1-e.weight)*score + e.weight*c
			label = e.an.Label(score, 0, 0)
		}
	}
	s := &review.Sentiment{Score: round(score), Label: label, Driver: "text"}
	if r.RatingNorm != nil {
		applyRating(s, *r.RatingNorm)
	}
	s.Sentences = make([]review.SentenceSentiment, len(w.sent.Sentences))
	for i := range w.sent.Sentences {
		ss := &w.sent.Sentences[i]
		s.Sentences[i] = review.SentenceSentiment{Start: ss.Start, End: ss.End, Score: round(ss.Score), Label: ss.Label}
	}
	s.Evidence = evidence(r.Text, w.sent.Units)
	r.Sentiment = s
	e.tagger.Find(&w.doc, &w.sent, &w.themes)
	r.Themes = e.tagger.Themes(r.Text, &w.themes, e.an)
	if r.Title == "" {
		w.title.Parse("", lang) // do not keep a previous review's title
	}
}

// applyRating lets the star rating decide the review's label when it is
// clear, the text deciding in the middle of the scale.
func applyRating(s *review.Sentiment, rating float64) {
	text := s.Score
	blend := round(0.7*(2*rating-1) + 0.3*text)
	switch {
	case rating >= ratingPositive:
		s.Label, s.Score, s.Driver = sentiment.Positive, max(blend, 0.05), "rating"
	case rating <= ratingNegative:
		s.Label, s.Score, s.Driver = sentiment.Negative, min(blend, -0.05), "rating"
	case rating <= ratingLow:
		if s.Label == sentiment.Positive || s.Label == sentiment.Mixed {
			s.Label, s.Score, s.Driver = sentiment.Mixed, blend, "rating"
		} else {
			s.Label, s.Score, s.Driver = sentiment.Negative, min(blend, -0.05), "rating"
		}
	}
}

// evidence keeps the units that moved the score most, in text order.
func evidence(text string, units []sentiment.Unit) []review.Evidence {
	if len(units) == 0 {
		return nil
	}
	idx := make([]int, 0, len(units))
	for i := range units {
		if units[i].Value() != 0 {
			idx = append(idx, i)
		}
	}
	if len(idx) > maxEvidence {
		slices.SortFunc(idx, func(a, b int) int {
			va, vb := math.Abs(units[a].Value()), math.Abs(units[b].Value())
			switch {
			case va > vb:
				return -1
			case va < vb:
				return 1
			}
			return a - b
		})
		idx = idx[:maxEvidence]
		slices.Sort(idx)
	}
	ev := make([]review.Evidence, len(idx))
	for k, i := range idx {
		u := &units[i]
		ev[k] = review.Evidence{Text: text[u.Start:u.End], Start: u.Start, End: u.End, Weight: round(u.Value())}
	}
	return ev
}

func round(v float64) float64 { return math.Round(v*1000) / 1000 }
