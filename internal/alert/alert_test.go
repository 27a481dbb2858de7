package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/metrics"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/server"
)

const testBrands = `
data_dir: .
server: {base_url: "https://vigie.example.com"}
brands:
  - id: acme
    name: Acme
    locations:
      - id: lyon
        name: Acme Lyon
        sources:
          - {id: lyon-site, kind: file, path: x}
      - id: paris
        name: Acme Paris
        sources:
          - {id: paris-site, kind: file, path: x}
          - {id: paris-maps, kind: file, path: x}
`

func testConfig(t testing.TB, alerts string, env map[string]string) *config.Config {
	t.Helper()
	c, err := config.Parse(t.TempDir()+"/vigie.yaml", []byte(testBrands+alerts), simKinds{}, func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var seq int

// rv makes a review: rating in stars, sentiment label, negative themes.
func rv(loc string, at time.Time, stars float64, label string, negThemes ...string) review.Review {
	seq++
	src := loc + "-site"
	r := review.Review{ID: fmt.Sprintf("%s-%d", loc, seq), Brand: "acme", Location: loc, Source: src, PublishedAt: at, Lang: "fr",
		Rating: review.Float(stars), Sentiment: &review.Sentiment{Label: label}, Text: "texte"}
	r.Normalize()
	for _, th := range negThemes {
		r.Themes = append(r.Themes, review.Theme{Name: th, Label: "negative"})
	}
	return r
}

// history feeds days of ordinary reviews at both locations up to end:
// three a day, one in four negative about service.
func history(e *Engine, c *clock, end time.Time, days int) {
	ctx := context.Background()
	for d := days; d >= 1; d-- {
		day := end.Add(-time.Duration(d) * 24 * time.Hour)
		var batch []review.Review
		for i, loc := range []string{"lyon", "paris"} {
			for k := range 3 {
				at := day.Add(time.Duration(9+3*k+i) * time.Hour)
				if (d+k)%4 == 0 {
					batch = append(batch, rv(loc, at, 2, "negative", "service"))
				} else {
					batch = append(batch, rv(loc, at, 5, "positive"))
				}
			}
		}
		c.set(day.Add(23 * time.Hour))
		e.Observe(ctx, batch)
		e.Tick(ctx, c.now())
	}
}

type hookLog struct {
	mu     sync.Mutex
	events []string
	bodies []map[string]any
}

func (h *hookLog) handler(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	h.mu.Lock()
	h.events = append(h.events, r.Header.Get("X-Vigie-Event"))
	h.bodies = append(h.bodies, body)
	h.mu.Unlock()
}

func (h *hookLog) wait(t *testing.T, n int) []string { return h.waitFor(t, n, 5*time.Second) }

// waitFor waits until n notifications arrived, or d passed.
func (h *hookLog) waitFor(t *testing.T, n int, d time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		h.mu.Lock()
		got := append([]string(nil), h.events...)
		h.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func eventTypes(l *eventLog) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		out = append(out, e.Type)
	}
	return out
}

// One incident gives one alert, updated as it grows, resolved when it
// subsides; within the cooldown it reopens, after it a new alert opens.
func TestSpikeLifecycle(t *testing.T) {
	var hooks hookLog
	srv := httptest.NewServer(http.HandlerFunc(hooks.handler))
	defer srv.Close()
	cfg := testConfig(t, `
alerts:
  delivery: {retries: 1, backoff: 10ms, max_backoff: 20ms, timeout: 2s}
  channels:
    - {name: hook, type: webhook, url: "`+srv.URL+`", secret: "${HOOK_SECRET}"}
  rules:
    - name: wait-spike
      kind: negative_spike
      theme: wait
      window: 24h
      baseline: 14d
      cooldown: 2d
      channels: [hook]
`, map[string]string{"HOOK_SECRET": "0123456789abcdef"})
	c := &clock{}
	var log eventLog
	e, err := New(cfg, Options{Now: c.now, OnEvent: log.add, State: NewMemoryState()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.Start(ctx)
	defer e.Close()

	day0 := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC) // a Monday
	history(e, c, day0, 28)
	if as, _ := e.List(ctx, Filter{}); len(as) != 0 {
		t.Fatalf("alerts on ordinary days: %v", as)
	}
	burst := func(start time.Time, n int) {
		for i := range n {
			at := start.Add(time.Duration(i) * 20 * time.Minute)
			c.set(at.Add(5 * time.Minute))
			e.Observe(ctx, []review.Review{rv("lyon", at, 1, "negative", "wait")})
		}
	}
	burst(day0.Add(10*time.Hour), 6)
	as, _ := e.List(ctx, Filter{})
	if len(as) != 1 {
		t.Fatalf("%d alerts after the burst, want 1", len(as))
	}
	first := as[0]
	if first.Location != "lyon" || first.Theme != "wait" || first.Status != StatusOpen || first.Observed < 5 || first.Probability >= 1e-4 {
		t.Fatalf("alert %+v", first)
	}
	if len(first.ReviewIDs) != first.Observed || len(first.Examples) == 0 || !strings.Contains(first.Search, "theme=wait") {
		t.Errorf("review ids %v, examples %d, search %q", first.ReviewIDs, len(first.Examples), first.Search)
	}
	// It grows: one notification of growth, not one per review.
	burst(day0.Add(14*time.Hour), 6)
	if as, _ = e.List(ctx, Filter{}); len(as) != 1 || as[0].ID != first.ID || as[0].Observed < 11 {
		t.Fatalf("after growth: %+v", as)
	}
	// It subsides.
	c.set(day0.Add(2*24*time.Hour + 12*time.Hour))
	e.Tick(ctx, c.now())
	a, _ := e.Get(first.ID)
	if a.Status != StatusResolved || a.ResolvedBy != "auto" {
		t.Fatalf("status %s by %q two days later, want resolved by auto", a.Status, a.ResolvedBy)
	}
	// Twelve complaints: opened at the fifth, notified again as the count
	// grows by half (8, 12), resolved.
	got := hooks.wait(t, 4)
	if !slices.Equal(got, []string{"opened", "updated", "updated", "resolved"}) {
		t.Errorf("notifications %v, want opened, updated, updated, resolved", got)
	}
	// Again within the cooldown: the same alert reopens (no new alert).
	// The first burst is now in the baseline: it takes more to stand out.
	burst(day0.Add(3*24*time.Hour), 12)
	if as, _ = e.List(ctx, Filter{}); len(as) != 1 || as[0].ID != first.ID || as[0].Status != StatusOpen {
		t.Fatalf("within the cooldown: %+v", as)
	}
	c.set(day0.Add(5 * 24 * time.Hour))
	e.Tick(ctx, c.now())
	// After the cooldown (and once the bursts left the baseline): a new
	// incident, a new alert.
	history(e, c, day0.Add(20*24*time.Hour), 14)
	burst(day0.Add(20*24*time.Hour), 6)
	as, _ = e.List(ctx, Filter{})
	if len(as) != 2 || as[0].ID == first.ID || as[0].Status != StatusOpen {
		t.Fatalf("after the cooldown: %+v", as)
	}
	types := eventTypes(&log)
	if n := len(log.ofType(EventOpened)); n != 2 {
		t.Errorf("events %v: want 2 openings", types)
	}
	if !slices.Contains(types, EventReopened) {
		t.Errorf("events %v: want a reopening", types)
	}
	got = hooks.wait(t, 6)
	if len(got) < 6 || got[len(got)-1] != "opened" {
		t.Errorf("notifications %v", got)
	}
	// Deliveries show in the alert.
	a, _ = e.Get(first.ID)
	if len(a.Deliveries) != 1 || a.Deliveries[0].Status != "delivered" {
		t.Errorf("deliveries %+v", a.Deliveries)
	}
}

// Complaints about several themes and the location-wide count rising
// together are one incident: one alert.
func TestOneIncidentOneAlert(t *testing.T) {
	cfg := testConfig(t, "\n"+DefaultRulesYAML, nil)
	c := &clock{}
	e, _ := New(cfg, Options{Now: c.now})
	ctx := context.Background()
	day0 := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	history(e, c, day0, 60)
	for i := range 10 {
		at := day0.Add(10*time.Hour + time.Duration(i)*30*time.Minute)
		c.set(at.Add(time.Minute))
		e.Observe(ctx, []review.Review{rv("paris", at, 1, "negative", "wait", "service", "payment")})
	}
	as, _ := e.List(ctx, Filter{})
	if len(as) != 1 {
		for _, a := range as {
			t.Logf("%s %s %q %v", a.Rule, a.Location, a.Theme, a.Themes)
		}
		t.Fatalf("%d alerts, want 1", len(as))
	}
	a := as[0]
	if a.Location != "paris" || len(a.Themes) < 2 || len(a.Rules) < 2 {
		t.Errorf("alert on %q, themes %v, rules %v: want the themes and rules gathered", a.Theme, a.Themes, a.Rules)
	}
}

func TestKeywordThreeLanguages(t *testing.T) {
	cfg := testConfig(t, `
alerts:
  rules:
    - name: critical
      kind: keyword
      phrases: ["fuite de gaz", "утечка газа", "gas leak"]
`, nil)
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e, _ := New(cfg, Options{Now: c.now})
	ctx := context.Background()
	now := c.now()
	mk := func(loc, lang, text string, ago time.Duration) review.Review {
		r := rv(loc, now.Add(-ago), 1, "negative")
		r.Lang, r.Text = lang, text
		return r
	}
	e.Observe(ctx, []review.Review{
		mk("lyon", "fr", "Toute la famille a eu une intoxication alimentaire après le brunch.", time.Hour),
		mk("lyon", "ru", "После обеда я отравился, всю ночь было плохо.", 2*time.Hour),                // the same incident, in Russian
		mk("paris", "en", "We saw a RAT running under the counter!", time.Hour),                       // vermin
		mk("paris", "ru", "В зале видели крысу, ужас.", 3*time.Hour),                                  // vermin, Russian inflection
		mk("paris", "fr", "Le serveur a tenu des propos racistes envers mon ami.", time.Hour),         // discrimination
		mk("paris", "en", "Smelled a gas leak near the kitchen.", time.Hour),                          // a user phrase
		mk("lyon", "fr", "Aucune intoxication alimentaire, contrairement à ce qu'on lit.", time.Hour), // negated
		mk("lyon", "en", "No rats, no cockroaches, very clean place.", time.Hour),                     // negated
		mk("lyon", "fr", "Gâteau raté mais personnel adorable.", time.Hour),                           // raté is not rat
		mk("lyon", "fr", "1,90 € le croissant c'est du vol.", time.Hour),                              // an idiom about price
		mk("lyon", "en", "I got food poisoning here last year.", 40*24*time.Hour),                     // too old to be news
	})
	as, _ := e.List(ctx, Filter{})
	got := map[string]Alert{}
	for _, a := range as {
		got[a.Location+"/"+strings.SplitN(a.Title, " mentioned", 2)[0]] = a
	}
	want := map[string]int{"lyon/Food poisoning": 2, "paris/Vermin": 2, "paris/Discrimination": 1, "paris/Gas leak": 1}
	for k, n := range want {
		a, ok := got[k]
		if !ok {
			t.Errorf("no alert %s", k)
			continue
		}
		if a.Observed != n || len(a.ReviewIDs) != n || a.Severity != "critical" || a.Kind != "keyword" {
			t.Errorf("%s: observed %d, ids %v, severity %s, kind %s; want %d reviews, critical", k, a.Observed, a.ReviewIDs, a.Severity, a.Kind, n)
		}
	}
	if len(as) != len(want) {
		for _, a := range as {
			t.Logf("%s: %s (%v)", a.Location, a.Title, a.ReviewIDs)
		}
		t.Errorf("%d alerts, want %d", len(as), len(want))
	}
}

func TestMatcher(t *testing.T) {
	m := newMatcher(nil, true, []string{"theft"})
	for _, tt := range []struct {
		text, lang, want string
	}{
		{"Intoxication alimentaire garantie", "fr", "food poisoning"},
		{"je suis tombée malade après le repas, intoxiquée", "fr", "food poisoning"},
		{"отравление после шаурмы", "ru", "food poisoning"},
		{"Отравились всей семьёй", "ru", "food poisoning"},
		{"Two of us got food poisoning", "en", "food poisoning"},
		{"des cafards dans la salle", "fr", "vermin"},
		{"тараканы бегают по столам", "ru", "vermin"},
		{"cockroaches everywhere", "en", "vermin"},
		{"racisme ordinaire du vigile", "fr", "discrimination"},
		{"расистские шутки персонала", "ru", "discrimination"},
		{"the manager was openly racist", "en", "discrimination"},
		{"Un café frappé délicieux", "fr", ""},
		{"on m'a volé mon portefeuille", "fr", ""}, // theft excluded in this matcher
		{"не отравились, всё свежее", "ru", ""},
		{"Never got food poisoning here", "en", ""},
		{"food poisoning", "und", "food poisoning"}, // unknown language: every language is tried
	} {
		var got string
		if ms := m.match(tt.text, tt.lang); len(ms) > 0 {
			got = ms[0].Category
		}
		if got != tt.want {
			t.Errorf("%q (%s): %q, want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestReviewRule(t *testing.T) {
	cfg := testConfig(t, `
alerts:
  rules:
    - name: low-rating
      kind: review
      max_rating: 2
      sentiments: [negative, mixed]
      scope: {sources: [paris-maps]}
`, nil)
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e, _ := New(cfg, Options{Now: c.now})
	ctx := context.Background()
	now := c.now()
	low := rv("paris", now.Add(-time.Hour), 1, "negative")
	low.Source = "paris-maps"
	low.Text = "Service exécrable, plus jamais."
	high := rv("paris", now.Add(-time.Hour), 4, "positive")
	high.Source = "paris-maps"
	other := rv("paris", now.Add(-time.Hour), 1, "negative") // paris-site: out of scope
	old := rv("paris", now.Add(-10*24*time.Hour), 1, "negative")
	old.Source = "paris-maps"
	e.Observe(ctx, []review.Review{low, high, other, old})
	edited := low
	edited.Text = "Service exécrable, plus jamais. EDIT: toujours pas de réponse."
	e.Observe(ctx, []review.Review{edited})
	as, _ := e.List(ctx, Filter{Kind: []string{"review"}})
	if len(as) != 1 {
		t.Fatalf("%d review notifications, want 1: %+v", len(as), as)
	}
	a := as[0]
	if a.ReviewIDs[0] != low.ID || a.Status != StatusResolved || a.Title != "New 1★ review at Acme Paris" || !strings.Contains(a.Summary, "exécrable") {
		t.Errorf("alert %+v", a)
	}
}

func TestSourceHealth(t *testing.T) {
	cfg := testConfig(t, `
alerts:
  rules:
    - name: health
      kind: source_health
      failing_for: 24h
`, nil)
	c := &clock{t: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	e, _ := New(cfg, Options{Now: c.now})
	ctx := context.Background()
	run := func(src string, failed bool, found int) {
		now := c.now()
		e.ObserveRun(ctx, SourceRun{Source: src, Start: now, End: now.Add(time.Minute), OK: !failed, Failed: failed, Err: map[bool]string{true: "HTTP 503"}[failed], Pages: 1, Found: found})
	}
	run("lyon-site", false, 20)
	run("lyon-site", true, 0)
	c.set(c.now().Add(6 * time.Hour))
	run("lyon-site", true, 0)
	if as, _ := e.List(ctx, Filter{}); len(as) != 0 {
		t.Fatalf("alert after 6 hours of failures: %+v", as)
	}
	c.set(c.now().Add(20 * time.Hour))
	e.Tick(ctx, c.now()) // no run (back-off), but time passed
	as, _ := e.List(ctx, Filter{Status: []string{StatusOpen}})
	if len(as) != 1 || as[0].Source != "lyon-site" || as[0].Location != "lyon" || !strings.Contains(as[0].Summary, "HTTP 503") {
		t.Fatalf("alerts %+v, want lyon-site failing", as)
	}
	run("lyon-site", false, 20)
	if as, _ := e.List(ctx, Filter{Status: []string{StatusOpen}}); len(as) != 0 {
		t.Fatalf("still open after a success: %+v", as)
	}
	// A run that finds nothing where the last found reviews.
	run("paris-site", false, 35)
	run("paris-site", false, 0)
	as, _ = e.List(ctx, Filter{Status: []string{StatusOpen}})
	if len(as) != 1 || as[0].Source != "paris-site" || !strings.Contains(as[0].Title, "found no reviews") {
		t.Fatalf("alerts %+v, want paris-site empty", as)
	}
	run("paris-site", false, 34)
	if as, _ := e.List(ctx, Filter{Status: []string{StatusOpen}}); len(as) != 0 {
		t.Fatalf("still open after reviews came back: %+v", as)
	}
}

// A source that used to bring reviews every day and brings none for a
// week.
func TestSourceSilent(t *testing.T) {
	cfg := testConfig(t, `
alerts:
  rules:
    - name: health
      kind: source_health
      silent_for: 7d
`, nil)
	c := &clock{}
	e, _ := New(cfg, Options{Now: c.now})
	day0 := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	history(e, c, day0, 40)
	ctx := context.Background()
	// Lyon goes on, Paris's site stops.
	for d := range 8 {
		at := day0.Add(time.Duration(d)*24*time.Hour + 10*time.Hour)
		c.set(at)
		e.Observe(ctx, []review.Review{rv("lyon", at, 5, "positive")})
		e.Tick(ctx, at)
	}
	as, _ := e.List(ctx, Filter{Kind: []string{"source_health"}})
	if len(as) != 1 || as[0].Source != "paris-site" || !strings.Contains(as[0].Title, "went silent") || as[0].Probability >= 1e-4 {
		t.Fatalf("alerts %+v, want paris-site silent", as)
	}
}

func TestDigest(t *testing.T) {
	var hooks hookLog
	srv := httptest.NewServer(http.HandlerFunc(hooks.handler))
	defer srv.Close()
	cfg := testConfig(t, `
alerts:
  timezone: Europe/Paris
  delivery: {backoff: 10ms, max_backoff: 20ms}
  channels:
    - {name: managers, type: webhook, url: "`+srv.URL+`", digest: daily, immediate: false}
  rules:
    - {name: critical, kind: keyword, channels: [managers]}
`, nil)
	c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	e, _ := New(cfg, Options{Now: c.now})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.Start(ctx)
	defer e.Close()
	e.Tick(ctx, c.now()) // the first period starts
	c.set(c.now().Add(time.Minute))
	r := rv("lyon", c.now().Add(-time.Hour), 1, "negative")
	r.Text = "Intoxication alimentaire pour toute la table."
	e.Observe(ctx, []review.Review{r})
	if got := hooks.waitFor(t, 1, 200*time.Millisecond); len(got) != 0 {
		t.Fatalf("immediate notifications %v to a digest-only channel", got)
	}
	c.set(time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC)) // 07:00 in Paris: not yet
	e.Tick(ctx, c.now())
	c.set(time.Date(2026, 3, 3, 7, 5, 0, 0, time.UTC)) // 08:05 in Paris
	e.Tick(ctx, c.now())
	got := hooks.wait(t, 1)
	if len(got) != 1 || got[0] != "digest" {
		t.Fatalf("notifications %v, want one digest", got)
	}
	hooks.mu.Lock()
	body := hooks.bodies[0]
	hooks.mu.Unlock()
	d, _ := body["digest"].(map[string]any)
	opened, _ := d["opened"].([]any)
	if len(opened) != 1 || d["open"] != float64(1) || !strings.Contains(fmt.Sprint(opened[0]), "Food poisoning mentioned at Acme Lyon") {
		t.Fatalf("digest %v", d)
	}
	// The next day: nothing new, nothing sent.
	c.set(time.Date(2026, 3, 4, 7, 5, 0, 0, time.UTC))
	e.Tick(ctx, c.now())
	if got := hooks.waitFor(t, 2, 200*time.Millisecond); len(got) != 1 {
		t.Errorf("notifications %v: an empty digest was sent", got)
	}
	dg := e.Digest("managers", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), c.now())
	if len(dg.Opened) != 1 || dg.Opened[0].LocationName != "Acme Lyon" || dg.URL != "https://vigie.example.com/alerts" {
		t.Errorf("digest %+v", dg)
	}
}

// Alerts, history and undelivered notifications survive a restart.
func TestPersistence(t *testing.T) {
	var hooks hookLog
	srv := httptest.NewServer(http.HandlerFunc(hooks.handler))
	defer srv.Close()
	cfg := testConfig(t, `
alerts:
  channels:
    - {name: hook, type: webhook, url: "`+srv.URL+`"}
  rules:
    - {name: wait-spike, kind: negative_spike, theme: wait, baseline: 14d, channels: [hook]}
`, nil)
	st := NewMemoryState()
	c := &clock{}
	e1, _ := New(cfg, Options{Now: c.now, State: st})
	day0 := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	history(e1, c, day0, 20)
	ctx := context.Background()
	for i := range 6 {
		at := day0.Add(10*time.Hour + time.Duration(i)*10*time.Minute)
		c.set(at)
		e1.Observe(ctx, []review.Review{rv("lyon", at, 1, "negative", "wait")})
	}
	if err := e1.Close(); err != nil { // never started: the notification waits in the outbox
		t.Fatal(err)
	}
	if len(st.Keys("o/")) != 1 || len(st.Keys("a/")) != 1 || len(st.Keys("h/")) != 2 {
		t.Fatalf("state keys: outbox %v, alerts %v, history %v", st.Keys("o/"), st.Keys("a/"), st.Keys("h/"))
	}
	e2, err := New(cfg, Options{Now: c.now, State: st})
	if err != nil {
		t.Fatal(err)
	}
	as, _ := e2.List(ctx, Filter{})
	if len(as) != 1 || as[0].Theme != "wait" {
		t.Fatalf("alerts after restart: %+v", as)
	}
	// The history came back: more complaints grow the same alert.
	for i := range 6 {
		at := day0.Add(12*time.Hour + time.Duration(i)*10*time.Minute)
		c.set(at)
		e2.Observe(ctx, []review.Review{rv("lyon", at, 1, "negative", "wait")})
	}
	if a, _ := e2.Get(as[0].ID); a.Observed < 12 {
		t.Errorf("observed %d after restart, want the history kept", a.Observed)
	}
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	e2.Start(ctx2)
	defer e2.Close()
	dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
	defer dcancel()
	if err := e2.Drain(dctx); err != nil {
		t.Fatal(err)
	}
	if got := hooks.wait(t, 2); len(got) < 2 || got[0] != "opened" {
		t.Errorf("notifications after restart %v, want the queued opening delivered", got)
	}
}

func TestHTTP(t *testing.T) {
	cfg := testConfig(t, "\n"+DefaultRulesYAML, nil)
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e, _ := New(cfg, Options{Now: c.now})
	ctx := context.Background()
	r := rv("lyon", c.now().Add(-time.Hour), 1, "negative")
	r.Text = "Intoxication alimentaire."
	e.Observe(ctx, []review.Review{r})
	const token = "0123456789abcdef-token"
	srv := server.New(config.Server{Addr: "127.0.0.1:0", Tokens: []string{token}}, nil)
	Register(srv, e)
	h := srv.Handler()
	do := func(method, target, tok, body string) (int, map[string]any) {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var out map[string]any
		json.Unmarshal(w.Body.Bytes(), &out)
		return w.Code, out
	}
	if code, _ := do("GET", "/api/alerts", "", ""); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d", code)
	}
	code, out := do("GET", "/api/alerts?status=open&location=lyon&kind=keyword", token, "")
	list, _ := out["alerts"].([]any)
	if code != 200 || len(list) != 1 {
		t.Fatalf("GET /api/alerts: %d %v", code, out)
	}
	a := list[0].(map[string]any)
	for _, k := range []string{"id", "rule", "kind", "severity", "status", "brand", "location", "theme", "opened_at", "updated_at", "observed", "expected", "probability", "review_ids"} {
		if _, ok := a[k]; !ok && k != "theme" {
			t.Errorf("the alert lacks %q: %v", k, a)
		}
	}
	id := a["id"].(string)
	if _, out := do("GET", "/api/alerts?kind=negative_spike", token, ""); len(out["alerts"].([]any)) != 0 {
		t.Errorf("kind filter: %v", out)
	}
	if code, out := do("GET", "/api/alerts?status=closed", token, ""); code != 400 || !strings.Contains(fmt.Sprint(out), "unknown status") {
		t.Errorf("bad status: %d %v", code, out)
	}
	if code, _ := do("GET", "/api/alerts?location=nowhere", token, ""); code != 400 {
		t.Errorf("unknown location: %d", code)
	}
	if code, _ := do("POST", "/api/alerts/"+id+"/acknowledge", "", ""); code != http.StatusUnauthorized {
		t.Errorf("acknowledge without a token: %d", code)
	}
	code, out = do("POST", "/api/alerts/"+id+"/acknowledge", token, `{"by": "marie"}`)
	if al := out["alert"].(map[string]any); code != 200 || al["status"] != "acknowledged" || al["acknowledged_by"] != "marie" {
		t.Errorf("acknowledge: %d %v", code, out)
	}
	code, out = do("POST", "/api/alerts/"+id+"/resolve", token, "")
	if al := out["alert"].(map[string]any); code != 200 || al["status"] != "resolved" {
		t.Errorf("resolve: %d %v", code, out)
	}
	if code, _ := do("POST", "/api/alerts/nope/resolve", token, ""); code != 404 {
		t.Errorf("unknown alert: %d", code)
	}
	// Without tokens configured, the server refuses every change.
	open := server.New(config.Server{Addr: "127.0.0.1:0"}, nil)
	Register(open, e)
	req := httptest.NewRequest("POST", "/api/alerts/"+id+"/acknowledge", nil)
	w := httptest.NewRecorder()
	open.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusForbidden {
		t.Errorf("a change without tokens configured: %d", w.Code)
	}
}

// A channel that hangs does not slow ingestion; failures are counted in
// /metrics and shown in the alert; secrets stay out of the logs.
func TestDeliveryNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer slow.Close()
	defer close(release)
	const secret = "hook-secret-never-logged"
	cfg := testConfig(t, `
alerts:
  delivery: {retries: 1, backoff: 10ms, max_backoff: 20ms, timeout: 300ms}
  channels:
    - {name: hook, type: webhook, url: "`+slow.URL+`/hooks/token-in-path-never-logged", secret: "`+secret+`"}
  rules:
    - {name: critical, kind: keyword, channels: [hook]}
`, nil)
	var logs bytes.Buffer
	var logMu sync.Mutex
	reg := metrics.NewRegistry()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e, _ := New(cfg, Options{Now: c.now, Metrics: reg, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.Start(ctx)
	defer e.Close()
	start := time.Now()
	for i := range 3 {
		r := rv("lyon", c.now().Add(-time.Hour), 1, "negative")
		r.Text = fmt.Sprintf("Intoxication alimentaire n°%d.", i)
		e.Observe(ctx, []review.Review{r})
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("3 batches took %s with a hanging channel", d)
	}
	deadline := time.Now().Add(10 * time.Second)
	var a Alert
	for time.Now().Before(deadline) {
		as, _ := e.List(ctx, Filter{})
		if len(as) == 1 && len(as[0].Deliveries) == 1 && as[0].Deliveries[0].Status == "failed" && e.Pending() == 0 {
			a = as[0]
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(a.Deliveries) != 1 || a.Deliveries[0].LastError == "" {
		t.Fatalf("deliveries %+v, want the failure shown", a.Deliveries)
	}
	var m bytes.Buffer
	reg.WriteText(&m)
	for _, want := range []string{`vigie_alert_deliveries_total{channel="hook",outcome="failed"}`, `vigie_alert_deliveries_total{channel="hook",outcome="retrying"}`,
		`vigie_alerts_open{kind="keyword",severity="critical"} 1`, `vigie_alert_channel_failing{channel="hook"} 1`, "vigie_alert_delivery_queue"} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, m.String())
		}
	}
	logMu.Lock()
	out := logs.String()
	logMu.Unlock()
	if !strings.Contains(out, "alert notification") {
		t.Errorf("no log of the failures:\n%s", out)
	}
	for _, s := range []string{secret, "token-in-path-never-logged"} {
		if strings.Contains(out, s) || strings.Contains(a.Deliveries[0].LastError, s) {
			t.Errorf("a secret (%s) leaked:\n%s\n%s", s, out, a.Deliveries[0].LastError)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestStats(t *testing.T) {
	// Against direct sums of the pmf.
	pois := func(k int, mu float64) float64 {
		s, p := 0.0, 0.0
		for j := 0; j < 400; j++ {
			if j == 0 {
				p = exp(-mu)
			} else {
				p *= mu / float64(j)
			}
			if j >= k {
				s += p
			}
		}
		return s
	}
	for _, c := range []struct {
		k  int
		mu float64
	}{{1, 0.5}, {5, 0.3}, {10, 2}, {3, 3}, {40, 20}, {15, 0.1}} {
		got, want := PoissonTail(c.k, c.mu), pois(c.k, c.mu)
		if rel(got, want) > 1e-9 {
			t.Errorf("PoissonTail(%d, %g) = %g, want %g", c.k, c.mu, got, want)
		}
	}
	nb := func(k int, mu, r float64) float64 {
		p := r / (r + mu)
		s := 0.0
		lp := r * log(p)
		for j := 0; j < 3000; j++ {
			if j > 0 {
				lp += log((float64(j)+r-1)/float64(j)) + log(1-p)
			}
			if j >= k {
				s += exp(lp)
			}
		}
		return s
	}
	for _, c := range []struct {
		k     int
		mu, r float64
	}{{5, 0.3, 2}, {8, 1.5, 9}, {3, 0.05, 0.02}, {20, 5, 1}} {
		got, want := NegBinomialTail(c.k, c.mu, c.r), nb(c.k, c.mu, c.r)
		if rel(got, want) > 1e-6 {
			t.Errorf("NegBinomialTail(%d, %g, %g) = %g, want %g", c.k, c.mu, c.r, got, want)
		}
	}
	if p := NegBinomialTail(5, 0.3, 1e12); rel(p, PoissonTail(5, 0.3)) > 1e-9 {
		t.Errorf("a huge shape is a Poisson: %g", p)
	}
	// Beta-binomial with a=b=1 is uniform on 0..n.
	if p := BetaBinomialTail(7, 9, 1, 1); rel(p, 3.0/10) > 1e-9 {
		t.Errorf("BetaBinomialTail(7, 9, 1, 1) = %g, want 0.3", p)
	}
	if p := PoissonTail(60, 0.5); p <= 0 || p > 1e-80 {
		t.Errorf("tiny tails stay accurate: %g", p)
	}
}

func rel(a, b float64) float64 {
	if a == b {
		return 0
	}
	return abs64(a-b) / max(abs64(a), abs64(b))
}

func abs64(x float64) float64 { return math.Abs(x) }
func exp(x float64) float64   { return math.Exp(x) }
func log(x float64) float64   { return math.Log(x) }
