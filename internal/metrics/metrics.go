// Package metrics is a small, dependency-free implementation of the
// Prometheus text exposition format (version 0.0.4): counters, gauges and
// histograms with labels, and gauges read from a function at scrape time.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Registry holds metric families and writes them out.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{families: map[string]*family{}} }

type kind string

const (
	counterKind   kind = "counter"
	gaugeKind     kind = "gauge"
	histogramKind kind = "histogram"
)

type family struct {
	name, help string
	kind       kind
	labels     []string
	buckets    []float64

	mu     sync.Mutex
	series map[string]*series // by joined label values
	fn     func() float64     // gauge func
	fnVec  func() map[string]float64
}

type series struct {
	values []string
	value  float64
	// histogram
	counts []uint64
	sum    float64
	count  uint64
}

func (r *Registry) register(f *family) *family {
	if !validName(f.name) {
		panic(fmt.Sprintf("metrics: bad metric name %q", f.name))
	}
	for _, l := range f.labels {
		if !validName(l) || strings.HasPrefix(l, "__") {
			panic(fmt.Sprintf("metrics: bad label name %q", l))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.families[f.name]; ok {
		panic(fmt.Sprintf("metrics: %s registered twice", f.name))
	}
	f.series = map[string]*series{}
	r.families[f.name] = f
	return f
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		ok := c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			return false
		}
	}
	return true
}

func (f *family) with(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.series[key]
	if !ok {
		s = &series{values: append([]string(nil), values...)}
		if f.kind == histogramKind {
			s.counts = make([]uint64, len(f.buckets))
		}
		f.series[key] = s
	}
	return s
}

// Counter is a value that only goes up.
type Counter struct {
	f *family
	s *series
}

// Inc adds 1.
func (c Counter) Inc() { c.Add(1) }

// Add adds v, which must not be negative.
func (c Counter) Add(v float64) {
	if v < 0 {
		return
	}
	c.f.mu.Lock()
	c.s.value += v
	c.f.mu.Unlock()
}

// CounterVec is a counter with labels.
type CounterVec struct{ f *family }

// NewCounter registers a counter family.
func (r *Registry) NewCounter(name, help string, labels ...string) *CounterVec {
	return &CounterVec{r.register(&family{name: name, help: help, kind: counterKind, labels: labels})}
}

// With returns the counter of the given label values.
func (v *CounterVec) With(values ...string) Counter { return Counter{v.f, v.f.with(values)} }

// Gauge is a value that goes up and down.
type Gauge struct {
	f *family
	s *series
}

// Set sets the value.
func (g Gauge) Set(v float64) {
	g.f.mu.Lock()
	g.s.value = v
	g.f.mu.Unlock()
}

// Add adds v (negative to subtract).
func (g Gauge) Add(v float64) {
	g.f.mu.Lock()
	g.s.value += v
	g.f.mu.Unlock()
}

// GaugeVec is a gauge with labels.
type GaugeVec struct{ f *family }

// NewGauge registers a gauge family.
func (r *Registry) NewGauge(name, help string, labels ...string) *GaugeVec {
	return &GaugeVec{r.register(&family{name: name, help: help, kind: gaugeKind, labels: labels})}
}

// With returns the gauge of the given label values.
func (v *GaugeVec) With(values ...string) Gauge { return Gauge{v.f, v.f.with(values)} }

// Delete removes the series of the given label values.
func (v *GaugeVec) Delete(values ...string) {
	v.f.mu.Lock()
	delete(v.f.series, strings.Join(values, "\xff"))
	v.f.mu.Unlock()
}

// NewGaugeFunc registers a gauge without labels whose value fn returns at
// each scrape. fn must be safe for concurrent use and quick.
func (r *Registry) NewGaugeFunc(name, help string, fn func() float64) {
	r.register(&family{name: name, help: help, kind: gaugeKind, fn: fn})
}

// NewCounterFunc registers a counter without labels read from fn.
func (r *Registry) NewCounterFunc(name, help string, fn func() float64) {
	r.register(&family{name: name, help: help, kind: counterKind, fn: fn})
}

// Histogram counts observations in buckets.
type Histogram struct {
	f *family
	s *series
}

// Observe records v.
func (h Histogram) Observe(v float64) {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	for i, b := range h.f.buckets {
		if v <= b {
			h.s.counts[i]++
		}
	}
	h.s.sum += v
	h.s.count++
}

