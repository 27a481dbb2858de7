package index

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// foldFilterType removes accents from terms ("café" -> "cafe"), so that
// queries typed without them still match. It is a token filter, not a
// character filter: character filters that change byte lengths shift
// every offset after them, and highlights land on the wrong letters.
const foldFilterType = "vigie_fold"

func init() {
	err := registry.RegisterTokenFilter(foldFilterType, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}

type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = foldAccents(t.Term)
	}
	return in
}

// foldAccents strips combining marks from Latin letters. Cyrillic is left
// alone: "й" is a letter of its own, not "и" with a mark.
func foldAccents(term []byte) []byte {
	ascii := true
	for _, c := range term {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return term
	}
	out := make([]byte, 0, len(term))
	for _, r := range norm.NFD.String(string(term)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'œ':
			out = append(out, "oe"...)
			continue
		case 'æ':
			out = append(out, "ae"...)
			continue
		case 'ß':
			out = append(out, "ss"...)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	// Recompose what was not stripped (Cyrillic й, ё decomposed by NFD).
	return norm.NFC.Bytes(out)
}
