package googleplaces

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/connectors/fetch"
)

const testKey = "AIzaSyTEST-key_value0123456789"

// fakePlaces stands in for both APIs: the New API checks the key and
// field mask headers and answers AIP-193 errors; Legacy checks its query
// and answers errors in "status" with HTTP 200, as documented.
type fakePlaces struct {
	t  *testing.T
	mu sync.Mutex
	// requests records each request's URL and headers.
	requests []*http.Request
}

const fixturePlace = "ChIJN1t_tDeuEmsRUsoyG83frY4"

func newFakePlaces(t *testing.T, faults *conntest.Faults) (*fakePlaces, string) {
	f := &fakePlaces{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/places/{id}", f.placeNew)
	mux.HandleFunc("GET /maps/api/place/details/json", f.legacy)
	srv := conntest.Server(t, mux, faults)
	return f, srv.URL
}

func (f *fakePlaces) record(r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Clone(context.Background()))
}

func (f *fakePlaces) serve(w http.ResponseWriter, file string) {
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		f.t.Error(err)
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(body)
}

func googleErr(w http.ResponseWriter, code int, status, msg, reason string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	details := "[]"
	if reason != "" {
		details = fmt.Sprintf(`[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": %q, "domain": "googleapis.com"}]`, reason)
	}
	fmt.Fprintf(w, `{"error": {"code": %d, "message": %q, "status": %q, "details": %s}}`, code, msg, status, details)
}

