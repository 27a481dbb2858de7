package learn

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Head names.
const (
	HeadSentiment     = "sentiment"
	HeadThemes        = "themes"
	HeadThemePolarity = "theme_polarity"
)

// Options tune training. The zero value gives the defaults.
type Options struct {
	// Epochs bounds the optimiser's iterations (L-BFGS, full batch; each
	// iteration is about one pass over the data). Default 100.
	Epochs int
	// L2 is the regularisation strength of the sentiment head (on the mean
	// loss). Default 1e-4. ThemeL2 and PolarityL2 override it for the other
	// heads (defaults 3e-5 and 3e-5).
	L2, ThemeL2, PolarityL2 float64
	// Seed makes the cross-validation folds, and so the thresholds,
	// reproducible. Training is deterministic for a given seed.
	Seed int64
	// Buckets is the size of the hashed feature space. Default 1<<20.
	Buckets int
	// CharMin..CharMax are the lengths of the character n-grams taken
	// within words (default 3..5); NoChars drops them, NoWords drops the
	// stem unigrams and bigrams.
	CharMin, CharMax int
	NoChars, NoWords bool
	// CharWeight is the weight of the character n-gram group against the
	// word group (each is normalised to unit length). Default 1.
	CharWeight float64
	// Window is how many tokens either side of a theme's mention the
	// polarity head looks at when spans are known. Default 3; -1: none.
	Window int
	// MinCount drops features seen in fewer training rows. Default: 2 for
	// the themes head (as good, and faster), 1 for the others (a lexicon
	// word given as an example is seen once).
	MinCount int
	// ClassWeight "balanced" weighs each class of the softmax heads by
	// n / (k · n_class); "" (default) weighs every example the same.
	ClassWeight string
	// Folds is the number of cross-validation folds used to tune the
	// threshold of each theme. Default 5; 1 keeps 0.5.
	Folds int
	// MinExamples is the fewest examples a head trains on (default 10);
	// MinThemeCount the fewest positive examples a theme needs (default 5).
	MinExamples, MinThemeCount int
	// Heads restricts training to these heads (default all the data
	// supports); Langs to these languages.
	Heads, Langs []string
	// SentenceWeight is the weight, in the theme_polarity head, of the
	// examples that carry a sentence Label but no theme annotation: they
	// teach the head sentiment words (theme-independent features only).
	// Default 0.5; -1 leaves them out.
	SentenceWeight float64
	// Prune drops from the saved model the weights whose magnitude is below
	// it for every class. Default 0: keep all.
	Prune float64

	crossMask, plainMask uint8 // see featureConfig; defaults 7 and 3
}

func (o Options) withDefaults() (Options, error) {
	if o.Epochs == 0 {
		o.Epochs = 100
	}
	if o.L2 == 0 {
		o.L2 = 1e-4
	}
	if o.ThemeL2 == 0 {
		o.ThemeL2 = 3e-5
	}
	if o.PolarityL2 == 0 {
		o.PolarityL2 = 3e-5
	}
	if o.Buckets == 0 {
		o.Buckets = 1 << 20
	}
	if o.CharMin == 0 {
		o.CharMin = 3
	}
	if o.CharMax == 0 {
		o.CharMax = 5
	}
	if o.CharWeight == 0 {
		o.CharWeight = 1
	}
	if o.Window == 0 {
		o.Window = 3
	}

	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.crossMask == 0 && o.plainMask == 0 {
		o.crossMask, o.plainMask = 7, 3
	}
	if o.SentenceWeight == 0 {
		o.SentenceWeight = 0.5
	}
	if o.MinExamples == 0 {
		o.MinExamples = 10
	}
	if o.MinThemeCount == 0 {
		o.MinThemeCount = 5
	}
	switch {
	case o.Epochs < 0, o.L2 < 0, o.ThemeL2 < 0, o.PolarityL2 < 0:
		return o, errors.New("learn: negative epochs or regularisation")
	case o.Buckets < 1<<10 || o.Buckets > 1<<26:
		return o, fmt.Errorf("learn: buckets %d outside 2^10..2^26", o.Buckets)
	case o.CharMin < 1 || o.CharMax < o.CharMin || o.CharMax > 8:
		return o, fmt.Errorf("learn: character n-grams %d..%d (want 1 ≤ min ≤ max ≤ 8)", o.CharMin, o.CharMax)
	case o.NoChars && o.NoWords:
		return o, errors.New("learn: no features (NoChars and NoWords)")
	case o.ClassWeight != "" && o.ClassWeight != "balanced":
		return o, fmt.Errorf("learn: class weight %q (want \"\" or \"balanced\")", o.ClassWeight)
	case o.Folds < 1:
		return o, errors.New("learn: folds < 1")
	}
	return o, nil
}

