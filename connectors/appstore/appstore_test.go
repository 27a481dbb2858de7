package appstore

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/internal/review"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

const testApp = "1404176564"

// bigPage builds page n of a 10-page feed (Apple's cap), two reviews a
// page, with the links Apple gives.
func bigPage(n int) []byte {
	link := func(rel string, p int) map[string]any {
		return map[string]any{"attributes": map[string]any{"rel": rel, "href": fmt.Sprintf(
			"https://itunes.apple.com/us/rss/customerreviews/page=%d/id=%s/sortby=mostrecent/xml?urlDesc=/customerreviews/id=%s/sortBy=mostRecent/page=%d/json", p, testApp, testApp, n)}}
	}
	links := []any{link("first", 1), link("last", 10), link("previous", max(n-1, 1))}
	if n < 10 {
		links = append(links, link("next", n+1))
	}
	var entries []any
	for i := range 2 {
		id := fmt.Sprint(50000 - 2*n - i)
		entries = append(entries, map[string]any{
			"author":    map[string]any{"name": map[string]any{"label": "user" + id}, "uri": map[string]any{"label": "https://itunes.apple.com/us/reviews/id" + id}, "label": ""},
			"im:rating": map[string]any{"label": "4"}, "id": map[string]any{"label": id},
			"title": map[string]any{"label": "t" + id}, "content": map[string]any{"label": "c" + id, "attributes": map[string]any{"type": "text"}},
			"updated": map[string]any{"label": "2026-01-01T10:00:00-08:00"},
		})
	}
	b, _ := json.Marshal(map[string]any{"feed": map[string]any{"entry": entries, "link": links}})
	return b
}

func fakeApple(t *testing.T, faults *conntest.Faults) string {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{country}/rss/customerreviews/{page}/{id}/{sort}/{form}", func(w http.ResponseWriter, r *http.Request) {
		var page int
		if _, err := fmt.Sscanf(r.PathValue("page"), "page=%d", &page); err != nil || r.PathValue("sort") != "sortby=mostrecent" {
			http.Error(w, "bad path", http.StatusBadRequest)
			return
		}
		if page > 10 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "CustomerReviews RSS page depth is limited to 10")
			return
		}
		if r.PathValue("id") != "id="+testApp {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, "<html><body><h1>Forbidden</h1></body></html>")
			return
		}
		serve := func(name, ct string) {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Error(err)
				http.Error(w, err.Error(), 500)
				return
			}
			w.Header().Set("Content-Type", ct)
			w.Write(b)
		}
		const js = "text/javascript; charset=utf-8" // what Apple labels the JSON feed
		form := r.PathValue("form")
		switch c := r.PathValue("country"); {
		case c == "fr" && form == "json":
			serve(fmt.Sprintf("page-%d.json", page), js)
		case (c == "ru" || c == "de") && form == "json":
			serve("nodates.json", js)
		case c == "ru" && form == "xml":
			serve("nodates.xml", "application/atom+xml; charset=UTF-8")
		case c == "gb":
			serve("malformed.json", js)
		case c == "ca":
			serve("empty.json", js)
		case c == "us":
			w.Header().Set("Content-Type", js)
			w.Write(bigPage(page))
		default:
			http.Error(w, "not found", http.StatusNotFound)
		}
	})
	return conntest.Server(t, mux, faults).URL
}

