// Package sentiment scores the polarity of reviews and of their sentences
// in French, Russian and English with lexicons and rules: words and
// phrases carry a valence between -4 and 4, and the words around them
// change it (negation, intensifiers, contrast, emphasis).
//
// Scores are in [-1, 1]. Labels are positive, neutral, negative, and mixed
// when a text is clearly both.
//
// The vocabulary is data: embedded files in lexicons/ (VADER for English,
// AFINN for French, emoji, Vigie's own lexicons and modifier lists), then
// any files the user adds. Lexicon entries are lemmas matched by Snowball
// stem, so inflected forms match ("délicieuses" finds "délicieux",
// "вкусного" finds "вкусный"); entries marked exact, and lemmas whose stems
// would collide with opposite signs, match their own form only.
package sentiment

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strings"

	"github.com/vigie-dev/vigie/internal/textproc"
)

// The labels of a sentiment.
const (
	Positive = "positive"
	Neutral  = "neutral"
	Negative = "negative"
	Mixed    = "mixed"
)

// Languages are the languages with a vocabulary. Any other language is
// scored with emoji and emoticons only.
var Languages = []string{"fr", "ru", "en"}

//go:embed lexicons/*.tsv
var builtin embed.FS

// Options configures an Analyzer.
type Options struct {
	// Lexicons lists extra lexicon files per language ("fr", "ru", "en"),
	// read after the built-in ones: their entries override built-in
	// entries of the same term.
	Lexicons map[string][]string
	// Modifiers lists extra modifier files per language
	// ("term<TAB>kind<TAB>value").
	Modifiers map[string][]string
	// Builtin replaces the embedded lexicons folder; nil means the
	// embedded one. Tests use it.
	Builtin fs.FS
	// Params tunes the scoring; nil means DefaultParams.
	Params *Params
	// Aspects lists, per language, the words of each aspect a review may
	// talk about (the themes of the taxonomy: "price": "price", "prices",
	// "cost"...). Lexicon entries marked with=aspect count only in a
	// clause that names one of their aspects: "high" is negative next to
	// "prices", nothing next to "ceilings". Without Aspects they never
	// count.
	Aspects map[string]map[string][]string
}

// Params are the constants of the scoring. They are exported for
// evaluation and tuning; the defaults are tuned on development data.
type Params struct {
	// Alpha normalises a sum of valences s into s/sqrt(s²+Alpha).
	Alpha float64
	// Threshold is the score from which a sentence or a theme is positive
	// (above) or negative (below its opposite); ReviewThreshold the same
	// for a whole review, which needs more than one mild word to lean.
	Threshold, ReviewThreshold float64
	// MixedMin is the least positive and negative mass (sums of valences)
	// for a text to be mixed; MixedRatio the least ratio of the smaller to
	// the larger in a sentence, ReviewMixedRatio in a review (whose
	// sentences each lean one way).
	MixedMin, MixedRatio, ReviewMixedRatio float64
	// A negated word is shifted towards the other side rather than
	// mirrored: "not good" is -(NegateShift + NegatePositive × good), "not
	// bad" is NegateShift + NegateNegative × |bad|, so that "not amazing"
	// is not as bad as "awful".
	NegateShift, NegatePositive, NegateNegative float64
	// Caps is added to the valence of a word in capitals.
	Caps float64
	// Bang is added per exclamation mark (up to four) to a sentence.
	Bang float64
	// Window is how many words before a sentiment word a modifier may
	// stand (French gets one more for "ne ... pas").
	Window int
	// ContrastBefore weighs the clause before a contrast word ("but").
	ContrastBefore float64
	// Question scales a sentence that asks something.
	Question float64
	// Irrealis scales a positive word under a wish or a duty ("should be
	// friendlier": negative) and IrrealisNegative a negative one.
	Irrealis, IrrealisNegative float64
}

// DefaultParams are the scoring constants used unless Options says
// otherwise.
var DefaultParams = Params{
	Alpha:            15,
	Threshold:        0.05,
	ReviewThreshold:  0.05,
	MixedMin:         2,
	MixedRatio:       0.7,
	ReviewMixedRatio: 0.4,
	NegateShift:      0,
	NegatePositive:   0.74,
	NegateNegative:   0.5,
	Caps:             0.733,
	Bang:             0.292,
	Window:           3,
	ContrastBefore:   0.5,
	Question:         0.8,
	Irrealis:         -0.5,
	IrrealisNegative: 0.7,
}

