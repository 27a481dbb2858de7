package dateparse

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	msk := time.FixedZone("", 3*3600)
	minus5 := time.FixedZone("", -5*3600)
	tests := []struct {
		name string
		in   string
		want time.Time
	}{
		// ISO 8601 / RFC 3339
		{"date only", "2024-03-02", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"date only padded", "  2011-04-01\n", time.Date(2011, 4, 1, 0, 0, 0, 0, time.UTC)},
		{"rfc3339 Z", "2024-03-02T15:04:05Z", time.Date(2024, 3, 2, 15, 4, 5, 0, time.UTC)},
		{"rfc3339 offset", "2018-03-21T10:27:32+03:00", time.Date(2018, 3, 21, 10, 27, 32, 0, msk)},
		{"offset without colon", "2024-03-02T15:04:05+0300", time.Date(2024, 3, 2, 15, 4, 5, 0, msk)},
		{"offset hours only", "2024-03-02T15:04:05+03", time.Date(2024, 3, 2, 15, 4, 5, 0, msk)},
		{"no offset", "2024-03-02T15:04:05", time.Date(2024, 3, 2, 15, 4, 5, 0, time.UTC)},
		{"no seconds", "2024-03-02T15:04", time.Date(2024, 3, 2, 15, 4, 0, 0, time.UTC)},
		{"no seconds offset", "2024-03-02T15:04-05:00", time.Date(2024, 3, 2, 15, 4, 0, 0, minus5)},
		{"fraction", "2025-12-08T05:30:32.142Z", time.Date(2025, 12, 8, 5, 30, 32, 142000000, time.UTC)},
		{"fraction micro offset", "2024-06-09T00:16:46.728493+07:00", time.Date(2024, 6, 9, 0, 16, 46, 728493000, time.FixedZone("", 7*3600))},
		{"fraction nano and more", "2024-03-02T15:04:05.1234567891Z", time.Date(2024, 3, 2, 15, 4, 5, 123456789, time.UTC)},
		{"fraction comma", "2024-03-02T15:04:05,5Z", time.Date(2024, 3, 2, 15, 4, 5, 500000000, time.UTC)},
		{"sql", "2006-01-02 15:04:05", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"sql UTC", "2006-01-02 15:04:05 UTC", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"sql offset", "2006-01-02 15:04:05 +0300", time.Date(2006, 1, 2, 15, 4, 5, 0, msk)},
		{"lower t", "2024-03-02t15:04:05z", time.Date(2024, 3, 2, 15, 4, 5, 0, time.UTC)},
		{"date with offset", "2024-03-02+03:00", time.Date(2024, 3, 2, 0, 0, 0, 0, msk)},
		{"single digit month", "2024-3-2", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"compact", "20240302", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"slashes ymd", "2024/03/02 15:04", time.Date(2024, 3, 2, 15, 4, 0, 0, time.UTC)},
		{"iso with words", "2024-03-02 at 15:04", time.Date(2024, 3, 2, 15, 4, 0, 0, time.UTC)},
		// Epochs
		{"epoch seconds", "1675722932", time.Date(2023, 2, 6, 22, 35, 32, 0, time.UTC)},
		{"epoch millis", "1675722932123", time.Date(2023, 2, 6, 22, 35, 32, 123000000, time.UTC)},
		// RFC 1123, 822, 850 and friends
		{"rfc1123", "Mon, 02 Jan 2006 15:04:05 GMT", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"rfc1123z", "Wed, 21 Mar 2018 10:27:32 +0300", time.Date(2018, 3, 21, 10, 27, 32, 0, msk)},
		{"rfc1123 one digit day", "Sat, 2 Mar 2024 10:00:00 -0500", time.Date(2024, 3, 2, 10, 0, 0, 0, minus5)},
		{"rfc1123 no weekday", "2 Mar 2024 10:00:00 +0000", time.Date(2024, 3, 2, 10, 0, 0, 0, time.UTC)},
		{"rfc1123 EST", "Mon, 02 Jan 2006 15:04:05 EST", time.Date(2006, 1, 2, 15, 4, 5, 0, minus5)},
		{"rfc822", "02 Jan 06 15:04 MST", time.Date(2006, 1, 2, 15, 4, 0, 0, time.FixedZone("", -7*3600))},
		{"rfc822z", "02 Jan 06 15:04 -0700", time.Date(2006, 1, 2, 15, 4, 0, 0, time.FixedZone("", -7*3600))},
		{"rfc850", "Monday, 02-Jan-06 15:04:05 GMT", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"ansic", "Mon Jan  2 15:04:05 2006", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"unix date", "Mon Jan 2 15:04:05 UTC 2006", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"ruby date", "Mon Jan 02 15:04:05 -0700 2006", time.Date(2006, 1, 2, 15, 4, 5, 0, time.FixedZone("", -7*3600))},
		{"gmt plus", "Sat, 02 Mar 2024 15:04:05 GMT+3", time.Date(2024, 3, 2, 15, 4, 5, 0, msk)},
		// English
		{"english long", "March 2, 2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"english short", "2 Mar 2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"english abbrev dot", "Sept. 5, 2023", time.Date(2023, 9, 5, 0, 0, 0, 0, time.UTC)},
		{"english ordinal", "March 2nd, 2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"english ordinal of", "the 21st of June 2023", time.Date(2023, 6, 21, 0, 0, 0, 0, time.UTC)},
		{"english with time pm", "October 29, 2021 @ 8:28 pm", time.Date(2021, 10, 29, 20, 28, 0, 0, time.UTC)},
		{"english 12 am", "Jan 5, 2024 12:15 AM", time.Date(2024, 1, 5, 0, 15, 0, 0, time.UTC)},
		{"english at 3 pm", "March 2, 2024 at 3 p.m.", time.Date(2024, 3, 2, 15, 0, 0, 0, time.UTC)},
		{"english weekday", "Saturday, March 2, 2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"month year", "March 2024", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"us numeric when day first is impossible", "03/25/2024", time.Date(2024, 3, 25, 0, 0, 0, 0, time.UTC)},
		// French
		{"french", "2 mars 2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"french le", "le 2 février 2024", time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)},
		{"french capital", "Le 14 Août 2023", time.Date(2023, 8, 14, 0, 0, 0, 0, time.UTC)},
		{"french no accent", "14 aout 2023", time.Date(2023, 8, 14, 0, 0, 0, 0, time.UTC)},
		{"french decomposed accent", "2 fe\u0301vrier 2024", time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)},
		{"french abbrev", "2 févr. 2024", time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)},
		{"french premier", "1er mars 2024", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"french weekday", "samedi 2 mars 2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"french mardi abbrev", "mar. 2 avril 2024", time.Date(2024, 4, 2, 0, 0, 0, 0, time.UTC)},
		{"french time h", "le 2 mars 2024 à 14h30", time.Date(2024, 3, 2, 14, 30, 0, 0, time.UTC)},
		{"french time colon", "2 mars 2024 à 14:30", time.Date(2024, 3, 2, 14, 30, 0, 0, time.UTC)},
		{"french numeric", "02/03/2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"french numeric short year", "02/03/24", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"french numeric time", "02/03/2024 14:30", time.Date(2024, 3, 2, 14, 30, 0, 0, time.UTC)},
		{"french numeric dashes", "02-03-2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"nbsp", "2\u00a0mars\u00a02024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		// Russian
		{"russian", "2 марта 2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"russian g", "2 марта 2024 г.", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"russian goda", "15 декабря 2023 года", time.Date(2023, 12, 15, 0, 0, 0, 0, time.UTC)},
		{"russian capital nominative", "Май 2022", time.Date(2022, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"russian abbrev", "3 сент. 2021", time.Date(2021, 9, 3, 0, 0, 0, 0, time.UTC)},
		{"russian time", "2 марта 2024 г. в 14:30", time.Date(2024, 3, 2, 14, 30, 0, 0, time.UTC)},
		{"russian numeric dots", "02.03.2024", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"russian numeric time", "02.03.2024, 14:30", time.Date(2024, 3, 2, 14, 30, 0, 0, time.UTC)},
		{"russian msk", "2 марта 2024, 14:30 МСК", time.Date(2024, 3, 2, 14, 30, 0, 0, msk)},
		{"leap day", "29/02/2024", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("Parse(%q) = %s, want %s", tt.in, got.Format(time.RFC3339Nano), tt.want.Format(time.RFC3339Nano))
			}
			_, gotOff := got.Zone()
			_, wantOff := tt.want.Zone()
			if gotOff != wantOff {
				t.Errorf("Parse(%q) offset %d, want %d (the calendar date must stay the document's)", tt.in, gotOff, wantOff)
			}
		})
	}
}

func TestParseMonthFirst(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Time
	}{
		{"ambiguous", "02/03/2024", time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC)},
		{"only day first possible", "25/03/2024", time.Date(2024, 3, 25, 0, 0, 0, 0, time.UTC)},
		{"us", "12/25/2023 8:30 PM", time.Date(2023, 12, 25, 20, 30, 0, 0, time.UTC)},
		{"iso unaffected", "2024-02-03", time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC)},
		{"words unaffected", "3 February 2024", time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMonthFirst(tt.in)
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("ParseMonthFirst(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseCalendarDatePreserved(t *testing.T) {
	// A late-evening time in a negative offset is the next day in UTC; the
	// document's own date must survive.
	got, err := Parse("2021-10-29T23:28:11-05:00")
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Format("2006-01-02"); d != "2021-10-29" {
		t.Errorf("calendar date %s, want 2021-10-29", d)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "  ", "empty"},
		{"day and month out of range", "32/13/2020", "month 13 out of range"},
		{"february 30", "2024-02-30", "day 30 out of range"},
		{"not leap", "29/02/2023", "day 29 out of range"},
		{"month 13", "2024-13-01", "month 13 out of range"},
		{"hour", "2024-03-02T25:00:00Z", "hour 25"},
		{"relative english", "2 days ago", "unknown word"},
		{"relative french", "il y a 3 jours", "unknown word"},
		{"yesterday", "вчера", "unknown word"},
		{"no year", "2 mars", "no year"},
		{"garbage", "n/a", "unknown word"},
		{"bare number", "12345", "neither a compact date"},
		{"two numbers", "12/2023", "2 numbers"},
		{"too long", strings.Repeat("2024 ", 40), "too long"},
		{"pm hour", "2 March 2024 15:00 pm", "hour 15 with pm"},
		{"bad offset", "2024-03-02T10:00:00+25:00", "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.in, got)
			}
			var de *Error
			if !errors.As(err, &de) || de.Value != tt.in {
				t.Fatalf("error %v is not an *Error naming %q", err, tt.in)
			}
			if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), "dateparse: unreadable date") {
				t.Errorf("error %q does not say %q", err, tt.reason)
			}
		})
	}
}

