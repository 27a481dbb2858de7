package learn

import (
	"math"
	"math/bits"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/russian"
)

// featureConfig says how a text becomes a feature vector. It is saved with
// the model: prediction must featurise exactly as training did.
type featureConfig struct {
	Buckets    uint32  // hashing space
	Words      bool    // stem unigrams and bigrams, negation-marked
	CharMin    int     // character n-grams within words, CharMin..CharMax runes
	CharMax    int     // (0: none)
	CharWeight float32 // weight of the character group against the word group
	Window     int     // tokens either side of a theme's mention (polarity head)
	// For the polarity head: bit g of CrossMask crosses group g with the
	// theme, bit g of PlainMask keeps it as is too.
	CrossMask, PlainMask uint8
}

// feature is one active hashed feature.
type feature struct {
	Index uint32
	Value float32
}

// Feature groups, each normalised on its own.
const (
	grpWord = iota
	grpChar
	grpWin
	nGroups
)

// Hash namespaces.
const (
	nsUni   = 0x9e3779b97f4a7c15
	nsBi    = 0xbf58476d1ce4e5b9
	nsNeg   = 0x94d049bb133111eb
	nsChar  = 0x2545f4914f6cdd1d
	nsWin   = 0xd6e8feb86659fd93
	nsWinBi = 0xa0761d6478bd642f
	nsTheme = 0xe7037ed1a0b428db
	nsCross = 0x8ebc6af09c88c6e3
)

// mix is the splitmix64 finaliser: a strong 64-bit mixer.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// fnv hashes b (FNV-1a, 64 bits).
func fnv(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func fnvString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// bucket maps a 64-bit hash onto [0, n).
func bucket(h uint64, n uint32) uint32 {
	hi, _ := bits.Mul64(h, uint64(n))
	return uint32(hi)
}

// themeSalt is what crosses a feature with a theme.
func themeSalt(theme string) uint64 { return mix(fnvString(theme) ^ nsTheme) }

// token kinds.
const (
	tokWord  = iota
	tokMark  // ! or ?: a unigram, ends negation
	tokBreak // other punctuation: ends negation and bigrams, no feature
)

// token is one token of a text: its normalised form in scratch.buf and its
// byte span in the original text.
type token struct {
	start, end   int32 // in scratch.buf (lower-cased form)
	ostart, oend int32 // in the original text
	kind         uint8
	neg          bool
	stem         uint64 // hash of the stem (words and marks)
}

// scratch is the reusable working memory of one featurisation.
type scratch struct {
	buf   []byte
	toks  []token
	hs    [nGroups][]uint64
	feats []feature
	runes []rune
	stems [4]map[string]stemEntry // per stemmer (see stemSlot): word → stem hash and role
}

var scratchPool = sync.Pool{New: func() any {
	s := &scratch{}
	for i := range s.stems {
		s.stems[i] = make(map[string]stemEntry)
	}
	return s
}}

func getScratch() *scratch  { return scratchPool.Get().(*scratch) }
func putScratch(s *scratch) { scratchPool.Put(s) }

// stemEntry is what the stem cache knows of a word.
type stemEntry struct {
	hash uint64 // of the stem
	role uint8  // roleNegator, roleEnder or 0
}

const (
	roleNegator = 1 + iota
	roleEnder
)

// maxStemCache bounds each scratch's stem cache.
const maxStemCache = 1 << 16

// stemmer returns the Snowball stemmer of a language, nil for none.
func stemmer(lang string) func(*snowballstem.Env) bool {
	switch lang {
	case "en":
		return english.Stem
	case "fr":
		return french.Stem
	case "ru":
		return russian.Stem
	}
	return nil
}

// stemSlot is the stem cache of a language.
func stemSlot(lang string) int {
	switch lang {
	case "en":
		return 0
	case "fr":
		return 1
	case "ru":
		return 2
	}
	return 3
}

// frenchElision maps the elided forms of French onto their full words.
var frenchElision = map[string]string{
	"l": "le", "d": "de", "j": "je", "n": "ne", "s": "se", "c": "ce", "m": "me", "t": "te",
	"qu": "que", "jusqu": "jusque", "lorsqu": "lorsque", "puisqu": "puisque", "quoiqu": "quoique",
}

// negators start a negation scope (lower-cased, ё folded).
var negators = map[string]bool{
	// French
	"ne": true, "pas": true, "jamais": true, "rien": true, "aucun": true, "aucune": true, "sans": true, "ni": true,
	// Russian
	"не": true, "нет": true, "ни": true, "без": true, "никогда": true, "ничего": true,
	// English
	"not": true, "no": true, "never": true, "nothing": true, "without": true, "nor": true, "cannot": true,
}

// scopeEnders end a negation scope besides punctuation: contrast.
var scopeEnders = map[string]bool{
	"but": true, "however": true, "mais": true, "cependant": true, "но": true, "однако": true, "а": true,
}

// tokenize splits text into tokens: words lower-cased with ё folded to е,
// French elisions split off (l'eau → le eau), English n't made "not", ! and
// ? kept as marks, other punctuation as breaks.
func (s *scratch) tokenize(text string) {
	s.buf = s.buf[:0]
	s.toks = s.toks[:0]
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case isWordStart(r):
			j := i
			wstart := len(s.buf)
			apos := -1 // position in buf of the first apostrophe
			aposO := -1
			for j < len(text) {
				r2, sz := utf8.DecodeRuneInString(text[j:])
				if isWordRune(r2) {
					s.appendLower(r2)
					j += sz
					continue
				}
				if (r2 == '\'' || r2 == '’' || r2 == 'ʼ') && apos < 0 && j+sz < len(text) {
					if r3, _ := utf8.DecodeRuneInString(text[j+sz:]); isWordStart(r3) {
						apos = len(s.buf)
						aposO = j
						s.buf = append(s.buf, '\'')
						j += sz
						continue
					}
				}
				break
			}
			s.addWord(wstart, i, j, apos, aposO)
			i = j
		case r == '!' || r == '?':
			st := len(s.buf)
			s.buf = append(s.buf, byte(r))
			s.toks = append(s.toks, token{start: int32(st), end: int32(len(s.buf)), ostart: int32(i), oend: int32(i + size), kind: tokMark})
			i += size
		case unicode.IsSpace(r) || r == '-' || r == '#' || r == '@' || r == '_' || r == '\u200d' || unicode.IsMark(r) || r == '/' || r == '\'' || r == '’':
			i += size
		case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r):
			st := len(s.buf)
			s.buf = utf8.AppendRune(s.buf, r)
			s.toks = append(s.toks, token{start: int32(st), end: int32(len(s.buf)), ostart: int32(i), oend: int32(i + size), kind: tokWord})
			i += size
		default:
			if n := len(s.toks); n == 0 || s.toks[n-1].kind != tokBreak {
				s.toks = append(s.toks, token{start: int32(len(s.buf)), end: int32(len(s.buf)), ostart: int32(i), oend: int32(i + size), kind: tokBreak})
			}
			i += size
		}
	}
}

