package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/enrich"
	"github.com/vigie-dev/vigie/internal/eval"
	"github.com/vigie-dev/vigie/internal/lang"
	"github.com/vigie-dev/vigie/internal/learn"
)

var evalCommand = command{
	name:    "eval",
	summary: "Measure Vigie's understanding on labelled data: themes and theme polarity (SemEval-2016), sentence sentiment (tweets, SentiRuEval-2016), language.",
	usage: `eval semeval [--lang fr|ru|en] [--reviews FILE] [--model FILE] [--config FILE] [--json] FILE.xml
       vigie eval tweets --texts FILE --labels FILE [--lang fr|ru|en] [--model FILE] [--config FILE] [--json]
       vigie eval sentirueval [--model FILE] [--config FILE] [--json] FILE.xml
       vigie eval lang [--json] FILE.tsv`,
	run: runEval,
}

// evalOptions are the flags every evaluation takes.
type evalOptions struct {
	model, config, lang string
	asJSON              bool
}

func (o *evalOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.model, "model", "", "evaluate this model `file` (trained with `vigie train`) instead of the built-in lexicon and themes")
	fs.StringVar(&o.config, "config", "", "use the enrichment settings (lexicons, themes, model) of this configuration `file`")
	fs.StringVar(&o.lang, "lang", "", "the `language` of the texts (fr, ru or en); default: read from the file or detected")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON object (metrics as fractions between 0 and 1)")
}

func runEval(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.SetOutput(env.Stdout)
			fs.Usage()
			return flag.ErrHelp
		}
		return usagef("which evaluation? semeval, tweets, sentirueval or lang")
	}
	what := args[0]
	var o evalOptions
	o.register(fs)
	texts := fs.String("texts", "", "tweets: the `file` with one text per line")
	labels := fs.String("labels", "", "tweets: the `file` with one label per line (0 negative, 1 neutral, 2 positive)")
	reviews := fs.String("reviews", "", "semeval: the organisers' `file` grouping sentences into reviews, when FILE is a re-split without them (gives each sentence its review as context)")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if o.lang != "" && o.lang != "fr" && o.lang != "ru" && o.lang != "en" {
		return usagef("--lang %q: use fr, ru or en", o.lang)
	}
	var result any
	switch what {
	case "semeval":
		if len(pos) != 1 {
			return usagef("eval semeval needs one SemEval-2016 XML file")
		}
		result, err = evalSemEval(env, o, pos[0], *reviews)
	case "tweets":
		if len(pos) != 0 || *texts == "" || *labels == "" {
			return usagef("eval tweets needs --texts FILE and --labels FILE")
		}
		result, err = evalTweets(env, o, *texts, *labels)
	case "sentirueval":
		if len(pos) != 1 {
			return usagef("eval sentirueval needs one SentiRuEval-2016 XML file")
		}
		result, err = evalSentiRuEval(env, o, pos[0])
	case "lang":
		if len(pos) != 1 {
			return usagef("eval lang needs one TSV file (header: lang source text)")
		}
		f, ferr := openData(pos[0])
		if ferr != nil {
			return ferr
		}
		defer f.Close()
		result, err = lang.Evaluate(lang.Default(), f)
	default:
		return usagef("unknown evaluation %q: semeval, tweets, sentirueval or lang", what)
	}
	if err != nil {
		return err
	}
	if o.asJSON {
		enc := json.NewEncoder(env.Stdout)
		return enc.Encode(result)
	}
	printEval(env.Stdout, result)
	return nil
}

func openData(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{err}
	}
	return f, nil
}

// evalEnricher builds the enricher the options describe.
func evalEnricher(env *Env, o evalOptions) (*enrich.Enricher, error) {
	var cfg config.Enrichment
	if o.config != "" {
		c, err := loadConfig(env, o.config)
		if err != nil {
			return nil, err
		}
		cfg = c.Enrichment
	}
	e, _, err := newEnricher(cfg, "")
	return e, err
}