// Analyzer scores texts. It is safe for concurrent use.
type Analyzer struct {
	langs map[string]*lexicon
	und   *lexicon
	p     Params
}

// builtinFiles are read for each language, in order, when present.
func builtinFiles(lang string) (lexicons []string, modifiers string) {
	switch lang {
	case "en":
		lexicons = []string{"emoji.tsv", "en_vader.tsv", "en_vigie.tsv"}
	case "fr":
		lexicons = []string{"emoji.tsv", "fr_afinn.tsv", "fr_vigie.tsv"}
	case "ru":
		lexicons = []string{"emoji.tsv", "ru.tsv", "ru_vigie.tsv"}
	default:
		lexicons = []string{"emoji.tsv"}
	}
	return lexicons, "modifiers_" + lang + ".tsv"
}

// New loads the built-in vocabulary and the files opts names.
func New(opts Options) (*Analyzer, error) {
	fsys := opts.Builtin
	if fsys == nil {
		sub, err := fs.Sub(builtin, "lexicons")
		if err != nil {
			return nil, fmt.Errorf("sentiment: %w", err)
		}
		fsys = sub
	}
	a := &Analyzer{langs: map[string]*lexicon{}, p: DefaultParams}
	if opts.Params != nil {
		a.p = *opts.Params
	}
	for lang := range opts.Lexicons {
		if !known(lang) {
			return nil, fmt.Errorf("sentiment: lexicon for unknown language %q (want fr, ru or en)", lang)
		}
	}
	for lang := range opts.Modifiers {
		if !known(lang) {
			return nil, fmt.Errorf("sentiment: modifiers for unknown language %q (want fr, ru or en)", lang)
		}
	}
	for _, lang := range append([]string{""}, Languages...) {
		l := newLexicon(lang)
		l.aspects = newAspectIndex(lang, opts.Aspects[lang])
		if def, ok := defaultModifiers[lang]; ok {
			if err := l.readModifiers("built-in modifiers", strings.NewReader(def)); err != nil {
				return nil, err
			}
		}
		lexs, mods := builtinFiles(lang)
		for _, name := range lexs {
			if err := readFS(fsys, name, l.readLexicon); err != nil {
				return nil, err
			}
		}
		if lang != "" {
			if err := readFS(fsys, mods, l.readModifiers); err != nil {
				return nil, err
			}
		}
		for _, path := range opts.Lexicons[lang] {
			if err := readFile(path, l.readLexicon); err != nil {
				return nil, err
			}
		}
		for _, path := range opts.Modifiers[lang] {
			if err := readFile(path, l.readModifiers); err != nil {
				return nil, err
			}
		}
		if lang == "" {
			a.und = l
		} else {
			a.langs[lang] = l
		}
	}
	return a, nil
}

func known(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// readFS reads a built-in file if it exists: Vigie's own lexicons may be
// absent from a build.
func readFS(fsys fs.FS, name string, read func(string, io.Reader) error) error {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sentiment: %w", err)
	}
	defer f.Close()
	return read(name, f)
}

func readFile(path string, read func(string, io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sentiment: %w", err)
	}
	defer f.Close()
	return read(path, f)
}

func (a *Analyzer) lexicon(lang string) *lexicon {
	if l := a.langs[lang]; l != nil {
		return l
	}
	return a.und
}

// Unit is one sentiment-bearing word or phrase of a text and what the
// words around it did to it.
type Unit struct {
	// First and Last bound its tokens: Doc.Tokens[First:Last].
	First, Last int
	// Start and End are the byte span of the evidence: the word or phrase
	// with the modifiers that changed it ("pas très bon").
	Start, End int
	// Base is the lexicon valence; Valence the valence after negation,
	// intensity and emphasis; Weight the weight of its clause (contrast).
	Base, Valence, Weight float64
	Negated               bool
	// Sentence indexes Result.Sentences; Clause numbers the clauses of
	// the text.
	Sentence, Clause int
}

