package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vigie-dev/vigie/internal/learn"
)

var trainCommand = command{
	name: "train",
	summary: "Train a sentiment and theme classifier on a brand's labelled reviews and save it; point enrichment.model at the file to combine it with the lexicon. " +
		"Reports on a held-out part, or on --dev.",
	usage: "train --out MODEL [--lang fr|ru|en] [--dev FILE | --dev-fraction 0.2] [--json] FILE...",
	run:   runTrain,
}

func runTrain(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	out := fs.String("out", "", "where to write the model `file` (required)")
	lang := fs.String("lang", "", "the `language` of the examples when the files do not say it (SemEval XML, tweets, TSV): fr, ru or en")
	dev := fs.String("dev", "", "evaluate on this `file` instead of a held-out part of the training files")
	devFraction := fs.Float64("dev-fraction", 0.2, "the `fraction` of the examples held out for the report when there is no --dev (0 trains on everything and reports nothing)")
	seed := fs.Int64("seed", 1, "random `seed` of the held-out split and of training")
	asJSON := fs.Bool("json", false, "print the evaluation as JSON")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out MODEL is required")
	}
	if len(files) == 0 {
		return usagef("give at least one file of labelled examples (.csv or .jsonl with text, lang, label; SemEval .xml; tweets *_text.txt with *_labels.txt; .tsv)")
	}
	if *lang != "" && *lang != "fr" && *lang != "ru" && *lang != "en" {
		return usagef("--lang %q: use fr, ru or en", *lang)
	}
	if *devFraction < 0 || *devFraction >= 1 {
		return usagef("--dev-fraction must be at least 0 and below 1")
	}
	var train []learn.Example
	for _, f := range files {
		ex, err := readExamples(f, *lang)
		if err != nil {
			return err
		}
		train = append(train, ex...)
	}
	var devSet []learn.Example
	switch {
	case *dev != "":
		if devSet, err = readExamples(*dev, *lang); err != nil {
			return err
		}
	case *devFraction > 0:
		train, devSet = learn.Split(train, *devFraction, *seed)
	}
	start := time.Now()
	fmt.Fprintf(env.Stderr, "training on %d examples...\n", len(train))
	m, err := learn.Train(train, learn.Options{Seed: *seed})
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	if err := m.SaveFile(*out); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	info, _ := os.Stat(*out)
	fmt.Fprintf(env.Stderr, "model written to %s (%.1f MB, languages %v) in %s\n", *out, float64(info.Size())/1e6, m.Languages(), time.Since(start).Round(time.Second))
	if len(devSet) == 0 {
		return nil
	}
	rep := learn.Evaluate(m, devSet)
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(rep)
	}
	fmt.Fprintf(env.Stdout, "Evaluated on %d held-out examples:\n%s", len(devSet), rep.String())
	return nil
}

func readExamples(path, lang string) ([]learn.Example, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, usageError{err}
	}
	ex, err := learn.ReadFile(path, lang)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return ex, nil
}
