package connutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/internal/review"
)

// Clip shortens s to at most n bytes, cut before a rune, with "…" added
// when something was cut: for quoting values in warnings and errors.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// JSONProblem shortens a JSON decoding error to what went wrong: "a JSON
// string", "rating is a JSON string" for a value of the wrong type, the
// error's own message otherwise.
func JSONProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%s is a JSON %s", te.Field, te.Value)
		}
		return fmt.Sprintf("a JSON %s", te.Value)
	}
	return err.Error()
}

// ServerSays quotes the start of the body of a failed response whose form
// is not a known error form (a proxy's page, plain text), to end an error
// message: `: the server says "…"`, its white space folded and clipped to
// 200 bytes. It is "" without a response or for a blank body.
func ServerSays(resp *fetch.Response) string {
	if resp == nil {
		return ""
	}
	s := strings.Join(strings.Fields(string(resp.Body)), " ")
	if s == "" {
		return ""
	}
	return fmt.Sprintf(": the server says %q", Clip(s, 200))
}

// GoogleSummary is how a Google API error (AIP-193: status, message,
// details' reasons) reads in an error message: "STATUS: message [REASON,
// …]", without the status or the reasons when there are none.
func GoogleSummary(status, message string, reasons []string) string {
	msg := message
	if status != "" {
		msg = status + ": " + msg
	}
	if len(reasons) > 0 {
		msg += " [" + strings.Join(reasons, ", ") + "]"
	}
	return msg
}

// ParseTime reads an RFC 3339 timestamp, with or without fractional
// seconds ("2026-03-21T07:58:50.000Z"), in UTC; an empty value is the
// zero time. The error is `unreadable date "…"`.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("unreadable date %q", Clip(s, 40))
	}
	return t.UTC(), nil
}

// Stars reads a rating on a scale of 1 to 5: nil (unrated) for none, and
// for one outside the scale with a warning "rating 9 out of 1..5: kept
// unrated"; otherwise the rating with a best rating of 5.
func Stars(v *float64) (rating, best *float64, warning string) {
	switch {
	case v == nil:
		return nil, nil, ""
	case math.IsNaN(*v) || *v < 1 || *v > 5:
		return nil, nil, fmt.Sprintf("rating %v out of 1..5: kept unrated", *v)
	}
	return review.Float(*v), review.Float(5), ""
}

// MostlyUTF8 reports whether data that is not valid UTF-8 still holds
// more valid multi-byte sequences than invalid bytes: UTF-8 with a few
// damaged bytes, rather than a legacy charset.
func MostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	return valid > invalid
}
