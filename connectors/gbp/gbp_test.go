package gbp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// Secrets of the fixture credentials; no error may quote them.
const (
	testClientID     = "123-abc.apps.googleusercontent.com"
	testClientSecret = "GOCSPX-super-secret"
	testRefreshToken = "1//refresh-token-value"
)

// fakeGoogle stands in for the OAuth token endpoint and the Business
// Profile API, as documented: form-encoded refresh grant, Bearer tokens,
// reviews.list pages chained by nextPageToken, AIP-193 error bodies.
type fakeGoogle struct {
	t      *testing.T
	faults *conntest.Faults

	mu            sync.Mutex
	issued        int             // access tokens issued
	valid         map[string]bool // tokens the API accepts
	tokenRequests []url.Values
	unauthorized  int // 401s answered
	// alwaysUnauthorized makes the API refuse every token.
	alwaysUnauthorized bool
	tokenError         string // the token endpoint answers 400 with this error code
	tokenLifetime      int
	listQueries        []url.Values
}

func newFakeGoogle(t *testing.T, faults *conntest.Faults) (*fakeGoogle, string) {
	g := &fakeGoogle{t: t, faults: faults, valid: map[string]bool{}, tokenLifetime: 3599}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", g.token)
	mux.HandleFunc("GET /v4/accounts/{account}/locations/{location}/reviews", g.list)
	if faults == nil {
		faults = &conntest.Faults{}
	}
	srv := conntest.Server(t, mux, faults)
	return g, srv.URL
}

func (g *fakeGoogle) token(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		http.Error(w, "bad content type "+ct, http.StatusBadRequest)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokenRequests = append(g.tokenRequests, r.PostForm)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	f := r.PostForm
	switch {
	case g.tokenError != "":
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error": %q, "error_description": "Token has been expired or revoked."}`, g.tokenError)
		return
	case f.Get("grant_type") != "refresh_token" || f.Get("refresh_token") != testRefreshToken ||
		f.Get("client_id") != testClientID || f.Get("client_secret") != testClientSecret:
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error": "invalid_client", "error_description": "Unauthorized"}`)
		return
	}
	g.issued++
	tok := fmt.Sprintf("ya29.token-%d", g.issued)
	g.valid[tok] = true
	fmt.Fprintf(w, `{"access_token": %q, "expires_in": %d, "scope": "https://www.googleapis.com/auth/business.manage", "token_type": "Bearer"}`, tok, g.tokenLifetime)
}

// revokeAll makes the API refuse every token issued so far, as when a
// token expired on Google's side before the cache thought it would.
func (g *fakeGoogle) revokeAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.valid = map[string]bool{}
}

func googleErr(w http.ResponseWriter, code int, status, msg string, details string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	if details == "" {
		details = "[]"
	}
	fmt.Fprintf(w, `{"error": {"code": %d, "message": %q, "status": %q, "details": %s}}`, code, msg, status, details)
}

func (g *fakeGoogle) list(w http.ResponseWriter, r *http.Request) {
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	g.mu.Lock()
	ok := g.valid[auth] && !g.alwaysUnauthorized
	if !ok {
		g.unauthorized++
	}
	g.listQueries = append(g.listQueries, r.URL.Query())
	g.mu.Unlock()
	if !ok {
		googleErr(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "")
		return
	}
	q := r.URL.Query()
	if q.Get("pageSize") != "50" || q.Get("orderBy") != "updateTime desc" {
		googleErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", "unexpected query "+r.URL.RawQuery, "")
		return
	}
	if r.PathValue("account") != "111" {
		googleErr(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.", "")
		return
	}
	var file string
	switch loc := r.PathValue("location"); loc {
	case "222":
		switch q.Get("pageToken") {
		case "":
			file = "reviews-page1.json"
		case "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA0MDJ2YQ-page-2":
			file = "reviews-page2.json"
		case "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA0MDJ2YQ-page-3":
			file = "reviews-page3.json"
		default:
			googleErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid page token.", "")
			return
		}
	case "333":
		file = "malformed.json"
	case "loop":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"reviews": [], "nextPageToken": "same"}`)
		return
	case "forbidden":
		googleErr(w, http.StatusForbidden, "PERMISSION_DENIED", "The caller does not have permission", "")
		return
	case "quota0":
		googleErr(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED",
			"Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service 'mybusiness.googleapis.com' for consumer 'project_number:42'.",
			`[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com", "metadata": {"quota_limit_value": "0", "service": "mybusiness.googleapis.com"}}]`)
		return
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body>Bad gateway</body></html>")
		return
	case "notjson":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `<html>`)
		return
	default:
		googleErr(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.", "")
		return
	}
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		g.t.Error(err)
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(body)
}

func (g *fakeGoogle) counts() (tokens, unauthorized int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.tokenRequests), g.unauthorized
}

