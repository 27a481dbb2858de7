package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchSmoke runs `vigie bench` on a few thousand reviews, so that the
// command never rots: every phase runs, and the JSON holds the agreed
// fields with sensible values. The full run (N = 1,000,000) is by hand;
// docs/benchmarks.md records it.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("bench smoke run skipped in -short mode")
	}
	dir := t.TempDir() + "/bench"
	code, out, errOut := vigie(t, "bench", "--n", "3000", "--locations", "40", "--repeat", "2", "--json", "--quiet", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	positive := []string{"raw_bleve_docs_per_s", "ingest_docs_per_s", "ingest_ratio", "raw_peak_rss_mib", "ingest_peak_rss_mib",
		"index_bytes_per_review", "search_p50_ms", "search_p95_ms", "latest_p95_ms", "trend_p50_ms", "trend_p95_ms", "leaderboard_ms"}
	for _, f := range append([]string{"n", "recrawl_pages"}, positive...) {
		if _, ok := got[f]; !ok {
			t.Errorf("field %q missing", f)
		}
	}
	for _, f := range positive {
		if x, _ := got[f].(float64); x <= 0 {
			t.Errorf("%s = %v, want a positive figure", f, got[f])
		}
	}
	if got["n"] != 3000.0 {
		t.Errorf("n = %v", got["n"])
	}
	// The demo source is collected twice: the second, unchanged run reads
	// one page where the first read them all.
	if first, re := got["first_crawl_pages"].(float64), got["recrawl_pages"].(float64); re != 1 || first <= 1 {
		t.Errorf("re-crawl read %v pages (first crawl %v), want 1", re, first)
	}
	if r := got["ingest_ratio"].(float64); r > 2 {
		t.Errorf("ingest ratio %v: ingestion cannot be much faster than bleve alone", r)
	}

	// The table names every measure and the targets.
	code, out, errOut = vigie(t, "bench", "--n", "500", "--locations", "10", "--repeat", "1", "--quiet")
	if code != 0 {
		t.Fatalf("table: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"raw_bleve_docs_per_s", "ingest_ratio", "latest_p95_ms", "recrawl_pages", ">= 0.9", "<= 600 MiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	// A folder in use is refused rather than mixed with.
	if code, _, errOut := vigie(t, "bench", "--n", "10", "--dir", dir); code == 0 || !strings.Contains(errOut, "not empty") {
		t.Errorf("non-empty folder: exit %d, %s", code, errOut)
	}
}