func TestParseLayout(t *testing.T) {
	tests := []struct {
		name, value, layout string
		want                time.Time
		wantErr             bool
	}{
		{"plain", "02/01/2024 13:45", "02/01/2006 15:04", time.Date(2024, 1, 2, 13, 45, 0, 0, time.UTC), false},
		{"french full month", "2 février 2024", "2 January 2006", time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC), false},
		{"french short month", "2 févr. 2024", "2 Jan 2006", time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC), false},
		{"russian month", "2 марта 2024", "2 January 2006", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), false},
		{"french weekday", "samedi 2 mars 2024", "Monday 2 January 2006", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), false},
		{"zone", "2024-03-02 10:00 +0300", "2006-01-02 15:04 -0700", time.Date(2024, 3, 2, 7, 0, 0, 0, time.UTC), false},
		{"mismatch", "2 mars", "02/01/2006", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLayout(tt.value, tt.layout)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.value) || !strings.Contains(err.Error(), tt.layout) {
					t.Fatalf("ParseLayout = %v, %v; want an error naming the value and the layout", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"2024-03-02", "2024-03-02T15:04:05.123+03:00", "Mon, 02 Jan 2006 15:04:05 GMT",
		"le 2 février 2024 à 14h30", "2 марта 2024 г.", "02/03/2024", "1675722932", "March 2nd, 2024 at 3 pm",
		"Monday, 02-Jan-06 15:04:05 GMT", "32/13/2020", "GMT+3", "+", "-0", "1er", "2-го",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("Parse(%q) error %T is not an *Error", s, err)
			}
			return
		}
		if y := got.Year(); y < 1 || y > 10000 {
			t.Fatalf("Parse(%q) = %s: year out of range", s, got)
		}
		// What Parse reads, it reads back from its RFC 3339 form.
		again, err := Parse(got.Format(time.RFC3339Nano))
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse back: %v", s, got.Format(time.RFC3339Nano), err)
		}
		if !again.Equal(got) {
			t.Fatalf("Parse(%q) = %s, parsed back as %s", s, got, again)
		}
	})
}