func (f *fakePlaces) placeNew(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	if r.Header.Get("X-Goog-FieldMask") == "" {
		googleErr(w, 400, "INVALID_ARGUMENT", "FieldMask is a required parameter. See https://cloud.google.com/apis/docs/system-parameters on how to provide it.", "")
		return
	}
	if r.Header.Get("X-Goog-Api-Key") != testKey {
		googleErr(w, 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID")
		return
	}
	switch r.PathValue("id") {
	case "ChIJ0000paris0cafe0001":
		f.serve(w, "new-place.json")
	case "ChIJ0000malformed0001":
		f.serve(w, "new-malformed.json")
	case "ChIJ0000forbidden0001":
		googleErr(w, 403, "PERMISSION_DENIED", "Places API (New) has not been used in project 42 before or it is disabled.", "SERVICE_DISABLED")
	case "ChIJ0000truncated0001":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": "ChIJ0000truncated0001", "reviews": [`)
	default:
		googleErr(w, 404, "NOT_FOUND", "It looks like the place ID is no longer valid.", "")
	}
}

func (f *fakePlaces) legacy(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	q := r.URL.Query()
	if q.Get("key") != testKey {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		fmt.Fprint(w, `{"error_message": "The provided API key is invalid.", "html_attributions": [], "status": "REQUEST_DENIED"}`)
		return
	}
	if q.Get("reviews_no_translations") != "true" || !strings.Contains(q.Get("fields"), "reviews") {
		http.Error(w, "unexpected query", 400)
		return
	}
	switch q.Get("place_id") {
	case fixturePlace:
		f.serve(w, "gmaps-java-PlaceDetailsResponse.json")
	case "ChIJ0000moscow0cafe001":
		f.serve(w, "legacy-newest.json")
	case "ChIJ0000overquota0001":
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		fmt.Fprint(w, `{"error_message": "You have exceeded your daily request quota for this API.", "html_attributions": [], "status": "OVER_QUERY_LIMIT"}`)
	default:
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		fmt.Fprint(w, `{"html_attributions": [], "status": "NOT_FOUND"}`)
	}
}

func TestCollect(t *testing.T) {
	const newPath = "/v1/places/ChIJ0000paris0cafe0001"
	tests := []struct {
		name       string
		api        string
		place      string
		key        string
		language   string
		faults     *conntest.Faults
		timeout    time.Duration
		wantAuthor []string
		wantShown  int
		wantErr    []string
		check      func(t *testing.T, f *fakePlaces, p connectors.Page)
	}{
		{
			name:       "new API: headers, reviews, aggregate, Shown",
			api:        APINew,
			place:      "places/ChIJ0000paris0cafe0001",
			language:   "fr",
			wantAuthor: []string{"Camille M.", "Иван П.", "Jane D.", "Paul R."},
			wantShown:  1234,
			check: func(t *testing.T, f *fakePlaces, p connectors.Page) {
				r := f.requests[0]
				if r.Header.Get("X-Goog-FieldMask") != fieldMask || r.URL.Query().Get("languageCode") != "fr" {
					t.Errorf("request %s with mask %q", r.URL, r.Header.Get("X-Goog-FieldMask"))
				}
				if r.URL.Query().Get("key") != "" {
					t.Errorf("the New API key went into the URL: %s", r.URL)
				}
				if a := p.Aggregate; a == nil || *a.Value != 4.4 || a.RatingCount != 1234 || a.Item != "Café Vigie Bastille" {
					t.Errorf("aggregate %+v", a)
				}
				if p.Reviews[1].Text != "Кофе был холодный, а ждать пришлось долго." || !p.Reviews[1].Translated || p.Reviews[1].LangHint != "ru" {
					t.Errorf("translated review %+v", p.Reviews[1])
				}
			},
		},
		{
			name:       "legacy API on the shared fixture",
			api:        APILegacy,
			place:      fixturePlace,
			wantAuthor: []string{"redacted"},
			wantShown:  973,
			check: func(t *testing.T, f *fakePlaces, p connectors.Page) {
				q := f.requests[0].URL.Query()
				if q.Get("reviews_sort") != "newest" || q.Get("fields") != legacyFields {
					t.Errorf("query %v", q)
				}
				if strings.Contains(p.URL, testKey) || !strings.Contains(p.URL, "key=REDACTED") {
					t.Errorf("page URL %s does not mask the key", p.URL)
				}
			},
		},
		{
			name:       "429 with Retry-After then success",
			api:        APINew,
			place:      "ChIJ0000paris0cafe0001",
			faults:     &conntest.Faults{TooMany: map[string]bool{newPath: true}},
			wantAuthor: []string{"Camille M.", "Иван П.", "Jane D.", "Paul R."},
			wantShown:  1234,
		},
		{
			name:       "500 then success",
			api:        APINew,
			place:      "ChIJ0000paris0cafe0001",
			faults:     &conntest.Faults{ServerError: map[string]bool{newPath: true}},
			wantAuthor: []string{"Camille M.", "Иван П.", "Jane D.", "Paul R."},
			wantShown:  1234,
		},
		{
			name:    "timeout names the URL",
			api:     APINew,
			place:   "ChIJ0000paris0cafe0001",
			faults:  &conntest.Faults{Slow: map[string]time.Duration{newPath: 2 * time.Second}},
			timeout: 100 * time.Millisecond,
			wantErr: []string{`googleplaces: source "test-googleplaces"`, "GET http://127.0.0.1:", newPath, "no complete answer within 100ms"},
		},
		{
			name:       "malformed reviews among good ones",
			api:        APINew,
			place:      "ChIJ0000malformed0001",
			wantAuthor: []string{"Ann", "Олег", "Léa"},
			wantShown:  40,
			check: func(t *testing.T, f *fakePlaces, p connectors.Page) {
				conntest.CheckWarnings(t, p.Warnings,
					"review 2: not a review object (a JSON number): left out",
					"review 3: not a review object (rating is a JSON string): left out",
					"review 4 (BADDATE): rating 7 out of 1..5: kept unrated",
					`review 4 (BADDATE): unreadable publishTime "вчера"`,
				)
			},
		},
		{
			name:    "new API: invalid key",
			api:     APINew,
			place:   "ChIJ0000paris0cafe0001",
			key:     "AIzaSyWRONG-key0000000000000",
			wantErr: []string{"400 Bad Request", "INVALID_ARGUMENT: API key not valid. Please pass a valid API key. [API_KEY_INVALID]", "(check api_key)"},
		},
		{
			name:    "new API: service disabled",
			api:     APINew,
			place:   "ChIJ0000forbidden0001",
			wantErr: []string{"403 Forbidden", "PERMISSION_DENIED: Places API (New) has not been used", "enable the Places API (New)"},
		},
		{
			name:    "new API: unknown place",
			api:     APINew,
			place:   "ChIJ0000unknown00001",
			wantErr: []string{"404 Not Found", "NOT_FOUND: It looks like the place ID is no longer valid.", "look it up again"},
		},
		{
			name:    "new API: truncated JSON",
			api:     APINew,
			place:   "ChIJ0000truncated0001",
			wantErr: []string{"the response is not a JSON object"},
		},
		{
			name:    "legacy: REQUEST_DENIED with HTTP 200, key masked",
			api:     APILegacy,
			place:   fixturePlace,
			key:     "AIzaSyWRONG-key0000000000000",
			wantErr: []string{"key=REDACTED", "Places says REQUEST_DENIED: The provided API key is invalid.", "check api_key"},
		},
		{
			name:    "legacy: OVER_QUERY_LIMIT",
			api:     APILegacy,
			place:   "ChIJ0000overquota0001",
			wantErr: []string{"Places says OVER_QUERY_LIMIT: You have exceeded your daily request quota for this API.", "billing"},
		},
		{
			name:       "legacy: translated review kept with a warning",
			api:        APILegacy,
			place:      "ChIJ0000moscow0cafe001",
			wantAuthor: []string{"Анна К.", "A Google user", "John S.", "Old Schema"},
			wantShown:  318,
			check: func(t *testing.T, f *fakePlaces, p connectors.Page) {
				if got := p.Reviews[0].Text; got != "Отличный кофе & десерты.\nВернусь!" {
					t.Errorf("HTML text read as %q", got)
				}
				if !strings.Contains(strings.Join(p.Warnings, "\n"), "review 3 (by John S.): Google sent only its translation (from en to ru)") {
					t.Errorf("warnings %q", p.Warnings)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, base := newFakePlaces(t, tt.faults)
			p := NewParams()
			p.API, p.PlaceID, p.APIKey, p.Language = tt.api, tt.place, testKey, tt.language
			if tt.key != "" {
				p.APIKey = tt.key
			}
			if tt.api == APILegacy {
				p.Endpoint = base + "/maps/api/place/details/json"
			} else {
				p.Endpoint = base + "/v1"
			}
			env := conntest.Env(Kind, p)
			if tt.timeout > 0 {
				env.Client = fetch.New(fetch.Options{Timeout: tt.timeout})
			}
			sink := &conntest.Sink{}
			conntest.Collect(t, New, env, sink)
			if len(sink.Pages) != 1 {
				t.Fatalf("%d pages, want 1", len(sink.Pages))
			}
			page := sink.Pages[0]
			if page.Final {
				t.Error("a Places page is never Final")
			}
			var authors []string
			for _, r := range page.Reviews {
				authors = append(authors, r.Author)
			}
			if got, want := strings.Join(authors, "|"), strings.Join(tt.wantAuthor, "|"); got != want {
				t.Errorf("authors %q, want %q", got, want)
			}
			if page.Shown != tt.wantShown {
				t.Errorf("Shown %d, want %d", page.Shown, tt.wantShown)
			}
			conntest.CheckError(t, page.Err, tt.wantErr...)
			for _, s := range []string{page.URL, fmt.Sprint(page.Err)} {
				if strings.Contains(s, p.APIKey) {
					t.Errorf("the API key leaks: %s", s)
				}
			}
			tt.faults.CheckRetried(t, newPath, 2) // the fault, then the retry
			if tt.check != nil {
				tt.check(t, f, page)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		p       Params
		wantErr []string
	}{
		{name: "new", p: Params{API: APINew, PlaceID: fixturePlace, APIKey: "k"}},
		{name: "legacy with sort", p: Params{API: APILegacy, PlaceID: "places/" + fixturePlace, APIKey: "k", ReviewsSort: "most_relevant", Language: "pt-BR"}},
		{name: "empty", p: Params{API: APINew}, wantErr: []string{"place_id: is required", "api_key: is required"}},
		{name: "bad values", p: Params{API: "v2", PlaceID: "a b", APIKey: "${KEY}", Language: "french!", Endpoint: "places.local"},
			wantErr: []string{`api: must be new or legacy, not "v2"`, `place_id: "a b" is not a place id`, "api_key: holds an unexpanded", `language: "french!" is not a language code`, `endpoint: "places.local" is not an absolute http(s) URL`}},
		{name: "sort with the new API", p: Params{API: APINew, PlaceID: fixturePlace, APIKey: "k", ReviewsSort: "newest"}, wantErr: []string{"reviews_sort: applies only to api: legacy"}},
		{name: "bad sort", p: Params{API: APILegacy, PlaceID: fixturePlace, APIKey: "k", ReviewsSort: "oldest"}, wantErr: []string{`reviews_sort: must be newest or most_relevant, not "oldest"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conntest.CheckError(t, tt.p.Validate(), tt.wantErr...)
		})
	}
}

func TestDefaults(t *testing.T) {
	p := NewParams()
	if p.API != APINew || p.endpoint() != DefaultEndpointNew {
		t.Errorf("defaults %+v", p)
	}
	p.API = APILegacy
	if p.endpoint() != DefaultEndpointLegacy || p.reviewsSort() != "newest" {
		t.Errorf("legacy defaults %+v", p)
	}
	if _, ok := connectors.Default.Lookup(Kind); !ok {
		t.Error("not registered")
	}
}

func TestNew(t *testing.T) {
	conntest.CheckNew(t, New, Kind, NewParams(), "place_id: is required")
}