func testParams(base, location string) *Params {
	p := NewParams()
	p.Account = "accounts/111"
	p.Location = location
	p.ClientID = testClientID
	p.ClientSecret = testClientSecret
	p.RefreshToken = testRefreshToken
	p.Endpoint = base + "/v4"
	p.TokenURL = base + "/token"
	return p
}

func reviewIDs(s *conntest.Sink) []string {
	var ids []string
	for _, r := range s.Reviews() {
		ids = append(ids, r.ExternalID[strings.LastIndex(r.ExternalID, "/")+1:])
	}
	return ids
}

func TestCollect(t *testing.T) {
	const listPath = "/v4/accounts/111/locations/222/reviews"
	all := "AAA1 AAA2 AAA3 AAA4 BBB1 BBB2 CCC1"
	tests := []struct {
		name        string
		location    string
		faults      *conntest.Faults
		incremental bool
		maxPages    int
		known       []string
		timeout     time.Duration
		wantIDs     string // the reviews' ids after their last "/", AbFvOqm trimmed
		wantPages   int
		wantFinal   bool
		wantErr     []string // substrings of the last page's error
		check       func(t *testing.T, g *fakeGoogle, s *conntest.Sink)
	}{
		{
			name:      "three pages through nextPageToken, the last Final",
			location:  "222",
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
			check: func(t *testing.T, g *fakeGoogle, s *conntest.Sink) {
				for i, p := range s.Pages {
					if p.Shown != 7 {
						t.Errorf("page %d: Shown %d, want 7 (totalReviewCount)", i+1, p.Shown)
					}
					if p.Aggregate == nil || *p.Aggregate.Value != 4.3 || p.Aggregate.RatingCount != 7 || *p.Aggregate.BestRating != 5 {
						t.Errorf("page %d: aggregate %+v", i+1, p.Aggregate)
					}
				}
				if n, _ := g.counts(); n != 1 {
					t.Errorf("%d token requests, want 1 (cached for the whole run)", n)
				}
				f := g.tokenRequests[0]
				if f.Get("grant_type") != "refresh_token" || f.Get("refresh_token") != testRefreshToken || f.Get("client_id") != testClientID {
					t.Errorf("token request form %v", f)
				}
				if q := g.listQueries[1]; q.Get("pageToken") == "" {
					t.Errorf("page 2 asked without pageToken: %v", q)
				}
			},
		},
		{
			name:        "incremental run stops at a page it knows",
			location:    "222",
			incremental: true,
			known:       []string{"AbFvOqmBBB1", "AbFvOqmBBB2"},
			wantIDs:     all[:len(all)-len(" CCC1")],
			wantPages:   2,
		},
		{
			name:      "a full run does not stop at a known page",
			location:  "222",
			known:     []string{"AbFvOqmBBB1", "AbFvOqmBBB2"},
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
		},
		{
			name:      "page cap: no Final",
			location:  "222",
			maxPages:  2,
			wantIDs:   all[:len(all)-len(" CCC1")],
			wantPages: 2,
		},
		{
			name:      "429 with Retry-After then success",
			location:  "222",
			faults:    &conntest.Faults{TooMany: map[string]bool{listPath: true}},
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
		},
		{
			name:      "500 then success",
			location:  "222",
			faults:    &conntest.Faults{ServerError: map[string]bool{listPath: true}},
			wantIDs:   all,
			wantPages: 3,
			wantFinal: true,
		},
		{
			name:      "timeout names the URL",
			location:  "222",
			faults:    &conntest.Faults{Slow: map[string]time.Duration{listPath: 2 * time.Second}},
			timeout:   100 * time.Millisecond,
			wantPages: 1,
			wantErr:   []string{`gbp: source "test-gbp"`, "GET http://127.0.0.1:", listPath + "?orderBy=updateTime%20desc&pageSize=50", "no complete answer within 100ms"},
		},
		{
			name:      "malformed items among good ones: kept, warned, no Final",
			location:  "333",
			wantIDs:   "GOOD1 BADDATE GOOD2",
			wantPages: 1,
			check: func(t *testing.T, g *fakeGoogle, s *conntest.Sink) {
				conntest.CheckWarnings(t, s.Pages[0].Warnings,
					"review 2: not a review object (a JSON string): left out",
					"review 3 (reviewId NUMERIC): not a review object (starRating is a JSON number): left out",
					`review 4 (reviewId BADDATE): unknown starRating "SIX": kept unrated`,
					`review 4 (reviewId BADDATE): createTime: unreadable timestamp "04/01/2026"`,
				)
				if r := s.Reviews()[1]; r.Rating != nil || r.Text != "Date and rating unreadable." {
					t.Errorf("kept review %+v", r)
				}
			},
		},
		{
			name:      "403 PERMISSION_DENIED says what to do",
			location:  "forbidden",
			wantPages: 1,
			wantErr:   []string{"403 Forbidden", "PERMISSION_DENIED: The caller does not have permission", "owner or manager of this location", "Application for Basic API Access"},
		},
		{
			name:      "quota 0 says access is not granted",
			location:  "quota0",
			wantPages: 1,
			wantErr:   []string{"429 Too Many Requests", "RESOURCE_EXHAUSTED: Quota exceeded", "[RATE_LIMIT_EXCEEDED]", "a quota of 0 means access was not granted yet", "Application for Basic API Access"},
		},
		{
			name:      "a non-JSON error body is quoted",
			location:  "html",
			wantPages: 1,
			wantErr:   []string{"502 Bad Gateway", `the server says "<html><body>Bad gateway</body></html>"`},
		},
		{
			name:      "a 200 that is not JSON",
			location:  "notjson",
			wantPages: 1,
			wantErr:   []string{"the response is not a reviews list"},
		},
		{
			name:      "the same nextPageToken twice stops the run",
			location:  "loop",
			wantPages: 2,
			wantErr:   []string{"same nextPageToken twice"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, base := newFakeGoogle(t, tt.faults)
			env := conntest.Env(Kind, testParams(base, tt.location))
			env.Incremental = tt.incremental
			env.Source.MaxPages = tt.maxPages
			if tt.timeout > 0 {
				env.Client = fetch.New(fetch.Options{Timeout: tt.timeout, Backoff: 10 * time.Millisecond})
			}
			sink := conntest.NewSink()
			for _, k := range tt.known {
				sink.Known["accounts/111/locations/222/reviews/"+k] = true
			}
			conntest.Collect(t, New, env, sink)
			got := strings.ReplaceAll(strings.Join(reviewIDs(sink), " "), "AbFvOqm", "")
			if got != tt.wantIDs {
				t.Errorf("reviews %q, want %q", got, tt.wantIDs)
			}
			if len(sink.Pages) != tt.wantPages {
				t.Fatalf("%d pages, want %d", len(sink.Pages), tt.wantPages)
			}
			sink.CheckFinal(t, tt.wantFinal)
			for _, p := range sink.Pages {
				if strings.Contains(p.URL, testRefreshToken) {
					t.Errorf("page URL %s carries a secret", p.URL)
				}
			}
			last := sink.Pages[len(sink.Pages)-1]
			conntest.CheckError(t, last.Err, tt.wantErr...)
			if len(tt.wantErr) > 0 {
				noSecrets(t, last.Err.Error())
			}
			tt.faults.CheckRetried(t, listPath, tt.wantPages+1) // one fault, then one per page
			if tt.check != nil {
				tt.check(t, g, sink)
			}
		})
	}
}

