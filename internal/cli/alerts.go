package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/alert"
	"github.com/vigie-dev/vigie/internal/alert/notify"
	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/collect"
	"github.com/vigie-dev/vigie/internal/ingest"
	"github.com/vigie-dev/vigie/internal/service"
	"github.com/vigie-dev/vigie/internal/store"
)

var alertsCommand = command{
	name:    "alerts",
	summary: "Alerting: send a rule's sample notification through its channels (test), or list the alerts (list).",
	usage:   "alerts test --config FILE --rule NAME [--channel NAME] | alerts list --config FILE [--status S] [--json]",
	run:     runAlerts,
}

func runAlerts(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fs.Usage()
			return flag.ErrHelp
		}
		return usagef("say what to do: vigie alerts test --config FILE --rule NAME, or vigie alerts list --config FILE")
	}
	switch args[0] {
	case "test":
		return runAlertsTest(ctx, env, fs, args[1:])
	case "list":
		return runAlertsList(ctx, env, fs, args[1:])
	}
	return usagef("unknown alerts command %q (use test or list)", args[0])
}

// runAlertsTest sends a sample notification of a rule through each of
// its channels, now, and says how each went.
func runAlertsTest(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	cfgPath := fs.String("config", "", "configuration `file`")
	ruleName := fs.String("rule", "", "the rule whose channels to try (required)")
	only := fs.String("channel", "", "try only this channel of the rule")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	if *ruleName == "" {
		return usagef("--rule NAME is required (rules: %s)", ruleNames(cfg))
	}
	rule, ok := cfg.Alerts.Rule(*ruleName)
	if !ok {
		return usagef("no rule is called %q (rules: %s)", *ruleName, ruleNames(cfg))
	}
	if *only != "" {
		if !contains(rule.Channels, *only) {
			return usagef("rule %s does not notify channel %q (its channels: %s)", rule.Name, *only, strings.Join(rule.Channels, ", "))
		}
		rule.Channels = []string{*only}
	}
	if len(rule.Channels) == 0 {
		return usagef("rule %s has no channels: its alerts only show in the dashboard and the API", rule.Name)
	}
	chans, err := alert.Channels(cfg, rule, alert.Options{})
	if err != nil {
		return err
	}
	msg := alert.SampleMessage(cfg, rule, time.Now())
	d := cfg.Alerts.Delivery
	// A test retries quickly: the point is to see whether it works.
	policy := notify.Policy{Retries: min(d.Retries, 2), Backoff: time.Second, MaxBackoff: 2 * time.Second, Timeout: d.Timeout.D()}
	fmt.Fprintf(env.Stdout, "Sending a sample %s notification of rule %s (%q):\n", rule.Kind, rule.Name, msg.Alert.Title)
	failed := 0
	for _, ch := range chans {
		start := time.Now()
		attempts, err := notify.SendWithRetries(ctx, ch, msg, fmt.Sprintf("test-%s-%d", ch.Name(), start.Unix()), policy)
		took := time.Since(start).Round(time.Millisecond)
		if err != nil {
			failed++
			fmt.Fprintf(env.Stdout, "  %-16s %-9s FAILED after %d attempt(s), %s: %v\n", ch.Name(), ch.Type(), attempts, took, err)
			continue
		}
		fmt.Fprintf(env.Stdout, "  %-16s %-9s delivered in %s\n", ch.Name(), ch.Type(), took)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d channels failed", failed, len(chans))
	}
	return nil
}

