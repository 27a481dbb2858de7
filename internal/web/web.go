// Package web is Vigie's dashboard: pages rendered on the server with
// html/template, charts drawn as SVG on the server, and one stylesheet
// embedded in the binary. There is no script at all, so the pages work
// under the strictest Content-Security-Policy; every piece of review
// text, author name and URL goes through html/template's escaping.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/internal/api"
)

// Deps is what the dashboard reads: the same as the API's.
type Deps = api.Deps

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// CSP is the Content-Security-Policy the dashboard needs: nothing but its
// own stylesheet and inline SVG. The pages set it when the server's
// middleware has not.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

type site struct {
	deps  Deps
	cat   *api.Catalog
	pages map[string]*template.Template
}

// Register mounts the dashboard's pages on mux: / (overview), /locations,
// /themes, /search, /reviews/{id}, /sources, /alerts and /static/.
func Register(mux *http.ServeMux, deps Deps) {
	s := &site{deps: deps, cat: api.NewCatalog(deps.Brands, deps.ThemeLabel), pages: map[string]*template.Template{}}
	fm := template.FuncMap{}
	for k, v := range funcs {
		fm[k] = v
	}
	fm["themeLabel"] = s.cat.ThemeLabel
	for _, name := range []string{"overview", "locations", "themes", "search", "review", "sources", "alerts", "error"} {
		s.pages[name] = template.Must(template.New("layout.html").Funcs(fm).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /{$}", s.overview)
	mux.HandleFunc("GET /locations", s.locations)
	mux.HandleFunc("GET /themes", s.themes)
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /reviews/{id}", s.review)
	mux.HandleFunc("GET /sources", s.sources)
	mux.HandleFunc("GET /alerts", s.alerts)
}

func (s *site) now() time.Time {
	if s.deps.Now != nil {
		return s.deps.Now()
	}
	return time.Now()
}

// page is what every template gets.
type page struct {
	Title string
	Nav   string
	// Brand is the brand's name for the header.
	Brand string
	Data  any
	// Problem is a message for the user (a bad query, say), shown above
	// the content.
	Problem string
	Now     time.Time
}

func (s *site) brandName() string {
	if len(s.deps.Brands) == 1 {
		return s.deps.Brands[0].Name
	}
	return "All brands"
}

func (s *site) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Brand = s.brandName()
	p.Now = s.now()
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, p); err != nil {
		s.deps.Logger.Error("dashboard: render", "page", name, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		s.pages["error"].Execute(&buf, page{Title: "Error", Brand: p.Brand, Problem: "This page could not be drawn; the server log has the details."})
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", CSP)
	}
	if h.Get("X-Frame-Options") == "" {
		h.Set("X-Frame-Options", "DENY")
	}
	if h.Get("Referrer-Policy") == "" {
		h.Set("Referrer-Policy", "same-origin")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page: the user's mistakes with what was wrong,
// anything else as an internal error.
func (s *site) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := api.AsError(err)
	if e.Status >= 500 {
		s.logError(r, err)
	}
	s.render(w, r, e.Status, "error", page{Title: "Error", Problem: e.Message})
}

func (s *site) logError(r *http.Request, err error) {
	if s.deps.Logger != nil {
		s.deps.Logger.Error("dashboard request failed", "path", r.URL.Path, "err", err)
	}
}

// with returns a copy of r whose query is v.
func with(r *http.Request, v url.Values) *http.Request {
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.RawQuery = v.Encode()
	r2.URL = &u
	return r2
}

// link builds a dashboard URL: path and parameters (empty values dropped).
func link(path string, v url.Values) string {
	out := url.Values{}
	for k, vs := range v {
		for _, s := range vs {
			if s != "" {
				out.Add(k, s)
			}
		}
	}
	if len(out) == 0 {
		return path
	}
	return path + "?" + out.Encode()
}

func copyValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// keep returns the parameters of v that filters use, for links that keep
// the current selection.
func keep(v url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if vs, ok := v[n]; ok {
			out[n] = append([]string(nil), vs...)
		}
	}
	return out
}

// Option is an entry of a select box.
type Option struct {
	Value, Label string
	Selected     bool
}

func (s *site) locationOptions(selected []string) []Option {
	sel := map[string]bool{}
	for _, v := range selected {
		sel[v] = true
	}
	var out []Option
	for _, id := range s.cat.LocationIDs() {
		out = append(out, Option{Value: id, Label: s.cat.LocationName(id), Selected: sel[id]})
	}
	return out
}

func options(selected string, pairs ...string) []Option {
	var out []Option
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Option{Value: pairs[i], Label: pairs[i+1], Selected: pairs[i] == selected})
	}
	return out
}

// Delta is a change shown with an arrow: Good says whether it is good
// news (a rise in rating, a fall in complaints).
type Delta struct {
	Text  string
	Arrow string
	Class string // up-good, down-bad, ...
	Known bool
}

func delta(d *float64, format string, higherIsBetter bool) Delta {
	if d == nil {
		return Delta{}
	}
	v := *d
	out := Delta{Known: true, Text: fmt.Sprintf(format, math.Abs(v))}
	switch {
	case math.Abs(v) < 1e-9:
		out.Arrow, out.Class, out.Text = "→", "flat", "no change"
		return out
	case v > 0:
		out.Arrow = "▲"
	default:
		out.Arrow = "▼"
	}
	good := (v > 0) == higherIsBetter
	if good {
		out.Class = "good"
	} else {
		out.Class = "bad"
	}
	return out
}

// heat maps a value in [lo, hi] to a colour class heat-0 (bad) .. heat-10
// (good); unknown values get "heat-none".
func heat(v *float64, lo, hi float64) string {
	if v == nil {
		return "heat-none"
	}
	f := (*v - lo) / (hi - lo)
	f = math.Max(0, math.Min(1, f))
	return fmt.Sprintf("heat-%d", int(math.Round(f*10)))
}

// safeURL returns u when it is an absolute http(s) URL, else "": review
// URLs come from the web, and javascript: or data: links must never be
// clickable.
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// periodOf reads the period parameter shared by the overview and the
// leaderboard (7d, 30d, 90d, 1y); anything else falls back to def.
func periodOf(v url.Values, def string) string {
	switch p := v.Get("period"); p {
	case "7d", "14d", "30d", "90d", "6m", "1y":
		return p
	}
	return def
}

var periodNames = map[string]string{"7d": "7 days", "14d": "14 days", "30d": "30 days", "90d": "90 days", "6m": "6 months", "1y": "year", "18m": "18 months"}

func nan() float64 { return math.NaN() }

func val(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// themeFilterNote explains where theme sentiment comes from.
func themeNote(perTheme bool) string {
	if perTheme {
		return "Sentiment per theme is the sentiment about that theme."
	}
	return "Sentiment per theme is the sentiment of the reviews that mention it."
}
