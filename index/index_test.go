package index

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/internal/review"
)

func testIndex(t *testing.T, reviews ...review.Review) *Index {
	t.Helper()
	x, err := Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if err := x.Upsert(context.Background(), reviews); err != nil {
		t.Fatal(err)
	}
	return x
}

func rv(id, loc, lang, text string, rating float64, day string) review.Review {
	t, _ := time.Parse("2006-01-02", day)
	r := review.Review{ID: id, Brand: "acme", Location: loc, Source: loc + "-site", Kind: review.KindReview,
		Lang: lang, Text: text, Rating: review.Float(rating), PublishedAt: t, Author: "Author " + id}
	r.Normalize()
	return r
}

var corpus = []review.Review{
	rv("fr1", "paris", "fr", "Le serveur était très aimable et le café excellent.", 5, "2025-03-02"),
	rv("fr2", "paris", "fr", "Attente interminable, trente minutes pour un croissant.", 1, "2025-04-10"),
	rv("ru1", "moscow", "ru", "Официантка была очень вежливая, всё понравилось.", 5, "2025-02-11"),
	rv("ru2", "moscow", "ru", "Долго ждали заказ, еще и кофе холодный.", 2, "2025-05-01"),
	rv("en1", "london", "en", "The waiter was friendly and the coffee was great.", 4, "2025-01-20"),
	rv("en2", "london", "en", "Queues everywhere and the staff seemed lost.", 2, "2025-06-15"),
	rv("un1", "london", "und", "Sehr gut, wir kommen wieder.", 4, "2025-06-16"),
}

func ids(res *Result) string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Review.ID)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestMapping documents the index mapping: which field holds what, and how
// it is analysed.
func TestMapping(t *testing.T) {
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"text_fr": analyzerFR, "text_ru": analyzerRU, "text_en": analyzerEN, "text_und": analyzerUND,
		"title_fr": analyzerFR, "author": analyzerUND,
		"location": "keyword", "lang": "keyword", "themes": "keyword", "month": "keyword",
	}
	for field, analyzer := range want {
		if got := m.AnalyzerNameForPath(field); got != analyzer {
			t.Errorf("field %s: analyser %q, want %q", field, got, analyzer)
		}
	}
	for field, typ := range map[string]string{"rating": "number", "rating_norm": "number", "published_at": "datetime", "doc": "text"} {
		fm := m.FieldMappingForPath(field)
		if fm.Type != typ {
			t.Errorf("field %s: type %q, want %q", field, fm.Type, typ)
		}
	}
	if fm := m.FieldMappingForPath("doc"); fm.Index || !fm.Store {
		t.Errorf("doc must be stored and not indexed: %+v", fm)
	}
}