// Value is the unit's contribution to its sentence.
func (u *Unit) Value() float64 { return u.Valence * u.Weight }

// SentenceScore is the sentiment of one sentence.
type SentenceScore struct {
	// Start and End are byte offsets; First and Last bound its tokens.
	Start, End, First, Last int
	// Sum is the sum of the unit values with emphasis; Pos and Neg the
	// positive and negative masses.
	Sum, Pos, Neg float64
	Score         float64
	Label         string
	// Units bounds the sentence's units in Result.Units.
	UnitsFrom, UnitsTo int
}

// Result is the sentiment of a text. A Result may be reused for another
// text; Analyze overwrites it.
type Result struct {
	Units     []Unit
	Sentences []SentenceScore
	// Clause numbers the clause of each token (index as Doc.Tokens).
	Clause []int32
	// Contrasts holds the token indexes of the contrast words that turn
	// the sentence ("but", "mais", "но"), in order.
	Contrasts []int
	// Sum, Pos and Neg add up the sentences.
	Sum, Pos, Neg float64
	Score         float64
	Label         string

	mark []mark // per token, scratch
}

// mark is what the lexicon says about one token of the text.
type mark struct {
	in   *info
	last int // the phrase ends before token last (exclusive)
}

// Analyze scores the tokenized text d into res.
func (a *Analyzer) Analyze(d *textproc.Doc, res *Result) {
	res.Units = res.Units[:0]
	res.Sentences = res.Sentences[:0]
	res.Contrasts = res.Contrasts[:0]
	res.Sum, res.Pos, res.Neg, res.Score, res.Label = 0, 0, 0, 0, Neutral
	n := len(d.Tokens)
	res.Clause = grow(res.Clause, n)
	res.mark = growMarks(res.mark, n)
	lex := a.lexicon(d.Lang)
	a.markTokens(d, lex, res.mark)
	clause := int32(0)
	for si := range d.Sentences {
		s := &d.Sentences[si]
		clause++
		for i := s.First; i < s.Last; i++ {
			t := &d.Tokens[i]
			if t.Clause() {
				res.Clause[i] = clause
				clause++
				continue
			}
			if m := res.mark[i]; m.in != nil && m.in.mod == modContrast && m.last > i {
				clause++
				if m.in.value >= 1 {
					res.Contrasts = append(res.Contrasts, i)
				}
			}
			res.Clause[i] = clause
		}
		a.sentence(d, lex, res, si)
	}
	var pos, neg float64
	for i := range res.Sentences {
		ss := &res.Sentences[i]
		res.Sum += ss.Sum
		res.Pos += ss.Pos
		res.Neg += ss.Neg
		pos += max(ss.Sum, 0)
		neg += max(-ss.Sum, 0)
	}
	res.Score = a.normalize(res.Sum)
	res.Label = a.ReviewLabel(res.Score, pos, neg)
}

