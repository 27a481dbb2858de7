package dateparse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// months maps the English, French and Russian month names and their usual
// abbreviations (lower case, without the final point) to months. Russian
// has the nominative, the genitive of dates ("2 марта") and the
// prepositional ("в марте").
var months = map[string]time.Month{}

// weekdays lists the weekday names that may precede a date; they carry no
// information the date lacks and are skipped.
var weekdays = map[string]time.Weekday{}

func init() {
	add := func(m time.Month, names string) {
		for _, n := range strings.Fields(names) {
			months[n] = m
		}
	}
	add(time.January, "january jan janvier janv январь января январе янв")
	add(time.February, "february feb février fevrier févr fevr fév fev февраль февраля феврале фев февр")
	add(time.March, "march mar mars март марта марте")
	add(time.April, "april apr avril avr апрель апреля апреле апр")
	add(time.May, "may mai май мая мае")
	add(time.June, "june jun juin июнь июня июне июн")
	add(time.July, "july jul juillet juil июль июля июле июл")
	add(time.August, "august aug août aout aoû aou август августа августе авг")
	add(time.September, "september sep sept septembre сентябрь сентября сентябре сен сент")
	add(time.October, "october oct octobre октябрь октября октябре окт")
	add(time.November, "november nov novembre ноябрь ноября ноябре ноя нояб")
	add(time.December, "december dec décembre decembre déc декабрь декабря декабре дек")
	day := func(d time.Weekday, names string) {
		for _, n := range strings.Fields(names) {
			weekdays[n] = d
		}
	}
	day(time.Monday, "monday mon lundi lun понедельник пн пнд")
	day(time.Tuesday, "tuesday tue tues mardi вторник вт")
	day(time.Wednesday, "wednesday wed mercredi mer среда среду ср")
	day(time.Thursday, "thursday thu thur thurs jeudi jeu четверг чт")
	day(time.Friday, "friday fri vendredi ven пятница пятницу пт")
	day(time.Saturday, "saturday sat samedi sam суббота субботу сб")
	day(time.Sunday, "sunday sun dimanche dim воскресенье вс")
}

// zones maps the time-zone abbreviations found in feeds and pages to their
// offsets in hours. Ambiguous ones (IST) are left out on purpose.
var zones = map[string]float64{
	"utc": 0, "gmt": 0, "ut": 0, "z": 0, "wet": 0,
	"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
	"akst": -9, "akdt": -8, "hst": -10,
	"bst": 1, "cet": 1, "cest": 2, "west": 1, "eet": 2, "eest": 3, "msk": 3, "мск": 3,
	"jst": 9, "kst": 9, "hkt": 8, "sgt": 8, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
}

// fillers are words that surround dates without changing them ("le 2
// mars", "2 марта 2024 г.", "March 2 at 3 pm").
var fillers = map[string]bool{
	"le": true, "la": true, "du": true, "de": true, "à": true, "a": true, "vers": true,
	"on": true, "at": true, "the": true, "of": true, "t": true,
	"в": true, "во": true, "г": true, "года": true, "год": true, "гг": true,
}

// ordinals are the suffixes of ordinal day numbers: 2nd, 1er, 3e, 2-го.
var ordinals = map[string]bool{"st": true, "nd": true, "rd": true, "th": true, "er": true, "re": true, "e": true, "ème": true, "eme": true, "è": true, "го": true}

type tokKind uint8

const (
	tNum tokKind = iota
	tWord
	tTime
	tOffset
	tSep
)

type token struct {
	kind   tokKind
	text   string // lower-case word, digits, or the separator
	n      int    // number value, or offset seconds
	digits int
	// time fields
	h, m, s, ns int
}

