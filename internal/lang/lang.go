// Package lang identifies the language of review texts among French,
// Russian and English; anything else, and anything undecidable, is "und".
//
// Detection is a cascade, cheapest first:
//
//  1. Script. Texts with fewer than two letters are "und", and so are texts
//     where another script (Greek, Arabic, CJK...) outweighs Latin and
//     Cyrillic. Links, @mentions, e-mail addresses, "RT", "&amp;", digits
//     and emoji are not read.
//  2. Cyrillic: Russian, unless letters Russian lacks (і ї є ґ ў ђ ћ ј љ њ
//     ѓ ќ ѕ, Kazakh and other letters) or words only Ukrainian, Belarusian,
//     Bulgarian, Serbian or Macedonian use are frequent enough. A text with
//     no word that only Russian has is also shown to a small lingua-go model
//     of the Cyrillic languages.
//  3. Latin: function words, frequent review words and letters are counted
//     for English, French and some thirty other Latin-script languages (own
//     lists, see words.go). A clear margin decides: English, French, or "und"
//     when another language wins. Reviews of a sentence or more nearly
//     always stop here, in a few microseconds.
//  4. lingua-go, for what the words leave open (short or mixed texts):
//     English against French in high-accuracy mode, combined with the word
//     counts and the hint; and, for texts of 20 letters or more, a
//     low-accuracy model of common Latin-script languages that turns a text
//     clearly in none of English and French into "und". The models are
//     loaded once per process, on first need (about 0.5 s, 80 MiB).
//
// Only a prefix of a text is read: at most Options.MaxLetters letters, and
// less once the words leave no doubt.
package lang

import (
	"math"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"
)

// The answers Detect gives.
const (
	English = "en"
	French  = "fr"
	Russian = "ru"
	Unknown = "und"
)

// Result is a detected language.
type Result struct {
	// Lang is "fr", "ru", "en" or "und".
	Lang string
	// Confidence is in [0,1]: an estimate of the probability that Lang is
	// right when it is not "und" (at least Options.MinConfidence then), and
	// 0 for "und".
	Confidence float64
}

// Options tune a Detector. The zero value is usable but applies no
// confidence floor; DefaultOptions holds the measured defaults.
type Options struct {
	// MinConfidence: a language whose confidence is below it becomes "und".
	// Confidence is roughly calibrated: on the development set answers
	// with confidence in [0.5,0.55) are right 58% of the time, [0.6,0.65)
	// 69%, [0.7,0.8) 91%, 0.8 and above 98-100%. Raise it if a wrong
	// language costs more downstream than no language.
	MinConfidence float64
	// MaxLetters bounds the letters read from the start of a text (0 means
	// 400): past a few sentences more text changes no decision.
	MaxLetters int
	// NoLingua keeps lingua-go out entirely (about 80 MiB less RSS, no
	// load time, no slow path): texts the words leave open go to the
	// language with more word evidence, if any, else "und". On the
	// development set English and French sentences and tweets lose 1 to 4
	// points (to "und", rarely to a wrong answer); single words and pairs
	// fall to 35-45%, the rest "und". Russian is unaffected.
	NoLingua bool
}

// DefaultOptions returns the options Default uses, chosen by measurement on
// the development set (see the package tests).
func DefaultOptions() Options {
	return Options{MinConfidence: defaultMinConfidence, MaxLetters: defaultMaxLetters}
}

const (
	// Every confidence bucket is right more often than wrong, so any floor
	// above 0.5 turns more right answers than wrong ones into "und" (0.6
	// would cost 5.5 points of single-word accuracy to remove 3.7 points
	// of errors). With equal costs for "wrong" and "und", 0.5 is best.
	defaultMinConfidence = 0.5
	defaultMaxLetters    = 400
)

// Detector detects languages. It is safe for concurrent use.
type Detector struct {
	opts Options
}

// New returns a Detector. It is cheap: lingua-go's models are loaded on the
// first text that needs them, once per process.
func New(opts Options) *Detector {
	if opts.MaxLetters <= 0 {
		opts.MaxLetters = defaultMaxLetters
	}
	return &Detector{opts: opts}
}

var (
	defaultOnce sync.Once
	defaultDet  *Detector
)

// Default returns the process-wide Detector with DefaultOptions.
func Default() *Detector {
	defaultOnce.Do(func() { defaultDet = New(DefaultOptions()) })
	return defaultDet
}

