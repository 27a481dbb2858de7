package dateparse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBound is wrapped by Bound's errors.
var ErrBound = errors.New("not a date")

// Bound reads one end of a date range as people type it in a search:
// 2025-03-01, 2025-03, an RFC 3339 time, or 30d / 12w / 6m / 1y (that long
// before now). With end, a day or a month means its end, so that a range
// "to 2025-03" includes all of March. An empty string is the zero time
// (no bound).
func Bound(s string, now time.Time, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if n := len(s); n >= 2 && strings.ContainsRune("dwmy", rune(s[n-1])) {
		if v, err := strconv.Atoi(s[:n-1]); err == nil && v >= 0 && v <= 100*366 {
			switch s[n-1] {
			case 'd':
				return now.AddDate(0, 0, -v), nil
			case 'w':
				return now.AddDate(0, 0, -7*v), nil
			case 'm':
				return now.AddDate(0, -v, 0), nil
			case 'y':
				return now.AddDate(-v, 0, 0), nil
			}
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.UTC); err == nil {
		if end {
			return t.AddDate(0, 0, 1), nil
		}
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01", s, time.UTC); err == nil {
		if end {
			return t.AddDate(0, 1, 0), nil
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: %q (write 2025-03-01, 2025-03, 2025-03-01T09:00:00Z, or 30d, 12w, 6m, 1y for that long ago)", ErrBound, s)
}
