package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/internal/learn"
)

// The evaluation commands print the agreed JSON fields; the figures come
// from internal/eval and internal/learn, whose own tests check them
// against hand-computed values.
func TestEvalCommands(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		fields []string
	}{
		{"semeval", []string{"eval", "semeval", "--lang", "en", "--json", "testdata/eval/semeval.xml"},
			[]string{"lang", "sentences", "theme_precision", "theme_recall", "theme_f1", "polarity_accuracy"}},
		{"tweets", []string{"eval", "tweets", "--json", "--texts", "testdata/eval/tweets_text.txt", "--labels", "testdata/eval/tweets_labels.txt"},
			[]string{"n", "accuracy", "macro_f1", "macro_f1_posneg"}},
		{"lang", []string{"eval", "lang", "--json", "../lang/testdata/others.tsv"},
			[]string{"n", "accuracy", "und_rate", "by_lang", "by_source"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := vigie(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not one JSON object: %q", out)
			}
			for _, f := range tt.fields {
				v, ok := got[f]
				if !ok {
					t.Errorf("field %q missing: %s", f, out)
				}
				if x, isNum := v.(float64); isNum && f != "n" && f != "sentences" && (x < 0 || x > 1) {
					t.Errorf("%s = %v, want a fraction", f, x)
				}
			}
		})
	}
	// A semeval report on a file with 2 sentences.
	_, out, _ := vigie(t, "eval", "semeval", "--lang", "en", "--json", "testdata/eval/semeval.xml")
	if !strings.Contains(out, `"sentences":2`) {
		t.Errorf("semeval sentences: %s", out)
	}
}

func TestTrainThenEvaluate(t *testing.T) {
	model := filepath.Join(t.TempDir(), "fr.model")
	code, out, errOut := vigie(t, "train", "--out", model, "--dev-fraction", "0.25", "testdata/eval/labelled.jsonl")
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "held-out examples") || !strings.Contains(errOut, "model written to") {
		t.Errorf("train output:\n%s\n%s", out, errOut)
	}
	// The model learnt the obvious: the clear positive and negative
	// phrases of its training data.
	for _, c := range []struct{ text, want string }{{"Personnel adorable et souriant", "positive"}, {"Serveur impoli, à éviter", "negative"}} {
		m, err := learn.LoadFile(model)
		if err != nil {
			t.Fatal(err)
		}
		if label, _, ok := m.PredictSentiment(c.text, "fr"); !ok || label != c.want {
			t.Errorf("%q: %s (%v), want %s", c.text, label, ok, c.want)
		}
	}
	code, _, errOut = vigie(t, "train", "testdata/eval/labelled.jsonl")
	if code != 2 || !strings.Contains(errOut, "--out MODEL is required") {
		t.Errorf("missing --out: exit %d %s", code, errOut)
	}
}
