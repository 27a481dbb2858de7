package mastodon

import (
	"flag"
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
	"github.com/vigie-dev/vigie/internal/review"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

const testToken = "mastodon-app-token-0123456789"

// fakeInstance serves the three endpoints as documented: statuses as a
// JSON array, one Link header with rel="next" (max_id, omitted at the end
// of history) and rel="prev", {"error": "..."} bodies, X-RateLimit-*
// headers. Its links name the instance's public host, not the test
// server's.
type fakeInstance struct {
	mu   sync.Mutex
	auth []string // Authorization headers received
	uris []string
}

func newFakeInstance(t *testing.T, faults *conntest.Faults) (*fakeInstance, string) {
	f := &fakeInstance{}
	read := func(name string) []byte {
		return conntest.Testdata(t, name)
	}
	pages := map[string]string{"": "tag-page-1.json", "112000000000000007": "tag-page-2.json", "112000000000000004": "tag-page-3.json"}
	lastIDs := map[string]string{"tag-page-1.json": "112000000000000007", "tag-page-2.json": "112000000000000004", "tag-page-3.json": "112000000000000002"}
	firstIDs := map[string]string{"tag-page-1.json": "112000000000000009", "tag-page-2.json": "112000000000000005", "tag-page-3.json": "112000000000000002"}
	apiErr := func(w http.ResponseWriter, status int, msg string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error": %q}`, msg)
	}
	statuses := func(w http.ResponseWriter, body []byte, link string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if link != "" {
			w.Header().Set("Link", link)
		}
		w.Write(body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/timelines/tag/{tag}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.uris = append(f.uris, r.URL.RequestURI())
		f.mu.Unlock()
		if r.URL.Query().Get("limit") != "40" {
			apiErr(w, 422, "limit must be 40 in this test")
			return
		}
		w.Header().Set("X-RateLimit-Limit", "300")
		w.Header().Set("X-RateLimit-Remaining", "299")
		w.Header().Set("X-RateLimit-Reset", "2026-04-20T12:35:00.000Z")
		switch strings.ToLower(r.PathValue("tag")) {
		case "cafevigie":
			name, ok := pages[r.URL.Query().Get("max_id")]
			if !ok {
				statuses(w, []byte("[]"), "")
				return
			}
			const pub = "https://mastodon.example/api/v1/timelines/tag/cafevigie"
			link := fmt.Sprintf(`<%s?max_id=%s>; rel="next", <%s?min_id=%s>; rel="prev"`, pub, lastIDs[name], pub, firstIDs[name])
			if name == "tag-page-3.json" {
				link = fmt.Sprintf(`<%s?min_id=%s>; rel="prev"`, pub, firstIDs[name])
			}
			statuses(w, read(name), link)
		case "private":
			if r.Header.Get("Authorization") != "Bearer "+testToken {
				apiErr(w, 401, "The access token is invalid")
				return
			}
			statuses(w, read("tag-page-3.json"), "")
		case "disabled":
			statuses(w, []byte("[]"), "")
		case "bad":
			statuses(w, read("malformed.json"), "")
		case "limited":
			w.Header().Set("X-RateLimit-Remaining", "0")
			apiErr(w, 429, "Too many requests")
		case "loop":
			statuses(w, read("tag-page-3.json"), `<https://mastodon.example/api/v1/timelines/tag/loop?limit=40&max_id=1>; rel="next"`)
		default:
			apiErr(w, 404, "Record not found")
		}
	})
	mux.HandleFunc("GET /api/v1/accounts/lookup", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("acct") != "vigie" {
			apiErr(w, 404, "Record not found")
			return
		}
		statuses(w, read("account.json"), "")
	})
	mux.HandleFunc("GET /api/v1/accounts/{id}/statuses", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "109876543210" {
			apiErr(w, 404, "Record not found")
			return
		}
		statuses(w, read("account-statuses.json"), "")
	})
	return f, conntest.Server(t, mux, faults).URL
}