func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func growMarks(s []mark, n int) []mark {
	if cap(s) < n {
		return make([]mark, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// markTokens finds the lexicon's words and phrases in the text, longest
// phrase first.
func (a *Analyzer) markTokens(d *textproc.Doc, lex *lexicon, marks []mark) {
	toks := d.Tokens
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		switch t.Kind {
		case textproc.Word, textproc.Emoji, textproc.Emoticon, textproc.Number:
		default:
			continue
		}
		if p, end := matchPhrase(lex, toks, i); p != nil {
			marks[i] = mark{in: p, last: end}
			for k := i + 1; k < end; k++ {
				marks[k] = mark{last: -1} // inside a phrase
			}
			i = end - 1
			continue
		}
		if t.Kind == textproc.Number {
			continue
		}
		if in := lex.lookup(t, d.Text); in != nil {
			marks[i] = mark{in: in, last: i + 1}
			continue
		}
		if lex.lang == "ru" && t.Kind == textproc.Word {
			if in := a.negatedPrefix(lex, t); in != nil {
				marks[i] = mark{in: in, last: i + 1}
			}
		}
	}
}

// negatedPrefix reads a Russian word written with the particle не fused
// ("невкусно", "недорого") as the negation of the rest, when the rest is
// a sentiment word and the whole is not.
func (a *Analyzer) negatedPrefix(lex *lexicon, t *textproc.Token) *info {
	const ne = "не"
	if !strings.HasPrefix(t.Norm, ne) || len(t.Norm) < len(ne)+8 {
		return nil
	}
	rest := t.Norm[len(ne):]
	in := lex.exact[rest]
	if in == nil || !in.hasScore || in.mod != modNone {
		in = lex.stem(textproc.Stem(rest, "ru"), rest)
		if in == nil {
			in = lex.russianShortForm(rest)
		}
	}
	if in == nil || !in.hasScore || in.mod != modNone {
		return nil
	}
	return &info{score: a.negate(in.score), hasScore: true, src: in.src}
}

func matchPhrase(lex *lexicon, toks []textproc.Token, i int) (*info, int) {
	t := &toks[i]
	var best *info
	bestEnd := 0
	for pass := 0; pass < 2; pass++ {
		list := lex.phrases[t.Stem]
		if pass == 1 {
			list = lex.exactPhrases[t.Norm]
		}
		for _, p := range list {
			end := i + len(p.keys)
			if end > len(toks) || end <= bestEnd {
				continue
			}
			ok := true
			for k := 1; k < len(p.keys); k++ {
				if !p.keys[k].match(&toks[i+k]) {
					ok = false
					break
				}
			}
			if ok {
				best, bestEnd = p.info, end
			}
		}
	}
	return best, bestEnd
}

// sentence scores d.Sentences[si] into res.
func (a *Analyzer) sentence(d *textproc.Doc, lex *lexicon, res *Result, si int) {
	s := &d.Sentences[si]
	toks := d.Tokens
	marks := res.mark
	p := &a.p
	window := p.Window
	if d.Lang == "fr" {
		window++
	}
	from := len(res.Units)
	ss := SentenceScore{Start: s.Start, End: s.End, First: s.First, Last: s.Last, UnitsFrom: from}
	bang, question := 0, false
	for i := s.First; i < s.Last; i++ {
		t := &toks[i]
		if t.Kind == textproc.Punct {
			switch t.Norm {
			case "!":
				bang += int(t.N)
			case "?!":
				bang++
			case "?":
				question = true
			}
			continue
		}
		m := marks[i]
		if m.in == nil || m.last <= i {
			if t.Kind == textproc.Number {
				if u, ok := scoreRating(d, i, s.Last); ok {
					u.Sentence, u.Clause = si, int(res.Clause[i])
					res.Units = append(res.Units, u)
				}
			}
			continue
		}
		in := m.in
		v := in.score
		switch in.mod {
		case modBooster, modDampener:
			if nx := a.nextSentiment(d, marks, res.Clause, m.last, window); nx != nil &&
				(nx.with == 0 || !excessWords[d.Lang][toks[m.last-1].Norm]) {
				continue // "super bon": super only boosts
			}
			if in.mod == modBooster && excessWords[d.Lang][toks[m.last-1].Norm] {
				if !a.followedByWord(d, res.Clause, m.last) {
					continue // "me too": no object
				}
				v = excessScore // "too salty", "trop petit"
			} else if !in.hasScore {
				continue
			}
		case modPrivative:
			if a.boostsNext(d, marks, res.Clause, m.last, window) {
				continue // "lack of taste": it negates the word after it
			}
		case modNone:
			if v == 0 {
				continue // a form listed as neutral ("pourrait" is not "pourri")
			}
		default:
			continue
		}
		if in.with != 0 {
			if !a.aspectNear(d, lex, res.Clause, s, i, m.last, in.with) {
				continue // "high ceilings": not about prices
			}
			if a.excessBefore(d, marks, res.Clause, i, window) {
				continue // "too long", "trop petit": the excess word says it
			}
		}
		u := Unit{First: i, Last: m.last, Start: t.Start, End: toks[m.last-1].End, Base: v, Sentence: si, Clause: int(res.Clause[i])}
		if t.Kind == textproc.Word || t.Kind == textproc.Number {
			// Words turn emoji and emoticons neither way: "нет)" smiles.
			v = a.modify(d, marks, res.Clause, &u, v, window)
			if !u.Negated && len(res.Units) > from {
				// "not warm or attentive": the negation reaches past "or".
				if prev := &res.Units[len(res.Units)-1]; prev.Negated && coordinated(d, prev.Last, u.First) {
					v = a.negate(v)
					u.Negated = true
				}
			}
		}
		// Emphasis: capitals, stretched letters, repeated emoji.
		switch {
		case t.Is(textproc.AllCaps) && !d.Shouting:
			v += math.Copysign(p.Caps, v)
		case t.Is(textproc.Elongated):
			v += math.Copysign(0.3, v)
		}
		if t.N > 1 && (t.Kind == textproc.Emoji || t.Kind == textproc.Emoticon) {
			v *= 1 + 0.15*float64(min(int(t.N), 4)-1)
		}
		u.Valence = v
		u.Weight = 1
		res.Units = append(res.Units, u)
	}
	units := res.Units[from:]
	a.unreal(d, res.Clause, s, units)
	a.contrast(d, marks, s, units)
	for k := range units {
		v := units[k].Value()
		ss.Sum += v
		if v > 0 {
			ss.Pos += v
		} else {
			ss.Neg -= v
		}
	}
	if ss.Sum != 0 {
		ss.Sum += math.Copysign(p.Bang*float64(min(bang, 4)), ss.Sum)
		if question && bang == 0 {
			ss.Sum *= p.Question
		}
	}
	ss.UnitsTo = len(res.Units)
	ss.Score = a.normalize(ss.Sum)
	ss.Label = a.label(ss.Score, ss.Pos, ss.Neg)
	res.Sentences = append(res.Sentences, ss)
}

// conjunctions end the reach of the modifiers before them.
var conjunctions = map[string]bool{"and": true, "et": true, "и": true}

// disjunctions carry a negation from one word to the next ("not warm or
// attentive", "ni chaud ni bon", "не вкусно и не дешево" negates itself).
var disjunctions = map[string]bool{"or": true, "nor": true, "ou": true, "ni": true, "или": true, "ни": true}

// coordinated reports whether tokens from..to (exclusive) are only a
// disjunction, possibly with a comma.
func coordinated(d *textproc.Doc, from, to int) bool {
	seen := false
	for k := from; k < to; k++ {
		t := &d.Tokens[k]
		switch {
		case t.Kind == textproc.Word && disjunctions[t.Norm]:
			seen = true
		case t.Kind == textproc.Punct && t.Norm == ",":
		default:
			return false
		}
	}
	return seen
}

// scoreRating reads "8/10", "4,5/5" or "0/20" in the text as a rating.
func scoreRating(d *textproc.Doc, i, last int) (Unit, bool) {
	toks := d.Tokens
	if i+2 >= last || toks[i+1].Norm != "/" || toks[i+2].Kind != textproc.Number ||
		toks[i+1].Start != toks[i].End || toks[i+2].Start != toks[i+1].End {
		return Unit{}, false
	}
	// "02/10" and "12/10/2024" are dates, "1/2" numbers a tweet.
	if len(toks[i].Norm) > 1 && toks[i].Norm[0] == '0' ||
		i+3 < len(toks) && toks[i+3].Start == toks[i+2].End && toks[i+3].Kind == textproc.Punct ||
		i > 0 && toks[i-1].End == toks[i].Start && toks[i-1].Kind == textproc.Punct && toks[i-1].Norm == "/" {
		return Unit{}, false
	}
	x, ok1 := parseNumber(toks[i].Norm)
	y, ok2 := parseNumber(toks[i+2].Norm)
	if !ok1 || !ok2 || x > y || (y != 5 && y != 10 && y != 20 && y != 100) {
		return Unit{}, false
	}
	v := (x/y - 0.5) * 6 // -3 .. 3
	return Unit{First: i, Last: i + 3, Start: toks[i].Start, End: toks[i+2].End, Base: v, Valence: v, Weight: 1}, true
}

func parseNumber(s string) (float64, bool) {
	v := 0.0
	frac := 0.0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if frac > 0 {
				v += float64(c-'0') * frac
				frac /= 10
			} else {
				v = v*10 + float64(c-'0')
			}
		case (c == '.' || c == ',') && frac == 0:
			frac = 0.1
		default:
			return 0, false
		}
	}
	return v, true
}

