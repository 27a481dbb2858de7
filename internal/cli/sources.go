package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/service"
	"github.com/vigie-dev/vigie/internal/store"
)

var sourcesCommand = command{
	name:    "sources",
	summary: "Show each source's health: status, last success, last error, next run, reviews collected vs shown, last run's counts.",
	usage:   "sources --config FILE [--json]",
	run:     runSources,
}

func runSources(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	cfgPath := fs.String("config", "", "configuration `file`")
	asJSON := fs.Bool("json", false, "print one JSON object per source")
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
	health, from, err := sourcesHealth(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		for _, h := range health {
			if err := enc.Encode(h); err != nil {
				return err
			}
		}
		return nil
	}
	printHealth(env.Stdout, health, from, time.Now())
	return nil
}

// sourcesHealth reads the sources' health from the state store or, when
// a running Vigie holds it, from that process's /healthz/sources.
func sourcesHealth(ctx context.Context, cfg *config.Config) ([]service.SourceHealth, string, error) {
	path := service.StatePath(cfg)
	st, err := store.Open(path, store.Options{ReadOnly: true, Timeout: 300 * time.Millisecond})
	switch {
	case err == nil:
		defer st.Close()
		states, err := st.Sources()
		if err != nil {
			return nil, "", err
		}
		return service.Health(cfg, states, nil, time.Now()), "", nil
	case errors.Is(err, os.ErrNotExist):
		return service.Health(cfg, nil, nil, time.Now()), "", nil
	case errors.Is(err, store.ErrLocked):
		h, url, herr := fetchHealth(ctx, cfg)
		if herr != nil {
			return nil, "", fmt.Errorf("%v; asking it at %s: %w", err, url, herr)
		}
		return h, url, nil
	}
	return nil, "", err
}

func fetchHealth(ctx context.Context, cfg *config.Config) ([]service.SourceHealth, string, error) {
	var out []service.SourceHealth
	url, err := askServer(ctx, cfg, "/healthz/sources", &out)
	return out, url, err
}

// printHealth writes the health table, then each source's problems.
func printHealth(w io.Writer, health []service.SourceHealth, from string, now time.Time) {
	if from != "" {
		fmt.Fprintf(w, "From the running Vigie (%s):\n\n", from)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tSTATUS\tLAST SUCCESS\tLAST ERROR\tNEXT RUN\tREVIEWS\tSHOWN\tLAST RUN\t")
	counts := map[string]int{}
	for _, h := range health {
		counts[h.Status]++
		shown := "-"
		if h.Shown > 0 {
			shown = fmt.Sprint(h.Shown)
		}
		next := "-"
		if h.Enabled && !h.NextRun.IsZero() {
			next = relTime(h.NextRun, now)
			if !h.Scheduled {
				next += "*"
			}
		}
		last := "-"
		if h.Runs > 0 || !h.LastEnd.IsZero() {
			last = fmt.Sprintf("%d pages, %d new, %d updated, %d deleted", h.Pages, h.New, h.Updated, h.Deleted)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n", h.ID, h.Kind, h.Status,
			relTime(h.LastSuccess, now), relTime(h.LastErrorAt, now), next, h.Collected, shown, last)
	}
	tw.Flush()
	var parts []string
	for _, s := range []string{"ok", "warning", "failing", "running", "never", "disabled"} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	fmt.Fprintf(w, "\n%d sources: %s.", len(health), strings.Join(parts, ", "))
	if from == "" {
		fmt.Fprint(w, " NEXT RUN* is from the schedule: `vigie serve` is not running (its jitter and back-off apply when it runs).")
	}
	fmt.Fprintln(w)
	for _, h := range health {
		if h.Error != "" && h.Outcome != "ok" {
			fmt.Fprintf(w, "%s: %s (%s): %s\n", h.ID, h.Outcome, relTime(h.LastEnd, now), h.Error)
		} else if h.LastError != "" && h.LastErrorAt.After(h.LastSuccess) {
			fmt.Fprintf(w, "%s: last error (%s): %s\n", h.ID, relTime(h.LastErrorAt, now), h.LastError)
		}
		for _, warn := range h.Warnings {
			fmt.Fprintf(w, "%s: warning: %s\n", h.ID, warn)
		}
		if h.Failures > 1 {
			fmt.Fprintf(w, "%s: %d failed runs in a row: backed off\n", h.ID, h.Failures)
		}
	}
}

// relTime says when t is from now: "3m ago", "in 2h", "-" for zero.
func relTime(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	suffix := " ago"
	if d < 0 {
		d, suffix = -d, ""
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		s = fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	if suffix == "" {
		return "in " + s
	}
	return s + suffix
}
