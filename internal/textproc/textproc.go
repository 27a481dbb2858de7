// Package textproc is the one tokenizer shared by every enrichment stage
// (sentiment, themes): it cuts a review into tokens with byte offsets,
// normalised forms and Snowball stems, and into sentences, once per review.
//
// Normalisation of a word token (Token.Norm):
//   - lower case; Russian ё is written е;
//   - runs of three or more identical letters are squeezed to one
//     ("soooo" → "so", "ужжжасно" → "ужасно") and the token is flagged
//     Elongated, so a lexicon can try the two-letter form too;
//   - French elisions are separate tokens spelled out in full: "l'" → "le",
//     "d'" → "de", "n'" → "ne", "qu'" → "que", so that "n'est pas" reads
//     "ne est pas";
//   - English contractions stay one token with a straight apostrophe
//     ("don’t" → "don't");
//   - hyphenated words are split ("qualité-prix" → "qualité" "prix"), so
//     phrases written with a space or a hyphen match alike.
//
// Emoji and emoticons are tokens of their own; runs of the same emoji or
// emoticon are one token whose N counts them. Punctuation runs ("!!!") are
// one token with N the number of marks, kept as emphasis.
//
// Stems come from the Snowball stemmers that bleve uses (fr, ru, en) and
// are cached per word form for the whole process, so that a form is stemmed
// once, not once per review or per stage.
package textproc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind says what a token is.
type Kind uint8

// The kinds of tokens.
const (
	Word     Kind = iota // letters, possibly with digits
	Number               // starts with a digit
	Emoji                // a pictograph (with its modifiers)
	Emoticon             // :) :( :D ;) <3 ))) and the like
	Punct                // one punctuation mark or a run of the same marks
	URL                  // a web address
	Mention              // @user
)

// Flag holds facts about a token.
type Flag uint8

// The token flags.
const (
	// AllCaps marks a word of two or more letters written in capitals.
	AllCaps Flag = 1 << iota
	// Elongated marks a word whose repeated letters were squeezed.
	Elongated
	// Hashtag marks a word written as a #hashtag (the # is not in the span).
	Hashtag
	// Elision marks a French elided word (l', d', qu', n'...).
	Elision
	// Capitalized marks a word whose first letter is upper case.
	Capitalized
	// Joined marks a word joined to the previous one by a hyphen
	// ("go-to", "qualité-prix").
	Joined
)

// Token is one unit of text.
type Token struct {
	// Start and End are byte offsets of the token in the text.
	Start, End int
	// Norm is the normalised form (see the package comment). For
	// emoticons it is a canonical form (":)", ":(", ":D", ";)", ":P",
	// ":/", ":'(", "<3"); for punctuation the mark, once ("!", "?", "?!").
	Norm string
	// Stem is the Snowball stem of Norm for words, Norm otherwise.
	Stem string
	Kind Kind
	Flag Flag
	// N counts repetitions: marks in a punctuation run, emoji or
	// emoticons in a run ("))))" is 4). It is 1 for a single token.
	N uint16
}

// Is reports whether the token has flag f.
func (t *Token) Is(f Flag) bool { return t.Flag&f != 0 }

// IsWord reports whether the token is a word (not a number, mark or
// symbol).
func (t *Token) IsWord() bool { return t.Kind == Word }

// Clause reports whether the token is a mark that ends a clause inside a
// sentence: , ; : ( ) a spaced dash, or a sentence mark.
func (t *Token) Clause() bool {
	if t.Kind != Punct {
		return false
	}
	switch t.Norm {
	case ",", ";", ":", "(", ")", "-", "–", "—", ".", "!", "?", "?!", "…", "\n", "[", "]", "/":
		return true
	}
	return false
}

// Sentence is a span of tokens that makes one sentence.
type Sentence struct {
	// Start and End are byte offsets in the text.
	Start, End int
	// First and Last bound the sentence's tokens: Tokens[First:Last].
	First, Last int
}

