//go:build tune

// The measurements behind the constants in tuning and DefaultOptions. They
// print tables rather than assert; run them with
//
//	go test -tags tune -run TestTune -v ./internal/lang/
//
// (TestTuneErrors takes SRC=<source substring>, FILE=<tsv> and HINT=<code>.)
package lang

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

type devRow struct{ gold, source, text string }

func readRows(t *testing.T, path string) []devRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), maxLine)
	var rows []devRow
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), "\t", 3)
		if len(p) == 3 && p[0] != "lang" {
			rows = append(rows, devRow{p[0], p[1], p[2]})
		}
	}
	return rows
}

func rowsTSV(rows []devRow) string {
	var b strings.Builder
	b.WriteString("lang\tsource\ttext\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", r.gold, r.source, r.text)
	}
	return b.String()
}

// summary is accuracy/und per source (percent) and the share of own
// other-language sentences that come out und.
func summary(d *Detector, dev, others string) string {
	rep, err := Evaluate(d, strings.NewReader(dev))
	if err != nil {
		panic(err)
	}
	oth, err := Evaluate(d, strings.NewReader(others))
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	for _, k := range sortedKeys(rep.BySource) {
		s := rep.BySource[k]
		fmt.Fprintf(&b, "%s=%.2f/%.1f ", strings.TrimSuffix(k, "_train"), 100*s.Accuracy, 100*s.UndRate)
	}
	fmt.Fprintf(&b, "| others und=%.3f", oth.Accuracy)
	return b.String()
}

func TestTuneSweep(t *testing.T) {
	dev := rowsTSV(readRows(t, devSet))
	others := rowsTSV(readRows(t, "testdata/others.tsv"))
	base := tuning
	defer func() { tuning = base }()
	run := func(name string, opts Options) {
		fmt.Printf("%-26s %s\n", name, summary(New(opts), dev, others))
	}
	for _, mc := range []float64{0, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9} {
		run(fmt.Sprintf("minConfidence=%.2f", mc), Options{MinConfidence: mc})
	}
	vary := func(name string, set func()) {
		tuning = base
		set()
		run(name, DefaultOptions())
	}
	for _, c := range [][2]float64{{2, 1}, {2, 2}, {3, 2}, {2, 3}, {3, 3}} {
		vary(fmt.Sprintf("clear=%.0f,%.0f", c[0], c[1]), func() { tuning.clearMin, tuning.clearMargin = c[0], c[1] })
	}
	for _, w := range []float64{0.3, 0.6, 1, 1.5} {
		vary(fmt.Sprintf("wordWeight=%.1f", w), func() { tuning.wordWeight = w })
	}
	for _, g := range []float64{-5, -6, -8, -10, -12} {
		vary(fmt.Sprintf("gateBias=%.0f", g), func() { tuning.gateBias = g })
	}
	for _, g := range []int{10, 20, 30, 40} {
		vary(fmt.Sprintf("gateMinLetters=%d", g), func() { tuning.gateMinLetters = g })
	}
	for _, g := range []float64{0.5, 1, 2} {
		vary(fmt.Sprintf("gateWeight=%.1f", g), func() { tuning.gateWeight = g })
	}
	for _, sure := range []int{1, 2, 3} {
		for _, ml := range []int{10, 20, 30} {
			for _, bias := range []float64{-4, -2, 0} {
				vary(fmt.Sprintf("cyr sure=%d min=%d bias=%.0f", sure, ml, bias), func() {
					tuning.cyrSure, tuning.cyrGateMinLetters, tuning.cyrGateBias = sure, ml, bias
				})
			}
		}
	}
}

// TestTuneCalibration: accuracy of answers per confidence bucket, without
// a floor. Every bucket above 0.5 is right more often than wrong.
func TestTuneCalibration(t *testing.T) {
	edges := []float64{0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01}
	type bucket struct{ n, ok int }
	groups := map[string][]bucket{}
	d := New(Options{})
	for _, r := range readRows(t, devSet) {
		g := "sentences+tweets"
		if strings.Contains(r.source, "single") {
			g = "single words"
		} else if strings.Contains(r.source, "pairs") {
			g = "word pairs"
		}
		res := d.Detect(r.text, "")
		if res.Lang == Unknown {
			continue
		}
		if groups[g] == nil {
			groups[g] = make([]bucket, len(edges))
		}
		i := 0
		for i < len(edges)-1 && res.Confidence >= edges[i] {
			i++
		}
		groups[g][i].n++
		if res.Lang == r.gold {
			groups[g][i].ok++
		}
	}
	for _, g := range sortedKeys(groups) {
		lo := 0.5
		for i, b := range groups[g] {
			if b.n > 0 {
				fmt.Printf("%-17s [%.2f,%.2f) n=%5d accuracy=%.3f\n", g, lo, edges[i], b.n, float64(b.ok)/float64(b.n))
			}
			lo = edges[i]
		}
	}
}

