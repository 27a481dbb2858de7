// Package learn trains and applies Vigie's per-language linear classifiers:
// the learning side behind `vigie train`. From labelled reviews it builds,
// for each language the data covers, up to three heads over hashed word,
// bigram and character n-gram features:
//
//   - sentiment: text → positive / neutral / negative (multinomial logistic
//     regression);
//   - themes: text → set of theme names (one-vs-rest logistic regression with
//     a threshold per theme tuned by cross-validation);
//   - theme_polarity: text + theme → polarity (multinomial logistic
//     regression over the text's features crossed with the theme, plus the
//     words around the theme's mention when its span is known).
//
// A Model is saved to a small versioned binary file that the configuration
// points to; the pipeline combines its probabilities with the lexicon.
package learn

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Sentence and theme polarity labels.
const (
	Positive = "positive"
	Neutral  = "neutral"
	Negative = "negative"
	Conflict = "conflict"
)

// Vigie's theme names, as the SemEval categories map onto them.
const (
	ThemeFood     = "food"
	ThemeService  = "service"
	ThemeAmbience = "ambience"
	ThemeLocation = "location"
	ThemePrice    = "price"
	ThemeOverall  = "overall"
)

// Example is one labelled text.
//
// Label is the sentence (or review) sentiment, empty when unknown. Themes
// lists the themes the text talks about with their polarity, one entry per
// annotated opinion (a theme may appear more than once, for example two
// dishes of which one is praised and one is not). A nil Themes means "themes
// not annotated": the example takes no part in the themes head. A non-nil
// empty Themes means "annotated, talks about no theme": a negative example
// for every theme. The readers follow this rule.
type Example struct {
	Text, Lang, Label string
	Themes            []ThemeLabel
}

// ThemeLabel is one annotated opinion about a theme. Polarity is positive,
// negative, neutral or conflict; empty when only the theme is known.
//
// Spans optionally holds the byte offsets in the text of the words the
// opinion is about (the SemEval target): the polarity head then also looks
// at the words around them.
type ThemeLabel struct {
	Name, Polarity string
	Spans          []Span
}

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

// themesAnnotated reports whether e takes part in the themes head.
func (e *Example) themesAnnotated() bool { return e.Themes != nil }

// themeNames returns the distinct theme names of e, sorted.
func (e *Example) themeNames() []string {
	var names []string
	for _, t := range e.Themes {
		if !slices.Contains(names, t.Name) {
			names = append(names, t.Name)
		}
	}
	slices.Sort(names)
	return names
}

// normLabel maps the spellings of a sentiment or polarity label found in
// data files onto Positive, Neutral, Negative or Conflict. It returns "" and
// false for anything else.
func normLabel(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "positive", "pos", "+", "+1", "1", "p":
		return Positive, true
	case "negative", "neg", "-", "-1", "n":
		return Negative, true
	case "neutral", "neu", "0", "none", "o":
		return Neutral, true
	case "conflict", "mixed", "both":
		return Conflict, true
	}
	return "", false
}

// WithLang returns examples with every empty Lang set to lang, for formats
// that do not carry the language (SemEval XML, TSV).
func WithLang(examples []Example, lang string) []Example {
	for i := range examples {
		if examples[i].Lang == "" {
			examples[i].Lang = lang
		}
	}
	return examples
}

// Split divides examples into a training part and a development part of
// about devFraction of each (language, label) group, deterministically for a
// seed. The order inside each part follows the input. Use it for inputs
// that come without a development file.
func Split(examples []Example, devFraction float64, seed int64) (train, dev []Example) {
	if devFraction <= 0 {
		return slices.Clone(examples), nil
	}
	if devFraction >= 1 {
		return nil, slices.Clone(examples)
	}
	groups := map[string][]int{}
	var keys []string
	for i, e := range examples {
		k := e.Lang + "\x00" + e.Label
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	slices.Sort(keys)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5b1d))
	isDev := make([]bool, len(examples))
	for _, k := range keys {
		idx := groups[k]
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		n := int(float64(len(idx))*devFraction + 0.5)
		for _, i := range idx[:n] {
			isDev[i] = true
		}
	}
	for i, e := range examples {
		if isDev[i] {
			dev = append(dev, e)
		} else {
			train = append(train, e)
		}
	}
	return train, dev
}

// semevalTheme maps a SemEval-2016 restaurant category (ENTITY#ATTRIBUTE)
// onto a Vigie theme: FOOD and DRINKS → food, SERVICE → service, AMBIENCE →
// ambience, LOCATION → location, any #PRICES → price, RESTAURANT#GENERAL and
// RESTAURANT#MISCELLANEOUS → overall. Other entities (other domains) map to
// their lower-cased name.
func semevalTheme(category string) string {
	entity, attr, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(category)), "#")
	if attr == "PRICES" {
		return ThemePrice
	}
	switch entity {
	case "FOOD", "DRINKS":
		return ThemeFood
	case "SERVICE":
		return ThemeService
	case "AMBIENCE":
		return ThemeAmbience
	case "LOCATION":
		return ThemeLocation
	case "RESTAURANT":
		return ThemeOverall
	}
	return strings.ToLower(entity)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// errorf formats a reader error.
func errorf(format string, args ...any) error { return fmt.Errorf("learn: "+format, args...) }
