package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// publishedAt maps a review's days_ago (counted back from a reference
// Sunday) and local time of day onto the epoch: the review keeps its week
// and its weekday, in the location's time zone, and is never later than the
// epoch. See the package documentation.
func publishedAt(epoch time.Time, tz *time.Location, daysAgo int, hhmm string) time.Time {
	e := epoch.In(tz)
	week := daysAgo / 7
	weekday := (7 - daysAgo%7) % 7 // 0 days before the reference Sunday is a Sunday
	back := 7*week + (int(e.Weekday())-weekday+7)%7
	h, m := clock(hhmm)
	t := time.Date(e.Year(), e.Month(), e.Day()-back, h, m, 0, 0, tz)
	if t.After(epoch) {
		t = t.AddDate(0, 0, -7) // later today: last week's same weekday
	}
	return t
}

// replyAt places the owner's reply days after the review, after it and not
// after the epoch.
func replyAt(epoch, review time.Time, days int, hhmm string) time.Time {
	h, m := clock(hhmm)
	t := time.Date(review.Year(), review.Month(), review.Day()+days, h, m, 0, 0, review.Location())
	if !t.After(review) {
		t = review.Add(95 * time.Minute)
	}
	if t.After(epoch) {
		t = epoch.Add(-time.Minute)
	}
	return t
}

func clock(hhmm string) (int, int) {
	h, m, _ := strings.Cut(hhmm, ":")
	hi, _ := strconv.Atoi(h)
	mi, _ := strconv.Atoi(m)
	return hi, mi
}

var months = map[string][12]string{
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"ru": {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// base returns the language of a BCP 47 tag: "fr" for "fr-CA".
func base(lang string) string {
	b, _, _ := strings.Cut(lang, "-")
	return b
}

// humanDate writes a date as a reader of lang expects it: "1er mars 2026",
// "12 марта 2026 г.", "12 March 2026".
func humanDate(t time.Time, lang string) string {
	l := base(lang)
	ms, ok := months[l]
	if !ok {
		ms, l = months["en"], "en"
	}
	month := ms[t.Month()-1]
	switch l {
	case "fr":
		day := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return fmt.Sprintf("%s %s %d", day, month, t.Year())
	case "ru":
		return fmt.Sprintf("%d %s %d г.", t.Day(), month, t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), month, t.Year())
}

// decimal writes a rating average with one decimal, with the language's
// decimal separator.
func decimal(v float64, lang string) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if base(lang) != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// ruPlural picks the Russian form for n: 1 отзыв, 2 отзыва, 5 отзывов.
func ruPlural(n int, one, few, many string) string {
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		return one
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return few
	}
	return many
}
