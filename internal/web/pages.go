package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/api"
)

// Tile is a headline figure of the overview.
type Tile struct {
	Label  string
	Value  string
	Unit   string
	Delta  Delta
	Spark  template.HTML
	Note   string
	Link   string
	Status string // warn when the figure needs attention
}

// ChangeView is an entry of the "what changed" panel.
type ChangeView struct {
	Location     string
	LocationName string
	Theme        string
	ThemeLabel   string
	Recent       int
	Expected     string
	Baseline     int
	Link         string
	Score        float64
	Stars        bool // complaints counted from stars, not sentiment
}

// ChangeGroup is a location whose complaints rose, with its themes.
type ChangeGroup struct {
	LocationName string
	Headline     ChangeView
	Themes       []ChangeView
}

type overviewData struct {
	Period       string
	PeriodName   string
	Periods      []Option
	Tiles        []Tile
	Changes      []ChangeGroup
	RecentDays   int
	Alerts       []alertView
	AlertsOn     bool
	HealthOn     bool
	Health       map[string]int
	Failing      []api.SourceHealth
	Attention    []api.LocationJSON
	Best         []api.LocationJSON
	TrendChart   template.HTML
	TrendNote    string
	Enriched     bool
	TotalReviews int
}

type alertView struct {
	api.Alert
	LocationName string
	Link         string
	Ago          string
}

