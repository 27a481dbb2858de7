package html

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
)

// examplesDir holds the example configurations users copy.
var examplesDir = filepath.Join("..", "..", "config", "examples")

// loadExample loads an example configuration as Vigie would and returns
// its only source.
func loadExample(t testing.TB, file string) config.Source {
	t.Helper()
	c, err := config.Load(filepath.Join(examplesDir, file), connectors.Default)
	if err != nil {
		t.Fatalf("the example %s does not load: %v", file, err)
	}
	srcs := c.Sources()
	if len(srcs) != 1 {
		t.Fatalf("%s: %d sources, want 1", file, len(srcs))
	}
	return srcs[0]
}

func exampleParams(file string) func() *Params {
	return func() *Params {
		c, err := config.Load(filepath.Join(examplesDir, file), connectors.Default)
		if err != nil {
			panic(err)
		}
		p := *c.Sources()[0].Params.(*Params)
		return &p
	}
}

var (
	otzovikParams = exampleParams("otzovik.yaml")
	yandexParams  = exampleParams("yandex-maps.yaml")
)

// TestExamples loads each example configuration and crawls fixture pages
// in the shape of the real site with exactly its selectors, the start URL
// rewritten to a local server that serves them at the same paths.
func TestExamples(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		pages map[string]string // path -> fixture; a .cp1251 suffix serves it in windows-1251
		check func(t *testing.T, sink *conntest.Sink)
	}{
		{
			name: "otzovik",
			file: "otzovik.yaml",
			pages: map[string]string{
				"/reviews/kafe_maison_colette_russia_sankt-peterburg/":   "otzovik/list-1.html",
				"/reviews/kafe_maison_colette_russia_sankt-peterburg/2/": "otzovik/list-2.html.cp1251",
			},
			check: func(t *testing.T, sink *conntest.Sink) {
				if len(sink.Pages) != 2 || sink.Errors() != nil {
					t.Fatalf("%d pages, errors %v", len(sink.Pages), sink.Errors())
				}
				rs := sink.Reviews()
				if len(rs) != 5 {
					t.Fatalf("%d reviews, want 5 (the empty item left out)", len(rs))
				}
				first := rs[0]
				if first.Author != "marina_k" || *first.Rating != 4 || first.Title != "Уютно, но тесновато" ||
					!strings.HasPrefix(first.Text, "Хорошая кофейня рядом с метро, круассаны свежие — но") ||
					!strings.HasSuffix(first.ExternalID, "/review_15501234.html") || first.URL != first.ExternalID {
					t.Errorf("first review %+v", first)
				}
				if want := time.Date(2024, 3, 12, 6, 41, 0, 0, time.UTC); !first.PublishedAt.Equal(want) {
					t.Errorf("date %v, want %v", first.PublishedAt, want)
				}
				if got := rs[2].PublishedAt; !got.Equal(time.Date(2024, 2, 14, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("date from the text \"14 фев 2024\": %v", got)
				}
				// page 2 was served in windows-1251, byte 0x85 included
				if rs[3].Title != "Средне…" || rs[3].Text != "Кофе нормальный, цены выше среднего. Ёлка в зале красивая." {
					t.Errorf("windows-1251 page: %q / %q", rs[3].Title, rs[3].Text)
				}
				last := sink.Pages[1]
				if !last.Final || sink.Pages[0].Final {
					t.Errorf("Final: page 1 %v, page 2 %v; want only the last", sink.Pages[0].Final, last.Final)
				}
				if len(last.Warnings) == 0 || !strings.Contains(strings.Join(last.Warnings, "\n"), "review 2") {
					t.Errorf("no warning names the empty item: %q", last.Warnings)
				}
			},
		},
		{
			name: "yandex maps",
			file: "yandex-maps.yaml",
			pages: map[string]string{
				"/maps/org/maison_colette/1234567890/reviews/": "yandex/reviews.html",
			},
			check: func(t *testing.T, sink *conntest.Sink) {
				if len(sink.Pages) != 1 || sink.Errors() != nil {
					t.Fatalf("%d pages, errors %v", len(sink.Pages), sink.Errors())
				}
				if sink.Pages[0].Final {
					t.Error("a partial source's page is Final")
				}
				rs := sink.Reviews()
				if len(rs) != 4 {
					t.Fatalf("%d reviews, want 4", len(rs))
				}
				want := []float64{4, 1, 5, 3}
				for i, r := range rs {
					if r.Rating == nil || *r.Rating != want[i] {
						t.Errorf("review %d: rating %v, want %v", i+1, r.Rating, want[i])
					}
				}
				a := rs[0]
				if a.Author != "Анна Смирнова" || a.Text != "Отличный кофе и круассаны, но очередь по утрам большая.\nОбязательно вернёмся!" ||
					a.Reply == nil || !strings.HasPrefix(a.Reply.Text, "Анна, спасибо за отзыв!") ||
					!a.PublishedAt.Equal(time.Date(2024, 3, 12, 10, 20, 30, 123e6, time.UTC)) || a.LangHint != "ru" {
					t.Errorf("first review %+v", a)
				}
				if rs[2].Text != "" || rs[2].Author != "Пользователь" {
					t.Errorf("rating-only review %+v", rs[2])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := loadExample(t, tt.file)
			mux := http.NewServeMux()
			for path, file := range tt.pages {
				body := conntest.Testdata(t, strings.TrimSuffix(file, ".cp1251"))
				if strings.HasSuffix(file, ".cp1251") {
					body = conntest.Encode(t, charmap.Windows1251, body)
				}
				mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != path {
						http.NotFound(w, r)
						return
					}
					w.Header().Set("Content-Type", "text/html")
					w.Write(body)
				})
			}
			srv := conntest.Server(t, mux, nil)
			p := *src.Params.(*Params)
			u, err := url.Parse(p.URL)
			if err != nil {
				t.Fatal(err)
			}
			p.URL = srv.URL + u.Path
			env := conntest.Env(Kind, &p)
			env.Source.MaxPages = src.MaxPages
			env.Now = func() time.Time { return testNow }
			sink := &conntest.Sink{}
			conntest.Collect(t, New, env, sink)
			tt.check(t, sink)
		})
	}
}