// tuning holds the constants of the cascade, chosen by the sweeps in
// tuning_test.go over the development set and testdata/others.tsv. It is a
// variable only so that those sweeps can vary it; nothing changes it at run
// time.
var tuning = struct {
	// A Latin-script text is decided by words alone when the leading
	// language has at least clearMin words of evidence and clearMargin more
	// than any other. (2,1) lets errors through; (2,3) and (3,3) gain one
	// tweet in 1,800 and send more texts to lingua.
	clearMin, clearMargin float64
	// Weight of one word of evidence against lingua's log odds (0.6 to 1.0
	// measure the same).
	wordWeight float64
	// The gate (is it another Latin-script language?) runs on texts of at
	// least gateMinLetters letters that show some sign of another language
	// or none of English and French. It says "und" when
	//   logit(P(en or fr)) < gateBias + gateWeight*(other words - en/fr words),
	// that is when the low-accuracy model is very sure and the words do not
	// disagree. -5 and -6 lose English sentences; -12 lets others through.
	gateMinLetters       int
	gateBias, gateWeight float64
	// Weight of the source's declared language: a prior worth a factor 2
	// in odds, enough to settle a close call, never a clear one. Measured:
	// right hints lift single words from 92.7% to 98.1%, wrong ones drop
	// them to 83.5% (sentences move by at most 0.7 points), so hints pay
	// as soon as they are right two times in three.
	hintWeight float64
	// Cyrillic: a text with words that only another Cyrillic language has
	// stays Russian if Russian words outnumber them cyrRatio to one.
	cyrRatio int
	// A Cyrillic text with fewer than cyrSure words that only Russian has
	// (so none), and at least cyrGateMinLetters letters, is shown to the
	// Cyrillic gate, which says "und" when logit(P(ru)) < cyrGateBias. Any
	// higher bias, lower length or larger cyrSure costs Russian sentences;
	// 30 letters lets Ukrainian and Bulgarian through.
	cyrSure, cyrGateMinLetters int
	cyrGateBias                float64
}{
	clearMin:          2,
	clearMargin:       2,
	wordWeight:        0.6,
	gateMinLetters:    20,
	gateBias:          -8,
	gateWeight:        1,
	hintWeight:        0.7,
	cyrRatio:          3,
	cyrSure:           1,
	cyrGateMinLetters: 20,
	cyrGateBias:       -4,
}

// stage says which step of the cascade decided (for tests and tuning).
type stage uint8

const (
	stageScript   stage = iota // no letters, or another script
	stageCyrWords              // Cyrillic letters and words
	stageCyrGate               // the Cyrillic low-accuracy model was asked
	stageWords                 // Latin script, function words alone
	stageLingua                // lingua's English/French model (the gate did not run or let it through)
	stageGate                  // the Latin gate found another language
)

// Detect returns the language of text. hint is the language the source
// declares for it ("fr-FR", "ru", "" when none): a weak prior that settles
// close calls, never one the text itself decides.
func (d *Detector) Detect(text, hint string) Result {
	r, _ := d.detect(text, hint)
	return r
}

func (d *Detector) detect(text, hint string) (Result, stage) {
	if text == "" {
		return Result{Lang: Unknown}, stageScript
	}
	h := parseHint(hint)
	maxBytes := 16 * d.opts.MaxLetters
	var f features
	f.scan(text, d.opts.MaxLetters, maxBytes)
	if f.combining {
		// Decomposed accents ("e\u0301"): compose the prefix and read again,
		// so that letters and words match the lists.
		end := min(len(text), maxBytes)
		for end < len(text) && !startsRune(text[end]) {
			end++
		}
		text = norm.NFC.String(text[:end])
		f = features{}
		f.scan(text, d.opts.MaxLetters, maxBytes)
	}
	var r Result
	var st stage
	switch {
	case f.letters() < 2 || f.other >= f.latin+f.cyr:
		// No letters, a lone initial ("P."), or another script.
		return Result{Lang: Unknown}, stageScript
	case f.cyr > f.latin || (f.cyr > 0 && f.cyrWords > int(f.lat[lEN]+f.lat[lFR]) &&
		(f.cyrWords >= 2 || 2*f.cyr >= f.latin)):
		// Mostly Cyrillic, or Cyrillic words around Latin names and brands
		// ("Заказывал iPhone в Apple Store") that are no English or French.
		r, st = d.cyrillic(text[:f.end], &f, h)
	default:
		r, st = d.latinText(text[:f.end], &f, h)
	}
	if r.Lang != Unknown && r.Confidence < d.opts.MinConfidence {
		return Result{Lang: Unknown}, st
	}
	return r, st
}

