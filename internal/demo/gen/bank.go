package main

import (
	"strings"
	"unicode"
)

// bank holds one language's phrase banks. Entries are templates (see
// tmpl.go). Sentences start with a capital; a leading "=" marks one that
// keeps it after a connector ("Mais Léa..."). Clauses are lower-case noun
// phrases such as "café excellent", joined into "Café excellent, mais
// attente interminable."
type bank struct {
	lang      string
	titleRate float64 // share of reviews with a title
	bang      string  // "!" as the language writes it after a word

	sent   map[string][3][]string // theme -> pos, neg, neu sentences
	clause map[string][2][]string // theme -> pos, neg clauses

	// perfect holds sweeping praise ("everything was perfect"), said only
	// by reviews with no complaint.
	perfect []string

	openers  [3][]string // by the review's sentiment: pos, neg, neu
	closers  [3][]string
	contexts []string // who came, when, why
	tourist  []string // contexts of a visitor writing in a foreign language

	locContexts map[string][]string
	// locExtras holds sentences proper to one location, by theme and
	// polarity; "<id>@early" and "<id>@late" apply to the start and the end
	// of the improving location's timeline.
	locExtras map[string]map[string][3][]string

	oneLiners   [6][]string // by rating; "[theme:pol,...]" may annotate a line
	titles      [3][]string
	themeTitles map[string][2][]string

	toPos, toNeg []string // connectors before a sentence that turns the other way
	sameJoin     []string // between two clauses of the same polarity
	contrastJoin []string // between two clauses of opposite polarity

	burst      []string // complaints of the waiting-time burst
	burstShort []string

	lists map[string][]string

	emojiPos, emojiNeg, emojiNeu []string

	reply replyBank

	// fixes are the typos people of this language make: right -> wrong.
	fixes [][2]string
}

// replyBank holds the owner's answers.
type replyBank struct {
	greet    []string // may use {@name}, the reviewer's first name
	body     [3][]string
	themePos map[string][]string
	themeNeg map[string][]string
	burst    []string
	closing  [3][]string
}

// typo spoils the text the way hurried people do: a known misspelling of
// the language, or a slip of the finger.
func (b *bank) typo(r *rng, s string) string {
	var found [][2]string
	for _, f := range b.fixes {
		if strings.Contains(s, f[0]) {
			found = append(found, f)
		}
	}
	if len(found) > 0 && r.chance(0.7) {
		f := pick(r, found)
		return strings.Replace(s, f[0], f[1], 1)
	}
	return slip(r, s)
}

// slip swaps, drops or doubles a letter in one longer word.
func slip(r *rng, s string) string {
	ws := strings.Split(s, " ")
	var long []int
	for i, w := range ws {
		n := 0
		for _, c := range w {
			if unicode.IsLetter(c) {
				n++
			}
		}
		if n >= 6 && n == len([]rune(w)) {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return s
	}
	i := pick(r, long)
	rs := []rune(ws[i])
	k := r.between(1, len(rs)-2)
	switch r.intn(3) {
	case 0:
		rs[k], rs[k+1] = rs[k+1], rs[k]
	case 1:
		rs = append(rs[:k], rs[k+1:]...)
	default:
		rs = append(rs[:k+1], rs[k:]...)
	}
	ws[i] = string(rs)
	return strings.Join(ws, " ")
}
