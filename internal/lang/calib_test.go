//go:build tune

package lang

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestCalib(t *testing.T) {
	fh, _ := os.Open(devSet)
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	d := New(Options{})
	edges := []float64{0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01}
	type b struct{ n, ok int }
	bk := map[string][]b{}
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), "\t", 3)
		if p[0] == "lang" {
			continue
		}
		grp := "sent+tweets"
		if strings.Contains(p[1], "single") {
			grp = "single"
		} else if strings.Contains(p[1], "pairs") {
			grp = "pairs"
		}
		r := d.Detect(p[2], "")
		if r.Lang == Unknown {
			continue
		}
		if bk[grp] == nil {
			bk[grp] = make([]b, len(edges))
		}
		for i := range edges {
			if r.Confidence < edges[i] || i == len(edges)-1 {
				bk[grp][i].n++
				if r.Lang == p[0] {
					bk[grp][i].ok++
				}
				break
			}
		}
	}
	for g, bs := range bk {
		for i, x := range bs {
			lo := 0.0
			if i > 0 {
				lo = edges[i-1]
			}
			if x.n > 0 {
				fmt.Printf("%-12s [%.2f,%.2f) n=%5d acc=%.3f\n", g, lo, edges[i], x.n, float64(x.ok)/float64(x.n))
			}
		}
	}
}
