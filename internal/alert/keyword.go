package alert

import (
	"strings"
	"unicode/utf8"

	"github.com/vigie-dev/vigie/internal/textproc"
)

// The keyword rule: critical phrases matched after normalisation (lower
// case, ё as е, accents optional) and stemming in the review's language,
// with the tokenizer the enrichment uses. A phrase word ending in * matches
// any word starting with it; words of four letters or fewer, or whose
// stem is that short, must match whole ("rat" is not "raté", and "volée"
// is not "vol", whose stems they share). A match right after
// a negation in the same clause ("pas d'intoxication", "no rats", "не
// отравились") does not count.

// Category groups phrases that mean the same incident.
type Category struct {
	Name    string
	Phrases []string
}

// DefaultPhrases is the built-in list, in French, Russian and English.
var DefaultPhrases = []Category{
	{"food poisoning", []string{
		"food poisoning", "poisoned", "made me sick", "made us sick", "sick after eating", "diarrhea", "diarrhoea",
		"intoxication alimentaire", "intoxiqué*", "intoxication", "empoisonné*", "diarrhée*", "malade après",
		"отравлен*", "отравил*", "отравит*", "диаре*",
	}},
	{"vermin", []string{
		"rat", "rats", "mouse in", "mice", "cockroach*", "roach", "roaches", "bedbug*", "bed bugs",
		"souris", "cafard*", "blatte*", "punaises de lit", "punaise de lit",
		"крыса", "крысы", "крысу", "крыс", "крысой", "мышь", "мыши", "мышей", "таракан*", "клоп*",
	}},
	{"theft", []string{
		"stole", "stolen", "theft", "thief", "thieves", "pickpocket*", "robbed",
		"volé", "volée", "volés", "voleur*", "voleuse*", "dérobé*",
		"украл*", "украден*", "кража", "кражу", "вор", "воры", "воровк*", "обокрал*",
	}},
	{"discrimination", []string{
		"racist*", "racism", "discriminat*", "homophob*", "sexist*",
		"raciste*", "racisme", "discrimin*", "homophobe*", "sexiste*",
		"расист*", "расизм*", "дискриминац*", "гомофоб*", "сексист*",
	}},
	{"violence or harassment", []string{
		"assaulted", "assault", "harassed", "harassment", "punched",
		"agressé*", "agression", "harcèlement", "harcelé*", "m'a frappé",
		"избил*", "домогател*", "домогал*", "напали", "напал",
	}},
	{"health hazard", []string{
		"allergic reaction", "anaphyla*", "piece of glass", "broken glass", "ended up in hospital",
		"réaction allergique", "morceau de verre", "bout de verre", "éclat de verre", "aux urgences",
		"аллергическ* реакц*", "кусок стекла", "осколок стекла", "в больниц*", "скорую",
	}},
}

// phraseWord is one word of a compiled phrase.
type phraseWord struct {
	norm, fold, stem string
	prefix           bool
	exact            bool
}

// phrase is a phrase compiled for one language.
type phrase struct {
	text     string
	category string
	words    []phraseWord
}

// matcher holds a rule's phrases compiled for each language.
type matcher struct {
	byLang map[string][]phrase
}

var matchLangs = []string{"fr", "ru", "en"}

func newMatcher(user []string, defaults bool, exclude []string) *matcher {
	m := &matcher{byLang: map[string][]phrase{}}
	skip := map[string]bool{}
	for _, x := range exclude {
		skip[strings.ToLower(strings.TrimSpace(x))] = true
	}
	add := func(text, category string) {
		if skip[strings.ToLower(text)] || skip[category] {
			return
		}
		for _, lang := range matchLangs {
			if p, ok := compilePhrase(text, category, lang); ok {
				m.byLang[lang] = append(m.byLang[lang], p)
			}
		}
	}
	if defaults {
		for _, c := range DefaultPhrases {
			for _, p := range c.Phrases {
				add(p, c.Name)
			}
		}
	}
	for _, p := range user {
		p = strings.TrimSpace(p)
		add(p, strings.TrimSuffix(p, "*"))
	}
	return m
}

