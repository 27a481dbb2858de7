//go:build tune

package lang

import (
	"fmt"
	"testing"
)

func TestPerText(t *testing.T) {
	d := Default()
	for _, s := range benchReviews {
		d.Detect(s, "")
		r := testing.Benchmark(func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				d.Detect(s, "")
			}
		})
		var f features
		f.scan(s, 400, 6400)
		fmt.Printf("%8d ns %v en=%d fr=%d ruOnly=%d %.40s\n", r.NsPerOp(), d.Detect(s, ""), f.lat[lEN], f.lat[lFR], f.ruOnly, s)
	}
}
