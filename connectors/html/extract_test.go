package html

import (
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/internal/review"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden.json from the current output")

// testNow is the clock of extraction tests: relative dates resolve
// against it.
var testNow = time.Date(2024, 3, 20, 12, 0, 0, 0, time.UTC)

// siteParams reads the pages of testdata/site.
func siteParams() *Params {
	p := NewParams().(*Params)
	p.URL = "https://avis.example.test/site/list-1.html"
	p.Review = "article.review"
	p.IDAttr = "data-review-id"
	p.Author = ".author"
	p.Title = "h3"
	p.Text = ".body"
	p.Rating = ".rating"
	p.Date = ".date"
	p.Reply = ".owner-reply .answer"
	p.ReplyAuthor = ".owner-reply .who"
	p.ReplyDate = ".owner-reply .when"
	p.Total = ".count"
	return p
}

// golden is the form of the golden files.
type golden struct {
	Reviews  []review.Review `json:"reviews"`
	Next     []string        `json:"next"`
	Shown    int             `json:"shown"`
	Warnings []string        `json:"warnings"`
}

func TestExtractGolden(t *testing.T) {
	tests := []struct {
		name   string // the page; the golden file is testdata/golden/<name>.golden.json
		file   string
		url    string
		params func() *Params
	}{
		{name: "site-list-1", file: "site/list-1.html", url: "https://avis.example.test/site/list-1.html", params: siteParams},
		{name: "site-list-2", file: "site/list-2.html", url: "https://avis.example.test/site/list-2.html", params: siteParams},
		{name: "site-list-3", file: "site/list-3.html", url: "https://avis.example.test/site/list-3.html", params: siteParams},
		{name: "site-cp1251", file: "site/cp1251.html", url: "https://otzyvy.example.test/site/cp1251.html", params: func() *Params {
			p := siteParams()
			p.Lang = "ru"
			return p
		}},
		{name: "bubbles", file: "golden/bubbles.html", url: "https://www.example.test/Restaurant_Review-g187147-d1234567-Reviews-Maison_Colette-Paris.html", params: func() *Params {
			p := NewParams().(*Params)
			p.Review = "div.review-container"
			p.IDAttr = "data-reviewid"
			p.Author = ".username"
			p.Title = ".noQuotes"
			p.Link = ".quote a"
			p.Text = ".partial_entry"
			p.Remove = ".taLnk"
			p.Rating = ".ui_bubble_rating"
			p.RatingAttr = "class"
			p.Date = ".ratingDate"
			p.DateAttr = "title"
			p.Reply = ".mgrRspnInline .partial_entry"
			p.ReplyAuthor = ".mgrRspnInline .responseHeader .name"
			p.ReplyDate = ".mgrRspnInline .responseDate"
			p.Next = "a.nav.next"
			p.Total = ".reviews_header_count"
			return p
		}},
		{name: "stars", file: "golden/stars.html", url: "https://avis.example.test/shops/colette-42", params: func() *Params {
			p := NewParams().(*Params)
			p.Review = "li.comment"
			p.Author = ".head .name"
			p.Date = ".head .when"
			p.DateLayout = "02.01.2006 15:04"
			p.Text = ".content"
			p.Remove = ".translated"
			p.RatingCount = ".star.filled"
			p.RatingHalf = ".star.half"
			p.Link = "a.permalink"
			p.Reply = "li > ul.comments .content"
			p.ReplyAuthor = "li > ul.comments .name"
			p.ReplyDate = "li > ul.comments .when"
			p.Next = "a.more"
			p.ReviewKind = "comment"
			return p
		}},
		{name: "otzovik-list-1", file: "otzovik/list-1.html", url: "https://otzovik.com/reviews/kafe_maison_colette_russia_sankt-peterburg/", params: otzovikParams},
		{name: "otzovik-list-2", file: "otzovik/list-2.html", url: "https://otzovik.com/reviews/kafe_maison_colette_russia_sankt-peterburg/2/", params: otzovikParams},
		{name: "yandex", file: "yandex/reviews.html", url: "https://yandex.ru/maps/org/maison_colette/1234567890/reviews/", params: yandexParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := conntest.Testdata(t, tt.file)
			res, err := Extract(connectors.Document{URL: tt.url, ContentType: "text/html; charset=utf-8", Body: body}, tt.params(), testNow)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			g := golden{Reviews: res.Reviews, Next: res.Next, Shown: res.Shown, Warnings: res.Warnings}
			conntest.Golden(t, filepath.Join("testdata", "golden", tt.name+".golden.json"), g, *update)
		})
	}
}