// Doc is a tokenized text. A Doc may be reused for another text with Parse;
// its slices are then overwritten.
type Doc struct {
	Text      string
	Lang      string
	Tokens    []Token
	Sentences []Sentence
	// Shouting is true when most words of the text are in capitals; then
	// capitals are no emphasis.
	Shouting bool

	arena []byte // normalised forms before they are made one string
	spans []span // where each token's Norm lies in arena (-1: none)
}

type span struct{ a, b int32 }

// Tokenize tokenizes text in language lang ("fr", "ru", "en"; anything
// else is tokenized without language rules and without stems).
func Tokenize(text, lang string) *Doc {
	d := &Doc{}
	d.Parse(text, lang)
	return d
}

// Parse tokenizes text into d, reusing d's storage.
func (d *Doc) Parse(text, lang string) {
	d.Text, d.Lang = text, lang
	d.Tokens = d.Tokens[:0]
	d.Sentences = d.Sentences[:0]
	d.arena = d.arena[:0]
	d.spans = d.spans[:0]
	d.Shouting = false
	p := parser{d: d, text: text, lang: lang}
	p.run()
	d.finish()
}

// finish turns the arena into one string, gives tokens their Norm and Stem
// and cuts sentences.
func (d *Doc) finish() {
	var arena string
	if len(d.arena) > 0 {
		arena = string(d.arena)
	}
	st := stemmerFor(d.Lang)
	caps, words := 0, 0
	for i := range d.Tokens {
		t := &d.Tokens[i]
		if s := d.spans[i]; s.a >= 0 {
			t.Norm = arena[s.a:s.b]
		}
		t.Stem = t.Norm
		if t.Kind == Word {
			words++
			if t.Is(AllCaps) {
				caps++
			}
			if st != nil {
				t.Stem = st.stem(t.Norm)
			}
		}
	}
	d.Shouting = words >= 2 && caps*2 > words
	d.splitSentences()
}

type parser struct {
	d      *Doc
	text   string
	lang   string
	open   int  // unmatched "(" so far
	joined bool // the next word follows a hyphen
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' || r == '´'
}

func isHyphen(r rune) bool { return r == '-' || r == '‐' || r == '‑' }

func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	case r >= 0xC0 && r <= 0x24F: // Latin-1 letters and Latin Extended
		return r != 0xD7 && r != 0xF7
	case r >= 0x400 && r <= 0x4FF: // Cyrillic
		return r != 0x482
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

// letterCase reports whether a word rune is an upper-case or a lower-case
// letter, with fast paths for the scripts of French, Russian and English.
func letterCase(r rune) (upper, lower bool) {
	switch {
	case r < utf8.RuneSelf:
		return 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z'
	case r >= 0x410 && r <= 0x42F || r >= 0x400 && r <= 0x40F:
		return true, false
	case r >= 0x430 && r <= 0x45F:
		return false, true
	}
	return unicode.IsUpper(r), unicode.IsLower(r)
}

// toLower lower-cases a rune, with fast paths for Latin and Cyrillic.
func toLower(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r >= 0x410 && r <= 0x42F:
		return r + 0x20
	case r >= 0x430 && r <= 0x45F:
		return r
	}
	return unicode.ToLower(r)
}

// IsEmoji reports whether r is a pictograph that stands for itself (faces,
// hearts, hands, symbols), as opposed to a letter or a mark.
func IsEmoji(r rune) bool {
	switch {
	case r >= 0x1F300 && r <= 0x1FAFF, // pictographs, emoticons, transport, supplemental
		r >= 0x2600 && r <= 0x27BF, // misc symbols, dingbats
		r >= 0x1F000 && r <= 0x1F2FF,
		r == 0x2B50 || r == 0x2B55 || r == 0x2B06 || r == 0x2B07 || r == 0x2B05 || r == 0x2B1B || r == 0x2B1C,
		r == 0x2190 || r == 0x2191 || r == 0x2192 || r == 0x2193,
		r == 0x2122 || r == 0x2139 || r == 0x231A || r == 0x231B || r == 0x2328 || r == 0x23F0 || r == 0x23F3,
		r >= 0x23E9 && r <= 0x23FA,
		r == 0x00A9 || r == 0x00AE || r == 0x203C || r == 0x2049:
		return true
	}
	return false
}

