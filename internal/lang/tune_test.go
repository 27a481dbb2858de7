//go:build tune

package lang

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

type row struct {
	gold, src, text string
	f               features
	pen, pfr, pru   float64
	lin             bool
}

func loadRows(t *testing.T, path string) []row {
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var rows []row
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		p := strings.SplitN(sc.Text(), "\t", 3)
		r := row{gold: p[0], src: p[1], text: p[2]}
		r.f.scan(r.text, 320, 4000)
		rows = append(rows, r)
	}
	return rows
}

func maxOther(f *features) (int, int) {
	o, which := 0, -1
	for l := lDE; l < nLatin; l++ {
		if int(f.lat[l]) > o {
			o, which = int(f.lat[l]), l
		}
	}
	return o, which
}

func TestDump(t *testing.T) {
	for _, path := range []string{"../../../shared/data/derived/langid_dev.tsv", "testdata/others.tsv"} {
		rows := loadRows(t, path)
		out, _ := os.Create("/tmp/" + strings.ReplaceAll(path[strings.LastIndex(path, "/")+1:], ".tsv", "") + ".feat.tsv")
		w := bufio.NewWriter(out)
		fmt.Fprintln(w, "gold\tsrc\tlatin\tcyr\tother\tlw\tcw\ten\tfr\to\twhich\tcru\tcoth\tcwhich\tpen\tpfr\tpru\tgenfr\tgoth\tgl\ttext")
		for _, r := range rows {
			f := &r.f
			o, which := maxOther(f)
			co, cwhich := 0, -1
			for l := cUK; l < nCyr; l++ {
				if int(f.cyrl[l]) > co {
					co, cwhich = int(f.cyrl[l]), l
				}
			}
			var pen, pfr, pru float64
			var genfr, goth float64
			var gl string
			if f.latin > 0 && f.latin >= f.cyr {
				lt := linguaText(r.text[:f.end])
				pen, pfr = pairProbs(lt)
				var l interface{ String() string }
				genfr, goth, l = gateProbs(lt)
				gl = l.String()
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%s\n",
				r.gold, r.src, f.latin, f.cyr, f.other, f.latinWords, f.cyrWords, f.lat[lEN], f.lat[lFR], o, which,
				f.cyrl[cRU], co, cwhich, pen, pfr, pru, genfr, goth, gl, r.text)
		}
		w.Flush()
		out.Close()
	}
}