func noSecrets(t *testing.T, msg string) {
	t.Helper()
	for _, s := range []string{testClientSecret, testRefreshToken, "ya29."} {
		if strings.Contains(msg, s) {
			t.Errorf("error quotes a secret (%s): %s", s, msg)
		}
	}
}

func TestTokenLifecycle(t *testing.T) {
	tests := []struct {
		name string
		// between runs the test may revoke tokens server-side or move
		// the clock.
		between         func(g *fakeGoogle, clock *time.Time)
		wantTokens      int // token requests over both runs
		wantUnauthorize int
	}{
		{
			name:       "a second run reuses the cached token",
			between:    func(*fakeGoogle, *time.Time) {},
			wantTokens: 1,
		},
		{
			name:            "expired token: 401, refresh, retry",
			between:         func(g *fakeGoogle, _ *time.Time) { g.revokeAll() },
			wantTokens:      2,
			wantUnauthorize: 1,
		},
		{
			name:       "the cache's own expiry refreshes without a 401",
			between:    func(_ *fakeGoogle, clock *time.Time) { *clock = clock.Add(time.Hour) },
			wantTokens: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, base := newFakeGoogle(t, nil)
			clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			run := func() *conntest.Sink {
				env := conntest.Env(Kind, testParams(base, "222"))
				env.Source.MaxPages = 1
				env.Now = func() time.Time { return clock }
				sink := &conntest.Sink{}
				conntest.Collect(t, New, env, sink)
				if errs := sink.Errors(); len(errs) > 0 {
					t.Fatalf("page errors: %v", errs)
				}
				if n := len(sink.Reviews()); n != 4 {
					t.Fatalf("%d reviews, want 4", n)
				}
				return sink
			}
			run()
			tt.between(g, &clock)
			run()
			tokens, unauthorized := g.counts()
			if tokens != tt.wantTokens || unauthorized != tt.wantUnauthorize {
				t.Errorf("%d token requests and %d 401s, want %d and %d", tokens, unauthorized, tt.wantTokens, tt.wantUnauthorize)
			}
			for i, f := range g.tokenRequests {
				if f.Get("grant_type") != "refresh_token" {
					t.Errorf("token request %d: grant_type %q", i+1, f.Get("grant_type"))
				}
			}
		})
	}
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(g *fakeGoogle, p *Params)
		wantErr    []string
		wantTokens int
	}{
		{
			name:       "revoked refresh token",
			setup:      func(g *fakeGoogle, p *Params) { g.tokenError = "invalid_grant" },
			wantErr:    []string{"refreshing the access token", "POST http://127.0.0.1:", "/token: 400 Bad Request", "invalid_grant: Token has been expired or revoked.", "update refresh_token"},
			wantTokens: 1,
		},
		{
			name:       "wrong client secret",
			setup:      func(g *fakeGoogle, p *Params) { p.ClientSecret = "GOCSPX-wrong" },
			wantErr:    []string{"401 Unauthorized", "invalid_client: Unauthorized", "check client_id and client_secret"},
			wantTokens: 1,
		},
		{
			name:       "refused even after a refresh",
			setup:      func(g *fakeGoogle, p *Params) { g.alwaysUnauthorized = true },
			wantErr:    []string{"401 Unauthorized", "UNAUTHENTICATED: Request had invalid authentication credentials", "freshly refreshed access token"},
			wantTokens: 2,
		},
		{
			name:       "unknown account",
			setup:      func(g *fakeGoogle, p *Params) { p.Account = "999" },
			wantErr:    []string{"404 Not Found", "NOT_FOUND: Requested entity was not found.", "check account and location"},
			wantTokens: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, base := newFakeGoogle(t, nil)
			p := testParams(base, "222")
			tt.setup(g, p)
			sink := &conntest.Sink{}
			conntest.Collect(t, New, conntest.Env(Kind, p), sink)
			errs := sink.Errors()
			if len(errs) != 1 || len(sink.Pages) != 1 {
				t.Fatalf("%d pages, errors %v; want one failed page", len(sink.Pages), errs)
			}
			msg := errs[0].Error()
			conntest.CheckError(t, errs[0], tt.wantErr...)
			noSecrets(t, msg)
			if strings.Contains(msg, "GOCSPX") {
				t.Errorf("error quotes the client secret: %s", msg)
			}
			var fe *fetch.Error
			if !errors.As(errs[0], &fe) {
				t.Errorf("error does not wrap the *fetch.Error: %v", errs[0])
			}
			if n, _ := g.counts(); n != tt.wantTokens {
				t.Errorf("%d token requests, want %d", n, tt.wantTokens)
			}
		})
	}
}

