package learn

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// synth makes a synthetic corpus with obvious rules: "excellent" or
// "superb" make a text positive, "horrible" or "awful" negative, "not
// excellent" negative too, neither neutral; "pizza" is about food and
// "waiter" about service, each with the polarity of the adjective that
// follows it.
func synth(n int, seed uint64, lang string) []Example {
	rng := rand.New(rand.NewPCG(seed, 1))
	filler := []string{"we", "came", "on", "tuesday", "with", "friends", "and", "sat", "near", "window", "the", "evening", "was", "long", "my", "sister", "ordered", "again", "today", "place"}
	fill := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = filler[rng.IntN(len(filler))]
		}
		return strings.Join(w, " ")
	}
	pos := []string{"excellent", "superb"}
	neg := []string{"horrible", "awful"}
	var out []Example
	for i := range n {
		e := Example{Lang: lang, Themes: []ThemeLabel{}}
		switch i % 6 {
		case 0:
			e.Text, e.Label = fill(4)+" it was "+pos[rng.IntN(2)]+" "+fill(3), Positive
		case 1:
			e.Text, e.Label = fill(4)+" it was "+neg[rng.IntN(2)]+" "+fill(3), Negative
		case 2:
			e.Text, e.Label = fill(4)+" it was not excellent. "+fill(3), Negative
		case 3:
			e.Text, e.Label = fill(7), Neutral
		default: // theme sentences: a pizza and/or a waiter, each judged
			var parts []string
			var themes []ThemeLabel
			offset := 0
			for _, th := range [][2]string{{"pizza", ThemeFood}, {"waiter", ThemeService}} {
				if rng.IntN(3) == 0 && len(parts) > 0 {
					continue
				}
				adj, pol := pos[rng.IntN(2)], Positive
				if rng.IntN(2) == 0 {
					adj, pol = neg[rng.IntN(2)], Negative
				}
				p := fill(2) + " the " + th[0] + " was " + adj
				start := offset + strings.Index(p, th[0])
				themes = append(themes, ThemeLabel{Name: th[1], Polarity: pol, Spans: []Span{{start, start + len(th[0])}}})
				parts = append(parts, p)
				offset += len(p) + 2
			}
			e.Text = strings.Join(parts, ", ")
			e.Themes = themes
		}
		out = append(out, e)
	}
	return out
}

