package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vigie-dev/vigie/config"
)

var checkCommand = command{
	name:    "check",
	summary: "Check a configuration file and list its sources with their next scheduled run; collects nothing.",
	usage:   "check --config FILE",
	run:     runCheck,
}

func runCheck(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	cfgPath := fs.String("config", "", "configuration `file`")
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
	locations := 0
	for _, b := range cfg.Brands {
		locations += len(b.Locations)
	}
	sources := cfg.Sources()
	fmt.Fprintf(env.Stdout, "%s is valid: %d brands, %d locations, %d sources; data in %s\n\n", cfg.File, len(cfg.Brands), locations, len(sources), cfg.DataDir)
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tLOCATION\tSCHEDULE\tNEXT RUN\t")
	now := time.Now()
	for _, s := range sources {
		next := "disabled"
		if s.IsEnabled() {
			sched, _ := config.Cron.Parse(s.Schedule) // validated by Load
			next = sched.Next(now).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", s.ID, s.Kind, s.Location, s.Schedule, next)
	}
	return tw.Flush()
}