func compilePhrase(text, category, lang string) (phrase, bool) {
	p := phrase{text: text, category: category}
	for _, w := range strings.Fields(text) {
		prefix := strings.HasSuffix(w, "*")
		w = strings.TrimRight(w, "*")
		doc := textproc.Tokenize(w, lang)
		var toks []phraseWord
		for i := range doc.Tokens {
			t := &doc.Tokens[i]
			if t.Kind != textproc.Word && t.Kind != textproc.Number {
				continue
			}
			toks = append(toks, phraseWord{norm: t.Norm, fold: textproc.Fold(t.Norm), stem: t.Stem, exact: utf8.RuneCountInString(t.Norm) <= 4 || utf8.RuneCountInString(t.Stem) < 4})
		}
		if len(toks) == 0 {
			continue
		}
		toks[len(toks)-1].prefix = prefix
		p.words = append(p.words, toks...)
	}
	return p, len(p.words) > 0
}

func (w *phraseWord) match(t *textproc.Token) bool {
	switch {
	case w.prefix:
		return strings.HasPrefix(t.Norm, w.norm) || strings.HasPrefix(textproc.Fold(t.Norm), w.fold)
	case w.exact:
		return textproc.Fold(t.Norm) == w.fold
	}
	return t.Stem == w.stem || textproc.Fold(t.Norm) == w.fold
}

var negations = map[string]bool{
	"pas": true, "jamais": true, "aucun": true, "aucune": true, "sans": true, "ni": true, "non": true,
	"no": true, "not": true, "never": true, "without": true, "none": true, "nor": true,
	"не": true, "нет": true, "без": true, "ни": true, "никогда": true, "никаких": true, "никакой": true, "никакого": true,
}

// Match is a phrase found in a review.
type Match struct {
	Category string
	Phrase   string
}

// match returns the categories whose phrases text holds, first match of
// each category.
func (m *matcher) match(text, lang string) []Match {
	if m == nil || strings.TrimSpace(text) == "" {
		return nil
	}
	try := []string{lang}
	if _, ok := m.byLang[lang]; !ok {
		try = matchLangs
	}
	var out []Match
	seen := map[string]bool{}
	for _, l := range try {
		phrases := m.byLang[l]
		if len(phrases) == 0 {
			continue
		}
		doc := textproc.Tokenize(text, l)
		toks := doc.Tokens
		for pi := range phrases {
			p := &phrases[pi]
			if seen[p.category] {
				continue
			}
			for i := range toks {
				if !matchAt(toks, i, p) || negated(toks, i) {
					continue
				}
				seen[p.category] = true
				out = append(out, Match{Category: p.category, Phrase: p.text})
				break
			}
		}
	}
	return out
}

// matchAt reports whether p's words match the word tokens from i on.
func matchAt(toks []textproc.Token, i int, p *phrase) bool {
	j := i
	for wi := range p.words {
		for j < len(toks) && toks[j].Kind != textproc.Word && toks[j].Kind != textproc.Number {
			if wi > 0 && toks[j].Clause() {
				return false
			}
			if wi == 0 {
				return false
			}
			j++
		}
		if j >= len(toks) || !p.words[wi].match(&toks[j]) {
			return false
		}
		j++
	}
	return true
}

// negated reports whether one of the three words before i, in the same
// clause, is a negation.
func negated(toks []textproc.Token, i int) bool {
	words := 0
	for j := i - 1; j >= 0 && words < 3; j-- {
		t := &toks[j]
		if t.Clause() {
			return false
		}
		if t.Kind != textproc.Word {
			continue
		}
		words++
		if negations[t.Norm] || strings.HasSuffix(t.Norm, "n't") {
			return true
		}
	}
	return false
}
