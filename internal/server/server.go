// Package server is the HTTP server of `vigie serve`: one listener for the
// dashboard, the JSON API, /healthz and /metrics, behind token
// authentication and security headers, with a graceful shutdown.
//
// Other packages mount their handlers with Handle before Start:
//
//	srv := server.New(cfg.Server, log)
//	srv.Handle("GET /api/search", api.Search)
//	srv.Start()
//	defer srv.Shutdown(ctx)
//
// Authentication: when server.tokens lists tokens, every request must carry
// one as "Authorization: Bearer TOKEN" (compared in constant time). Without
// tokens, requests that change state (any method but GET, HEAD and
// OPTIONS) are refused: nothing can be changed through a server nobody
// secured, and a web page the operator visits cannot make the browser do
// it either (cross-site request forgery).
package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/config"
)

// DefaultCSP is the Content-Security-Policy sent with every response:
// only the server's own scripts, styles, images and connections; never in
// a frame.
const DefaultCSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Server is the HTTP server.
type Server struct {
	cfg config.Server
	log *slog.Logger
	mux *http.ServeMux
	csp string

	mu   sync.Mutex
	http *http.Server
	ln   net.Listener
	done chan struct{}
	err  error
}

// New returns a server for cfg; it listens once Start is called.
func New(cfg config.Server, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, log: log, mux: http.NewServeMux(), csp: DefaultCSP}
}

// Mux is the request multiplexer, for handlers to be mounted on.
func (s *Server) Mux() *http.ServeMux { return s.mux }

// Handle mounts h on pattern (net/http.ServeMux patterns: "GET /api/x").
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleFunc mounts fn on pattern.
func (s *Server) HandleFunc(pattern string, fn func(http.ResponseWriter, *http.Request)) {
	s.mux.HandleFunc(pattern, fn)
}

// SetCSP replaces the Content-Security-Policy header (the dashboard may
// need more than DefaultCSP allows). Call it before Start.
func (s *Server) SetCSP(csp string) { s.csp = csp }

// Handler is the whole server's handler: security headers, then
// authentication, then the mux.
func (s *Server) Handler() http.Handler {
	return s.headers(s.auth(s.mux))
}

func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// tokenDigests are the tokens' SHA-256, so that the comparison takes the
// same time whatever the length of what was sent.
func (s *Server) tokenDigests() [][32]byte {
	out := make([][32]byte, 0, len(s.cfg.Tokens))
	for _, t := range s.cfg.Tokens {
		if t != "" {
			out = append(out, sha256.Sum256([]byte(t)))
		}
	}
	return out
}

// safeMethod reports whether m only reads.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func (s *Server) auth(next http.Handler) http.Handler {
	digests := s.tokenDigests()
	valid := func(tok string) bool {
		d := sha256.Sum256([]byte(tok))
		match := 0
		for _, t := range digests {
			match |= subtle.ConstantTimeCompare(d[:], t[:])
		}
		return match == 1
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(digests) == 0 {
			if !safeMethod(r.Method) {
				writeAuthError(w, http.StatusForbidden, "forbidden", "changes need an API token: set server.tokens in the configuration")
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		switch r.URL.Path {
		case loginPath:
			s.login(w, r, valid)
			return
		case logoutPath:
			http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
			http.Redirect(w, r, loginPath, http.StatusSeeOther)
			return
		}
		tok, ok := bearer(r)
		if !ok {
			// A browser signed in on /login sends the token as a cookie.
			if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
				tok, ok = c.Value, true
			}
		}
		if !ok || !valid(tok) {
			if wantsPage(r) {
				http.Redirect(w, r, loginPath+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigie"`)
			writeAuthError(w, http.StatusUnauthorized, "unauthorized", "a valid API token is needed: Authorization: Bearer TOKEN")
			return
		}
		next.ServeHTTP(w, r)
	})
}

const (
	loginPath  = "/login"
	logoutPath = "/logout"
	// sessionCookie holds the token of a browser signed in on /login:
	// HttpOnly, and SameSite=Strict so that other sites cannot make the
	// browser send it (no cross-site request forgery).
	sessionCookie = "vigie_token"
)

// wantsPage reports whether r is a browser asking for a dashboard page,
// which is better answered by the sign-in page than by a 401.
func wantsPage(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/metrics" || strings.HasPrefix(p, "/healthz") {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// writeAuthError answers as the API answers its errors: JSON.
func writeAuthError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]map[string]string{"error": {"code": code, "message": msg}})
}

// login shows the sign-in form and, given a valid token, sets the
// session cookie and goes on to the page asked for.
func (s *Server) login(w http.ResponseWriter, r *http.Request, valid func(string) bool) {
	next := r.FormValue("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	msg := ""
	switch r.Method {
	case http.MethodPost:
		tok := strings.TrimSpace(r.PostFormValue("token"))
		if valid(tok) {
			http.SetCookie(w, &http.Cookie{
				Name: sessionCookie, Value: tok, Path: "/", MaxAge: 30 * 24 * 3600,
				HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
			})
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
		msg = "This token is not one of server.tokens."
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
	case http.MethodGet, http.MethodHead:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	default:
		writeAuthError(w, http.StatusMethodNotAllowed, "bad_method", "use GET or POST")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	loginPage.Execute(w, struct{ Next, Message string }{next, msg})
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Vigie</title></head>
<body>
<main>
<h1>Vigie</h1>
<p>This Vigie asks for an access token. Ask whoever runs it for one (it is one of <code>server.tokens</code> in its configuration).</p>
{{with .Message}}<p role="alert"><strong>{{.}}</strong></p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="next" value="{{.Next}}">
<p><label for="token">Access token</label><br>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus size="40"></p>
<p><button type="submit">Sign in</button></p>
</form>
<p>Your browser keeps you signed in for 30 days; <a href="/logout">sign out</a> on a shared computer.</p>
</main>
</body></html>
`))

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// Listen binds the configured address (Start does it if not done).
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.ln = ln
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	if !loopback(host) {
		if len(s.cfg.Tokens) == 0 && s.cfg.Insecure {
			s.log.Warn("listening on a network address without API tokens (server.insecure: true): anyone who can reach it can read every review", "addr", ln.Addr().String())
		} else {
			s.log.Info("listening on a network address: put TLS in front of it (a reverse proxy) so that tokens do not travel in clear", "addr", ln.Addr().String())
		}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Start listens (if Listen was not called) and serves in the background.
func (s *Server) Start() error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return errors.New("server: already started")
	}
	s.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.done = make(chan struct{})
	srv, ln, done := s.http, s.ln, s.done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
		}
	}()
	s.log.Info("http server listening", "addr", "http://"+ln.Addr().String())
	return nil
}

// Addr is the address listened on (with the port chosen when the
// configuration said :0), or "" before Listen.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Shutdown stops accepting connections and waits, until ctx is done, for
// the requests in progress; then it closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, ln, done := s.http, s.ln, s.done
	s.mu.Unlock()
	if srv == nil {
		if ln != nil {
			return ln.Close()
		}
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	<-done
	return err
}
