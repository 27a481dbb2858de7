package themes

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/sentiment"
	"github.com/vigie-dev/vigie/internal/textproc"
)

// Overall is the theme of evaluative sentences that name no aspect
// ("On a adoré !", "Never again.").
const Overall = "overall"

// Params tunes how themes get their sentiment.
type Params struct {
	// Implicit is the least absolute sentence score for a sentence that
	// names no theme to count as an implicit mention of Overall; 0 turns
	// implicit mentions off.
	Implicit float64
	// Fallback weighs the sentence's sentiment for a mention whose own
	// clause carries none.
	Fallback float64
	// Across weighs, for such a mention, sentiment on the other side of a
	// contrast word. "Friendly staff, but what a wait" suggests the wait
	// was bad (a negative weight), but on the development sets ignoring
	// it (0) is as right more often.
	Across float64
	// MaxEvidence bounds the evidence spans kept per theme.
	MaxEvidence int
	// OverallNeedsSentiment drops mentions of Overall in sentences that
	// evaluate nothing: "we went to this restaurant on Monday" is about
	// no experience.
	OverallNeedsSentiment bool
}

// DefaultParams are the constants used unless NewTagger is told otherwise.
var DefaultParams = Params{Implicit: 0.05, Fallback: 0.5, Across: 0, MaxEvidence: 5, OverallNeedsSentiment: false}

// Tagger finds themes in tokenized texts. It is safe for concurrent use.
type Tagger struct {
	names   []string
	labels  []string
	langs   map[string]*index
	overall int // index of Overall, -1 when the taxonomy has none
	p       Params
}

type index struct {
	stems    map[string][]int // single words by stem: theme indexes
	short    map[string][]guarded
	exact    map[string][]int // single words by form
	prefixes map[string][]int // "lent*" by its lower-case prefix
	plens    []int            // the byte lengths of the prefixes, ascending
	phrases  map[string][]tphrase
}

// guarded is a theme reached by a stem of fewer than four letters: the
// word must also start like the term ("aime" → "aimer" by "aim", not
// "dès" → "désir" by "des").
type guarded struct {
	prefix string
	theme  int
}

type tphrase struct {
	keys  []tkey
	theme int
}

// tkey matches one word of a phrase: by stem, or by prefix of the
// normalised form for a last word written with *.
type tkey struct {
	s      string
	prefix bool
}

func (k tkey) match(t *textproc.Token) bool {
	if k.prefix {
		return strings.HasPrefix(t.Norm, k.s)
	}
	return k.s == t.Stem
}

// NewTagger compiles a taxonomy. p may be nil for DefaultParams.
func NewTagger(t *Taxonomy, p *Params) (*Tagger, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	tg := &Tagger{langs: map[string]*index{}, overall: -1, p: DefaultParams}
	if p != nil {
		tg.p = *p
	}
	for _, lang := range Languages {
		tg.langs[lang] = &index{stems: map[string][]int{}, short: map[string][]guarded{}, exact: map[string][]int{},
			prefixes: map[string][]int{}, phrases: map[string][]tphrase{}}
	}
	for ti, th := range t.Themes {
		tg.names = append(tg.names, th.Name)
		label := th.Label
		if label == "" {
			label = th.Name
		}
		tg.labels = append(tg.labels, label)
		if th.Name == Overall {
			tg.overall = ti
		}
		for lang, terms := range th.Terms {
			ix := tg.langs[lang]
			for _, term := range terms {
				if err := ix.add(term, lang, ti); err != nil {
					return nil, fmt.Errorf("themes: theme %q: %w", th.Name, err)
				}
			}
		}
	}
	for _, ix := range tg.langs {
		slices.Sort(ix.plens)
		ix.plens = slices.Compact(ix.plens)
	}
	return tg, nil
}

func addTheme(m map[string][]int, key string, ti int) {
	if !slices.Contains(m[key], ti) {
		m[key] = append(m[key], ti)
	}
}

