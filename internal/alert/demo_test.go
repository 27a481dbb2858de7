package alert

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	_ "github.com/vigie-dev/vigie/connectors/all"
	"github.com/vigie-dev/vigie/internal/demo"
	"github.com/vigie-dev/vigie/internal/demo/brand"
	"github.com/vigie-dev/vigie/internal/enrich"
	"github.com/vigie-dev/vigie/internal/review"
)

// demoRecord is a line of internal/demo/data/reviews.jsonl.
type demoRecord struct {
	ID       string   `json:"id"`
	Location string   `json:"location"`
	DaysAgo  int      `json:"days_ago"`
	Time     string   `json:"time"`
	Author   string   `json:"author"`
	Rating   int      `json:"rating"`
	Title    string   `json:"title"`
	Text     string   `json:"text"`
	Lang     string   `json:"lang"`
	Themes   []string `json:"themes"`
}

// demoEpoch is a Sunday evening: every demo review is then published
// exactly days_ago days before it (see internal/demo/dates.go).
var demoEpoch = time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC)

// demoReviews returns the demo brand's reviews, enriched by the real
// enricher, in publication order, with their answer keys by id.
var demoReviews = sync.OnceValues(func() ([]review.Review, map[string]demoRecord) {
	f, err := os.Open("../demo/data/reviews.jsonl")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	tz := map[string]*time.Location{}
	for _, l := range brand.Locations() {
		loc, err := time.LoadLocation(l.TZ)
		if err != nil {
			panic(err)
		}
		tz[l.ID] = loc
	}
	en, err := enrich.New(config.Enrichment{})
	if err != nil {
		panic(err)
	}
	brandID, _ := demo.Brand()
	var out []review.Review
	keys := map[string]demoRecord{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var d demoRecord
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			panic(err)
		}
		loc := tz[d.Location]
		e := demoEpoch.In(loc)
		h, _ := strconv.Atoi(d.Time[:2])
		m, _ := strconv.Atoi(d.Time[3:])
		pub := time.Date(e.Year(), e.Month(), e.Day()-d.DaysAgo, h, m, 0, 0, loc)
		if pub.After(demoEpoch) {
			pub = pub.AddDate(0, 0, -7)
		}
		rating := float64(d.Rating)
		r := review.Review{
			ID: d.ID, Brand: brandID, Location: d.Location, Source: d.Location + "-site", Kind: review.KindReview,
			Author: d.Author, Rating: &rating, Title: d.Title, Text: d.Text, PublishedAt: pub, Lang: d.Lang,
			URL: "http://127.0.0.1:8089/locations/" + d.Location + "/reviews#" + d.ID,
		}
		r.Normalize()
		en.Enrich(&r)
		out = append(out, r)
		keys[d.ID] = d
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PublishedAt.Before(out[j].PublishedAt) })
	return out, keys
})

