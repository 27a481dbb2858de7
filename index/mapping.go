// Package index stores reviews in bleve and answers searches over them.
//
// The mapping is explicit and built in code (NewMapping). Review text is
// indexed in one field per language (text_fr, text_ru, text_en, text_und)
// so that each is analysed with its own stemmer and stop words; queries on
// "text" are expanded to all of them, each analysed its own way, so that
// `serveurs` finds "serveur", `официантки` finds "официантка" and
// `waiters` finds "waiter".
package index

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/regexp"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/unicodenorm"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// MappingVersion changes whenever the mapping changes in a way that needs
// the index rebuilt.
const MappingVersion = "3"

// Languages with their own analysed fields. Text in any other language is
// indexed under "und" with a language-neutral analyser.
var Languages = []string{"fr", "ru", "en", "und"}

// Analyser names, by language.
const (
	analyzerFR  = "vigie_fr"
	analyzerRU  = "vigie_ru"
	analyzerEN  = "vigie_en"
	analyzerUND = "vigie_und"
	// analyzerWords keeps words whole (lower case, no accents) for prefix,
	// wildcard and regular-expression queries, which stems would defeat
	// ("croiss*" must find "croissant", stemmed "croi").
	analyzerWords = "vigie_words"
)

var analyzerFor = map[string]string{"fr": analyzerFR, "ru": analyzerRU, "en": analyzerEN, "und": analyzerUND}

// Field names in the index.
const (
	FieldBrand     = "brand"
	FieldLocation  = "location"
	FieldSource    = "source"
	FieldKind      = "kind"
	FieldLang      = "lang"
	FieldSentiment = "sentiment"
	FieldThemes    = "themes"
	FieldAuthor    = "author"
	FieldRating    = "rating"
	FieldRatingN   = "rating_norm"
	FieldPublished = "published_at"
	FieldMonth     = "month" // YYYY-MM of published_at, for fast term facets
	FieldWeek      = "week"  // ISO week YYYY-Www
	FieldDay       = "day"   // YYYY-MM-DD
	FieldHash      = "hash"  // content hash, to tell edits from unchanged reviews
	FieldDoc       = "doc"   // the review's JSON, stored, not indexed
	FieldWords     = "words" // text and title unstemmed, for wildcard queries
)

// TextField and TitleField name the analysed field of a language.
func TextField(lang string) string  { return "text_" + indexLang(lang) }
func TitleField(lang string) string { return "title_" + indexLang(lang) }

func indexLang(lang string) string {
	if _, ok := analyzerFor[lang]; ok {
		return lang
	}
	return "und"
}

// NewMapping returns Vigie's index mapping.
func NewMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = analyzerUND
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false

	// Russian: "ё" is written "е" as often as not; fold it before
	// stemming so that "всё" finds "все" and "ещё" finds "еще".
	if err := m.AddCustomCharFilter("yo_to_ye", map[string]any{
		"type": regexp.Name, "regexp": "[ёЁ]", "replace": "е",
	}); err != nil {
		return nil, err
	}
	analyzers := map[string]map[string]any{
		analyzerFR: {
			// Folding accents after stemming lets "cafe" find "café".
			"type": custom.Name, "tokenizer": unicode.Name,
			"token_filters": []any{fr.ElisionName, lowercase.Name, fr.StopName, fr.LightStemmerName, "fold"},
		},
		analyzerRU: {
			"type": custom.Name, "tokenizer": unicode.Name, "char_filters": []any{"yo_to_ye"},
			"token_filters": []any{lowercase.Name, ru.StopName, ru.SnowballStemmerName},
		},
		analyzerEN: {
			"type": custom.Name, "tokenizer": unicode.Name,
			"token_filters": []any{en.PossessiveName, lowercase.Name, en.StopName, en.SnowballStemmerName, "fold"},
		},
		analyzerUND: {
			"type": custom.Name, "tokenizer": unicode.Name,
			"token_filters": []any{"nfkc", lowercase.Name},
		},
		analyzerWords: {
			"type": custom.Name, "tokenizer": unicode.Name, "char_filters": []any{"yo_to_ye"},
			"token_filters": []any{"nfkc", lowercase.Name, "fold"},
		},
	}
	if err := m.AddCustomTokenFilter("fold", map[string]any{"type": foldFilterType}); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter("nfkc", map[string]any{"type": unicodenorm.Name, "form": unicodenorm.NFKC}); err != nil {
		return nil, err
	}
	for name, def := range analyzers {
		if err := m.AddCustomAnalyzer(name, def); err != nil {
			return nil, err
		}
	}

	doc := bleve.NewDocumentStaticMapping()
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = true
		return f
	}
	for _, name := range []string{FieldBrand, FieldLocation, FieldSource, FieldKind, FieldLang, FieldSentiment, FieldThemes, FieldMonth, FieldWeek, FieldDay} {
		doc.AddFieldMappingsAt(name, kw())
	}
	hash := kw()
	hash.Store = true
	hash.DocValues = false
	doc.AddFieldMappingsAt(FieldHash, hash)

	author := bleve.NewTextFieldMapping()
	author.Analyzer = analyzerUND
	author.Store = false
	author.IncludeInAll = false
	author.DocValues = false
	doc.AddFieldMappingsAt(FieldAuthor, author)

	for _, name := range []string{FieldRating, FieldRatingN} {
		f := bleve.NewNumericFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		doc.AddFieldMappingsAt(name, f)
	}
	published := bleve.NewDateTimeFieldMapping()
	published.Store = false
	published.IncludeInAll = false
	doc.AddFieldMappingsAt(FieldPublished, published)

	for _, lang := range Languages {
		for _, field := range []string{TextField(lang), TitleField(lang)} {
			f := bleve.NewTextFieldMapping()
			f.Analyzer = analyzerFor[lang]
			// Stored with term vectors: search results highlight from them.
			f.Store = true
			f.IncludeTermVectors = true
			f.IncludeInAll = false
			f.DocValues = false
			doc.AddFieldMappingsAt(field, f)
		}
	}

	words := bleve.NewTextFieldMapping()
	words.Analyzer = analyzerWords
	words.Store = false
	words.IncludeTermVectors = false
	words.IncludeInAll = false
	words.DocValues = false
	doc.AddFieldMappingsAt(FieldWords, words)

	stored := bleve.NewTextFieldMapping()
	stored.Index = false
	stored.Store = true
	stored.IncludeInAll = false
	stored.IncludeTermVectors = false
	stored.DocValues = false
	doc.AddFieldMappingsAt(FieldDoc, stored)

	AddAggregateMappings(doc)
	m.DefaultMapping = doc
	return m, nil
}