// emojiModifier reports runes that change the previous emoji without being
// one: variation selectors, skin tones, the zero-width joiner, tags.
func emojiModifier(r rune) bool {
	return r == 0xFE0F || r == 0xFE0E || r == 0x200D || r == 0x20E3 ||
		(r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F)
}

func (p *parser) run() {
	text := p.text
	i := 0
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' || c == '\t' || c == '\r':
				i++
				continue
			case c == '\n':
				p.addPunct(i, i+1, "\n", 1)
				i++
				continue
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
				if j := urlEnd(text, i); j > i {
					p.add(Token{Start: i, End: j, Kind: URL, N: 1}, text[i:j])
					i = j
					continue
				}
				i = p.word(i)
				continue
			case '0' <= c && c <= '9':
				i = p.word(i)
				continue
			case c == '@':
				j := i + 1
				for j < len(text) {
					r, n := utf8.DecodeRuneInString(text[j:])
					if !isWordRune(r) && r != '_' && r != '.' {
						break
					}
					j += n
				}
				if j > i+1 {
					p.add(Token{Start: i, End: j, Kind: Mention, N: 1}, text[i:j])
					i = j
					continue
				}
			case c == '#':
				if i+1 < len(text) {
					if r, _ := utf8.DecodeRuneInString(text[i+1:]); isWordRune(r) {
						n := len(p.d.Tokens)
						i = p.word(i + 1)
						if len(p.d.Tokens) > n {
							p.d.Tokens[n].Flag |= Hashtag
						}
						continue
					}
				}
			}
			if j, norm, n := emoticonAt(text, i, p.open); j > i {
				p.add(Token{Start: i, End: j, Kind: Emoticon, N: uint16(n)}, norm)
				i = j
				continue
			}
			i = p.punct(i)
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsSpace(r) || r == 0x200B || r == 0xFEFF:
			if r == 0x2028 || r == 0x2029 || r == 0x85 {
				p.addPunct(i, i+n, "\n", 1)
			}
			i += n
		case isWordRune(r):
			i = p.word(i)
		case IsEmoji(r):
			i = p.emoji(i)
		case emojiModifier(r):
			i += n
		default:
			i = p.punct(i)
		}
	}
}

// urlEnd returns the end of a URL starting at i, or i.
func urlEnd(text string, i int) int {
	rest := text[i:]
	if !(hasPrefixFold(rest, "http://") || hasPrefixFold(rest, "https://") || hasPrefixFold(rest, "www.")) {
		return i
	}
	j := i
	for j < len(text) {
		r, n := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) || r == '"' || r == '<' || r == '>' || r == '«' || r == '»' {
			break
		}
		j += n
	}
	// A URL does not end with sentence punctuation.
	for j > i && strings.IndexByte(".,;:!?)'", text[j-1]) >= 0 {
		j--
	}
	return j
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// add appends a token whose Norm is norm, a constant or a slice of the
// text.
func (p *parser) add(t Token, norm string) {
	t.Norm = norm
	p.d.Tokens = append(p.d.Tokens, t)
	p.d.spans = append(p.d.spans, span{-1, -1})
}

func (p *parser) addPunct(start, end int, norm string, n int) {
	p.add(Token{Start: start, End: end, Kind: Punct, N: uint16(min(n, 0xffff))}, norm)
}

