package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/api/apitest"
	vserver "github.com/vigie-dev/vigie/internal/server"
	"github.com/vigie-dev/vigie/internal/web"
)

// served mounts the API and the dashboard on the server package's
// middleware, as vigie serve does.
func served(t *testing.T, cfg config.Server) *httptest.Server {
	t.Helper()
	srv := vserver.New(cfg, nil)
	deps := apitest.Deps(t)
	api.Register(srv.Mux(), deps)
	web.Register(srv.Mux(), deps)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func do(t *testing.T, method, url, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

var everyPath = []string{"/", "/locations", "/themes", "/search?q=attente", "/reviews/lyon-1", "/sources", "/alerts", "/static/vigie.css",
	"/api/reviews?q=attente", "/api/reviews/lyon-1", "/api/trends", "/api/locations", "/api/export?format=ndjson", "/api/openapi.json"}

func TestTokensRequiredWhenConfigured(t *testing.T) {
	ts := served(t, config.Server{Addr: "127.0.0.1:0", Tokens: []string{"s3cret-token", "other-token"}})
	for _, p := range everyPath {
		if r := do(t, "GET", ts.URL+p, ""); r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("GET %s without a token: %d", p, r.StatusCode)
		}
		if r := do(t, "GET", ts.URL+p, "s3cret-tokeN"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token: %d", p, r.StatusCode)
		}
		if r := do(t, "GET", ts.URL+p, "other-token"); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s with a valid token: %d", p, r.StatusCode)
		}
	}
	if r := do(t, "POST", ts.URL+"/api/reviews", ""); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without a token: %d", r.StatusCode)
	}
}

func TestStateChangesNeedTokens(t *testing.T) {
	ts := served(t, config.Server{Addr: "127.0.0.1:0"})
	for _, p := range everyPath {
		if r := do(t, "GET", ts.URL+p, ""); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s on a server without tokens: %d", p, r.StatusCode)
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		if r := do(t, m, ts.URL+"/api/reviews", ""); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s on a server without tokens: %d, want 403", m, r.StatusCode)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := served(t, config.Server{Addr: "127.0.0.1:0"})
	for _, p := range everyPath {
		r := do(t, "GET", ts.URL+p, "")
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", p)
		}
	}
}