func (s *site) overview(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	now := s.now()
	ctx := r.Context()
	period := periodOf(v, "30d")
	d := overviewData{Period: period, PeriodName: periodNames[period], RecentDays: 14,
		Periods: options(period, "7d", "7 days", "30d", "30 days", "90d", "90 days", "1y", "year")}
	base := keep(v, "brand")
	base.Set("period", period)

	lb, err := api.Leaderboard(with(r, base), &s.deps, s.cat)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cm, pm := lb.Totals.Current, lb.Totals.Previous
	d.Enriched = cm.Labeled > 0 || pm.Labeled > 0

	// Weekly figures of the last 26 weeks for the sparklines and chart.
	weeksFrom := index.Weekly.Floor(now).AddDate(0, 0, -25*7)
	tr, err := s.deps.Index.Trends(ctx, index.TrendQuery{Filter: index.Query{Brands: v["brand"], From: weeksFrom, To: now}, Interval: index.Weekly})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var counts, ratings, nets, negs []float64
	var labels []string
	var partial []bool
	for i, p := range tr.Overall.Points {
		m := api.MetricsOf(p)
		labels = append(labels, tr.Periods[i].Key)
		partial = append(partial, tr.Periods[i].Partial)
		counts = append(counts, float64(p.Count))
		ratings = append(ratings, val(m.AvgRating))
		nets = append(nets, val(m.NetSentiment))
		neg := math.NaN()
		if m.Sentiment != nil {
			neg = m.Sentiment["negative"] * 100
		}
		negs = append(negs, neg)
	}
	countDelta := (*float64)(nil)
	if pm.Count > 0 {
		c := 100 * float64(cm.Count-pm.Count) / float64(pm.Count)
		countDelta = &c
	}
	diff := func(a, b *float64) *float64 {
		if a == nil || b == nil {
			return nil
		}
		x := *a - *b
		return &x
	}
	search := link("/search", keep(v, "brand"))
	d.Tiles = []Tile{
		{Label: "Reviews", Value: groupDigits(strconv.Itoa(cm.Count)), Delta: delta(countDelta, "%.0f%%", true),
			Spark: Sparkline(complete(counts, partial), "spark-count", "Reviews per week, last 26 weeks"), Note: "per week, 26 weeks", Link: search},
		{Label: "Average rating", Value: fmtPtr(cm.AvgRating, 2), Unit: "/ 5", Delta: delta(diff(cm.AvgRating, pm.AvgRating), "%.2f", true),
			Spark: Sparkline(ratings, "spark-rating", "Average rating per week"), Note: "per week"},
		{Label: "Net sentiment", Value: fmtSigned(cm.NetSentiment), Delta: delta(diff(cm.NetSentiment, pm.NetSentiment), "%.0f pts", true),
			Spark: Sparkline(nets, "spark-net", "Net sentiment per week"), Note: "% positive − % negative"},
	}
	if !d.Enriched {
		d.Tiles[2].Note = "appears once reviews are enriched"
	}
	if cm.NetSentiment != nil && *cm.NetSentiment < 0 {
		d.Tiles[2].Status = "warn"
	}
	d.TotalReviews = cm.Count
	d.TrendChart = Chart{Title: "Reviews per week and average rating, last 26 weeks", Labels: labels, Bars: counts, BarName: "reviews",
		Lines: []Line{{Name: "average rating", Class: "line-rating", Values: ratings, Format: func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }}},
		Min:   1, Max: 5, Ticks: []float64{1, 2, 3, 4, 5}, Partial: partial, Zero: nan(), Height: 180}.SVG()

	// What changed: complaints that rose in the last two weeks.
	changes, err := s.deps.Index.Changes(ctx, index.ChangeQuery{Filter: index.Query{Brands: v["brand"]}, Now: now, Recent: 14 * 24 * time.Hour, Limit: 12})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Changes = s.changeGroups(changes, v.Get("brand"), d.Enriched)

	// Locations needing attention: the lowest net sentiment (or rating).
	rows := append([]api.LocationJSON(nil), lb.Locations...)
	key := "net_sentiment"
	if !d.Enriched {
		key = "avg_rating"
	}
	api.SortLocations(rows, key, false)
	for _, l := range rows {
		if l.Count > 0 && len(d.Attention) < 5 {
			d.Attention = append(d.Attention, l)
		}
	}
	api.SortLocations(rows, key, true)
	for _, l := range rows {
		if l.Count > 0 && len(d.Best) < 3 {
			d.Best = append(d.Best, l)
		}
	}

	if s.deps.Alerts != nil {
		d.AlertsOn = true
		alerts, err := s.deps.Alerts.Alerts(ctx)
		if err != nil {
			s.logError(r, err)
		}
		for _, a := range alerts {
			if a.Status != "resolved" && len(d.Alerts) < 5 {
				d.Alerts = append(d.Alerts, s.alertView(a, now))
			}
		}
	}
	if s.deps.Health != nil {
		d.HealthOn = true
		d.Health = map[string]int{}
		hs, err := s.deps.Health.SourceHealth(ctx)
		if err != nil {
			s.logError(r, err)
		}
		for _, h := range hs {
			d.Health[h.Status]++
			if h.Status == "failing" {
				d.Failing = append(d.Failing, h)
			}
		}
	}
	s.render(w, r, http.StatusOK, "overview", page{Title: "Overview", Nav: "overview", Data: d})
}

// complete drops the last value when its period is not over: a week half
// gone always looks like a fall in volume.
func complete(values []float64, partial []bool) []float64 {
	if n := len(values); n > 1 && partial[n-1] {
		return values[:n-1]
	}
	return values
}

func fmtPtr(v *float64, digits int) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', digits, 64)
}

func fmtSigned(v *float64) string {
	if v == nil {
		return "—"
	}
	if *v > 0 {
		return "+" + strconv.FormatFloat(*v, 'f', 0, 64)
	}
	return strconv.FormatFloat(*v, 'f', 0, 64)
}