func (ix *index) add(term, lang string, ti int) error {
	term = strings.ToLower(strings.TrimSpace(term))
	prefix := strings.HasSuffix(term, "*")
	term = strings.TrimRight(term, "*")
	d := textproc.Tokenize(term, lang)
	if len(d.Tokens) == 0 {
		return fmt.Errorf("term %q has no word", term)
	}
	if len(d.Tokens) == 1 {
		t := &d.Tokens[0]
		if prefix {
			ix.addPrefix(t.Norm, ti)
			if lang == "fr" {
				ix.addPrefix(textproc.Fold(t.Norm), ti)
			}
			return nil
		}
		ix.addWord(t, lang, ti)
		return nil
	}
	keys := make([]tkey, len(d.Tokens))
	for i := range d.Tokens {
		keys[i] = tkey{s: d.Tokens[i].Stem}
	}
	if prefix {
		keys[len(keys)-1] = tkey{s: d.Tokens[len(keys)-1].Norm, prefix: true}
	}
	for _, p := range ix.phrases[keys[0].s] {
		if p.theme == ti && slices.Equal(p.keys, keys) {
			return nil
		}
	}
	ix.phrases[keys[0].s] = append(ix.phrases[keys[0].s], tphrase{keys: keys, theme: ti})
	return nil
}

func (ix *index) addPrefix(p string, ti int) {
	addTheme(ix.prefixes, p, ti)
	ix.plens = append(ix.plens, len(p))
}

// addWord indexes a single-word term by stem, guarding short stems.
// French terms also match without accents.
func (ix *index) addWord(t *textproc.Token, lang string, ti int) {
	addTheme(ix.exact, t.Norm, ti)
	if t.Kind != textproc.Word {
		return
	}
	if alt := textproc.VerbStem(t.Stem, lang); alt != "" {
		addTheme(ix.stems, alt, ti)
	}
	if t.Stem == t.Norm || utf8.RuneCountInString(t.Stem) >= 4 {
		addTheme(ix.stems, t.Stem, ti)
	} else {
		n := utf8.RuneCountInString(t.Stem)
		prefix := t.Norm
		for i := range t.Norm {
			if n == 0 {
				prefix = t.Norm[:i]
				break
			}
			n--
		}
		g := guarded{prefix, ti}
		if !slices.Contains(ix.short[t.Stem], g) {
			ix.short[t.Stem] = append(ix.short[t.Stem], g)
		}
	}
	if lang == "fr" {
		if fo := textproc.Fold(t.Norm); fo != t.Norm {
			addTheme(ix.exact, fo, ti)
			if st := textproc.Stem(fo, "fr"); len(st) >= 6 {
				addTheme(ix.stems, st, ti)
			}
		}
	}
}

// Names returns the theme names, in taxonomy order.
func (tg *Tagger) Names() []string { return slices.Clone(tg.names) }

// Label returns the label of the theme named name, or name.
func (tg *Tagger) Label(name string) string {
	if i := slices.Index(tg.names, name); i >= 0 {
		return tg.labels[i]
	}
	return name
}

// Mention is one place where a text names a theme.
type Mention struct {
	Theme int // index in Names
	// First and Last bound the mention's tokens; Start and End are its
	// byte span (for an implicit mention, those of the sentiment word that
	// weighs most in the sentence).
	First, Last, Start, End int
	Sentence                int
	// Sum is the sentiment expressed about it (a sum of unit values);
	// Pos and Neg its positive and negative masses.
	Sum, Pos, Neg float64
	// Own says whether sentiment words were found in its own clause.
	Own bool
	// Implicit marks an Overall mention inferred from an evaluative
	// sentence that names no theme.
	Implicit bool
}

// Result holds the mentions of one text. It may be reused.
type Result struct {
	Mentions []Mention
	owner    []int32 // per sentiment unit, scratch
}

// Find finds the themes of d and the sentiment about each, given the
// sentiment s of the same text.
func (tg *Tagger) Find(d *textproc.Doc, s *sentiment.Result, res *Result) {
	res.Mentions = res.Mentions[:0]
	ix := tg.langs[d.Lang]
	for si := range d.Sentences {
		sen := &d.Sentences[si]
		from := len(res.Mentions)
		if ix != nil {
			tg.match(d, ix, sen, si, res)
			if tg.p.OverallNeedsSentiment && tg.overall >= 0 && si < len(s.Sentences) && math.Abs(s.Sentences[si].Score) < tg.p.Implicit {
				res.Mentions = slices.DeleteFunc(res.Mentions[:len(res.Mentions):len(res.Mentions)], func(m Mention) bool {
					return m.Sentence == si && m.Theme == tg.overall
				})
			}
		}
		if len(res.Mentions) == from && tg.overall >= 0 && tg.p.Implicit > 0 && si < len(s.Sentences) {
			ss := &s.Sentences[si]
			if math.Abs(ss.Score) >= tg.p.Implicit && ss.UnitsTo > ss.UnitsFrom {
				// The evidence is the word that weighs most in the sentence.
				best := &s.Units[ss.UnitsFrom]
				for k := ss.UnitsFrom + 1; k < ss.UnitsTo; k++ {
					if math.Abs(s.Units[k].Value()) > math.Abs(best.Value()) {
						best = &s.Units[k]
					}
				}
				res.Mentions = append(res.Mentions, Mention{Theme: tg.overall, First: best.First, Last: best.Last,
					Start: best.Start, End: best.End, Sentence: si, Implicit: true})
			}
		}
		if si < len(s.Sentences) {
			tg.assign(s, si, res.Mentions[from:], res)
		}
	}
}

