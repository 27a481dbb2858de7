// Package eval measures Vigie's enrichment against public labelled data:
// SemEval-2016 Task 5 restaurant reviews (themes and their polarity),
// tweets labelled negative / neutral / positive (UMSAB), and SentiRuEval-2016
// bank tweets. It gives `vigie eval` its readers and metrics; every metric
// is a fraction in [0, 1].
package eval

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vigie-dev/vigie/internal/enrich"
	"github.com/vigie-dev/vigie/internal/review"
)

// SemEvalReport is the result of SemEval: theme detection scored as the
// organisers' slot 1 over entities, and theme polarity as their slot 3
// (the polarity of each gold theme in its sentence).
type SemEvalReport struct {
	Lang             string  `json:"lang"`
	Sentences        int     `json:"sentences"`
	ThemePrecision   float64 `json:"theme_precision"`
	ThemeRecall      float64 `json:"theme_recall"`
	ThemeF1          float64 `json:"theme_f1"`
	PolarityAccuracy float64 `json:"polarity_accuracy"`

	// Details for people tuning the enrichment; not part of the JSON.

	// OutOfScope counts sentences marked OutOfScope, left out of scoring.
	OutOfScope int `json:"-"`
	// Opinions counts the unique gold (sentence, theme, polarity) triples.
	Opinions int `json:"-"`
	// PerTheme holds true positives, false positives and false negatives
	// per SemEval theme.
	PerTheme map[string]*Counts `json:"-"`
	// Polarity[gold][predicted] counts polarity decisions.
	Polarity map[string]map[string]int `json:"-"`
}

// Counts are the outcomes of one class's decisions.
type Counts struct{ TP, FP, FN int }

// SemEval themes: the organisers' categories merged to entities.
const (
	semFood     = "food"
	semService  = "service"
	semAmbience = "ambience"
	semLocation = "location"
	semPrice    = "price"
	semOverall  = "overall"
)

// SemEvalTheme maps a SemEval-2016 category (ENTITY#ATTRIBUTE) to the
// theme it is scored as: FOOD and DRINKS → food, SERVICE → service,
// AMBIENCE → ambience, LOCATION → location, any #PRICES → price,
// RESTAURANT#GENERAL and RESTAURANT#MISCELLANEOUS → overall. It returns ""
// for a category outside these.
func SemEvalTheme(category string) string {
	entity, attr, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(category)), "#")
	if attr == "PRICES" {
		return semPrice
	}
	switch entity {
	case "FOOD", "DRINKS":
		return semFood
	case "SERVICE":
		return semService
	case "AMBIENCE":
		return semAmbience
	case "LOCATION":
		return semLocation
	case "RESTAURANT":
		if attr == "GENERAL" || attr == "MISCELLANEOUS" {
			return semOverall
		}
	}
	return ""
}

// VigieToSemEval maps Vigie's built-in themes onto SemEval themes. Waiting
// and ordering (booking, delivery) are what SemEval annotates as SERVICE;
// cleanliness of the room is part of its AMBIENCE; product quality is
// FOOD in a restaurant. Payment and opening hours have no SemEval
// counterpart (RESTAURANT#MISCELLANEOUS mixes them with everything else)
// and are not scored, nor are themes a user adds.
var VigieToSemEval = map[string]string{
	"food":        semFood,
	"product":     semFood,
	"service":     semService,
	"wait":        semService,
	"ordering":    semService,
	"ambience":    semAmbience,
	"cleanliness": semAmbience,
	"price":       semPrice,
	"location":    semLocation,
	"overall":     semOverall,
}

type semSentence struct {
	ID         string `xml:"id,attr"`
	OutOfScope string `xml:"OutOfScope,attr"`
	Text       string `xml:"text"`
	Opinions   []struct {
		Category string `xml:"category,attr"`
		Polarity string `xml:"polarity,attr"`
	} `xml:"Opinions>Opinion"`
}

// errData marks input that does not follow the expected format.
var errData = errors.New("malformed input")

// SemEval scores e on a SemEval-2016 Task 5 sentence-level XML file (the
// organisers' format, with or without <Review> grouping). The language is
// read from the root's or reviews' xml:lang / lang attribute, or else
// guessed from the text's script and words; sentences marked
// OutOfScope="TRUE" are left out. Polarities are positive, negative,
// neutral and conflict; Vigie's mixed counts as conflict.
func SemEval(r io.Reader, e *enrich.Enricher) (SemEvalReport, error) {
	return semEval(r, e, "")
}

// SemEvalLang is SemEval with the language given rather than guessed.
func SemEvalLang(r io.Reader, lang string, e *enrich.Enricher) (SemEvalReport, error) {
	return semEval(r, e, lang)
}

