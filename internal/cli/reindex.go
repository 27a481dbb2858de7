package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/internal/service"
)

var reindexCommand = command{
	name:    "reindex",
	summary: "Rebuild the index from the raw archive with the current enrichment, beside the current index (which keeps answering), then switch to it.",
	usage:   "reindex --config FILE [--quiet]",
	run:     runReindex,
}

func runReindex(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	cfgPath := fs.String("config", "", "configuration `file`")
	quiet := fs.Bool("quiet", false, "no progress bar")
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
	lc := cfg.Log
	if lc.Level == "debug" || lc.Level == "info" {
		lc.Level = "warn"
	}
	log := newLogger(env.Stderr, lc)
	p, err := newPipeline(cfg, log)
	if err != nil {
		return err
	}
	bar := newProgressBar(env.Stderr, isTerminal(env.Stderr), *quiet)
	res, err := service.Reindex(ctx, cfg, service.ReindexOptions{
		Logger:   log,
		Pipeline: p,
		Progress: bar.update,
		Waiting: func(msg string) {
			bar.finish()
			fmt.Fprintln(env.Stderr, msg+"...")
		},
	})
	bar.finish()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: the current index is unchanged")
		}
		return err
	}
	st := res.Stats
	rate := float64(st.Records) / max(st.Elapsed.Seconds(), 1e-9)
	fmt.Fprintf(env.Stdout, "Rebuilt the index from %d archive records: %d reviews in %s (%.0f records/s).\n",
		st.Records, st.Reviews, st.Elapsed.Round(10*time.Millisecond), rate)
	switch {
	case res.HandedOver:
		fmt.Fprintf(env.Stdout, "The running Vigie switched to it: %s\n", res.Dir)
	case res.Pending:
		fmt.Fprintf(env.Stdout, "It is now the current index (%s); the running Vigie switches to it within seconds.\n", res.Dir)
	default:
		fmt.Fprintf(env.Stdout, "It is now the current index: %s\n", res.Dir)
	}
	return nil
}

// progressBar draws a rebuild's progress on a terminal (one line, redrawn)
// or, elsewhere, writes a line every few seconds.
type progressBar struct {
	w           io.Writer
	tty, quiet  bool
	mu          sync.Mutex
	start, last time.Time
	drawn       bool
	done, total uint64
}

func newProgressBar(w io.Writer, tty, quiet bool) *progressBar {
	return &progressBar{w: w, tty: tty, quiet: quiet, start: time.Now()}
}

func (b *progressBar) update(done, total uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done, b.total = done, total
	if b.quiet {
		return
	}
	every := 5 * time.Second
	if b.tty {
		every = 100 * time.Millisecond
	}
	if time.Since(b.last) < every && done < total {
		return
	}
	b.last = time.Now()
	b.draw()
}

func (b *progressBar) draw() {
	line := progressLine(b.done, b.total, time.Since(b.start))
	if b.tty {
		fmt.Fprintf(b.w, "\r%s\x1b[K", line)
	} else {
		fmt.Fprintln(b.w, line)
	}
	b.drawn = true
}

func (b *progressBar) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.quiet || !b.drawn {
		return
	}
	if b.tty {
		b.draw()
		fmt.Fprintln(b.w)
	}
	b.drawn = false
}

// progressLine renders "[#####.....]  45%  1234/2760 records  820/s  ETA 2s".
func progressLine(done, total uint64, elapsed time.Duration) string {
	const width = 30
	frac := 1.0
	if total > 0 {
		frac = min(float64(done)/float64(total), 1)
	}
	filled := int(frac * width)
	rate := float64(done) / max(elapsed.Seconds(), 1e-3)
	eta := "-"
	if rate > 0 && done < total {
		eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second).String()
	} else if done >= total {
		eta = "0s"
	}
	return fmt.Sprintf("[%s%s] %3.0f%%  %d/%d records  %.0f/s  ETA %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100, done, total, rate, eta)
}
