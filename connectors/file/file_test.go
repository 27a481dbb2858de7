package file

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/internal/review"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// fixture reads testdata/name; a name ending in .utf8 is a UTF-8 source
// served in windows-1251.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b := conntest.Testdata(t, name)
	if strings.HasSuffix(name, ".utf8") {
		b = conntest.Encode(t, charmap.Windows1251, b)
	}
	return b
}

// damaged is UTF-8 with two stray bytes on line 3.
func damaged() []byte {
	return []byte("id,text,rating\n1,Très bon café,5\n2,Caf\xe9 froid \xff,2\n3,Вкусно,4\n")
}

func params(change func(p *Params)) *Params {
	p := NewParams().(*Params)
	if change != nil {
		change(p)
	}
	return p
}

type golden struct {
	Reviews  []review.Review `json:"reviews"`
	Warnings []string        `json:"warnings"`
}

func TestExtractGolden(t *testing.T) {
	tests := []struct {
		name string // testdata/<name>.golden.json
		file string // document name, for warnings
		body []byte
		p    *Params
	}{
		{"survey-nps", "survey-nps.csv", fixture(t, "survey-nps.csv"), params(func(p *Params) { p.Columns.Location = Column{"Store"}; p.Locations = []string{"Paris-Opera"} })},
		{"csat-ru-cp1251", "csat-ru.csv", fixture(t, "csat-ru.csv.utf8"), params(func(p *Params) { p.Scale = "csat" })},
		{"feedback-jsonl", "feedback.jsonl", fixture(t, "feedback.jsonl"), params(func(p *Params) {
			p.Columns = Columns{Author: Column{"customer.name"}, Text: Column{"body_html"}, Title: Column{"subject"}, Date: Column{"received_at"}, Rating: Column{"csat"}}
		})},
		{"tool-export", "tool-export.tsv", fixture(t, "tool-export.tsv"), params(func(p *Params) { p.ReviewKind = "review" })},
		{"unterminated", "unterminated.csv", fixture(t, "unterminated.csv"), params(nil)},
		{"damaged-utf8", "damaged.csv", damaged(), params(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext, err := Extract(connectors.Document{URL: "file:///exports/" + tt.file, Body: tt.body}, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			checkReviews(t, ext.Reviews)
			conntest.Golden(t, filepath.Join("testdata", tt.name+".golden.json"), golden{Reviews: ext.Reviews, Warnings: ext.Warnings}, *update)
		})
	}
}

func checkReviews(t *testing.T, rs []review.Review) {
	t.Helper()
	for i, r := range rs {
		if !r.Kind.Valid() {
			t.Fatalf("row %d: kind %q", i, r.Kind)
		}
		if r.Text == "" && r.Rating == nil && r.Title == "" {
			t.Fatalf("row %d has neither text, rating nor title", i)
		}
		if r.Rating != nil {
			lo := 1.0
			if r.WorstRating != nil {
				lo = *r.WorstRating
			}
			if r.BestRating == nil || *r.Rating > *r.BestRating || *r.Rating < lo {
				t.Fatalf("row %d: rating %v outside %v..%v", i, *r.Rating, lo, r.BestRating)
			}
		}
	}
}

func TestExtractFields(t *testing.T) {
	extract := func(t *testing.T, name string, body []byte, p *Params) connectors.Extraction {
		t.Helper()
		ext, err := Extract(connectors.Document{URL: "https://exports.example.test/dl/" + name, Body: body}, p)
		if err != nil {
			t.Fatal(err)
		}
		return ext
	}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"nps survey: scale from the column name, malformed lines named", func(t *testing.T) {
			ext := extract(t, "survey-nps.csv", fixture(t, "survey-nps.csv"), params(func(p *Params) { p.Columns.Location = Column{"Store"}; p.Locations = []string{"paris-opera"} }))
			ids := []string{}
			for _, r := range ext.Reviews {
				ids = append(ids, r.ExternalID)
			}
			if got := strings.Join(ids, " "); got != "R_1001 R_1002 R_1003 R_1007 R_1008" {
				t.Fatalf("rows %s", got)
			}
			r := ext.Reviews[1]
			if r.Kind != review.KindSurvey || *r.Rating != 3 || *r.BestRating != 10 || r.WorstRating == nil || *r.WorstRating != 0 ||
				r.Text != "Waited 20 minutes.\nNobody apologised." || r.Author != "John Smith" || r.LangHint != "en" ||
				!r.PublishedAt.Equal(time.Date(2024, 3, 18, 10, 5, 1, 0, time.UTC)) {
				t.Errorf("R_1002 %+v", r)
			}
			if r := ext.Reviews[3]; *r.Rating != 0 || r.LangHint != "fr" || !r.PublishedAt.Equal(time.Date(2024, 3, 19, 9, 15, 0, 0, time.UTC)) {
				t.Errorf("R_1007 %+v", r)
			}
			w := strings.Join(ext.Warnings, "\n")
			for _, want := range []string{
				`survey-nps.csv:6: rating "abc" is not a number`,
				`survey-nps.csv:7: 8 values where the header has 7`,
				`survey-nps.csv:11: date "not a date" is not a date`,
				`survey-nps.csv:12: rating 11 is outside the scale 0 to 10`,
				`survey-nps.csv:13: no text and no rating`,
			} {
				if !strings.Contains(w, want) {
					t.Errorf("no warning %q in:\n%s", want, w)
				}
			}
			if strings.Contains(w, "R_1006") || strings.Contains(w, ":8:") {
				t.Errorf("a row of another location is not a problem:\n%s", w)
			}
		}},
		{"windows-1251, semicolons, quoted separator", func(t *testing.T) {
			ext := extract(t, "csat-ru.csv", fixture(t, "csat-ru.csv.utf8"), params(nil))
			if len(ext.Reviews) != 3 || len(ext.Warnings) != 0 {
				t.Fatalf("%d rows, warnings %q", len(ext.Reviews), ext.Warnings)
			}
			if r := ext.Reviews[1]; r.Text != "Долго ждали; кофе остыл." || r.Author != "Сергей П." || *r.Rating != 2 || *r.BestRating != 5 ||
				r.ExternalID != "502" || !r.PublishedAt.Equal(time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("row 2 %+v", r)
			}
			if ext.Reviews[2].Text != "Вкусно, но шумно…" {
				t.Errorf("row 3 text %q", ext.Reviews[2].Text)
			}
		}},
		{"jsonl: nested keys, html bodies, a malformed line", func(t *testing.T) {
			ext := extract(t, "feedback.jsonl", fixture(t, "feedback.jsonl"), params(func(p *Params) {
				p.Columns = Columns{Author: Column{"customer.name"}, Text: Column{"body_html"}, Title: Column{"subject"}, Date: Column{"received_at"}, Rating: Column{"csat"}}
			}))
			if len(ext.Reviews) != 4 {
				t.Fatalf("%d rows", len(ext.Reviews))
			}
			r := ext.Reviews[0]
			if r.Author != "Hélène Martin" || r.Text != "Bonjour,\nMa commande était incomplète : il manquait le flan." || r.LangHint != "fr" || *r.Rating != 2 || r.ExternalID != "msg-001" {
				t.Errorf("row 1 %+v", r)
			}
			if r := ext.Reviews[2]; r.Rating != nil || !r.PublishedAt.Equal(time.Unix(1710670000, 0)) {
				t.Errorf("row 3 %+v", r)
			}
			if r := ext.Reviews[3]; *r.Rating != 4.5 {
				t.Errorf("row 5 rating %v", *r.Rating)
			}
			if w := strings.Join(ext.Warnings, "\n"); !strings.Contains(w, "feedback.jsonl:4: not a JSON object") {
				t.Errorf("warnings %q", ext.Warnings)
			}
		}},
		{"tsv with BOM: stated scale, reply, serial date", func(t *testing.T) {
			ext := extract(t, "tool-export.tsv", fixture(t, "tool-export.tsv"), params(nil))
			if len(ext.Reviews) != 3 {
				t.Fatalf("%d rows %q", len(ext.Reviews), ext.Warnings)
			}
			r := ext.Reviews[0]
			if r.ExternalID != "g-77" || *r.Rating != 4 || r.Reply == nil || r.Reply.Text != "Thanks Alex, we are hiring!" || r.Title != "Nice" ||
				!r.PublishedAt.Equal(time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("row 1 %+v", r)
			}
			if r := ext.Reviews[2]; !r.PublishedAt.Equal(time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("serial date 45360 = %v", r.PublishedAt)
			}
		}},
		{"unterminated quote: that line only is lost", func(t *testing.T) {
			ext := extract(t, "unterminated.csv", fixture(t, "unterminated.csv"), params(nil))
			var ids []string
			for _, r := range ext.Reviews {
				ids = append(ids, r.ExternalID)
			}
			if strings.Join(ids, " ") != "1 3 4 5" || ext.Reviews[2].Text != "multi\nline, and fine" {
				t.Errorf("rows %v %+v", ids, ext.Reviews)
			}
			if w := strings.Join(ext.Warnings, "\n"); !strings.Contains(w, "unterminated.csv:3: unterminated quote") {
				t.Errorf("warnings %q", ext.Warnings)
			}
		}},
		{"damaged UTF-8 is repaired and reported", func(t *testing.T) {
			ext := extract(t, "damaged.csv", damaged(), params(nil))
			if len(ext.Reviews) != 3 || ext.Reviews[1].Text != "Caf\uFFFD froid \uFFFD" || ext.Reviews[2].Text != "Вкусно" {
				t.Fatalf("%+v", ext.Reviews)
			}
			if len(ext.Warnings) != 1 || ext.Warnings[0] != "damaged.csv:3: invalid UTF-8 repaired (U+FFFD)" {
				t.Errorf("warnings %q", ext.Warnings)
			}
		}},
		{"scale guessed from the values, with a warning", func(t *testing.T) {
			ext := extract(t, "scores.csv", []byte("comment,score\nok,7\nbad,2\ngreat,10\n"), params(nil))
			if len(ext.Reviews) != 3 || *ext.Reviews[0].BestRating != 10 || ext.Reviews[0].WorstRating != nil {
				t.Fatalf("%+v", ext.Reviews)
			}
			if len(ext.Warnings) != 1 || !strings.Contains(ext.Warnings[0], "no rating scale configured") {
				t.Errorf("warnings %q", ext.Warnings)
			}
		}},
		{"no header: columns by index", func(t *testing.T) {
			f := false
			ext := extract(t, "raw.csv", []byte("x;2024-01-02;Super boulangerie;5\ny;2024-01-03;Bof;2\n"), params(func(p *Params) {
				p.Header = &f
				p.Columns = Columns{ID: Column{"0"}, Date: Column{"1"}, Text: Column{"2"}, Rating: Column{"3"}}
			}))
			if len(ext.Reviews) != 2 || ext.Reviews[0].Text != "Super boulangerie" || *ext.Reviews[1].Rating != 2 || ext.Reviews[1].ExternalID != "y" {
				t.Fatalf("%+v %q", ext.Reviews, ext.Warnings)
			}
		}},
		{"several text columns", func(t *testing.T) {
			ext := extract(t, "pc.csv", []byte("liked,disliked,stars\nThe bread,The queue,4\n"), params(func(p *Params) { p.Columns.Text = Column{"liked", "disliked"} }))
			if len(ext.Reviews) != 1 || ext.Reviews[0].Text != "The bread\nThe queue" {
				t.Fatalf("%+v", ext.Reviews)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		p    *Params
		want string
	}{
		{"unknown column", "a,b\n1,2\n", params(func(p *Params) { p.Columns.Text = Column{"Commentaire"} }), `columns.text: no column "Commentaire" (the header has: a, b)`},
		{"nothing to read", "a,b\n1,2\n", params(nil), "no text or rating column found"},
		{"empty", "", params(nil), "no header row"},
		{"json without objects", `[1, 2]`, params(func(p *Params) { p.Format = "json" }), "no text or rating key found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Extract(connectors.Document{URL: "file:///x/export.csv", Body: []byte(tt.body)}, tt.p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Params)
		want   string
	}{
		{"valid", func(p *Params) {}, ""},
		{"nothing", func(p *Params) { p.Path = "" }, "path: is required"},
		{"both", func(p *Params) { p.URL = "https://x.test/e.csv" }, "url: cannot go with path"},
		{"bad url", func(p *Params) { p.Path, p.URL = "", "ftp://x.test/e.csv" }, "url:"},
		{"bad glob", func(p *Params) { p.Path = "exports/[a.csv" }, "path:"},
		{"format", func(p *Params) { p.Format = "xlsx" }, "format:"},
		{"delimiter", func(p *Params) { p.Delimiter = "::" }, "delimiter:"},
		{"tab", func(p *Params) { p.Delimiter = "tab" }, ""},
		{"encoding", func(p *Params) { p.Encoding = "klingon" }, "encoding: unknown charset"},
		{"cp1251", func(p *Params) { p.Encoding = "windows-1251" }, ""},
		{"scale", func(p *Params) { p.Scale = "percent" }, "scale:"},
		{"best below worst", func(p *Params) { b := 0.0; p.Best = &b }, "best: must be above worst"},
		{"layout", func(p *Params) { p.DateLayout = "DD/MM/YYYY" }, "date_layout:"},
		{"kind", func(p *Params) { p.ReviewKind = "nps" }, "review_kind:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params(func(p *Params) { p.Path = "exports/*.csv" })
			tt.change(p)
			conntest.CheckError(t, p.Validate(), tt.want)
		})
	}
}

// TestConfig loads a configuration as Vigie does: columns given by name,
// by index and as a list.
func TestConfig(t *testing.T) {
	yml := `
brands:
  - id: colette
    locations:
      - id: paris-opera
        sources:
          - kind: file
            path: exports/*.csv
            delimiter: ";"
            scale: nps
            columns:
              id: 0
              text: [liked, disliked]
              rating: "How likely are you to recommend us?"
              date: Submitted At
`
	c, err := config.Parse("vigie.yaml", []byte(yml), connectors.Default, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	p := c.Sources()[0].Params.(*Params)
	if fmt.Sprint(p.Columns.ID, p.Columns.Text, p.Columns.Rating, p.Columns.Date) != "[0] [liked disliked] [How likely are you to recommend us?] [Submitted At]" {
		t.Errorf("columns %+v", p.Columns)
	}
	_, err = config.Parse("vigie.yaml", []byte(strings.Replace(yml, "id: 0", "id: {a: 1}", 1)), connectors.Default, func(string) (string, bool) { return "", false })
	if err == nil || !strings.Contains(err.Error(), "columns.id") {
		t.Errorf("a mapping as a column: %v", err)
	}
	_, err = config.Parse("vigie.yaml", []byte(strings.Replace(yml, "id: 0", "identifier: 0", 1)), connectors.Default, func(string) (string, bool) { return "", false })
	if err == nil || !strings.Contains(err.Error(), `unknown key "identifier"`) {
		t.Errorf("an unknown column field: %v", err)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, url, ctype string
		body             []byte
		want             int
	}{
		{"csv by name", "file:///x/survey.csv", "", fixture(t, "survey-nps.csv"), 80},
		{"csv by media type", "", "text/csv", fixture(t, "survey-nps.csv"), 80},
		{"jsonl by name", "https://x.test/feedback.jsonl", "", fixture(t, "feedback.jsonl"), 80},
		{"csv by content", "", "", fixture(t, "csat-ru.csv.utf8"), 50},
		{"html", "", "text/html", []byte("<html><body><p>Avis</p></body></html>"), 0},
		{"rss", "", "", []byte(`<?xml version="1.0"?><rss><channel></channel></rss>`), 0},
		{"places json", "", "application/json", []byte(`{"result": {"reviews": [{"text": "x", "rating": 5}]}, "status": "OK"}`), 0},
		{"csv without known columns", "file:///x/data.csv", "", []byte("a,b,c\n1,2,3\n"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(connectors.Document{URL: tt.url, ContentType: tt.ctype, Body: tt.body}); got != tt.want {
				t.Fatalf("Detect = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCollectLocal(t *testing.T) {
	dir := t.TempDir()
	var big bytes.Buffer
	big.WriteString("id,date,score,comment\n")
	for i := 1; i <= 1203; i++ {
		fmt.Fprintf(&big, "%d,2024-03-%02d,%d,Answer number %d\n", i, 1+i%28, i%11, i)
	}
	big.WriteString("1204,2024-03-01,abc,bad score\n")
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-big.csv", big.Bytes())
	write("b-ru.csv", fixture(t, "csat-ru.csv.utf8"))
	write("notes.txt", []byte("not an export"))

	tests := []struct {
		name      string
		path      string
		complete  bool
		wantPages []int // reviews per page
		wantFinal bool
		wantErr   string
		check     func(t *testing.T, sink *conntest.Sink)
	}{
		{
			name:      "a glob, pages of 500, the malformed line named",
			path:      filepath.Join(dir, "*.csv"),
			wantPages: []int{500, 500, 203, 3},
			check: func(t *testing.T, sink *conntest.Sink) {
				var w []string
				for _, p := range sink.Pages[:3] {
					w = append(w, p.Warnings...)
				}
				if len(w) != 2 || w[1] != `a-big.csv:1205: rating "abc" is not a number` || !strings.Contains(w[0], "read as 0 to 10") {
					t.Errorf("warnings %q", w)
				}
				if !strings.HasPrefix(sink.Pages[3].URL, "file://") || !strings.HasSuffix(sink.Pages[3].URL, "/b-ru.csv") {
					t.Errorf("page URL %q", sink.Pages[3].URL)
				}
				if r := sink.Pages[3].Reviews[0]; r.Author != "Ирина" || r.Kind != review.KindSurvey {
					t.Errorf("windows-1251 file: %+v", r)
				}
				if r := sink.Pages[0].Reviews[0]; *r.BestRating != 10 || r.WorstRating == nil {
					t.Errorf("scale of 0 to 10 values: %v %v", r.BestRating, r.WorstRating)
				}
			},
		},
		{
			name:      "complete: Final on the last page",
			path:      filepath.Join(dir, "b-ru.csv"),
			complete:  true,
			wantPages: []int{3},
			wantFinal: true,
		},
		{
			name:      "a missing file",
			path:      filepath.Join(dir, "missing.csv"),
			complete:  true,
			wantPages: []int{0},
			wantErr:   "no such file",
		},
		{
			name:      "a file that is no export: an error, not Final",
			path:      filepath.Join(dir, "notes.txt"),
			complete:  true,
			wantPages: []int{0},
			wantErr:   "no text or rating column",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params(func(p *Params) { p.Path = tt.path; p.Complete = tt.complete })
			sink := &conntest.Sink{}
			conntest.Collect(t, New, conntest.Env(Kind, p), sink)
			var sizes []int
			for _, pg := range sink.Pages {
				sizes = append(sizes, len(pg.Reviews))
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tt.wantPages) {
				t.Fatalf("pages %v, want %v", sizes, tt.wantPages)
			}
			sink.CheckFinal(t, tt.wantFinal)
			sink.CheckErrors(t, tt.wantErr)
			if tt.check != nil {
				tt.check(t, sink)
			}
		})
	}
}

func TestCollectURL(t *testing.T) {
	cp1251 := fixture(t, "csat-ru.csv.utf8")
	nps := fixture(t, "survey-nps.csv")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /exports/csat.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv") // no charset
		w.Write(cp1251)
	})
	mux.HandleFunc("GET /exports/nps.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Write(nps)
	})
	tests := []struct {
		name                 string
		path                 string
		tooMany, serverError bool
		slow                 bool
		want                 int
		wantErr              string
	}{
		{name: "windows-1251 export without a declared charset", path: "/exports/csat.csv", want: 3},
		{name: "429 with Retry-After, then success", path: "/exports/nps.csv", tooMany: true, want: 6},
		{name: "500, then success", path: "/exports/nps.csv", serverError: true, want: 6},
		{name: "timeout: the error names the URL", path: "/exports/nps.csv", slow: true, wantErr: "/exports/nps.csv"},
		{name: "404", path: "/exports/none.csv", wantErr: "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &conntest.Faults{TooMany: map[string]bool{}, ServerError: map[string]bool{}, Slow: map[string]time.Duration{}}
			if tt.tooMany {
				f.TooMany[tt.path] = true
			}
			if tt.serverError {
				f.ServerError[tt.path] = true
			}
			if tt.slow {
				f.Slow[tt.path] = 5 * time.Second
			}
			srv := conntest.Server(t, mux, f)
			p := params(func(p *Params) { p.URL = srv.URL + tt.path })
			env := conntest.Env(Kind, p)
			env.Source.Location = "paris-opera"
			sink := &conntest.Sink{}
			conntest.Collect(t, New, env, sink)
			if n := len(sink.Reviews()); n != tt.want {
				t.Errorf("%d reviews, want %d", n, tt.want)
			}
			sink.CheckErrors(t, tt.wantErr)
			f.CheckRetried(t, tt.path, 2)
			sink.CheckFinal(t, false) // not without complete: true
		})
	}
}

// FuzzReadCSV feeds arbitrary bytes to the CSV and JSON Lines readers
// (decoding, delimiter detection, quote recovery): no panic, and what
// comes out holds together.
func FuzzReadCSV(f *testing.F) {
	for _, n := range []string{"survey-nps.csv", "csat-ru.csv.utf8", "tool-export.tsv", "unterminated.csv", "feedback.jsonl"} {
		f.Add(fixture(f, n), "")
	}
	f.Add(damaged(), "")
	f.Add([]byte("sep=;\ntext;rating\n\"a;b\";4,5\n"), "")
	f.Add([]byte("\xff\xfet\x00e\x00x\x00t\x00\n\x00"), "csv")
	f.Add([]byte(`[{"text":"x","rating":"9/10"},{"text":null}]`), "json")
	f.Fuzz(func(t *testing.T, body []byte, format string) {
		p := params(func(p *Params) { p.Format = format })
		ext, err := Extract(connectors.Document{URL: "file:///fuzz/export.csv", Body: body}, p)
		if err != nil {
			return
		}
		checkReviews(t, ext.Reviews)
		Detect(connectors.Document{URL: "file:///fuzz/export.csv", Body: body})
	})
}
