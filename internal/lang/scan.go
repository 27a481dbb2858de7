package lang

import (
	"bytes"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// features is what one pass over a text's prefix collects: letters per
// script and, per language, how many words carry evidence for it.
type features struct {
	latin, cyr, other int // letters seen in words, per script (CJK counts 3 a character)
	latinWords        int
	cyrWords          int
	lat               [nLatin]int16 // words with evidence for each Latin-script language
	cyrl              [nCyr]int16   // same for Cyrillic languages
	cyrOnly           [nCyr]int16   // words with evidence for a language and none for Russian
	cyrForeign        int16         // words with a letter the Russian alphabet lacks
	ruOnly            int16         // words that are Russian and no other listed Cyrillic language's
	combining         bool          // saw combining marks: the text is probably not NFC
	end               int           // bytes of the text that were scanned
}

func (f *features) letters() int { return f.latin + f.cyr + f.other }

// isSpace reports the characters that separate chunks.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || (r >= '\t' && r <= '\r')
	}
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// spaceAt returns the length in bytes of the space character at s[i], or
// 0. Only a few lead bytes can start a non-ASCII space, so most text is
// never decoded here.
func spaceAt(s string, i int) int {
	c := s[i]
	if c < utf8.RuneSelf {
		if c == ' ' || (c >= '\t' && c <= '\r') {
			return 1
		}
		return 0
	}
	switch c {
	case 0xC2, 0xE1, 0xE2, 0xE3, 0xEF: // U+0085 U+00A0, U+1680, U+2000-U+205F, U+3000, U+FEFF
		if r, n := utf8.DecodeRuneInString(s[i:]); isSpace(r) {
			return n
		}
	}
	return 0
}

// runeLen is the length of the UTF-8 sequence a lead byte announces (1 for
// a stray continuation byte), bounded by what is left of s.
func runeLen(s string, i int) int {
	n := 1
	switch c := s[i]; {
	case c >= 0xF0:
		n = 4
	case c >= 0xE0:
		n = 3
	case c >= 0xC0:
		n = 2
	}
	return min(n, len(s)-i)
}

// isApostrophe reports the characters people type for an apostrophe.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' || r == '´'
}

// nextChunk returns the end of the whitespace-delimited chunk starting at i.
func nextChunk(s string, i int) int {
	for i < len(s) && spaceAt(s, i) == 0 {
		i += runeLen(s, i)
	}
	return i
}

// skipChunk reports chunks that carry no language: links, @mentions and
// e-mail addresses (their letters are names, not words).
func skipChunk(c string) bool {
	if strings.IndexByte(c, '@') >= 0 {
		return true
	}
	if len(c) >= 4 {
		if strings.Contains(c, "://") {
			return true
		}
		if (c[0] == 'w' || c[0] == 'W') && len(c) > 4 && strings.EqualFold(c[:4], "www.") {
			return true
		}
	}
	return false
}

// scan fills f from text, stopping after the chunk in which maxLetters
// letters have been seen or after maxBytes bytes: the prefix decides.
func (f *features) scan(text string, maxLetters, maxBytes int) {
	if len(text) > maxBytes {
		text = text[:maxBytes] // a word cut here is cut like any other
	}
	i := 0
	for i < len(text) {
		if f.letters() >= maxLetters {
			break
		}
		if n := spaceAt(text, i); n > 0 {
			i += n
			continue
		}
		j := nextChunk(text, i)
		if !skipChunk(text[i:j]) {
			f.chunk(text[i:j])
		}
		i = j
		if f.latin+f.cyr >= settleLetters && f.settled() {
			break
		}
	}
	f.end = i
}

// Reading stops early once the words leave no doubt: past settleLetters
// letters, a Latin-script language settleMargin words ahead of all others,
// or settleRussian words that only Russian has and nothing of another
// Cyrillic language. A typical review settles within its first sentence,
// which makes detection several times faster than reading it all.
const (
	settleLetters = 60
	settleMargin  = 6
	settleRussian = 4
)

func (f *features) settled() bool {
	if f.other > 0 {
		return false
	}
	if f.cyr > f.latin {
		if f.ruOnly < settleRussian || f.cyrForeign > 0 {
			return false
		}
		for _, n := range f.cyrOnly {
			if n > 0 {
				return false
			}
		}
		return true
	}
	var top, second int16
	for _, n := range f.lat {
		if n > top {
			top, second = n, top
		} else if n > second {
			second = n
		}
	}
	return top-second >= settleMargin
}

// word accumulates one word while a chunk is read.
type word struct {
	buf     [maxWordBytes]byte
	n       int    // bytes in buf; -1 once the word outgrew it
	latin   int    // letters per script
	cyr     int    //
	other   int    //
	digits  bool   // letters mixed with digits ("ps4", "24h"): not a word to look up
	apos    bool   // holds an apostrophe
	lmask   uint64 // languages its letters point to
	cmask   uint8  //
	prevAmp bool   // the word follows '&': an HTML entity name
}

func (w *word) reset() {
	w.n, w.latin, w.cyr, w.other = 0, 0, 0, 0
	w.digits, w.apos = false, false
	w.lmask, w.cmask, w.prevAmp = 0, 0, false
}