func (o *Options) featureConfig() featureConfig {
	cfg := featureConfig{
		Buckets: uint32(o.Buckets), Words: !o.NoWords,
		CharMin: o.CharMin, CharMax: o.CharMax, CharWeight: float32(o.CharWeight),
		Window: o.Window, CrossMask: o.crossMask, PlainMask: o.plainMask,
	}
	if o.NoChars {
		cfg.CharMin, cfg.CharMax = 0, 0
	}
	return cfg
}

func (o *Options) wantHead(h string) bool { return len(o.Heads) == 0 || slices.Contains(o.Heads, h) }

// Model is a set of trained heads per language. It is safe for concurrent
// use.
type Model struct {
	cfg   featureConfig
	langs map[string]*langModel
}

type langModel struct {
	sentiment, themes, polarity *head
}

// head kinds.
const (
	kindSoftmax    = 1 // one label among Labels
	kindMultilabel = 2 // one sigmoid per label, with Thresholds
)

// head is one trained linear classifier: weights for the hashed buckets it
// saw in training, in an open-addressing table whose slots hold the bucket
// and its K weights side by side (one cache line per lookup).
type head struct {
	kind       uint8
	labels     []string
	thresholds []float32 // multilabel
	bias       []float32
	keys       []uint32  // buckets with weights, ascending
	w          []float32 // len(keys)*K, row r for keys[r]; nil once indexed
	slots      []uint32  // stride 1+K: bucket+1 (0: empty), then float32 bits
	shift      uint
}

func (h *head) k() int { return len(h.labels) }

// index builds the lookup table from keys and w, and drops w.
func (h *head) index() {
	k := h.k()
	stride := 1 + k
	size := 16
	for size*5 < len(h.keys)*8 { // load factor ≤ 0.625
		size <<= 1
	}
	h.slots = make([]uint32, size*stride)
	h.shift = uint(64 - bitsLen(size-1))
	mask := uint64(size - 1)
	for r, key := range h.keys {
		i := slot(key, h.shift)
		for h.slots[int(i)*stride] != 0 {
			i = (i + 1) & mask
		}
		o := int(i) * stride
		h.slots[o] = key + 1
		for c := range k {
			h.slots[o+1+c] = math.Float32bits(h.w[r*k+c])
		}
	}
	h.w = nil
}

func bitsLen(x int) int {
	n := 0
	for x > 0 {
		n++
		x >>= 1
	}
	return n
}

func slot(key uint32, shift uint) uint64 {
	return (uint64(key) * 0x9e3779b97f4a7c15) >> shift
}

// find returns the offset in h.slots of the weights of bucket key, -1 when
// it has none.
func (h *head) find(key uint32) int {
	stride := 1 + len(h.labels)
	mask := uint64(len(h.slots)/stride - 1)
	want := key + 1
	for i := slot(key, h.shift); ; i = (i + 1) & mask {
		o := int(i) * stride
		switch h.slots[o] {
		case want:
			return o + 1
		case 0:
			return -1
		}
	}
}

// weight returns the weight of class c for key (0 when none).
func (h *head) weight(key uint32, c int) float32 {
	if o := h.find(key); o >= 0 {
		return math.Float32frombits(h.slots[o+c])
	}
	return 0
}

