package alert

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/alert/notify"
)

// SampleMessage is the test notification of a rule (`vigie alerts
// test`): an alert of the rule's kind at the first location of its
// scope, with made-up figures, saying it is a test.
func SampleMessage(cfg *config.Config, r config.AlertRule, now time.Time) *notify.Message {
	cat := newCatalog(cfg)
	brand, loc, src := "", "", ""
	for _, b := range cfg.Brands {
		if len(r.Scope.Brands) > 0 && !contains(r.Scope.Brands, b.ID) {
			continue
		}
		for _, l := range b.Locations {
			if len(r.Scope.Locations) > 0 && !contains(r.Scope.Locations, l.ID) {
				continue
			}
			if loc == "" {
				brand, loc = b.ID, l.ID
			}
			for _, s := range l.Sources {
				if src == "" && (len(r.Scope.Sources) == 0 || contains(r.Scope.Sources, s.ID)) {
					brand, loc, src = b.ID, l.ID, s.ID
				}
			}
		}
	}
	theme := r.Theme
	if theme == "" || theme == "*" {
		theme = "wait"
		if len(r.Scope.Themes) > 0 {
			theme = r.Scope.Themes[0]
		}
	}
	place := cat.locationName(loc)
	a := &notify.Alert{
		ID: "test-" + now.UTC().Format("20060102T150405"), Rule: r.Name, Kind: r.Kind, Severity: r.Severity, Status: StatusOpen,
		Brand: brand, Location: loc, OpenedAt: now.Add(-40 * time.Minute), UpdatedAt: now,
		BrandName: cat.brandName[brand], LocationName: cat.locName[loc], Window: r.Window.String(),
		Examples: []notify.Example{
			{ID: "sample-1", Rating: 1, Lang: "fr", PublishedAt: now.Add(-2 * time.Hour), Text: "Quarante minutes d'attente pour un café, une seule caisse ouverte. (exemple)"},
			{ID: "sample-2", Rating: 2, Lang: "en", PublishedAt: now.Add(-3 * time.Hour), Text: "The queue went out the door and nobody seemed to care. (example)"},
			{ID: "sample-3", Rating: 1, Lang: "ru", PublishedAt: now.Add(-5 * time.Hour), Text: "Очередь на полчаса, работает одна касса. (пример)"},
		},
		ReviewIDs: []string{"sample-1", "sample-2", "sample-3"},
	}
	search := url.Values{"location": {loc}, "sentiment": {"negative"}, "sort": {"date"}}
	switch r.Kind {
	case config.RuleNegativeSpike:
		a.Theme = theme
		a.Observed, a.Expected, a.Probability = 9, 0.42, 3.1e-9
		a.Title = fmt.Sprintf("Spike of complaints about %s at %s", theme, place)
		a.Summary = fmt.Sprintf("9 reviews complaining about %s in the last %s at %s, where 0.42 were expected from the previous %s (probability 3.1e-09).", theme, r.Window, place, r.Baseline)
		search.Set("theme", theme)
	case config.RuleThemeSurge:
		a.Theme = theme
		a.Observed, a.Expected, a.Probability = 9, 1.8, 2.2e-6
		a.Title = fmt.Sprintf("Complaints about %s surge at %s", theme, place)
		a.Summary = fmt.Sprintf("%s is in 60%% of the complaints of the last %s at %s (9 of 15), against 12%% before (probability 2.2e-06).", theme, r.Window, place)
		search.Set("theme", theme)
	case config.RuleRatingDrop:
		a.Observed, a.Probability = 14, 4.0e-6
		a.Title = "Rating drop at " + place
		a.Summary = fmt.Sprintf("The last 14 rated reviews at %s average 2.3 stars, against 4.1 over the previous %s (probability 4.0e-06).", place, r.Baseline)
		search.Del("sentiment")
		search.Set("max_rating", "2")
	case config.RuleKeyword:
		a.Observed = 1
		a.Title = "Food poisoning mentioned at " + place
		a.Summary = fmt.Sprintf("1 review at %s mentions food poisoning (“intoxication alimentaire”).", place)
		a.Examples = []notify.Example{{ID: "sample-1", Rating: 1, Lang: "fr", PublishedAt: now.Add(-time.Hour),
			Text: "Toute la table a eu une intoxication alimentaire après le brunch de dimanche. (exemple)"}}
		a.ReviewIDs = []string{"sample-1"}
		search = url.Values{"location": {loc}, "q": {"intoxication"}, "sort": {"date"}}
	case config.RuleReview:
		a.Observed = 1
		a.Title = "New 1★ review at " + place
		a.Summary = "Service exécrable, une heure d'attente et personne pour s'excuser. (exemple)"
		a.Examples = a.Examples[:1]
		a.ReviewIDs = a.ReviewIDs[:1]
		a.Status = StatusResolved
		search = url.Values{"location": {loc}, "sort": {"date"}}
	case config.RuleSourceHealth:
		a.Source = src
		a.Title = fmt.Sprintf("Source %s (%s) is failing", src, place)
		a.Summary = fmt.Sprintf("Source %s (%s) failing for 26h: HTTP 503 Service Unavailable.", src, place)
		a.Examples, a.ReviewIDs = nil, []string{}
		search = url.Values{"source": {src}, "sort": {"date"}}
	}
	if base := strings.TrimRight(cfg.Alerts.DashboardURL, "/"); base != "" {
		a.URL = base + "/alerts"
		a.SearchURL = base + "/search?" + search.Encode()
	}
	return &notify.Message{Event: notify.EventTest, Alert: a}
}

// LoadAlerts reads the alerts a StateStore holds (`vigie alerts list`),
// most recently updated first.
func LoadAlerts(st StateStore) ([]Alert, error) {
	var out []Alert
	err := st.Load(func(k string, v []byte) error {
		if !strings.HasPrefix(k, "a/") {
			return nil
		}
		var r record
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		out = append(out, r.copyAlert())
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out, err
}

// Channels returns the channels a rule notifies, built as the engine
// builds them (`vigie alerts test`).
func Channels(cfg *config.Config, r config.AlertRule, opts Options) ([]notify.Channel, error) {
	var out []notify.Channel
	for _, name := range r.Channels {
		c, ok := cfg.Alerts.Channel(name)
		if !ok {
			return nil, fmt.Errorf("rule %s: no channel %s", r.Name, name)
		}
		ch, err := notify.New(c, notify.Options{Client: opts.HTTPClient, TLS: opts.TLS, Now: opts.Now})
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}