// match appends the mentions of sentence si.
func (tg *Tagger) match(d *textproc.Doc, ix *index, sen *textproc.Sentence, si int, res *Result) {
	toks := d.Tokens
	for i := sen.First; i < sen.Last; i++ {
		t := &toks[i]
		if t.Kind != textproc.Word {
			continue
		}
		// Phrases first, the longest wins.
		end := 0
		for _, p := range ix.phrases[t.Stem] {
			e := i + len(p.keys)
			if e > sen.Last || e < end {
				continue
			}
			ok := true
			for k := 1; k < len(p.keys); k++ {
				if !p.keys[k].match(&toks[i+k]) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			if e > end {
				// A longer phrase drops the shorter ones found at i.
				res.Mentions = slices.DeleteFunc(res.Mentions, func(m Mention) bool { return m.First == i && m.Sentence == si })
				end = e
			}
			tg.add(res, p.theme, i, e, toks, si)
		}
		if end > 0 {
			i = end - 1
			continue
		}
		hit := tg.single(ix, t.Stem, t.Norm, res, i, toks, si)
		if !hit && d.Lang == "fr" && !strings.HasSuffix(t.Norm, "e") && len(t.Norm) < 60 {
			// Snowball cuts "parfait" to "parf" but "parfaite" to
			// "parfait": a term written in the feminine finds the masculine.
			var buf [64]byte
			for _, ti := range ix.exact[string(append(append(buf[:0], t.Norm...), 'e'))] {
				tg.add(res, ti, i, i+1, toks, si)
			}
		}
	}
}

// single adds the themes of the word toks[i] known by stem and form; it
// reports whether there was any.
func (tg *Tagger) single(ix *index, stem, norm string, res *Result, i int, toks []textproc.Token, si int) bool {
	n := len(res.Mentions)
	hit := false
	for _, ti := range ix.stems[stem] {
		tg.add(res, ti, i, i+1, toks, si)
		hit = true
	}
	for _, g := range ix.short[stem] {
		if strings.HasPrefix(norm, g.prefix) {
			tg.add(res, g.theme, i, i+1, toks, si)
			hit = true
		}
	}
	for _, ti := range ix.exact[norm] {
		tg.add(res, ti, i, i+1, toks, si)
		hit = true
	}
	for _, l := range ix.plens {
		if l > len(norm) {
			break
		}
		if l < len(norm) && !utf8.RuneStart(norm[l]) {
			continue
		}
		for _, ti := range ix.prefixes[norm[:l]] {
			tg.add(res, ti, i, i+1, toks, si)
			hit = true
		}
	}
	return hit || len(res.Mentions) > n
}

// add appends a mention unless the same theme is already mentioned by
// the same tokens.
func (tg *Tagger) add(res *Result, ti, first, last int, toks []textproc.Token, si int) {
	for k := len(res.Mentions) - 1; k >= 0; k-- {
		m := &res.Mentions[k]
		if m.Sentence != si || m.Last < first {
			break
		}
		if m.Theme == ti && m.First <= first && last <= m.Last {
			return
		}
	}
	res.Mentions = append(res.Mentions, Mention{Theme: ti, First: first, Last: last,
		Start: toks[first].Start, End: toks[last-1].End, Sentence: si})
}

// assign gives each sentiment unit of sentence si to the nearest mention
// in its clause; mentions whose clause has no unit take the units no
// mention claimed, or else a share of the sentence's sentiment.
func (tg *Tagger) assign(s *sentiment.Result, si int, ms []Mention, res *Result) {
	if len(ms) == 0 {
		return
	}
	ss := &s.Sentences[si]
	units := s.Units[ss.UnitsFrom:ss.UnitsTo]
	if cap(res.owner) < len(units) {
		res.owner = make([]int32, len(units))
	}
	owner := res.owner[:len(units)]
	for k := range units {
		u := &units[k]
		owner[k] = -1
		best := math.MaxInt
		for mi := range ms {
			m := &ms[mi]
			if m.Implicit {
				continue
			}
			if !sameClause(s, u, m) {
				continue
			}
			dist := 0
			switch {
			case u.Last <= m.First:
				dist = m.First - u.Last
			case m.Last <= u.First:
				dist = u.First - m.Last
			}
			if dist < best {
				best, owner[k] = dist, int32(mi)
			}
		}
	}
	nfree := 0
	for k := range units {
		v := units[k].Value()
		if owner[k] < 0 {
			nfree++
			continue
		}
		m := &ms[owner[k]]
		m.Sum += v
		m.Own = true
		if v > 0 {
			m.Pos += v
		} else {
			m.Neg -= v
		}
	}
	for mi := range ms {
		m := &ms[mi]
		if m.Implicit {
			m.Sum, m.Pos, m.Neg = ss.Sum, ss.Pos, ss.Neg // the sentence is the mention
			continue
		}
		if m.Own {
			continue
		}
		// Units no mention claimed count fully; otherwise the sentence's
		// units count for a share. Across a contrast they count against.
		w := 1.0
		if nfree == 0 {
			w = tg.p.Fallback
		}
		for k := range units {
			if nfree > 0 && owner[k] >= 0 {
				continue
			}
			u := &units[k]
			v := u.Value() * w
			if across(s.Contrasts, u, m) {
				v *= tg.p.Across
			}
			m.Sum += v
			if v > 0 {
				m.Pos += v
			} else {
				m.Neg -= v
			}
		}
	}
}

// across reports whether a contrast word stands between unit u and
// mention m.
func across(contrasts []int, u *sentiment.Unit, m *Mention) bool {
	lo, hi := u.Last, m.First
	if m.Last <= u.First {
		lo, hi = m.Last, u.First
	}
	for _, c := range contrasts {
		if c >= lo && c < hi {
			return true
		}
	}
	return false
}

// sameClause reports whether unit u lies in the clause of mention m: the
// clause of any of its tokens.
func sameClause(s *sentiment.Result, u *sentiment.Unit, m *Mention) bool {
	c := s.Clause[u.First]
	for k := m.First; k < m.Last; k++ {
		if s.Clause[k] == c {
			return true
		}
	}
	// A phrase unit spanning a clause mark ("ne ... pas") still counts.
	return s.Clause[u.Last-1] == s.Clause[m.First]
}

// Themes turns the mentions into one Theme per theme named, in order of
// first mention, with the sentiment about it over the whole text. text is
// the text the offsets refer to.
func (tg *Tagger) Themes(text string, res *Result, a *sentiment.Analyzer) []review.Theme {
	if len(res.Mentions) == 0 {
		return nil
	}
	// Two passes so that the themes and all their evidence take two
	// allocations.
	var order [32]int
	themes := order[:0]
	nev := 0
	for mi := range res.Mentions {
		m := &res.Mentions[mi]
		if !slices.Contains(themes, m.Theme) {
			themes = append(themes, m.Theme)
		}
		nev++
	}
	out := make([]review.Theme, len(themes))
	evs := make([]review.Evidence, 0, nev)
	for k, ti := range themes {
		var sum, pos, neg float64
		from := len(evs)
		for mi := range res.Mentions {
			m := &res.Mentions[mi]
			if m.Theme != ti {
				continue
			}
			sum += m.Sum
			pos += m.Pos
			neg += m.Neg
			if len(evs)-from < tg.p.MaxEvidence {
				evs = append(evs, review.Evidence{Text: text[m.Start:m.End], Start: m.Start, End: m.End})
			}
		}
		sc := a.Normalize(sum)
		out[k] = review.Theme{Name: tg.names[ti], Score: math.Round(sc*1000) / 1000, Label: a.Label(sc, pos, neg)}
		if len(evs) > from {
			out[k].Evidence = evs[from:len(evs):len(evs)]
		}
	}
	return out
}
