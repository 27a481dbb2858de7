package schemaorg

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			ext, err := Extract(connectors.Document{URL: tt.url, ContentType: "text/html; charset=utf-8", Body: body}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(golden{ext.Reviews, ext.Aggregate, ext.Next, ext.Warnings}); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			path := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("extraction differs from %s (run go test -update and review the diff):\n%s", path, diffLines(string(want), string(got)))
			}
		})
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

func itoa(i int) string { return fmtNum(float64(i)) }
