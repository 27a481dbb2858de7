package schemaorg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
)

// TestSharedFixtures extracts every schema.org fixture of the team's
// development set and compares it with expected.json (conntest applies
// the README's rules).
func TestSharedFixtures(t *testing.T) {
	expected, names := conntest.LoadExpected(t)
	var keys []string
	for _, k := range names {
		if kind, _, _ := strings.Cut(k, "/"); kind == "jsonld" || kind == "microdata" || kind == "rdfa" {
			keys = append(keys, k)
		}
	}
	// Every file of the three folders must have an expectation.
	for _, dir := range []string{"jsonld", "microdata", "rdfa"} {
		files, _ := filepath.Glob(filepath.Join(conntest.SharedFixtures, dir, "*"))
		for _, f := range files {
			if _, ok := expected[dir+"/"+filepath.Base(f)]; !ok {
				t.Errorf("%s/%s has no entry in expected.json", dir, filepath.Base(f))
			}
		}
	}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(conntest.SharedFixtures, key))
			if err != nil {
				t.Fatal(err)
			}
			want := expected[key]
			ext, err := Extract(connectors.Document{Body: body}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ok := conntest.CheckExtraction(t, want, ext.Reviews, ext.Aggregate)
			agg := "none"
			if a := ext.Aggregate; a != nil && a.Value != nil {
				agg = fmtNum(*a.Value) + " from " + fmtNum(float64(max(a.RatingCount, a.ReviewCount)))
			}
			status := "PASS"
			if !ok {
				status = "FAIL"
			}
			t.Logf("%s %s: %d reviews (want %d), aggregate %s, %d warnings", status, key, len(ext.Reviews), want.Count, agg, len(ext.Warnings))
			for _, w := range ext.Warnings {
				t.Logf("  warning: %s", w)
			}
		})
	}
}