func (w *word) add(r rune) {
	if w.n < 0 {
		return
	}
	if r < utf8.RuneSelf {
		if w.n < len(w.buf) {
			w.buf[w.n] = byte(r)
			w.n++
			return
		}
		w.n = -1
		return
	}
	if w.n+utf8.RuneLen(r) > len(w.buf) {
		w.n = -1
		return
	}
	w.n += utf8.EncodeRune(w.buf[w.n:], r)
}

// Rune classes for chunk.
const (
	rSep   = iota // ends a word
	rLatin        // a Latin letter
	rCyr          // a Cyrillic letter
	rOther        // a letter of another script
	rDigit        // 0-9
	rMark         // a combining mark: part of the word
	rApos         // an apostrophe
)

// classify returns r's class and, for letters, its lower case. Latin-1 and
// Cyrillic, the bulk of reviews, never reach the unicode tables.
func classify(r rune) (int, rune) {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'a' <= r && r <= 'z':
			return rLatin, r
		case 'A' <= r && r <= 'Z':
			return rLatin, r | 0x20
		case '0' <= r && r <= '9':
			return rDigit, r
		case r == '\'' || r == '`':
			return rApos, r
		}
		return rSep, r
	case r < 0x100:
		switch {
		case r >= 0xC0 && r <= 0xDE && r != 0xD7:
			return rLatin, r + 0x20
		case r >= 0xDF && r != 0xF7:
			return rLatin, r
		case r == 0xB4:
			return rApos, r
		case r == 0xAA || r == 0xB5 || r == 0xBA:
			return rLatin, r
		}
		return rSep, r
	case r < 0x250:
		return rLatin, unicode.ToLower(r)
	case r >= 0x300 && r <= 0x36F:
		return rMark, r
	case r >= 0x400 && r < 0x530:
		switch {
		case r >= 0x430 && r <= 0x45F:
			return rCyr, r
		case r >= 0x410 && r <= 0x42F:
			return rCyr, r + 0x20
		case r <= 0x40F:
			return rCyr, r + 0x50
		case r >= 0x482 && r <= 0x489:
			return rMark, r // titlo and other Cyrillic marks
		}
		return rCyr, unicode.ToLower(r)
	case r == '’' || r == 'ʼ' || r == '‘':
		return rApos, r
	case r >= 0x1E00 && r <= 0x1EFF:
		return rLatin, unicode.ToLower(r)
	case unicode.IsLetter(r):
		return rOther, r
	case unicode.Is(unicode.Mn, r):
		return rMark, r
	}
	return rSep, r
}

// chunk reads the words of one whitespace-delimited chunk. Words are runs
// of letters (and combining marks) joined by inner apostrophes; hyphens,
// digits and punctuation separate them.
func (f *features) chunk(c string) {
	var w word
	w.reset()
	prevAmp := false
	for k := 0; k < len(c); {
		b := c[k]
		r, n := rune(b), 1
		if b >= utf8.RuneSelf {
			if b >= 0xC2 && b < 0xE0 && k+1 < len(c) && c[k+1]&0xC0 == 0x80 {
				r, n = rune(b&0x1F)<<6|rune(c[k+1]&0x3F), 2
			} else {
				r, n = utf8.DecodeRuneInString(c[k:])
			}
		}
		k += n
		class, lr := classify(r)
		if class == rLatin || class == rCyr || class == rOther {
			if w.latin+w.cyr+w.other == 0 {
				w.prevAmp = prevAmp
			}
		}
		prevAmp = false
		switch class {
		case rLatin:
			w.latin++
			if lr >= 0xC0 {
				if lr < 0x250 {
					w.lmask |= latinLetterMask[lr-0xC0]
				} else {
					w.lmask |= bit(lVI)
				}
			}
			w.add(lr)
		case rCyr:
			w.cyr++
			w.cmask |= cyrLetterMask[lr-0x400]
			w.add(lr)
		case rOther:
			if r >= 0x2E80 {
				w.other += 3 // an ideograph or syllable carries about a word
			} else {
				w.other++
			}
		case rDigit:
			// "ps4", "4th", "24h": not words to look up.
			w.digits = true
		case rMark:
			f.combining = f.combining || r <= 0x36F
			w.add(r)
		case rApos:
			// Not before the first letter: a leading one is a quote. A
			// trailing one is dropped at lookup unless the word needs it
			// ("po'").
			if w.latin+w.cyr+w.other > 0 {
				w.apos = true
				w.add('\'')
			}
		default:
			if r == '.' && w.latin+w.cyr == 1 {
				// An initial ("U.E.", "J. Smith"), not the word "e" or "y".
				w.digits = true
			}
			f.word(&w)
			w.reset()
			prevAmp = r == '&'
		}
	}
	f.word(&w)
}

