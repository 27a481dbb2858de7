//go:build tune

package lang

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func summarize(d *Detector, dev, oth string) string {
	rep, err := Evaluate(d, strings.NewReader(dev))
	if err != nil {
		panic(err)
	}
	ro, _ := Evaluate(d, strings.NewReader(oth))
	var b strings.Builder
	for _, k := range []string{"semeval16_en_train", "semeval16_fr_train", "umsab_en_train", "umsab_fr_train", "lingua_sentences", "lingua_word-pairs", "lingua_single-words"} {
		s := rep.BySource[k]
		fmt.Fprintf(&b, "%s=%.2f/%.1f ", k[:9]+k[len(k)-4:], 100*s.Accuracy, 100*s.UndRate)
	}
	fmt.Fprintf(&b, "| others und=%.3f", ro.Accuracy)
	return b.String()
}

func TestSweep(t *testing.T) {
	devB, _ := os.ReadFile(devSet)
	othB, _ := os.ReadFile("testdata/others.tsv")
	dev, oth := string(devB), string(othB)
	base := tuning
	run := func(name string, mc float64) {
		fmt.Printf("%-28s %s\n", name, summarize(New(Options{MinConfidence: mc}), dev, oth))
	}
	for _, mc := range []float64{0, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9} {
		run(fmt.Sprintf("minconf=%.2f", mc), mc)
	}
	for _, w := range []float64{0.3, 1, 1.5} {
		tuning = base
		tuning.wordWeight = w
		run(fmt.Sprintf("wordWeight=%.1f", w), 0)
	}
	for _, g := range []float64{-5, -6, -10, -12} {
		tuning = base
		tuning.gateBias = g
		run(fmt.Sprintf("gateBias=%.0f", g), 0)
	}
	for _, g := range []int{10, 15, 30, 40} {
		tuning = base
		tuning.gateMinLetters = g
		run(fmt.Sprintf("gateMin=%d", g), 0)
	}
	for _, g := range []float64{0.5, 2} {
		tuning = base
		tuning.gateWeight = g
		run(fmt.Sprintf("gateWeight=%.1f", g), 0)
	}
	for _, c := range [][2]float64{{2, 1}, {3, 2}, {2, 3}, {3, 3}} {
		tuning = base
		tuning.clearMin, tuning.clearMargin = c[0], c[1]
		run(fmt.Sprintf("clear=%.0f,%.0f", c[0], c[1]), 0)
	}
	tuning = base
}