func TestCollect(t *testing.T) {
	const page1 = "/fr/rss/customerreviews/page=1/id=" + testApp + "/sortby=mostrecent/json"
	tests := []struct {
		name        string
		country     string
		app         string
		faults      *conntest.Faults
		timeout     time.Duration
		maxPages    int
		incremental bool
		known       []string
		wantIDs     string
		wantPages   int
		wantFinal   bool
		wantErr     []string
		check       func(t *testing.T, s *conntest.Sink)
	}{
		{
			name:      "three pages by rel=next, app entry skipped, object entry read, last Final",
			country:   "fr",
			wantIDs:   "11010 11009 11008 11007 11006",
			wantPages: 3,
			wantFinal: true,
			check: func(t *testing.T, s *conntest.Sink) {
				r := s.Reviews()[0]
				if r.Author != "Camille" || *r.Rating != 5 || r.Title != "Super appli" || r.Text != "Commande rapide, retrait sans attente.\nParfait." {
					t.Errorf("review %+v", r)
				}
				if got := r.PublishedAt.Format(time.RFC3339); got != "2026-04-06T09:12:44-07:00" {
					t.Errorf("date %s", got)
				}
				for _, p := range s.Pages {
					if len(p.Warnings) > 0 {
						t.Errorf("page %s: warnings %q", p.URL, p.Warnings)
					}
				}
			},
		},
		{
			name:        "incremental stop",
			country:     "fr",
			incremental: true,
			known:       []string{"11010", "11009"},
			wantIDs:     "11010 11009",
			wantPages:   1,
		},
		{
			name:      "page cap",
			country:   "fr",
			maxPages:  2,
			wantIDs:   "11010 11009 11008 11007",
			wantPages: 2,
		},
		{
			name:      "Apple's 10-page cap: never Final, no 11th page",
			country:   "us",
			maxPages:  50,
			wantPages: 10,
			check: func(t *testing.T, s *conntest.Sink) {
				if n := len(s.Reviews()); n != 20 {
					t.Errorf("%d reviews, want 20", n)
				}
			},
		},
		{
			name:      "429 with Retry-After then success",
			country:   "fr",
			faults:    &conntest.Faults{TooMany: map[string]bool{page1: true}},
			wantIDs:   "11010 11009 11008 11007 11006",
			wantPages: 3,
			wantFinal: true,
		},
		{
			name:      "500 then success",
			country:   "fr",
			faults:    &conntest.Faults{ServerError: map[string]bool{page1: true}},
			wantIDs:   "11010 11009 11008 11007 11006",
			wantPages: 3,
			wantFinal: true,
		},
		{
			name:      "timeout names the URL",
			country:   "fr",
			faults:    &conntest.Faults{Slow: map[string]time.Duration{page1: 2 * time.Second}},
			timeout:   100 * time.Millisecond,
			wantPages: 1,
			wantErr:   []string{`appstore: source "test-appstore"`, "GET http://127.0.0.1:", page1, "no complete answer within 100ms"},
		},
		{
			name:      "dates from the XML form when the JSON has none",
			country:   "ru",
			wantIDs:   "22002 22001",
			wantPages: 1,
			wantFinal: true,
			check: func(t *testing.T, s *conntest.Sink) {
				rs := s.Reviews()
				if rs[0].PublishedAt.Format(time.RFC3339) != "2026-04-05T11:00:00-07:00" || rs[1].PublishedAt.Format(time.RFC3339) != "2026-03-28T07:30:00-07:00" {
					t.Errorf("dates %v, %v", rs[0].PublishedAt, rs[1].PublishedAt)
				}
				if w := s.Pages[0].Warnings; len(w) > 0 {
					t.Errorf("warnings %q", w)
				}
			},
		},
		{
			name:      "XML form failing: undated reviews and a warning",
			country:   "de",
			wantIDs:   "22002 22001",
			wantPages: 1,
			wantFinal: true,
			check: func(t *testing.T, s *conntest.Sink) {
				if w := strings.Join(s.Pages[0].Warnings, "\n"); !strings.Contains(w, "2 reviews have no date: the JSON feed has none and the XML form failed") || !strings.Contains(w, "/de/rss/customerreviews/page=1/id="+testApp+"/sortby=mostrecent/xml: 404 Not Found") {
					t.Errorf("warnings %q", w)
				}
			},
		},
		{
			name:      "malformed entries among good ones: no Final",
			country:   "gb",
			wantIDs:   "33005 33003 33002",
			wantPages: 1,
			check: func(t *testing.T, s *conntest.Sink) {
				conntest.CheckWarnings(t, s.Pages[0].Warnings,
					"entry 2: not a review entry (a JSON string): left out",
					"entry 3: not a review entry (im:rating.label is a JSON number): left out",
					`entry 4 (id 33003): unreadable im:rating "cinq": kept unrated`,
					`entry 4 (id 33003): unreadable updated "le 3 janvier"`,
					"entry 5: no im:rating and no im:name: neither a review nor the app, left out",
				)
			},
		},
		{
			name:      "no entry at all: not Final",
			country:   "ca",
			wantPages: 1,
		},
		{
			name:      "an error page is quoted",
			country:   "fr",
			app:       "id123456789",
			wantPages: 1,
			wantErr:   []string{"403 Forbidden", `the server says "<html><body><h1>Forbidden</h1></body></html>"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := fakeApple(t, tt.faults)
			p := NewParams()
			p.AppID, p.Country, p.Endpoint = testApp, tt.country, base
			if tt.app != "" {
				p.AppID = tt.app
			}
			env := conntest.Env(Kind, p)
			env.Incremental = tt.incremental
			env.Source.MaxPages = tt.maxPages
			if tt.timeout > 0 {
				env.Client = fetch.New(fetch.Options{Timeout: tt.timeout})
			}
			sink := conntest.NewSink(tt.known...)
			conntest.Collect(t, New, env, sink)
			var ids []string
			for _, r := range sink.Reviews() {
				ids = append(ids, r.ExternalID)
			}
			if got := strings.Join(ids, " "); tt.wantIDs != "" && got != tt.wantIDs {
				t.Errorf("reviews %q, want %q", got, tt.wantIDs)
			}
			if len(sink.Pages) != tt.wantPages {
				t.Fatalf("%d pages, want %d", len(sink.Pages), tt.wantPages)
			}
			sink.CheckFinal(t, tt.wantFinal)
			conntest.CheckError(t, sink.Pages[len(sink.Pages)-1].Err, tt.wantErr...)
			tt.faults.CheckRetried(t, page1, 2)
			if tt.check != nil {
				tt.check(t, sink)
			}
		})
	}
}

func TestExtractGolden(t *testing.T) {
	for _, name := range []string{"page-1", "page-3", "nodates", "malformed"} {
		t.Run(name, func(t *testing.T) {
			body := conntest.Testdata(t, name+".json")
			doc := connectors.Document{URL: "https://itunes.apple.com/fr/rss/customerreviews/page=1/id=" + testApp + "/sortby=mostrecent/json", Body: body}
			if s := Detect(doc); s != 95 {
				t.Errorf("Detect = %d, want 95", s)
			}
			ext, err := Extract(doc)
			if err != nil {
				t.Fatal(err)
			}
			conntest.Golden(t, filepath.Join("testdata", name+".golden.json"), struct {
				Reviews  []review.Review `json:"reviews"`
				Next     []string        `json:"next,omitempty"`
				Warnings []string        `json:"warnings,omitempty"`
			}{ext.Reviews, ext.Next, ext.Warnings}, *update)
		})
	}
}

func TestPageOf(t *testing.T) {
	tests := []struct {
		href string
		want int
	}{
		{"https://itunes.apple.com/jp/rss/customerreviews/page=8/id=1404176564/sortby=mostrecent/xml?urlDesc=/customerreviews/id=1404176564/sortBy=mostRecent/page=1/json", 8},
		{"https://itunes.apple.com/jp/rss/customerreviews/id=1404176564/sortBy=mostRecent/page=2/json", 2},
		{"https://itunes.apple.com/jp/rss/customerreviews/id=1404176564/json", 0},
		{"page=99999999999999999999", 0},
	}
	for _, tt := range tests {
		if got := pageOf(tt.href); got != tt.want {
			t.Errorf("pageOf(%q) = %d, want %d", tt.href, got, tt.want)
		}
	}
}

func TestDetect(t *testing.T) {
	conntest.CheckDetect(t, Detect, []conntest.DetectCase{
		{Name: "reviews", Body: `{"feed":{"entry":[{"im:rating":{"label":"5"}}]}}`, Want: 95},
		{Name: "no entries", Body: `{"feed":{"id":{"label":"https://itunes.apple.com/fr/rss/customerreviews/id=1/json"}}}`, Want: 70},
		{Name: "json feed", Body: `{"version":"https://jsonfeed.org/version/1.1","items":[]}`, Want: 0},
		{Name: "other", Body: `{"feed":{"items":[]}}`, Want: 0},
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		p       Params
		wantErr []string
	}{
		{name: "valid", p: Params{AppID: "1404176564", Country: "fr", Endpoint: DefaultEndpoint}},
		{name: "id prefix, upper-case country", p: Params{AppID: "id1404176564", Country: "GB", Endpoint: DefaultEndpoint}},
		{name: "empty", p: Params{Endpoint: DefaultEndpoint}, wantErr: []string{"app_id: is required", "country: is required"}},
		{name: "bad", p: Params{AppID: "vigie-cafe", Country: "fra", Endpoint: "itunes"}, wantErr: []string{`app_id: "vigie-cafe" is not`, `country: "fra" is not a two-letter`, `endpoint: "itunes"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conntest.CheckError(t, tt.p.Validate(), tt.wantErr...)
		})
	}
	p := Params{AppID: "id1404176564", Country: "GB", Endpoint: "https://itunes.apple.com/"}
	if got := p.pageURL(2, "json"); got != "https://itunes.apple.com/gb/rss/customerreviews/page=2/id=1404176564/sortby=mostrecent/json" {
		t.Errorf("pageURL = %s", got)
	}
}

