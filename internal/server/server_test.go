package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
)

func ok(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }

func do(h http.Handler, method, path, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestTokens(t *testing.T) {
	s := New(config.Server{Addr: "127.0.0.1:0", Tokens: []string{"first-token-0123456789", "second-token-0123456789"}}, nil)
	s.HandleFunc("/x", ok)
	h := s.Handler()
	for _, tt := range []struct {
		method, auth string
		code         int
	}{
		{"GET", "", 401},
		{"GET", "Bearer wrong-token-0123456789", 401},
		{"GET", "Bearer first-token-012345678", 401},   // a prefix
		{"GET", "Bearer first-token-01234567890", 401}, // longer
		{"GET", "Basic Zmlyc3QtdG9rZW4=", 401},
		{"GET", "Bearer first-token-0123456789", 200},
		{"GET", "bearer second-token-0123456789", 200},
		{"POST", "Bearer second-token-0123456789", 200},
		{"POST", "", 401},
	} {
		rec := do(h, tt.method, "/x", tt.auth)
		if rec.Code != tt.code {
			t.Errorf("%s %q: %d, want %d", tt.method, tt.auth, rec.Code, tt.code)
		}
		if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
	}
}

func TestNoTokensRefusesChanges(t *testing.T) {
	s := New(config.Server{Addr: "127.0.0.1:0"}, nil)
	s.HandleFunc("/x", ok)
	h := s.Handler()
	if rec := do(h, "GET", "/x", ""); rec.Code != 200 {
		t.Errorf("GET: %d", rec.Code)
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		if rec := do(h, m, "/x", "Bearer anything-at-all-here"); rec.Code != 403 {
			t.Errorf("%s without configured tokens: %d, want 403", m, rec.Code)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := New(config.Server{Addr: "127.0.0.1:0", Tokens: []string{"first-token-0123456789"}}, nil)
	s.HandleFunc("/x", ok)
	for _, auth := range []string{"", "Bearer first-token-0123456789"} {
		rec := do(s.Handler(), "GET", "/x", auth)
		hd := rec.Header()
		if !strings.Contains(hd.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("X-Frame-Options") != "DENY" {
			t.Errorf("headers %v", hd)
		}
	}
}

func TestStartShutdownAndWarning(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s := New(config.Server{Addr: "0.0.0.0:0", Insecure: true}, log)
	release := make(chan struct{})
	s.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "done")
	})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "without API tokens") {
		t.Errorf("no warning for an exposed, insecure server: %s", logs.String())
	}
	addr := "http://127.0.0.1:" + s.Addr()[strings.LastIndex(s.Addr(), ":")+1:]
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(addr + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	time.Sleep(50 * time.Millisecond)
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- s.Shutdown(ctx)
	}()
	time.Sleep(50 * time.Millisecond)
	close(release) // the request in progress completes
	if b := <-got; b != "done" {
		t.Errorf("request in progress during shutdown: %q", b)
	}
	if err := <-shut; err != nil {
		t.Error(err)
	}
	if _, err := http.Get(addr + "/slow"); err == nil {
		t.Error("still serving after Shutdown")
	}
}

// A browser without a token is sent to the sign-in page, signs in with a
// token and then browses with the session cookie; scripts keep getting
// JSON 401s.
func TestBrowserSignIn(t *testing.T) {
	s := New(config.Server{Addr: "127.0.0.1:0", Tokens: []string{"first-token-0123456789"}}, nil)
	s.HandleFunc("/", ok)
	s.HandleFunc("/api/x", ok)
	h := s.Handler()
	page := func(method, path, cookie string, form string) *httptest.ResponseRecorder {
		var body io.Reader
		if form != "" {
			body = strings.NewReader(form)
		}
		req := httptest.NewRequest(method, path, body)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := page("GET", "/locations?sort=net", "", "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Flocations%3Fsort%3Dnet" {
		t.Fatalf("page without token: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := page("GET", "/login?next=/locations", "", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `name="token"`) {
		t.Fatalf("sign-in page: %d %s", rec.Code, rec.Body.String())
	}
	if rec := page("POST", "/login", "", "token=wrong&next=/locations"); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "not one of") {
		t.Errorf("wrong token: %d", rec.Code)
	}
	rec = page("POST", "/login", "", "token=first-token-0123456789&next=%2Flocations")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/locations" {
		t.Fatalf("sign in: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	setCookie := rec.Header().Get("Set-Cookie")
	if !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Strict") {
		t.Errorf("session cookie %q", setCookie)
	}
	cookie, _, _ := strings.Cut(setCookie, ";")
	if rec := page("GET", "/", cookie, ""); rec.Code != 200 {
		t.Errorf("signed-in page: %d", rec.Code)
	}
	if rec := page("GET", "/", "vigie_token=forged-token-0123456789", ""); rec.Code != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", rec.Code)
	}
	// No open redirect after signing in.
	if rec := page("POST", "/login", "", "token=first-token-0123456789&next=//evil.example/"); rec.Header().Get("Location") != "/" {
		t.Errorf("next=//evil.example: %q", rec.Header().Get("Location"))
	}
	// Scripts get JSON.
	rec = do(h, "GET", "/api/x", "")
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), `"code":"unauthorized"`) || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("API without token: %d %s", rec.Code, rec.Body.String())
	}
	if rec := page("GET", "/logout", cookie, ""); rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("sign out: %d %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}
