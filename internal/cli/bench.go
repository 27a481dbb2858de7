package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/bench"
)

var benchCommand = command{
	name:    "bench",
	summary: "Measure this machine: bleve alone against Vigie's whole ingestion on N generated reviews, then searches, trends, the leaderboard and a re-crawl.",
	usage:   "bench [--n N] [--json] [--dir DIR [--keep]] [--config FILE] [--locations N] [--concurrency N] [--page-size N] [--repeat N] [--shards N [--bleve-only]] [--cpuprofile DIR] [--quiet]",
	run:     runBench,
}

func runBench(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	n := fs.Int("n", 100_000, "number of reviews to generate")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	dir := fs.String("dir", "", "working `folder`, empty or new; the ingested data folder stays there (default: a temporary folder, removed afterwards)")
	keep := fs.Bool("keep", false, "also keep bleve alone's index and the generated documents in --dir")
	cfgPath := fs.String("config", "", "configuration `file` whose enrichment (themes, model) to use (default: the built-in one)")
	locations := fs.Int("locations", 1000, "number of locations")
	concurrency := fs.Int("concurrency", 8, "sources collected at the same time during ingestion")
	pageSize := fs.Int("page-size", 200, "reviews per page handed over by the generated sources")
	repeat := fs.Int("repeat", 5, "times each query is measured")
	shards := fs.Int("shards", 0, "also index the documents into `N` shards by location and compare bleve searches on them with the single index")
	bleveOnly := fs.Bool("bleve-only", false, "stop after bleve alone (and the shard comparison): no ingestion, queries or re-crawl")
	quiet := fs.Bool("quiet", false, "no progress lines")
	profile := fs.String("cpuprofile", "", "write a CPU profile of each phase into `folder` (raw.pprof, ingest.pprof, ...)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *shards < 0 || *shards == 1 {
		return usagef("--shards must be 2 or more, got %d", *shards)
	}
	for name, v := range map[string]int{"--n": *n, "--locations": *locations, "--concurrency": *concurrency, "--page-size": *pageSize, "--repeat": *repeat} {
		if v <= 0 {
			return usagef("%s must be positive, got %d", name, v)
		}
	}
	if *keep && *dir == "" {
		return usagef("--keep needs --dir")
	}
	cfg := config.Default()
	if *cfgPath != "" {
		c, err := loadConfig(env, *cfgPath)
		if err != nil {
			return err
		}
		cfg = *c
	}
	log := newLogger(env.Stderr, config.Log{Level: "warn", Format: cfg.Log.Format})
	p, err := newPipeline(&cfg, log)
	if err != nil {
		return err
	}
	var progress io.Writer
	if !*quiet {
		progress = env.Stderr
		fmt.Fprintf(env.Stderr, "vigie bench: %d reviews, %d locations\n", *n, *locations)
	}
	res, err := bench.Run(ctx, bench.Options{
		N: *n, Locations: *locations, Dir: *dir, Keep: *keep,
		Concurrency: *concurrency, PageSize: *pageSize, Repeat: *repeat,
		Shards: *shards, BleveOnly: *bleveOnly, ProfileDir: *profile, Pipeline: p, Registry: env.Registry, Progress: progress, Logger: log.With(slog.String("command", "bench")),
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted")
		}
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printBench(env.Stdout, res)
	return nil
}

// printBench writes the result as a table, with the targets Vigie aims
// at for a million reviews on two cores.
func printBench(w io.Writer, r *bench.Result) {
	fmt.Fprintf(w, "vigie bench: %d reviews, %d locations, %d sources, %d cores, %s, %s\n\n", r.N, r.Locations, r.Sources, r.Cores, r.GoVersion, r.Date)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tvalue\ttarget at 1M\t")
	row := func(name, value, target string, met bool) {
		mark := ""
		if target != "" {
			mark = "met"
			if !met {
				mark = "missed"
			}
			target += " (" + mark + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, value, target)
	}
	row("bleve alone, reviews/s (raw_bleve_docs_per_s)", fmt.Sprintf("%.0f", r.RawBleveDocsPerS), "", true)
	if r.IngestDocsPerS == 0 { // --bleve-only
		row("peak memory, bleve alone (raw_peak_rss_mib)", fmt.Sprintf("%.0f MiB", r.RawPeakRSSMiB), "", true)
		tw.Flush()
		printShards(w, r)
		return
	}
	row("Vigie's ingestion, reviews/s (ingest_docs_per_s)", fmt.Sprintf("%.0f", r.IngestDocsPerS), "", true)
	row("ratio (ingest_ratio)", fmt.Sprintf("%.3f", r.IngestRatio), ">= 0.9", r.IngestRatio >= 0.9)
	row("peak memory, bleve alone (raw_peak_rss_mib)", fmt.Sprintf("%.0f MiB", r.RawPeakRSSMiB), "", true)
	row("peak memory, ingestion (ingest_peak_rss_mib)", fmt.Sprintf("%.0f MiB", r.IngestPeakRSSMiB), "<= 600 MiB", r.IngestPeakRSSMiB <= 600)
	row("  of which heap and stacks, bleve alone / ingestion", fmt.Sprintf("%.0f / %.0f MiB", r.RawPeakAnonMiB, r.IngestPeakAnonMiB), "", true)
	row("index size per review (index_bytes_per_review)", fmt.Sprintf("%.0f bytes", r.IndexBytesPerReview), "", true)
	row("archive size per review", fmt.Sprintf("%.0f bytes", r.ArchiveBytesPerReview), "", true)
	row("search p50 (search_p50_ms)", fmt.Sprintf("%.1f ms", r.SearchP50Ms), "", true)
	row("search p95 (search_p95_ms)", fmt.Sprintf("%.1f ms", r.SearchP95Ms), "<= 50 ms", r.SearchP95Ms <= 50)
	row("latest 20 reviews p95 (latest_p95_ms)", fmt.Sprintf("%.1f ms", r.LatestP95Ms), "<= 50 ms", r.LatestP95Ms <= 50)
	row("one-year weekly trend p50 (trend_p50_ms)", fmt.Sprintf("%.1f ms", r.TrendP50Ms), "", true)
	row("one-year weekly trend p95 (trend_p95_ms)", fmt.Sprintf("%.1f ms", r.TrendP95Ms), "<= 150 ms", r.TrendP95Ms <= 150)
	row(fmt.Sprintf("leaderboard of %d locations (leaderboard_ms)", r.Locations), fmt.Sprintf("%.1f ms", r.LeaderboardMs), "<= 500 ms", r.LeaderboardMs <= 500)
	row("re-crawl of an unchanged source, pages (recrawl_pages)", fmt.Sprintf("%d (first crawl: %d)", r.RecrawlPages, r.FirstCrawlPages), "", true)
	tw.Flush()

	printShards(w, r)
	fmt.Fprintf(w, "\nTimes: prepare %.1f s, bleve alone %.1f s, ingestion %.1f s, warming the aggregation columns %.1f s.\n", r.PrepareSeconds, r.RawSeconds, r.IngestSeconds, r.WarmSeconds)
	fmt.Fprintln(w, "\nSearches (median):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range r.Searches {
		fmt.Fprintf(tw, "  %s\t%.1f ms\t%d matches\t\n", s.Query, s.P50Ms, s.Hits)
	}
	tw.Flush()
	if len(r.IngestCurve) > 1 {
		fmt.Fprintln(w, "\nRate as the index grows (reviews/s over each tenth):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  reviews\tbleve alone\tingestion\t")
		for i, p := range r.IngestCurve {
			raw := ""
			if i < len(r.RawCurve) {
				raw = fmt.Sprintf("%.0f", r.RawCurve[i].DocsPerSec)
			}
			fmt.Fprintf(tw, "  %d\t%s\t%.0f\t\n", p.Docs, raw, p.DocsPerSec)
		}
		tw.Flush()
	}
	if r.N < 1_000_000 {
		fmt.Fprintln(w, "\n"+strings.TrimSpace(`
The targets are for 1,000,000 reviews on two cores; smaller runs are faster.
Run `+"`vigie bench --n 1000000`"+` to compare (about 15 minutes, 2 GB of disk).`))
	}
}

func printShards(w io.Writer, r *bench.Result) {
	sh := r.Shards
	if sh == nil {
		return
	}
	fmt.Fprintf(w, "\nShards: %d indexes by location, one writer each: %.0f reviews/s (one index: %.0f), peak memory %.0f MiB (one index: %.0f).\n",
		sh.Shards, sh.DocsPerS, r.RawBleveDocsPerS, sh.PeakRSSMiB, r.RawPeakRSSMiB)
	fmt.Fprintf(w, "Bleve searches with facets: one index p50 %.1f ms, p95 %.1f ms; %d shards p50 %.1f ms, p95 %.1f ms.\n",
		sh.SingleSearchP50, sh.SingleSearchP95, sh.Shards, sh.ShardedSearchP50, sh.ShardedSearchP95)
}
