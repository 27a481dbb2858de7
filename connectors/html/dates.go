package html

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/vigie-dev/vigie/internal/dateparse"
)

// parseDate reads a review date as pages print it. layout, when set, is
// tried first (Go reference layout, French and Russian month names
// accepted); then every form dateparse knows; then relative dates
// ("il y a 3 jours", "3 дня назад", "yesterday at 14:05") resolved against
// now; then day-and-month dates without a year ("12 марта"), which pages
// print for the current year; then the same inside a longer label
// ("Publié le 12 mars 2024", "Отзыв от 12.03.2024").
func parseDate(s, layout string, now time.Time) (time.Time, error) {
	t, err := parseAbsolute(s, layout, now)
	if err == nil {
		return t, nil
	}
	if t, ok := relative(s, now); ok {
		return t, nil
	}
	return time.Time{}, err
}

// parseAbsolute is parseDate without relative dates, which are the least
// precise: an element whose text says "2 weeks ago" often has the date in
// its title.
func parseAbsolute(s, layout string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	var firstErr error
	if layout != "" {
		t, err := dateparse.ParseLayout(s, layout)
		if err == nil {
			return t, nil
		}
		firstErr = err
	}
	if t, err := dateparse.Parse(s); err == nil {
		return t, nil
	} else if firstErr == nil {
		firstErr = err
	}
	if t, ok := withoutYear(s, now); ok {
		return t, nil
	}
	// A date inside a label: try the runs of words, longest first.
	words := strings.Fields(s)
	if len(words) > 1 && len(words) <= 16 {
		for n := len(words) - 1; n >= 1; n-- {
			for i := 0; i+n <= len(words); i++ {
				part := strings.Join(words[i:i+n], " ")
				if !strings.ContainsFunc(part, unicode.IsDigit) {
					continue
				}
				part = strings.Trim(part, ":,;()[]|–—-")
				if t, err := dateparse.Parse(part); err == nil {
					return t, nil
				}
				if layout != "" {
					if t, err := dateparse.ParseLayout(part, layout); err == nil {
						return t, nil
					}
				}
				if t, ok := withoutYear(part, now); ok {
					return t, nil
				}
			}
		}
	}
	return time.Time{}, firstErr
}

// withoutYear reads a day and month without a year ("12 марта", "12 mars
// à 14h05", "March 12") as the latest such date not after now.
func withoutYear(s string, now time.Time) (time.Time, bool) {
	if now.IsZero() || yearRE.MatchString(s) {
		return time.Time{}, false
	}
	y := now.Year()
	for _, v := range []string{s + " " + strconv.Itoa(y), insertYear(s, y)} {
		if v == "" {
			continue
		}
		t, err := dateparse.Parse(v)
		if err != nil {
			continue
		}
		if t.After(now.Add(36 * time.Hour)) {
			t = t.AddDate(-1, 0, 0)
		}
		return t, true
	}
	return time.Time{}, false
}

var yearRE = regexp.MustCompile(`\b(1[89]|2[01])\d\d\b`)

