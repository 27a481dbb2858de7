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
	"math"
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
	// Decided counts what decided each polarity: "theme", "sentence",
	// "review theme", "review" or "prior" (see SemEvalWith).
	Decided map[string]int `json:"-"`
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

	review int // index of its review in semFile.reviews, -1 when none
}

// semFile is a SemEval file read: its sentences and, when it groups them
// in <Review> elements, the text of each review.
type semFile struct {
	lang      string
	sentences []semSentence
	reviews   [][]string // the sentence texts of each review
}

// errData marks input that does not follow the expected format.
var errData = errors.New("malformed input")

// SemEvalOptions says how SemEvalWith reads and scores a file.
type SemEvalOptions struct {
	// Lang is the language of the texts; "" reads it from the file's
	// xml:lang / lang attribute or guesses it from the text.
	Lang string
	// Reviews, when not nil, is a SemEval file whose sentences are grouped
	// in <Review> elements: the organisers' training file that a re-split
	// (smid_resplit) was carved from. A sentence of the evaluated file
	// whose text appears in exactly one of its reviews gets that review as
	// context. A file that groups its own sentences needs none.
	Reviews io.Reader
	// NoContext scores each sentence alone, without its review and without
	// the prior (see SemEvalWith): the product's own labels.
	NoContext bool
	// Each, when not nil, is called with every opinion scored: the
	// sentence, the theme, the gold and predicted polarities and what
	// decided it (see SemEvalReport.Decided). For people tuning.
	Each func(sentence, theme, gold, predicted, decidedBy string)
}

// SemEval scores e on a SemEval-2016 Task 5 sentence-level XML file (the
// organisers' format, with or without <Review> grouping). The language is
// read from the root's or reviews' xml:lang / lang attribute, or else
// guessed from the text's script and words; sentences marked
// OutOfScope="TRUE" are left out. Polarities are positive, negative,
// neutral and conflict. See SemEvalWith for how polarity is decided.
func SemEval(r io.Reader, e *enrich.Enricher) (SemEvalReport, error) {
	return SemEvalWith(r, e, SemEvalOptions{})
}

// SemEvalLang is SemEval with the language given rather than guessed.
func SemEvalLang(r io.Reader, lang string, e *enrich.Enricher) (SemEvalReport, error) {
	return SemEvalWith(r, e, SemEvalOptions{Lang: lang})
}

