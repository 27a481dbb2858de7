package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/internal/review"
)

// TestSharedFixtures runs `vigie extract` over every document of the shared
// fixtures and compares the reviews with expected.json, as its README
// describes: the count, for each example review one extracted review
// matching every field given, and the aggregate (read by the kind that
// `vigie extract` detects).
func TestSharedFixtures(t *testing.T) {
	expected, names := conntest.LoadExpected(t)
	for _, name := range names {
		want := expected[name]
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(conntest.SharedFixtures, name)
			code, out, errOut := vigie(t, "extract", path)
			if code != 0 {
				t.Fatalf("extract exit %d: %s", code, errOut)
			}
			got := jsonLines[review.Review](t, out)
			conntest.CheckExtraction(t, want, got, aggregateOf(t, path))
			t.Logf("%s: %d reviews (want %d), %d examples checked", name, len(got), want.Count, len(want.Reviews))
		})
	}
}

// aggregateOf is the document's rating summary, read by the kind that
// `vigie extract` detects.
func aggregateOf(t *testing.T, path string) *review.Aggregate {
	t.Helper()
	env := &Env{Registry: connectors.Default}
	doc, err := readDocument(context.Background(), env, path, "", config.Default().Crawler)
	if err != nil {
		t.Fatal(err)
	}
	kind, ok := env.Registry.Detect(doc)
	if !ok {
		t.Fatalf("no kind detected")
	}
	ext, err := kind.Extract(context.Background(), nil, doc)
	if err != nil {
		t.Fatal(err)
	}
	return ext.Aggregate
}