func (s *site) changeGroups(changes []index.Change, brand string, enriched bool) []ChangeGroup {
	byLoc := map[string]*ChangeGroup{}
	var order []string
	themed := false
	for _, c := range changes {
		if c.Theme != "" {
			themed = true
		}
	}
	for _, c := range changes {
		g := byLoc[c.Location]
		if g == nil {
			g = &ChangeGroup{LocationName: s.cat.LocationName(c.Location)}
			byLoc[c.Location] = g
			order = append(order, c.Location)
		}
		q := url.Values{"location": {c.Location}, "from": {"14d"}, "sort": {"date"}}
		if brand != "" {
			q.Set("brand", brand)
		}
		cv := ChangeView{Location: c.Location, LocationName: g.LocationName, Theme: c.Theme, ThemeLabel: s.cat.ThemeLabel(c.Theme),
			Recent: c.RecentNegative, Baseline: c.BaselineNegative, Expected: strconv.FormatFloat(c.Expected, 'f', 1, 64), Score: c.Score}
		if c.Theme != "" {
			q.Set("theme", c.Theme)
		} else if themed || enriched {
			q.Set("sentiment", "negative")
		} else {
			q.Set("max_rating", "2")
			cv.Stars = true
		}
		cv.Link = link("/search", q)
		if c.Theme == "" {
			g.Headline = cv
		} else if len(g.Themes) < 3 {
			g.Themes = append(g.Themes, cv)
		}
	}
	var out []ChangeGroup
	for _, loc := range order {
		g := byLoc[loc]
		if g.Headline.Location == "" && len(g.Themes) > 0 {
			// The location as a whole did not stand out: lead with its theme.
			g.Headline = g.Themes[0]
			g.Themes = g.Themes[1:]
		}
		if len(out) < 5 {
			out = append(out, *g)
		}
	}
	return out
}

func (s *site) alertView(a api.Alert, now time.Time) alertView {
	av := alertView{Alert: a, LocationName: s.cat.LocationName(a.Location), Ago: ago(a.StartedAt, now)}
	if a.Search != "" {
		if q, err := url.ParseQuery(a.Search); err == nil {
			av.Link = link("/search", q)
		}
	}
	return av
}

// Column is a sortable column of the locations table.
type Column struct {
	Key, Label, Link, Arrow, Title string
	Numeric                        bool
}

type locationRow struct {
	api.LocationJSON
	CountDelta, RatingDelta, NetDelta Delta
	RatingHeat, NetHeat               string
	SearchLink, TrendLink             string
	Themes                            []themeChip
}

type themeChip struct {
	Label, Link string
	Count       int
	Share       float64
}

type locationsData struct {
	Rows              []locationRow
	Columns           []Column
	Periods           []Option
	Period            string
	PeriodName        string
	From, To          time.Time
	RepliesKnown      bool
	PerThemeSentiment bool
	HasSurvey         bool
	Langs             []Option
	Lang              string
}

