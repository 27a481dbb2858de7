package lang

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Report is what Evaluate measures. Fractions are in [0,1].
type Report struct {
	N        int             `json:"n"`
	Accuracy float64         `json:"accuracy"`
	UndRate  float64         `json:"und_rate"`
	ByLang   map[string]Stat `json:"by_lang"`
	BySource map[string]Stat `json:"by_source"`
	// Confusion counts answers: gold label -> detected language -> rows.
	Confusion map[string]map[string]int `json:"confusion"`
}

// Stat is accuracy and und rate over a subset of rows.
type Stat struct {
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	UndRate  float64 `json:"und_rate"`
}

// maxLine bounds one TSV row (a long review is a few KiB).
const maxLine = 16 << 20

// Evaluate runs d over a TSV file with the header "lang source text" and
// one row per text, and measures how often it is right.
//
// The gold lang is an ISO code: "en", "fr" and "ru" (a region suffix such as
// "fr-CA" is ignored) expect that answer; any other code ("de", "uk",
// "und") expects "und", so rows of other languages measure how often they
// are kept out. ByLang is keyed by the gold label as written (lower case),
// BySource by the source column. Texts may hold any character but a tab or
// a line break. Blank lines are skipped; a row without exactly three fields
// or with an empty lang is an error naming its line.
func Evaluate(d *Detector, r io.Reader) (Report, error) {
	rep := Report{
		ByLang:    map[string]Stat{},
		BySource:  map[string]Stat{},
		Confusion: map[string]map[string]int{},
	}
	type count struct{ n, ok, und int }
	var all count
	byLang, bySource := map[string]*count{}, map[string]*count{}
	add := func(m map[string]*count, k string, ok, und bool) {
		c := m[k]
		if c == nil {
			c = &count{}
			m[k] = c
		}
		c.n++
		if ok {
			c.ok++
		}
		if und {
			c.und++
		}
	}

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	line := 0
	for sc.Scan() {
		line++
		row := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			if h := strings.Split(row, "\t"); len(h) != 3 || h[0] != "lang" || h[1] != "source" || h[2] != "text" {
				return Report{}, fmt.Errorf("line 1: header must be \"lang\\tsource\\ttext\", got %q", row)
			}
			continue
		}
		if strings.TrimSpace(row) == "" {
			continue
		}
		fields := strings.Split(row, "\t")
		if len(fields) != 3 {
			return Report{}, fmt.Errorf("line %d: %d tab-separated fields, want 3 (lang, source, text)", line, len(fields))
		}
		gold := strings.ToLower(strings.TrimSpace(fields[0]))
		if gold == "" {
			return Report{}, fmt.Errorf("line %d: empty lang", line)
		}
		want := expected(gold)
		got := d.Detect(fields[2], "").Lang
		ok, und := got == want, got == Unknown
		all.n++
		if ok {
			all.ok++
		}
		if und {
			all.und++
		}
		add(byLang, gold, ok, und)
		add(bySource, fields[1], ok, und)
		if rep.Confusion[gold] == nil {
			rep.Confusion[gold] = map[string]int{}
		}
		rep.Confusion[gold][got]++
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Report{}, fmt.Errorf("line %d: row longer than %d bytes", line+1, maxLine)
		}
		return Report{}, fmt.Errorf("line %d: %w", line+1, err)
	}
	if line == 0 {
		return Report{}, errors.New("line 1: empty input, want a \"lang\\tsource\\ttext\" header")
	}
	stat := func(c count) Stat {
		if c.n == 0 {
			return Stat{}
		}
		return Stat{N: c.n, Accuracy: float64(c.ok) / float64(c.n), UndRate: float64(c.und) / float64(c.n)}
	}
	s := stat(all)
	rep.N, rep.Accuracy, rep.UndRate = s.N, s.Accuracy, s.UndRate
	for k, c := range byLang {
		rep.ByLang[k] = stat(*c)
	}
	for k, c := range bySource {
		rep.BySource[k] = stat(*c)
	}
	return rep, nil
}

// expected is the right answer for a gold label.
func expected(gold string) string {
	if i := strings.IndexAny(gold, "-_"); i >= 0 {
		gold = gold[:i]
	}
	switch gold {
	case English, French, Russian:
		return gold
	}
	return Unknown
}
