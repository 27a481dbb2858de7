package lang

import (
	"sync"

	"github.com/pemistahl/lingua-go"
)

// Three lingua-go detectors, each built once per process on first need:
//
//   - pair: English and French in high-accuracy mode, to tell the two apart
//     on texts the word stage left open. Russian is not loaded: Cyrillic text
//     never reaches lingua (the script decides), and its models would cost
//     about 33 MiB of RSS for nothing.
//   - cyr: the Cyrillic-script languages in low-accuracy mode (about 11
//     MiB), asked only when a Cyrillic text has too few words that are
//     Russian alone, to notice Ukrainian, Bulgarian and the like.
//   - gate: English, French and the Latin-script languages reviews most often
//     come in otherwise, in low-accuracy mode (trigrams only, about 1 MiB
//     each), to notice that an open text is none of English and French.
//
// lingua-go keeps models in package-level maps, so the pair and the gate
// share the English and French trigrams, and further Detectors cost nothing.
var (
	pairOnce, gateOnce, cyrOnce sync.Once
	pairDet, gateDet, cyrDet    lingua.LanguageDetector
)

// gateLanguages are English, French and the languages tourists and
// neighbours most often write reviews in. Each costs about 1 MiB and makes
// every gate call slower (28 languages cost 1.6 times the CPU of 16); the
// word lists cover more languages than the gate does.
var gateLanguages = []lingua.Language{
	lingua.English, lingua.French,
	lingua.German, lingua.Dutch, lingua.Spanish, lingua.Portuguese, lingua.Italian, lingua.Catalan,
	lingua.Romanian, lingua.Polish, lingua.Czech, lingua.Slovak, lingua.Croatian, lingua.Hungarian,
	lingua.Finnish, lingua.Swedish, lingua.Danish, lingua.Turkish, lingua.Indonesian,
}

func pairDetector() lingua.LanguageDetector {
	pairOnce.Do(func() {
		pairDet = lingua.NewLanguageDetectorBuilder().
			FromLanguages(lingua.English, lingua.French).
			WithPreloadedLanguageModels().
			Build()
	})
	return pairDet
}

func gateDetector() lingua.LanguageDetector {
	gateOnce.Do(func() {
		gateDet = lingua.NewLanguageDetectorBuilder().
			FromLanguages(gateLanguages...).
			WithLowAccuracyMode().
			WithPreloadedLanguageModels().
			Build()
	})
	return gateDet
}

// pairProbs returns lingua's probabilities for English and French (summing
// to 1, or both 0 when lingua finds nothing to judge).
func pairProbs(text string) (en, fr float64) {
	for _, v := range pairDetector().ComputeLanguageConfidenceValues(text) {
		switch v.Language() {
		case lingua.English:
			en = v.Value()
		case lingua.French:
			fr = v.Value()
		}
	}
	return en, fr
}

// gateProb returns the low-accuracy probability that text is English or
// French rather than one of the other gate languages (1 when the model
// finds nothing to judge: no evidence against them).
func gateProb(text string) float64 {
	p, all := 0.0, 0.0
	for _, v := range gateDetector().ComputeLanguageConfidenceValues(text) {
		all += v.Value()
		if l := v.Language(); l == lingua.English || l == lingua.French {
			p += v.Value()
		}
	}
	if all == 0 {
		return 1
	}
	return p
}

func cyrDetector() lingua.LanguageDetector {
	cyrOnce.Do(func() {
		cyrDet = lingua.NewLanguageDetectorBuilder().
			FromAllLanguagesWithCyrillicScript().
			WithLowAccuracyMode().
			WithPreloadedLanguageModels().
			Build()
	})
	return cyrDet
}

// cyrProb returns the low-accuracy probability that text is Russian rather
// than another Cyrillic-script language (1 when the model finds nothing to
// judge).
func cyrProb(text string) float64 {
	p, all := 0.0, 0.0
	for _, v := range cyrDetector().ComputeLanguageConfidenceValues(text) {
		all += v.Value()
		if v.Language() == lingua.Russian {
			p = v.Value()
		}
	}
	if all == 0 {
		return 1
	}
	return p
}
