//go:build tune

package lang

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	src := os.Getenv("SRC")
	path := devSet
	if p := os.Getenv("FILE"); p != "" {
		path = p
	}
	fh, _ := os.Open(path)
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	d := Default()
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), "\t", 3)
		if p[0] == "lang" || (src != "" && !strings.Contains(p[1], src)) {
			continue
		}
		r := d.Detect(p[2], os.Getenv("HINT"))
		if r.Lang != expected(p[0]) || os.Getenv("ALL") != "" {
			var f features
			f.scan(p[2], 400, 6400)
			o, w := maxOther(&f)
			fmt.Printf("%s->%s %.2f en=%d fr=%d o=%d(%d) ru=%d ruOnly=%d cyrOnly=%v | %.120s\n", p[0], r.Lang, r.Confidence, f.lat[lEN], f.lat[lFR], o, w, f.cyrl[cRU], f.ruOnly, f.cyrOnly, p[2])
		}
	}
}