func (s *site) locations(w http.ResponseWriter, r *http.Request) {
	v := copyValues(r.URL.Query())
	period := periodOf(v, "30d")
	v.Set("period", period)
	v.Del("from")
	v.Del("to")
	lb, err := api.Leaderboard(with(r, v), &s.deps, s.cat)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := locationsData{Period: period, PeriodName: periodNames[period], From: lb.From, To: lb.To, RepliesKnown: lb.RepliesKnown,
		PerThemeSentiment: lb.PerThemeSentiment, Lang: v.Get("lang"),
		Periods: options(period, "7d", "7 days", "30d", "30 days", "90d", "90 days", "1y", "year"),
		Langs:   options(v.Get("lang"), "", "All languages", "fr", "French", "ru", "Russian", "en", "English")}
	cols := []struct {
		key, label, title string
		numeric           bool
	}{
		{"name", "Location", "", false},
		{"count", "Reviews", "Reviews in the period, and the change against the period before", true},
		{"avg_rating", "Rating", "Average rating out of 5", true},
		{"change_rating", "Δ rating", "Change of the average rating against the period before", true},
		{"net_sentiment", "Net sentiment", "% positive − % negative", true},
		{"change_net_sentiment", "Δ net", "Change of net sentiment against the period before", true},
		{"nps", "NPS", "Net Promoter Score from survey answers (0-10)", true},
		{"csat", "CSAT", "% of satisfied survey answers (4-5 of 5)", true},
		{"response_rate", "Replied", "Share of reviews the owner answered", true},
		{"median_response_hours", "Reply time", "Median time before the owner's reply", true},
	}
	for _, c := range cols {
		q := keep(v, "period", "brand", "lang", "source")
		q.Set("sort", c.key)
		col := Column{Key: c.key, Label: c.label, Title: c.title, Numeric: c.numeric}
		if lb.Sort == c.key {
			if lb.Order == "desc" {
				q.Set("order", "asc")
				col.Arrow = "▼"
			} else {
				q.Set("order", "desc")
				col.Arrow = "▲"
			}
		}
		col.Link = link("/locations", q)
		d.Columns = append(d.Columns, col)
	}
	for _, l := range lb.Locations {
		if l.NPS != nil || l.CSAT != nil {
			d.HasSurvey = true
		}
		row := locationRow{LocationJSON: l,
			CountDelta:  delta(l.Change.CountPct, "%.0f%%", true),
			RatingDelta: delta(l.Change.AvgRating, "%.2f", true),
			NetDelta:    delta(l.Change.NetSentiment, "%.0f", true),
			RatingHeat:  heat(l.AvgRating, 2.5, 4.7),
			NetHeat:     heat(l.NetSentiment, -40, 80),
			SearchLink:  link("/search", url.Values{"location": {l.ID}, "from": {period}, "sort": {"date"}}),
			TrendLink:   link("/themes", url.Values{"location": {l.ID}}),
		}
		if l.Change.CountPct == nil && l.Count > 0 {
			row.CountDelta = Delta{Known: true, Arrow: "▲", Class: "flat", Text: "new"}
		}
		for _, t := range l.TopNegativeThemes {
			row.Themes = append(row.Themes, themeChip{Label: t.Label, Count: t.Count, Share: t.Share,
				Link: link("/search", url.Values{"location": {l.ID}, "theme": {t.Theme}, "from": {period}, "sort": {"date"}})})
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, http.StatusOK, "locations", page{Title: "Locations", Nav: "locations", Data: d})
}

type themeCard struct {
	Key, Label string
	Total      api.Metrics
	Chart      template.HTML
	Link       string
	NegShare   string
}

type themesData struct {
	Locations         []Option
	Periods           []Option
	Intervals         []Option
	Overall           themeCard
	Cards             []themeCard
	PerThemeSentiment bool
	Note              string
	Enriched          bool
	Selected          string
}

func (s *site) themes(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	period := v.Get("period")
	switch period {
	case "90d", "6m", "1y", "18m":
	default:
		period = "1y"
	}
	interval := v.Get("interval")
	if interval != "week" && interval != "month" {
		interval = "week"
		if period == "18m" {
			interval = "month"
		}
	}
	// Whole periods only: the window starts where a week or month starts.
	now := s.now()
	start, _ := api.ParseDate(period, now, false)
	iv := index.Interval(interval)
	start = iv.Next(iv.Floor(start))
	q := keep(v, "location", "brand", "lang", "source")
	q.Set("from", start.Format(time.RFC3339))
	q.Set("interval", interval)
	q.Set("by", "theme")
	q.Set("limit", "12")
	tr, err := api.Trends(with(r, q), &s.deps, s.cat)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := themesData{Locations: s.locationOptions(v["location"]), PerThemeSentiment: tr.PerThemeSentiment, Note: themeNote(tr.PerThemeSentiment),
		Periods:   options(period, "90d", "90 days", "6m", "6 months", "1y", "12 months", "18m", "18 months"),
		Intervals: options(interval, "week", "Weekly", "month", "Monthly")}
	if len(v["location"]) == 1 {
		d.Selected = v.Get("location")
	}
	labels := make([]string, len(tr.Periods))
	partial := make([]bool, len(tr.Periods))
	for i, p := range tr.Periods {
		labels[i], partial[i] = p.Key, p.Partial
	}
	card := func(sj api.SeriesJSON, width, height int) themeCard {
		var bars, neg, pos []float64
		for _, p := range sj.Points {
			bars = append(bars, float64(p.Count))
			n, ps := math.NaN(), math.NaN()
			if p.Sentiment != nil {
				n, ps = p.Sentiment["negative"]*100, p.Sentiment["positive"]*100
			}
			neg, pos = append(neg, n), append(pos, ps)
		}
		pctFmt := func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) + "%" }
		c := themeCard{Key: sj.Key, Label: sj.Label, Total: sj.Total}
		c.Chart = Chart{Title: fmt.Sprintf("%s: reviews per %s, %% negative and %% positive", sj.Label, interval), Labels: labels, Bars: bars, BarName: "reviews",
			Lines: []Line{{Name: "% negative", Class: "line-neg", Values: neg, Format: pctFmt}, {Name: "% positive", Class: "line-pos", Values: pos, Format: pctFmt}},
			Min:   0, Max: 100, Ticks: []float64{0, 50, 100}, TickFmt: pctFmt, Partial: partial, Zero: nan(), Width: width, Height: height}.SVG()
		if sj.Total.Sentiment != nil {
			c.NegShare = strconv.FormatFloat(sj.Total.Sentiment["negative"]*100, 'f', 0, 64) + "%"
		}
		lq := keep(v, "location", "brand", "lang", "source")
		if sj.Key != "all" {
			lq.Set("theme", sj.Key)
		}
		lq.Set("from", period)
		lq.Set("sort", "date")
		c.Link = link("/search", lq)
		return c
	}
	d.Overall = card(tr.Overall, 640, 200)
	d.Enriched = tr.Overall.Total.Labeled > 0
	for _, sj := range tr.Series {
		d.Cards = append(d.Cards, card(sj, 520, 210))
	}
	s.render(w, r, http.StatusOK, "themes", page{Title: "Themes", Nav: "themes", Data: d})
}

