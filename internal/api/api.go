package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/review"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the API's OpenAPI document.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// Register mounts the API's handlers on mux, under /api/.
func Register(mux *http.ServeMux, deps Deps) {
	h := &handler{deps: deps, cat: NewCatalog(deps.Brands, deps.ThemeLabel)}
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(openAPI)
	})
	mux.HandleFunc("GET /api/reviews", h.reviews)
	mux.HandleFunc("GET /api/reviews/{id}", h.review)
	mux.HandleFunc("GET /api/trends", h.trends)
	mux.HandleFunc("GET /api/locations", h.locations)
	mux.HandleFunc("GET /api/export", h.export)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "the API is read-only: use GET"})
			return
		}
		writeError(w, &Error{Status: http.StatusNotFound, Code: "not_found",
			Message: "no such endpoint: " + r.URL.Path + " (see /api/openapi.json)"})
	})
}

type handler struct {
	deps Deps
	cat  *Catalog
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v) // the client may have gone: nothing to do
}

// AsError turns err into an API error: the user's mistakes (bad query
// syntax, unknown fields or locations, bad dates) are 400 with what was
// wrong; anything else is a 500 whose details go to the log only.
func AsError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var qe *index.QueryError
	if errors.As(err, &qe) {
		return &Error{Status: 400, Code: "bad_query", Param: "q", Message: qe.Error()}
	}
	if errors.Is(err, errDate) {
		return &Error{Status: 400, Code: "bad_date", Message: err.Error()}
	}
	return &Error{Status: 500, Code: "internal", Message: "internal error: the server log has the details"}
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, map[string]*Error{"error": e})
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := AsError(err)
	if e.Status >= 500 {
		h.deps.logger().Error("api request failed", "path", r.URL.Path, "err", err)
	}
	writeError(w, e)
}

// Part is a piece of a highlighted fragment: Match marks the words the
// query matched.
type Part struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// Fragments splits highlighted fragments (index.MarkStart/MarkEnd) into
// parts.
func Fragments(frags []string) [][]Part {
	out := make([][]Part, 0, len(frags))
	for _, f := range frags {
		var parts []Part
		for f != "" {
			i := strings.Index(f, index.MarkStart)
			if i < 0 {
				parts = append(parts, Part{Text: f})
				break
			}
			if i > 0 {
				parts = append(parts, Part{Text: f[:i]})
			}
			f = f[i+len(index.MarkStart):]
			j := strings.Index(f, index.MarkEnd)
			if j < 0 {
				j = len(f)
			}
			parts = append(parts, Part{Text: f[:j], Match: true})
			f = strings.TrimPrefix(f[j:], index.MarkEnd)
		}
		out = append(out, parts)
	}
	return out
}

// ReviewJSON is a review as the API returns it: the Review form, with the
// location's name and the query's highlights.
type ReviewJSON struct {
	review.Review
	LocationName string              `json:"location_name,omitempty"`
	Highlights   map[string][][]Part `json:"highlights,omitempty"`
}

// FacetJSON is one value of a facet.
type FacetJSON struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// SearchResponse is the answer of GET /api/reviews.
type SearchResponse struct {
	Total   int                    `json:"total"`
	Offset  int                    `json:"offset"`
	Limit   int                    `json:"limit"`
	TookMS  float64                `json:"took_ms"`
	Reviews []ReviewJSON           `json:"reviews"`
	Facets  map[string][]FacetJSON `json:"facets,omitempty"`
}

// SearchRequest reads the parameters of a search: the filters, sort,
// limit, offset and highlight.
func SearchRequest(v url.Values, now time.Time, cat *Catalog) (index.Query, error) {
	q, err := ParseFilter(v, now, cat)
	if err != nil {
		return q, err
	}
	switch s := index.Sort(v.Get("sort")); s {
	case "", index.SortRelevance, index.SortNewest, index.SortOldest, index.SortRating, index.SortRatingLow:
		q.Sort = s
	default:
		return q, badParam("sort", "unknown sort %q (use relevance, date, date_asc, rating or rating_asc)", s)
	}
	if q.Size, err = intParam(v, "limit", 20, 1, 100); err != nil {
		return q, err
	}
	if q.Offset, err = intParam(v, "offset", 0, 0, 10000); err != nil {
		return q, err
	}
	if q.Highlight, err = boolParam(v, "highlight", true); err != nil {
		return q, err
	}
	return q, nil
}

