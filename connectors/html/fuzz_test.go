package html

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
)

// FuzzExtract runs the selector extraction on arbitrary pages with
// selectors that exercise every field: it must never panic, and what it
// returns must hold together.
func FuzzExtract(f *testing.F) {
	for _, n := range []string{"site/list-1.html", "site/list-3.html", "golden/bubbles.html", "golden/stars.html", "otzovik/list-1.html", "yandex/reviews.html"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<article class="review" data-review-id="1"><span class="rating" style="width:120%">9999999999999999999</span><time class="date" datetime="99999-99-99">il y a 99999999999 ans</time></article>`))
	f.Add([]byte(`<li class="comment"><li class="comment"><ul class="comments"><li class="comment"><i class="star filled">`))
	params := []*Params{siteParams(), func() *Params {
		p := siteParams()
		p.Review = "li.comment, article"
		p.RatingAttr = "class"
		p.RatingCount = ".star.filled"
		p.RatingHalf = ".star.half"
		p.Link = "a"
		p.Remove = ".translated"
		p.DateLayout = "02.01.2006"
		p.Reply = "li > ul.comments .content"
		return p
	}()}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range params {
			res, err := Extract(connectors.Document{URL: "https://example.test/p/", Body: body}, p, testNow)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
		}
	})
}
