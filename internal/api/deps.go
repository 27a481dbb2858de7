// Package api is Vigie's read-only JSON API: search with facets, trends,
// the location leaderboard, review details and exports, documented in
// openapi.json (served at /api/openapi.json). It uses the standard
// library's net/http only; authentication and security headers are the
// server's middleware's job.
package api

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/review"
)

// Index is what the API reads: *index.Index implements it.
type Index interface {
	Find(ctx context.Context, q index.Query, now time.Time, facetSize int) (*index.Result, *index.Facets, error)
	Get(id string) (review.Review, bool, error)
	Trends(ctx context.Context, q index.TrendQuery) (*index.Trend, error)
	Leaderboard(ctx context.Context, q index.LeaderboardQuery) (*index.Leaderboard, error)
	Changes(ctx context.Context, q index.ChangeQuery) ([]index.Change, error)
	Each(ctx context.Context, q index.Query, fn func(review.Review) error) error
}

// SourceHealth is the state of one source, as the scheduler knows it.
type SourceHealth struct {
	Source   string `json:"source"`
	Kind     string `json:"kind"`
	Brand    string `json:"brand,omitempty"`
	Location string `json:"location"`
	Enabled  bool   `json:"enabled"`
	// Status is ok, failing, stale (no success for a long time), never
	// (not run yet) or disabled.
	Status              string    `json:"status"`
	LastRun             time.Time `json:"last_run,omitzero"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	NextRun             time.Time `json:"next_run,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	// LastNew counts the new reviews of the last successful run; Reviews
	// those collected in all.
	LastNew int `json:"last_new"`
	Reviews int `json:"reviews"`
}

// HealthProvider reports the health of every configured source.
type HealthProvider interface {
	SourceHealth(ctx context.Context) ([]SourceHealth, error)
}

// Alert is a notable change the alerting found.
type Alert struct {
	ID string `json:"id"`
	// Rule names the rule that fired (a spike of negative reviews, a drop
	// in rating...).
	Rule string `json:"rule"`
	// Severity is info, warning or critical.
	Severity string `json:"severity"`
	// Status is open or resolved.
	Status     string    `json:"status"`
	Location   string    `json:"location,omitempty"`
	Theme      string    `json:"theme,omitempty"`
	Title      string    `json:"title"`
	Message    string    `json:"message,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// Search holds the dashboard's search parameters that show the
	// reviews behind the alert ("location=lyon-part-dieu&theme=waiting&from=14d").
	Search string `json:"search,omitempty"`
}

// AlertProvider lists recent alerts, newest first.
type AlertProvider interface {
	Alerts(ctx context.Context) ([]Alert, error)
}

// Deps is what the API and the dashboard need.
type Deps struct {
	Index Index
	// Brands are the configuration's brands and their locations.
	Brands []config.Brand
	// Health and Alerts are optional: nil means not available (yet).
	Health HealthProvider
	Alerts AlertProvider
	// ThemeLabel names a theme id for people (nil: the id, capitalised);
	// the enricher's taxonomy knows the names.
	ThemeLabel func(id string) string
	// Now is the clock (nil: time.Now); tests fix it.
	Now    func() time.Time
	Logger *slog.Logger
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deps) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

// LocationInfo is a configured location.
type LocationInfo struct {
	ID      string
	Name    string
	City    string
	Country string
	Brand   string
	// BrandName is the brand's display name.
	BrandName string
}

// Catalog is the configuration's brands, locations and sources, for
// checking filters and naming things.
type Catalog struct {
	Brands    map[string]string // id -> name
	Locations map[string]LocationInfo
	Sources   map[string]string // id -> location
	order     []string
	themes    func(string) string
}

// NewCatalog indexes brands; themeLabel names themes (nil: ThemeLabel).
func NewCatalog(brands []config.Brand, themeLabel func(string) string) *Catalog {
	c := &Catalog{Brands: map[string]string{}, Locations: map[string]LocationInfo{}, Sources: map[string]string{}, themes: themeLabel}
	for _, b := range brands {
		c.Brands[b.ID] = b.Name
		for _, l := range b.Locations {
			name := l.Name
			if name == "" {
				name = l.ID
			}
			c.Locations[l.ID] = LocationInfo{ID: l.ID, Name: name, City: l.City, Country: l.Country, Brand: b.ID, BrandName: b.Name}
			c.order = append(c.order, l.ID)
			for _, s := range l.Sources {
				if s.ID != "" {
					c.Sources[s.ID] = l.ID
				}
			}
		}
	}
	return c
}

// LocationIDs lists the configured locations in configuration order.
func (c *Catalog) LocationIDs() []string { return append([]string(nil), c.order...) }

// LocationName returns the display name of a location id (the id itself
// when it is not configured).
func (c *Catalog) LocationName(id string) string {
	if l, ok := c.Locations[id]; ok {
		return l.Name
	}
	return id
}

// ThemeLabel names a theme for people.
func (c *Catalog) ThemeLabel(id string) string {
	if c.themes != nil {
		if l := c.themes(id); l != "" {
			return l
		}
	}
	return ThemeLabel(id)
}

// ThemeLabel is the display name of a theme id: "drive-through" becomes
// "Drive through".
func ThemeLabel(id string) string {
	if id == "" {
		return ""
	}
	s := strings.ReplaceAll(strings.ReplaceAll(id, "-", " "), "_", " ")
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// LangName names a language code for people.
func LangName(code string) string {
	switch code {
	case "fr":
		return "French"
	case "ru":
		return "Russian"
	case "en":
		return "English"
	case "und", "":
		return "Other"
	}
	return code
}

// suggest lists up to n known ids closest to id, for error messages.
func suggest(id string, known []string, n int) []string {
	type cand struct {
		id string
		d  int
	}
	var cs []cand
	for _, k := range known {
		d := editDistance(strings.ToLower(id), k)
		if strings.Contains(k, strings.ToLower(id)) && id != "" {
			d = 0
		}
		cs = append(cs, cand{k, d})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for _, c := range cs {
		if len(out) == n || c.d > max(3, len(id)/2) {
			break
		}
		out = append(out, c.id)
	}
	return out
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
