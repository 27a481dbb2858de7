package lang

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// The shared development and holdout sets (not shipped with the
// repository: their licences do not allow it).
const (
	devSet     = "../../../shared/data/derived/langid_dev.tsv"
	holdoutSet = "../../../shared/data/derived/langid_holdout.tsv"
)

// TestDevSet measures the default detector on the development set and
// fails if sentences or tweets of any source fall under 99% (measured:
// 99.64% to 100%). Single words and word pairs are logged, not enforced:
// many single words are English and French alike ("condition", "culture").
func TestDevSet(t *testing.T) { measure(t, devSet) }

// TestHoldoutSet does the same on the holdout set when it is present. It
// was not used for tuning; keep it that way.
func TestHoldoutSet(t *testing.T) { measure(t, holdoutSet) }

func measure(t *testing.T, path string) {
	if testing.Short() {
		t.Skip("loads lingua-go models")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("%s not available (%v): skipping", path, err)
	}
	defer f.Close()
	rep, err := Evaluate(Default(), f)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all: n=%d accuracy=%.4f und=%.4f", rep.N, rep.Accuracy, rep.UndRate)
	for _, k := range sortedKeys(rep.ByLang) {
		s := rep.ByLang[k]
		t.Logf("lang %-3s n=%5d accuracy=%.4f und=%.4f confusion=%v", k, s.N, s.Accuracy, s.UndRate, rep.Confusion[k])
	}
	for _, k := range sortedKeys(rep.BySource) {
		s := rep.BySource[k]
		t.Logf("source %-20s n=%5d accuracy=%.4f und=%.4f", k, s.N, s.Accuracy, s.UndRate)
		if strings.Contains(k, "single-words") || strings.Contains(k, "word-pairs") {
			continue
		}
		if s.Accuracy < 0.99 {
			t.Errorf("source %s: accuracy %.4f < 0.99", k, s.Accuracy)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