// boostsNext reports whether a sentiment word follows a booster ending at
// token from, within the window and the clause.
func (a *Analyzer) boostsNext(d *textproc.Doc, marks []mark, clause []int32, from, window int) bool {
	return a.nextSentiment(d, marks, clause, from, window) != nil
}

// nextSentiment returns the sentiment word that follows a modifier ending
// at token from, within the window and the clause, or nil.
func (a *Analyzer) nextSentiment(d *textproc.Doc, marks []mark, clause []int32, from, window int) *info {
	toks := d.Tokens
	words := 0
	c := clause[from-1]
	for k := from; k < len(toks) && words < window; k++ {
		if clause[k] != c || toks[k].Kind == textproc.Punct {
			return nil
		}
		if m := marks[k]; m.in != nil && m.last > k {
			if m.in.hasScore && (m.in.mod == modNone && m.in.score != 0 || m.in.mod == modBooster || m.in.mod == modDampener) {
				return m.in
			}
			if m.in.mod == modContrast {
				return nil
			}
		}
		words++
	}
	return nil
}

// aspectNear reports whether the clause of tokens i..last (exclusive)
// names, outside them, one of the aspects with.
func (a *Analyzer) aspectNear(d *textproc.Doc, lex *lexicon, clause []int32, s *textproc.Sentence, i, last int, with uint64) bool {
	c := clause[i]
	for k := s.First; k < s.Last; k++ {
		if k == i {
			k = last - 1
			continue
		}
		if clause[k] == c && lex.aspects.bits(&d.Tokens[k])&with != 0 {
			return true
		}
	}
	return false
}