func isWordStart(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || (unicode.IsMark(r) && r != '\ufe0f' && r != '\ufe0e')
}

// appendLower appends the folded lower case of r to buf.
func (s *scratch) appendLower(r rune) {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		s.buf = append(s.buf, byte(r))
		return
	}
	r = unicode.ToLower(r)
	if r == 'ё' {
		r = 'е'
	}
	s.buf = utf8.AppendRune(s.buf, r)
}

// addWord adds the word buf[wstart:] (original text[ostart:oend]), splitting
// it at its apostrophe when there is one.
func (s *scratch) addWord(wstart, ostart, oend, apos, aposO int) {
	wend := len(s.buf)
	if apos < 0 {
		s.toks = append(s.toks, token{start: int32(wstart), end: int32(wend), ostart: int32(ostart), oend: int32(oend)})
		return
	}
	prefix := s.buf[wstart:apos]
	if full, ok := frenchElision[string(prefix)]; ok {
		// l'eau → le + eau: write the full form after the word.
		fs := len(s.buf)
		s.buf = append(s.buf, full...)
		s.toks = append(s.toks,
			token{start: int32(fs), end: int32(len(s.buf)), ostart: int32(ostart), oend: int32(aposO + 1)},
			token{start: int32(apos + 1), end: int32(wend), ostart: int32(aposO + 1), oend: int32(oend)})
		return
	}
	suffix := s.buf[apos+1 : wend]
	if string(suffix) == "t" && len(prefix) > 1 && prefix[len(prefix)-1] == 'n' {
		// don't → do + not; can't → ca + not
		ns := len(s.buf)
		s.buf = append(s.buf, "not"...)
		s.toks = append(s.toks,
			token{start: int32(wstart), end: int32(apos - 1), ostart: int32(ostart), oend: int32(aposO - 1)},
			token{start: int32(ns), end: int32(len(s.buf)), ostart: int32(aposO - 1), oend: int32(oend)})
		return
	}
	// it's → it + s; aujourd'hui stays one word when the prefix is long.
	if len(prefix) >= 5 && len(suffix) >= 2 {
		s.toks = append(s.toks, token{start: int32(wstart), end: int32(wend), ostart: int32(ostart), oend: int32(oend)})
		return
	}
	s.toks = append(s.toks,
		token{start: int32(wstart), end: int32(apos), ostart: int32(ostart), oend: int32(aposO)},
		token{start: int32(apos + 1), end: int32(wend), ostart: int32(aposO + 1), oend: int32(oend)})
}

