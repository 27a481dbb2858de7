package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
	"github.com/vigie-dev/vigie/internal/ingest"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/store"
)

// ReindexOptions tune Reindex.
type ReindexOptions struct {
	Logger *slog.Logger
	// Pipeline holds the current language detector and enrichers.
	Pipeline *pipeline.Pipeline
	// Progress reports the rebuild's progress.
	Progress ingest.Progress
	// Waiting is called when the swap waits for another process.
	Waiting func(msg string)
	// HandoverWait bounds the wait for a serving process to switch to the
	// new index (default 1m).
	HandoverWait time.Duration
	// Now is the clock (names the new folder).
	Now func() time.Time
}

// ReindexResult says what Reindex did.
type ReindexResult struct {
	// Dir is the new index's folder; Previous the one it replaced.
	Dir, Previous string
	Stats         ingest.RebuildStats
	// HandedOver: a running `vigie serve` switched to the new index (it
	// applied what it archived during the rebuild and removed the previous
	// index).
	HandedOver bool
	// Pending: a running `vigie serve` was told but had not switched yet
	// when the wait ended; it will.
	Pending bool
}

// Reindex rebuilds the index of cfg from the archive with the current
// enrichment, in a new folder beside the current index, which keeps
// answering searches meanwhile; once complete, the new index becomes the
// current one. A running `vigie serve` switches to it by itself, after
// applying what it archived during the rebuild.
func Reindex(ctx context.Context, cfg *config.Config, opts ReindexOptions) (ReindexResult, error) {
	var res ReindexResult
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.HandoverWait <= 0 {
		opts.HandoverWait = time.Minute
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return res, err
	}
	lock, err := store.Lock(ReindexLockPath(cfg), 100*time.Millisecond)
	if err != nil {
		if errors.Is(err, store.ErrBusy) {
			return res, fmt.Errorf("another `vigie reindex` is running on %s", cfg.DataDir)
		}
		return res, err
	}
	defer lock.Unlock()

	// Bring the archive up to date first when nobody else holds the data:
	// recovery after a crash, and the first copy of an index older than
	// the archive. A running service has done it at its start.
	if st, err := store.Open(StatePath(cfg), store.Options{Command: "vigie reindex", Timeout: 100 * time.Millisecond}); err == nil {
		st.Close()
		svc, err := Open(ctx, cfg, Options{Logger: log, Pipeline: opts.Pipeline, Command: "vigie reindex"})
		if err != nil {
			return res, err
		}
		if err := svc.Close(); err != nil {
			return res, err
		}
	} else if !errors.Is(err, store.ErrLocked) {
		return res, err
	}

	cur, err := index.Current(cfg.DataDir)
	if err != nil {
		return res, err
	}
	res.Previous = filepath.Join(cfg.DataDir, cur)
	// Folders of interrupted rebuilds.
	if names, err := index.Versions(cfg.DataDir); err == nil {
		for _, n := range names {
			if n != cur && n != index.DefaultName {
				_ = os.RemoveAll(filepath.Join(cfg.DataDir, n))
			}
		}
	}
	name := index.NewVersionName(now())
	res.Dir = filepath.Join(cfg.DataDir, name)
	x, err := index.Open(res.Dir)
	if err != nil {
		return res, err
	}
	discard := func() {
		x.Close()
		os.RemoveAll(res.Dir)
	}
	p := opts.Pipeline
	if p == nil {
		p = &pipeline.Pipeline{}
	}
	applier := &ingest.Applier{Enrich: p.Enrich}
	res.Stats, err = applier.Rebuild(ctx, ArchiveDir(cfg), x, opts.Progress)
	if err != nil {
		discard()
		return res, err
	}
	if res.Stats.Records == 0 {
		discard()
		return res, fmt.Errorf("the archive in %s is empty: nothing to rebuild from (collect first: vigie crawl)", ArchiveDir(cfg))
	}
	log.Info("index rebuilt", "dir", name, "records", res.Stats.Records, "reviews", res.Stats.Reviews,
		"seconds", res.Stats.Elapsed.Seconds(), "archive_seq", res.Stats.Last)

	// The swap.
	for waited := false; ; {
		st, err := store.Open(StatePath(cfg), store.Options{Command: "vigie reindex", Timeout: 100 * time.Millisecond})
		if err == nil {
			// Nobody else: apply what came in since, and switch.
			_, cerr := applier.CatchUp(ctx, ArchiveDir(cfg), x)
			if cerr == nil {
				cerr = x.Close()
			}
			if cerr == nil {
				cerr = index.SetCurrent(cfg.DataDir, name)
			}
			st.Close()
			if cerr != nil {
				discard()
				return res, cerr
			}
			if err := os.RemoveAll(res.Previous); err != nil {
				log.Warn("removing the previous index", "dir", res.Previous, "err", err)
			}
			return res, nil
		}
		var le *store.LockedError
		if !errors.As(err, &le) {
			discard()
			return res, err
		}
		if le.Owner != nil && servesIndex(le.Owner.Command) {
			// A serving process switches by itself when the pointer
			// changes, applying what it archived in the meantime.
			if err := x.Close(); err != nil {
				os.RemoveAll(res.Dir)
				return res, err
			}
			if err := index.SetCurrent(cfg.DataDir, name); err != nil {
				os.RemoveAll(res.Dir)
				return res, err
			}
			if opts.Waiting != nil {
				opts.Waiting(fmt.Sprintf("waiting for %s (pid %d) to switch to the new index", le.Owner.Command, le.Owner.PID))
			}
			deadline := time.Now().Add(opts.HandoverWait)
			for time.Now().Before(deadline) {
				if _, err := os.Stat(res.Previous); errors.Is(err, os.ErrNotExist) {
					res.HandedOver = true
					return res, nil
				}
				select {
				case <-ctx.Done():
					res.Pending = true
					return res, nil
				case <-time.After(200 * time.Millisecond):
				}
			}
			res.Pending = true
			return res, nil
		}
		// Another command (a crawl) holds the data for a while: wait.
		if !waited && opts.Waiting != nil {
			who := "another Vigie process"
			if le.Owner != nil {
				who = fmt.Sprintf("%s (pid %d)", le.Owner.Command, le.Owner.PID)
			}
			opts.Waiting("waiting for " + who + " to finish before switching to the new index")
		}
		waited = true
		select {
		case <-ctx.Done():
			discard()
			return res, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// servesIndex reports whether the process command watches for rebuilt
// indexes.
func servesIndex(command string) bool {
	return strings.Contains(command, "serve") || strings.Contains(command, "demo")
}

// ArchiveLast returns the last sequence number of the archive of cfg.
func ArchiveLast(cfg *config.Config) (uint64, error) { return archive.Last(ArchiveDir(cfg)) }
