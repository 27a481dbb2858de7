package yelp

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
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

const testKey = "yelp-private-key-0123456789abcdef"

// fakeYelp serves the reviews endpoint as documented: Bearer key, limit
// and offset over a business's reviews, total, RateLimit-* headers on
// every response, {"error": {"code", "description"}} bodies.
func fakeYelp(t *testing.T, faults *conntest.Faults) string {
	all := readResponse(t, "all-reviews.json")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v3/businesses/{id}/reviews", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("RateLimit-DailyLimit", "500")
		h.Set("RateLimit-Remaining", "499")
		h.Set("RateLimit-ResetTime", "2026-04-20T00:00:00+00:00")
		yelpErr := func(status int, code, desc string) {
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error": {"code": %q, "description": %q}}`, code, desc)
		}
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			yelpErr(401, "TOKEN_INVALID", "Invalid access token or authorization header.")
			return
		}
		q := r.URL.Query()
		limit, err1 := strconv.Atoi(q.Get("limit"))
		offset, err2 := strconv.Atoi(q.Get("offset"))
		if err1 != nil || err2 != nil || q.Get("sort_by") != "newest" {
			yelpErr(400, "VALIDATION_ERROR", "bad query "+r.URL.RawQuery)
			return
		}
		switch r.PathValue("id") {
		case "cafe-vigie-paris":
			end := min(offset+limit, len(all.Reviews))
			page := map[string]any{"reviews": all.Reviews[min(offset, end):end], "total": all.Total, "possible_languages": all.PossibleLanguages}
			json.NewEncoder(w).Encode(page)
		case "standard-plan":
			page := map[string]any{"reviews": all.Reviews[:3], "total": 1205, "possible_languages": all.PossibleLanguages}
			json.NewEncoder(w).Encode(page)
		case "cafe-vigie-lyon":
			b, _ := os.ReadFile(filepath.Join("testdata", "malformed.json"))
			w.Write(b)
		case "latin1":
			// A JSON body in ISO-8859-1 with its charset declared: the
			// client decodes it.
			h.Set("Content-Type", "application/json; charset=ISO-8859-1")
			b, _ := charmap.ISO8859_1.NewEncoder().Bytes([]byte(`{"reviews": [{"id": "L1", "text": "Très bon café crème", "rating": 5, "time_created": "2026-02-01 10:00:00", "user": {"name": "Hélène"}}], "total": 1}`))
			w.Write(b)
		case "quota":
			h.Set("RateLimit-Remaining", "0")
			yelpErr(429, "ACCESS_LIMIT_REACHED", "You've reached the access limit for this client.")
		default:
			yelpErr(400, "BUSINESS_NOT_FOUND", "The requested business could not be found.")
		}
	})
	return conntest.Server(t, mux, faults).URL
}