func TestNew(t *testing.T) {
	conntest.CheckNew(t, New, Kind, NewParams(), "app_id: is required")
}

func FuzzParseFeed(f *testing.F) {
	for _, n := range []string{"page-1.json", "page-3.json", "nodates.json", "malformed.json", "empty.json"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"feed":{"entry":{"im:rating":{"label":"3"},"link":[1,{"attributes":null}]},"link":{"attributes":{"rel":"last","href":"page=7"}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		Detect(connectors.Document{Body: body})
		fp, err := parseFeed(body)
		if err != nil {
			return
		}
		for i, r := range fp.Reviews {
			if r.Rating != nil && (*r.Rating < 1 || *r.Rating > 5) {
				t.Fatalf("review %d: rating %v", i, *r.Rating)
			}
		}
		if fp.nextPage < 0 || fp.lastPage < 0 || fp.lastPage > 1000 {
			t.Fatalf("pages %d, %d", fp.nextPage, fp.lastPage)
		}
		fp.fillDates(map[string]time.Time{"1": {}})
	})
}

func TestXMLDatesCharset(t *testing.T) {
	doc := `<?xml version="1.0" encoding="windows-1251"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>7</id><title>Отлично</title><updated>2026-04-05T11:00:00-07:00</updated></entry><entry><id>8</id><updated>вчера</updated></entry></feed>`
	body := conntest.Encode(t, charmap.Windows1251, []byte(doc))
	dates, err := xmlDates(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(dates) != 1 || dates["7"].Format(time.RFC3339) != "2026-04-05T11:00:00-07:00" {
		t.Errorf("dates %v", dates)
	}
	if _, err := xmlDates([]byte("<html>")); err == nil {
		t.Error("no error for a non-feed")
	}
}

func FuzzXMLDates(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "nodates.xml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1251"?><feed><entry><id>1</id><updated>x</updated></entry></feed>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		xmlDates(body)
	})
}