// SemEvalWith is SemEval with options.
//
// Theme polarity is scored in the organisers' slot-3 setting: the gold
// says that the sentence holds an opinion about the theme, and the system
// gives its polarity. Vigie answers, in order, with the first of these
// that is not neutral: the label of the theme in the sentence; the
// sentence's label; the label of the theme over the whole review; the
// review's label; and, when none leans, positive, the prior of an
// opinion that a review states without evaluative words (most opinions
// are positive in restaurant reviews). The product itself leaves a
// theme neutral when nothing near it evaluates it; only this task
// setting, where an opinion is known to exist, reads further. Vigie's
// mixed counts on the side of its score: SemEval-2016 gold has no
// conflict in English and French and a handful in Russian.
func SemEvalWith(r io.Reader, e *enrich.Enricher, opts SemEvalOptions) (SemEvalReport, error) {
	rep := SemEvalReport{Lang: opts.Lang, PerTheme: map[string]*Counts{}, Polarity: map[string]map[string]int{}, Decided: map[string]int{}}
	f, err := readSemEval(r, opts.Lang, true)
	if err != nil {
		return rep, err
	}
	lang := f.lang
	if opts.Reviews != nil && !opts.NoContext {
		ctx, err := readSemEval(opts.Reviews, lang, false)
		if err != nil {
			return rep, fmt.Errorf("%w (reviews file)", err)
		}
		f.groupBy(ctx)
	}
	if lang == "" {
		var all strings.Builder
		for _, s := range f.sentences {
			all.WriteString(s.Text)
			all.WriteByte('\n')
		}
		lang = guessLang(all.String())
	}
	rep.Lang = lang
	// The reviews' own labels, computed once per review.
	type reviewLabels struct {
		done   bool
		label  string
		themes map[string]string
	}
	revs := make([]reviewLabels, len(f.reviews))
	reviewOf := func(i int) *reviewLabels {
		rl := &revs[i]
		if !rl.done {
			rv := review.Review{Text: strings.Join(f.reviews[i], "\n"), Lang: lang}
			e.Enrich(&rv)
			rl.done, rl.label, rl.themes = true, sentencePolarity(&rv), predictedThemes(&rv)
		}
		return rl
	}
	var tp, fp, fn, right int
	count := func(theme string) *Counts {
		c := rep.PerTheme[theme]
		if c == nil {
			c = &Counts{}
			rep.PerTheme[theme] = c
		}
		return c
	}
	for _, s := range f.sentences {
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
			var p, how string
			if opts.NoContext {
				p, how = pred[o.theme], "theme"
				if p == "" {
					p, how = sentencePolarity(&rv), "sentence"
				}
			} else {
				p, how = pred[o.theme], "theme"
				if p == "" || p == "neutral" {
					p, how = sentencePolarity(&rv), "sentence"
				}
				if p == "neutral" && s.review >= 0 {
					rl := reviewOf(s.review)
					p, how = rl.themes[o.theme], "review theme"
					if p == "" || p == "neutral" {
						p, how = rl.label, "review"
					}
				}
				if p == "neutral" {
					p, how = "positive", "prior"
				}
			}
			rep.Decided[how]++
			if opts.Each != nil {
				opts.Each(s.Text, o.theme, o.polarity, p, how)
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

// readSemEval reads the sentences of a SemEval file, and its reviews when
// it groups sentences in <Review> elements. check validates the opinions.
func readSemEval(r io.Reader, lang string, check bool) (*semFile, error) {
	f := &semFile{lang: lang}
	dec := xml.NewDecoder(r)
	inReview := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return f, fmt.Errorf("eval: semeval: %w", err)
		}
		if ee, ok := tok.(xml.EndElement); ok && ee.Name.Local == "Review" {
			inReview = false
			continue
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if f.lang == "" {
			for _, a := range se.Attr {
				if a.Name.Local == "lang" && a.Value != "" {
					f.lang = strings.ToLower(a.Value)
				}
			}
		}
		if se.Name.Local == "Review" {
			f.reviews = append(f.reviews, nil)
			inReview = true
			continue
		}
		if se.Name.Local != "sentence" {
			continue
		}
		line, _ := dec.InputPos()
		var s semSentence
		if err := dec.DecodeElement(&s, &se); err != nil {
			return f, fmt.Errorf("eval: semeval: sentence at line %d: %w", line, err)
		}
		for i, o := range s.Opinions {
			if !check {
				break
			}
			switch o.Polarity {
			case "positive", "negative", "neutral", "conflict":
			default:
				return f, fmt.Errorf("eval: semeval: sentence %q (line %d): opinion %d has polarity %q: %w", s.ID, line, i+1, o.Polarity, errData)
			}
			if o.Category == "" || !strings.Contains(o.Category, "#") {
				return f, fmt.Errorf("eval: semeval: sentence %q (line %d): opinion %d has category %q, want ENTITY#ATTRIBUTE: %w", s.ID, line, i+1, o.Category, errData)
			}
		}
		s.review = -1
		if inReview {
			s.review = len(f.reviews) - 1
			f.reviews[s.review] = append(f.reviews[s.review], s.Text)
		}
		f.sentences = append(f.sentences, s)
	}
	if len(f.sentences) == 0 {
		return f, fmt.Errorf("eval: semeval: no <sentence> element: %w", errData)
	}
	return f, nil
}

// groupBy takes the reviews of ctx as f's: each sentence of f whose text
// is in exactly one review of ctx gets that review.
func (f *semFile) groupBy(ctx *semFile) {
	where := map[string]int{} // text → review, -1 when in several
	for _, s := range ctx.sentences {
		if s.review < 0 {
			continue
		}
		if r, ok := where[s.Text]; ok && r != s.review {
			where[s.Text] = -1
			continue
		}
		where[s.Text] = s.review
	}
	f.reviews = ctx.reviews
	for i := range f.sentences {
		s := &f.sentences[i]
		s.review = -1
		if r, ok := where[s.Text]; ok {
			s.review = r
		}
	}
}

// predictedThemes maps the review's themes to SemEval themes with their
// polarity; Vigie themes that meet on one SemEval theme (service and
// wait) are combined: a polar label wins over neutral, and of opposite
// labels the one with the stronger score.
func predictedThemes(rv *review.Review) map[string]string {
	pred := map[string]string{}
	score := map[string]float64{}
	for _, t := range rv.Themes {
		st, ok := VigieToSemEval[t.Name]
		if !ok {
			continue
		}
		p := semPolarity(t.Label, t.Score)
		old, seen := pred[st]
		switch {
		case !seen || old == "neutral":
		case p == "neutral" || old == p && math.Abs(t.Score) <= math.Abs(score[st]):
			continue
		case old != p && math.Abs(t.Score) <= math.Abs(score[st]):
			continue
		}
		pred[st], score[st] = p, t.Score
	}
	return pred
}

func sentencePolarity(rv *review.Review) string {
	if rv.Sentiment == nil {
		return "neutral"
	}
	return semPolarity(rv.Sentiment.Label, rv.Sentiment.Score)
}

// semPolarity names a Vigie label as SemEval does: mixed goes to the side
// of its score, neutral when it has none.
func semPolarity(label string, score float64) string {
	if label != "mixed" {
		return label
	}
	switch {
	case score > 0:
		return "positive"
	case score < 0:
		return "negative"
	}
	return "neutral"
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