// insertYear puts the year right after the month name, for values with a
// time after the date ("12 марта в 14:05").
func insertYear(s string, y int) string {
	words := strings.Fields(s)
	for i, w := range words {
		if i > 0 && len(w) >= 3 && strings.IndexFunc(w, unicode.IsLetter) == 0 && isDigits(words[i-1]) {
			out := append(append(append([]string{}, words[:i+1]...), strconv.Itoa(y)), words[i+1:]...)
			return strings.Join(out, " ")
		}
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var (
	// "3 days ago", "a week ago", "il y a 3 jours", "il y a une semaine",
	// "3 дня назад", "неделю назад", "5 мин. назад".
	agoEN = regexp.MustCompile(`(?i)\b(\d+|an?|one)\s+(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y)\.?\s+ago\b`)
	agoFR = regexp.MustCompile(`(?i)il\s+y\s+a\s+(\d+|une?|quelques)\s+(secondes?|sec|minutes?|min|heures?|h|jours?|j|semaines?|sem|mois|ans?|années?)(?:$|[^\p{L}])`)
	agoRU = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:(\d+)\s+)?(секунд[ауы]?|сек|минут[ауы]?|мин|час(?:а|ов)?|ч|день|дня|дней|сутки|суток|недел[юиь]|недель|нед|месяц(?:а|ев)?|мес|год(?:а)?|лет|г)\.?\s+назад`)
	// "yesterday", "hier", "вчера", with an optional time of day.
	dayWordRE = regexp.MustCompile(`(?i)(day before yesterday|avant-hier|позавчера|yesterday|hier|вчера|today|aujourd['’]hui|сегодня|just now|à l['’]instant|только что)`)
	clockRE   = regexp.MustCompile(`(\d{1,2})\s*[:hч]\s*(\d{2})?`)
)

// relative resolves a relative date against now. Dates of a day or more
// ago are calendar dates (midnight UTC of the day in now's time zone);
// dates of hours or minutes ago keep the time, to the minute.
func relative(s string, now time.Time) (time.Time, bool) {
	if now.IsZero() {
		return time.Time{}, false
	}
	lower := strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	day := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	count := func(w string) int {
		switch w {
		case "", "a", "an", "one", "un", "une":
			return 1
		case "quelques":
			return 3
		}
		n, err := strconv.Atoi(w)
		if err != nil || n > 10000 {
			return -1
		}
		return n
	}
	resolve := func(n int, unit string) (time.Time, bool) {
		if n < 0 {
			return time.Time{}, false
		}
		u := []rune(unit)
		switch {
		case strings.HasPrefix(unit, "sec"), strings.HasPrefix(unit, "сек"):
			return now.Add(-time.Duration(n) * time.Second).Truncate(time.Minute), true
		case strings.HasPrefix(unit, "min"), strings.HasPrefix(unit, "мин"):
			return now.Add(-time.Duration(n) * time.Minute).Truncate(time.Minute), true
		case unit == "h" || strings.HasPrefix(unit, "hour") || strings.HasPrefix(unit, "hr") ||
			strings.HasPrefix(unit, "heure") || unit == "ч" || strings.HasPrefix(unit, "час"):
			return now.Add(-time.Duration(n) * time.Hour).Truncate(time.Minute), true
		case unit == "d" || unit == "j" || strings.HasPrefix(unit, "day") || strings.HasPrefix(unit, "jour") ||
			strings.HasPrefix(unit, "ден") || strings.HasPrefix(unit, "дн") || strings.HasPrefix(unit, "сут"):
			return day(now.AddDate(0, 0, -n)), true
		case unit == "w" || strings.HasPrefix(unit, "w") || strings.HasPrefix(unit, "sem") || strings.HasPrefix(unit, "нед"):
			return day(now.AddDate(0, 0, -7*n)), true
		case strings.HasPrefix(unit, "mo") || unit == "mois" || strings.HasPrefix(unit, "мес"):
			return day(now.AddDate(0, -n, 0)), true
		case unit == "y" || strings.HasPrefix(unit, "y") || strings.HasPrefix(unit, "an") ||
			strings.HasPrefix(unit, "ann") || u[0] == 'г' || unit == "лет":
			return day(now.AddDate(-n, 0, 0)), true
		}
		return time.Time{}, false
	}
	if m := agoEN.FindStringSubmatch(lower); m != nil {
		return resolve(count(m[1]), m[2])
	}
	if m := agoFR.FindStringSubmatch(lower); m != nil {
		return resolve(count(m[1]), m[2])
	}
	if m := agoRU.FindStringSubmatch(lower); m != nil {
		return resolve(count(m[1]), m[2])
	}
	m := dayWordRE.FindStringSubmatchIndex(lower)
	if m == nil {
		return time.Time{}, false
	}
	var back int
	switch w := lower[m[2]:m[3]]; {
	case strings.HasPrefix(w, "just") || strings.HasPrefix(w, "à l") || strings.HasPrefix(w, "только"):
		return now.Truncate(time.Minute), true
	case strings.HasPrefix(w, "day before") || w == "avant-hier" || w == "позавчера":
		back = 2
	case w == "yesterday" || w == "hier" || w == "вчера":
		back = 1
	}
	d := now.AddDate(0, 0, -back)
	rest := lower[m[3]:]
	if c := clockRE.FindStringSubmatch(rest); c != nil {
		h, _ := strconv.Atoi(c[1])
		mi, _ := strconv.Atoi(c[2])
		if strings.Contains(rest, "pm") && h < 12 {
			h += 12
		}
		if h < 24 && mi < 60 {
			return time.Date(d.Year(), d.Month(), d.Day(), h, mi, 0, 0, now.Location()), true
		}
	}
	return day(d), true
}
