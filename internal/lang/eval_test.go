package lang

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	// Six rows, every answer decided by the words (no lingua needed):
	//   1 en a  English sentence  -> en  right
	//   2 fr a  French sentence   -> fr  right
	//   3 ru b  Russian sentence  -> ru  right
	//   4 de b  German sentence   -> und right (another language)
	//   5 en b  French sentence   -> fr  wrong (mislabelled on purpose)
	//   6 fr-CA c  emoji only     -> und wrong
	// A blank line and a CRLF ending must be tolerated.
	tsv := "lang\tsource\ttext\r\n" +
		"en\ta\tThe food was great and the staff were lovely.\n" +
		"fr\ta\tLe personnel est très accueillant et les plats sont délicieux.\r\n" +
		"ru\tb\tОчень вкусно, спасибо!\n" +
		"\n" +
		"de\tb\tDas Essen war hervorragend und die Bedienung sehr freundlich.\n" +
		"en\tb\tLe personnel est très accueillant et les plats sont délicieux.\n" +
		"fr-CA\tc\t👍👍👍\n"
	got, err := Evaluate(New(Options{NoLingua: true}), strings.NewReader(tsv))
	if err != nil {
		t.Fatal(err)
	}
	want := Report{
		N: 6, Accuracy: 4.0 / 6, UndRate: 2.0 / 6,
		ByLang: map[string]Stat{
			"en":    {N: 2, Accuracy: 0.5, UndRate: 0},
			"fr":    {N: 1, Accuracy: 1, UndRate: 0},
			"ru":    {N: 1, Accuracy: 1, UndRate: 0},
			"de":    {N: 1, Accuracy: 1, UndRate: 1},
			"fr-ca": {N: 1, Accuracy: 0, UndRate: 1},
		},
		BySource: map[string]Stat{
			"a": {N: 2, Accuracy: 1, UndRate: 0},
			"b": {N: 3, Accuracy: 2.0 / 3, UndRate: 1.0 / 3},
			"c": {N: 1, Accuracy: 0, UndRate: 1},
		},
		Confusion: map[string]map[string]int{
			"en":    {"en": 1, "fr": 1},
			"fr":    {"fr": 1},
			"ru":    {"ru": 1},
			"de":    {"und": 1},
			"fr-ca": {"und": 1},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Evaluate =\n%+v\nwant\n%+v", got, want)
	}

	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"n":6`, `"accuracy":`, `"und_rate":`, `"by_lang":`, `"by_source":`, `"confusion":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

func TestEvaluateErrors(t *testing.T) {
	const head = "lang\tsource\ttext\n"
	tests := []struct {
		name, tsv, want string
	}{
		{"empty input", "", "line 1"},
		{"bad header", "language\tsrc\ttext\n", "line 1"},
		{"missing field", head + "en\ta\tfine\nen\tno text here\n", "line 3"},
		{"extra tab", head + "en\ta\tone\ttwo\n", "line 2"},
		{"empty lang", head + "en\ta\tok\n\nfr\ta\tok\n\tb\ttext\n", "line 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(New(Options{NoLingua: true}), strings.NewReader(tt.tsv))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Evaluate error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

// TestOtherLanguages checks that texts in languages other than English,
// French and Russian come out "und". others.tsv was written for this
// package and used while tuning: every row must pass. others_check.tsv was
// written after tuning and never tuned on: it measures what to expect of
// unseen text (76 of 80 on first run); it must stay at 90% or more.
func TestOtherLanguages(t *testing.T) {
	if testing.Short() {
		t.Skip("loads lingua-go models")
	}
	for _, tt := range []struct {
		file  string
		floor float64
	}{
		{"testdata/others.tsv", 1},
		{"testdata/others_check.tsv", 0.9},
	} {
		f, err := os.Open(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Evaluate(Default(), f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: n=%d und=%.4f", tt.file, rep.N, rep.Accuracy)
		for _, k := range sortedKeys(rep.Confusion) {
			if c := rep.Confusion[k]; c[Unknown] != rep.ByLang[k].N {
				t.Logf("  %s: %v", k, c)
			}
		}
		if rep.Accuracy < tt.floor-1e-9 {
			t.Errorf("%s: %.4f come out und, want at least %.2f", tt.file, rep.Accuracy, tt.floor)
		}
	}
}
