package cli

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/vigie-dev/vigie/internal/service"
)

var serveCommand = command{
	name:    "serve",
	summary: "Run Vigie as a service: collect each source on its schedule, keep the index up to date, serve /healthz and /metrics, until SIGINT or SIGTERM.",
	usage:   "serve --config FILE",
	run:     runServe,
}

func runServe(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
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
	log := newLogger(env.Stderr, cfg.Log)
	svc, err := service.Open(ctx, cfg, serviceOptions(env, cfg, log, "vigie serve"))
	if err != nil {
		return err
	}
	defer svc.Close()
	stopMounts, err := mount(svc)
	if err != nil {
		return err
	}
	defer stopMounts()
	enabled := 0
	for _, s := range cfg.Sources() {
		if s.IsEnabled() {
			enabled++
		}
	}
	log.Info("vigie serve", "version", Version, "config", cfg.File, "data", cfg.DataDir, "sources", enabled, "addr", cfg.Server.Addr)

	// A second SIGINT or SIGTERM during the grace period exits at once:
	// what was acknowledged is on disk, the rest is recovered at the next
	// start.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-ctx.Done():
		case <-stop:
			return
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		select {
		case <-sig:
			log.Warn("second signal: exiting without waiting for the runs in progress")
			os.Exit(exitFailure)
		case <-stop:
		}
	}()
	return svc.Serve(ctx, false)
}