func TestLearnsObviousRules(t *testing.T) {
	train := synth(1200, 1, "en")
	test := synth(300, 2, "en")
	m, err := Train(train, Options{Seed: 1, Buckets: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Heads("en"); !reflect.DeepEqual(got, []string{HeadSentiment, HeadThemes, HeadThemePolarity}) {
		t.Fatalf("heads %v", got)
	}
	if got := m.Labels("en", HeadThemes); !reflect.DeepEqual(got, []string{ThemeFood, ThemeService}) {
		t.Fatalf("themes %v", got)
	}
	r := Evaluate(m, test)
	t.Log("\n" + r.String())
	l := r.Lang("en")
	if l.Sentiment.Accuracy < 0.97 {
		t.Errorf("sentiment accuracy %.3f, want ≥ 0.97", l.Sentiment.Accuracy)
	}
	if l.Themes.Micro.F1 < 0.97 {
		t.Errorf("themes F1 %.3f, want ≥ 0.97", l.Themes.Micro.F1)
	}
	// Sentences judging two themes differently need the mention's window.
	if l.ThemePolarity.SpanAccuracy < 0.95 {
		t.Errorf("theme polarity accuracy with spans %.3f, want ≥ 0.95", l.ThemePolarity.SpanAccuracy)
	}
	// Negation: "not excellent" is negative although "excellent" is the
	// strongest positive word.
	for _, text := range []string{"the evening was not excellent.", "it was not excellent"} {
		if label, probs, _ := m.PredictSentiment(text, "en"); label != Negative {
			t.Errorf("%q: %s %v, want negative", text, label, probs)
		}
	}
	if label, _, _ := m.PredictSentiment("my sister said it was superb", "en"); label != Positive {
		t.Errorf("superb: %s, want positive", label)
	}
	text := "the pizza was horrible, the waiter was superb"
	if th, _ := m.PredictThemes(text, "en"); th[ThemeFood] < m.ThemeThreshold("en", ThemeFood) || th[ThemeService] < m.ThemeThreshold("en", ThemeService) {
		t.Errorf("themes of %q: %v", text, th)
	}
	if l, _, _ := m.PredictThemePolaritySpans(text, "en", ThemeFood, []Span{{4, 9}}); l != Negative {
		t.Errorf("food in %q: %s", text, l)
	}
	if l, _, _ := m.PredictThemePolaritySpans(text, "en", ThemeService, []Span{{26, 32}}); l != Positive {
		t.Errorf("service in %q: %s", text, l)
	}
	p, ok := m.Predict(text, "en")
	if !ok || len(p.Themes) != 2 || p.Sentiment == "" || p.Themes[0].Polarity == "" {
		t.Errorf("Predict: %+v", p)
	}
	// Predict shares the text's plain features between themes: it must
	// agree with PredictThemePolarity.
	for _, th := range p.Themes {
		_, probs, _ := m.PredictThemePolarity(text, "en", th.Name)
		for l, pr := range probs {
			if d := pr - th.PolarityProbs[l]; d > 1e-9 || d < -1e-9 {
				t.Errorf("Predict's %s polarity %v, PredictThemePolarity's %v", th.Name, th.PolarityProbs, probs)
			}
		}
	}
	if _, _, ok := m.PredictSentiment("bonjour", "fr"); ok {
		t.Error("a French prediction from an English-only model")
	}
	if _, ok := m.PredictThemes("bonjour", "fr"); ok {
		t.Error("French themes from an English-only model")
	}
}

func TestTrainOnlyWhatTheDataSupports(t *testing.T) {
	ex := []Example{}
	for i := range 30 {
		ex = append(ex, Example{Text: fmt.Sprintf("text %d good", i), Lang: "fr", Label: []string{Positive, Negative}[i%2]})
	}
	m, err := Train(ex, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Heads("fr"); !reflect.DeepEqual(got, []string{HeadSentiment}) {
		t.Errorf("heads %v, want only sentiment", got)
	}
	if _, ok := m.PredictThemes("x", "fr"); ok {
		t.Error("themes without a themes head")
	}
	if _, err := Train(ex[:3], Options{}); err == nil || !strings.Contains(err.Error(), "nothing to train") {
		t.Errorf("3 examples: %v", err)
	}
	if _, err := Train([]Example{{Text: "x", Label: Positive}}, Options{}); err == nil || !strings.Contains(err.Error(), "no language") {
		t.Errorf("no language: %v", err)
	}
	if _, err := Train(ex, Options{ClassWeight: "by-magic"}); err == nil {
		t.Error("bad class weight accepted")
	}
}

func TestSaveLoad(t *testing.T) {
	train := append(synth(600, 3, "en"), synth(600, 4, "ru")...)
	m, err := Train(train, Options{Seed: 3, Buckets: 1 << 18})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	t.Logf("model file: %d bytes", len(data))
	m2, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Languages(), m2.Languages()) {
		t.Fatalf("languages %v, loaded %v", m.Languages(), m2.Languages())
	}
	for _, e := range synth(120, 5, "en") {
		for _, lang := range []string{"en", "ru"} {
			l1, p1, _ := m.PredictSentiment(e.Text, lang)
			l2, p2, _ := m2.PredictSentiment(e.Text, lang)
			if l1 != l2 || !reflect.DeepEqual(p1, p2) {
				t.Fatalf("sentiment of %q: %s %v, loaded %s %v", e.Text, l1, p1, l2, p2)
			}
			t1, _ := m.PredictThemes(e.Text, lang)
			t2, _ := m2.PredictThemes(e.Text, lang)
			if !reflect.DeepEqual(t1, t2) {
				t.Fatalf("themes of %q: %v, loaded %v", e.Text, t1, t2)
			}
			for _, th := range m.Labels(lang, HeadThemes) {
				if m.ThemeThreshold(lang, th) != m2.ThemeThreshold(lang, th) {
					t.Fatalf("threshold of %s differs", th)
				}
				_, q1, _ := m.PredictThemePolarity(e.Text, lang, th)
				_, q2, _ := m2.PredictThemePolarity(e.Text, lang, th)
				if !reflect.DeepEqual(q1, q2) {
					t.Fatalf("polarity of %s in %q: %v, loaded %v", th, e.Text, q1, q2)
				}
			}
		}
	}
	// Saving the loaded model gives the same bytes.
	var again bytes.Buffer
	if err := m2.Save(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), data) {
		t.Error("save(load(save(m))) differs from save(m)")
	}

	// Broken files.
	if _, err := Load(strings.NewReader("text,lang,label\n")); !errors.Is(err, ErrNotModel) {
		t.Errorf("CSV file: %v, want ErrNotModel", err)
	}
	if _, err := Load(bytes.NewReader(nil)); !errors.Is(err, ErrNotModel) {
		t.Errorf("empty file: %v, want ErrNotModel", err)
	}
	v2 := bytes.Clone(data)
	v2[8] = 9
	if _, err := Load(bytes.NewReader(v2)); err == nil || !strings.Contains(err.Error(), "format 9") {
		t.Errorf("version 9: %v", err)
	}
	if _, err := Load(bytes.NewReader(data[:len(data)/2])); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("truncated: %v", err)
	}
	flipped := bytes.Clone(data)
	flipped[len(data)/2] ^= 0x40
	if _, err := Load(bytes.NewReader(flipped)); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("flipped byte: %v", err)
	}
}