// TestTuneHints: sources whose hint is right, wrong (en<->fr, ru->en) or
// another language (OTHER=de by default).
func TestTuneHints(t *testing.T) {
	rows := readRows(t, devSet)
	other := os.Getenv("OTHER")
	if other == "" {
		other = "de"
	}
	wrong := map[string]string{"en": "fr", "fr": "en", "ru": "en"}
	base := tuning
	defer func() { tuning = base }()
	for _, hw := range []float64{0, 0.7, 1.1, 1.6} {
		tuning = base
		tuning.hintWeight = hw
		d := New(DefaultOptions())
		for _, mode := range []string{"none", "right", "wrong", other} {
			n, ok := map[string]int{}, map[string]int{}
			for _, r := range rows {
				h := map[string]string{"none": "", "right": r.gold, "wrong": wrong[r.gold]}[mode]
				if mode == other {
					h = other
				}
				n[r.source]++
				if d.Detect(r.text, h).Lang == r.gold {
					ok[r.source]++
				}
			}
			var b strings.Builder
			for _, k := range sortedKeys(n) {
				fmt.Fprintf(&b, "%s=%.2f ", strings.TrimSuffix(k, "_train"), 100*float64(ok[k])/float64(n[k]))
			}
			fmt.Printf("hintWeight=%.1f %-5s %s\n", hw, mode, b.String())
		}
	}
}

// TestTuneStages: which stage decides, per source.
func TestTuneStages(t *testing.T) {
	names := []string{"script", "cyr-words", "cyr-gate", "words", "lingua", "gate-und"}
	counts := map[string][]int{}
	for _, r := range readRows(t, devSet) {
		_, st := Default().detect(r.text, "")
		if counts[r.source] == nil {
			counts[r.source] = make([]int, len(names))
		}
		counts[r.source][st]++
	}
	for _, k := range sortedKeys(counts) {
		var b strings.Builder
		for i, c := range counts[k] {
			if c > 0 {
				fmt.Fprintf(&b, "%s=%d ", names[i], c)
			}
		}
		fmt.Printf("%-22s %s\n", k, b.String())
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestTuneCPU: CPU time per call of each path (process CPU, so lingua's
// goroutines count; wall-clock benchmarks lie on a shared machine).
func TestTuneCPU(t *testing.T) {
	perOp := func(n int, f func(i int)) time.Duration {
		f(0)
		start := cpuTime()
		for i := 0; i < n; i++ {
			f(i)
		}
		return (cpuTime() - start) / time.Duration(n)
	}
	d := Default()
	long := []string{benchReviews[0], benchReviews[1], benchReviews[3], benchReviews[4]}
	fmt.Println("Detect, ~250-char reviews:   ", perOp(200000, func(i int) { d.Detect(benchReviews[i%len(benchReviews)], "") }))
	fmt.Println("Detect, texts left to lingua:", perOp(3000, func(i int) { d.Detect(linguaReviews[i%len(linguaReviews)], "") }))
	fmt.Println("lingua en/fr, short texts:   ", perOp(3000, func(i int) { pairProbs(linguaReviews[i%len(linguaReviews)]) }))
	fmt.Println("lingua en/fr, 250 chars:     ", perOp(1000, func(i int) { pairProbs(long[i%len(long)]) }))
	fmt.Println("Latin gate, short texts:     ", perOp(3000, func(i int) { gateProb(linguaReviews[i%len(linguaReviews)]) }))
	fmt.Println("Cyrillic gate:               ", perOp(3000, func(i int) { cyrProb("В ресторане спокойная, уютная атмосфера.") }))
}

// TestTuneNoLingua: the cascade without lingua-go.
func TestTuneNoLingua(t *testing.T) {
	fmt.Println(summary(New(Options{NoLingua: true}), rowsTSV(readRows(t, devSet)), rowsTSV(readRows(t, "testdata/others.tsv"))))
}

// TestTuneErrors lists wrong answers with the word counts behind them.
func TestTuneErrors(t *testing.T) {
	path := devSet
	if p := os.Getenv("FILE"); p != "" {
		path = p
	}
	d := Default()
	for _, r := range readRows(t, path) {
		if !strings.Contains(r.source, os.Getenv("SRC")) {
			continue
		}
		res, st := d.detect(r.text, os.Getenv("HINT"))
		if res.Lang == expected(r.gold) {
			continue
		}
		var f features
		f.scan(r.text, defaultMaxLetters, 16*defaultMaxLetters)
		other := int16(0)
		for l := lDE; l < nLatin; l++ {
			other = max(other, f.lat[l])
		}
		fmt.Printf("%s->%s %.2f stage=%d en=%d fr=%d other=%d ru=%d ruOnly=%d cyrOnly=%v | %.120s\n",
			r.gold, res.Lang, res.Confidence, st, f.lat[lEN], f.lat[lFR], other, f.cyrl[cRU], f.ruOnly, f.cyrOnly, r.text)
	}
}
