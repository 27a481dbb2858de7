package sentiment

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigie-dev/vigie/internal/textproc"
)

// modKind is what a modifier does to the sentiment words after it.
type modKind uint8

const (
	modNone      modKind = iota
	modNegator           // flips the polarity of the next sentiment word
	modPrivative         // a negator that is itself negative when it negates nothing ("lack of")
	modBooster           // multiplies it (value > 1)
	modDampener          // multiplies it (value < 1)
	modContrast          // weighs the clause after it (value) against the one before
	modIgnore            // a phrase whose words must not be scored ("not only", "pas mal de")
)

func parseModKind(s string) (modKind, bool) {
	switch s {
	case "negator":
		return modNegator, true
	case "privative":
		return modPrivative, true
	case "booster":
		return modBooster, true
	case "dampener":
		return modDampener, true
	case "contrast":
		return modContrast, true
	case "ignore":
		return modIgnore, true
	}
	return modNone, false
}

// info is what the lexicon knows about a word or a phrase.
type info struct {
	score    float64 // valence, -4..4
	hasScore bool
	mod      modKind
	value    float64 // the modifier's multiplier or contrast weight
	src      int     // order of the file that set the score: later files win
	exact    bool
	// prefix guards a short stem: a word matches it only if it starts
	// like the lemma ("aime" finds "aimer" by the stem "aim", "dès" does
	// not find "désir" by the stem "des").
	prefix string
	// bare says that a lemma of the stem is the stem itself; otherwise a
	// word that is the bare stem is another word ("accueil" is not a form
	// of "accueillant", "friend" not one of "friendly").
	bare bool
	// with, when not 0, makes the entry contextual: it counts only in a
	// clause that also names one of these aspects (bits of
	// lexicon.aspects), as "high" does for prices and "long" for a wait.
	with uint64
}

type phrase struct {
	keys []pkey
	info *info
}

// pkey is how a phrase's word is compared with the text: by stem, unless
// the entry is exact or a modifier (function words do not inflect and
// their stems collide), or the token is not a word.
type pkey struct {
	s     string
	exact bool
	// joined: the entry joins this word to the previous one with a
	// hyphen, and so must the text ("go-to" is not "go to").
	joined bool
}

func (k pkey) match(t *textproc.Token) bool {
	if k.joined && !t.Is(textproc.Joined) {
		return false
	}
	if k.exact {
		return k.s == t.Norm
	}
	return k.s == t.Stem
}

// lexicon is one language's vocabulary.
type lexicon struct {
	lang         string
	exact        map[string]*info    // by normalised form
	stems        map[string]*info    // by stem
	phrases      map[string][]phrase // by the stem of their first word
	exactPhrases map[string][]phrase // by the form of their first word
	// ctxStems holds the contextual entries (see info.with) by stem; they
	// are kept out of stems, whose entries count everywhere.
	ctxStems map[string]*info
	aspects  aspectIndex
	files    int
}

func newLexicon(lang string) *lexicon {
	return &lexicon{lang: lang, exact: map[string]*info{}, stems: map[string]*info{},
		phrases: map[string][]phrase{}, exactPhrases: map[string][]phrase{}, ctxStems: map[string]*info{}}
}

// aspectIndex tells which aspects a word names: the words of each aspect
// (a theme of the taxonomy) by stem, form and prefix, as bits.
type aspectIndex struct {
	names    []string
	stems    map[string]uint64
	exact    map[string]uint64
	prefixes []aspectPrefix
}

type aspectPrefix struct {
	p    string
	bits uint64
}

// maxAspects bounds the aspects an index knows (one bit each).
const maxAspects = 64

// newAspectIndex indexes the single-word terms of each aspect; a term
// ending in * matches the words that start with it.
func newAspectIndex(lang string, aspects map[string][]string) aspectIndex {
	ix := aspectIndex{stems: map[string]uint64{}, exact: map[string]uint64{}}
	names := make([]string, 0, len(aspects))
	for name := range aspects {
		names = append(names, name)
	}
	slices.Sort(names)
	if len(names) > maxAspects {
		names = names[:maxAspects]
	}
	ix.names = names
	for bit, name := range names {
		b := uint64(1) << bit
		for _, term := range aspects[name] {
			term = strings.ToLower(strings.TrimSpace(term))
			prefix := strings.HasSuffix(term, "*")
			term = strings.TrimRight(term, "*")
			d := textproc.Tokenize(term, lang)
			if len(d.Tokens) != 1 || d.Tokens[0].Kind != textproc.Word {
				continue
			}
			t := &d.Tokens[0]
			switch {
			case prefix:
				ix.prefixes = append(ix.prefixes, aspectPrefix{t.Norm, b})
			case utf8.RuneCountInString(t.Stem) >= 4:
				ix.stems[t.Stem] |= b
			default:
				ix.exact[t.Norm] |= b
			}
		}
	}
	return ix
}

