package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/collect"
)

var crawlCommand = command{
	name:    "crawl",
	summary: "Collect every source (or the ones named) once, index the reviews, print a summary per source.",
	usage:   "crawl --config FILE [--source ID]... [--full] [--json] [--verbose]",
	run:     runCrawl,
}

func runCrawl(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	cfgPath := fs.String("config", "", "configuration `file`")
	var only listFlag
	fs.Var(&only, "source", "collect only this source `id` (repeat or separate with commas)")
	full := fs.Bool("full", false, "fetch every page, even past reviews already indexed")
	asJSON := fs.Bool("json", false, "print the summaries as JSON lines")
	verbose := fs.Bool("verbose", false, "log every run at the configured log level (by default only warnings, as the summary says the rest)")
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
	sources, err := selectSources(cfg, only)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, env, cfg, !*verbose, "vigie crawl")
	if err != nil {
		return err
	}
	defer a.Close()
	a.svc.Runner.Full = *full
	start := time.Now()
	sums := a.svc.RunAll(ctx, sources)
	elapsed := time.Since(start)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		for _, s := range sums {
			if err := enc.Encode(s); err != nil {
				return err
			}
		}
	} else {
		printSummaries(env.Stdout, sums, elapsed)
	}
	if err := a.Close(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted")
	}
	failed := 0
	for _, s := range sums {
		if !s.OK() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d sources had errors (see above)", failed, len(sums))
	}
	return nil
}

// selectSources returns the enabled sources, or the ones named.
func selectSources(cfg *config.Config, only []string) ([]config.Source, error) {
	all := cfg.Sources()
	if len(only) == 0 {
		var out []config.Source
		for _, s := range all {
			if s.IsEnabled() {
				out = append(out, s)
			}
		}
		return out, nil
	}
	byID := map[string]config.Source{}
	for _, s := range all {
		byID[s.ID] = s
	}
	var out []config.Source
	for _, id := range only {
		s, ok := byID[id]
		if !ok {
			ids := make([]string, 0, len(all))
			for _, s := range all {
				ids = append(ids, s.ID)
			}
			return nil, usagef("no source %q in %s (sources: %s)", id, cfg.File, strings.Join(ids, ", "))
		}
		out = append(out, s)
	}
	return out, nil
}

// printSummaries writes the crawl summary table, then the problems.
func printSummaries(w io.Writer, sums []collect.Summary, elapsed time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SOURCE\tPAGES\tFOUND\tNEW\tUPDATED\tUNCHANGED\tERRORS\tTIME\t")
	var total collect.Summary
	for _, s := range sums {
		errs := len(s.Errors)
		if s.Err != "" {
			errs++
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", s.Source, s.Pages, s.Found, s.New, s.Updated, s.Unchanged, errs, s.Duration.Round(10*time.Millisecond))
		total.Pages += s.Pages
		total.Found += s.Found
		total.New += s.New
		total.Updated += s.Updated
		total.Unchanged += s.Unchanged
	}
	tw.Flush()
	secs := elapsed.Seconds()
	fmt.Fprintf(w, "\n%d sources, %d pages, %d reviews found (%d new, %d updated, %d unchanged) in %s: %.1f pages/s, %.0f reviews/s\n",
		len(sums), total.Pages, total.Found, total.New, total.Updated, total.Unchanged, elapsed.Round(10*time.Millisecond),
		float64(total.Pages)/secs, float64(total.Found)/secs)
	for _, s := range sums {
		if s.Err != "" {
			fmt.Fprintf(w, "\n%s: stopped: %s\n", s.Source, s.Err)
		}
		for _, e := range s.Errors {
			fmt.Fprintf(w, "%s: error: %s\n", s.Source, e)
		}
		for _, e := range s.Warnings {
			fmt.Fprintf(w, "%s: warning: %s\n", s.Source, e)
		}
	}
}
