// Package dateparse reads the dates that review pages and feeds publish:
// ISO 8601 and RFC 3339 in their many partial forms, the RFC 1123, 822 and
// 850 formats of HTTP and feeds, Unix epochs, and the written dates of
// English, French and Russian pages ("March 2, 2024", "le 2 février 2024",
// "2 марта 2024 г.", "02/03/2024").
//
// The contract every caller relies on:
//
//   - a value with an offset or zone keeps it, so that the calendar date in
//     the document's own offset is preserved; a value without one is read
//     as UTC;
//   - a date without a time is midnight of that calendar date;
//   - a numeric date whose order is ambiguous (02/03/2024) is read day
//     first, as French and Russian pages write it; it is read month first
//     only when the day-first reading is impossible (03/25/2024), or when
//     the caller knows the page is American (ParseMonthFirst);
//   - relative dates ("yesterday", "il y a 3 jours") and dates without a
//     year are errors: there is no reference time to resolve them against;
//   - every error is an *Error that names the value.
package dateparse

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Error is a value that could not be read as a date.
type Error struct {
	// Value is the text as given.
	Value string
	// Reason says what was wrong, in a few words.
	Reason string
}

func (e *Error) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("dateparse: unreadable date %q", e.Value)
	}
	return fmt.Sprintf("dateparse: unreadable date %q: %s", e.Value, e.Reason)
}

// maxLen bounds the text looked at: nothing longer is a date, and the
// bound keeps hostile input cheap.
const maxLen = 128

// Parse reads s as a date or date-time in any of the forms the package
// documents. Surrounding whitespace is ignored.
func Parse(s string) (time.Time, error) { return parse(s, false) }

// ParseMonthFirst is Parse for pages written in American English: an
// ambiguous numeric date (02/03/2024) is read month first (February 3),
// unless that reading is impossible (25/03/2024).
func ParseMonthFirst(s string) (time.Time, error) { return parse(s, true) }

func parse(s string, monthFirst bool) (time.Time, error) {
	v := clean(s)
	fail := func(reason string) (time.Time, error) {
		return time.Time{}, &Error{Value: s, Reason: reason}
	}
	switch {
	case v == "":
		return fail("empty")
	case len(v) > maxLen:
		return fail("too long to be a date")
	}
	if t, ok, reason := parseDigits(v); ok {
		return t, nil
	} else if reason != "" {
		return fail(reason)
	}
	if t, ok, reason := parseISO(v); ok {
		return t, nil
	} else if reason != "" {
		return fail(reason)
	}
	t, err := parseWords(v, monthFirst)
	if err != nil {
		return fail(err.Error())
	}
	return t, nil
}

// ParseLayout reads value with a Go reference layout ("02/01/2006 15:04"),
// as configured for a source whose dates Parse cannot guess. French and
// Russian month and weekday names in value are accepted where the layout
// has English ones ("January", "Jan", "Monday", "Mon"). A layout without a
// zone reads the value as UTC.
func ParseLayout(value, layout string) (time.Time, error) {
	v := clean(value)
	if t, err := time.Parse(layout, v); err == nil {
		return t, nil
	}
	if tr := translate(v, layout); tr != v {
		if t, err := time.Parse(layout, tr); err == nil {
			return t, nil
		}
	}
	_, err := time.Parse(layout, v)
	reason := fmt.Sprintf("does not match layout %q", layout)
	if pe, ok := err.(*time.ParseError); ok && pe.Message != "" {
		reason += strings.TrimPrefix(pe.Message, ":")
	}
	return time.Time{}, &Error{Value: value, Reason: reason}
}

