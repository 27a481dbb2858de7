package schemaorg

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// ratingRE finds a rating in published text: the first number, a decimal
// comma allowed ("4,5"), and the scale when the text states it ("4/5",
// "4.5 out of 5", "4 sur 5", "4 из 5").
var ratingRE = regexp.MustCompile(`(?i)([+-]?\d+(?:[.,]\d+)?)(?:\s*(?:/|out of|of|sur|из)\s*(\d+(?:[.,]\d+)?))?`)

// parseRating reads a rating literal. best is set when the text states
// the scale. A run of star glyphs ("★★★★☆") is the count of full stars
// out of all of them.
func parseRating(s string) (v float64, best *float64, ok bool) {
	s = strings.TrimSpace(s)
	if full, total, isStars := stars(s); isStars {
		b := float64(total)
		return float64(full), &b, true
	}
	m := ratingRE.FindStringSubmatch(s)
	if m == nil {
		return 0, nil, false
	}
	v, ok = decimal(m[1])
	if !ok {
		return 0, nil, false
	}
	if m[2] != "" {
		if b, ok := decimal(m[2]); ok && b > 0 {
			best = &b
		}
	}
	return v, best, true
}

// parseNumber reads a scale bound ("5", "10", "0", "5,0").
func parseNumber(s string) (float64, bool) {
	m := ratingRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	return decimal(m[1])
}

// decimal parses a number whose decimal mark may be a comma.
func decimal(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// stars counts the full stars of a text made only of star glyphs.
func stars(s string) (full, total int, ok bool) {
	for _, r := range s {
		switch r {
		case '★', '⭐', '✭', '✮', '🌟':
			full++
			total++
		case '☆', '✩', '✰':
			total++
		case ' ', '\u00a0', '\ufe0f':
		default:
			return 0, 0, false
		}
	}
	return full, total, total >= 3
}

var (
	countRE     = regexp.MustCompile(`\d[\d\s.,'\x{00a0}\x{202f}]*`)
	thousandsRE = regexp.MustCompile(`^\d{1,3}(?:[\s.,'\x{00a0}\x{202f}]\d{3})+$`)
	fractionRE  = regexp.MustCompile(`^\d+[.,]\d+$`)
)

// parseCount reads a count of ratings or reviews: "3077", "1,234",
// "1 234", "1.234" (thousands), "22.0", "250 reviews".
func parseCount(s string) (int, bool) {
	m := countRE.FindString(s)
	m = strings.TrimRightFunc(m, func(r rune) bool { return !unicode.IsDigit(r) })
	if m == "" {
		return 0, false
	}
	switch {
	case thousandsRE.MatchString(m):
		m = strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, m)
	case fractionRE.MatchString(m):
		f, ok := decimal(m)
		if !ok || f > math.MaxInt32 {
			return 0, false
		}
		return int(math.Round(f)), true
	default:
		end := strings.IndexFunc(m, func(r rune) bool { return !unicode.IsDigit(r) })
		if end >= 0 {
			m = m[:end]
		}
	}
	n, err := strconv.Atoi(m)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// langNames maps language names that pages put in inLanguage to codes.
var langNames = map[string]string{
	"english": "en", "anglais": "en", "английский": "en",
	"french": "fr", "français": "fr", "francais": "fr", "французский": "fr",
	"russian": "ru", "russe": "ru", "русский": "ru",
	"german": "de", "deutsch": "de", "allemand": "de",
	"spanish": "es", "español": "es", "espagnol": "es",
	"italian": "it", "italiano": "it", "italien": "it",
	"ukrainian": "uk", "українська": "uk",
}

var langTagRE = regexp.MustCompile(`^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$`)

// normLang turns an inLanguage value into a BCP 47 tag, or "" when it is
// neither a tag nor a known language name.
func normLang(s string) string {
	s = strings.TrimSpace(s)
	if code, ok := langNames[strings.ToLower(s)]; ok {
		return code
	}
	if len(s) <= 35 && langTagRE.MatchString(s) {
		return strings.ReplaceAll(s, "_", "-")
	}
	return ""
}

// fingerprint reduces text to what identifies it, for deduplication:
// lower case, words separated by single spaces, punctuation dropped.
func fingerprint(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	}), " ")
}

// looksLikeURL reports whether an author "name" is a profile link, which
// is no name at all.
func looksLikeURL(s string) bool {
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "/") || strings.HasPrefix(l, "www.")
}
