//go:build tune

package lang

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func summarizeRU(d *Detector, dev, oth string) string {
	rep, _ := Evaluate(d, strings.NewReader(dev))
	ro, _ := Evaluate(d, strings.NewReader(oth))
	var b strings.Builder
	for _, k := range []string{"semeval16_ru_train", "semeval16_ru_dev", "sentirueval16_banks", "lingua_sentences", "lingua_word-pairs", "lingua_single-words"} {
		s := rep.BySource[k]
		fmt.Fprintf(&b, "%s=%.2f/%.1f ", k[:9], 100*s.Accuracy, 100*s.UndRate)
	}
	fmt.Fprintf(&b, "| ru=%.4f others und=%.3f", rep.ByLang["ru"].Accuracy, ro.Accuracy)
	for _, l := range []string{"uk", "bg", "mk", "be", "sr", "kk"} {
		fmt.Fprintf(&b, " %s=%.2f", l, ro.ByLang[l].Accuracy)
	}
	return b.String()
}

func TestSweepRU(t *testing.T) {
	devB, _ := os.ReadFile(devSet)
	othB, _ := os.ReadFile("testdata/others.tsv")
	dev, oth := string(devB), string(othB)
	base := tuning
	for _, sure := range []int{1, 2, 3} {
		for _, ml := range []int{10, 20, 30} {
			for _, bias := range []float64{-4, -2, 0, 2} {
				tuning = base
				tuning.cyrSure, tuning.cyrGateMinLetters, tuning.cyrGateBias = sure, ml, bias
				fmt.Printf("sure=%d min=%d bias=%.0f %s\n", sure, ml, bias, summarizeRU(New(Options{}), dev, oth))
			}
		}
	}
	tuning = base
}