// clean trims, replaces invalid UTF-8 and collapses every run of Unicode
// space (NBSP included) into one ASCII space.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > 4*maxLen {
		s = s[:4*maxLen] // longer than any date; Parse reports it
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u200e' || r == '\u200f' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// parseDigits reads a value made only of digits: a compact ISO date
// (20240302) or a Unix epoch in seconds or milliseconds. ok is false with
// an empty reason when v is not all digits.
func parseDigits(v string) (t time.Time, ok bool, reason string) {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return time.Time{}, false, ""
		}
	}
	switch len(v) {
	case 8:
		y, _ := strconv.Atoi(v[:4])
		m, _ := strconv.Atoi(v[4:6])
		d, _ := strconv.Atoi(v[6:])
		t, err := build(y, m, d, 0, 0, 0, 0, nil)
		if err != nil {
			return time.Time{}, false, err.Error()
		}
		return t, true, ""
	case 9, 10:
		n, _ := strconv.ParseInt(v, 10, 64)
		return time.Unix(n, 0).UTC(), true, ""
	case 12, 13:
		n, _ := strconv.ParseInt(v, 10, 64)
		return time.UnixMilli(n).UTC(), true, ""
	}
	return time.Time{}, false, "a number that is neither a compact date nor an epoch in seconds or milliseconds"
}

// isoRE matches ISO 8601 / RFC 3339 dates and date-times, extended format,
// with the variations pages use: a space or a T, no seconds, fractional
// seconds with a point or a comma, an offset with or without a colon, Z,
// UTC or GMT, or nothing.
var isoRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})` +
	`(?:(?:[Tt]| T ?| )(\d{1,2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?)?` +
	` ?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$`)

// parseISO reads ISO 8601 forms. ok is false with an empty reason when v
// does not have the ISO shape, so that other readings can be tried.
func parseISO(v string) (t time.Time, ok bool, reason string) {
	m := isoRE.FindStringSubmatch(v)
	if m == nil {
		return time.Time{}, false, ""
	}
	num := func(s string) int {
		n, _ := strconv.Atoi(s)
		return n
	}
	ns := 0
	if f := m[7]; f != "" {
		if len(f) > 9 {
			f = f[:9]
		}
		ns = num(f + strings.Repeat("0", 9-len(f)))
	}
	var zone *int
	if z := m[8]; z != "" {
		off, err := parseOffset(z)
		if err != nil {
			return time.Time{}, false, err.Error()
		}
		zone = &off
	}
	t, err := build(num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6]), ns, zone)
	if err != nil {
		return time.Time{}, false, err.Error()
	}
	return t, true, ""
}

// parseOffset reads Z, UTC, GMT, ±hh, ±hhmm or ±hh:mm into seconds east of
// UTC.
func parseOffset(z string) (int, error) {
	switch strings.ToUpper(z) {
	case "Z", "UTC", "GMT", "UT":
		return 0, nil
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	digits := strings.ReplaceAll(z[1:], ":", "")
	h, m := 0, 0
	switch len(digits) {
	case 2:
		h, _ = strconv.Atoi(digits)
	case 4:
		h, _ = strconv.Atoi(digits[:2])
		m, _ = strconv.Atoi(digits[2:])
	default:
		return 0, fmt.Errorf("offset %q has the wrong length", z)
	}
	if h > 18 || m > 59 {
		return 0, fmt.Errorf("offset %q out of range", z)
	}
	return sign * (h*3600 + m*60), nil
}

// build checks every field and makes the time; zone is the offset in
// seconds, nil for UTC.
func build(y, mo, d, h, mi, s, ns int, zone *int) (time.Time, error) {
	switch {
	case y < 1 || y > 9999:
		return time.Time{}, fmt.Errorf("year %d out of range", y)
	case mo < 1 || mo > 12:
		return time.Time{}, fmt.Errorf("month %d out of range", mo)
	case d < 1 || d > daysIn(time.Month(mo), y):
		return time.Time{}, fmt.Errorf("day %d out of range for %s %d", d, time.Month(mo), y)
	case h > 24 || (h == 24 && (mi != 0 || s != 0 || ns != 0)):
		return time.Time{}, fmt.Errorf("hour %d out of range", h)
	case mi > 59:
		return time.Time{}, fmt.Errorf("minute %d out of range", mi)
	case s > 60:
		return time.Time{}, fmt.Errorf("second %d out of range", s)
	}
	if s == 60 { // a leap second: keep it in its minute
		s, ns = 59, 999999999
	}
	loc := time.UTC
	if zone != nil && *zone != 0 {
		loc = time.FixedZone("", *zone)
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, loc), nil
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
