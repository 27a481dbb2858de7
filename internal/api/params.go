package api

import (
	"fmt"
	"github.com/vigie-dev/vigie/internal/dateparse"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/index"
)

// Error is a request the API cannot answer, with what was wrong.
type Error struct {
	Status int `json:"-"`
	// Code is bad_query, bad_parameter, unknown_location, unknown_brand,
	// bad_date, not_found or internal.
	Code    string `json:"code"`
	Message string `json:"message"`
	// Param names the query parameter at fault, if any.
	Param string `json:"param,omitempty"`
}

func (e *Error) Error() string { return e.Message }

func badParam(param, format string, args ...any) *Error {
	return &Error{Status: 400, Code: "bad_parameter", Param: param, Message: fmt.Sprintf(format, args...)}
}

// Filter is a parsed set of filters, with the query string that carried
// them.
type Filter struct {
	Query index.Query
	// Values are the parameters as given, for links that keep them.
	Values url.Values
}

// values returns every value of a parameter, splitting commas, trimmed,
// without empties and duplicates.
func values(v url.Values, name string) []string {
	var out []string
	seen := map[string]bool{}
	for _, raw := range v[name] {
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// ParseFilter reads the filters shared by every endpoint: q, brand,
// location, source, kind, lang, sentiment, theme, min_rating,
// max_rating, from and to. Locations and brands must be configured.
func ParseFilter(v url.Values, now time.Time, cat *Catalog) (index.Query, error) {
	var q index.Query
	q.Text = strings.TrimSpace(v.Get("q"))
	if len(q.Text) > 2000 {
		return q, &Error{Status: 400, Code: "bad_query", Param: "q", Message: "the query is longer than 2000 characters"}
	}
	q.Brands = values(v, "brand")
	for _, b := range q.Brands {
		if _, ok := cat.Brands[b]; !ok && len(cat.Brands) > 0 {
			return q, &Error{Status: 400, Code: "unknown_brand", Param: "brand",
				Message: fmt.Sprintf("unknown brand %q (brands: %s)", b, strings.Join(sortedKeys(cat.Brands), ", "))}
		}
	}
	q.Locations = values(v, "location")
	for _, l := range q.Locations {
		if _, ok := cat.Locations[l]; !ok {
			msg := fmt.Sprintf("unknown location %q", l)
			if s := suggest(l, cat.LocationIDs(), 3); len(s) > 0 {
				msg += fmt.Sprintf(": did you mean %s?", strings.Join(s, ", "))
			} else if len(cat.Locations) > 0 {
				msg += fmt.Sprintf(" (%d locations are configured; GET /api/locations lists them)", len(cat.Locations))
			}
			return q, &Error{Status: 400, Code: "unknown_location", Param: "location", Message: msg}
		}
	}
	q.Sources = values(v, "source")
	q.Kinds = values(v, "kind")
	for _, k := range q.Kinds {
		switch k {
		case "review", "comment", "survey":
		default:
			return q, badParam("kind", "unknown kind %q (use review, comment or survey)", k)
		}
	}
	q.Langs = values(v, "lang")
	for _, l := range q.Langs {
		switch l {
		case "fr", "ru", "en", "und":
		default:
			return q, badParam("lang", "unknown language %q (use fr, ru, en or und)", l)
		}
	}
	q.Sentiments = values(v, "sentiment")
	for _, s := range q.Sentiments {
		switch s {
		case index.Positive, index.Neutral, index.Negative, index.Mixed:
		default:
			return q, badParam("sentiment", "unknown sentiment %q (use positive, neutral, negative or mixed)", s)
		}
	}
	q.Themes = values(v, "theme")
	for _, p := range []struct {
		name string
		dst  **float64
	}{{"min_rating", &q.MinRating}, {"max_rating", &q.MaxRating}} {
		s := strings.TrimSpace(v.Get(p.name))
		if s == "" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > 10 {
			return q, badParam(p.name, "%s=%q is not a rating (a number from 0 to 10, such as 2 or 4.5)", p.name, s)
		}
		*p.dst = &f
	}
	if q.MinRating != nil && q.MaxRating != nil && *q.MinRating > *q.MaxRating {
		return q, badParam("min_rating", "min_rating (%g) is above max_rating (%g)", *q.MinRating, *q.MaxRating)
	}
	var err error
	if q.From, err = ParseDate(v.Get("from"), now, false); err != nil {
		return q, &Error{Status: 400, Code: "bad_date", Param: "from", Message: "from: " + err.Error()}
	}
	if q.To, err = ParseDate(v.Get("to"), now, true); err != nil {
		return q, &Error{Status: 400, Code: "bad_date", Param: "to", Message: "to: " + err.Error()}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return q, &Error{Status: 400, Code: "bad_date", Param: "to",
			Message: fmt.Sprintf("to (%s) is not after from (%s)", v.Get("to"), v.Get("from"))}
	}
	return q, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var errDate = dateparse.ErrBound

// ParseDate reads 2025-03-01, 2025-03, an RFC 3339 time, or 30d / 12w /
// 6m / 1y (that long before now); see dateparse.Bound.
func ParseDate(s string, now time.Time, end bool) (time.Time, error) {
	return dateparse.Bound(s, now, end)
}

// intParam reads an integer parameter within [lo, hi], def when absent.
func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badParam(name, "%s=%q: expected a whole number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

// boolParam reads true/false/1/0, def when absent.
func boolParam(v url.Values, name string, def bool) (bool, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badParam(name, "%s=%q: expected true or false", name, s)
	}
	return b, nil
}

// Window returns the period a trend or leaderboard covers: from and to
// when given, else the default length before now (or before to).
func Window(q index.Query, now time.Time, def time.Duration, period string) (from, to time.Time, err error) {
	from, to = q.From, q.To
	if to.IsZero() {
		to = now
	}
	if period != "" {
		if !q.From.IsZero() {
			return from, to, badParam("period", "give either period or from, not both")
		}
		d, err := ParseDate(period, to, false)
		if err != nil || !strings.ContainsRune("dwmy", rune(period[len(period)-1])) {
			return from, to, badParam("period", "period=%q: expected a length such as 7d, 30d, 12w, 6m or 1y", period)
		}
		return d, to, nil
	}
	if from.IsZero() {
		from = to.Add(-def)
	}
	if !to.After(from) {
		return from, to, &Error{Status: 400, Code: "bad_date", Param: "to", Message: "to is not after from"}
	}
	return from, to, nil
}

// SplitValues returns every value of a parameter, repeated or separated
// with commas, without empties and duplicates.
func SplitValues(v url.Values, name string) []string { return values(v, name) }