type searchData struct {
	Q          string
	Total      int
	Reviews    []ReviewView
	Facets     []facetView
	Locations  []Option
	Langs      []Option
	Sentiments []Option
	Sorts      []Option
	Ratings    []Option
	From, To   string
	Theme      string
	Source     string
	Prev, Next string
	First      int
	Last       int
	ExportCSV  string
	ExportJSON string
	Quick      []Option
	Active     []activeFilter
	TookMS     float64
}

type activeFilter struct{ Label, Remove string }

func (s *site) search(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	if v.Get("limit") == "" {
		v2 := copyValues(v)
		v2.Set("limit", "20")
		r = with(r, v2)
		v = v2
	}
	d := searchData{Q: v.Get("q"), From: v.Get("from"), To: v.Get("to"), Theme: v.Get("theme"), Source: v.Get("source"),
		Locations:  s.locationOptions(api.SplitValues(v, "location")),
		Langs:      options(v.Get("lang"), "", "Any language", "fr", "French", "ru", "Russian", "en", "English", "und", "Other"),
		Sentiments: options(v.Get("sentiment"), "", "Any sentiment", "negative", "Negative", "mixed", "Mixed", "neutral", "Neutral", "positive", "Positive"),
		Sorts:      options(v.Get("sort"), "", "Best match", "date", "Newest first", "date_asc", "Oldest first", "rating_asc", "Lowest rating", "rating", "Highest rating"),
		Ratings:    options(v.Get("max_rating"), "", "Any rating", "2", "1-2 stars", "3", "3 stars or less", "4", "4 stars or less"),
	}
	for _, p := range []string{"7d", "14d", "30d", "90d", "1y"} {
		d.Quick = append(d.Quick, Option{Value: link("/search", withParam(v, "from", p, "offset")), Label: "last " + periodNames[p], Selected: v.Get("from") == p})
	}
	problem := ""
	res, err := api.Search(r, &s.deps, s.cat)
	if err != nil {
		e := api.AsError(err)
		if e.Status >= 500 {
			s.fail(w, r, err)
			return
		}
		problem = e.Message
		res = &api.SearchResponse{}
	}
	d.Total, d.TookMS = res.Total, res.TookMS
	for _, rv := range res.Reviews {
		d.Reviews = append(d.Reviews, s.reviewView(rv.Review, matchedWords(rv.Highlights), setOf(api.SplitValues(v, "theme"))))
	}
	// Facets: click to filter on a value, click again to remove it.
	for _, name := range sortedFacetNames() {
		values := res.Facets[name]
		if len(values) == 0 {
			continue
		}
		param := name
		fv := facetView{Name: name, Title: facetTitles[name]}
		selected := map[string]bool{}
		for _, x := range api.SplitValues(v, param) {
			selected[x] = true
		}
		for i, f := range values {
			if i == 10 {
				break
			}
			var l string
			if selected[f.Value] {
				l = link("/search", withoutValue(v, param, f.Value))
			} else {
				l = link("/search", withParam(v, param, f.Value, "offset"))
			}
			fv.Values = append(fv.Values, facetValue{Label: f.Label, Count: f.Count, Link: l, Selected: selected[f.Value]})
		}
		d.Facets = append(d.Facets, fv)
	}
	for _, p := range []struct{ param, label string }{{"location", "Location"}, {"theme", "Theme"}, {"sentiment", "Sentiment"}, {"lang", "Language"}, {"source", "Source"}, {"kind", "Kind"},
		{"from", "From"}, {"to", "To"}, {"min_rating", "Rating ≥"}, {"max_rating", "Rating ≤"}} {
		for _, x := range api.SplitValues(v, p.param) {
			label := x
			switch p.param {
			case "location":
				label = s.cat.LocationName(x)
			case "theme", "sentiment":
				label = s.cat.ThemeLabel(x)
			case "lang":
				label = api.LangName(x)
			}
			d.Active = append(d.Active, activeFilter{Label: p.label + ": " + label, Remove: link("/search", withoutValue(v, p.param, x))})
		}
	}
	offset, _ := strconv.Atoi(v.Get("offset"))
	limit, _ := strconv.Atoi(v.Get("limit"))
	if limit <= 0 {
		limit = 20
	}
	d.First, d.Last = offset+1, offset+len(d.Reviews)
	if offset > 0 {
		d.Prev = link("/search", withParam(v, "offset", strconv.Itoa(max(0, offset-limit))))
	}
	if offset+len(d.Reviews) < d.Total && offset+limit <= 10000 {
		d.Next = link("/search", withParam(v, "offset", strconv.Itoa(offset+limit)))
	}
	ex := keep(v, "q", "brand", "location", "source", "kind", "lang", "sentiment", "theme", "min_rating", "max_rating", "from", "to")
	ex.Set("format", "csv")
	d.ExportCSV = link("/api/export", ex)
	ex.Set("format", "ndjson")
	d.ExportJSON = link("/api/export", ex)
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "search", page{Title: "Search", Nav: "search", Data: d, Problem: problem})
}

