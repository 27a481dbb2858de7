//go:build tune

package lang

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

func TestHintSweep(t *testing.T) {
	fh, _ := os.Open(devSet)
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var rows [][3]string
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), "\t", 3)
		if p[0] != "lang" {
			rows = append(rows, [3]string{p[0], p[1], p[2]})
		}
	}
	wrong := map[string]string{"en": "fr", "fr": "en", "ru": "en"}
	base := tuning
	for _, hw := range []float64{0, 0.7, 1.1, 1.6, 2.2} {
		tuning = base
		tuning.hintWeight = hw
		d := New(DefaultOptions())
		for _, mode := range []string{"none", "right", "wrong", "other"} {
			n, ok := map[string]int{}, map[string]int{}
			for _, r := range rows {
				h := ""
				switch mode {
				case "right":
					h = r[0]
				case "wrong":
					h = wrong[r[0]]
				case "other":
					h = os.Getenv("OTHER")
				}
				n[r[1]]++
				if d.Detect(r[2], h).Lang == r[0] {
					ok[r[1]]++
				}
			}
			var keys []string
			for k := range n {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			for _, k := range keys {
				fmt.Fprintf(&b, "%s=%.2f ", k[:6]+k[len(k)-4:], 100*float64(ok[k])/float64(n[k]))
			}
			fmt.Printf("hw=%.1f %-5s %s\n", hw, mode, b.String())
		}
	}
	tuning = base
}