// HistogramVec is a histogram with labels.
type HistogramVec struct{ f *family }

// NewHistogram registers a histogram family with the given upper bounds
// (sorted; +Inf is implied).
func (r *Registry) NewHistogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	b := append([]float64(nil), buckets...)
	sort.Float64s(b)
	for _, l := range labels {
		if l == "le" {
			panic("metrics: a histogram cannot have a label called le")
		}
	}
	return &HistogramVec{r.register(&family{name: name, help: help, kind: histogramKind, labels: labels, buckets: b})}
}

// With returns the histogram of the given label values.
func (v *HistogramVec) With(values ...string) Histogram { return Histogram{v.f, v.f.with(values)} }

// ExponentialBuckets returns count bounds from start, each factor times
// the previous.
func ExponentialBuckets(start, factor float64, count int) []float64 {
	out := make([]float64, count)
	for i := range out {
		out[i] = start
		start *= factor
	}
	return out
}

// WriteText writes every family in the text exposition format, sorted by
// name and label values.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	sort.Slice(fams, func(i, j int) bool { return fams[i].name < fams[j].name })
	bw := bufio.NewWriter(w)
	for _, f := range fams {
		f.write(bw)
	}
	return bw.Flush()
}

func (f *family) write(w *bufio.Writer) {
	if f.fn != nil {
		v := f.fn()
		f.header(w)
		writeSample(w, f.name, nil, nil, v)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.series) == 0 && len(f.labels) > 0 {
		return
	}
	f.header(w)
	if len(f.series) == 0 {
		// A family without labels shows 0 until it is used.
		if f.kind == histogramKind {
			f.series[""] = &series{counts: make([]uint64, len(f.buckets))}
		} else {
			writeSample(w, f.name, nil, nil, 0)
			return
		}
	}
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := f.series[k]
		if f.kind != histogramKind {
			writeSample(w, f.name, f.labels, s.values, s.value)
			continue
		}
		names := append(append([]string(nil), f.labels...), "le")
		for i, b := range f.buckets {
			writeSample(w, f.name+"_bucket", names, append(append([]string(nil), s.values...), formatFloat(b)), float64(s.counts[i]))
		}
		writeSample(w, f.name+"_bucket", names, append(append([]string(nil), s.values...), "+Inf"), float64(s.count))
		writeSample(w, f.name+"_sum", f.labels, s.values, s.sum)
		writeSample(w, f.name+"_count", f.labels, s.values, float64(s.count))
	}
}

func (f *family) header(w *bufio.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.kind)
}

func writeSample(w *bufio.Writer, name string, labels, values []string, v float64) {
	w.WriteString(name)
	if len(labels) > 0 {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l)
			w.WriteString(`="`)
			w.WriteString(escapeLabel(values[i]))
			w.WriteByte('"')
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// Handler serves the registry at a scrape.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		_ = r.WriteText(w)
	})
}

// RegisterProcess adds the usual Go and process metrics: goroutines, heap,
// resident memory (on Linux), start time.
func (r *Registry) RegisterProcess() {
	start := float64(time.Now().Unix())
	r.NewGaugeFunc("go_goroutines", "Number of goroutines that currently exist.", func() float64 {
		return float64(runtime.NumGoroutine())
	})
	var mu sync.Mutex
	var ms runtime.MemStats
	var read time.Time
	mem := func() *runtime.MemStats {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(read) > time.Second {
			runtime.ReadMemStats(&ms)
			read = time.Now()
		}
		return &ms
	}
	r.NewGaugeFunc("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", func() float64 {
		return float64(mem().HeapInuse)
	})
	r.NewGaugeFunc("go_memstats_sys_bytes", "Number of bytes obtained from the system.", func() float64 {
		return float64(mem().Sys)
	})
	r.NewGaugeFunc("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", func() float64 {
		return start
	})
	if _, err := os.Stat("/proc/self/statm"); err == nil {
		r.NewGaugeFunc("process_resident_memory_bytes", "Resident memory size in bytes.", func() float64 {
			return float64(ResidentMemory())
		})
	}
}

// ResidentMemory returns the process's resident set size in bytes on
// Linux, 0 elsewhere.
func ResidentMemory() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