// excessBefore reports whether an excess word ("too", "trop") stands
// before token i in its clause, within the window.
func (a *Analyzer) excessBefore(d *textproc.Doc, marks []mark, clause []int32, i, window int) bool {
	ex := excessWords[d.Lang]
	for k, words := i-1, 0; k >= 0 && words < window && clause[k] == clause[i]; k-- {
		t := &d.Tokens[k]
		if t.Kind == textproc.Punct {
			return false
		}
		if ex[t.Norm] {
			return true
		}
		if m := marks[k]; m.in == nil || m.in.mod != modBooster && m.in.mod != modDampener {
			words++
		}
	}
	return false
}

// followedByWord reports whether a word follows token from in its clause.
func (a *Analyzer) followedByWord(d *textproc.Doc, clause []int32, from int) bool {
	return from < len(d.Tokens) && clause[from] == clause[from-1] && d.Tokens[from].Kind == textproc.Word
}

// modify applies the modifiers before a sentiment word (negation,
// intensity) and, in French, informal negation after it.
func (a *Analyzer) modify(d *textproc.Doc, marks []mark, clause []int32, u *Unit, v float64, window int) float64 {
	toks := d.Tokens
	c := clause[u.First]
	mult, boosted := 1.0, false
	negated, restrictive := false, false
	words := 0
scan:
	for k := u.First - 1; k >= 0 && words < window; k-- {
		t := &toks[k]
		if clause[k] != c || t.Kind == textproc.Punct {
			break
		}
		m := marks[k]
		if m.last < 0 {
			continue // inside a phrase: its first token holds it
		}
		if conjunctions[t.Norm] && m.in == nil {
			break // "aucun service et patronne exécrable": the negation stays with service
		}
		words++
		if d.Lang == "fr" && t.Norm == "que" {
			restrictive = true // "je ne peux que recommander"
		}
		if m.in == nil {
			continue
		}
		switch m.in.mod {
		case modNegator, modPrivative:
			if restrictive && t.Norm == "ne" {
				continue
			}
			if d.Lang == "ru" && t.Norm == "не" && !ruNegationReaches(d, marks, k, u.First) {
				break scan // "не оказалось, к сожалению": не negates its own word
			}
			negated = true
			u.Start = min(u.Start, t.Start)
		case modBooster, modDampener:
			f := 1 + (m.in.value-1)*(1-0.05*float64(words-1))
			mult *= f
			if m.in.mod == modBooster {
				boosted = true
			}
			u.Start = min(u.Start, t.Start)
			if toks[k].Is(textproc.AllCaps) && !d.Shouting {
				mult *= 1.1
			}
		case modContrast:
			break scan // the clause ends here
		}
		if m.in.hasScore && m.in.mod == modNone && m.in.score != 0 {
			break // another sentiment word: modifiers further back are its own
		}
	}
	if !negated && d.Lang == "fr" && u.Last < len(toks) && clause[u.Last] == c {
		if next := &toks[u.Last]; postNegators["fr"][next.Norm] && postNegatedStems[toks[u.Last-1].Stem] {
			negated = true
			u.End = next.End
		}
	}
	if negated && a.selfNegated(d, u) {
		negated = false // "jamais déçu" already holds its negation
	}
	if negated {
		u.Negated = true
		if boosted {
			v /= mult // "pas très bon" is less bad than "pas bon"
		} else {
			v *= mult
		}
		return a.negate(v)
	}
	return v * mult
}