// punct reads one mark, or a run of the same mark, or a run of ! and ?.
func (p *parser) punct(i int) int {
	text := p.text
	r, n := utf8.DecodeRuneInString(text[i:])
	j := i + n
	switch {
	case r == '!' || r == '?' || r == '¿' || r == '¡':
		bang, quest := 0, 0
		j = i
		for j < len(text) && (text[j] == '!' || text[j] == '?') {
			if text[j] == '!' {
				bang++
			} else {
				quest++
			}
			j++
		}
		if j == i { // ¡ ¿
			j = i + n
			p.addPunct(i, j, string(r), 1)
			return j
		}
		norm := "!"
		switch {
		case bang > 0 && quest > 0:
			norm = "?!"
		case quest > 0:
			norm = "?"
		}
		p.addPunct(i, j, norm, j-i)
		return j
	case r == '.':
		for j < len(text) && text[j] == '.' {
			j++
		}
		if j-i >= 2 {
			p.addPunct(i, j, "…", j-i)
		} else {
			p.addPunct(i, j, ".", 1)
		}
		return j
	case r == '(':
		p.open++
	case r == ')':
		if p.open > 0 {
			p.open--
		}
	case isHyphen(r) || r == '–' || r == '—':
		norm := "-"
		if r == '–' {
			norm = "–"
		} else if r == '—' {
			norm = "—"
		}
		for j < len(text) {
			r2, n2 := utf8.DecodeRuneInString(text[j:])
			if r2 != r {
				break
			}
			j += n2
		}
		p.addPunct(i, j, norm, 1)
		return j
	}
	// Other marks: one token per run of the same mark.
	for j < len(text) {
		r2, n2 := utf8.DecodeRuneInString(text[j:])
		if r2 != r || r == '(' || r == ')' {
			break
		}
		j += n2
	}
	p.addPunct(i, j, text[i:i+n], 1)
	return j
}

// emoji reads a pictograph with its modifiers, and any repetitions of it.
func (p *parser) emoji(i int) int {
	text := p.text
	base, n := utf8.DecodeRuneInString(text[i:])
	j := i + n
	count := 1
	for j < len(text) {
		r, m := utf8.DecodeRuneInString(text[j:])
		switch {
		case emojiModifier(r):
			j += m
			if r == 0x200D && j < len(text) { // ZWJ: the joined pictograph is part of this one
				r2, m2 := utf8.DecodeRuneInString(text[j:])
				if IsEmoji(r2) {
					j += m2
				}
			}
			continue
		case r == base:
			count++
			j += m
			continue
		}
		break
	}
	p.add(Token{Start: i, End: j, Kind: Emoji, N: uint16(min(count, 0xffff))}, text[i:i+n])
	return j
}

// emoticonAt recognises an ASCII emoticon at i. It returns its end, its
// canonical form and how many times it repeats, or i if there is none.
// open is the number of "(" not yet closed: a lone ")" closes one of them
// rather than smiling.
func emoticonAt(text string, i, open int) (int, string, int) {
	c := text[i]
	before := byte(' ')
	if i > 0 {
		before = text[i-1]
	}
	switch c {
	case ':', ';', '=':
		if (c == ':' || c == '=') && i > 0 && isASCIIDigit(before) {
			return i, "", 0 // 12:30, 8)
		}
		j := i + 1
		if j < len(text) && (text[j] == '-' || text[j] == '\'' || text[j] == '^' || text[j] == 'o') {
			if text[j] == '\'' && j+1 < len(text) && text[j+1] == '(' {
				k := j + 2
				for k < len(text) && text[k] == '(' {
					k++
				}
				return k, ":'(", 1
			}
			if text[j] != '\'' {
				j++
			}
		}
		if j >= len(text) {
			return i, "", 0
		}
		m := text[j]
		norm := ""
		switch m {
		case ')', ']', '}':
			norm = ":)"
			if c == ';' {
				norm = ";)"
			}
		case '(', '[', '{':
			norm = ":("
		case 'D':
			norm = ":D"
		case 'P', 'p':
			norm = ":P"
		case '/', '\\', '|', 'S', 's':
			if m == '/' && j+1 < len(text) && text[j+1] == '/' { // http://
				return i, "", 0
			}
			norm = ":/"
		case '*':
			norm = ":*"
		case 'O', 'o', '0':
			norm = ":O"
		case '3':
			norm = ":)"
		default:
			return i, "", 0
		}
		k := j + 1
		for k < len(text) && text[k] == m {
			k++
		}
		// ":Desserts" or ":Paris" is a colon before a word.
		if k < len(text) && isASCIILetterOrDigit(text[k]) {
			return i, "", 0
		}
		if m != ')' && m != '(' && isASCIILetterOrDigit(before) {
			return i, "", 0
		}
		return k, norm, k - j
	case '<':
		if i+1 < len(text) && text[i+1] == '3' && (i+2 == len(text) || !isASCIIDigit(text[i+2])) {
			k := i + 2
			n := 1
			for k+1 < len(text) && text[k] == '<' && text[k+1] == '3' {
				k += 2
				n++
			}
			return k, "<3", n
		}
	case '^':
		if i+1 < len(text) && text[i+1] == '^' {
			return i + 2, ":)", 1
		}
		if i+2 < len(text) && text[i+1] == '_' && text[i+2] == '^' {
			return i + 3, ":)", 1
		}
	case ')', '(':
		// Russian writers smile with ")))" and frown with "(((".
		k := i
		for k < len(text) && text[k] == c {
			k++
		}
		n := k - i
		norm := ":)"
		if c == '(' {
			norm = ":("
		}
		switch {
		case n >= 2 && (c == ')' && n > open || c == '('):
			if c == '(' && k < len(text) && !isSpaceByte(text[k]) {
				return i, "", 0 // "((a" opens nested brackets
			}
			return k, norm, n
		case n == 1 && c == ')' && open == 0 && i > 0 && !isSpaceByte(before) && !isASCIIDigit(before):
			return k, norm, 1
		case n == 1 && c == '(' && i > 0 && (k == len(text) || text[k] == '\n'):
			return k, norm, 1 // "чертов сбербанк (" ends the text sad
		}
	}
	return i, "", 0
}