// scores writes the raw scores of feats into z (len K).
func (h *head) scores(feats []feature, z []float64) {
	for c := range z {
		z[c] = float64(h.bias[c])
	}
	for _, f := range feats {
		o := h.find(f.Index)
		if o < 0 {
			continue
		}
		v := float64(f.Value)
		w := h.slots[o : o+len(z)]
		for c, bits := range w {
			z[c] += v * float64(math.Float32frombits(bits))
		}
	}
}

// probs turns raw scores into probabilities, in place.
func (h *head) probs(z []float64) {
	if h.kind == kindMultilabel {
		for c := range z {
			z[c] = sigmoid(z[c])
		}
		return
	}
	softmaxInPlace(z)
}

func softmaxInPlace(z []float64) {
	mx := slices.Max(z)
	sum := 0.0
	for c := range z {
		z[c] = math.Exp(z[c] - mx)
		sum += z[c]
	}
	for c := range z {
		z[c] /= sum
	}
}

// Languages returns the languages the model has at least one head for.
func (m *Model) Languages() []string { return sortedKeys(m.langs) }

// Heads returns the heads the model has for lang, in the order sentiment,
// themes, theme_polarity.
func (m *Model) Heads(lang string) []string {
	lm := m.langs[lang]
	if lm == nil {
		return nil
	}
	var out []string
	if lm.sentiment != nil {
		out = append(out, HeadSentiment)
	}
	if lm.themes != nil {
		out = append(out, HeadThemes)
	}
	if lm.polarity != nil {
		out = append(out, HeadThemePolarity)
	}
	return out
}

// Labels returns the labels of a head for lang: the sentiment or polarity
// classes, or the theme names.
func (m *Model) Labels(lang, headName string) []string {
	h := m.head(lang, headName)
	if h == nil {
		return nil
	}
	return slices.Clone(h.labels)
}

func (m *Model) head(lang, name string) *head {
	lm := m.langs[lang]
	if lm == nil {
		return nil
	}
	switch name {
	case HeadSentiment:
		return lm.sentiment
	case HeadThemes:
		return lm.themes
	case HeadThemePolarity:
		return lm.polarity
	}
	return nil
}

// maxStackK is how many classes the prediction paths score without
// allocating.
const maxStackK = 32

// predictSoftmax runs a softmax head on feats, returning the best label and
// the probabilities.
func predictSoftmax(h *head, feats []feature) (string, map[string]float64) {
	var buf [maxStackK]float64
	var z []float64
	if h.k() <= maxStackK {
		z = buf[:h.k()]
	} else {
		z = make([]float64, h.k())
	}
	h.scores(feats, z)
	h.probs(z)
	best := 0
	probs := make(map[string]float64, len(z))
	for c, p := range z {
		probs[h.labels[c]] = p
		if p > z[best] {
			best = c
		}
	}
	return h.labels[best], probs
}

// PredictSentiment returns the sentiment label of text (positive, neutral
// or negative, as trained) and the probability of each label; ok is false
// when the model has no sentiment head for lang.
func (m *Model) PredictSentiment(text, lang string) (label string, probs map[string]float64, ok bool) {
	h := m.head(lang, HeadSentiment)
	if h == nil {
		return "", nil, false
	}
	s := getScratch()
	defer putScratch(s)
	label, probs = predictSoftmax(h, s.featurize(&m.cfg, text, lang))
	return label, probs, true
}

// PredictThemes returns the probability of every theme of the model's
// themes head for text; a theme is present when its probability reaches
// ThemeThreshold. ok is false when there is no themes head for lang.
func (m *Model) PredictThemes(text, lang string) (map[string]float64, bool) {
	h := m.head(lang, HeadThemes)
	if h == nil {
		return nil, false
	}
	s := getScratch()
	defer putScratch(s)
	var buf [maxStackK]float64
	z := buf[:0]
	if h.k() <= maxStackK {
		z = buf[:h.k()]
	} else {
		z = make([]float64, h.k())
	}
	h.scores(s.featurize(&m.cfg, text, lang), z)
	h.probs(z)
	out := make(map[string]float64, len(z))
	for c, p := range z {
		out[h.labels[c]] = p
	}
	return out, true
}