// Search runs a search request and shapes its answer.
func Search(r *http.Request, deps *Deps, cat *Catalog) (*SearchResponse, error) {
	v := r.URL.Query()
	now := deps.now()
	q, err := SearchRequest(v, now, cat)
	if err != nil {
		return nil, err
	}
	withFacets, err := boolParam(v, "facets", true)
	if err != nil {
		return nil, err
	}
	facetSize := -1
	if withFacets {
		facetSize = 50
	}
	start := time.Now()
	res, facets, err := deps.Index.Find(r.Context(), q, now, facetSize)
	if err != nil {
		return nil, err
	}
	out := &SearchResponse{Total: int(res.Total), Offset: q.Offset, Limit: q.Size, Reviews: []ReviewJSON{}}
	for _, hit := range res.Hits {
		rj := ReviewJSON{Review: hit.Review, LocationName: cat.LocationName(hit.Review.Location)}
		for k, frags := range hit.Highlights {
			if rj.Highlights == nil {
				rj.Highlights = map[string][][]Part{}
			}
			rj.Highlights[k] = Fragments(frags)
		}
		out.Reviews = append(out.Reviews, rj)
	}
	if facets != nil {
		out.Facets = map[string][]FacetJSON{}
		for name, counts := range facets.Fields {
			list := make([]FacetJSON, 0, len(counts))
			for _, c := range counts {
				list = append(list, FacetJSON{Value: c.Value, Label: facetLabel(name, c.Value, cat), Count: c.Count})
			}
			out.Facets[name] = list
		}
	}
	out.TookMS = math.Round(float64(time.Since(start).Microseconds())/10) / 100
	return out, nil
}

func facetLabel(facet, value string, cat *Catalog) string {
	switch facet {
	case index.FacetLocation:
		return cat.LocationName(value)
	case index.FacetLang:
		return LangName(value)
	case index.FacetTheme:
		return cat.ThemeLabel(value)
	case index.FacetSentiment, index.FacetKind:
		return ThemeLabel(value)
	}
	return value
}

