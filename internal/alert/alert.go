// Package alert watches reviews and sources and raises alerts: a spike of
// negative reviews at one location (overall or on one theme) against that
// location's own weekday-aware baseline, a drop in rating, a theme whose
// share of complaints jumps, critical phrases (food poisoning, rats,
// theft, discrimination) in French, Russian or English, per-review
// notifications, and sources that fail or fall silent.
//
// An Engine is fed after each ingested batch (Observe) and after each run
// of a source (ObserveRun), and on a timer (Tick). Alerts are kept in a
// StateStore with their status (open, acknowledged, resolved); one
// incident gives one alert, updated as it grows and resolved when it
// subsides. Notifications go through the channels of package notify
// (webhook, Slack, e-mail, Telegram) from a persistent outbox, retried
// with back-off: a delivery never blocks ingestion.
//
// The statistical model is described in docs/alerting.md.
package alert

import (
	"time"
)

// Alert statuses.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// Alert is one incident the rules found. Its JSON form is the one GET
// /api/alerts returns.
type Alert struct {
	ID       string `json:"id"`
	Rule     string `json:"rule"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	// Status is open, acknowledged or resolved.
	Status   string `json:"status"`
	Brand    string `json:"brand"`
	Location string `json:"location"`
	Theme    string `json:"theme"`
	// OpenedAt is when the alert was raised, UpdatedAt when its figures
	// last changed.
	OpenedAt  time.Time `json:"opened_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Observed is the count in the window (negative reviews, mentions,
	// matching reviews); Expected what the baseline predicts; Probability
	// the chance of observing that many or more if nothing had changed.
	// Rating rules put the average rating in Observed's place as
	// ObservedValue.
	Observed    int      `json:"observed"`
	Expected    float64  `json:"expected"`
	Probability float64  `json:"probability"`
	ReviewIDs   []string `json:"review_ids"`

	// Extensions.

	// Source is the source of a source_health alert.
	Source string `json:"source,omitempty"`
	// Title and Summary say in words what happened.
	Title   string `json:"title"`
	Summary string `json:"summary,omitempty"`
	// Window is the period observed ("24h", "7d"), from WindowStart to
	// WindowEnd.
	Window      string    `json:"window,omitempty"`
	WindowStart time.Time `json:"window_start,omitzero"`
	WindowEnd   time.Time `json:"window_end,omitzero"`
	// ObservedValue and ExpectedValue hold averages (rating_drop: stars)
	// and shares (theme_surge).
	ObservedValue float64 `json:"observed_value,omitempty"`
	ExpectedValue float64 `json:"expected_value,omitempty"`
	// Rules lists every rule that found this incident, the one whose
	// figures are shown first; Themes every theme whose complaints rose
	// with it (Theme first).
	Rules  []string `json:"rules,omitempty"`
	Themes []string `json:"themes,omitempty"`
	// Search holds the dashboard's search parameters that list the
	// reviews behind the alert.
	Search string `json:"search,omitempty"`
	// Examples are a few of those reviews.
	Examples []Example `json:"examples,omitempty"`

	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	AcknowledgedBy string    `json:"acknowledged_by,omitempty"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	// ResolvedBy is "auto" when the condition subsided, or who resolved
	// it.
	ResolvedBy string `json:"resolved_by,omitempty"`
	// Deliveries says how each channel's notifications went.
	Deliveries []Delivery `json:"deliveries,omitempty"`
}

// Active reports whether the alert is open or acknowledged.
func (a *Alert) Active() bool { return a.Status != StatusResolved }

// Example is a review behind an alert.
type Example struct {
	ID          string    `json:"id"`
	Source      string    `json:"source,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Rating      float64   `json:"rating,omitempty"` // stars of 5
	Lang        string    `json:"lang,omitempty"`
	Text        string    `json:"text,omitempty"` // an excerpt
	URL         string    `json:"url,omitempty"`
}

// Delivery is the state of one channel's notifications of an alert.
type Delivery struct {
	Channel string `json:"channel"`
	// Status is pending, retrying, delivered or failed (gave up).
	Status    string    `json:"status"`
	Event     string    `json:"event,omitempty"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	At        time.Time `json:"at"`
}

// Filter selects alerts.
type Filter struct {
	// Status, Location, Kind, Rule and Brand keep alerts with one of the
	// values given (empty: any).
	Status   []string
	Location []string
	Kind     []string
	Rule     []string
	Brand    []string
	// Limit caps the number returned (0: all), newest first.
	Limit int
}

func (f Filter) match(a *Alert) bool {
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, s := range list {
			if s == v {
				return true
			}
		}
		return false
	}
	return in(f.Status, a.Status) && in(f.Location, a.Location) && in(f.Kind, a.Kind) &&
		in(f.Rule, a.Rule) && in(f.Brand, a.Brand)
}

// SourceRun is the outcome of one run of a source, for source_health.
type SourceRun struct {
	Source   string
	Location string
	Brand    string
	Start    time.Time
	End      time.Time
	// OK: the run finished without errors. Failed: it stopped early or
	// every page failed (a run with some failed pages is neither).
	OK     bool
	Failed bool
	Err    string
	// Pages and Found count what the run fetched; Found is 0 for a run
	// that found nothing.
	Pages int
	Found int
	New   int
}