// checkResult asserts what holds for every extraction, whatever the page.
func checkResult(t *testing.T, res Result) {
	t.Helper()
	for i, r := range res.Reviews {
		if !r.Kind.Valid() {
			t.Fatalf("review %d: kind %q", i, r.Kind)
		}
		if r.Text == "" && r.Rating == nil && r.Title == "" {
			t.Fatalf("review %d has neither text, rating nor title", i)
		}
		if r.Rating != nil && r.BestRating == nil {
			t.Fatalf("review %d: rating without a scale", i)
		}
		if r.Rating != nil && (*r.Rating < 0 || *r.Rating > *r.BestRating) {
			t.Fatalf("review %d: rating %v outside 0..%v", i, *r.Rating, *r.BestRating)
		}
		if r.ID != "" || r.Source != "" || r.RatingNorm != nil || !r.FetchedAt.IsZero() {
			t.Fatalf("review %d: pipeline fields filled: %+v", i, r)
		}
	}
	if res.Shown < 0 {
		t.Fatalf("shown %d", res.Shown)
	}
}

// TestExtractFields checks the golden pages' key facts, so that a wrong
// golden file cannot hide a regression.
func TestExtractFields(t *testing.T) {
	read := func(t *testing.T, file, u string, p *Params) Result {
		t.Helper()
		body := conntest.Testdata(t, file)
		res, err := Extract(connectors.Document{URL: u, Body: body}, p, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"site page 1: formats, clone, reply, total", func(t *testing.T) {
			res := read(t, "site/list-1.html", "https://avis.example.test/site/list-1.html", siteParams())
			if len(res.Reviews) != 3 {
				t.Fatalf("%d reviews, want 3 (the clone of r-103 dropped)", len(res.Reviews))
			}
			r := res.Reviews[0]
			if r.ExternalID != "r-101" || r.Author != "Camille D." || *r.Rating != 4.5 || *r.BestRating != 5 ||
				r.Text != "Croissants délicieux, service rapide.\nSeul bémol : le bruit." || r.LangHint != "fr" {
				t.Errorf("review 1: %+v", r)
			}
			if want := time.Date(2024, 3, 12, 13, 5, 0, 0, time.UTC); !r.PublishedAt.Equal(want) {
				t.Errorf("date %v, want %v", r.PublishedAt, want)
			}
			if r.Reply == nil || r.Reply.Author != "La direction" || r.Reply.Text != "Merci Camille, à bientôt !" || r.Reply.PublishedAt.Day() != 14 {
				t.Errorf("reply %+v", r.Reply)
			}
			if got := res.Reviews[1].PublishedAt; !got.Equal(time.Date(2024, 3, 17, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("il y a 3 jours = %v", got)
			}
			if *res.Reviews[1].Rating != 3 || *res.Reviews[2].Rating != 4 {
				t.Errorf("ratings %v %v", *res.Reviews[1].Rating, *res.Reviews[2].Rating)
			}
			if got := res.Reviews[2].PublishedAt; !got.Equal(time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("Publié le 2 février 2024 = %v", got)
			}
			if res.Shown != 7 || len(res.Next) != 1 || res.Next[0] != "https://avis.example.test/site/list-2.html" {
				t.Errorf("shown %d next %v", res.Shown, res.Next)
			}
		}},
		{"site page 3: a malformed item among good ones", func(t *testing.T) {
			res := read(t, "site/list-3.html", "https://avis.example.test/site/list-3.html", siteParams())
			if len(res.Reviews) != 2 || res.Reviews[0].ExternalID != "r-106" || res.Reviews[1].ExternalID != "r-108" {
				t.Fatalf("reviews %+v", res.Reviews)
			}
			if res.Reviews[0].LangHint != "en" || !res.Reviews[0].PublishedAt.Equal(time.Date(2024, 3, 18, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("review r-106: %+v", res.Reviews[0])
			}
			joined := strings.Join(res.Warnings, "\n")
			if !strings.Contains(joined, "review 2 (id r-107): no text, title or rating") || !strings.Contains(joined, `review 3 (id r-108): date "la semaine dernière"`) {
				t.Errorf("warnings: %q", res.Warnings)
			}
			if len(res.Next) != 0 {
				t.Errorf("next %v on the last page", res.Next)
			}
		}},
		{"bubbles: class rating in tenths, reply kept out of the text", func(t *testing.T) {
			p := NewParams().(*Params)
			p.Review, p.Text, p.Rating, p.RatingAttr = "div.review-container", ".partial_entry", ".ui_bubble_rating", "class"
			p.Reply = ".mgrRspnInline .partial_entry"
			res := read(t, "golden/bubbles.html", "https://www.example.test/r.html", p)
			if len(res.Reviews) != 3 || *res.Reviews[0].Rating != 4.5 || *res.Reviews[1].Rating != 2 || *res.Reviews[2].Rating != 5 {
				t.Fatalf("reviews %+v", res.Reviews)
			}
			if strings.Contains(res.Reviews[0].Text, "kind words") || res.Reviews[0].Reply == nil {
				t.Errorf("text %q reply %+v", res.Reviews[0].Text, res.Reviews[0].Reply)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}

func TestExtractNeedsParams(t *testing.T) {
	k, ok := connectors.Default.Lookup(Kind)
	if !ok {
		t.Fatal("kind not registered")
	}
	_, err := k.Extract(context.Background(), nil, connectors.Document{Body: []byte("<p>x</p>")})
	if !errors.Is(err, ErrNoParams) || !strings.Contains(err.Error(), "html: needs selectors from a source configuration") {
		t.Fatalf("err = %v", err)
	}
	ext, err := k.Extract(context.Background(), siteParams(), connectors.Document{URL: "https://avis.example.test/p", Body: []byte(`<article class="review"><div class="body">Bien.</div></article>`)})
	if err != nil || len(ext.Reviews) != 1 {
		t.Fatalf("with params: %v, %+v", err, ext)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Params)
		want   string // substring of the error; "" for none
	}{
		{"valid", func(p *Params) {}, ""},
		{"no url", func(p *Params) { p.URL = "" }, "url: is required"},
		{"relative url", func(p *Params) { p.URL = "/avis" }, "url: \"/avis\" is not an absolute"},
		{"bad extra url", func(p *Params) { p.URLs = []string{"ftp://x"} }, "urls[0]"},
		{"no review", func(p *Params) { p.Review = " " }, "review: is required"},
		{"bad review selector", func(p *Params) { p.Review = "div[" }, "review: \"div[\" is not a CSS selector"},
		{"bad text selector", func(p *Params) { p.Text = "p:unknown-pseudo" }, "text: "},
		{"bad next selector", func(p *Params) { p.Next = "a >> b" }, "next: "},
		{"bad rating count", func(p *Params) { p.RatingCount = ".star..filled" }, "rating_count: "},
		{"bad attr", func(p *Params) { p.RatingAttr = "data rating" }, "rating_attr: "},
		{"scale", func(p *Params) { p.BestRating = 0 }, "best_rating: must be above 0"},
		{"worst above best", func(p *Params) { p.WorstRating = 5 }, "worst_rating"},
		{"layout", func(p *Params) { p.DateLayout = "dd/mm/yyyy" }, "date_layout: \"dd/mm/yyyy\" is not a Go time layout"},
		{"good layout", func(p *Params) { p.DateLayout = "02/01/2006" }, ""},
		{"kind", func(p *Params) { p.ReviewKind = "tweet" }, "review_kind: must be review, comment or survey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := siteParams()
			tt.change(p)
			conntest.CheckError(t, p.Validate(), tt.want)
		})
	}
}

func TestParseRating(t *testing.T) {
	tests := []struct {
		name, in, attr string
		want, best     float64 // best: the scale stated, 0 for none
		ok             bool
	}{
		{"integer", "4", "", 4, 0, true},
		{"decimal comma", "4,5", "", 4.5, 0, true},
		{"stated scale", "8/10", "", 8, 10, true},
		{"russian", "Оценка 4 Из 5", "aria-label", 4, 5, true},
		{"french", "Note : 3,5 sur 5", "", 3.5, 5, true},
		{"english", "Rated 4.5 out of 5 stars", "aria-label", 4.5, 5, true},
		{"width", "width: 80%", "style", 4, 0, true},
		{"width decimals", "width:73.3%;", "style", 3.67, 0, true},
		{"class", "ui_bubble_rating bubble_45", "class", 4.5, 0, true},
		{"class picks the rating class", "col-12 stars-4", "class", 4, 0, true},
		{"data attribute", "5", "data-rating", 5, 0, true},
		{"stars", "★★★★☆", "", 4, 0, true},
		{"no number", "—", "", 0, 0, false},
		{"empty", " ", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRating(tt.in, tt.attr, 5)
			if ok != tt.ok || (ok && (got.value != tt.want || got.best != tt.best)) {
				t.Fatalf("parseRating(%q, %q) = %+v, %v; want %v/%v, %v", tt.in, tt.attr, got, ok, tt.want, tt.best, tt.ok)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		name, in string
		want     int
		ok       bool
	}{
		{"plain", "57 avis", 57, true},
		{"space thousands", "1 234 отзыва", 1234, true},
		{"nbsp thousands", "1\u00a0234\u00a0avis", 1234, true},
		{"narrow nbsp", "12\u202f345 reviews", 12345, true},
		{"comma thousands", "(1,234)", 1234, true},
		{"point thousands", "1.234 Bewertungen", 1234, true},
		{"score first", "4,5 · 1 234 avis", 1234, true},
		{"words first", "Всего 2 отзыва", 2, true},
		{"none", "aucun avis", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseCount(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("parseCount(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	now := time.Date(2024, 3, 20, 15, 30, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name, in, layout string
		want             time.Time
	}{
		{"iso", "2024-03-12T14:05:00+01:00", "", time.Date(2024, 3, 12, 13, 5, 0, 0, time.UTC)},
		{"russian", "12 марта 2024", "", day(2024, 3, 12)},
		{"russian g.", "12 марта 2024 г.", "", day(2024, 3, 12)},
		{"french", "12 mars 2024", "", day(2024, 3, 12)},
		{"french label", "Publié le 2 février 2024", "", day(2024, 2, 2)},
		{"russian label", "Отзыв от 05.03.2024", "", day(2024, 3, 5)},
		{"english label", "Reviewed March 2, 2024", "", day(2024, 3, 2)},
		{"days ago", "3 days ago", "", day(2024, 3, 17)},
		{"a week ago", "a week ago", "", day(2024, 3, 13)},
		{"hours ago", "5 hours ago", "", time.Date(2024, 3, 20, 10, 30, 0, 0, time.UTC)},
		{"il y a", "il y a 3 jours", "", day(2024, 3, 17)},
		{"il y a un mois", "Il y a un mois", "", day(2024, 2, 20)},
		{"il y a 2 ans", "il y a 2 ans", "", day(2022, 3, 20)},
		{"назад", "3 дня назад", "", day(2024, 3, 17)},
		{"неделю назад", "неделю назад", "", day(2024, 3, 13)},
		{"минут назад", "15 минут назад", "", time.Date(2024, 3, 20, 15, 15, 0, 0, time.UTC)},
		{"год назад", "2 года назад", "", day(2022, 3, 20)},
		{"yesterday", "yesterday", "", day(2024, 3, 19)},
		{"hier à", "hier à 18h30", "", time.Date(2024, 3, 19, 18, 30, 0, 0, time.UTC)},
		{"вчера в", "вчера в 10:05", "", time.Date(2024, 3, 19, 10, 5, 0, 0, time.UTC)},
		{"сегодня", "сегодня", "", day(2024, 3, 20)},
		{"no year", "12 марта", "", day(2024, 3, 12)},
		{"no year, last year", "25 декабря", "", day(2023, 12, 25)},
		{"no year with time", "12 mars à 14:05", "", time.Date(2024, 3, 12, 14, 5, 0, 0, time.UTC)},
		{"layout", "05.03.2024 09:15", "02.01.2006 15:04", time.Date(2024, 3, 5, 9, 15, 0, 0, time.UTC)},
		{"layout, relative fallback", "вчера", "02.01.2006", day(2024, 3, 19)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDate(tt.in, tt.layout, now)
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("parseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "давно", "la semaine dernière", "31.02.2024", "n/a"} {
		if got, err := parseDate(bad, "", now); err == nil {
			t.Errorf("parseDate(%q) = %v, want an error", bad, got)
		}
	}
}

func TestCleanups(t *testing.T) {
	tests := []struct {
		name, in, want string
		f              func(string) string
	}{
		{"by", "by John S.", "John S.", cleanAuthor},
		{"par", "Par Camille", "Camille", cleanAuthor},
		{"автор", "Автор: Ирина", "Ирина", cleanAuthor},
		{"a name", "Paris Hilton", "Paris Hilton", cleanAuthor},
		{"read more", "Great food… Read more", "Great food…", trimReadMore},
		{"lire la suite", "Très bon. Lire la suite", "Très bon.", trimReadMore},
		{"читать далее", "Вкусно\nЧитать далее", "Вкусно", trimReadMore},
		{"a sentence", "Je ne reviendrai plus", "Je ne reviendrai plus", trimReadMore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f(tt.in); got != tt.want {
				t.Fatalf("%q -> %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRatingFromAlt(t *testing.T) {
	p := siteParams()
	body := []byte(`<article class="review"><img class="rating" alt="4 étoiles sur 5" src="s.png"><div class="body">Bien</div></article>`)
	res, err := Extract(connectors.Document{URL: "https://x.test/", Body: body}, p, testNow)
	if err != nil || len(res.Reviews) != 1 || res.Reviews[0].Rating == nil || *res.Reviews[0].Rating != 4 {
		t.Fatalf("%v %+v", err, res.Reviews)
	}
}