// bits returns the aspects that the word t names.
func (ix *aspectIndex) bits(t *textproc.Token) uint64 {
	if t.Kind != textproc.Word {
		return 0
	}
	b := ix.stems[t.Stem] | ix.exact[t.Norm]
	for _, p := range ix.prefixes {
		if strings.HasPrefix(t.Norm, p.p) {
			b |= p.bits
		}
	}
	return b
}

// bit returns the bit of the aspect named name, 0 when there is none.
func (ix *aspectIndex) bit(name string) uint64 {
	if i := slices.Index(ix.names, name); i >= 0 {
		return 1 << i
	}
	return 0
}

// errFormat marks a malformed line of a lexicon or modifier file.
var errFormat = errors.New("malformed line")

// splitLine cuts a line into tab-separated fields. A line without tabs,
// as people write by hand, is cut at spaces from the right: the term may
// hold spaces ("not bad 1.5"), and its last fields are those for which
// tail reports true, at most max of them.
func splitLine(line string, max int, tail func(i int, field string) bool) []string {
	if strings.IndexByte(line, '\t') >= 0 {
		f := strings.Split(line, "\t")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		return f
	}
	words := strings.Fields(line)
	n := 0
	for n < max && n < len(words)-1 && tail(n, words[len(words)-1-n]) {
		n++
	}
	term := strings.Join(words[:len(words)-n], " ")
	return append([]string{term}, words[len(words)-n:]...)
}

// lexiconTail recognises the fields after a lexicon term, from the right:
// an optional "exact" and a score.
func lexiconTail(i int, f string) bool {
	if i <= 1 && (f == "exact" || strings.HasPrefix(f, "with=")) {
		return true
	}
	_, err := strconv.ParseFloat(f, 64)
	return err == nil
}

// modifierTail recognises the fields after a modifier term, from the
// right: an optional value and a kind.
func modifierTail(i int, f string) bool {
	if _, ok := parseModKind(f); ok {
		return true
	}
	_, err := strconv.ParseFloat(f, 64)
	return i == 0 && err == nil
}