func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isASCIIDigit(b byte) bool { return '0' <= b && b <= '9' }

func isASCIILetterOrDigit(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// frenchElisions maps elided words (before the apostrophe, lower case) to
// their full form.
var frenchElisions = map[string]string{
	"l": "le", "d": "de", "j": "je", "m": "me", "t": "te", "s": "se", "c": "ce",
	"n": "ne", "qu": "que", "jusqu": "jusque", "lorsqu": "lorsque",
	"puisqu": "puisque", "quoiqu": "quoique", "presqu": "presque",
}

// word reads a word or number starting at i, splitting French elisions and
// hyphens, and returns where it stopped.
func (p *parser) word(i int) int {
	text := p.text
	j := i
	upper, lower, letters := 0, 0, 0
	digitFirst := isASCIIDigit(text[i])
	for j < len(text) {
		r, n := utf8.DecodeRuneInString(text[j:])
		if isWordRune(r) {
			up, low := letterCase(r)
			switch {
			case up:
				upper++
				letters++
			case low:
				lower++
				letters++
			case r >= utf8.RuneSelf && unicode.IsLetter(r):
				letters++ // a letter without case
			}
			j += n
			continue
		}
		if digitFirst && (r == '.' || r == ',') && j+1 < len(text) && isASCIIDigit(text[j+1]) {
			j += n // 12.50, 4,5
			continue
		}
		if isHyphen(r) && j > i && j+n < len(text) {
			if r2, _ := utf8.DecodeRuneInString(text[j+n:]); isWordRune(r2) {
				// "qualité-prix", "что-то": two words, and no clause mark.
				kind := Word
				if digitFirst {
					kind = Number
				}
				p.emitWord(i, j, kind, upper, lower, letters)
				p.joined = true
				return j + n
			}
		}
		if isApostrophe(r) && j+n < len(text) {
			r2, _ := utf8.DecodeRuneInString(text[j+n:])
			if isWordRune(r2) {
				if p.lang == "fr" {
					if full, ok := frenchElisions[strings.ToLower(text[i:j])]; ok {
						p.emitElision(i, j+n, full, upper > 0)
						return j + n
					}
				}
				if p.lang != "ru" {
					j += n
					continue // don't, aujourd'hui
				}
			}
		}
		break
	}
	if j == i {
		return i + 1
	}
	kind := Word
	if digitFirst {
		kind = Number
	}
	p.emitWord(i, j, kind, upper, lower, letters)
	return j
}

func (p *parser) emitElision(start, end int, full string, capital bool) {
	t := Token{Start: start, End: end, Kind: Word, Flag: Elision, N: 1}
	if capital {
		t.Flag |= Capitalized
	}
	p.add(t, full)
}

// emitWord normalises text[start:end] and appends it.
func (p *parser) emitWord(start, end int, kind Kind, upper, lower, letters int) {
	s := p.text[start:end]
	t := Token{Start: start, End: end, Kind: kind, N: 1}
	if p.joined {
		t.Flag |= Joined
		p.joined = false
	}
	if upper >= 2 && lower == 0 && letters >= 2 {
		t.Flag |= AllCaps
	}
	if upper > 0 {
		r, _ := utf8.DecodeRuneInString(s)
		if up, _ := letterCase(r); up {
			t.Flag |= Capitalized
		}
	}
	if !needsNorm(s, upper > 0) {
		p.add(t, s)
		return
	}
	a := len(p.d.arena)
	var prev rune = -1
	run := 0
	elongated := false
	for _, r := range s {
		switch {
		case r == 'ё' || r == 'Ё':
			r = 'е'
		case isApostrophe(r):
			r = '\''
		default:
			r = toLower(r)
		}
		if r == prev && (r >= 'a' && r <= 'z' || r >= utf8.RuneSelf && unicode.IsLetter(r)) {
			run++
			if run == 3 {
				elongated = true
			}
			if run >= 2 {
				// Keep at most two while reading: the run is cut to one at
				// its end if it turns out to be three or more long.
				if run == 2 {
					p.d.arena = utf8.AppendRune(p.d.arena, r)
				}
				continue
			}
		} else {
			if run >= 3 {
				p.d.arena = trimLastRune(p.d.arena)
			}
			run = 1
			prev = r
		}
		p.d.arena = utf8.AppendRune(p.d.arena, r)
	}
	if run >= 3 {
		p.d.arena = trimLastRune(p.d.arena)
	}
	if elongated {
		t.Flag |= Elongated
	}
	p.d.Tokens = append(p.d.Tokens, t)
	p.d.spans = append(p.d.spans, span{int32(a), int32(len(p.d.arena))})
}

func trimLastRune(b []byte) []byte {
	_, n := utf8.DecodeLastRune(b)
	return b[:len(b)-n]
}

// needsNorm reports whether s differs from its normalised form: capitals,
// ё, curly apostrophes, or three identical letters in a row.
func needsNorm(s string, hasUpper bool) bool {
	if hasUpper {
		return true
	}
	var p1, p2 rune = -1, -1
	for _, r := range s {
		if r == 'ё' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' || r == '´' {
			return true
		}
		if r == p1 && r == p2 {
			return true
		}
		p2, p1 = p1, r
	}
	return false
}