// mark stems the words and marks negation scopes.
func (s *scratch) mark(lang string) {
	cache := s.stems[stemSlot(lang)]
	if len(cache) > maxStemCache {
		clear(cache)
	}
	stem := stemmer(lang)
	neg := false
	for k := range s.toks {
		t := &s.toks[k]
		if t.kind == tokBreak {
			neg = false
			continue
		}
		w := s.buf[t.start:t.end]
		if t.kind == tokMark {
			t.stem = fnv(w)
			neg = false
			continue
		}
		en, ok := cache[string(w)]
		if !ok {
			st := string(w)
			en.hash = fnvString(st)
			if stem != nil && len(w) > 2 {
				env := snowballstem.NewEnv(st)
				stem(env)
				en.hash = fnvString(env.Current())
			}
			switch {
			case negators[st]:
				en.role = roleNegator
			case scopeEnders[st]:
				en.role = roleEnder
			}
			cache[st] = en
		}
		t.stem = en.hash
		switch en.role {
		case roleNegator:
			t.neg = false
			neg = true
		case roleEnder:
			t.neg = false
			neg = false
		default:
			t.neg = neg
		}
	}
}

// wordHash is the hash of a token as a word feature: its stem, marked when
// negated.
func wordHash(t *token) uint64 {
	if t.neg {
		return mix(t.stem ^ nsNeg)
	}
	return t.stem
}

// extract computes the feature hashes of the tokenised text into s.hs.
func (s *scratch) extract(cfg *featureConfig) {
	for g := range s.hs {
		s.hs[g] = s.hs[g][:0]
	}
	if cfg.Words {
		var prev uint64
		havePrev := false
		for k := range s.toks {
			t := &s.toks[k]
			if t.kind == tokBreak {
				havePrev = false
				continue
			}
			w := wordHash(t)
			s.hs[grpWord] = append(s.hs[grpWord], mix(w^nsUni))
			if havePrev {
				s.hs[grpWord] = append(s.hs[grpWord], mix(prev*31^w^nsBi))
			}
			prev, havePrev = w, true
		}
	}
	if cfg.CharMax > 0 {
		for k := range s.toks {
			t := &s.toks[k]
			if t.kind != tokWord {
				continue
			}
			s.charGrams(s.buf[t.start:t.end], cfg.CharMin, cfg.CharMax)
		}
	}
}

// charGrams adds the character n-grams of word, framed by < and >.
func (s *scratch) charGrams(word []byte, nmin, nmax int) {
	s.runes = append(s.runes[:0], '<')
	for _, r := range string(word) {
		s.runes = append(s.runes, r)
	}
	s.runes = append(s.runes, '>')
	rs := s.runes
	if len(rs) < nmin {
		return
	}
	for i := range rs {
		h := uint64(nsChar)
		for n := 1; n <= nmax && i+n <= len(rs); n++ {
			h ^= uint64(rs[i+n-1])
			h *= 1099511628211
			if n >= nmin {
				s.hs[grpChar] = append(s.hs[grpChar], mix(h))
			}
		}
	}
}

