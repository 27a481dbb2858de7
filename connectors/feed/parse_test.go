package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// readFixture reads testdata/name. A name ending in .utf8 is a UTF-8
// source to encode in charset enc (its ENCODING placeholder replaced by
// label), as the feed is served.
func readFixture(t testing.TB, name, label string) []byte {
	t.Helper()
	b := conntest.Testdata(t, name)
	if !strings.HasSuffix(name, ".utf8") {
		return b
	}
	b = bytes.Replace(b, []byte("ENCODING"), []byte(label), 1)
	var enc *charmap.Charmap
	switch strings.ToLower(label) {
	case "windows-1251":
		enc = charmap.Windows1251
	case "koi8-r":
		enc = charmap.KOI8R
	case "iso-8859-1":
		enc = charmap.ISO8859_1
	case "utf-8":
		return b
	default:
		t.Fatalf("no encoder for %s", label)
	}
	return conntest.Encode(t, enc, b)
}

type golden struct {
	Type     string          `json:"type"`
	Charset  string          `json:"charset"`
	Reviews  []review.Review `json:"reviews"`
	Next     []string        `json:"next"`
	Complete bool            `json:"complete"`
	Warnings []string        `json:"warnings"`
}

func TestParseGolden(t *testing.T) {
	tests := []struct {
		name   string // golden file testdata/<name>.golden.json
		file   string
		label  string // charset to serve a .utf8 source in
		url    string
		ctype  string
		opts   Options
		golden bool
	}{
		{name: "wordpress-comments", file: "wordpress-comments.xml", url: "https://blog.example.test/comments/feed/", ctype: "application/rss+xml; charset=UTF-8"},
		{name: "atom", file: "atom-1.xml", url: "https://forum.example.test/threads/maison-colette/comments.atom", ctype: "application/atom+xml"},
		{name: "jsonfeed", file: "jsonfeed-1.json", url: "https://social.example.test/tags/maisoncolette.json", ctype: "application/feed+json"},
		{name: "jsonfeed-1.0", file: "jsonfeed-2.json", url: "https://social.example.test/tags/maisoncolette.json?before=9001", ctype: "application/json"},
		{name: "ratings", file: "ratings.xml", url: "https://reviews.example.test/maison-colette-lyon/feed"},
		{name: "appstore", file: "appstore.xml", url: "https://itunes.apple.com/fr/rss/customerreviews/id=1404176564/sortby=mostrecent/xml"},
		{name: "broken", file: "broken.xml", url: "https://colette.example.test/comments/feed/"},
		{name: "windows-1251", file: "russian.xml.utf8", label: "windows-1251", url: "https://blog.example.ru/comments/feed/", ctype: "text/xml"},
		{name: "koi8-r", file: "koi8r.xml.utf8", label: "KOI8-R", url: "https://blog.example.ru/comments/feed/", ctype: "application/rss+xml"},
		{name: "iso-8859-1", file: "french.xml.utf8", label: "ISO-8859-1", url: "https://avis.example.fr/rss", ctype: "text/xml; charset=utf-8"},
		{name: "mislabeled", file: "russian.xml.utf8", label: "utf-8", url: "https://blog.example.ru/comments/feed/"},
		{name: "complete", file: "complete.xml", url: "https://feedback.example.test/nice.atom", opts: Options{Kind: review.KindSurvey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := readFixture(t, tt.file, tt.label)
			if tt.name == "mislabeled" {
				// declared windows-1251, but the bytes are UTF-8
				body = bytes.Replace(body, []byte(`encoding="utf-8"`), []byte(`encoding="windows-1251"`), 1)
			}
			res, err := Parse(connectors.Document{URL: tt.url, ContentType: tt.ctype, Body: body}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			g := golden{Type: res.Type, Charset: res.Charset, Reviews: res.Reviews, Next: res.Next, Complete: res.Complete, Warnings: res.Warnings}
			conntest.Golden(t, filepath.Join("testdata", tt.name+".golden.json"), g, *update)
		})
	}
}

// checkResult asserts what holds for every parse, whatever the feed.
func checkResult(t *testing.T, res Result) {
	t.Helper()
	for i, r := range res.Reviews {
		if !r.Kind.Valid() {
			t.Fatalf("review %d: kind %q", i, r.Kind)
		}
		if r.Text == "" && r.Rating == nil && r.Title == "" {
			t.Fatalf("review %d has neither text, rating nor title", i)
		}
		if r.Rating != nil && (r.BestRating == nil || *r.Rating > *r.BestRating) {
			t.Fatalf("review %d: rating %v of %v", i, *r.Rating, r.BestRating)
		}
		for _, s := range []string{r.Text, r.Title, r.Author} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, '\u0085') {
				t.Fatalf("review %d: bad text %q", i, s)
			}
		}
		if r.ID != "" || r.RatingNorm != nil || !r.FetchedAt.IsZero() {
			t.Fatalf("review %d: pipeline fields filled", i)
		}
	}
}

