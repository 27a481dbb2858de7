package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie-dev/vigie/config"
)

// Mux is where handlers are mounted: *http.ServeMux and the server of
// internal/server both are.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Register mounts the alerts API on mux:
//
//	GET  /api/alerts                       {"alerts": [...]}, filters status, location, kind, rule, brand, limit
//	GET  /api/alerts/{id}                  {"alert": {...}}
//	POST /api/alerts/{id}/acknowledge      {"alert": {...}}
//	POST /api/alerts/{id}/resolve          {"alert": {...}}
//
// The changes need an API token: the server's middleware refuses any
// POST without one (and every request, when tokens are configured). An
// optional JSON body {"by": "name"} records who acted.
func Register(mux Mux, e *Engine) {
	mux.Handle("GET /api/alerts", http.HandlerFunc(e.handleList))
	mux.Handle("GET /api/alerts/{id}", http.HandlerFunc(e.handleGet))
	mux.Handle("POST /api/alerts/{id}/acknowledge", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.handleChange(w, r, e.Acknowledge)
	}))
	mux.Handle("POST /api/alerts/{id}/resolve", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.handleChange(w, r, e.Resolve)
	}))
}

type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, map[string]*apiError{"error": e})
}

func values(r *http.Request, name string) []string {
	var out []string
	for _, raw := range r.URL.Query()[name] {
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

var kinds = []string{config.RuleNegativeSpike, config.RuleRatingDrop, config.RuleThemeSurge, config.RuleKeyword, config.RuleReview, config.RuleSourceHealth}

// ParseFilter reads the filters of GET /api/alerts.
func ParseFilter(r *http.Request) (Filter, error) {
	f := Filter{Status: values(r, "status"), Location: values(r, "location"), Kind: values(r, "kind"),
		Rule: values(r, "rule"), Brand: values(r, "brand"), Limit: 100}
	for _, s := range f.Status {
		switch s {
		case StatusOpen, StatusAcknowledged, StatusResolved:
		default:
			return f, &apiError{Status: 400, Code: "bad_parameter", Param: "status", Message: fmt.Sprintf("unknown status %q (use open, acknowledged or resolved)", s)}
		}
	}
	for _, k := range f.Kind {
		if !contains(kinds, k) {
			return f, &apiError{Status: 400, Code: "bad_parameter", Param: "kind", Message: fmt.Sprintf("unknown kind %q (use %s)", k, strings.Join(kinds, ", "))}
		}
	}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return f, &apiError{Status: 400, Code: "bad_parameter", Param: "limit", Message: fmt.Sprintf("limit=%q: expected a whole number from 1 to 1000", s)}
		}
		f.Limit = n
	}
	return f, nil
}

func (e *Engine) handleList(w http.ResponseWriter, r *http.Request) {
	f, err := ParseFilter(r)
	if err != nil {
		writeError(w, err.(*apiError))
		return
	}
	for _, l := range f.Location {
		if _, ok := e.cat.locName[l]; !ok && len(e.cat.locName) > 0 {
			writeError(w, &apiError{Status: 400, Code: "unknown_location", Param: "location", Message: fmt.Sprintf("unknown location %q", l)})
			return
		}
	}
	as, _ := e.List(r.Context(), f)
	if as == nil {
		as = []Alert{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": as})
}

func (e *Engine) handleGet(w http.ResponseWriter, r *http.Request) {
	a, ok := e.Get(r.PathValue("id"))
	if !ok {
		writeError(w, &apiError{Status: 404, Code: "not_found", Message: "no alert " + strconv.Quote(r.PathValue("id"))})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"alert": a})
}

func (e *Engine) handleChange(w http.ResponseWriter, r *http.Request, change func(context.Context, string, string) (Alert, error)) {
	var body struct {
		By string `json:"by"`
	}
	if r.Body != nil {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		if len(strings.TrimSpace(string(b))) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				writeError(w, &apiError{Status: 400, Code: "bad_body", Message: "the body must be JSON such as {\"by\": \"name\"}"})
				return
			}
		}
	}
	by := strings.TrimSpace(body.By)
	if len(by) > 100 {
		by = by[:100]
	}
	a, err := change(r.Context(), r.PathValue("id"), by)
	if errors.Is(err, ErrNotFound) {
		writeError(w, &apiError{Status: 404, Code: "not_found", Message: "no alert " + strconv.Quote(r.PathValue("id"))})
		return
	}
	if err != nil {
		writeError(w, &apiError{Status: 500, Code: "internal", Message: "internal error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"alert": a})
}
