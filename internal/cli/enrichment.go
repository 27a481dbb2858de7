package cli

import (
	"fmt"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/enrich"
	"github.com/vigie-dev/vigie/internal/learn"
)

// newEnricher builds the sentiment and theme stage of a configuration:
// the built-in lexicons and themes with the user's additions, combined
// with a model trained by `vigie train` when one is configured (or given
// as modelPath, which wins).
func newEnricher(cfg config.Enrichment, modelPath string) (*enrich.Enricher, *learn.Model, error) {
	if modelPath == "" {
		modelPath = cfg.Model
	}
	var opts []enrich.Option
	var model *learn.Model
	if modelPath != "" {
		m, err := learn.LoadFile(modelPath)
		if err != nil {
			return nil, nil, fmt.Errorf("model %s: %w", modelPath, err)
		}
		model = m
		cfg.Model = modelPath
		opts = append(opts, enrich.WithClassifier(sentimentHead{m}, 0))
	}
	e, err := enrich.New(cfg, opts...)
	if err != nil {
		return nil, nil, err
	}
	return e, model, nil
}

// sentimentHead offers a trained model's sentiment head to the enricher.
type sentimentHead struct{ m *learn.Model }

func (h sentimentHead) Predict(text, lang string) (string, map[string]float64, bool) {
	return h.m.PredictSentiment(text, lang)
}
