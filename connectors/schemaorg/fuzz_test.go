package schemaorg

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/review"
)

// checkExtraction asserts what holds for every extraction, whatever the
// input.
func checkExtraction(t *testing.T, ext connectors.Extraction) {
	t.Helper()
	for i, r := range ext.Reviews {
		if r.Kind != review.KindReview {
			t.Fatalf("review %d: kind %q", i, r.Kind)
		}
		if r.Text == "" && r.Rating == nil && r.Title == "" {
			t.Fatalf("review %d has neither text, rating nor title", i)
		}
		if r.Rating != nil && r.BestRating == nil {
			t.Fatalf("review %d: rating without a scale", i)
		}
		if r.ID != "" || r.Source != "" || r.RatingNorm != nil || !r.FetchedAt.IsZero() {
			t.Fatalf("review %d: pipeline fields filled: %+v", i, r)
		}
	}
	if a := ext.Aggregate; a != nil && a.Value == nil {
		t.Fatal("aggregate without a value")
	}
}

func addSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err == nil {
			f.Add(b)
		}
	}
}

func FuzzJSONLD(f *testing.F) {
	f.Add([]byte(`{"@context":"https://schema.org","@type":"Product","review":[{"@type":"Review","author":"A","reviewRating":{"ratingValue":"4,5"},"reviewBody":"x","datePublished":"2024-01-02"}],"aggregateRating":{"ratingValue":4,"reviewCount":2}}`))
	f.Add([]byte(`{"@graph":[{"@id":"#r","@type":"Review","author":{"@id":"#p"}},{"@id":"#p","name":"P"},{"@type":"Thing","review":{"@id":"#r"}}]}`))
	f.Add([]byte("<!--{'a': \"b\nc\",}-->{\"@type\":\"review\",\"reviewRating\":\"5\"}"))
	f.Add([]byte(`[[[[{"@list":[{"@value":"x","@language":"fr"}]}]]]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		parseLenient(string(body))
		ext, err := Extract(connectors.Document{URL: "https://example.test/p", ContentType: "application/ld+json", Body: body}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkExtraction(t, ext)
	})
}

func FuzzMicrodata(f *testing.F) {
	addSeeds(f, "microdata-meta.html", "duplicates.html", "french.html", "datavocabulary.html")
	f.Add([]byte(`<div itemscope itemtype="https://schema.org/Review" itemref="a b"><span itemprop="reviewRating">5</span></div><p id="a" itemprop="author">Ann</p><div id="b" itemscope itemref="b"></div>`))
	f.Add([]byte(`<div id="x" itemscope itemref="x"><div itemprop="review" itemscope itemref="x"><b itemprop="reviewBody">t</b></div></div>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ext, err := Extract(connectors.Document{URL: "https://example.test/p", Body: body}, Options{NextSelector: "a.next"})
		if err != nil {
			t.Fatal(err)
		}
		checkExtraction(t, ext)
	})
}

func FuzzRDFa(f *testing.F) {
	addSeeds(f, "rdfa.html", "datavocabulary.html")
	f.Add([]byte(`<div vocab="https://schema.org/" typeof="Product"><div property="review" typeof="Review"><span property="reviewRating">4</span><span property="author" typeof="Person">Bo</span></div></div>`))
	f.Add([]byte(`<div xmlns:v="http://rdf.data-vocabulary.org/#" typeof="v:Review" prefix="x: http://schema.org/"><span rel="v:rating"><span rel="v:rating"><i typeof="v:Rating"><b property="v:value">2</b></i></span></span><span property="x:reviewBody">z</span></div>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ext, err := Extract(connectors.Document{URL: "https://example.test/p", Body: body}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkExtraction(t, ext)
	})
}
