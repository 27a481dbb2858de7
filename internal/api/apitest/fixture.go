// Package apitest holds the fixture the API and dashboard tests share: a
// small index with known contents (three languages, enriched and plain
// reviews, replies, survey answers, markup pasted by customers) and its
// configuration.
package apitest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/review"
)

// Now is the present of the fixture: its reviews are dated before.
var Now = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

// Brands is the configuration of the fixture.
var Brands = []config.Brand{{ID: "acme", Name: "Acme Café", Locations: []config.Location{
	{ID: "lyon", Name: "Lyon Part-Dieu", City: "Lyon", Country: "FR", Sources: []config.Source{{ID: "lyon-site", Kind: "schemaorg"}}},
	{ID: "paris", Name: "Paris Opéra", City: "Paris", Country: "FR", Sources: []config.Source{{ID: "paris-site", Kind: "schemaorg"}, {ID: "paris-survey", Kind: "schemaorg"}}},
	{ID: "moscow", Name: "Москва Тверская", City: "Moscow", Country: "RU", Sources: []config.Source{{ID: "moscow-site", Kind: "schemaorg"}}},
	{ID: "london", Name: "London Shoreditch", City: "London", Country: "GB", Sources: []config.Source{{ID: "london-site", Kind: "schemaorg"}}},
	{ID: "empty", Name: "Quiet Corner", City: "Nantes", Country: "FR"},
}}}

type fx struct {
	id, loc, lang string
	daysAgo       int
	stars         float64
	label         string
	themes        []string // name or name:label
	title, text   string
	author        string
}

var fixtureData = []fx{
	{"lyon-1", "lyon", "fr", 1, 1, "negative", []string{"waiting:negative"}, "Trop d'attente", "Une attente interminable, quarante minutes pour un café. J'ai raté mon train.", "Marc D."},
	{"lyon-2", "lyon", "fr", 2, 2, "negative", []string{"waiting:negative", "service:negative"}, "", "Une seule caisse ouverte et une queue jusqu'à la porte. Le service lent gâche tout.", "Sophie"},
	{"lyon-3", "lyon", "fr", 3, 1, "negative", []string{"waiting:negative"}, "", "Attente beaucoup trop longue le matin, personnel débordé.", "J. P."},
	{"lyon-4", "lyon", "fr", 6, 2, "negative", []string{"waiting:negative", "food:positive"}, "", "Les croissants sont bons mais vingt minutes d'attente, non merci.", "Claire"},
	{"lyon-5", "lyon", "en", 9, 5, "positive", []string{"food:positive"}, "Lovely", "Lovely pastries and a friendly waiter.", "Tom"},
	{"lyon-6", "lyon", "fr", 45, 5, "positive", []string{"service:positive"}, "", "Serveur très aimable, accueil parfait.", "Nadia"},
	{"lyon-7", "lyon", "fr", 50, 4, "positive", []string{"food:positive"}, "", "Bon rapport qualité prix, je recommande.", "Luc"},
	{"paris-1", "paris", "fr", 2, 2, "negative", []string{"price:negative"}, "Trop cher", "Huit euros le croissant, c'est du vol. Remboursez-moi !", "Anne"},
	{"paris-2", "paris", "fr", 10, 5, "positive", []string{"food:positive", "ambience:positive"}, "", "Cadre magnifique et pâtisseries délicieuses.", "Hugo"},
	{"paris-3", "paris", "fr", 20, 3, "mixed", []string{"price:negative", "food:positive"}, "", "Très bon mais les prix sont excessifs, remboursement refusé pour une erreur.", "Inès"},
	{"paris-4", "paris", "en", 40, 4, "positive", []string{"service:positive"}, "", "The waiters were quick and polite. Great coffee.", "Emma"},
	{"paris-5", "paris", "fr", 55, 1, "negative", []string{"cleanliness:negative"}, "", "Toilettes sales, tables collantes.", "Bruno"},
	{"moscow-1", "moscow", "ru", 1, 5, "positive", []string{"service:positive", "ordering:positive"}, "", "Официантка была очень вежливая, доставка быстрая.", "Анна"},
	{"moscow-2", "moscow", "ru", 4, 2, "negative", []string{"waiting:negative"}, "", "Долго ждали заказ, очередь огромная.", "Игорь"},
	{"moscow-3", "moscow", "ru", 25, 4, "positive", []string{"food:positive"}, "", "Вкусный кофе и свежие круассаны.", "Ольга"},
	{"moscow-4", "moscow", "ru", 70, 3, "neutral", nil, "", "Обычное кафе, ничего особенного.", "Пётр"},
	{"london-1", "london", "en", 3, 2, "negative", []string{"ambience:negative", "waiting:negative"}, "Too loud", "Queues everywhere and the music was far too loud.", "Sam"},
	{"london-2", "london", "en", 12, 4, "positive", []string{"food:positive"}, "", "Great coffee, decent queue but worth it.", "Priya"},
	{"london-3", "london", "en", 33, 5, "positive", []string{"service:positive"}, "", "Friendly staff, the waiter remembered my order.", "Olu"},
	{"london-4", "london", "fr", 58, 1, "negative", []string{"service:negative"}, "", "Serveur désagréable, service lent.", "Chloé"},
	// Customers paste markup: it must stay text everywhere.
	{"xss-1", "london", "en", 5, 1, "negative", []string{"service:negative"}, `<img src=x onerror=alert(1)>`, `<script>alert("xss")</script> The waiter was rude & the <b>coffee</b> cold.`, `<svg onload=alert(2)>`},
	// Not enriched yet: no sentiment, no themes.
	{"plain-1", "paris", "fr", 7, 4, "", nil, "", "Bon accueil, attente correcte.", "Zoé"},
	// Older than the default windows.
	{"old-1", "lyon", "fr", 200, 1, "negative", []string{"waiting:negative"}, "", "Attente, attente, attente.", "Eric"},
}