// ThemeThreshold returns the probability from which PredictThemes' theme
// counts as present, tuned by cross-validation in training; 0.5 for a
// theme or language the model does not know.
func (m *Model) ThemeThreshold(lang, theme string) float64 {
	h := m.head(lang, HeadThemes)
	if h == nil {
		return 0.5
	}
	if i := slices.Index(h.labels, normTheme(theme)); i >= 0 {
		return float64(h.thresholds[i])
	}
	return 0.5
}

// PredictThemePolarity returns the polarity of theme in text (positive,
// negative, neutral, or conflict when trained with it) and the probability
// of each; ok is false when there is no theme_polarity head for lang. A
// theme the head was not trained with is judged from the text alone.
func (m *Model) PredictThemePolarity(text, lang, theme string) (label string, probs map[string]float64, ok bool) {
	return m.PredictThemePolaritySpans(text, lang, theme, nil)
}

// PredictThemePolaritySpans is PredictThemePolarity for a theme mentioned
// at the given byte spans of text (a lexicon match, a SemEval target): the
// words around the spans weigh in.
func (m *Model) PredictThemePolaritySpans(text, lang, theme string, spans []Span) (label string, probs map[string]float64, ok bool) {
	h := m.head(lang, HeadThemePolarity)
	if h == nil {
		return "", nil, false
	}
	s := getScratch()
	defer putScratch(s)
	label, probs = predictSoftmax(h, s.themeFeaturize(&m.cfg, text, lang, normTheme(theme), spans, false, false))
	return label, probs, true
}

// Prediction is everything a model says about one text.
type Prediction struct {
	// Sentiment and SentimentProbs are empty without a sentiment head.
	Sentiment      string
	SentimentProbs map[string]float64
	// Themes lists the themes whose probability reaches their threshold,
	// most probable first, with their polarity when there is a polarity
	// head.
	Themes []ThemePrediction
}

// ThemePrediction is one theme found in a text.
type ThemePrediction struct {
	Name          string
	Prob          float64
	Polarity      string
	PolarityProbs map[string]float64
}

