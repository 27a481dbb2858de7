package html

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ratingRE finds the first number of a rating text, a decimal comma
// allowed ("4,5"), and the scale when the text states it ("4/5", "4.5 out
// of 5", "4 sur 5", "Оценка 4 из 5").
var ratingRE = regexp.MustCompile(`(?i)(\d+(?:[.,]\d+)?)(?:\s*(?:/|out of|of|sur|из)\s*(\d+(?:[.,]\d+)?))?`)

// percentRE finds a percentage, as star widths are drawn ("width: 80%").
var percentRE = regexp.MustCompile(`(\d+(?:[.,]\d+)?)\s*%`)

// ratingWords mark the class names that carry a rating ("stars-4",
// "bubble_45", "rating-5").
var ratingWords = []string{"star", "rating", "rate", "bubble", "score", "note", "grade", "оцен", "звезд", "рейтинг"}

// rating is a rating read from a page.
type rating struct {
	value float64
	// best is the scale the text states, or 0.
	best float64
}

// parseRating reads a rating from a text or an attribute value. attr
// names the attribute it came from ("" for text): a class list is first
// narrowed to its rating-like class; a style is read as a percentage of
// best. An integer above best from an attribute is read in tenths
// ("bubble_45" is 4.5) when that fits the scale. A text of star glyphs
// with no number ("★★★★☆") counts its full stars.
func parseRating(s, attr string, best float64) (rating, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return rating{}, false
	}
	if strings.EqualFold(attr, "class") {
		s, _ = ratingClass(s)
	}
	if m := percentRE.FindStringSubmatch(s); m != nil {
		if pct, ok := decimal(m[1]); ok && pct <= 100 {
			return rating{value: round2(pct / 100 * best)}, true
		}
	}
	m := ratingRE.FindStringSubmatch(s)
	if m == nil {
		if full, ok := starGlyphs(s); ok {
			return rating{value: float64(full)}, true
		}
		return rating{}, false
	}
	v, ok := decimal(m[1])
	if !ok {
		return rating{}, false
	}
	r := rating{value: v}
	if m[2] != "" {
		if b, ok := decimal(m[2]); ok && b > 0 && v <= b {
			r.best = b
			return r, true
		}
	}
	if attr != "" && v > best && v <= best*10 && v == math.Trunc(v) {
		r.value = v / 10
	}
	return r, true
}

// ratingClass picks, from a class list, the class that holds the rating:
// the first with a digit and a rating word (word is then true), else the
// first with a digit.
func ratingClass(s string) (class string, word bool) {
	first := ""
	for _, c := range strings.Fields(s) {
		if !strings.ContainsAny(c, "0123456789") {
			continue
		}
		lc := strings.ToLower(c)
		for _, w := range ratingWords {
			if strings.Contains(lc, w) {
				return c, true
			}
		}
		if first == "" {
			first = c
		}
	}
	if first == "" {
		return s, false
	}
	return first, false
}

// starGlyphs counts the full stars of a text made of star glyphs.
func starGlyphs(s string) (int, bool) {
	full, total := 0, 0
	for _, r := range s {
		switch r {
		case '★', '⭐', '✭', '✮', '🌟', '✪':
			full++
			total++
		case '☆', '✩', '✰':
			total++
		case ' ', '\u00a0', '\ufe0f', '\n', '\t':
		default:
			return 0, false
		}
	}
	return full, total > 0
}

// decimal parses a number whose decimal mark may be a comma.
func decimal(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// countRE finds whole numbers with or without thousands separators
// ("1 234", "1,234", "1.234", "1 234" with a narrow no-break space).
var countRE = regexp.MustCompile(`\d+(?:[ \x{00a0}\x{202f}\x{2009},.'’]\d+)*`)

// parseCount reads a review count ("1 234 отзыва", "(1,234 reviews)",
// "Avis clients : 57"): the first whole number, thousands separators
// allowed; a decimal such as the "4,5" of a score is skipped.
func parseCount(s string) (int, bool) {
	for _, m := range countRE.FindAllString(s, -1) {
		groups := strings.FieldsFunc(m, func(r rune) bool { return r < '0' || r > '9' })
		if len(groups) > 1 {
			ok := len(groups[0]) <= 3
			for _, g := range groups[1:] {
				ok = ok && len(g) == 3
			}
			if !ok {
				continue // a decimal ("4,5"), not a count
			}
		}
		n, err := strconv.Atoi(strings.Join(groups, ""))
		if err != nil || n < 0 {
			continue
		}
		return n, true
	}
	return 0, false
}