func Reviews() []review.Review {
	var out []review.Review
	for _, f := range fixtureData {
		r := review.Review{ID: f.id, Brand: "acme", Location: f.loc, Source: f.loc + "-site", Kind: review.KindReview,
			URL: "https://reviews.example/" + f.id, Author: f.author, Rating: review.Float(f.stars), Title: f.title, Text: f.text,
			PublishedAt: Now.Add(-time.Duration(f.daysAgo)*24*time.Hour - 2*time.Hour), Lang: f.lang, LangConfidence: 0.99}
		r.FetchedAt = Now
		r.Normalize()
		if f.label != "" {
			score := map[string]float64{"positive": 0.7, "negative": -0.8, "mixed": 0.1, "neutral": 0}[f.label]
			r.Sentiment = &review.Sentiment{Score: score, Label: f.label, Driver: "text"}
		}
		for _, t := range f.themes {
			name, label := t, f.label
			if n, l, ok := cut(t); ok {
				name, label = n, l
			}
			r.Themes = append(r.Themes, review.Theme{Name: name, Score: 0.9, Label: label})
		}
		out = append(out, r)
	}
	byID := map[string]*review.Review{}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	// Evidence on one review, as enrichment writes it (byte offsets).
	l1 := byID["lyon-1"]
	for _, w := range []string{"attente interminable", "raté mon train"} {
		start := indexOf(l1.Text, w)
		l1.Sentiment.Evidence = append(l1.Sentiment.Evidence, review.Evidence{Text: w, Start: start, End: start + len(w), Weight: -1.5})
	}
	s := indexOf(l1.Text, "attente")
	l1.Themes[0].Evidence = []review.Evidence{{Text: "attente", Start: s, End: s + len("attente")}}
	l1.Reply = &review.Reply{Author: "Acme Lyon", Text: "Nous sommes désolés, nous renforçons l'équipe.", PublishedAt: l1.PublishedAt.Add(5 * time.Hour)}
	byID["lyon-2"].Reply = &review.Reply{Author: "Acme Lyon", Text: "Merci pour votre retour.", PublishedAt: byID["lyon-2"].PublishedAt.Add(30 * time.Hour)}
	// A javascript: link and a formula for spreadsheets.
	byID["xss-1"].URL = "javascript:alert(document.cookie)"
	byID["paris-1"].Author = "=HYPERLINK(\"http://evil.example\")"
	// Survey answers: an NPS (0-10) and a CSAT (1-5) at paris.
	for i, a := range []struct {
		score, best, worst float64
	}{{10, 10, 0}, {4, 10, 0}, {5, 5, 1}} {
		r := review.Review{ID: "survey-" + string(rune('1'+i)), Brand: "acme", Location: "paris", Source: "paris-survey", Kind: review.KindSurvey,
			Rating: review.Float(a.score), BestRating: review.Float(a.best), WorstRating: review.Float(a.worst), Text: "Enquête de satisfaction",
			PublishedAt: Now.Add(-time.Duration(3+i) * 24 * time.Hour), Lang: "fr"}
		r.Normalize()
		out = append(out, r)
	}
	return out
}

func cut(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub || equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	panic("fixture: " + sub + " not in " + s)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Index opens an index holding the fixture in a temporary folder.
func Index(t testing.TB) *index.Index {
	t.Helper()
	x, err := index.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if err := x.Upsert(context.Background(), Reviews()); err != nil {
		t.Fatal(err)
	}
	return x
}

// Deps are the API and dashboard dependencies over the fixture.
func Deps(t testing.TB) api.Deps {
	return api.Deps{Index: Index(t), Brands: Brands, Now: func() time.Time { return Now }}
}