func TestCollectContextDone(t *testing.T) {
	_, base := newFakeGoogle(t, nil)
	c, err := New(conntest.Env(Kind, testParams(base, "222")))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pages := 0
	err = c.Collect(ctx, conntest.SinkFunc(func(context.Context, connectors.Page) (connectors.PageResult, error) {
		pages++
		cancel()
		return connectors.PageResult{New: 1}, nil
	}))
	if !errors.Is(err, context.Canceled) || pages != 1 {
		t.Errorf("Collect = %v after %d pages, want context.Canceled after 1", err, pages)
	}
}

func TestValidate(t *testing.T) {
	ok := func() *Params {
		p := NewParams()
		p.Account, p.Location = "111", "locations/222"
		p.ClientID, p.ClientSecret, p.RefreshToken = "id", "secret", "refresh"
		return p
	}
	tests := []struct {
		name    string
		edit    func(p *Params)
		wantErr []string
	}{
		{name: "valid", edit: func(*Params) {}},
		{name: "full location name", edit: func(p *Params) { p.Location = "accounts/111/locations/222" }},
		{name: "empty", edit: func(p *Params) { *p = *NewParams() }, wantErr: []string{"account: is required", "location: is required", "client_id: is required", "client_secret: is required", "refresh_token: is required"}},
		{name: "bad ids", edit: func(p *Params) { p.Account, p.Location = "acc 1", "locations/2/x" }, wantErr: []string{`account: "acc 1" is not an account id`, `location: "locations/2/x" is not a location id`}},
		{name: "other account", edit: func(p *Params) { p.Location = "accounts/999/locations/222" }, wantErr: []string{"location: \"accounts/999/locations/222\" belongs to another account"}},
		{name: "unexpanded env", edit: func(p *Params) { p.RefreshToken = "${GBP_REFRESH}" }, wantErr: []string{"refresh_token: holds an unexpanded"}},
		{name: "bad urls", edit: func(p *Params) { p.Endpoint, p.TokenURL = "mybusiness", "" }, wantErr: []string{"endpoint: \"mybusiness\" is not an absolute", "token_url: is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok()
			tt.edit(p)
			err := p.Validate()
			conntest.CheckError(t, err, tt.wantErr...)
			if len(tt.wantErr) > 0 && strings.Contains(err.Error(), "secret") && strings.Contains(err.Error(), `"secret"`) {
				t.Errorf("error quotes a secret: %v", err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		env     connectors.Env
		wantErr string
	}{
		{name: "wrong params type", env: connectors.Env{Client: conntest.Client()}, wantErr: "parameters are <nil>"},
		{name: "invalid params", env: conntest.Env(Kind, NewParams()), wantErr: "account: is required"},
		{name: "no client", env: func() connectors.Env {
			e := conntest.Env(Kind, testParams("http://127.0.0.1:1", "222"))
			e.Client = nil
			return e
		}(), wantErr: "no HTTP client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestRegistered(t *testing.T) {
	k, ok := connectors.Default.Lookup(Kind)
	if !ok || k.Extract == nil || k.Detect == nil {
		t.Fatal("gbp not registered with Extract and Detect")
	}
	p, ok := k.NewParams().(*Params)
	if !ok || p.Endpoint != DefaultEndpoint || p.TokenURL != DefaultTokenURL {
		t.Errorf("defaults %+v", p)
	}
}