func TestFileRoundTrip(t *testing.T) {
	m, err := Train(synth(300, 6, "fr"), Options{Buckets: 1 << 14})
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/model.vlm"
	if err := m.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	m2, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l1, _, _ := m.PredictSentiment("it was superb", "fr")
	l2, _, _ := m2.PredictSentiment("it was superb", "fr")
	if l1 != l2 || l1 != Positive {
		t.Errorf("%s / %s", l1, l2)
	}
	if _, err := LoadFile(t.TempDir() + "/missing"); err == nil {
		t.Error("missing file loaded")
	}
}

func TestDeterministic(t *testing.T) {
	ex := synth(400, 7, "en")
	save := func() []byte {
		m, err := Train(ex, Options{Seed: 42, Buckets: 1 << 16})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := m.Save(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if !bytes.Equal(save(), save()) {
		t.Error("two trainings with the same seed differ")
	}
}

// TestConcurrentPredictions runs predictions from several goroutines (for
// the race detector) and checks they agree with sequential ones.
func TestConcurrentPredictions(t *testing.T) {
	m, err := Train(append(synth(300, 8, "en"), synth(300, 9, "ru")...), Options{Buckets: 1 << 15})
	if err != nil {
		t.Fatal(err)
	}
	texts := synth(60, 10, "en")
	want := make([]string, len(texts))
	for i, e := range texts {
		want[i], _, _ = m.PredictSentiment(e.Text, "en")
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, e := range texts {
				lang := []string{"en", "ru"}[(i+g)%2]
				p, _ := m.Predict(e.Text, lang)
				if lang == "en" && p.Sentiment != want[i] {
					errs <- fmt.Sprintf("%q: %s, want %s", e.Text, p.Sentiment, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// review250 is a review of about 250 characters.
const review250 = "We booked a table for six on a Saturday night. The starters were excellent and the lamb was cooked perfectly, " +
	"but the waiter forgot our drinks twice and we waited forty minutes for dessert. Prices are fair for the area; we will come back."

var (
	benchOnce sync.Once
	benchM    *Model
	benchMErr error
)

// benchModel is a model trained on synthetic data with the default
// feature space (2^20 buckets, words and character n-grams).
func benchModel(b *testing.B) *Model {
	b.Helper()
	benchOnce.Do(func() {
		benchM, benchMErr = Train(synth(3000, 11, "en"), Options{Epochs: 30, Folds: 1})
	})
	if benchMErr != nil {
		b.Fatal(benchMErr)
	}
	return benchM
}

func BenchmarkPredictSentiment(b *testing.B) {
	m := benchModel(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(review250)))
	for b.Loop() {
		m.PredictSentiment(review250, "en")
	}
}

func BenchmarkPredictThemes(b *testing.B) {
	m := benchModel(b)
	b.ReportAllocs()
	for b.Loop() {
		m.PredictThemes(review250, "en")
	}
}

// BenchmarkPredictAll runs all three heads (sentiment, themes, polarity of
// each theme found) with one tokenisation.
func BenchmarkPredictAll(b *testing.B) {
	m := benchModel(b)
	b.ReportAllocs()
	for b.Loop() {
		m.Predict(review250, "en")
	}
}

func BenchmarkPredictSentimentParallel(b *testing.B) {
	m := benchModel(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.PredictSentiment(review250, "en")
		}
	})
}

func BenchmarkFeaturize(b *testing.B) {
	m := benchModel(b)
	s := getScratch()
	b.ReportAllocs()
	for b.Loop() {
		s.featurize(&m.cfg, review250, "en")
	}
}