func semEval(r io.Reader, e *enrich.Enricher, lang string) (SemEvalReport, error) {
	rep := SemEvalReport{Lang: lang, PerTheme: map[string]*Counts{}, Polarity: map[string]map[string]int{}}
	var sentences []semSentence
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("eval: semeval: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if lang == "" {
			for _, a := range se.Attr {
				if a.Name.Local == "lang" && a.Value != "" {
					lang = strings.ToLower(a.Value)
				}
			}
		}
		if se.Name.Local != "sentence" {
			continue
		}
		line, _ := dec.InputPos()
		var s semSentence
		if err := dec.DecodeElement(&s, &se); err != nil {
			return rep, fmt.Errorf("eval: semeval: sentence at line %d: %w", line, err)
		}
		for i, o := range s.Opinions {
			switch o.Polarity {
			case "positive", "negative", "neutral", "conflict":
			default:
				return rep, fmt.Errorf("eval: semeval: sentence %q (line %d): opinion %d has polarity %q: %w", s.ID, line, i+1, o.Polarity, errData)
			}
			if o.Category == "" || !strings.Contains(o.Category, "#") {
				return rep, fmt.Errorf("eval: semeval: sentence %q (line %d): opinion %d has category %q, want ENTITY#ATTRIBUTE: %w", s.ID, line, i+1, o.Category, errData)
			}
		}
		sentences = append(sentences, s)
	}
	if len(sentences) == 0 {
		return rep, fmt.Errorf("eval: semeval: no <sentence> element: %w", errData)
	}
	if lang == "" {
		var all strings.Builder
		for _, s := range sentences {
			all.WriteString(s.Text)
			all.WriteByte('\n')
		}
		lang = guessLang(all.String())
	}
	rep.Lang = lang
	var tp, fp, fn, right int
	count := func(theme string) *Counts {
		c := rep.PerTheme[theme]
		if c == nil {
			c = &Counts{}
			rep.PerTheme[theme] = c
		}
		return c
	}
	for _, s := range sentences {
		if strings.EqualFold(s.OutOfScope, "true") {
			rep.OutOfScope++
			continue
		}
		rep.Sentences++
		gold := map[string]bool{}
		type triple struct{ theme, polarity string }
		var opinions []triple
		for _, o := range s.Opinions {
			th := SemEvalTheme(o.Category)
			if th == "" {
				continue
			}
			gold[th] = true
			t := triple{th, o.Polarity}
			if !slices.Contains(opinions, t) {
				opinions = append(opinions, t)
			}
		}
		rv := review.Review{Text: s.Text, Lang: lang}
		e.Enrich(&rv)
		pred := predictedThemes(&rv)
		for th := range pred {
			if gold[th] {
				tp++
				count(th).TP++
			} else {
				fp++
				count(th).FP++
			}
		}
		for th := range gold {
			if _, ok := pred[th]; !ok {
				fn++
				count(th).FN++
			}
		}
		for _, o := range opinions {
			p, ok := pred[o.theme]
			if !ok {
				p = sentencePolarity(&rv)
			}
			if rep.Polarity[o.polarity] == nil {
				rep.Polarity[o.polarity] = map[string]int{}
			}
			rep.Polarity[o.polarity][p]++
			rep.Opinions++
			if p == o.polarity {
				right++
			}
		}
	}
	rep.ThemePrecision = ratio(tp, tp+fp)
	rep.ThemeRecall = ratio(tp, tp+fn)
	rep.ThemeF1 = ratio(2*tp, 2*tp+fp+fn)
	rep.PolarityAccuracy = ratio(right, rep.Opinions)
	return rep, nil
}

// predictedThemes maps the review's themes to SemEval themes with their
// polarity; Vigie themes that meet on one SemEval theme (service and
// wait) are combined: opposite labels make a conflict.
func predictedThemes(rv *review.Review) map[string]string {
	pred := map[string]string{}
	for _, t := range rv.Themes {
		st, ok := VigieToSemEval[t.Name]
		if !ok {
			continue
		}
		p := semPolarity(t.Label)
		old, seen := pred[st]
		switch {
		case !seen || old == "neutral":
			pred[st] = p
		case old == p || p == "neutral":
		default:
			pred[st] = "conflict"
		}
	}
	return pred
}

func sentencePolarity(rv *review.Review) string {
	if rv.Sentiment == nil {
		return "neutral"
	}
	return semPolarity(rv.Sentiment.Label)
}

// semPolarity names a Vigie label as SemEval does.
func semPolarity(label string) string {
	if label == "mixed" {
		return "conflict"
	}
	return label
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// guessLang tells Russian by its script and French from English by a few
// frequent words; SemEval files are monolingual and long enough.
func guessLang(text string) string {
	cyr, lat := 0, 0
	for _, r := range text {
		switch {
		case r >= 0x0400 && r <= 0x04FF:
			cyr++
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			lat++
		}
	}
	if cyr > lat {
		return "ru"
	}
	fr, en := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 0xC0 && r <= 0x17F)
	}) {
		switch w {
		case "le", "la", "les", "et", "est", "une", "des", "du", "très", "pas":
			fr++
		case "the", "and", "is", "was", "of", "to", "it", "very", "not":
			en++
		}
	}
	if fr > en {
		return "fr"
	}
	return "en"
}