func evalSemEval(env *Env, o evalOptions, path, reviewsPath string) (any, error) {
	if o.model != "" {
		m, err := learn.LoadFile(o.model)
		if err != nil {
			return nil, err
		}
		if o.lang == "" {
			// SemEval files do not say their language.
			if o.lang, err = majorityLanguage(path); err != nil {
				return nil, err
			}
		}
		ex, err := learn.ReadFile(path, o.lang)
		if err != nil {
			return nil, err
		}
		rep := learn.Evaluate(m, ex)
		out := eval.SemEvalReport{Lang: o.lang, Sentences: len(ex)}
		for _, lr := range rep.Langs {
			if out.Lang == "" {
				out.Lang = lr.Lang
			}
			if lr.Themes != nil {
				out.ThemePrecision, out.ThemeRecall, out.ThemeF1 = lr.Themes.Micro.Precision, lr.Themes.Micro.Recall, lr.Themes.Micro.F1
			}
			if lr.ThemePolarity != nil {
				out.PolarityAccuracy = lr.ThemePolarity.Accuracy
			}
		}
		return out, nil
	}
	e, err := evalEnricher(env, o)
	if err != nil {
		return nil, err
	}
	f, err := openData(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opts := eval.SemEvalOptions{Lang: o.lang}
	if reviewsPath != "" {
		rf, err := openData(reviewsPath)
		if err != nil {
			return nil, err
		}
		defer rf.Close()
		opts.Reviews = rf
	}
	return eval.SemEvalWith(f, e, opts)
}

func evalTweets(env *Env, o evalOptions, textsPath, labelsPath string) (any, error) {
	texts, err := openData(textsPath)
	if err != nil {
		return nil, err
	}
	defer texts.Close()
	labels, err := openData(labelsPath)
	if err != nil {
		return nil, err
	}
	defer labels.Close()
	if o.lang == "" {
		if o.lang, err = majorityLanguage(textsPath); err != nil {
			return nil, err
		}
	}
	if o.model != "" {
		m, err := learn.LoadFile(o.model)
		if err != nil {
			return nil, err
		}
		ex, err := learn.ReadTweets(texts, labels, o.lang)
		if err != nil {
			return nil, err
		}
		return modelSentimentReport(m, ex), nil
	}
	e, err := evalEnricher(env, o)
	if err != nil {
		return nil, err
	}
	return eval.Tweets(texts, labels, o.lang, e)
}

func evalSentiRuEval(env *Env, o evalOptions, path string) (any, error) {
	f, err := openData(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if o.model != "" {
		m, err := learn.LoadFile(o.model)
		if err != nil {
			return nil, err
		}
		ex, err := learn.ReadExamples(f, "sentirueval")
		if err != nil {
			return nil, err
		}
		return modelSentimentReport(m, ex), nil
	}
	e, err := evalEnricher(env, o)
	if err != nil {
		return nil, err
	}
	return eval.SentiRuEval(f, e)
}

// modelSentimentReport scores a model's sentiment head in the tweets
// report's form.
func modelSentimentReport(m *learn.Model, ex []learn.Example) eval.TweetReport {
	rep := learn.Evaluate(m, ex)
	var out eval.TweetReport
	for _, lr := range rep.Langs {
		s := lr.Sentiment
		if s == nil {
			continue
		}
		out.N, out.Accuracy, out.MacroF1 = s.N, s.Accuracy, s.MacroF1
		out.MacroF1PosNeg = (s.PerLabel["positive"].F1 + s.PerLabel["negative"].F1) / 2
	}
	return out
}

// majorityLanguage detects the language of most of the first lines of a
// text file.
func majorityLanguage(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usageError{err}
	}
	counts := map[string]int{}
	lines := strings.Split(string(b), "\n")
	for _, l := range lines[:min(len(lines), 300)] {
		if r := lang.Default().Detect(l, ""); r.Lang != "und" {
			counts[r.Lang]++
		}
	}
	best := ""
	for l, n := range counts {
		if best == "" || n > counts[best] {
			best = l
		}
	}
	if best == "" {
		return "", usagef("cannot tell the language of %s: give --lang", path)
	}
	return best, nil
}

// printEval writes a report as a table for people.
func printEval(w io.Writer, result any) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	pct := func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }
	switch r := result.(type) {
	case eval.SemEvalReport:
		fmt.Fprintf(tw, "language\t%s\n", r.Lang)
		fmt.Fprintf(tw, "sentences\t%d\n", r.Sentences)
		fmt.Fprintf(tw, "themes: precision\t%s\n", pct(r.ThemePrecision))
		fmt.Fprintf(tw, "themes: recall\t%s\n", pct(r.ThemeRecall))
		fmt.Fprintf(tw, "themes: F1\t%s\n", pct(r.ThemeF1))
		fmt.Fprintf(tw, "theme polarity: accuracy\t%s\n", pct(r.PolarityAccuracy))
	case eval.TweetReport:
		fmt.Fprintf(tw, "texts\t%d\n", r.N)
		fmt.Fprintf(tw, "accuracy\t%s\n", pct(r.Accuracy))
		fmt.Fprintf(tw, "macro-F1 (negative, neutral, positive)\t%s\n", pct(r.MacroF1))
		fmt.Fprintf(tw, "macro-F1 (positive, negative)\t%s\n", pct(r.MacroF1PosNeg))
	case lang.Report:
		fmt.Fprintf(tw, "texts\t%d\naccuracy\t%s\nund\t%s\n\nLANGUAGE\tTEXTS\tACCURACY\tUND\n", r.N, pct(r.Accuracy), pct(r.UndRate))
		for _, l := range sortedKeys(r.ByLang) {
			s := r.ByLang[l]
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", l, s.N, pct(s.Accuracy), pct(s.UndRate))
		}
		fmt.Fprint(tw, "\nSOURCE\tTEXTS\tACCURACY\tUND\n")
		for _, src := range sortedKeys(r.BySource) {
			s := r.BySource[src]
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", src, s.N, pct(s.Accuracy), pct(s.UndRate))
		}
	default:
		fmt.Fprintf(tw, "%+v\n", result)
	}
}