// TestParseFields checks the facts the golden files must hold.
func TestParseFields(t *testing.T) {
	parse := func(t *testing.T, file, label, u string, opts Options) Result {
		t.Helper()
		res, err := Parse(connectors.Document{URL: u, Body: readFixture(t, file, label)}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"wordpress: content:encoded, dc:creator, protected post skipped, same text kept twice", func(t *testing.T) {
			res := parse(t, "wordpress-comments.xml", "", "https://blog.example.test/comments/feed/", Options{})
			if len(res.Reviews) != 4 {
				t.Fatalf("%d reviews, want 4", len(res.Reviews))
			}
			r := res.Reviews[0]
			if r.Author != "Camille" || r.Kind != review.KindComment || r.Rating != nil || r.LangHint != "fr" ||
				r.Text != "J’y suis allée samedi : les croissants sont excellents, mais l’attente… 20 minutes !\nJe reviendrai en semaine." ||
				r.ExternalID != "https://blog.example.test/?p=311#comment-1042" || r.URL != "https://blog.example.test/2024/03/maison-colette-opera/#comment-1042" {
				t.Errorf("first comment %+v", r)
			}
			if !r.PublishedAt.Equal(time.Date(2024, 3, 19, 8, 12, 40, 0, time.UTC)) {
				t.Errorf("date %v", r.PublishedAt)
			}
			if res.Reviews[2].Text != res.Reviews[3].Text || res.Reviews[2].ExternalID == res.Reviews[3].ExternalID {
				t.Error("two comments with the same text must stay two")
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "item 3") || !strings.Contains(res.Warnings[0], "password") {
				t.Errorf("warnings %q", res.Warnings)
			}
		}},
		{"atom: html title, updated, summary, next link", func(t *testing.T) {
			res := parse(t, "atom-1.xml", "", "https://forum.example.test/threads/maison-colette/comments.atom", Options{})
			if len(res.Reviews) != 3 || res.Type != "atom" {
				t.Fatalf("%d reviews, type %s", len(res.Reviews), res.Type)
			}
			r := res.Reviews[0]
			if r.Title != "Re: Maison Colette & the queue" || r.Author != "Olivia" || r.URL != "https://forum.example.test/threads/maison-colette#comment-88" ||
				!r.UpdatedAt.Equal(time.Date(2024, 3, 19, 11, 2, 0, 0, time.UTC)) || r.LangHint != "en" {
				t.Errorf("entry 1 %+v", r)
			}
			if res.Reviews[1].Text != "Staff were rude <sigh> and the coffee was cold." && res.Reviews[1].Text != "Staff were rude and the coffee was cold." {
				t.Errorf("summary %q", res.Reviews[1].Text)
			}
			if !res.Reviews[1].PublishedAt.Equal(time.Date(2024, 3, 19, 1, 15, 0, 0, time.UTC)) || !res.Reviews[1].UpdatedAt.IsZero() {
				t.Errorf("entry 2 dates %v %v", res.Reviews[1].PublishedAt, res.Reviews[1].UpdatedAt)
			}
			if len(res.Next) != 1 || res.Next[0] != "https://forum.example.test/threads/maison-colette/comments.atom?page=2" {
				t.Errorf("next %v", res.Next)
			}
		}},
		{"json feed: authors, content_text, item language, next_url, a bad item", func(t *testing.T) {
			res := parse(t, "jsonfeed-1.json", "", "https://social.example.test/tags/maisoncolette.json", Options{})
			if len(res.Reviews) != 2 {
				t.Fatalf("%d reviews %+v", len(res.Reviews), res.Reviews)
			}
			if res.Reviews[0].Author != "Léa" || res.Reviews[0].Text != "Pause goûter chez #MaisonColette : le flan est parfait 😍" || res.Reviews[0].LangHint != "fr" {
				t.Errorf("item 1 %+v", res.Reviews[0])
			}
			if r := res.Reviews[1]; r.Author != "Bob" || r.Text != "Queue of 30 people at #MaisonColette this morning.\nNot worth it <3" || r.LangHint != "en" || r.UpdatedAt.IsZero() {
				t.Errorf("item 2 %+v", r)
			}
			if len(res.Next) != 1 || !strings.HasSuffix(res.Next[0], "?before=9001") {
				t.Errorf("next %v", res.Next)
			}
			if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "item 3 (9002)") {
				t.Errorf("warnings %q", res.Warnings)
			}
		}},
		{"ratings in known elements", func(t *testing.T) {
			res := parse(t, "ratings.xml", "", "https://reviews.example.test/maison-colette-lyon/feed", Options{})
			want := []struct {
				v, best float64
				worst   *float64
			}{{4, 5, nil}, {2.5, 5, nil}, {10, 10, review.Float(0)}}
			if len(res.Reviews) != 4 {
				t.Fatalf("%d reviews", len(res.Reviews))
			}
			for i, w := range want {
				r := res.Reviews[i]
				if r.Rating == nil || *r.Rating != w.v || *r.BestRating != w.best || (w.worst == nil) != (r.WorstRating == nil) || r.Kind != review.KindReview {
					t.Errorf("review %d: %v/%v worst %v kind %s", i+1, r.Rating, r.BestRating, r.WorstRating, r.Kind)
				}
			}
			if res.Reviews[1].Author != "George" {
				t.Errorf("author from <author>email (name)</author>: %q", res.Reviews[1].Author)
			}
			if r := res.Reviews[3]; r.Rating != nil || r.Kind != review.KindComment || !r.PublishedAt.IsZero() {
				t.Errorf("junk rating kept: %+v", r)
			}
			w := strings.Join(res.Warnings, "\n")
			if !strings.Contains(w, `item 4 (https://reviews.example.test/r/504): rating "excellent" is not a number`) || !strings.Contains(w, `date "not a date at all"`) {
				t.Errorf("warnings %q", res.Warnings)
			}
		}},
		{"app store: the app entry skipped, im:rating read", func(t *testing.T) {
			res := parse(t, "appstore.xml", "", "", Options{})
			if len(res.Reviews) != 2 || *res.Reviews[0].Rating != 5 || *res.Reviews[1].Rating != 1 || res.Reviews[0].Author != "Clémence_75" {
				t.Fatalf("reviews %+v", res.Reviews)
			}
			if len(res.Next) != 1 || !strings.Contains(res.Next[0], "page=2") {
				t.Errorf("next %v", res.Next)
			}
		}},
		{"one broken item among good ones", func(t *testing.T) {
			res := parse(t, "broken.xml", "", "", Options{})
			if len(res.Reviews) != 2 || res.Reviews[0].Author != "Alice" || res.Reviews[1].Text != "Control char here: ab, then fine." {
				t.Fatalf("reviews %+v", res.Reviews)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "item 2 (https://colette.example.test/?p=9#comment-2)") {
				t.Errorf("warnings %q", res.Warnings)
			}
			// Mismatched tags make the lenient parser drop the items after
			// the broken one without an error: they are read one by one.
			body := bytes.Replace(readFixture(t, "broken.xml", ""), []byte("<![CDATA[An unclosed CDATA section</description>"), []byte("An unclosed <b>tag and a stray </i> end</description>"), 1)
			res, err := Parse(connectors.Document{Body: body}, Options{})
			if err != nil || len(res.Reviews) < 2 || res.Reviews[len(res.Reviews)-1].Author != "Bruno" {
				t.Errorf("mismatched tags: %v %+v", err, res.Reviews)
			}
		}},
		{"windows-1251, KOI8-R and ISO-8859-1 declarations", func(t *testing.T) {
			res := parse(t, "russian.xml.utf8", "windows-1251", "", Options{})
			if len(res.Reviews) != 2 || res.Reviews[0].Text != "Пирожные свежие, кофе — так себе… Обслуживание быстрое.\nЕщё зайду." ||
				res.Reviews[1].Text != "Цены «кусаются», но качество на уровне." || res.Reviews[0].Author != "Ирина" || res.Charset != "windows-1251" {
				t.Errorf("windows-1251: %+v", res.Reviews)
			}
			res = parse(t, "koi8r.xml.utf8", "KOI8-R", "", Options{})
			if len(res.Reviews) != 2 || res.Reviews[0].Text != "Чай вкусный, а вот эклеры сегодня были чёрствые. Жаль!" || res.Reviews[1].Author != "Гузель" || res.Charset != "koi8-r" {
				t.Errorf("KOI8-R: %s %+v", res.Charset, res.Reviews)
			}
			res = parse(t, "french.xml.utf8", "ISO-8859-1", "", Options{})
			if len(res.Reviews) != 1 || res.Reviews[0].Author != "Hélène" || !strings.HasSuffix(res.Reviews[0].Text, "Élégant décor, ambiance « cosy ».") {
				t.Errorf("latin-1: %+v", res.Reviews)
			}
		}},
		{"fh:complete", func(t *testing.T) {
			res := parse(t, "complete.xml", "", "", Options{})
			if !res.Complete || len(res.Reviews) != 1 || res.Reviews[0].Kind != review.KindComment {
				t.Errorf("%+v", res)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"html page", "<!DOCTYPE html><html><body><p>hello</p></body></html>"},
		{"empty", ""},
		{"json that is no feed", `{"reviews": []}`},
		{"truncated rss", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(connectors.Document{Body: []byte(tt.body)}, Options{})
			if err == nil && len(res.Reviews) > 0 {
				t.Fatalf("read %d reviews from %q", len(res.Reviews), tt.body)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want int
	}{
		{"rss", readFixture(t, "wordpress-comments.xml", ""), 95},
		{"atom", readFixture(t, "atom-1.xml", ""), 95},
		{"json feed", readFixture(t, "jsonfeed-1.json", ""), 95},
		{"windows-1251", readFixture(t, "russian.xml.utf8", "windows-1251"), 95},
		{"html", []byte(`<html><head><link rel="alternate" type="application/rss+xml" href="/feed"></head></html>`), 0},
		{"other json", []byte(`{"result": {"reviews": []}}`), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(connectors.Document{Body: tt.body}); got != tt.want {
				t.Fatalf("Detect = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestSharedFixtures reads the shared development set's feeds and checks
// them against expected.json, as its README describes.
func TestSharedFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "fixtures")
	raw, err := os.ReadFile(filepath.Join(root, "expected.json"))
	if err != nil {
		t.Skipf("shared fixtures not available: %v", err)
	}
	var expected map[string]struct {
		Count   int `json:"count"`
		Reviews []struct {
			Author     *string  `json:"author"`
			Rating     *float64 `json:"rating"`
			Date       string   `json:"date"`
			Title      *string  `json:"title"`
			TextPrefix *string  `json:"text_prefix"`
		} `json:"reviews"`
	}
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "rss", "*.xml"))
	if len(files) == 0 {
		t.Skip("no shared feed fixtures")
	}
	norm := func(s string) string { return strings.Join(strings.Fields(textnorm.HTML(s)), " ") }
	for _, f := range files {
		key := "rss/" + filepath.Base(f)
		t.Run(key, func(t *testing.T) {
			want, ok := expected[key]
			if !ok {
				t.Skip("not in expected.json")
			}
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			k, _ := connectors.Default.Lookup(Kind)
			if Detect(connectors.Document{Body: body}) == 0 {
				t.Error("not detected as a feed")
			}
			ext, err := k.Extract(context.Background(), nil, connectors.Document{ContentType: "text/xml; charset=utf-8", Body: body})
			if err != nil {
				t.Fatal(err)
			}
			if len(ext.Reviews) != want.Count {
				t.Errorf("%d items, want %d", len(ext.Reviews), want.Count)
			}
			for i, ex := range want.Reviews {
				found := false
				for _, r := range ext.Reviews {
					if ex.Title != nil && norm(r.Title) != norm(*ex.Title) {
						continue
					}
					if ex.Author != nil && norm(r.Author) != norm(*ex.Author) {
						continue
					}
					if ex.TextPrefix != nil && !strings.HasPrefix(norm(r.Text), norm(*ex.TextPrefix)) {
						continue
					}
					if ex.Date != "" {
						if wt, err := time.Parse(time.RFC3339, ex.Date); err == nil {
							if !r.PublishedAt.Equal(wt) {
								continue
							}
						} else if r.PublishedAt.Format("2006-01-02") != ex.Date {
							continue // a date-only value: the calendar date in the feed's offset
						}
					}
					if ex.Rating != nil && (r.Rating == nil || *r.Rating != *ex.Rating) {
						continue
					}
					found = true
					break
				}
				if !found {
					t.Errorf("example %d (%v) not found", i+1, *ex.Title)
				}
			}
			for _, r := range ext.Reviews {
				if r.Author != "" || r.Rating != nil || r.Kind != review.KindComment {
					t.Errorf("item %q: author %q, rating %v, kind %s; want anonymous unrated comments", r.Title, r.Author, r.Rating, r.Kind)
				}
			}
			// Byte 0x85 of windows-1251 is '…', not NEL.
			if bytes.Contains(body, []byte{0x85}) {
				ellipsis := false
				for _, r := range ext.Reviews {
					if strings.ContainsRune(r.Text, '…') || strings.ContainsRune(r.Title, '…') {
						ellipsis = true
					}
				}
				if !ellipsis {
					t.Error("byte 0x85 did not decode to '…'")
				}
			}
		})
	}
}