func (h *handler) reviews(w http.ResponseWriter, r *http.Request) {
	out, err := Search(r, &h.deps, h.cat)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) review(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	rv, ok, err := h.deps.Index.Get(id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		writeError(w, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no review with id " + strconvQuote(id)})
		return
	}
	writeJSON(w, http.StatusOK, ReviewJSON{Review: rv, LocationName: h.cat.LocationName(rv.Location)})
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Metrics are the figures of a set of reviews.
type Metrics struct {
	Count int `json:"count"`
	// AvgRating is on a scale of 1 to 5; null when no review is rated.
	AvgRating *float64 `json:"avg_rating"`
	// Labeled counts reviews with a sentiment; Sentiment holds the share
	// (0..1) of each label among them; NetSentiment is % positive - %
	// negative. Both are null when no review has a sentiment yet.
	Labeled      int                `json:"labeled"`
	Sentiment    map[string]float64 `json:"sentiment"`
	NetSentiment *float64           `json:"net_sentiment"`
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func ptr(v float64, ok bool, digits int) *float64 {
	if !ok {
		return nil
	}
	r := round(v, digits)
	return &r
}

// MetricsOf shapes a tally.
func MetricsOf(t index.Tally) Metrics {
	m := Metrics{Count: t.Count, Labeled: t.Labeled()}
	avg, ok := t.AvgRating()
	m.AvgRating = ptr(avg, ok, 2)
	net, ok := t.NetSentiment()
	m.NetSentiment = ptr(net, ok, 1)
	if m.Labeled > 0 {
		m.Sentiment = map[string]float64{}
		for _, l := range []string{index.Positive, index.Neutral, index.Negative, index.Mixed} {
			s, _ := t.Share(l)
			m.Sentiment[l] = round(s, 3)
		}
	}
	return m
}

// PointJSON is one period of a series.
type PointJSON struct {
	Period string `json:"period"`
	Metrics
}

// SeriesJSON is one line of a trend.
type SeriesJSON struct {
	Key    string      `json:"key"`
	Label  string      `json:"label"`
	Total  Metrics     `json:"total"`
	Points []PointJSON `json:"points"`
}

// TrendResponse is the answer of GET /api/trends.
type TrendResponse struct {
	Interval          index.Interval `json:"interval"`
	By                string         `json:"by"`
	From              time.Time      `json:"from"`
	To                time.Time      `json:"to"`
	PerThemeSentiment bool           `json:"per_theme_sentiment"`
	Periods           []index.Period `json:"periods"`
	Overall           SeriesJSON     `json:"overall"`
	Series            []SeriesJSON   `json:"series"`
}

// Trends runs a trend request.
func Trends(r *http.Request, deps *Deps, cat *Catalog) (*TrendResponse, error) {
	v := r.URL.Query()
	now := deps.now()
	f, err := ParseFilter(v, now, cat)
	if err != nil {
		return nil, err
	}
	interval := index.Interval(v.Get("interval"))
	if interval == "" {
		interval = index.Weekly
	}
	if !interval.Valid() {
		return nil, badParam("interval", "unknown interval %q (use day, week or month)", interval)
	}
	def := map[index.Interval]time.Duration{index.Daily: 30 * 24 * time.Hour, index.Weekly: 52 * 7 * 24 * time.Hour, index.Monthly: 18 * 31 * 24 * time.Hour}[interval]
	f.From, f.To, err = Window(f, now, def, v.Get("period"))
	if err != nil {
		return nil, err
	}
	by := index.Split(v.Get("by"))
	switch by {
	case index.SplitNone, index.SplitTheme, index.SplitLocation:
	case "none":
		by = index.SplitNone
	default:
		return nil, badParam("by", "unknown split %q (use theme or location, or leave it out)", by)
	}
	limit, err := intParam(v, "limit", 12, 1, 100)
	if err != nil {
		return nil, err
	}
	tr, err := deps.Index.Trends(r.Context(), index.TrendQuery{Filter: f, Interval: interval, By: by, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := &TrendResponse{Interval: interval, By: string(by), From: f.From, To: f.To, PerThemeSentiment: tr.PerThemeSentiment,
		Periods: tr.Periods, Series: []SeriesJSON{}}
	if out.By == "" {
		out.By = "none"
	}
	shape := func(s index.Series, label string) SeriesJSON {
		sj := SeriesJSON{Key: s.Key, Label: label, Total: MetricsOf(s.Total), Points: make([]PointJSON, len(s.Points))}
		for i, p := range s.Points {
			sj.Points[i] = PointJSON{Period: tr.Periods[i].Key, Metrics: MetricsOf(p)}
		}
		return sj
	}
	out.Overall = shape(tr.Overall, "All reviews")
	for _, s := range tr.Series {
		label := cat.ThemeLabel(s.Key)
		if by == index.SplitLocation {
			label = cat.LocationName(s.Key)
		}
		out.Series = append(out.Series, shape(s, label))
	}
	return out, nil
}

func (h *handler) trends(w http.ResponseWriter, r *http.Request) {
	out, err := Trends(r, &h.deps, h.cat)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// ThemeCountJSON is a theme and how often it was complained about.
type ThemeCountJSON struct {
	Theme string  `json:"theme"`
	Label string  `json:"label"`
	Count int     `json:"count"`
	Share float64 `json:"share"` // of the location's reviews in the period
}

// ChangeJSON compares a location's period with the one before.
type ChangeJSON struct {
	Count        int      `json:"count"`
	CountPct     *float64 `json:"count_pct"`
	AvgRating    *float64 `json:"avg_rating"`
	NetSentiment *float64 `json:"net_sentiment"`
}

// LocationJSON is one row of the leaderboard.
type LocationJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	City    string `json:"city,omitempty"`
	Country string `json:"country,omitempty"`
	Brand   string `json:"brand,omitempty"`
	Metrics
	Previous Metrics    `json:"previous"`
	Change   ChangeJSON `json:"change"`
	// NPS (-100..100) and CSAT (% satisfied) from survey answers; null
	// without any.
	NPS         *float64 `json:"nps"`
	NPSAnswers  int      `json:"nps_answers"`
	CSAT        *float64 `json:"csat"`
	CSATAnswers int      `json:"csat_answers"`
	// ResponseRate (0..1) and MedianResponseHours from the owner's
	// replies; null where replies are not known.
	ResponseRate        *float64         `json:"response_rate"`
	MedianResponseHours *float64         `json:"median_response_hours"`
	TopNegativeThemes   []ThemeCountJSON `json:"top_negative_themes"`
}

// LeaderboardResponse is the answer of GET /api/locations.
type LeaderboardResponse struct {
	From              time.Time `json:"from"`
	To                time.Time `json:"to"`
	PreviousFrom      time.Time `json:"previous_from"`
	Sort              string    `json:"sort"`
	Order             string    `json:"order"`
	PerThemeSentiment bool      `json:"per_theme_sentiment"`
	RepliesKnown      bool      `json:"replies_known"`
	// Totals adds up every location that the filters select.
	Totals    TotalsJSON     `json:"totals"`
	Locations []LocationJSON `json:"locations"`
}

// TotalsJSON are the figures of all the selected locations together.
type TotalsJSON struct {
	Current  Metrics `json:"current"`
	Previous Metrics `json:"previous"`
}

// LeaderboardSorts are the columns GET /api/locations sorts by.
var LeaderboardSorts = []string{"name", "count", "avg_rating", "net_sentiment", "change_count", "change_rating", "change_net_sentiment", "nps", "csat", "response_rate", "median_response_hours"}

// Leaderboard runs a leaderboard request.
func Leaderboard(r *http.Request, deps *Deps, cat *Catalog) (*LeaderboardResponse, error) {
	v := r.URL.Query()
	now := deps.now()
	f, err := ParseFilter(v, now, cat)
	if err != nil {
		return nil, err
	}
	f.From, f.To, err = Window(f, now, 30*24*time.Hour, v.Get("period"))
	if err != nil {
		return nil, err
	}
	sortBy := v.Get("sort")
	if sortBy == "" {
		sortBy = "count"
	}
	if !contains(LeaderboardSorts, sortBy) {
		return nil, badParam("sort", "unknown sort %q (use %s)", sortBy, strings.Join(LeaderboardSorts, ", "))
	}
	order := v.Get("order")
	switch order {
	case "":
		order = "desc"
		if sortBy == "name" || sortBy == "median_response_hours" {
			order = "asc"
		}
	case "asc", "desc":
	default:
		return nil, badParam("order", "unknown order %q (use asc or desc)", order)
	}
	themes, err := intParam(v, "themes", 3, 1, 20)
	if err != nil {
		return nil, err
	}
	lb, err := deps.Index.Leaderboard(r.Context(), index.LeaderboardQuery{Filter: f, Themes: themes})
	if err != nil {
		return nil, err
	}
	out := &LeaderboardResponse{From: lb.From, To: lb.To, PreviousFrom: lb.PreviousFrom, Sort: sortBy, Order: order,
		PerThemeSentiment: lb.PerThemeSentiment, RepliesKnown: lb.RepliesKnown, Locations: []LocationJSON{}}
	stats := map[string]index.LocationStats{}
	var cur, prev index.Tally
	for _, s := range lb.Locations {
		stats[s.Location] = s
		cur.Add(s.Current)
		prev.Add(s.Previous)
	}
	out.Totals = TotalsJSON{Current: MetricsOf(cur), Previous: MetricsOf(prev)}
	// Configured locations that the filters allow, with or without
	// reviews, then any other location found in the index.
	var ids []string
	want := setOf(f.Locations)
	brands := setOf(f.Brands)
	for _, id := range cat.LocationIDs() {
		if (want == nil || want[id]) && (brands == nil || brands[cat.Locations[id].Brand]) {
			ids = append(ids, id)
		}
	}
	for _, s := range lb.Locations {
		if _, ok := cat.Locations[s.Location]; !ok {
			ids = append(ids, s.Location)
		}
	}
	for _, id := range ids {
		s := stats[id]
		info := cat.Locations[id]
		lj := LocationJSON{ID: id, Name: cat.LocationName(id), City: info.City, Country: info.Country, Brand: info.Brand,
			Metrics: MetricsOf(s.Current), Previous: MetricsOf(s.Previous), TopNegativeThemes: []ThemeCountJSON{}}
		lj.Change.Count = s.Current.Count - s.Previous.Count
		if s.Previous.Count > 0 {
			lj.Change.CountPct = ptr(100*float64(lj.Change.Count)/float64(s.Previous.Count), true, 1)
		}
		if lj.AvgRating != nil && lj.Previous.AvgRating != nil {
			lj.Change.AvgRating = ptr(*lj.AvgRating-*lj.Previous.AvgRating, true, 2)
		}
		if lj.NetSentiment != nil && lj.Previous.NetSentiment != nil {
			lj.Change.NetSentiment = ptr(*lj.NetSentiment-*lj.Previous.NetSentiment, true, 1)
		}
		nps, ok := s.Survey.NPS()
		lj.NPS, lj.NPSAnswers = ptr(nps, ok, 1), s.Survey.NPSAnswers
		csat, ok := s.Survey.CSAT()
		lj.CSAT, lj.CSATAnswers = ptr(csat, ok, 1), s.Survey.CSATAnswers
		rate, ok := s.Replies.Rate()
		lj.ResponseRate = ptr(rate, ok, 3)
		med, ok := s.Replies.MedianHours()
		lj.MedianResponseHours = ptr(med, ok, 1)
		for _, t := range s.NegativeThemes {
			share := 0.0
			if s.Current.Count > 0 {
				share = round(float64(t.Count)/float64(s.Current.Count), 3)
			}
			lj.TopNegativeThemes = append(lj.TopNegativeThemes, ThemeCountJSON{Theme: t.Value, Label: cat.ThemeLabel(t.Value), Count: t.Count, Share: share})
		}
		out.Locations = append(out.Locations, lj)
	}
	SortLocations(out.Locations, sortBy, order == "desc")
	return out, nil
}

// SortLocations sorts rows by a column of LeaderboardSorts; unknown values
// (null) go last whatever the order, and ties go by name.
func SortLocations(rows []LocationJSON, by string, desc bool) {
	key := func(l LocationJSON) *float64 {
		c := float64(l.Count)
		switch by {
		case "count":
			return &c
		case "avg_rating":
			return l.AvgRating
		case "net_sentiment":
			return l.NetSentiment
		case "change_count":
			d := float64(l.Change.Count)
			return &d
		case "change_rating":
			return l.Change.AvgRating
		case "change_net_sentiment":
			return l.Change.NetSentiment
		case "nps":
			return l.NPS
		case "csat":
			return l.CSAT
		case "response_rate":
			return l.ResponseRate
		case "median_response_hours":
			return l.MedianResponseHours
		}
		return nil
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if by != "name" {
			ka, kb := key(a), key(b)
			switch {
			case ka == nil && kb != nil:
				return false
			case ka != nil && kb == nil:
				return true
			case ka != nil && kb != nil && *ka != *kb:
				if desc {
					return *ka > *kb
				}
				return *ka < *kb
			}
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		if desc {
			return strings.ToLower(a.Name) > strings.ToLower(b.Name)
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func setOf(values []string) map[string]bool {
	if len(values) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, v := range values {
		m[v] = true
	}
	return m
}

func (h *handler) locations(w http.ResponseWriter, r *http.Request) {
	out, err := Leaderboard(r, &h.deps, h.cat)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
