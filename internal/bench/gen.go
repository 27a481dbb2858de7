package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/internal/demo"
	"github.com/vigie-dev/vigie/internal/review"
)

// sourceKinds are the sources of every generated location, with the share
// of the reviews each brings. Surveys answer on 0-10; social comments
// mostly carry no rating.
var sourceKinds = []struct {
	suffix string
	share  int // per 100
	kind   review.Kind
}{
	{"site", 40, review.KindReview},
	{"maps", 35, review.KindReview},
	{"social", 15, review.KindComment},
	{"survey", 10, review.KindSurvey},
}

// generator makes N realistic collected reviews, each a deterministic
// function of its number: the demo brand's French, Russian and English
// reviews recombined, from one line to a page, over three years, spread
// unequally over the locations (a few flagships, many quiet ones).
type generator struct {
	n, locations int
	now          time.Time
	byLang       map[string][]demo.CorpusReview
	sentences    map[string][]string
	replies      map[string][]string
}

var langs = []string{"fr", "ru", "en"}

func newGenerator(n, locations int, now time.Time) *generator {
	g := &generator{n: n, locations: locations, now: now,
		byLang: map[string][]demo.CorpusReview{}, sentences: map[string][]string{}, replies: map[string][]string{}}
	for _, r := range demo.Corpus() {
		g.byLang[r.Lang] = append(g.byLang[r.Lang], r)
		for _, s := range splitSentences(r.Text) {
			g.sentences[r.Lang] = append(g.sentences[r.Lang], s)
		}
		if r.Reply != "" {
			g.replies[r.Lang] = append(g.replies[r.Lang], r.Reply)
		}
	}
	return g
}

// splitSentences cuts a text after ". ", "! " and "? ".
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(text); i++ {
		if (text[i] == '.' || text[i] == '!' || text[i] == '?') && text[i+1] == ' ' {
			if s := strings.TrimSpace(text[start : i+1]); s != "" {
				out = append(out, s)
			}
			start = i + 2
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// locationID and sourceID name generated locations and sources.
func locationID(l int) string             { return fmt.Sprintf("loc-%04d", l) }
func sourceID(l, k int) string            { return locationID(l) + "-" + sourceKinds[k].suffix }
func sourceIndex(l, k int) int            { return l*len(sourceKinds) + k }
func (g *generator) sources() int         { return g.locations * len(sourceKinds) }
func locationLang(l int) string           { return []string{"fr", "fr", "ru", "en"}[l%4] }
func rng(i int, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(uint64(i), stream)) }

// place returns the location and source kind of review i.
func (g *generator) place(i int) (loc, kind int) {
	r := rng(i, 1)
	loc = int(float64(g.locations) * r.Float64() * r.Float64() * 2)
	if loc >= g.locations {
		loc = r.IntN(g.locations)
	}
	x := r.IntN(100)
	for k, sk := range sourceKinds {
		if x < sk.share {
			return loc, k
		}
		x -= sk.share
	}
	return loc, 0
}

// bySource lists the reviews of each source, newest first as most sites
// list them.
func (g *generator) bySource() [][]int32 {
	out := make([][]int32, g.sources())
	for i := range g.n {
		l, k := g.place(i)
		s := sourceIndex(l, k)
		out[s] = append(out[s], int32(i))
	}
	return out
}

// review makes review i as a connector would hand it over: no language,
// sentiment or themes yet.
func (g *generator) review(i int) review.Review {
	loc, kind := g.place(i)
	r := rng(i, 2)
	lang := locationLang(loc)
	if r.IntN(10) == 0 { // a visitor writing in another language
		lang = langs[r.IntN(len(langs))]
	}
	pool := g.byLang[lang]
	base := pool[r.IntN(len(pool))]
	text := base.Text
	switch x := r.IntN(100); {
	case x < 15: // one line
		if ss := splitSentences(text); len(ss) > 0 {
			text = ss[0]
		}
	case x < 80: // as written, one time in three with a sentence more
		if r.IntN(3) == 0 {
			text += " " + g.sentence(r, lang)
		}
	default: // a long review: up to a page
		var b strings.Builder
		b.WriteString(text)
		for range 3 + r.IntN(20) {
			b.WriteString(" ")
			b.WriteString(g.sentence(r, lang))
		}
		text = b.String()
	}
	sk := sourceKinds[kind]
	rv := review.Review{
		ExternalID:  fmt.Sprintf("g%d", i),
		Kind:        sk.kind,
		URL:         fmt.Sprintf("https://reviews.example/%s/%d", sourceID(loc, kind), i),
		Author:      base.Author,
		Text:        text,
		PublishedAt: g.now.Add(-time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour)))).Truncate(time.Second),
	}
	if r.IntN(5) < 2 {
		rv.Title = base.Title
	}
	switch sk.kind {
	case review.KindSurvey:
		// 0-10 answers that follow the text's stars.
		score := min(10, max(0, base.Rating*2+r.IntN(3)-2))
		rv.Rating, rv.BestRating, rv.WorstRating = review.Float(float64(score)), review.Float(10), review.Float(0)
	case review.KindComment:
		if r.IntN(10) < 3 {
			rv.Rating, rv.BestRating = review.Float(float64(base.Rating)), review.Float(5)
		}
	default:
		rv.Rating, rv.BestRating = review.Float(float64(base.Rating)), review.Float(5)
	}
	if sk.kind == review.KindReview && r.IntN(5) == 0 {
		reply := base.Reply
		if reply == "" && len(g.replies[lang]) > 0 {
			reply = g.replies[lang][r.IntN(len(g.replies[lang]))]
		}
		if reply != "" {
			rv.Reply = &review.Reply{Author: "Manager", Text: reply,
				PublishedAt: rv.PublishedAt.Add(time.Duration(1+r.IntN(96)) * time.Hour)}
		}
	}
	return rv
}

func (g *generator) sentence(r *rand.Rand, lang string) string {
	ss := g.sentences[lang]
	return ss[r.IntN(len(ss))]
}