// readLexicon adds a file of "term<TAB>score[<TAB>exact][<TAB>with=aspects]"
// lines. Within a file, lemmas whose stems collide with opposite signs are
// kept as exact forms only, so that neither takes the other's polarity.
func (l *lexicon) readLexicon(name string, r io.Reader) error {
	l.files++
	src := l.files
	type acc struct {
		sum      float64
		n        int
		pos, neg bool
		prefix   string
		bare     bool
	}
	stems := map[string]*acc{}
	var order []string
	addStem := func(key string, v float64, prefix string, bare bool) {
		a := stems[key]
		if a == nil {
			a = &acc{prefix: prefix}
			stems[key] = a
			order = append(order, key)
		}
		a.bare = a.bare || bare
		if a.prefix != prefix {
			a.prefix = "" // several lemmas agree on the stem: no guard needed
		}
		a.sum += v
		a.n++
		if v > 0 {
			a.pos = true
		} else if v < 0 {
			a.neg = true
		}
	}
	folded := map[string]float64{}
	err := eachLine(r, func(n int, line string) error {
		f := splitLine(line, 3, lexiconTail)
		if len(f) < 2 || len(f) > 4 {
			return fmt.Errorf("sentiment: %s:%d: want term<TAB>score[<TAB>exact][<TAB>with=aspects]: %w", name, n, errFormat)
		}
		term := strings.ToLower(f[0])
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || math.IsNaN(v) || v < -4 || v > 4 {
			return fmt.Errorf("sentiment: %s:%d: score %q is not a number between -4 and 4: %w", name, n, f[1], errFormat)
		}
		exact, contextual := false, false
		var with uint64
		for _, x := range f[2:] {
			switch {
			case x == "exact" && !exact:
				exact = true
			case strings.HasPrefix(x, "with=") && !contextual && len(x) > len("with="):
				// Aspects the analyser was not given (a taxonomy without
				// them) leave the entry unused.
				contextual = true
				for _, a := range strings.Split(x[len("with="):], ",") {
					with |= l.aspects.bit(strings.TrimSpace(a))
				}
			default:
				return fmt.Errorf("sentiment: %s:%d: column %q is neither \"exact\" nor \"with=aspect,...\": %w", name, n, x, errFormat)
			}
		}
		if contextual && with == 0 {
			return nil
		}
		d := textproc.Tokenize(term, l.lang)
		if len(d.Tokens) == 0 {
			return fmt.Errorf("sentiment: %s:%d: term %q has no word: %w", name, n, f[0], errFormat)
		}
		in := &info{score: v, hasScore: true, src: src, exact: exact, with: with}
		if len(d.Tokens) > 1 {
			l.addPhrase(d, in)
			return nil
		}
		t := &d.Tokens[0]
		if t.Kind == textproc.Word && utf8.RuneCountInString(t.Norm) < 2 {
			return nil // "zzz" squeezes to "z": a letter alone means nothing
		}
		l.setExact(t.Norm, in)
		if contextual {
			if !exact && t.Kind == textproc.Word {
				l.ctxStems[t.Stem] = in
			}
			return nil
		}
		if !exact && t.Kind == textproc.Word {
			addStem(t.Stem, v, shortStemPrefix(t), t.Stem == t.Norm)
			if alt := textproc.VerbStem(t.Stem, l.lang); alt != "" {
				addStem(alt, v, "", true)
			}
			if l.lang == "fr" {
				// Reviews often drop accents: "delicieux" must find "délicieux".
				// Short folded stems collide ("désir" → "des").
				if fo := textproc.Fold(t.Norm); fo != t.Norm {
					if st := textproc.Stem(fo, "fr"); len(st) >= 6 {
						folded[st] = v
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range order {
		a := stems[key]
		if a.pos && a.neg {
			delete(l.stems, key) // "plaisir"/"déplaisir"-like collisions: exact forms only
			continue
		}
		l.stems[key] = &info{score: a.sum / float64(a.n), hasScore: true, src: src, prefix: a.prefix, bare: a.bare}
	}
	for key, v := range folded {
		if _, ok := stems[key]; ok {
			continue
		}
		if old := l.stems[key]; old == nil || old.src < src {
			l.stems[key] = &info{score: v, hasScore: true, src: src, bare: true}
		}
	}
	return nil
}

// shortStemPrefix returns, for a stem of fewer than four letters cut from
// a longer word, the word's first letters that a text word must share to
// match by that stem; "" when the stem is long enough to trust.
func shortStemPrefix(t *textproc.Token) string {
	if t.Stem == t.Norm || utf8.RuneCountInString(t.Stem) >= 4 {
		return ""
	}
	n := 0
	for i := range t.Norm {
		if n == utf8.RuneCountInString(t.Stem) {
			return t.Norm[:i]
		}
		n++
	}
	return t.Norm
}

// setExact records a form's score, keeping any modifier role it has.
func (l *lexicon) setExact(norm string, in *info) {
	if old := l.exact[norm]; old != nil && old.mod != modNone {
		c := *old
		c.score, c.hasScore, c.src, c.exact, c.with = in.score, true, in.src, in.exact, in.with
		l.exact[norm] = &c
		return
	}
	l.exact[norm] = in
}

func (l *lexicon) addPhrase(d *textproc.Doc, in *info) {
	keys := make([]pkey, len(d.Tokens))
	for i := range d.Tokens {
		t := &d.Tokens[i]
		if in.exact || in.mod != modNone || t.Kind != textproc.Word {
			keys[i] = pkey{s: t.Norm, exact: true}
		} else {
			keys[i] = pkey{s: t.Stem}
		}
		keys[i].joined = t.Is(textproc.Joined)
	}
	m := l.phrases
	if keys[0].exact {
		m = l.exactPhrases
	}
	// A later entry for the same phrase replaces the earlier one, keeping a
	// modifier role or a score the new entry does not set.
	list := m[keys[0].s]
	for i, p := range list {
		if slices.Equal(p.keys, keys) {
			c := *p.info
			if in.mod != modNone {
				c.mod, c.value = in.mod, in.value
			}
			if in.hasScore {
				c.score, c.hasScore, c.src, c.exact, c.with = in.score, true, in.src, in.exact, in.with
			}
			list[i].info = &c
			return
		}
	}
	m[keys[0].s] = append(list, phrase{keys: keys, info: in})
}

// readModifiers adds a file of "term<TAB>kind<TAB>value" lines.
func (l *lexicon) readModifiers(name string, r io.Reader) error {
	return eachLine(r, func(n int, line string) error {
		f := splitLine(line, 2, modifierTail)
		if len(f) < 2 || len(f) > 3 {
			return fmt.Errorf("sentiment: %s:%d: want term<TAB>kind<TAB>value: %w", name, n, errFormat)
		}
		kind, ok := parseModKind(f[1])
		if !ok {
			return fmt.Errorf("sentiment: %s:%d: kind %q is not negator, privative, booster, dampener, contrast or ignore: %w", name, n, f[1], errFormat)
		}
		value := defaultValue(kind)
		if len(f) == 3 && f[2] != "" {
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil || v <= 0 || v > 10 {
				return fmt.Errorf("sentiment: %s:%d: value %q is not a positive number: %w", name, n, f[2], errFormat)
			}
			value = v
		}
		return l.addModifier(f[0], kind, value)
	})
}

func defaultValue(k modKind) float64 {
	switch k {
	case modBooster:
		return 1.3
	case modDampener:
		return 0.6
	case modContrast:
		return 1.5
	}
	return 1
}

func (l *lexicon) addModifier(term string, kind modKind, value float64) error {
	d := textproc.Tokenize(strings.ToLower(term), l.lang)
	if len(d.Tokens) == 0 {
		return fmt.Errorf("sentiment: modifier %q has no word: %w", term, errFormat)
	}
	in := &info{mod: kind, value: value}
	if kind == modPrivative {
		// Alone, "lack of" is as negative as its value says.
		in.score, in.hasScore = -value, true
	}
	if len(d.Tokens) > 1 {
		l.addPhrase(d, in)
		return nil
	}
	norm := d.Tokens[0].Norm
	c := *in
	if old := l.exact[norm]; old != nil {
		c = *old
		c.mod, c.value = kind, value
		if kind == modPrivative {
			c.score, c.hasScore = in.score, true
		}
	}
	l.exact[norm] = &c
	return nil
}

// eachLine calls fn with each line that is not blank or a # comment.
func eachLine(r io.Reader, fn func(n int, line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || line[0] == '#' {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sentiment: reading line %d: %w", n+1, err)
	}
	return nil
}

// lookup finds what the lexicon says about the word at toks[i]. It does
// not look at phrases.
func (l *lexicon) lookup(t *textproc.Token, text string) *info {
	e := l.exact[t.Norm]
	if e != nil && (e.mod != modNone || e.exact) {
		return e
	}
	var s *info
	if t.Kind == textproc.Word && utf8.RuneCountInString(t.Norm) >= 3 {
		// Words of one or two letters ("pu", "vu") match their own entry
		// only: as stems they would find anything.
		s = l.stem(t.Stem, t.Norm)
		if s != nil && !s.bare && t.Norm == t.Stem && l.lang != "ru" {
			// Russian short adjectives are their stems ("хорош"); French
			// and English words that are bare stems are other words.
			s = nil
		}
		if s == nil && e == nil {
			switch l.lang {
			case "ru":
				s = l.russianShortForm(t.Norm)
			case "fr":
				// Snowball cuts "parfait" to "parf" but "parfaite" to
				// "parfait": try the feminine when it is an entry.
				s = l.feminine(t.Norm)
			}
		}
	}
	if e == nil && s == nil && t.Kind == textproc.Word {
		s = l.ctxStems[t.Stem]
	}
	if e == nil && s == nil && t.Is(textproc.Elongated) {
		// "goood" is squeezed to "god"; try "good".
		w := t.Twice(text)
		if e = l.exact[w]; e == nil {
			s = l.stem(textproc.Stem(w, l.lang), w)
		}
	}
	switch {
	case e == nil:
		return s
	case s == nil:
		return e
	case s.src > e.src:
		return s
	}
	return e
}

// stem looks a stem up, checking the guard of short stems against the
// word's form.
func (l *lexicon) stem(stem, norm string) *info {
	s := l.stems[stem]
	if s != nil && s.prefix != "" && !strings.HasPrefix(norm, s.prefix) {
		return nil
	}
	return s
}

// feminine returns the entry of the feminine of a French word ("parfait"
// → "parfaite"), or nil.
func (l *lexicon) feminine(norm string) *info {
	if strings.HasSuffix(norm, "e") || len(norm) > 60 {
		return nil
	}
	var buf [64]byte
	b := append(append(buf[:0], norm...), 'e')
	in := l.exact[string(b)]
	if in == nil || !in.hasScore || in.mod != modNone {
		return nil
	}
	return in
}

// russianShortForm finds adverbs and short adjectives whose Snowball stem
// differs from their lemma's ("дорого" → "дор", "дорогой" → "дорог"): the
// word without its last vowel is tried as a stem.
func (l *lexicon) russianShortForm(norm string) *info {
	r, n := utf8.DecodeLastRuneInString(norm)
	switch r {
	case 'о', 'е', 'а', 'ы', 'и', 'у', 'ю', 'я', 'ь':
	default:
		return nil
	}
	base := norm[:len(norm)-n]
	if utf8.RuneCountInString(base) < 4 {
		return nil
	}
	return l.stem(base, norm)
}