// window adds, to the window group, the word features of the tokens within
// cfg.Window tokens of the spans.
func (s *scratch) window(spans []Span, w int) {
	s.hs[grpWin] = s.hs[grpWin][:0]
	if len(spans) == 0 || w < 0 {
		return
	}
	for _, sp := range spans {
		first, last := -1, -1
		for k := range s.toks {
			t := &s.toks[k]
			if int(t.oend) > sp.Start && int(t.ostart) < sp.End {
				if first < 0 {
					first = k
				}
				last = k
			}
		}
		if first < 0 {
			continue
		}
		lo, hi := first, last
		// widen by w word tokens on each side, not across a break
		for n := 0; n < w && lo > 0 && s.toks[lo-1].kind != tokBreak; n++ {
			lo--
		}
		for n := 0; n < w && hi < len(s.toks)-1 && s.toks[hi+1].kind != tokBreak; n++ {
			hi++
		}
		var prev uint64
		for k := lo; k <= hi; k++ {
			t := &s.toks[k]
			if t.kind == tokBreak {
				continue
			}
			h := wordHash(t)
			s.hs[grpWin] = append(s.hs[grpWin], mix(h^nsWin))
			if k > lo {
				s.hs[grpWin] = append(s.hs[grpWin], mix(prev*31^h^nsWinBi))
			}
			prev = h
		}
	}
}

// vector modes.
const (
	vecSentence  = iota // every group as is
	vecTheme            // groups as is (PlainMask) and crossed with the theme (CrossMask)
	vecCrossOnly        // vecTheme without the plain word and character groups
)

// vector turns the hashes into bucketed features: each group weighted by
// 1/sqrt(its size); in the theme modes features are also crossed with salt
// (the theme) and a theme bias is added.
func (s *scratch) vector(cfg *featureConfig, salt uint64, mode int) []feature {
	s.feats = s.feats[:0]
	for g := range s.hs {
		hs := s.hs[g]
		if len(hs) == 0 {
			continue
		}
		v := float32(1 / math.Sqrt(float64(len(hs))))
		if g == grpChar {
			v *= cfg.CharWeight
		}
		plain, crossed := true, false
		switch mode {
		case vecTheme:
			plain = cfg.PlainMask&(1<<g) != 0
			crossed = cfg.CrossMask&(1<<g) != 0
		case vecCrossOnly:
			plain = g == grpWin && cfg.PlainMask&(1<<g) != 0
			crossed = cfg.CrossMask&(1<<g) != 0
		}
		for _, h := range hs {
			if plain {
				s.feats = append(s.feats, feature{bucket(h, cfg.Buckets), v})
			}
			if crossed {
				s.feats = append(s.feats, feature{bucket(mix(h^salt^nsCross), cfg.Buckets), v})
			}
		}
	}
	if mode != vecSentence {
		s.feats = append(s.feats, feature{bucket(salt, cfg.Buckets), 1})
	}
	return s.feats
}

// featurize tokenises text and returns its sentence feature vector (valid
// until s is reused).
func (s *scratch) featurize(cfg *featureConfig, text, lang string) []feature {
	s.tokenize(text)
	s.mark(lang)
	s.extract(cfg)
	return s.vector(cfg, 0, vecSentence)
}

// themeFeaturize returns the features of text for the polarity of theme,
// with the window around spans; it reuses the tokens of a previous
// featurize call on the same text when again is true. With crossOnly it
// leaves out the plain word and character features, which are the
// sentence's (when PlainMask has them).
func (s *scratch) themeFeaturize(cfg *featureConfig, text, lang, theme string, spans []Span, again, crossOnly bool) []feature {
	if !again {
		s.tokenize(text)
		s.mark(lang)
		s.extract(cfg)
	}
	s.window(spans, cfg.Window)
	if crossOnly {
		return s.vector(cfg, themeSalt(theme), vecCrossOnly)
	}
	return s.vector(cfg, themeSalt(theme), vecTheme)
}

// tokens returns the normalised tokens of text, for tests and debugging:
// negated words carry a NEG_ prefix.
func tokens(text, lang string) []string {
	s := getScratch()
	defer putScratch(s)
	s.tokenize(text)
	s.mark(lang)
	var out []string
	for _, t := range s.toks {
		if t.kind == tokBreak {
			continue
		}
		w := string(s.buf[t.start:t.end])
		if st := stemmer(lang); st != nil && t.kind == tokWord && len(w) > 2 {
			env := snowballstem.NewEnv(w)
			st(env)
			w = env.Current()
		}
		if t.neg {
			w = "NEG_" + w
		}
		out = append(out, w)
	}
	return out
}

// normTheme is the canonical form of a theme name.
func normTheme(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