// tokenize splits a cleaned value into numbers, words, times, offsets and
// separators.
func tokenize(v string) ([]token, error) {
	rs := []rune(v)
	var out []token
	lastReal := func() *token {
		for i := len(out) - 1; i >= 0; i-- {
			if out[i].kind != tSep {
				return &out[i]
			}
		}
		return nil
	}
	digitsAt := func(i int) int {
		j := i
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		return j - i
	}
	atoi := func(i, n int) int {
		x, _ := strconv.Atoi(string(rs[i : i+n]))
		return x
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r >= '0' && r <= '9':
			n := digitsAt(i)
			if n > 9 {
				return nil, errors.New("a number too long for a date")
			}
			// h:mm[:ss[.fff]]
			if n <= 2 && i+n < len(rs) && rs[i+n] == ':' && digitsAt(i+n+1) == 2 {
				t := token{kind: tTime, h: atoi(i, n), m: atoi(i+n+1, 2)}
				j := i + n + 3
				if j < len(rs) && rs[j] == ':' && digitsAt(j+1) == 2 {
					t.s = atoi(j+1, 2)
					j += 3
					if j < len(rs) && (rs[j] == '.' || rs[j] == ',') && digitsAt(j+1) > 0 {
						f := digitsAt(j + 1)
						frac := string(rs[j+1 : j+1+min(f, 9)])
						t.ns, _ = strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
						j += 1 + f
					}
				}
				out = append(out, t)
				i = j
				continue
			}
			// French 14h30, 14h
			if n <= 2 && i+n < len(rs) && (rs[i+n] == 'h' || rs[i+n] == 'H') {
				j := i + n + 1
				if m := digitsAt(j); m == 2 || (m == 0 && (j == len(rs) || !unicode.IsLetter(rs[j]))) {
					t := token{kind: tTime, h: atoi(i, n)}
					if m == 2 {
						t.m = atoi(j, 2)
					}
					out = append(out, t)
					i = j + m
					continue
				}
			}
			out = append(out, token{kind: tNum, text: string(rs[i : i+n]), n: atoi(i, n), digits: n})
			i += n
			// an ordinal suffix: 2nd, 1er, 2-го
			j := i
			if j < len(rs) && rs[j] == '-' {
				j++
			}
			k := j
			for k < len(rs) && unicode.IsLetter(rs[k]) {
				k++
			}
			if k > j && ordinals[strings.ToLower(string(rs[j:k]))] {
				i = k
			}
		case (r == '+' || r == '-') && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9' && offsetContext(lastReal()):
			n := digitsAt(i + 1)
			sign := 1
			if r == '-' {
				sign = -1
			}
			h, m, j := 0, 0, i+1+n
			switch {
			case n == 4:
				h, m = atoi(i+1, 2), atoi(i+3, 2)
			case n <= 2 && j < len(rs) && rs[j] == ':' && digitsAt(j+1) == 2:
				h, m = atoi(i+1, n), atoi(j+1, 2)
				j += 3
			case n <= 2:
				h = atoi(i+1, n)
			default:
				return nil, fmt.Errorf("offset %q has the wrong length", string(rs[i:j]))
			}
			if h > 18 || m > 59 {
				return nil, fmt.Errorf("offset %q out of range", string(rs[i:j]))
			}
			out = append(out, token{kind: tOffset, n: sign * (h*3600 + m*60)})
			i = j
		case unicode.IsLetter(r):
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.Is(unicode.Mn, rs[j])) {
				j++
			}
			out = append(out, token{kind: tWord, text: strings.ToLower(string(rs[i:j]))})
			i = j
		default:
			out = append(out, token{kind: tSep, text: string(r)})
			i++
		}
	}
	return out, nil
}

// offsetContext reports whether a sign after prev starts an offset
// (15:04 -0700, GMT+3) rather than separating numbers (2024-03-02).
func offsetContext(prev *token) bool {
	if prev == nil {
		return false
	}
	switch prev.kind {
	case tTime:
		return true
	case tWord:
		_, zone := zones[prev.text]
		return zone
	}
	return false
}

// parseWords reads the written and numeric forms that are not ISO 8601.
func parseWords(v string, monthFirst bool) (time.Time, error) {
	lower := strings.ToLower(v)
	for _, am := range [][2]string{{"a.m.", "am"}, {"p.m.", "pm"}} {
		lower = strings.ReplaceAll(lower, am[0], am[1])
	}
	toks, err := tokenize(lower)
	if err != nil {
		return time.Time{}, err
	}
	var (
		month     time.Month
		monthAt   = -1
		nums      []int // indexes of number tokens
		tm        *token
		offset    *int
		meridiem  string
		zoneNamed bool
	)
	for i := range toks {
		t := &toks[i]
		switch t.kind {
		case tWord:
			w := t.text
			if m, ok := months[w]; ok && (monthAt < 0 || toks[monthAt].text == "mar") {
				// French "mar." is also Tuesday: "mar. 2 avril 2024".
				month, monthAt = m, i
				continue
			}
			if _, ok := weekdays[w]; ok {
				continue
			}
			if w == "am" || w == "pm" {
				if meridiem != "" {
					return time.Time{}, errors.New("two am/pm markers")
				}
				meridiem = w
				if tm == nil && len(nums) > 0 {
					// "3 pm": the last number is an hour, not a date part.
					last := &toks[nums[len(nums)-1]]
					if last.digits <= 2 && last.n <= 12 {
						last.kind = tTime
						last.h = last.n
						tm = last
						nums = nums[:len(nums)-1]
					}
				}
				continue
			}
			if h, ok := zones[w]; ok && !zoneNamed {
				zoneNamed = true
				if offset == nil {
					off := int(h * 3600)
					offset = &off
				}
				continue
			}
			if fillers[w] {
				continue
			}
			if _, ok := months[w]; ok {
				return time.Time{}, errors.New("two month names")
			}
			return time.Time{}, fmt.Errorf("unknown word %q", w)
		case tNum:
			nums = append(nums, i)
		case tTime:
			if tm != nil {
				return time.Time{}, errors.New("two times of day")
			}
			tm = t
		case tOffset:
			off := t.n
			if offset != nil && zoneNamed && *offset == 0 {
				// GMT+3 = +03:00
			} else if offset != nil {
				return time.Time{}, errors.New("two offsets")
			}
			offset = &off
		}
	}

	var y, mo, d int
	switch {
	case monthAt >= 0:
		mo = int(month)
		var err error
		y, d, err = dayYear(toks, nums, monthAt)
		if err != nil {
			return time.Time{}, err
		}
	case len(nums) == 3:
		a, b, c := toks[nums[0]], toks[nums[1]], toks[nums[2]]
		if !numericSeps(toks, nums) {
			return time.Time{}, errors.New("numbers without date separators")
		}
		switch {
		case a.digits == 4:
			y, mo, d = a.n, b.n, c.n
		case c.digits == 4 || c.digits == 2:
			y, mo, d = expandYear(c), b.n, a.n
			if monthFirst {
				mo, d = d, mo
			}
			if mo > 12 && d <= 12 {
				mo, d = d, mo // the other order is the only possible one
			}
		default:
			return time.Time{}, errors.New("no year")
		}
	case len(nums) == 0:
		return time.Time{}, errors.New("no date")
	default:
		return time.Time{}, fmt.Errorf("%d numbers do not make a date", len(nums))
	}

	h, mi, s, ns := 0, 0, 0, 0
	if tm != nil {
		h, mi, s, ns = tm.h, tm.m, tm.s, tm.ns
		switch meridiem {
		case "am":
			if h > 12 {
				return time.Time{}, fmt.Errorf("hour %d with am", h)
			}
			if h == 12 {
				h = 0
			}
		case "pm":
			if h > 12 {
				return time.Time{}, fmt.Errorf("hour %d with pm", h)
			}
			if h < 12 {
				h += 12
			}
		}
	} else if meridiem != "" {
		return time.Time{}, errors.New("am/pm without a time")
	}
	if h == 24 {
		return time.Time{}, errors.New("hour 24 out of range")
	}
	return build(y, mo, d, h, mi, s, ns, offset)
}

