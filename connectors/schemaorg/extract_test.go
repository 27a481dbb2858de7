package schemaorg

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/internal/review"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// golden is the form of the golden files.
type golden struct {
	Reviews   []review.Review   `json:"reviews"`
	Aggregate *review.Aggregate `json:"aggregate"`
	Next      []string          `json:"next"`
	Warnings  []string          `json:"warnings"`
}

// TestExtractGolden extracts each testdata page and compares the result
// with its golden file; run with -update to regenerate them after a
// deliberate change, and review the diff.
func TestExtractGolden(t *testing.T) {
	tests := []struct {
		name string // testdata/<name>.html and testdata/<name>.golden.json
		url  string
		opts Options
	}{
		{name: "jsonld-graph", url: "https://example.test/bistro/"},
		{name: "jsonld-nested", url: "https://example.test/hotel/reviews"},
		{name: "jsonld-toplevel", url: "https://example.test/smile"},
		{name: "jsonld-lenient", url: "https://example.test/shoe"},
		{name: "microdata-meta", url: "https://example.test/green/reviews?p=1"},
		{name: "rdfa", url: "https://example.test/cafe"},
		{name: "datavocabulary", url: "https://example.test/roma"},
		{name: "zero-rating", url: "https://example.test/books"},
		{name: "duplicates", url: "https://example.test/kettle"},
		{name: "french", url: "https://example.test/martin/avis.html", opts: Options{NextSelector: "a.suivant"}},
		{name: "russian", url: "https://example.test/zerno/otzyvy", opts: Options{NextSelector: "a.next"}},
		{name: "malformed", url: "https://example.test/pharma"},
		{name: "owner-reply", url: "https://example.test/boulangerie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := conntest.Testdata(t, tt.name+".html")
			ext, err := Extract(connectors.Document{URL: tt.url, ContentType: "text/html; charset=utf-8", Body: body}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			conntest.Golden(t, filepath.Join("testdata", tt.name+".golden.json"), golden{ext.Reviews, ext.Aggregate, ext.Next, ext.Warnings}, *update)
		})
	}
}