func ruleNames(cfg *config.Config) string {
	var names []string
	for _, r := range cfg.Alerts.Rules {
		names = append(names, r.Name)
	}
	if len(names) == 0 {
		return "none: add alerts.rules to the configuration"
	}
	return strings.Join(names, ", ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// runAlertsList prints the alerts from the state store or, when a running
// Vigie holds it, from its API.
func runAlertsList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	cfgPath := fs.String("config", "", "configuration `file`")
	var status listFlag
	fs.Var(&status, "status", "keep alerts with this `status` (open, acknowledged, resolved; repeatable)")
	asJSON := fs.Bool("json", false, "print the alerts as JSON, as GET /api/alerts does")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	for _, s := range status {
		if s != alert.StatusOpen && s != alert.StatusAcknowledged && s != alert.StatusResolved {
			return usagef("unknown status %q (use open, acknowledged or resolved)", s)
		}
	}
	as, from, err := loadAlerts(ctx, cfg)
	if err != nil {
		return err
	}
	var kept []alert.Alert
	for _, a := range as {
		if len(status) == 0 || contains(status, a.Status) {
			kept = append(kept, a)
		}
	}
	if kept == nil {
		kept = []alert.Alert{}
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(map[string]any{"alerts": kept})
	}
	if from != "" {
		fmt.Fprintf(env.Stdout, "From the running Vigie (%s):\n\n", from)
	}
	if len(kept) == 0 {
		fmt.Fprintln(env.Stdout, "No alerts.")
		return nil
	}
	now := time.Now()
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSEVERITY\tRULE\tLOCATION\tTHEME\tOPENED\tOBSERVED\tEXPECTED\tPROBABILITY\t")
	for _, a := range kept {
		exp, p := "-", "-"
		if a.Expected > 0 {
			exp = notify.FormatNumber(a.Expected)
		}
		if a.Probability > 0 {
			p = notify.FormatProbability(a.Probability)
		}
		where := a.Location
		if a.Source != "" {
			where = a.Source
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n", a.ID, a.Status, a.Severity, a.Rule, where, dash(a.Theme),
			relTime(a.OpenedAt, now), a.Observed, exp, p)
	}
	tw.Flush()
	for _, a := range kept {
		if a.Status != alert.StatusResolved {
			fmt.Fprintf(env.Stdout, "\n%s: %s\n  %s\n", a.ID, a.Title, a.Summary)
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func loadAlerts(ctx context.Context, cfg *config.Config) ([]alert.Alert, string, error) {
	st, err := store.Open(service.StatePath(cfg), store.Options{ReadOnly: true, Timeout: 300 * time.Millisecond})
	switch {
	case err == nil:
		defer st.Close()
		as, err := alert.LoadAlerts(alert.NewExtState(st.Ext(alertsBucket)))
		return as, "", err
	case errors.Is(err, os.ErrNotExist):
		return nil, "", nil
	case errors.Is(err, store.ErrLocked):
		as, url, ferr := fetchAlerts(ctx, cfg)
		if ferr != nil {
			return nil, "", fmt.Errorf("%v; asking it at %s: %w", err, url, ferr)
		}
		return as, url, nil
	}
	return nil, "", err
}

func fetchAlerts(ctx context.Context, cfg *config.Config) ([]alert.Alert, string, error) {
	var out struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	url, err := askServer(ctx, cfg, "/api/alerts?limit=1000", &out)
	return out.Alerts, url, err
}

// alertsBucket is the state store's extension bucket of alerting.
const alertsBucket = "alerts"

// startAlerts builds the engine of svc's configuration (nil when alerting
// is off) and hooks it into the service.
func startAlerts(svc *service.Service) (*alert.Engine, error) {
	if !svc.Config.Alerts.IsEnabled() {
		return nil, nil
	}
	eng, err := alert.New(svc.Config, alert.Options{
		State:      alert.NewExtState(svc.State.Ext(alertsBucket)),
		Logger:     svc.Log,
		Metrics:    svc.Metrics,
		ThemeLabel: themeLabels(svc),
	})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	ctx := context.Background()
	svc.OnBatch(func(ev ingest.Event) { eng.Observe(ctx, ev.Reviews) })
	svc.OnRun(func(src config.Source, sum collect.Summary) { eng.ObserveRun(ctx, sourceRun(src, sum)) })
	alert.Register(svc.Server, eng)
	eng.Start(ctx)
	return eng, nil
}

// sourceRun is a run's summary as source_health reads it.
func sourceRun(src config.Source, sum collect.Summary) alert.SourceRun {
	failed := sum.Err != "" && sum.Err != "interrupted" || (sum.Pages > 0 && sum.PagesFailed == sum.Pages)
	msg := sum.Err
	if msg == "" && len(sum.Errors) > 0 {
		msg = sum.Errors[0]
	}
	return alert.SourceRun{
		Source: src.ID, Location: src.Location, Brand: src.Brand, Start: sum.Start, End: sum.Start.Add(sum.Duration),
		OK: sum.OK(), Failed: failed, Err: msg, Pages: sum.Pages, Found: sum.Found, New: sum.New,
	}
}

// alertDashboard lists the engine's incidents for the dashboard's alerts
// view (api.AlertProvider): why each fired (observed against expected,
// probability) and a few of the reviews behind it. Per-review
// notifications (kind review) stay out of it: they are in GET
// /api/alerts?kind=review.
type alertDashboard struct{ e *alert.Engine }

func (d alertDashboard) Alerts(ctx context.Context) ([]api.Alert, error) {
	as, err := d.e.List(ctx, alert.Filter{Kind: []string{config.RuleNegativeSpike, config.RuleThemeSurge, config.RuleRatingDrop, config.RuleKeyword, config.RuleSourceHealth}, Limit: 200})
	if err != nil {
		return nil, err
	}
	out := make([]api.Alert, 0, len(as))
	for _, a := range as {
		msg := a.Summary
		for i, ex := range a.Examples {
			if i == 2 {
				break
			}
			msg += " “" + notify.Excerpt(ex.Text, 160) + "”"
		}
		for _, d := range a.Deliveries {
			if d.Status == notify.Failed || d.Status == notify.Retrying {
				msg += fmt.Sprintf(" [Notification to %s %s after %d attempt(s): %s]", d.Channel,
					map[string]string{notify.Failed: "failed", notify.Retrying: "retrying"}[d.Status], d.Attempts, d.LastError)
			}
		}
		out = append(out, api.Alert{
			ID: a.ID, Rule: a.Rule, Severity: a.Severity, Status: a.Status, Location: a.Location, Theme: a.Theme,
			Title: a.Title, Message: msg, StartedAt: a.OpenedAt, ResolvedAt: a.ResolvedAt, Search: a.Search,
		})
	}
	return out, nil
}