// Predict runs every head the model has for lang on text, tokenising it
// once. ok is false when the model has no head for lang.
func (m *Model) Predict(text, lang string) (p Prediction, ok bool) {
	lm := m.langs[lang]
	if lm == nil {
		return p, false
	}
	s := getScratch()
	defer putScratch(s)
	feats := s.featurize(&m.cfg, text, lang)
	if h := lm.sentiment; h != nil {
		p.Sentiment, p.SentimentProbs = predictSoftmax(h, feats)
	}
	if h := lm.themes; h != nil {
		z := make([]float64, h.k())
		h.scores(feats, z)
		h.probs(z)
		for c, pr := range z {
			if pr >= float64(h.thresholds[c]) {
				p.Themes = append(p.Themes, ThemePrediction{Name: h.labels[c], Prob: pr})
			}
		}
		slices.SortStableFunc(p.Themes, func(a, b ThemePrediction) int {
			if a.Prob != b.Prob {
				if a.Prob > b.Prob {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Name, b.Name)
		})
	}
	if h := lm.polarity; h != nil && len(p.Themes) > 0 {
		// The text's plain features score the same for every theme: score
		// them once, then add each theme's crossed features.
		k := h.k()
		shared := m.cfg.PlainMask&(1<<grpWord|1<<grpChar) == 1<<grpWord|1<<grpChar
		base := make([]float64, 2*k)
		z := base[k:]
		base = base[:k]
		if shared {
			h.scores(feats, base)
		}
		for i := range p.Themes {
			t := &p.Themes[i]
			fs := s.themeFeaturize(&m.cfg, text, lang, t.Name, nil, true, shared)
			h.scores(fs, z)
			if shared {
				for c := range z {
					z[c] += base[c] - float64(h.bias[c])
				}
			}
			h.probs(z)
			best := 0
			t.PolarityProbs = make(map[string]float64, k)
			for c, pr := range z {
				t.PolarityProbs[h.labels[c]] = pr
				if pr > z[best] {
					best = c
				}
			}
			t.Polarity = h.labels[best]
		}
	}
	return p, true
}

// canonical label orders.
var labelOrder = []string{Positive, Neutral, Negative, Conflict}

func orderLabels(set map[string]int) []string {
	var out []string
	for _, l := range labelOrder {
		if _, ok := set[l]; ok {
			out = append(out, l)
		}
	}
	for _, l := range sortedKeys(set) {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// Train builds a model from labelled examples: for each language, the
// sentiment head from the examples with a Label, the themes head from the
// theme-annotated examples (non-nil Themes) and the theme_polarity head
// from the themes with a Polarity. A head the data does not support (too
// few examples, a single class) is left out; Train fails only when no head
// at all can be trained or an example has no language.
func Train(examples []Example, opts Options) (*Model, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	byLang := map[string][]*Example{}
	for i := range examples {
		e := &examples[i]
		lang := strings.ToLower(strings.TrimSpace(e.Lang))
		if lang == "" {
			return nil, fmt.Errorf("learn: example %d has no language (see WithLang)", i+1)
		}
		if len(opts.Langs) > 0 && !slices.Contains(opts.Langs, lang) {
			continue
		}
		byLang[lang] = append(byLang[lang], e)
	}
	m := &Model{cfg: opts.featureConfig(), langs: map[string]*langModel{}}
	var skipped []string
	for _, lang := range sortedKeys(byLang) {
		lm := &langModel{}
		exs := byLang[lang]
		if opts.wantHead(HeadSentiment) {
			lm.sentiment, err = trainSentiment(m.cfg, exs, lang, &opts)
			if err != nil {
				skipped = append(skipped, lang+"/"+HeadSentiment+": "+err.Error())
			}
		}
		if opts.wantHead(HeadThemes) {
			lm.themes, err = trainThemes(m.cfg, exs, lang, &opts)
			if err != nil {
				skipped = append(skipped, lang+"/"+HeadThemes+": "+err.Error())
			}
		}
		if opts.wantHead(HeadThemePolarity) {
			lm.polarity, err = trainPolarity(m.cfg, exs, lang, &opts)
			if err != nil {
				skipped = append(skipped, lang+"/"+HeadThemePolarity+": "+err.Error())
			}
		}
		if lm.sentiment != nil || lm.themes != nil || lm.polarity != nil {
			m.langs[lang] = lm
		}
	}
	if len(m.langs) == 0 {
		if len(skipped) == 0 {
			return nil, errors.New("learn: no examples to train on")
		}
		return nil, fmt.Errorf("learn: nothing to train: %s", strings.Join(skipped, "; "))
	}
	return m, nil
}

// errNoData says a head has too little data; Train skips it.
type errNoData string

func (e errNoData) Error() string { return string(e) }

// classWeights returns per-row weights for a softmax head, nil when the
// examples weigh the same.
func classWeights(y []int, k int, mode string) []float64 {
	if mode != "balanced" {
		return nil
	}
	count := make([]float64, k)
	for _, c := range y {
		count[c]++
	}
	w := make([]float64, len(y))
	for i, c := range y {
		w[i] = float64(len(y)) / (float64(k) * count[c])
	}
	return w
}

func trainSentiment(cfg featureConfig, exs []*Example, lang string, o *Options) (*head, error) {
	set := map[string]int{}
	for _, e := range exs {
		if e.Label != "" {
			set[e.Label]++
		}
	}
	labels := orderLabels(set)
	if len(labels) < 2 {
		return nil, errNoData("fewer than two labels")
	}
	b := newBuilder()
	var y []int
	s := getScratch()
	defer putScratch(s)
	for _, e := range exs {
		if e.Label == "" {
			continue
		}
		b.add(s.featurize(&cfg, e.Text, lang))
		y = append(y, slices.Index(labels, e.Label))
	}
	if len(y) < o.MinExamples {
		return nil, errNoData(fmt.Sprintf("%d labelled examples, want %d", len(y), o.MinExamples))
	}
	d, buckets := b.build(o.MinCount)
	p := &problem{d: d, k: len(labels), y: y, weight: classWeights(y, len(labels), o.ClassWeight), l2: o.L2}
	x := lbfgs(p, o.Epochs, lbfgsTol)
	return makeHead(kindSoftmax, labels, x, buckets, o.Prune), nil
}

func trainPolarity(cfg featureConfig, exs []*Example, lang string, o *Options) (*head, error) {
	set := map[string]int{}
	for _, e := range exs {
		for _, t := range e.Themes {
			if t.Polarity != "" {
				set[t.Polarity]++
			}
		}
	}
	for l, n := range set { // a class seen twice cannot be learnt
		if n < 3 {
			delete(set, l)
		}
	}
	labels := orderLabels(set)
	if len(labels) < 2 {
		return nil, errNoData("fewer than two polarities")
	}
	b := newBuilder()
	var y []int
	var wts []float64
	s := getScratch()
	defer putScratch(s)
	for _, e := range exs {
		again := false
		for _, t := range e.Themes {
			c := slices.Index(labels, t.Polarity)
			if c < 0 {
				continue
			}
			b.add(s.themeFeaturize(&cfg, e.Text, lang, normTheme(t.Name), t.Spans, again, false))
			again = true
			y = append(y, c)
			wts = append(wts, 1)
		}
	}
	if len(y) < o.MinExamples {
		return nil, errNoData(fmt.Sprintf("%d theme polarities, want %d", len(y), o.MinExamples))
	}
	if o.SentenceWeight > 0 {
		for _, e := range exs {
			c := slices.Index(labels, e.Label)
			if c < 0 || e.themesAnnotated() {
				continue
			}
			b.add(s.featurize(&cfg, e.Text, lang))
			y = append(y, c)
			wts = append(wts, o.SentenceWeight)
		}
	}
	if cw := classWeights(y, len(labels), o.ClassWeight); cw != nil {
		for i := range wts {
			wts[i] *= cw[i]
		}
	}
	d, buckets := b.build(o.MinCount)
	p := &problem{d: d, k: len(labels), y: y, weight: wts, l2: o.PolarityL2}
	x := lbfgs(p, o.Epochs, lbfgsTol)
	return makeHead(kindSoftmax, labels, x, buckets, o.Prune), nil
}

func trainThemes(cfg featureConfig, exs []*Example, lang string, o *Options) (*head, error) {
	count := map[string]int{}
	n := 0
	for _, e := range exs {
		if !e.themesAnnotated() {
			continue
		}
		n++
		for _, t := range e.themeNames() {
			count[normTheme(t)]++
		}
	}
	var labels []string
	for _, t := range sortedKeys(count) {
		if count[t] >= o.MinThemeCount && count[t] < n {
			labels = append(labels, t)
		}
	}
	if len(labels) == 0 {
		return nil, errNoData("no theme with enough examples")
	}
	if n < o.MinExamples {
		return nil, errNoData(fmt.Sprintf("%d theme-annotated examples, want %d", n, o.MinExamples))
	}
	k := len(labels)
	b := newBuilder()
	y := make([]bool, 0, n*k)
	s := getScratch()
	defer putScratch(s)
	for _, e := range exs {
		if !e.themesAnnotated() {
			continue
		}
		b.add(s.featurize(&cfg, e.Text, lang))
		for _, t := range labels {
			y = append(y, slices.ContainsFunc(e.Themes, func(tl ThemeLabel) bool { return normTheme(tl.Name) == t }))
		}
	}
	d, buckets := b.build(cmp.Or(o.MinCount, 2))
	p := &problem{d: d, k: k, multilabel: true, yml: y, l2: o.ThemeL2}
	thresholds := make([]float32, k)
	for i := range thresholds {
		thresholds[i] = 0.5
	}
	if o.Folds > 1 && d.n() >= 2*o.Folds {
		oof := crossValScores(p, o.Folds, o.Seed, o.Epochs)
		for t := range k {
			thresholds[t] = float32(bestThreshold(oof, y, k, t))
		}
	}
	x := lbfgs(p, o.Epochs, lbfgsTol)
	h := makeHead(kindMultilabel, labels, x, buckets, o.Prune)
	h.thresholds = thresholds
	return h, nil
}

// crossValScores returns out-of-fold probabilities (n × K) of a
// multilabel problem.
func crossValScores(p *problem, folds int, seed int64, epochs int) []float64 {
	n, k := p.d.n(), p.k
	perm := rand.New(rand.NewPCG(uint64(seed), 0xf01d)).Perm(n)
	fold := make([]int, n)
	for i, r := range perm {
		fold[r] = i % folds
	}
	oof := make([]float64, n*k)
	z := make([]float64, k)
	for f := range folds {
		var tr, te []int
		for i := range n {
			if fold[i] == f {
				te = append(te, i)
			} else {
				tr = append(tr, i)
			}
		}
		sub := *p
		sub.d = p.d.subset(tr)
		sub.yml = make([]bool, 0, len(tr)*k)
		for _, i := range tr {
			sub.yml = append(sub.yml, p.yml[i*k:i*k+k]...)
		}
		x := lbfgs(&sub, epochs, lbfgsTol)
		for _, i := range te {
			scoreRow(p.d, x, k, i, z)
			for t := range k {
				oof[i*k+t] = sigmoid(z[t])
			}
		}
	}
	return oof
}

// bestThreshold picks the probability threshold of label t that maximises
// its F1 on out-of-fold scores.
func bestThreshold(oof []float64, y []bool, k, t int) float64 {
	best, bestF := 0.5, -1.0
	n := len(y) / k
	for th := 0.05; th < 0.951; th += 0.01 {
		tp, fp, fn := 0, 0, 0
		for i := range n {
			pred := oof[i*k+t] >= th
			switch {
			case pred && y[i*k+t]:
				tp++
			case pred:
				fp++
			case y[i*k+t]:
				fn++
			}
		}
		f := 0.0
		if tp > 0 {
			f = 2 * float64(tp) / float64(2*tp+fp+fn)
		}
		if f > bestF+1e-12 {
			best, bestF = th, f
		}
	}
	return math.Round(best*100) / 100
}

// makeHead turns optimised parameters into a head, keeping the buckets
// with a weight of at least prune in magnitude for some class, the weights
// rounded to half precision as the model file stores them.
func makeHead(kind uint8, labels []string, x []float64, buckets []uint32, prune float64) *head {
	k := len(labels)
	h := &head{kind: kind, labels: labels, bias: make([]float32, k)}
	dim := len(buckets)
	for c := range k {
		h.bias[c] = float32(x[dim*k+c])
	}
	order := make([]int, dim)
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(a, b int) int { return int(int64(buckets[a]) - int64(buckets[b])) })
	for _, j := range order {
		keep := false
		for c := range k {
			if w := roundHalf(float32(x[j*k+c])); w != 0 && math.Abs(float64(w)) >= prune {
				keep = true
				break
			}
		}
		if !keep {
			continue
		}
		h.keys = append(h.keys, buckets[j])
		for c := range k {
			h.w = append(h.w, roundHalf(float32(x[j*k+c])))
		}
	}
	h.index()
	return h
}

// MemoryBytes estimates the memory the model's tables take once loaded.
func (m *Model) MemoryBytes() int {
	n := 0
	for _, lm := range m.langs {
		for _, h := range []*head{lm.sentiment, lm.themes, lm.polarity} {
			if h != nil {
				n += 4*len(h.slots) + 4*len(h.keys)
			}
		}
	}
	return n
}
