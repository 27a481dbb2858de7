package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/lang"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/service"
)

// app is a loaded configuration with its data folder open: state store,
// archive, index and the pipeline built on them.
type app struct {
	cfg *config.Config
	log *slog.Logger
	svc *service.Service
}

// IndexDir is where the current index of a configuration lives (see
// index.CurrentDir: "index", or the folder `vigie reindex` last built).
func IndexDir(c *config.Config) string { return index.CurrentDir(c.DataDir) }

// openApp opens the data folder of cfg for command (recovering what a
// crash left archived but not indexed) and builds the pipeline. Commands
// that print their own summary pass quiet, so that per-run log lines below
// warnings do not repeat it.
func openApp(ctx context.Context, env *Env, cfg *config.Config, quiet bool, command string) (*app, error) {
	lc := cfg.Log
	if quiet && (lc.Level == "debug" || lc.Level == "info") {
		lc.Level = "warn"
	}
	log := newLogger(env.Stderr, lc)
	svc, err := service.Open(ctx, cfg, serviceOptions(env, cfg, log, command))
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, log: log, svc: svc}, nil
}

// serviceOptions are the options every command opens the data folder
// with. An enrichment that cannot be built (a model that does not load)
// makes service.Open fail.
func serviceOptions(env *Env, cfg *config.Config, log *slog.Logger, command string) service.Options {
	p, err := newPipeline(cfg, log)
	return service.Options{
		Registry: env.Registry,
		Logger:   log,
		Pipeline: p,
		Command:  command,
		Version:  Version,
		Err:      err,
	}
}

// newPipeline assembles the ingestion stages: language detection, then
// sentiment and themes (with the configured model, if any). `vigie
// reindex` uses the same, so that a rebuilt index gets the current
// enrichment.
func newPipeline(cfg *config.Config, log *slog.Logger) (*pipeline.Pipeline, error) {
	det := lang.Default()
	e, _, err := newEnricher(cfg.Enrichment, "")
	if err != nil {
		return nil, fmt.Errorf("enrichment: %w", err)
	}
	return &pipeline.Pipeline{
		Language: func(text, hint string) (string, float64) {
			r := det.Detect(text, hint)
			return r.Lang, r.Confidence
		},
		Enrichers: []pipeline.Enricher{e},
		Logger:    log,
	}, nil
}

func (a *app) Close() error {
	if err := a.svc.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}
