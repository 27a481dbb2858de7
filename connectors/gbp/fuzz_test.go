package gbp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
)

// FuzzExtract feeds arbitrary bytes to the response parser: it must not
// panic, and what it returns must hold together.
func FuzzExtract(f *testing.F) {
	for _, n := range []string{"reviews-page1.json", "reviews-page2.json", "malformed.json", "batch.json", "single.json"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"reviews":[{"comment":"(Translated by Google) x\n(Original)","starRating":"ONE","createTime":"2020-01-01T00:00:00.123456789+14:00"}],"averageRating":"4","totalReviewCount":-1}`))
	f.Add([]byte(`{"reviews":[null,1,{"reviewer":null,"reviewReply":{"comment":5}}],"nextPageToken":7}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		doc := connectors.Document{Body: body}
		Detect(doc)
		ext, err := Extract(doc)
		if err != nil {
			return
		}
		for i, r := range ext.Reviews {
			if r.Rating != nil && (*r.Rating < 1 || *r.Rating > 5 || r.BestRating == nil) {
				t.Fatalf("review %d: rating %v of %v", i, r.Rating, r.BestRating)
			}
			if r.Kind != "review" {
				t.Fatalf("review %d: kind %q", i, r.Kind)
			}
		}
		splitTranslation(string(body))
	})
}
