package cli

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/lang"
	"github.com/vigie-dev/vigie/internal/pipeline"
)

// app is a loaded configuration with the index and pipeline built on it.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	index    *index.Index
	pipeline *pipeline.Pipeline
}

// IndexDir is where the index of a configuration lives.
func IndexDir(c *config.Config) string { return filepath.Join(c.DataDir, "index") }

// openApp opens the index of cfg and builds the pipeline. Commands that
// print their own summary pass quiet, so that per-run log lines below
// warnings do not repeat it.
func openApp(env *Env, cfg *config.Config, quiet bool) (*app, error) {
	lc := cfg.Log
	if quiet && (lc.Level == "debug" || lc.Level == "info") {
		lc.Level = "warn"
	}
	log := newLogger(env.Stderr, lc)
	x, err := index.Open(IndexDir(cfg))
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, log: log, index: x, pipeline: newPipeline(x, log)}, nil
}

// newPipeline assembles the ingestion stages.
func newPipeline(store pipeline.Store, log *slog.Logger) *pipeline.Pipeline {
	det := lang.Default()
	return &pipeline.Pipeline{
		Store: store,
		Language: func(text, hint string) (string, float64) {
			r := det.Detect(text, hint)
			return r.Lang, r.Confidence
		},
		Logger: log,
	}
}

func (a *app) Close() error {
	if err := a.index.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}