func startsRune(b byte) bool { return b&0xC0 != 0x80 }

// hintKind is what a source's declared language says.
type hintKind int

const (
	hintNone     hintKind = iota
	hintEN                // English
	hintFR                // French
	hintRU                // Russian
	hintLatin             // another language written in Latin script
	hintCyrillic          // another language written in Cyrillic
)

// cyrillicLangs are the ISO 639-1/-3 codes of languages usually written in
// Cyrillic; a hint naming another language (German, Japanese) says nothing
// about a Cyrillic text.
var cyrillicLangs = map[string]bool{
	"uk": true, "ukr": true, "be": true, "bel": true, "bg": true, "bul": true, "sr": true, "srp": true,
	"mk": true, "mkd": true, "mac": true, "kk": true, "kaz": true, "ky": true, "kir": true, "mn": true,
	"mon": true, "tg": true, "tgk": true, "tt": true, "tat": true, "ba": true, "bak": true, "cv": true,
	"chv": true, "ce": true, "che": true, "os": true, "oss": true, "sah": true, "rue": true,
}

// latinLangs are the codes of languages written in Latin script that the
// gate knows or that reviews often come in; other codes are no hint for a
// Latin-script text.
var latinLangs = map[string]bool{
	"de": true, "deu": true, "ger": true, "nl": true, "nld": true, "dut": true, "af": true, "afr": true,
	"es": true, "spa": true, "pt": true, "por": true, "it": true, "ita": true, "ca": true, "cat": true,
	"ro": true, "ron": true, "rum": true, "pl": true, "pol": true, "cs": true, "ces": true, "cze": true,
	"sk": true, "slk": true, "slo": true, "hr": true, "hrv": true, "bs": true, "bos": true, "sh": true,
	"sl": true, "slv": true, "hu": true, "hun": true, "fi": true, "fin": true, "et": true, "est": true,
	"sv": true, "swe": true, "da": true, "dan": true, "no": true, "nor": true, "nb": true, "nob": true,
	"nn": true, "nno": true, "is": true, "isl": true, "ice": true, "tr": true, "tur": true, "az": true,
	"aze": true, "id": true, "ind": true, "ms": true, "msa": true, "may": true, "tl": true, "tgl": true,
	"fil": true, "sw": true, "swa": true, "vi": true, "vie": true, "lt": true, "lit": true, "lv": true,
	"lav": true, "sq": true, "sqi": true, "alb": true, "eu": true, "eus": true, "baq": true, "ga": true,
	"gle": true, "cy": true, "cym": true, "wel": true, "la": true, "lat": true, "eo": true, "epo": true,
	"gl": true, "glg": true, "mt": true, "mlt": true, "lb": true, "ltz": true,
}

// parseHint reads "fr", "fr-FR", "fr_CA", "fra", "FR"... "und", unknown
// codes and anything unreadable are no hint.
func parseHint(s string) hintKind {
	if s == "" {
		return hintNone
	}
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return hintNone
	}
	var b [3]byte
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return hintNone
		}
		b[i] = c
	}
	switch code := string(b[:len(s)]); {
	case code == "en" || code == "eng":
		return hintEN
	case code == "fr" || code == "fra" || code == "fre":
		return hintFR
	case code == "ru" || code == "rus":
		return hintRU
	case latinLangs[code]:
		return hintLatin
	case cyrillicLangs[code]:
		return hintCyrillic
	}
	return hintNone
}