func TestCollect(t *testing.T) {
	const path = "/api/v1/timelines/tag/CafeVigie"
	all := "09 08 05 04 02"
	tests := []struct {
		name        string
		hashtag     string
		account     string
		token       string
		faults      *conntest.Faults
		timeout     time.Duration
		maxPages    int
		incremental bool
		known       []string
		wantIDs     string // status ids, last two digits
		wantPages   int
		wantFinal   bool
		wantErr     []string
		check       func(t *testing.T, f *fakeInstance, s *conntest.Sink)
	}{
		{
			name:      "three pages by Link rel=next, boost read once as its post, last Final",
			hashtag:   "#CafeVigie",
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
			check: func(t *testing.T, f *fakeInstance, s *conntest.Sink) {
				want := []string{path + "?limit=40", path + "?limit=40&max_id=112000000000000007", path + "?limit=40&max_id=112000000000000004"}
				if got := strings.Join(f.uris, " "); got != strings.Join(want, " ") {
					t.Errorf("requests %s, want %s", got, strings.Join(want, " "))
				}
				rs := s.Reviews()
				if r := rs[0]; r.Author != "Camille ☕" || r.Text != "Meilleur croissant de Paris chez #CafeVigie !\nJe valide." || r.Kind != review.KindComment ||
					r.LangHint != "fr" || r.UpdatedAt.IsZero() || r.URL != "https://mastodon.example/@camille/112000000000000009" {
					t.Errorf("first post %+v", r)
				}
				if r := rs[1]; r.Title != "Avis négatif" || r.Text != "Avis mitigé…\nService lent." {
					t.Errorf("post with a content warning: %q / %q", r.Title, r.Text)
				}
				if r := rs[2]; r.Author != "Иван" || r.Text != "Кофе в #CafeVigie отличный, но очередь & шумно." || r.ExternalID != "https://piaille.fr/users/ivan/statuses/112000000000000005" {
					t.Errorf("boosted post %+v", r)
				}
				if r := rs[3]; r.Author != "@jane@fosstodon.org" {
					t.Errorf("author without display name: %q", r.Author)
				}
				if f.auth[0] != "" {
					t.Errorf("Authorization sent without a token: %q", f.auth[0])
				}
			},
		},
		{
			name:        "incremental stop at a known page",
			hashtag:     "CafeVigie",
			incremental: true,
			known:       []string{"04"},
			wantIDs:     "09 08 05 04",
			wantPages:   2,
		},
		{
			name:      "page cap",
			hashtag:   "CafeVigie",
			maxPages:  1,
			wantIDs:   "09 08 05",
			wantPages: 1,
		},
		{
			name:      "429 with Retry-After then success",
			hashtag:   "CafeVigie",
			faults:    &conntest.Faults{TooMany: map[string]bool{path: true}},
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
		},
		{
			name:      "500 then success",
			hashtag:   "CafeVigie",
			faults:    &conntest.Faults{ServerError: map[string]bool{path: true}},
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
		},
		{
			name:      "timeout names the URL",
			hashtag:   "CafeVigie",
			faults:    &conntest.Faults{Slow: map[string]time.Duration{path: 2 * time.Second}},
			timeout:   100 * time.Millisecond,
			wantPages: 1,
			wantErr:   []string{`mastodon: source "test-mastodon"`, "GET http://127.0.0.1:", path + "?limit=40", "no complete answer within 100ms"},
		},
		{
			name:      "malformed statuses among good ones",
			hashtag:   "bad",
			wantIDs:   "09 /1 05",
			wantPages: 1,
			check: func(t *testing.T, f *fakeInstance, s *conntest.Sink) {
				conntest.CheckWarnings(t, s.Pages[0].Warnings,
					"status 2: not a status (a JSON string): left out",
					"status 3: not a status (account is a JSON string): left out",
					`status 4 (id 112000000000000002): created_at: unreadable date "hier"`,
					"status 5 (id 112000000000000008): no uri: left out",
				)
			},
		},
		{
			name:      "a timeline that needs a token",
			hashtag:   "private",
			wantPages: 1,
			wantErr:   []string{"401 Unauthorized", "The access token is invalid", "set access_token"},
		},
		{
			name:      "the same with a token",
			hashtag:   "private",
			token:     testToken,
			wantIDs:   "02",
			wantPages: 1,
			wantFinal: true,
			check: func(t *testing.T, f *fakeInstance, s *conntest.Sink) {
				if f.auth[0] != "Bearer "+testToken {
					t.Errorf("Authorization %q", f.auth[0])
				}
			},
		},
		{
			name:      "a disabled feed is empty: no Final",
			hashtag:   "disabled",
			wantPages: 1,
		},
		{
			name:      "unknown hashtag",
			hashtag:   "nowhere",
			wantPages: 1,
			wantErr:   []string{"404 Not Found", "Record not found", "check hashtag"},
		},
		{
			name:      "rate limited: the error names X-RateLimit-Reset",
			hashtag:   "limited",
			wantPages: 1,
			wantErr:   []string{"429 Too Many Requests", "Too many requests", "the limit resets at 2026-04-20T12:35:00.000Z (X-RateLimit-Reset)"},
		},
		{
			name:      "a next link to the same page",
			hashtag:   "loop",
			wantIDs:   "02",
			wantPages: 2,
			wantErr:   []string{"the next link points to a page already read"},
		},
		{
			name:      "account: lookup, statuses, boost unwrapped",
			account:   "@vigie",
			wantIDs:   "00 04",
			wantPages: 1,
			wantFinal: true,
			check: func(t *testing.T, f *fakeInstance, s *conntest.Sink) {
				if u := s.Pages[0].URL; !strings.HasSuffix(u, "/api/v1/accounts/109876543210/statuses?limit=40") {
					t.Errorf("url %s", u)
				}
				if r := s.Reviews()[1]; r.Author != "@jane@fosstodon.org" || r.LangHint != "en" {
					t.Errorf("boost %+v", r)
				}
			},
		},
		{
			name:      "unknown account",
			account:   "nobody@example.org",
			wantPages: 1,
			wantErr:   []string{"/api/v1/accounts/lookup?acct=nobody%40example.org: 404 Not Found", "Record not found", "no such account on this instance"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, base := newFakeInstance(t, tt.faults)
			p := &Params{Instance: base, Hashtag: tt.hashtag, Account: tt.account, AccessToken: tt.token}
			env := conntest.Env(Kind, p)
			env.Incremental = tt.incremental
			env.Source.MaxPages = tt.maxPages
			if tt.timeout > 0 {
				env.Client = fetch.New(fetch.Options{Timeout: tt.timeout})
			}
			sink := conntest.NewSink()
			for _, r := range mustExtract(t, "tag-page-2.json") {
				for _, k := range tt.known {
					if strings.HasSuffix(r.ExternalID, k) {
						sink.Known[r.ExternalID] = true
					}
				}
			}
			conntest.Collect(t, New, env, sink)
			var ids []string
			for _, r := range sink.Reviews() {
				ids = append(ids, r.ExternalID[len(r.ExternalID)-2:])
			}
			if got := strings.Join(ids, " "); got != tt.wantIDs {
				t.Errorf("posts %q, want %q", got, tt.wantIDs)
			}
			if len(sink.Pages) != tt.wantPages {
				t.Fatalf("%d pages, want %d", len(sink.Pages), tt.wantPages)
			}
			sink.CheckFinal(t, tt.wantFinal)
			conntest.CheckError(t, sink.Pages[len(sink.Pages)-1].Err, tt.wantErr...)
			tt.faults.CheckRetried(t, path, 4)
			if tt.check != nil {
				tt.check(t, f, sink)
			}
		})
	}
}