// withParam returns v with param set to value, dropping the parameters
// in drop (the offset, when the results change).
func withParam(v url.Values, param, value string, drop ...string) url.Values {
	out := copyValues(v)
	for _, p := range drop {
		out.Del(p)
	}
	if param == "location" || param == "theme" || param == "source" {
		vals := api.SplitValues(v, param)
		out.Del(param)
		for _, x := range vals {
			if x != value {
				out.Add(param, x)
			}
		}
		out.Add(param, value)
		return out
	}
	out.Set(param, value)
	return out
}

func withoutValue(v url.Values, param, value string) url.Values {
	out := copyValues(v)
	out.Del("offset")
	vals := api.SplitValues(v, param)
	out.Del(param)
	for _, x := range vals {
		if x != value {
			out.Add(param, x)
		}
	}
	return out
}

type reviewData struct {
	R            ReviewView
	Sentences    []sentenceView
	Evidence     []evidenceView
	BackLink     string
	SimilarLink  string
	LocationLink string
}

type sentenceView struct {
	Text, Label string
	Score       string
}

type evidenceView struct {
	Text, Weight, Class string
	w                   float64
}

func (s *site) review(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	rv, ok, err := s.deps.Index.Get(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.render(w, r, http.StatusNotFound, "error", page{Title: "Not found", Problem: "There is no review with this id. It may have been removed from the index."})
		return
	}
	d := reviewData{R: s.reviewView(rv, nil, nil),
		BackLink:     link("/search", url.Values{"location": {rv.Location}, "sort": {"date"}}),
		LocationLink: link("/themes", url.Values{"location": {rv.Location}})}
	if rv.Sentiment != nil {
		for _, ev := range rv.Sentiment.Evidence {
			cls := "ev-neg"
			if ev.Weight > 0 {
				cls = "ev-pos"
			}
			d.Evidence = append(d.Evidence, evidenceView{Text: ev.Text, Weight: strconv.FormatFloat(ev.Weight, 'f', 2, 64), Class: cls, w: ev.Weight})
		}
		sort.SliceStable(d.Evidence, func(i, j int) bool { return d.Evidence[i].w < d.Evidence[j].w })
		for _, sn := range rv.Sentiment.Sentences {
			if sn.Start >= 0 && sn.End <= len(rv.Text) && sn.Start < sn.End {
				d.Sentences = append(d.Sentences, sentenceView{Text: rv.Text[sn.Start:sn.End], Label: sn.Label, Score: strconv.FormatFloat(sn.Score, 'f', 2, 64)})
			}
		}
	}
	s.render(w, r, http.StatusOK, "review", page{Title: "Review", Nav: "search", Data: d})
}

