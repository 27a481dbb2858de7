package googleplaces

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
)

// FuzzExtract feeds arbitrary bytes to both response parsers: no panic,
// and ratings stay on their scale.
func FuzzExtract(f *testing.F) {
	for _, n := range []string{"new-place.json", "new-malformed.json", "legacy-newest.json", "gmaps-java-PlaceDetailsResponse.json"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"result":{"reviews":[{"time":1e99,"rating":-1,"text":"<b>x</b"},{"time":"12"}]},"status":"OK"}`))
	f.Add([]byte(`{"reviews":[{"originalText":null,"text":{"text":""},"rating":1e308,"publishTime":"2024-13-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		doc := connectors.Document{Body: body}
		Detect(doc)
		for _, legacy := range []bool{false, true} {
			ext, err := parse(body, legacy)
			if err != nil {
				continue
			}
			for i, r := range ext.Reviews {
				if r.Rating != nil && (*r.Rating < 1 || *r.Rating > 5 || r.BestRating == nil) {
					t.Fatalf("review %d: rating %v", i, *r.Rating)
				}
			}
		}
	})
}