func mustExtract(t *testing.T, name string) []review.Review {
	t.Helper()
	b := conntest.Testdata(t, name)
	ext, err := Extract(connectors.Document{Body: b})
	if err != nil {
		t.Fatal(err)
	}
	return ext.Reviews
}

func TestParseLink(t *testing.T) {
	tests := []struct {
		name, header string
		want         map[string]string
	}{
		{"documented form", `<https://mastodon.example/api/v1/timelines/tag/cats?max_id=7163058>; rel="next", <https://mastodon.example/api/v1/timelines/tag/cats?min_id=7275607>; rel="prev"`,
			map[string]string{"next": "https://mastodon.example/api/v1/timelines/tag/cats?max_id=7163058", "prev": "https://mastodon.example/api/v1/timelines/tag/cats?min_id=7275607"}},
		{"prev only", `<https://m.example/x?min_id=1>; rel="prev"`, map[string]string{"prev": "https://m.example/x?min_id=1"}},
		{"unquoted, spaced, other params", `<a?max_id=2> ; title="x" ; rel=next`, map[string]string{"next": "a?max_id=2"}},
		{"empty", ``, map[string]string{}},
		{"garbage", `rel="next"; <unclosed`, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseLink(tt.header)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("parseLink = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExtractGolden(t *testing.T) {
	for _, name := range []string{"tag-page-1", "malformed", "account-statuses"} {
		t.Run(name, func(t *testing.T) {
			body := conntest.Testdata(t, name+".json")
			doc := connectors.Document{Body: body}
			if s := Detect(doc); s != 95 {
				t.Errorf("Detect = %d, want 95", s)
			}
			ext, err := Extract(doc)
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
		{Name: "timeline", Body: `[{"id":"1","uri":"u","content":"<p>x</p>","account":{},"created_at":"2026-01-01T00:00:00Z","visibility":"public"}]`, Want: 95},
		{Name: "empty timeline", Body: `[]`, Want: 0},
		{Name: "json feed", Body: `{"items":[{"content_html":"x"}]}`, Want: 0},
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		p       Params
		wantErr []string
	}{
		{name: "hashtag", p: Params{Instance: "mastodon.social", Hashtag: "#CaféVigie"}},
		{name: "remote account, URL instance", p: Params{Instance: "https://piaille.fr/", Account: "@vigie@mastodon.social", AccessToken: "tok"}},
		{name: "empty", p: Params{}, wantErr: []string{"instance: is required", "hashtag: give a hashtag or an account"}},
		{name: "both", p: Params{Instance: "mastodon.social", Hashtag: "a", Account: "b"}, wantErr: []string{"account: give a hashtag or an account, not both"}},
		{name: "bad values", p: Params{Instance: "https://mastodon.social/tags/cafe", Hashtag: "café vigie", AccessToken: "${TOKEN}"},
			wantErr: []string{"instance: \"https://mastodon.social/tags/cafe\": give the server only", `hashtag: "café vigie" is not a hashtag`, "access_token: holds an unexpanded"}},
		{name: "bad account and host", p: Params{Instance: "mastodon", Account: "vigie@@x"}, wantErr: []string{`instance: "mastodon" is not a host name`, `account: "vigie@@x" is not an account`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conntest.CheckError(t, tt.p.Validate(), tt.wantErr...)
		})
	}
}

func TestNew(t *testing.T) {
	conntest.CheckNew(t, New, Kind, &Params{}, "instance: is required")
}

func FuzzParseStatuses(f *testing.F) {
	for _, n := range []string{"tag-page-1.json", "malformed.json", "account-statuses.json"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`[{"uri":"x","reblog":{"uri":"y","reblog":{"uri":"z"}},"content":"<p><script>x</script></p>","edited_at":"2026-02-30T00:00:00Z"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		Detect(connectors.Document{Body: body})
		tl, err := parseStatuses(body)
		if err != nil {
			return
		}
		if len(tl.Reviews)+tl.dropped != tl.items {
			t.Fatalf("%d posts + %d dropped != %d items", len(tl.Reviews), tl.dropped, tl.items)
		}
		for i, r := range tl.Reviews {
			if r.ExternalID == "" || r.Kind != review.KindComment || r.Rating != nil {
				t.Fatalf("post %d: %+v", i, r)
			}
		}
	})
}

func FuzzParseLink(f *testing.F) {
	f.Add(`<https://m.example/x?max_id=1>; rel="next", <https://m.example/x?min_id=2>; rel="prev"`)
	f.Add(`<<>>;;rel=,<`)
	f.Fuzz(func(t *testing.T, h string) {
		parseLink(h)
	})
}