type sourcesData struct {
	Available bool
	Sources   []sourceRow
	Counts    map[string]int
}

type sourceRow struct {
	api.SourceHealth
	LocationName string
	LastRunAgo   string
	SuccessAgo   string
	NextAgo      string
	SearchLink   string
}

func (s *site) sources(w http.ResponseWriter, r *http.Request) {
	d := sourcesData{Counts: map[string]int{}}
	if s.deps.Health != nil {
		d.Available = true
		hs, err := s.deps.Health.SourceHealth(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		now := s.now()
		rank := map[string]int{"failing": 0, "warning": 1, "running": 2, "never": 3, "ok": 4, "disabled": 5}
		sort.SliceStable(hs, func(i, j int) bool {
			if rank[hs[i].Status] != rank[hs[j].Status] {
				return rank[hs[i].Status] < rank[hs[j].Status]
			}
			return hs[i].Source < hs[j].Source
		})
		for _, h := range hs {
			d.Counts[h.Status]++
			d.Sources = append(d.Sources, sourceRow{SourceHealth: h, LocationName: s.cat.LocationName(h.Location),
				LastRunAgo: ago(h.LastRun, now), SuccessAgo: ago(h.LastSuccess, now), NextAgo: ago(h.NextRun, now),
				SearchLink: link("/search", url.Values{"source": {h.Source}, "sort": {"date"}})})
		}
	}
	s.render(w, r, http.StatusOK, "sources", page{Title: "Source health", Nav: "sources", Data: d})
}

type alertsData struct {
	Available bool
	Open      []alertView
	Resolved  []alertView
}

func (s *site) alerts(w http.ResponseWriter, r *http.Request) {
	var d alertsData
	if s.deps.Alerts != nil {
		d.Available = true
		as, err := s.deps.Alerts.Alerts(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		now := s.now()
		for _, a := range as {
			if a.Status == "resolved" {
				d.Resolved = append(d.Resolved, s.alertView(a, now))
			} else {
				d.Open = append(d.Open, s.alertView(a, now))
			}
		}
	}
	s.render(w, r, http.StatusOK, "alerts", page{Title: "Alerts", Nav: "alerts", Data: d})
}