// cyrillic decides a text written mostly in Cyrillic: Russian unless words
// that only another Cyrillic language uses (or letters Russian lacks) are
// frequent enough.
func (d *Detector) cyrillic(prefix string, f *features, h hintKind) (Result, stage) {
	ru := int(f.cyrl[cRU])
	other := 0
	for l := cUK; l < nCyr; l++ {
		other = max(other, int(f.cyrOnly[l]))
	}
	// One short word shared with another language proves little ("е",
	// "са"); letters Russian lacks, two such words, or one in a very short
	// text do.
	if other > 0 && ru < tuning.cyrRatio*other &&
		(f.cyrForeign > 0 || other >= 2 || (ru == 0 && f.cyrWords <= 3)) {
		return Result{Lang: Unknown}, stageCyrWords
	}
	st := stageCyrWords
	if int(f.ruOnly) < tuning.cyrSure && f.cyr >= tuning.cyrGateMinLetters && !d.opts.NoLingua {
		// Few words are Russian alone: Ukrainian or Bulgarian written
		// without their telltale letters and words look the same so far.
		bias := tuning.cyrGateBias
		switch h {
		case hintRU:
			bias -= tuning.hintWeight
		case hintCyrillic:
			bias += tuning.hintWeight
		}
		st = stageCyrGate
		if logit(cyrProb(linguaText(prefix))) < bias {
			return Result{Lang: Unknown}, st
		}
	}
	// Russian is by far the most common Cyrillic language; each Russian
	// function word makes it surer, words of another language less sure.
	conf := 0.85 + 0.15*(1-math.Exp(-float64(ru-other)/2))
	if ru-other <= 0 {
		conf = 0.85
	}
	if h == hintRU {
		conf = 1 - (1-conf)/3
	}
	return Result{Lang: Russian, Confidence: conf}, st
}

// latinText decides a text written mostly in Latin script; prefix is the
// part scan read.
func (d *Detector) latinText(prefix string, f *features, h hintKind) (Result, stage) {
	en, fr := float64(f.lat[lEN]), float64(f.lat[lFR])
	other := 0.0
	for l := lDE; l < nLatin; l++ {
		other = max(other, float64(f.lat[l]))
	}
	// Words alone, when the margin is clear.
	top, second, lang := en, max(fr, other), English
	if fr > en {
		top, second, lang = fr, max(en, other), French
	}
	if other > top {
		top, second, lang = other, max(en, fr), Unknown
	}
	if top >= tuning.clearMin && top-second >= tuning.clearMargin {
		if lang == Unknown {
			return Result{Lang: Unknown}, stageWords
		}
		return Result{Lang: lang, Confidence: 1 - 0.05*math.Exp(-(top-second-tuning.clearMargin)/2)}, stageWords
	}
	if d.opts.NoLingua {
		switch {
		case other >= max(en, fr):
			return Result{Lang: Unknown}, stageWords
		case en > fr:
			return Result{Lang: English, Confidence: 1 - 0.5*math.Exp(-(en-fr)/2)}, stageWords
		case fr > en:
			return Result{Lang: French, Confidence: 1 - 0.5*math.Exp(-(fr-en)/2)}, stageWords
		}
		return Result{Lang: Unknown}, stageWords
	}

	if other > max(en, fr) && f.latinWords <= 2 {
		// A word or two of another language and none of English or French
		// ("Danke!", "Gracias"). In longer texts such words are as often
		// names, initials or laughter ("ha ha"): the gate judges those.
		return Result{Lang: Unknown}, stageWords
	}
	text := linguaText(prefix)
	pEN, pFR := pairProbs(text)
	if pEN+pFR == 0 {
		return Result{Lang: Unknown}, stageLingua
	}
	// Combine lingua's odds with the word counts and the hint.
	const eps = 1e-4 // lingua's 0 and 1 are not certainties
	z := math.Log((pEN+eps)/(pFR+eps)) + tuning.wordWeight*(en-fr)
	switch h {
	case hintEN:
		z += tuning.hintWeight
	case hintFR:
		z -= tuning.hintWeight
	}
	lang, conf := English, sigmoid(z)
	switch {
	case z < 0:
		lang, conf = French, sigmoid(-z)
	case z == 0:
		return Result{Lang: Unknown}, stageLingua // nothing to go on
	}
	if f.latin >= tuning.gateMinLetters && (other > 0 || en+fr == 0) {
		// Only texts with some sign of another language, or none of
		// English and French, are worth the gate's cost.
		enfr := gateProb(text)
		bias := tuning.gateBias
		switch h {
		case hintEN, hintFR:
			bias -= tuning.hintWeight
		case hintLatin:
			bias += tuning.hintWeight
		}
		if logit(enfr) < bias+tuning.gateWeight*(other-max(en, fr)) {
			return Result{Lang: Unknown}, stageGate
		}
	}
	return Result{Lang: lang, Confidence: conf}, stageLingua
}

func logit(p float64) float64 {
	const eps = 1e-6
	p = min(max(p, eps), 1-eps)
	return math.Log(p / (1 - p))
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
