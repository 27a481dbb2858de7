package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/review"
)

// Segment is a run of review text with one highlighting: Mark for the
// words the query matched, Class for enrichment evidence.
type Segment struct {
	Text  string
	Mark  bool
	Class string
	Title string
}

const (
	flagQuery = 1 << iota
	flagNeg
	flagPos
	flagTheme
)

// matchedWords collects the words a search matched, lower case, from its
// highlighted fragments.
func matchedWords(h map[string][][]api.Part) map[string]bool {
	out := map[string]bool{}
	for _, frags := range h {
		for _, f := range frags {
			for _, p := range f {
				if p.Match {
					out[strings.ToLower(p.Text)] = true
				}
			}
		}
	}
	return out
}

// isWordRune: letters, digits and apostrophes inside words ("l'attente"),
// as bleve's tokenizer cuts words.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// Highlight cuts text into segments: the words in query, and, with r, the
// evidence of r's sentiment and themes (byte offsets into r.Text, checked
// before use: a span that does not fall on the text is looked up by its
// words or dropped); label names themes.
func Highlight(text string, query map[string]bool, r *review.Review, label func(string) string) []Segment {
	if text == "" {
		return nil
	}
	if label == nil {
		label = api.ThemeLabel
	}
	flags := make([]uint8, len(text))
	titles := make([]string, len(text))
	if len(query) > 0 {
		start := -1
		for i, c := range text {
			word := isWordRune(c) || ((c == '\'' || c == '’') && start >= 0 && i+1 < len(text) && startsWord(text[i+utf8.RuneLen(c):]))
			if word && start < 0 {
				start = i
			}
			if !word && start >= 0 {
				markWord(text, start, i, query, flags)
				start = -1
			}
		}
		if start >= 0 {
			markWord(text, start, len(text), query, flags)
		}
	}
	if r != nil {
		if r.Sentiment != nil {
			for _, ev := range r.Sentiment.Evidence {
				s, e, ok := span(text, ev)
				if !ok {
					continue
				}
				f := uint8(flagNeg)
				if ev.Weight > 0 || (ev.Weight == 0 && r.Sentiment.Label == "positive") {
					f = flagPos
				}
				for i := s; i < e; i++ {
					flags[i] |= f
				}
			}
		}
		for _, t := range r.Themes {
			for _, ev := range t.Evidence {
				s, e, ok := span(text, ev)
				if !ok {
					continue
				}
				title := "Theme: " + label(t.Name)
				if t.Label != "" {
					title += " (" + t.Label + ")"
				}
				for i := s; i < e; i++ {
					flags[i] |= flagTheme
					if titles[i] == "" {
						titles[i] = title
					}
				}
			}
		}
	}
	var out []Segment
	start := 0
	for i := 1; i <= len(text); i++ {
		if i < len(text) && flags[i] == flags[start] && titles[i] == titles[start] {
			continue
		}
		if i < len(text) && !utf8.RuneStart(text[i]) {
			continue
		}
		seg := Segment{Text: text[start:i], Mark: flags[start]&flagQuery != 0, Title: titles[start]}
		var cls []string
		if seg.Mark {
			cls = append(cls, "hl-q")
		}
		switch {
		case flags[start]&flagNeg != 0:
			cls = append(cls, "ev-neg")
			if seg.Title == "" {
				seg.Title = "Negative words"
			}
		case flags[start]&flagPos != 0:
			cls = append(cls, "ev-pos")
			if seg.Title == "" {
				seg.Title = "Positive words"
			}
		}
		if flags[start]&flagTheme != 0 {
			cls = append(cls, "ev-theme")
		}
		seg.Class = strings.Join(cls, " ")
		out = append(out, seg)
		start = i
	}
	return out
}

func startsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

func markWord(text string, s, e int, query map[string]bool, flags []uint8) {
	if query[strings.ToLower(text[s:e])] {
		for i := s; i < e; i++ {
			flags[i] |= flagQuery
		}
	}
}

// span checks an evidence span against the text.
func span(text string, ev review.Evidence) (int, int, bool) {
	if ev.Start >= 0 && ev.End > ev.Start && ev.End <= len(text) && utf8.RuneStart(text[ev.Start]) &&
		(ev.End == len(text) || utf8.RuneStart(text[ev.End])) && (ev.Text == "" || text[ev.Start:ev.End] == ev.Text) {
		return ev.Start, ev.End, true
	}
	if ev.Text != "" {
		if i := strings.Index(text, ev.Text); i >= 0 {
			return i, i + len(ev.Text), true
		}
	}
	return 0, 0, false
}

// ReviewView is a review as the dashboard shows it.
type ReviewView struct {
	review.Review
	LocationName string
	Stars        string // ★★★☆☆
	RatingText   string // 3/5
	TitleSegs    []Segment
	TextSegs     []Segment
	SourceURL    string // only http(s); empty otherwise
	Themes       []ThemeView
	Date         string
}

