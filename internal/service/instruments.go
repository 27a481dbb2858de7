package service

import (
	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/collect"
	"github.com/vigie-dev/vigie/internal/metrics"
)

// instruments are the service's metrics.
type instruments struct {
	runs        *metrics.CounterVec
	duration    *metrics.HistogramVec
	pages       *metrics.CounterVec
	pagesFailed *metrics.CounterVec
	reviews     *metrics.CounterVec
	errors      *metrics.CounterVec
	skipped     *metrics.CounterVec
	running     *metrics.GaugeVec
	batches     *metrics.CounterVec
	swaps       *metrics.CounterVec
	lastSuccess *metrics.GaugeVec
	up          *metrics.GaugeVec
}

func (s *Service) newInstruments() *instruments {
	r := s.Metrics
	m := &instruments{
		runs:        r.NewCounter("vigie_runs_total", "Runs of sources, by source kind and outcome (ok, errors, failed, interrupted).", "kind", "outcome"),
		duration:    r.NewHistogram("vigie_run_duration_seconds", "Duration of runs of sources, by source kind.", metrics.ExponentialBuckets(0.1, 2, 14), "kind"),
		pages:       r.NewCounter("vigie_pages_total", "Pages (or API responses) fetched, by source kind.", "kind"),
		pagesFailed: r.NewCounter("vigie_pages_failed_total", "Pages that could not be fetched or read, by source kind.", "kind"),
		reviews:     r.NewCounter("vigie_reviews_total", "Reviews collected, by source kind and outcome (new, updated, unchanged, deleted, skipped, duplicate).", "kind", "outcome"),
		errors:      r.NewCounter("vigie_errors_total", "Errors of runs (failed pages, failed runs), by source kind.", "kind"),
		skipped:     r.NewCounter("vigie_runs_skipped_total", "Scheduled runs skipped because the previous run of the source was still going.", "kind"),
		running:     r.NewGauge("vigie_runs_in_progress", "Runs in progress, by source kind.", "kind"),
		batches:     r.NewCounter("vigie_batches_committed_total", "Batches of reviews made durable (archived, indexed, recorded)."),
		swaps:       r.NewCounter("vigie_index_swaps_total", "Rebuilt indexes swapped in while serving."),
		lastSuccess: r.NewGauge("vigie_source_last_success_timestamp_seconds", "When each source last ran without error (Unix time).", "source"),
		up:          r.NewGauge("vigie_source_up", "1 if the last run of the source had no error, else 0.", "source"),
	}
	r.NewGaugeFunc("vigie_index_documents", "Reviews in the index.", func() float64 {
		n, err := s.Index.Count()
		if err != nil {
			return -1
		}
		return float64(n)
	})
	r.NewGaugeFunc("vigie_archive_last_seq", "Sequence number of the last record of the raw archive.", func() float64 {
		return float64(s.Archive.Last())
	})
	r.NewGaugeFunc("vigie_scheduler_queue_depth", "Runs due and waiting for a free slot (crawler.concurrency, scheduler.per_host).", func() float64 {
		if sc := s.scheduler(); sc != nil {
			return float64(sc.QueueDepth())
		}
		return 0
	})
	r.NewGaugeFunc("vigie_sources", "Sources scheduled.", func() float64 {
		n := 0
		for _, src := range s.sources {
			if src.IsEnabled() {
				n++
			}
		}
		return float64(n)
	})
	version := s.opts.Version
	if version == "" {
		version = "dev"
	}
	r.NewGauge("vigie_build_info", "Vigie's version.", "version").With(version).Set(1)
	r.RegisterProcess()
	// Sources already known show their last success from the start.
	if states, err := s.State.Sources(); err == nil {
		for _, st := range states {
			if _, ok := s.sources[st.ID]; !ok {
				continue
			}
			if !st.LastSuccess.IsZero() {
				m.lastSuccess.With(st.ID).Set(float64(st.LastSuccess.Unix()))
			}
		}
	}
	return m
}

func (m *instruments) observe(src config.Source, sum collect.Summary) {
	k := src.Kind
	m.runs.With(k, sum.Outcome()).Inc()
	m.duration.With(k).Observe(sum.Duration.Seconds())
	m.pages.With(k).Add(float64(sum.Pages))
	m.pagesFailed.With(k).Add(float64(sum.PagesFailed))
	for outcome, n := range map[string]int{"new": sum.New, "updated": sum.Updated, "unchanged": sum.Unchanged, "deleted": sum.Deleted, "skipped": sum.Skipped, "duplicate": sum.Duplicates} {
		m.reviews.With(k, outcome).Add(float64(n))
	}
	errs := len(sum.Errors)
	if sum.Err != "" && sum.Err != "interrupted" {
		errs++
	}
	m.errors.With(k).Add(float64(errs))
	if sum.Outcome() == "interrupted" {
		return
	}
	if sum.OK() {
		m.up.With(src.ID).Set(1)
		m.lastSuccess.With(src.ID).Set(float64(sum.Start.Add(sum.Duration).Unix()))
	} else {
		m.up.With(src.ID).Set(0)
	}
}
