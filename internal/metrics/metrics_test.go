package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := NewRegistry()
	c := r.NewCounter("vigie_runs_total", "Runs.\nBy kind.", "kind", "outcome")
	c.With("schemaorg", "ok").Inc()
	c.With("schemaorg", "ok").Add(2)
	c.With(`we"ird\kind`, "failed").Inc()
	g := r.NewGauge("vigie_up", "Up.", "source")
	g.With("a").Set(1)
	g.With("b").Set(0)
	g.Delete("b")
	h := r.NewHistogram("vigie_run_duration_seconds", "Durations.", []float64{1, 0.5}, "kind")
	h.With("x").Observe(0.2)
	h.With("x").Observe(0.7)
	h.With("x").Observe(3)
	r.NewGaugeFunc("vigie_index_documents", "Docs.", func() float64 { return 42 })
	r.NewCounter("vigie_plain_total", "Never used.")
	r.NewCounter("vigie_unused_total", "Never used, with labels.", "kind")
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP vigie_index_documents Docs.
# TYPE vigie_index_documents gauge
vigie_index_documents 42
# HELP vigie_plain_total Never used.
# TYPE vigie_plain_total counter
vigie_plain_total 0
# HELP vigie_run_duration_seconds Durations.
# TYPE vigie_run_duration_seconds histogram
vigie_run_duration_seconds_bucket{kind="x",le="0.5"} 1
vigie_run_duration_seconds_bucket{kind="x",le="1"} 2
vigie_run_duration_seconds_bucket{kind="x",le="+Inf"} 3
vigie_run_duration_seconds_sum{kind="x"} 3.9
vigie_run_duration_seconds_count{kind="x"} 3
# HELP vigie_runs_total Runs.\nBy kind.
# TYPE vigie_runs_total counter
vigie_runs_total{kind="schemaorg",outcome="ok"} 3
vigie_runs_total{kind="we\"ird\\kind",outcome="failed"} 1
# HELP vigie_up Up.
# TYPE vigie_up gauge
vigie_up{source="a"} 1
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Header().Get("Content-Type") != ContentType || !strings.Contains(rec.Body.String(), "vigie_up") {
		t.Errorf("handler: %v", rec.Header())
	}
	rec = httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/metrics", nil))
	if rec.Code != 405 {
		t.Errorf("POST: %d", rec.Code)
	}
}

func TestProcessMetrics(t *testing.T) {
	r := NewRegistry()
	r.RegisterProcess()
	var b strings.Builder
	r.WriteText(&b)
	for _, m := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "process_start_time_seconds"} {
		if !strings.Contains(b.String(), "\n"+m+" ") && !strings.HasPrefix(b.String(), m) {
			t.Errorf("missing %s", m)
		}
	}
}

func TestBadNamesPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a bad name")
		}
	}()
	NewRegistry().NewCounter("bad-name", "x")
}