// ruNegationReaches reports whether the Russian particle не at token k
// reaches the sentiment word starting at token first: не negates the word
// right after it, so only modifiers ("не очень вкусно") and a few
// auxiliary words ("не всегда вкусно", "не было вкусно") may stand
// between.
func ruNegationReaches(d *textproc.Doc, marks []mark, k, first int) bool {
	for j := k + 1; j < first; j++ {
		if m := marks[j]; m.last < 0 || m.in != nil && (m.in.mod == modBooster || m.in.mod == modDampener) {
			continue
		}
		if !ruNegationGap[d.Tokens[j].Norm] {
			return false
		}
	}
	return true
}

// ruNegationGap are the words that may stand between не and the word it
// negates: auxiliaries and copulas ("не показался вкусным"), "всегда",
// "что", prepositions ("не в восторге"). Neuter "оказалось" is left out:
// "не оказалось" says that something was missing.
var ruNegationGap = map[string]bool{
	"всегда": true, "особо": true, "особенно": true, "было": true, "был": true, "была": true, "были": true,
	"будет": true, "будут": true, "то": true, "уж": true, "же": true, "сказать": true, "могу": true,
	"могли": true, "может": true, "смогли": true, "стал": true, "стала": true, "стали": true, "стало": true,
	"очень-то": true, "всем": true, "всё": true, "все": true, "конца": true, "так": true, "что": true,
	"чтобы": true, "слишком": true, "в": true, "во": true, "на": true, "по": true, "за": true, "к": true,
	"с": true, "со": true, "от": true, "для": true, "у": true, "из": true, "о": true, "об": true, "до": true,
	"при": true, "каждому": true, "всякому": true, "кажется": true, "покажется": true, "показался": true,
	"показалась": true, "показалось": true, "показались": true, "оказался": true, "оказалась": true,
	"оказались": true, "выглядит": true, "выглядел": true, "выглядела": true, "выглядело": true,
}

// selfNegated reports whether a phrase unit holds a negator itself: the
// "ne" before "jamais déçu" is part of the same negation.
func (a *Analyzer) selfNegated(d *textproc.Doc, u *Unit) bool {
	if u.Last-u.First < 2 {
		return false
	}
	lex := a.lexicon(d.Lang)
	for k := u.First; k < u.Last; k++ {
		if in := lex.exact[d.Tokens[k].Norm]; in != nil && (in.mod == modNegator || in.mod == modPrivative) {
			return true
		}
	}
	return false
}

// negate turns a valence to the other side (see Params.NegateShift).
func (a *Analyzer) negate(v float64) float64 {
	p := &a.p
	switch {
	case v > 0:
		return -(p.NegateShift + p.NegatePositive*v)
	case v < 0:
		return p.NegateShift - p.NegateNegative*v
	}
	return 0
}

