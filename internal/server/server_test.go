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