// demoConfig is the demo's configuration with alerts appended.
func demoConfig(t testing.TB, alerts string) *config.Config {
	t.Helper()
	data := string(demo.ConfigYAML("http://127.0.0.1:8089")) + alerts
	c, err := config.Parse(t.TempDir()+"/vigie.yaml", []byte(data), connectors.Default, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// exampleAlerts returns the alerts section of config/example.yaml.
func exampleAlerts(t testing.TB) string {
	b, err := os.ReadFile("../../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\nalerts:\n")
	if i < 0 {
		t.Fatal("config/example.yaml has no alerts section")
	}
	s = s[i+1:]
	// Up to the next top-level key.
	lines := strings.SplitAfter(s, "\n")
	out := lines[0]
	for _, l := range lines[1:] {
		if l != "" && l[0] != ' ' && l[0] != '#' && l[0] != '\n' {
			break
		}
		out += l
	}
	return "\n" + out
}

type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) ofType(typ string) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, e := range l.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// replayDemo ingests the demo's reviews in publication order, in hourly
// batches (a crawl every hour), with a simulated clock, and ticks every
// hour.
func replayDemo(t testing.TB, cfg *config.Config, log *eventLog) *Engine {
	reviews, _ := demoReviews()
	var now time.Time
	e, err := New(cfg, Options{Now: func() time.Time { return now }, OnEvent: log.add, State: NewMemoryState()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := reviews[0].PublishedAt.Truncate(time.Hour)
	i := 0
	for h := start; !h.After(demoEpoch); h = h.Add(time.Hour) {
		now = h.Add(time.Hour + 5*time.Minute)
		if now.After(demoEpoch) {
			now = demoEpoch
		}
		j := i
		for j < len(reviews) && reviews[j].PublishedAt.Before(h.Add(time.Hour)) {
			j++
		}
		if j > i {
			e.Observe(ctx, reviews[i:j])
			i = j
		}
		e.Tick(ctx, now)
	}
	return e
}

// The demo's planted burst of complaints about waiting at Lyon Part-Dieu
// gives exactly one alert, on theme wait, and the default rules raise no
// other statistical alert on the demo's 18 months.
func TestDemoBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("enriches 2,761 reviews")
	}
	var log eventLog
	cfg := demoConfig(t, exampleAlerts(t))
	e := replayDemo(t, cfg, &log)
	all, _ := e.List(context.Background(), Filter{})
	var spikes []Alert
	for _, a := range all {
		t.Logf("%s %s %s at %s theme %q: %d vs %.2f p=%.2g opened %s status %s rules %v: %s", a.ID, a.Kind, a.Rule, a.Location, a.Theme,
			a.Observed, a.Expected, a.Probability, a.OpenedAt.Format(time.DateTime), a.Status, a.Rules, a.Summary)
		if isStatistical(a.Kind) {
			spikes = append(spikes, a)
		}
	}
	if len(spikes) != 1 {
		t.Fatalf("%d statistical alerts, want exactly 1 (the burst at lyon-part-dieu)", len(spikes))
	}
	a := spikes[0]
	if a.Location != "lyon-part-dieu" || a.Theme != "wait" || a.Kind != "negative_spike" {
		t.Errorf("alert at %s on %q (%s), want lyon-part-dieu on wait (negative_spike)", a.Location, a.Theme, a.Kind)
	}
	if a.Status != StatusOpen {
		t.Errorf("status %s: the burst is still going at the end of the data", a.Status)
	}
	if demoEpoch.Sub(a.OpenedAt) > 14*24*time.Hour {
		t.Errorf("opened %s, before the burst (the last 14 days)", a.OpenedAt)
	}
	if len(a.Examples) == 0 || len(a.ReviewIDs) < 5 {
		t.Errorf("examples %d, review ids %d: want the reviews behind the alert", len(a.Examples), len(a.ReviewIDs))
	}
	for _, ev := range log.ofType(EventOpened) {
		if isStatistical(ev.Alert.Kind) {
			t.Logf("opened %s (%s before the end of the data) by %s: %d vs %.2f expected, probability %.2g", ev.At.UTC(), demoEpoch.Sub(ev.At),
				ev.Rule, ev.Alert.Observed, ev.Alert.Expected, ev.Alert.Probability)
		}
	}
	t.Logf("now: %d vs %.2f (p %.2g), themes %v, rules %v, %d notifications of growth", a.Observed, a.Expected, a.Probability, a.Themes, a.Rules, len(log.ofType(EventGrown)))
}

// The same, as `vigie demo` delivers it: the first crawl brings 18 months
// at once, each location's pages newest first, several locations at a
// time. The history is complete only once a location's last pages came:
// the engine waits for it, and the result is the same single alert.
func TestDemoFirstCrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("enriches 2,761 reviews")
	}
	reviews, _ := demoReviews()
	byLoc := map[string][]review.Review{}
	var order []string
	for i := len(reviews) - 1; i >= 0; i-- { // newest first
		r := reviews[i]
		if byLoc[r.Location] == nil {
			order = append(order, r.Location)
		}
		byLoc[r.Location] = append(byLoc[r.Location], r)
	}
	sort.Strings(order)
	var log eventLog
	now := demoEpoch.Add(10 * time.Minute)
	e, err := New(demoConfig(t, exampleAlerts(t)), Options{Now: func() time.Time { return now }, OnEvent: log.add})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Four sources at a time, a page of 20 each in turn.
	for len(order) > 0 {
		n := min(4, len(order))
		for _, loc := range order[:n] {
			page := byLoc[loc][:min(demo.PageSize, len(byLoc[loc]))]
			byLoc[loc] = byLoc[loc][len(page):]
			e.Observe(ctx, page)
			now = now.Add(300 * time.Millisecond)
		}
		var rest []string
		for _, loc := range order {
			if len(byLoc[loc]) > 0 {
				rest = append(rest, loc)
			}
		}
		order = rest
	}
	now = now.Add(15 * time.Minute)
	e.Tick(ctx, now)
	all, _ := e.List(ctx, Filter{})
	var stat []Alert
	for _, a := range all {
		t.Logf("%s %s at %s on %q: %s", a.Kind, a.Rule, a.Location, a.Theme, a.Summary)
		if isStatistical(a.Kind) {
			stat = append(stat, a)
		}
	}
	if len(stat) != 1 || stat[0].Location != "lyon-part-dieu" || stat[0].Theme != "wait" {
		t.Fatalf("%d statistical alerts, want 1 at lyon-part-dieu on wait", len(stat))
	}
}

// config/example.yaml ships the rules of DefaultRulesYAML (which the
// simulation measures), with channels and a few additions.
func TestExampleMatchesDefaults(t *testing.T) {
	def := demoConfig(t, DefaultRulesYAML).Alerts
	ex := demoConfig(t, exampleAlerts(t)).Alerts
	for _, r := range def.Rules {
		got, ok := ex.Rule(r.Name)
		if !ok {
			t.Errorf("config/example.yaml lacks rule %s", r.Name)
			continue
		}
		got.Channels, got.Phrases = r.Channels, r.Phrases
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(got)
		if string(a) != string(b) {
			t.Errorf("rule %s differs:\n default %s\n example %s", r.Name, a, b)
		}
	}
}