// word scores one finished word.
func (f *features) word(w *word) {
	if w.latin+w.cyr+w.other == 0 {
		return
	}
	n := w.n
	if w.prevAmp {
		return // "&amp;" and friends
	}
	if !w.digits && n > 0 && n <= 5 && residue(string(w.buf[:n])) {
		return
	}
	f.latin += w.latin
	f.cyr += w.cyr
	f.other += w.other
	switch {
	case w.latin >= w.cyr && w.latin >= w.other:
		f.latinWords++
		// A listed word counts for its lists only ("è" is Italian, "à"
		// French, Portuguese or Catalan); the letters of other words
		// ("géothermie", "más") say which orthographies they fit.
		var m uint64
		if !w.digits && n > 0 {
			m = latinLookup(w.buf[:n], w.apos)
		}
		if m == 0 {
			m = w.lmask
		}
		for m != 0 {
			l := bits.TrailingZeros64(m)
			f.lat[l]++
			m &= m - 1
		}
	case w.cyr >= w.other:
		f.cyrWords++
		m := w.cmask
		if !w.digits && n > 0 {
			m |= cyrIndex[string(w.buf[:n])]
			if m == 0 {
				m = cyrSuffix(w.buf[:n], w.cyr)
			}
		}
		if w.cmask&^(1<<cRU|1<<cBE) != 0 {
			// A letter Russian lacks ("і", "ї", "ў", "ј"): whatever else
			// the word looks like, it is not Russian.
			f.cyrForeign++
			m &^= 1 << cRU
		}
		if m&(1<<cRU) != 0 && m&^(1<<cRU|1<<cBE) == 0 {
			// Belarusian shares "ы", "э", "ё" but then shows "і" or "ў".
			f.ruOnly++
		}
		notRU := m&(1<<cRU) == 0
		for m != 0 {
			l := bits.TrailingZeros8(m)
			f.cyrl[l]++
			if notRU {
				f.cyrOnly[l]++
			}
			m &= m - 1
		}
	}
}

// cyrSuffix gives the languages a Cyrillic word's ending points to.
// These endings are Russian: adjectives in "-ая", "-яя", "-ой", "-ое",
// "-ее"; verbs in "-ешь", "-ишь", "-ает", "-яет", "-ует", "-еет", "-ют",
// "-ется", "-ится", "-ются"; participles in "-щий". Ukrainian writes "-а",
// "-ою", "-е", "-є", "-ає", "-ють", "-ється"; Bulgarian, Serbian and
// Macedonian "-а", "-о", "-ат", "-е" and "се". Belarusian shares some but
// shows "і" or "ў" besides.
func cyrSuffix(b []byte, letters int) uint8 {
	if letters < 4 {
		return 0
	}
	for _, suf := range cyrSuffixes {
		if bytes.HasSuffix(b, suf) {
			return 1<<cRU | 1<<cBE
		}
	}
	return 0
}

var cyrSuffixes = func() [][]byte {
	var out [][]byte
	for _, s := range strings.Fields("ая яя ой ое ее ешь ишь ает яет ует еет ют ется ится ются щий") {
		out = append(out, []byte(s))
	}
	return out
}()

// latinLookup finds a word's languages: the whole word, else without
// closing quotes, else by its elided prefix ("qu'", "l'") and its clitic
// suffix ("'s", "'t" of "n't").
func latinLookup(b []byte, apos bool) uint64 {
	if m, ok := latinIndex[string(b)]; ok || !apos {
		return m
	}
	for len(b) > 0 && b[len(b)-1] == '\'' {
		b = b[:len(b)-1]
	}
	if m, ok := latinIndex[string(b)]; ok {
		return m
	}
	first := bytes.IndexByte(b, '\'')
	if first < 0 {
		return 0
	}
	last := bytes.LastIndexByte(b, '\'')
	return latinIndex[string(b[:first+1])] | latinIndex[string(b[last:])]
}

// linguaText is the scanned prefix as the n-gram models should see it:
// without the links, handles and tweet residue ("RT", "http", "&amp;") that
// scan skips, which would otherwise look like some language's trigrams.
func linguaText(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		if n := spaceAt(text, i); n > 0 {
			i += n
			continue
		}
		j := nextChunk(text, i)
		c := text[i:j]
		i = j
		if skipChunk(c) {
			continue
		}
		for k := 0; k < len(c); {
			// Split the chunk like scan does: words of letters, marks and
			// apostrophes; everything else is a separator.
			r, n := utf8.DecodeRuneInString(c[k:])
			if !isWordRune(r) {
				k += n
				continue
			}
			e := k
			for e < len(c) {
				r, n := utf8.DecodeRuneInString(c[e:])
				if !isWordRune(r) {
					break
				}
				e += n
			}
			w := c[k:e]
			amp := k > 0 && c[k-1] == '&'
			k = e
			if amp || residue(w) {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	return b.String()
}

func isWordRune(r rune) bool {
	class, _ := classify(r)
	return class == rLatin || class == rCyr || class == rOther || class == rMark || class == rApos
}

// residue reports tokens of tweets and links that are no language's words.
func residue(w string) bool {
	switch len(w) {
	case 2:
		return strings.EqualFold(w, "rt")
	case 3:
		return strings.EqualFold(w, "amp") || strings.EqualFold(w, "www")
	case 4, 5:
		return strings.EqualFold(w, "http") || strings.EqualFold(w, "https")
	}
	return false
}