func TestStemmingPerLanguage(t *testing.T) {
	x := testIndex(t, corpus...)
	tests := []struct{ name, query, want string }{
		{"french plural finds singular", "serveurs", "fr1"},
		{"russian case form", "официантки", "ru1"},
		{"russian yo folding", "все понравилось", "ru1"},
		{"english plural", "waiters", "en1"},
		{"english verb form", "queue", "en2"},
		{"phrase", `"coffee was great"`, "en1"},
		{"field and must", "+text:attente location:paris", "fr2"},
		{"must not", "+location:london -staff", "en1,un1"},
		{"numeric field", "+rating:>=4 +location:paris", "fr1"},
		{"accents folded", "cafe", "fr1"},
		{"accents folded in query", "intérminable", "fr2"},
		{"prefix with accent", "Désagr* attent*", "fr2"},
		{"rating equals", "rating:2", "en2,ru2"},
		{"prefix", "croiss*", "fr2"},
		{"fuzzy", "interminabel~1", "fr2"},
		{"date range", `date:>="2025-06-01"`, "en2,un1"},
		{"lang keyword", "lang:RU", "ru1,ru2"},
		{"unknown language text", "kommen", "un1"},
		// Field clauses filter; the words keep their meaning.
		{"field filters the words", "location:london coffee", "en1"},
		{"field filters either word", "location:moscow кофе официантка", "ru1,ru2"},
		{"two values of one field", "lang:fr lang:en waiter", "en1"},
		{"two values of one field without words", "location:paris location:moscow", "fr1,fr2,ru1,ru2"},
		{"fields and words", "location:london rating:>=4 coffee", "en1"},
		{"filter with must and must not", "location:paris +croissant -serveur", "fr2"},
		{"optional word beside a must", "location:london +coffee friendly", "en1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(context.Background(), Query{Text: tt.query, Size: 20})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res); got != tt.want {
				t.Errorf("query %q found %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	x := testIndex(t, corpus...)
	from, _ := time.Parse("2006-01-02", "2025-03-01")
	to, _ := time.Parse("2006-01-02", "2025-06-01")
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"locations", Query{Locations: []string{"paris", "moscow"}}, "fr1,fr2,ru1,ru2"},
		{"lang", Query{Langs: []string{"en"}}, "en1,en2"},
		{"dates", Query{From: from, To: to}, "fr1,fr2,ru2"},
		{"rating range", Query{MinRating: review.Float(4)}, "en1,fr1,ru1,un1"},
		{"text and filter", Query{Text: "coffee café кофе", Locations: []string{"moscow"}}, "ru2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Size = 20
			res, err := x.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res); got != tt.want {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBadQueries(t *testing.T) {
	x := testIndex(t, corpus...)
	tests := []struct{ name, query, wantErr string }{
		{"unknown field", "colour:red", `unknown field "colour"`},
		{"syntax", `"unclosed`, "bad query"},
		{"number field with words", "rating:good", "is a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x.Search(context.Background(), Query{Text: tt.query})
			var qe *QueryError
			if !errors.As(err, &qe) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want a QueryError containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestUpsertIsIdempotentAndRoundTrips(t *testing.T) {
	x := testIndex(t, corpus...)
	edited := corpus[0]
	edited.Text = "Le serveur était désagréable."
	if err := x.Upsert(context.Background(), append([]review.Review{edited}, corpus[1:]...)); err != nil {
		t.Fatal(err)
	}
	n, err := x.Count()
	if err != nil || n != uint64(len(corpus)) {
		t.Fatalf("count = %d, %v; want %d", n, err, len(corpus))
	}
	got, ok, err := x.Get("fr1")
	if err != nil || !ok {
		t.Fatalf("get: %v %v", ok, err)
	}
	if got.Text != edited.Text || got.Author != edited.Author || *got.Rating != 5 || !got.PublishedAt.Equal(edited.PublishedAt) {
		t.Errorf("round trip: got %+v", got)
	}
	known, err := x.Lookup(context.Background(), []string{"fr1", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != 1 || known["fr1"].Hash != edited.ContentHash() {
		t.Errorf("lookup = %+v, want the edited hash", known)
	}
}

func TestHighlights(t *testing.T) {
	x := testIndex(t, append(corpus, rv("fr3", "lyon", "fr", "Très désagréable : vingt minutes d'attente.", 1, "2025-07-01"))...)
	res, err := x.Search(context.Background(), Query{Text: "attente", Highlight: true})
	if err != nil || len(res.Hits) != 2 {
		t.Fatalf("search: %v, %d hits", err, len(res.Hits))
	}
	for _, h := range res.Hits {
		if frag := strings.ToLower(h.Highlights["text"][0]); !strings.Contains(frag, "attente"+MarkEnd) || strings.Contains(frag, MarkStart+"tes") {
			t.Errorf("accents must not shift highlights: %q", frag)
		}
	}
	res, err = x.Search(context.Background(), Query{Text: "serveurs", Highlight: true})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("search: %v, %d hits", err, len(res.Hits))
	}
	frags := res.Hits[0].Highlights["text"]
	if len(frags) == 0 || !strings.Contains(frags[0], MarkStart+"serveur"+MarkEnd) {
		t.Errorf("highlights = %q", frags)
	}
}

func TestReopenChecksVersion(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.b.SetInternal([]byte(versionKey), []byte("0")); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if _, err := Open(dir); !errors.Is(err, ErrVersion) {
		t.Fatalf("open with old version: %v", err)
	}
}