// dayYear finds the day and the year among the numbers around a month
// name: "2 March 2024", "March 2, 2024", "02-Jan-06", "Mar 2 15:04:05
// 2006", "March 2024" (the first of the month).
func dayYear(toks []token, nums []int, monthAt int) (y, d int, err error) {
	yearAt := -1
	for _, i := range nums {
		if toks[i].digits == 4 {
			if yearAt >= 0 {
				return 0, 0, errors.New("two years")
			}
			yearAt = i
		}
	}
	var rest []int
	for _, i := range nums {
		if i != yearAt {
			rest = append(rest, i)
		}
	}
	if yearAt >= 0 {
		y = toks[yearAt].n
		switch len(rest) {
		case 0:
			return y, 1, nil
		case 1:
			return y, toks[rest[0]].n, nil
		}
		return 0, 0, errors.New("too many numbers")
	}
	// A two-digit year: RFC 850 "02-Jan-06", RFC 822 "02 Jan 06",
	// "Jan 02 06": the day comes first, then the year.
	switch {
	case len(rest) < 2:
		return 0, 0, errors.New("no year")
	case len(rest) > 2:
		return 0, 0, errors.New("too many numbers")
	}
	a, b := toks[rest[0]], toks[rest[1]]
	if a.digits > 2 || b.digits != 2 {
		return 0, 0, errors.New("no year")
	}
	return expandYear(b), a.n, nil
}

// numericSeps reports whether the three numbers of a numeric date are
// joined by one kind of date separator (/ . -).
func numericSeps(toks []token, nums []int) bool {
	var sep string
	for k := 0; k < 2; k++ {
		between := toks[nums[k]+1 : nums[k+1]]
		if len(between) != 1 || !strings.Contains("/.-", between[0].text) {
			return false
		}
		if sep != "" && between[0].text != sep {
			return false
		}
		sep = between[0].text
	}
	return true
}

// expandYear turns a two-digit year into a full one, as time.Parse does:
// 69-99 are 1969-1999, 00-68 are 2000-2068.
func expandYear(t token) int {
	if t.digits != 2 {
		return t.n
	}
	if t.n >= 69 {
		return 1900 + t.n
	}
	return 2000 + t.n
}

// translate replaces French and Russian month and weekday names in v by
// the English names the layout uses.
func translate(v, layout string) string {
	full := strings.Contains(layout, "January")
	fullDay := strings.Contains(layout, "Monday")
	keepDot := strings.Contains(layout, "Jan.") || strings.Contains(layout, "Mon.")
	rs := []rune(v)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !unicode.IsLetter(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.IsLetter(rs[j]) {
			j++
		}
		word := string(rs[i:j])
		w := strings.ToLower(word)
		repl := ""
		if m, ok := months[w]; ok {
			repl = m.String()
			if !full {
				repl = repl[:3]
			}
		} else if d, ok := weekdays[w]; ok {
			repl = d.String()
			if !fullDay {
				repl = repl[:3]
			}
		}
		if repl == "" || strings.EqualFold(repl, word) {
			b.WriteString(word)
			i = j
			continue
		}
		b.WriteString(repl)
		i = j
		if i < len(rs) && rs[i] == '.' && !keepDot {
			i++
		}
	}
	return b.String()
}