func readResponse(t *testing.T, name string) reviewsResponse {
	t.Helper()
	b := conntest.Testdata(t, name)
	var r reviewsResponse
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCollect(t *testing.T) {
	const path = "/v3/businesses/cafe-vigie-paris/reviews"
	tests := []struct {
		name        string
		business    string
		limit       int
		locale      string
		key         string
		maxPages    int
		incremental bool
		known       []string
		faults      *conntest.Faults
		timeout     time.Duration
		wantIDs     string // ids without the common prefix
		wantOffsets string
		wantFinal   bool
		wantShown   int
		wantErr     []string
		check       func(t *testing.T, s *conntest.Sink)
	}{
		{
			name:        "limit and offset to the total, the last page Final",
			business:    "cafe-vigie-paris",
			limit:       2,
			locale:      "fr_FR",
			wantIDs:     "1 2 3 4 5",
			wantOffsets: "0 2 4",
			wantFinal:   true,
			wantShown:   5,
			check: func(t *testing.T, s *conntest.Sink) {
				r := s.Reviews()[0]
				if r.LangHint != "fr" || r.Author != "Camille M." || *r.Rating != 5 || !strings.HasSuffix(r.Text, "pour un petit...") {
					t.Errorf("review %+v", r)
				}
				if got := r.PublishedAt.Format(time.RFC3339); got != "2026-04-19T02:32:11Z" {
					t.Errorf("time_created read as %s, want 2026-04-19T02:32:11Z (19:32:11 Pacific daylight time)", got)
				}
				if u := s.Pages[0].URL; !strings.Contains(u, "locale=fr_FR") {
					t.Errorf("url %s", u)
				}
			},
		},
		{
			name:        "an exact last page",
			business:    "cafe-vigie-paris",
			limit:       5,
			wantIDs:     "1 2 3 4 5",
			wantOffsets: "0",
			wantFinal:   true,
			wantShown:   5,
		},
		{
			name:        "standard plan: 3 of 1205, stop without Final",
			business:    "standard-plan",
			limit:       20,
			wantIDs:     "1 2 3",
			wantOffsets: "0",
			wantShown:   1205,
		},
		{
			name:        "incremental stop at a known page",
			business:    "cafe-vigie-paris",
			limit:       2,
			incremental: true,
			known:       []string{"3", "4"},
			wantIDs:     "1 2 3 4",
			wantOffsets: "0 2",
			wantShown:   5,
		},
		{
			name:        "page cap",
			business:    "cafe-vigie-paris",
			limit:       2,
			maxPages:    1,
			wantIDs:     "1 2",
			wantOffsets: "0",
			wantShown:   5,
		},
		{
			name:        "429 with Retry-After then success",
			business:    "cafe-vigie-paris",
			limit:       5,
			faults:      &conntest.Faults{TooMany: map[string]bool{path: true}},
			wantIDs:     "1 2 3 4 5",
			wantOffsets: "0",
			wantFinal:   true,
			wantShown:   5,
		},
		{
			name:        "500 then success",
			business:    "cafe-vigie-paris",
			limit:       5,
			faults:      &conntest.Faults{ServerError: map[string]bool{path: true}},
			wantIDs:     "1 2 3 4 5",
			wantOffsets: "0",
			wantFinal:   true,
			wantShown:   5,
		},
		{
			name:        "timeout names the URL",
			business:    "cafe-vigie-paris",
			limit:       5,
			faults:      &conntest.Faults{Slow: map[string]time.Duration{path: 2 * time.Second}},
			timeout:     100 * time.Millisecond,
			wantOffsets: "0",
			wantErr:     []string{`yelp: source "test-yelp"`, "GET http://127.0.0.1:", path + "?limit=5&offset=0&sort_by=newest", "no complete answer within 100ms"},
		},
		{
			name:        "malformed items among good ones: kept, warned, not Final",
			business:    "cafe-vigie-lyon",
			limit:       20,
			wantIDs:     "GOOD1 BADDATE GOOD2",
			wantOffsets: "0",
			wantShown:   5,
			check: func(t *testing.T, s *conntest.Sink) {
				conntest.CheckWarnings(t, s.Pages[0].Warnings,
					"review 2: not a review object (a JSON array): left out",
					"review 3: not a review object (user is a JSON string): left out",
					"review 4 (BADDATE): rating 0 out of 1..5: kept unrated",
					`review 4 (BADDATE): unreadable time_created "yesterday"`,
				)
			},
		},
		{
			name:        "a Latin-1 body with its charset declared",
			business:    "latin1",
			wantIDs:     "L1",
			wantOffsets: "0",
			wantFinal:   true,
			wantShown:   1,
			check: func(t *testing.T, s *conntest.Sink) {
				if r := s.Reviews()[0]; r.Text != "Très bon café crème" || r.Author != "Hélène" {
					t.Errorf("misread: %q by %q", r.Text, r.Author)
				}
			},
		},
		{
			name:        "daily quota: the error names the reset time",
			business:    "quota",
			wantOffsets: "0",
			wantErr:     []string{"429 Too Many Requests", "(after 3 attempts)", "ACCESS_LIMIT_REACHED: You've reached the access limit for this client.", "its limit resets at 2026-04-20T00:00:00+00:00 (RateLimit-ResetTime)", "calls remaining today: 0 of 500"},
		},
		{
			name:        "bad key",
			business:    "cafe-vigie-paris",
			key:         "wrong-key",
			wantOffsets: "0",
			wantErr:     []string{"401 Unauthorized", "TOKEN_INVALID: Invalid access token or authorization header.", "check api_key"},
		},
		{
			name:        "unknown business",
			business:    "nowhere",
			wantOffsets: "0",
			wantErr:     []string{"400 Bad Request", "BUSINESS_NOT_FOUND: The requested business could not be found.", "check business_id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := fakeYelp(t, tt.faults)
			p := NewParams()
			p.BusinessID, p.APIKey, p.Endpoint, p.Locale = tt.business, testKey, base+"/v3", tt.locale
			if tt.limit > 0 {
				p.Limit = tt.limit
			}
			if tt.key != "" {
				p.APIKey = tt.key
			}
			env := conntest.Env(Kind, p)
			env.Incremental = tt.incremental
			env.Source.MaxPages = tt.maxPages
			if tt.timeout > 0 {
				env.Client = fetch.New(fetch.Options{Timeout: tt.timeout})
			}
			sink := conntest.NewSink()
			for _, k := range tt.known {
				sink.Known["gR9DTbKCON2g1Z23bWcEp"+k] = true
			}
			conntest.Collect(t, New, env, sink)
			var ids, offsets []string
			for _, r := range sink.Reviews() {
				ids = append(ids, strings.TrimPrefix(r.ExternalID, "gR9DTbKCON2g1Z23bWcEp"))
			}
			for _, pg := range sink.Pages {
				i := strings.Index(pg.URL, "offset=")
				offsets = append(offsets, strings.SplitN(pg.URL[i+len("offset="):], "&", 2)[0])
			}
			if got := strings.Join(ids, " "); got != tt.wantIDs {
				t.Errorf("reviews %q, want %q", got, tt.wantIDs)
			}
			if got := strings.Join(offsets, " "); got != tt.wantOffsets {
				t.Errorf("offsets %q, want %q", got, tt.wantOffsets)
			}
			sink.CheckFinal(t, tt.wantFinal)
			for i, pg := range sink.Pages {
				if pg.Err == nil && pg.Shown != tt.wantShown {
					t.Errorf("page %d: Shown %d, want %d", i+1, pg.Shown, tt.wantShown)
				}
			}
			last := sink.Pages[len(sink.Pages)-1]
			conntest.CheckError(t, last.Err, tt.wantErr...)
			if len(tt.wantErr) > 0 && strings.Contains(last.Err.Error(), testKey) {
				t.Errorf("the error quotes the key: %s", last.Err)
			}
			tt.faults.CheckRetried(t, path, 2)
			if tt.check != nil {
				tt.check(t, sink)
			}
		})
	}
}

func TestTimeCreated(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	la, _ := time.LoadLocation(DefaultTimezone)
	tests := []struct {
		name, in string
		loc      *time.Location
		want     string
	}{
		{"Pacific daylight time", "2026-04-18 19:32:11", la, "2026-04-19T02:32:11Z"},
		{"Pacific standard time", "2026-01-15 08:05:59", la, "2026-01-15T16:05:59Z"},
		{"Paris summer time", "2026-04-18 19:32:11", paris, "2026-04-18T17:32:11Z"},
		{"an offset wins", "2026-04-18T19:32:11+03:00", la, "2026-04-18T16:32:11Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTime(tt.in, tt.loc)
			if err != nil || got.Format(time.RFC3339) != tt.want {
				t.Errorf("parseTime(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestExtractGolden(t *testing.T) {
	k, ok := connectors.Default.Lookup(Kind)
	if !ok {
		t.Fatal("yelp not registered")
	}
	for _, name := range []string{"all-reviews", "malformed"} {
		t.Run(name, func(t *testing.T) {
			body := conntest.Testdata(t, name+".json")
			doc := connectors.Document{Body: body}
			if s := Detect(doc); s != 95 {
				t.Errorf("Detect = %d, want 95", s)
			}
			ext, err := k.Extract(context.Background(), nil, doc)
			if err != nil {
				t.Fatal(err)
			}
			conntest.Golden(t, filepath.Join("testdata", name+".golden.json"), struct {
				Reviews  []review.Review `json:"reviews"`
				Warnings []string        `json:"warnings,omitempty"`
			}{ext.Reviews, ext.Warnings}, *update)
		})
	}
}

func TestDetect(t *testing.T) {
	conntest.CheckDetect(t, Detect, []conntest.DetectCase{
		{Name: "reviews", Body: `{"reviews":[{"time_created":"2026-01-01 00:00:00"}],"total":1}`, Want: 95},
		{Name: "empty list", Body: `{"reviews":[],"total":0,"possible_languages":[]}`, Want: 70},
		{Name: "places", Body: `{"result":{"reviews":[]},"status":"OK"}`, Want: 0},
		{Name: "html", Body: `<p>time_created reviews</p>`, Want: 0},
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(p *Params)
		wantErr []string
	}{
		{name: "valid", edit: func(p *Params) {}},
		{name: "valid id with accents", edit: func(p *Params) {
			p.BusinessID, p.Locale, p.SortBy, p.Timezone = "café-vigie-paris-2", "ru_RU", "yelp_sort", "Europe/Moscow"
		}},
		{name: "empty", edit: func(p *Params) { p.BusinessID, p.APIKey = "", "" }, wantErr: []string{"business_id: is required", "api_key: is required"}},
		{name: "bad values", edit: func(p *Params) {
			p.BusinessID, p.APIKey, p.Locale, p.SortBy, p.Limit, p.Timezone, p.Endpoint = "biz/x", "${YELP}", "fr-FR", "oldest", 51, "Paris", "api.yelp.com"
		}, wantErr: []string{`business_id: "biz/x"`, "api_key: holds an unexpanded", `locale: "fr-FR" is not a Yelp locale`, `sort_by: must be newest or yelp_sort, not "oldest"`, "limit: must be between 1 and 50, not 51", `timezone: "Paris" is not an IANA time zone`, `endpoint: "api.yelp.com"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParams()
			p.BusinessID, p.APIKey = "cafe-vigie-paris", "k"
			tt.edit(p)
			conntest.CheckError(t, p.Validate(), tt.wantErr...)
		})
	}
}

func TestNew(t *testing.T) {
	conntest.CheckNew(t, New, Kind, NewParams(), "business_id: is required")
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"all-reviews.json", "malformed.json"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"reviews":[{"rating":NaN}],"total":-5}`))
	f.Add([]byte(`{"reviews":[{"rating":1e400,"time_created":"2026-02-30 25:61:61"},null]}`))
	la, _ := time.LoadLocation(DefaultTimezone)
	f.Fuzz(func(t *testing.T, body []byte) {
		Detect(connectors.Document{Body: body})
		ext, err := parse(body, la, "fr")
		if err != nil {
			return
		}
		for i, r := range ext.Reviews {
			if r.Rating != nil && (*r.Rating < 1 || *r.Rating > 5) {
				t.Fatalf("review %d: rating %v", i, *r.Rating)
			}
		}
		if len(ext.Reviews)+ext.dropped != ext.items {
			t.Fatalf("%d reviews + %d dropped != %d items", len(ext.Reviews), ext.dropped, ext.items)
		}
	})
}