// ThemeView is a theme of a review.
type ThemeView struct {
	Name, Label, Sentiment string
	Evidence               []string
}

// reviewView prepares a review; the evidence of themes is marked for the
// themes in only (all when nil).
func (s *site) reviewView(r review.Review, query map[string]bool, only map[string]bool) ReviewView {
	v := ReviewView{Review: r, LocationName: s.cat.LocationName(r.Location), SourceURL: safeURL(r.URL)}
	v.Stars, v.RatingText = stars(r)
	v.TitleSegs = Highlight(r.Title, query, nil, nil)
	marked := r
	if only != nil {
		marked.Themes = nil
		for _, t := range r.Themes {
			if only[t.Name] {
				marked.Themes = append(marked.Themes, t)
			}
		}
	}
	v.TextSegs = Highlight(r.Text, query, &marked, s.cat.ThemeLabel)
	for _, t := range r.Themes {
		tv := ThemeView{Name: t.Name, Label: s.cat.ThemeLabel(t.Name), Sentiment: t.Label}
		for _, ev := range t.Evidence {
			tv.Evidence = append(tv.Evidence, ev.Text)
		}
		v.Themes = append(v.Themes, tv)
	}
	if !r.PublishedAt.IsZero() {
		v.Date = r.PublishedAt.Format("2 Jan 2006")
	}
	return v
}

func stars(r review.Review) (string, string) {
	if r.Rating == nil || r.RatingNorm == nil {
		return "", ""
	}
	best := 5.0
	if r.BestRating != nil {
		best = *r.BestRating
	}
	n := int(math.Round(*r.RatingNorm*4)) + 1
	if best >= 10 || (r.WorstRating != nil && *r.WorstRating == 0) {
		n = int(math.Round(*r.RatingNorm * 5))
	}
	n = max(0, min(5, n))
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n),
		strconv.FormatFloat(*r.Rating, 'g', -1, 64) + "/" + strconv.FormatFloat(best, 'g', -1, 64)
}

var funcs = template.FuncMap{
	"themeLabel": api.ThemeLabel,
	"langName":   api.LangName,
	"langCode": func(l string) string {
		if l == "" || l == "und" {
			return "??"
		}
		return strings.ToUpper(l)
	},
	"num": func(v any) string {
		switch x := v.(type) {
		case int:
			return groupDigits(strconv.Itoa(x))
		case float64:
			return strconv.FormatFloat(x, 'f', 1, 64)
		case *float64:
			if x == nil {
				return "—"
			}
			return strconv.FormatFloat(*x, 'f', 1, 64)
		}
		return fmt.Sprint(v)
	},
	"rating": func(v *float64) string {
		if v == nil {
			return "—"
		}
		return strconv.FormatFloat(*v, 'f', 2, 64)
	},
	"signed": func(v *float64) string {
		if v == nil {
			return "—"
		}
		return strconv.FormatFloat(*v, 'f', 0, 64)
	},
	"pct": func(v *float64) string {
		if v == nil {
			return "—"
		}
		return strconv.FormatFloat(*v*100, 'f', 0, 64) + "%"
	},
	"pctf": func(v float64) string { return strconv.FormatFloat(v*100, 'f', 0, 64) + "%" },
	"hours": func(v *float64) string {
		if v == nil {
			return "—"
		}
		if *v < 48 {
			return strconv.FormatFloat(*v, 'f', 0, 64) + " h"
		}
		return strconv.FormatFloat(*v/24, 'f', 1, 64) + " days"
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.Format("2 Jan 2006 15:04")
	},
	"day": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.Format("2 Jan 2006")
	},
	"ago": ago,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"add": func(a, b int) int { return a + b },
}

func groupDigits(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func ago(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		d = -d
		switch {
		case d < time.Hour:
			return fmt.Sprintf("in %d min", int(d.Minutes()))
		case d < 48*time.Hour:
			return fmt.Sprintf("in %d h", int(d.Hours()))
		}
		return fmt.Sprintf("in %d days", int(d.Hours()/24))
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// facetView is a facet for the search page's side bar.
type facetView struct {
	Name   string
	Title  string
	Values []facetValue
}

type facetValue struct {
	Label    string
	Count    int
	Link     string
	Selected bool
}

var facetTitles = map[string]string{"location": "Location", "theme": "Theme", "sentiment": "Sentiment", "lang": "Language", "source": "Source", "kind": "Kind"}

func sortedFacetNames() []string {
	return []string{"location", "theme", "sentiment", "lang", "source", "kind"}
}

func setOf(values []string) map[string]bool {
	if len(values) == 0 {
		return map[string]bool{}
	}
	m := map[string]bool{}
	for _, v := range values {
		m[v] = true
	}
	return m
}