// Twice returns the form of an elongated word with its squeezed runs kept
// two letters long ("goooood" → "good"), for lexicons whose entry has a
// double letter. It returns Norm for other tokens.
func (t *Token) Twice(text string) string {
	if !t.Is(Elongated) {
		return t.Norm
	}
	var b []byte
	var prev rune = -1
	run := 0
	for _, r := range text[t.Start:t.End] {
		switch {
		case r == 'ё' || r == 'Ё':
			r = 'е'
		case isApostrophe(r):
			r = '\''
		default:
			r = unicode.ToLower(r)
		}
		if r == prev {
			run++
			if run > 2 {
				continue
			}
		} else {
			prev, run = r, 1
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// splitSentences cuts the tokens into sentences: after . ! ? … when the
// next token does not continue the sentence (a lower-case word after an
// abbreviation), and at every line break.
func (d *Doc) splitSentences() {
	toks := d.Tokens
	first := 0
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		if t.Kind != Punct {
			continue
		}
		end := false
		switch t.Norm {
		case "\n":
			end = true
		case "!", "?", "?!":
			end = true
		case ".", "…":
			end = d.periodEnds(i)
		}
		if !end {
			continue
		}
		last := i + 1
		for last < len(toks) && (toks[last].Kind == Emoticon || toks[last].Kind == Emoji ||
			toks[last].Kind == Punct && toks[last].Norm != "\n" && closesSentence(toks[last].Norm)) {
			last++
		}
		d.addSentence(first, last)
		first = last
		i = last - 1
	}
	d.addSentence(first, len(toks))
}

func closesSentence(norm string) bool {
	switch norm {
	case ".", "!", "?", "?!", "…", ")", "\"", "»", "”", "'":
		return true
	}
	return false
}

// addSentence adds toks[first:last] as a sentence unless it holds only
// punctuation or line breaks.
func (d *Doc) addSentence(first, last int) {
	for first < last && d.Tokens[first].Kind == Punct && d.Tokens[first].Norm == "\n" {
		first++
	}
	content := false
	for k := first; k < last; k++ {
		if d.Tokens[k].Kind != Punct {
			content = true
			break
		}
	}
	if !content {
		if n := len(d.Sentences); n > 0 && first < last {
			// Stray marks join the previous sentence.
			s := &d.Sentences[n-1]
			if s.Last == first {
				s.Last = last
				s.End = d.Tokens[last-1].End
			}
		}
		return
	}
	end := last
	for end > first && d.Tokens[end-1].Kind == Punct && d.Tokens[end-1].Norm == "\n" {
		end--
	}
	d.Sentences = append(d.Sentences, Sentence{
		Start: d.Tokens[first].Start, End: d.Tokens[end-1].End,
		First: first, Last: end,
	})
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "vs": true, "etc": true,
	"m": true, "mme": true, "mlle": true, "env": true, "cf": true, "ex": true, "av": true,
	"bd": true, "r": true, "p": true, "ул": true, "д": true, "г": true, "т": true, "е": true,
	"к": true, "др": true, "пр": true, "руб": true, "тыс": true, "млн": true, "см": true,
	"т.е": true, "т.к": true, "т.д": true, "т.п": true, "no": true, "n°": true, "approx": true,
}

// periodEnds decides whether the period at toks[i] ends a sentence.
func (d *Doc) periodEnds(i int) bool {
	toks := d.Tokens
	if i+1 >= len(toks) {
		return true
	}
	next := &toks[i+1]
	if next.Start == toks[i].End && next.Kind != Punct {
		return false // "3.5", "a.m", a name.com
	}
	if i > 0 {
		prev := &toks[i-1]
		if prev.End == toks[i].Start && prev.Kind == Word && abbreviations[prev.Norm] {
			return false
		}
	}
	// Reviews often start sentences in lower case after a period, but an
	// ellipsis before a lower-case word is a pause ("bon... mais cher").
	if toks[i].Norm == "…" && next.Kind == Word && !next.Is(Capitalized) && !next.Is(AllCaps) {
		return false
	}
	return true
}

// Fold removes the accents of Latin letters ("été" → "ete", "œuf" →
// "oeuf"), for matching words written without them. It returns s itself
// when there is nothing to fold.
func Fold(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for _, r := range s[i:] {
		switch r {
		case 'à', 'â', 'ä', 'á', 'ã', 'å':
			b = append(b, 'a')
		case 'é', 'è', 'ê', 'ë':
			b = append(b, 'e')
		case 'î', 'ï', 'í', 'ì':
			b = append(b, 'i')
		case 'ô', 'ö', 'ó', 'ò', 'õ':
			b = append(b, 'o')
		case 'ù', 'û', 'ü', 'ú':
			b = append(b, 'u')
		case 'ç':
			b = append(b, 'c')
		case 'ÿ':
			b = append(b, 'y')
		case 'ñ':
			b = append(b, 'n')
		case 'œ':
			b = append(b, 'o', 'e')
		case 'æ':
			b = append(b, 'a', 'e')
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}