// unreal applies the irrealis words of the sentence to the units after
// them in their clause.
func (a *Analyzer) unreal(d *textproc.Doc, clause []int32, s *textproc.Sentence, units []Unit) {
	triggers := irrealis[d.Lang]
	if len(triggers) == 0 || len(units) == 0 {
		return
	}
	toks := d.Tokens
	for i := s.First; i < s.Last; i++ {
		end := 0
		for _, tr := range triggers {
			if i+len(tr) > s.Last || toks[i].Norm != tr[0] {
				continue
			}
			ok := true
			for k := 1; k < len(tr); k++ {
				if toks[i+k].Norm != tr[k] {
					ok = false
					break
				}
			}
			if ok {
				end = i + len(tr)
				break
			}
		}
		if end == 0 {
			continue
		}
		for k := range units {
			u := &units[k]
			if clause[u.First] != clause[i] || u.First < end {
				continue
			}
			if u.Valence > 0 {
				u.Valence *= a.p.Irrealis
			} else {
				u.Valence *= a.p.IrrealisNegative
			}
			u.Start = min(u.Start, toks[i].Start)
			u.End = max(u.End, toks[end-1].End)
		}
		i = end - 1
	}
}

// contrast weighs the units of a sentence by the contrast words in it:
// after "but" a clause weighs the contrast value and what came before
// weighs less; after "although" the clause weighs its (smaller) value.
func (a *Analyzer) contrast(d *textproc.Doc, marks []mark, s *textproc.Sentence, units []Unit) {
	if len(units) == 0 {
		return
	}
	type cw struct {
		at, end int
		v       float64
	}
	var buf [4]cw
	cs := buf[:0]
	for i := s.First; i < s.Last; i++ {
		if m := marks[i]; m.in != nil && m.in.mod == modContrast && m.last > i {
			cs = append(cs, cw{i, m.last, m.in.value})
		}
	}
	if len(cs) == 0 {
		return
	}
	for k := range units {
		u := &units[k]
		w, after := 1.0, 0.0
		for _, c := range cs {
			switch {
			case c.v >= 1 && u.First < c.at:
				w *= a.p.ContrastBefore
			case c.v >= 1 && u.First >= c.end:
				after = c.v // the latest "but" counts
			case c.v < 1 && u.First >= c.end && sameClauseRun(d, c.end-1, u.First):
				w *= c.v
			}
		}
		if after > 0 {
			w *= after
		}
		u.Weight = w
	}
}

// sameClauseRun reports whether no clause mark stands between tokens from
// and to.
func sameClauseRun(d *textproc.Doc, from, to int) bool {
	for k := from + 1; k < to; k++ {
		if d.Tokens[k].Clause() {
			return false
		}
	}
	return true
}

func (a *Analyzer) normalize(sum float64) float64 {
	if sum == 0 {
		return 0
	}
	v := sum / math.Sqrt(sum*sum+a.p.Alpha)
	return math.Max(-1, math.Min(1, v))
}

// label names a score; pos and neg are the positive and negative masses
// that decide whether it is mixed.
func (a *Analyzer) label(score, pos, neg float64) string {
	p := &a.p
	if pos >= p.MixedMin && neg >= p.MixedMin && math.Min(pos, neg) >= p.MixedRatio*math.Max(pos, neg) {
		return Mixed
	}
	switch {
	case score > 0 && score >= p.Threshold:
		return Positive
	case score < 0 && score <= -p.Threshold:
		return Negative
	}
	return Neutral
}

// Label names a score in [-1, 1] with the analyzer's threshold, for
// scores combined elsewhere (themes); pos and neg are the positive and
// negative masses that make it mixed.
func (a *Analyzer) Label(score, pos, neg float64) string { return a.label(score, pos, neg) }

// ReviewLabel is Label for a whole review, where pos and neg add up
// sentences: a smaller share of the other side makes it mixed.
func (a *Analyzer) ReviewLabel(score, pos, neg float64) string {
	p := &a.p
	if pos >= p.MixedMin && neg >= p.MixedMin && math.Min(pos, neg) >= p.ReviewMixedRatio*math.Max(pos, neg) {
		return Mixed
	}
	switch {
	case score > 0 && score >= p.ReviewThreshold:
		return Positive
	case score < 0 && score <= -p.ReviewThreshold:
		return Negative
	}
	return Neutral
}

// Normalize maps a sum of valences onto [-1, 1] as sentence scores are.
func (a *Analyzer) Normalize(sum float64) float64 { return a.normalize(sum) }

// Params returns the analyzer's scoring constants.
func (a *Analyzer) Params() Params { return a.p }
