package index

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"
)

// Interval is the width of a trend's periods.
type Interval string

// The intervals a trend can use.
const (
	Daily   Interval = "day"
	Weekly  Interval = "week"
	Monthly Interval = "month"
)

// Valid reports whether i is a known interval.
func (i Interval) Valid() bool { return i == Daily || i == Weekly || i == Monthly }

// Period is one step of a trend: [Start, End) in UTC, named like the
// index's day, week and month fields ("2025-06-02", "2025-W23",
// "2025-06").
type Period struct {
	Key   string    `json:"period"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Partial is set when the trend's window cuts the period short (the
	// current week, say): its counts are not comparable with the others.
	Partial bool `json:"partial,omitempty"`
}

// Floor returns the start of the period of i holding t (UTC).
func (i Interval) Floor(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch i {
	case Weekly:
		wd := (int(d.Weekday()) + 6) % 7 // Monday 0
		return d.AddDate(0, 0, -wd)
	case Monthly:
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

// Next returns the start of the period after the one starting at t.
func (i Interval) Next(t time.Time) time.Time {
	switch i {
	case Weekly:
		return t.AddDate(0, 0, 7)
	case Monthly:
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// Key names the period starting at t.
func (i Interval) Key(t time.Time) string {
	switch i {
	case Weekly:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case Monthly:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}

// MaxPeriods bounds the periods of one trend.
const MaxPeriods = 1000

// Periods splits [from, to) into periods of i, the first starting at the
// start of from's period.
func (i Interval) Periods(from, to time.Time) ([]Period, error) {
	if !i.Valid() {
		return nil, fmt.Errorf("unknown interval %q (use day, week or month)", i)
	}
	if !to.After(from) {
		return nil, fmt.Errorf("the period ends (%s) before it starts (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	var out []Period
	for s := i.Floor(from); s.Before(to); s = i.Next(s) {
		if len(out) == MaxPeriods {
			return nil, fmt.Errorf("more than %d periods of a %s: choose a longer interval or a shorter window", MaxPeriods, i)
		}
		e := i.Next(s)
		out = append(out, Period{Key: i.Key(s), Start: s, End: e, Partial: e.After(to) || s.Before(from)})
	}
	return out, nil
}

// Split names what a trend draws one series for.
type Split string

// The splits of a trend.
const (
	SplitNone     Split = ""
	SplitTheme    Split = "theme"
	SplitLocation Split = "location"
)

// TrendQuery asks for series of figures per period.
type TrendQuery struct {
	// Filter selects the reviews (text and filters); its From and To are
	// the trend's window and must be set.
	Filter   Query
	Interval Interval
	// By splits the reviews into one series per theme or per location.
	By Split
	// Limit keeps the largest series when split (0: 12). Themes or
	// locations named in Filter are always kept.
	Limit int
}

// Series is one line of a trend: a Tally per period.
type Series struct {
	Key    string  `json:"key"`
	Total  Tally   `json:"total"`
	Points []Tally `json:"points"`
}

// Trend is the answer to a TrendQuery.
type Trend struct {
	Interval Interval `json:"interval"`
	Periods  []Period `json:"periods"`
	// Overall has every review the filter selects.
	Overall Series `json:"overall"`
	// Series has one entry per theme or location, largest first, when
	// the query splits.
	Series []Series `json:"series,omitempty"`
	// PerThemeSentiment says whether theme series count the sentiment
	// about each theme (true) or that of the whole review.
	PerThemeSentiment bool `json:"per_theme_sentiment"`
}

// Trends computes the figures of the reviews q selects, per period.
func (x *Index) Trends(ctx context.Context, q TrendQuery) (*Trend, error) {
	if q.Filter.From.IsZero() || q.Filter.To.IsZero() {
		return nil, fmt.Errorf("index: trends need a window (from and to)")
	}
	periods, err := q.Interval.Periods(q.Filter.From, q.Filter.To)
	if err != nil {
		return nil, &QueryError{Query: string(q.Interval), Err: err}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 12
	}
	starts := make([]int64, len(periods))
	for i, p := range periods {
		starts[i] = p.Start.UnixNano()
	}
	bucket := func(ns int64) int {
		return sort.Search(len(starts), func(i int) bool { return starts[i] > ns }) - 1
	}
	perTheme := q.By == SplitTheme && x.HasField(FieldThemeSentiment)
	fields := fPublished | fRatingNorm | fSentiment
	var only map[string]bool
	switch q.By {
	case SplitNone:
	case SplitTheme:
		fields |= fThemes
		if perTheme {
			fields |= fThemeSent
		}
		only = setOf(q.Filter.Themes)
	case SplitLocation:
		fields |= fLocation
		only = setOf(q.Filter.Locations)
	default:
		return nil, &QueryError{Query: string(q.By), Err: fmt.Errorf("unknown split %q (use theme or location)", q.By)}
	}
	out := &Trend{Interval: q.Interval, Periods: periods, PerThemeSentiment: perTheme}
	out.Overall = Series{Key: "all", Points: make([]Tally, len(periods))}
	series := map[string]*Series{}
	get := func(key string) *Series {
		s := series[key]
		if s == nil {
			s = &Series{Key: key, Points: make([]Tally, len(periods))}
			series[key] = s
		}
		return s
	}
	err = x.scan(ctx, q.Filter, fields, func(r *row) {
		b := bucket(r.published)
		if b < 0 {
			return
		}
		out.Overall.Points[b].add(r, r.sentiment)
		switch q.By {
		case SplitTheme:
			for _, t := range r.themes {
				if only == nil || only[t] {
					get(t).Points[b].add(r, r.themeLabel(t, perTheme))
				}
			}
		case SplitLocation:
			if r.location != "" && (only == nil || only[r.location]) {
				get(r.location).Points[b].add(r, r.sentiment)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for _, p := range out.Overall.Points {
		out.Overall.Total.Add(p)
	}
	for _, s := range series {
		for _, p := range s.Points {
			s.Total.Add(p)
		}
		out.Series = append(out.Series, *s)
	}
	sort.Slice(out.Series, func(i, j int) bool {
		a, b := out.Series[i], out.Series[j]
		if a.Total.Count != b.Total.Count {
			return a.Total.Count > b.Total.Count
		}
		return a.Key < b.Key
	})
	if only == nil && len(out.Series) > limit {
		out.Series = out.Series[:limit]
	}
	return out, nil
}

func setOf(values []string) map[string]bool {
	if len(values) == 0 {
		return nil
	}
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// LeaderboardQuery asks for figures per location over a period, compared
// with the period of the same length just before.
type LeaderboardQuery struct {
	// Filter selects the reviews; its From and To are the period and must
	// be set.
	Filter Query
	// Themes is how many negative themes to keep per location (0: 3).
	Themes int
}

// Survey holds the survey answers of a location: NPS from answers on a
// 0-10 scale, CSAT from answers on a 1-5 scale.
type Survey struct {
	NPSAnswers  int `json:"nps_answers"`
	Promoters   int `json:"promoters"`  // 9-10
	Detractors  int `json:"detractors"` // 0-6
	CSATAnswers int `json:"csat_answers"`
	Satisfied   int `json:"satisfied"` // 4-5
}

// NPS is % promoters - % detractors, and false without answers.
func (s Survey) NPS() (float64, bool) {
	if s.NPSAnswers == 0 {
		return 0, false
	}
	return 100 * float64(s.Promoters-s.Detractors) / float64(s.NPSAnswers), true
}

// CSAT is the % of satisfied answers, and false without answers.
func (s Survey) CSAT() (float64, bool) {
	if s.CSATAnswers == 0 {
		return 0, false
	}
	return 100 * float64(s.Satisfied) / float64(s.CSATAnswers), true
}

// Replies holds the owner's replies to a location's reviews, counted over
// the sources where replies are seen at all (a source that never shows a
// reply tells nothing about the owner).
type Replies struct {
	Reviews int `json:"reviews"`
	Replied int `json:"replied"`
	// Hours holds the reply delays, in hours, of replies whose date is
	// known.
	Hours []float64 `json:"-"`
}

// Rate is the share (0..1) of reviews answered, and false when no source
// of the location shows replies.
func (r Replies) Rate() (float64, bool) {
	if r.Reviews == 0 {
		return 0, false
	}
	return float64(r.Replied) / float64(r.Reviews), true
}

// MedianHours is the median reply delay, and false when unknown.
func (r Replies) MedianHours() (float64, bool) {
	if len(r.Hours) == 0 {
		return 0, false
	}
	h := append([]float64(nil), r.Hours...)
	sort.Float64s(h)
	n := len(h)
	if n%2 == 1 {
		return h[n/2], true
	}
	return (h[n/2-1] + h[n/2]) / 2, true
}

// LocationStats is one row of the leaderboard.
type LocationStats struct {
	Location string `json:"location"`
	Current  Tally  `json:"current"`
	Previous Tally  `json:"previous"`
	Survey   Survey `json:"survey"`
	// Replies covers the current period.
	Replies Replies `json:"replies"`
	// NegativeThemes are the themes most often complained about in the
	// current period.
	NegativeThemes []FacetCount `json:"negative_themes"`
}

// Leaderboard is the answer to a LeaderboardQuery.
type Leaderboard struct {
	From, To     time.Time
	PreviousFrom time.Time
	Locations    []LocationStats
	// PerThemeSentiment says whether negative themes count the sentiment
	// about each theme (true) or reviews that are negative overall.
	PerThemeSentiment bool
	// RepliesKnown says whether the index records owner replies.
	RepliesKnown bool
}

// Leaderboard computes figures per location, sorted by location id.
func (x *Index) Leaderboard(ctx context.Context, q LeaderboardQuery) (*Leaderboard, error) {
	from, to := q.Filter.From, q.Filter.To
	if from.IsZero() || to.IsZero() || !to.After(from) {
		return nil, fmt.Errorf("index: the leaderboard needs a period (from before to)")
	}
	nThemes := q.Themes
	if nThemes <= 0 {
		nThemes = 3
	}
	prevFrom := from.Add(-to.Sub(from))
	out := &Leaderboard{From: from, To: to, PreviousFrom: prevFrom,
		PerThemeSentiment: x.HasField(FieldThemeSentiment), RepliesKnown: x.HasField(FieldReplied)}
	fields := fLocation | fSource | fKind | fPublished | fRatingNorm | fRating | fSentiment | fThemes
	if out.PerThemeSentiment {
		fields |= fThemeSent
	}
	if out.RepliesKnown {
		fields |= fReply
	}
	type srcCount struct{ reviews, replied int }
	type acc struct {
		LocationStats
		negThemes map[string]int
		sources   map[string]*srcCount
	}
	locs := map[string]*acc{}
	sourceReplies := map[string]bool{}
	cur := from.UnixNano()
	f := q.Filter
	f.From = prevFrom
	err := x.scan(ctx, f, fields, func(r *row) {
		if r.location == "" {
			return
		}
		a := locs[r.location]
		if a == nil {
			a = &acc{LocationStats: LocationStats{Location: r.location}, negThemes: map[string]int{}, sources: map[string]*srcCount{}}
			locs[r.location] = a
		}
		if r.replied == 1 {
			sourceReplies[r.source] = true
		}
		if r.published < cur {
			a.Previous.add(r, r.sentiment)
			return
		}
		a.Current.add(r, r.sentiment)
		if r.kind == "survey" && r.hasRating && r.hasNorm {
			switch {
			case math.Abs(r.rating/10-r.ratingNorm) < 0.006:
				a.Survey.NPSAnswers++
				if r.rating >= 9 {
					a.Survey.Promoters++
				} else if r.rating <= 6 {
					a.Survey.Detractors++
				}
			case math.Abs((r.rating-1)/4-r.ratingNorm) < 0.006:
				a.Survey.CSATAnswers++
				if r.rating >= 4 {
					a.Survey.Satisfied++
				}
			}
		}
		for _, t := range r.themes {
			if r.themeNegative(t, out.PerThemeSentiment) {
				a.negThemes[t]++
			}
		}
		if r.replied >= 0 {
			sc := a.sources[r.source]
			if sc == nil {
				sc = &srcCount{}
				a.sources[r.source] = sc
			}
			sc.reviews++
			if r.replied == 1 {
				sc.replied++
				if r.hasReplyH {
					a.Replies.Hours = append(a.Replies.Hours, r.replyHours)
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for _, a := range locs {
		for src, sc := range a.sources {
			if sourceReplies[src] {
				a.Replies.Reviews += sc.reviews
				a.Replies.Replied += sc.replied
			}
		}
		a.NegativeThemes = topCounts(a.negThemes, nThemes)
		out.Locations = append(out.Locations, a.LocationStats)
	}
	sort.Slice(out.Locations, func(i, j int) bool { return out.Locations[i].Location < out.Locations[j].Location })
	return out, nil
}

// ChangeQuery asks which locations, and which themes at each location,
// draw more complaints lately than before.
type ChangeQuery struct {
	// Filter selects the reviews; its From and To are ignored.
	Filter Query
	// Now ends the recent window.
	Now time.Time
	// Recent is the recent window (0: 14 days); Baseline the window before
	// it that sets the usual rate (0: 12 weeks).
	Recent, Baseline time.Duration
	// Limit is the number of changes returned (0: 10); MinCount the
	// complaints a change needs in the recent window (0: 3).
	Limit, MinCount int
}

// Change is a location, or a theme at a location, whose complaints rose.
type Change struct {
	Location string `json:"location"`
	// Theme is empty for the location's complaints on every theme.
	Theme string `json:"theme,omitempty"`
	// Recent and RecentNegative count the reviews and complaints of the
	// recent window; Baseline and BaselineNegative those of the window
	// before.
	Recent           int `json:"recent"`
	RecentNegative   int `json:"recent_negative"`
	Baseline         int `json:"baseline"`
	BaselineNegative int `json:"baseline_negative"`
	// Expected is the complaints the recent window would hold at the
	// baseline's rate.
	Expected float64 `json:"expected"`
	// Score measures the surprise: (recent - expected) / sqrt(expected + 1).
	Score float64 `json:"score"`
}

// Changes finds the rises in complaints: a complaint is a review with a
// negative sentiment (about the theme, when the index records it), or a
// review rated 1 or 2 of 5 that is not yet enriched.
func (x *Index) Changes(ctx context.Context, q ChangeQuery) ([]Change, error) {
	if q.Now.IsZero() {
		return nil, fmt.Errorf("index: changes need a time (now)")
	}
	recent, baseline := q.Recent, q.Baseline
	if recent <= 0 {
		recent = 14 * 24 * time.Hour
	}
	if baseline <= 0 {
		baseline = 12 * 7 * 24 * time.Hour
	}
	limit, minCount := q.Limit, q.MinCount
	if limit <= 0 {
		limit = 10
	}
	if minCount <= 0 {
		minCount = 3
	}
	perTheme := x.HasField(FieldThemeSentiment)
	fields := fLocation | fPublished | fRatingNorm | fSentiment | fThemes
	if perTheme {
		fields |= fThemeSent
	}
	f := q.Filter
	f.To = q.Now
	f.From = q.Now.Add(-recent - baseline)
	split := q.Now.Add(-recent).UnixNano()
	type key struct{ loc, theme string }
	type counts struct{ recent, recentNeg, base, baseNeg int }
	m := map[key]*counts{}
	bump := func(k key, isRecent, neg bool) {
		c := m[k]
		if c == nil {
			c = &counts{}
			m[k] = c
		}
		if isRecent {
			c.recent++
			if neg {
				c.recentNeg++
			}
		} else {
			c.base++
			if neg {
				c.baseNeg++
			}
		}
	}
	err := x.scan(ctx, f, fields, func(r *row) {
		if r.location == "" {
			return
		}
		isRecent := r.published >= split
		bump(key{r.location, ""}, isRecent, r.negative())
		for _, t := range r.themes {
			bump(key{r.location, t}, isRecent, r.themeNegative(t, perTheme))
		}
	})
	if err != nil {
		return nil, err
	}
	ratio := recent.Hours() / baseline.Hours()
	var out []Change
	for k, c := range m {
		exp := float64(c.baseNeg) * ratio
		if c.recentNeg < minCount || float64(c.recentNeg) < 2*exp {
			continue
		}
		score := (float64(c.recentNeg) - exp) / math.Sqrt(exp+1)
		if score < 2 {
			continue
		}
		out = append(out, Change{Location: k.loc, Theme: k.theme, Recent: c.recent, RecentNegative: c.recentNeg,
			Baseline: c.base, BaselineNegative: c.baseNeg, Expected: math.Round(exp*100) / 100, Score: math.Round(score*100) / 100})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].Location != out[j].Location {
			return out[i].Location < out[j].Location
		}
		return out[i].Theme < out[j].Theme
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
