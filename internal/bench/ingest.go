package bench

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/ingest"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/service"
)

const brandID = "bench"

func (b *runner) source(s int) config.Source {
	l, k := s/len(sourceKinds), s%len(sourceKinds)
	return config.Source{ID: sourceID(l, k), Kind: "bench", Brand: brandID, Location: locationID(l)}
}

// prepare generates the reviews, prepares and enriches them as the
// pipeline does, and writes them, source by source, to documents.gob for
// the raw phase.
func (b *runner) prepare(ctx context.Context) error {
	start := time.Now()
	b.bySource = b.gen.bySource()
	type job struct {
		src  []int // source of each review
		ids  []int32
		out  []review.Review
		done chan struct{}
	}
	jobs := make(chan *job)
	order := make(chan *job, 2*runtime.GOMAXPROCS(0))
	go func() {
		defer close(jobs)
		defer close(order)
		j := &job{done: make(chan struct{})}
		flush := func() bool {
			if ctx.Err() != nil {
				return false
			}
			order <- j
			jobs <- j
			j = &job{done: make(chan struct{})}
			return true
		}
		for s, ids := range b.bySource {
			for _, i := range ids {
				j.src = append(j.src, s)
				j.ids = append(j.ids, i)
				if len(j.ids) == index.BatchSize && !flush() {
					return
				}
			}
		}
		if len(j.ids) > 0 {
			flush()
		}
	}()
	fetched := time.Now().UTC().Truncate(time.Second)
	p := b.opts.Pipeline
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for j := range jobs {
				j.out = make([]review.Review, 0, len(j.ids))
				for k, i := range j.ids {
					r := b.gen.review(int(i))
					if pipeline.Prepare(&r, b.source(j.src[k]), fetched) {
						p.Enrich(&r)
						j.out = append(j.out, r)
					}
				}
				close(j.done)
			}
		}()
	}
	f, err := os.Create(b.path("documents.gob"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := gob.NewEncoder(w)
	n := 0
	for j := range order {
		<-j.done
		if err := enc.Encode(j.out); err != nil {
			f.Close()
			return err
		}
		n += len(j.out)
		if n%(max(b.opts.N/10, index.BatchSize)) < len(j.out) {
			b.progress("prepare: %d of %d reviews generated and enriched", n, b.opts.N)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b.res.PrepareSeconds = round(time.Since(start).Seconds(), 2)
	return nil
}

// readDocuments hands the chunks of documents.gob to fn, in order.
func (b *runner) readDocuments(ctx context.Context, fn func([]review.Review)) error {
	f, err := os.Open(b.path("documents.gob"))
	if err != nil {
		return err
	}
	defer f.Close()
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	for ctx.Err() == nil {
		var chunk []review.Review
		if err := dec.Decode(&chunk); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		fn(chunk)
	}
	return ctx.Err()
}

// curve records the rate over each tenth of a phase.
type curve struct {
	mu     sync.Mutex
	step   int
	next   int
	lastN  int
	lastT  time.Time
	start  time.Time
	points []Point
}

func newCurve(n int) *curve {
	step := max(n/10, 1)
	now := time.Now()
	return &curve{step: step, next: step, start: now, lastT: now}
}

// add notes that done reviews are written; it reports a new point.
func (c *curve) add(done int) (Point, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if done < c.next {
		return Point{}, false
	}
	now := time.Now()
	d := now.Sub(c.lastT).Seconds()
	p := Point{Docs: done, Seconds: round(now.Sub(c.start).Seconds(), 2)}
	if d > 0 {
		p.DocsPerSec = round(float64(done-c.lastN)/d, 0)
	}
	c.points = append(c.points, p)
	c.lastN, c.lastT = done, now
	for c.next <= done {
		c.next += c.step
	}
	return p, true
}

// raw indexes documents.gob with bleve alone: Vigie's mapping and
// document, batches of index.BatchSize, one writer, as the ingest path
// writes.
func (b *runner) raw(ctx context.Context) error {
	pk := startPeakRSS()
	start := time.Now()
	x, err := index.Open(b.path("raw"))
	if err != nil {
		return err
	}
	chunks := make(chan []review.Review, 2)
	decodeErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		decodeErr <- b.readDocuments(ctx, func(chunk []review.Review) { chunks <- chunk })
	}()
	cv := newCurve(b.opts.N)
	n := 0
	var werr error
	for chunk := range chunks {
		if werr != nil {
			continue // drain
		}
		if werr = x.UpsertAt(ctx, chunk, 0); werr != nil {
			continue
		}
		n += len(chunk)
		if p, ok := cv.add(n); ok {
			b.progress("raw bleve: %d reviews indexed, %.0f/s", p.Docs, p.DocsPerSec)
		}
	}
	if err := errors.Join(werr, x.Close()); err != nil {
		return err
	}
	if err := <-decodeErr; err != nil {
		return err
	}
	elapsed := time.Since(start)
	b.res.RawSeconds = round(elapsed.Seconds(), 2)
	b.res.RawBleveDocsPerS = round(float64(n)/elapsed.Seconds(), 0)
	b.res.RawPeakRSSMiB, b.res.RawStartRSSMiB = pk.Stop()
	b.res.RawPeakAnonMiB = pk.Anon()
	b.res.RawCurve = cv.points
	if !b.opts.Keep && b.opts.Shards < 2 {
		b.cleanRaw()
	}
	return nil
}

// cleanRaw removes what only the bleve-alone phases need.
func (b *runner) cleanRaw() {
	os.RemoveAll(b.path("raw"))
	os.Remove(b.path("documents.gob"))
	for i := range b.opts.Shards {
		os.RemoveAll(b.path(fmt.Sprintf("shard-%d", i)))
	}
}

// ingest collects the same reviews through Vigie's whole path.
func (b *runner) ingest(ctx context.Context) error {
	reg := connectors.NewRegistry()
	err := reg.Add(connectors.Kind{
		Name:      "bench",
		Summary:   "generated reviews (vigie bench)",
		NewParams: func() any { return &struct{}{} },
		New:       b.newConnector,
	})
	if err != nil {
		return err
	}
	cfgPath := b.path("vigie.yaml")
	if err := os.WriteFile(cfgPath, b.configYAML(), 0o644); err != nil {
		return err
	}
	cfg, err := config.Load(cfgPath, reg)
	if err != nil {
		return err
	}
	p := *b.opts.Pipeline
	p.Journal, p.Store = nil, nil
	b.srcIndex = map[string]int{}
	for s := range b.gen.sources() {
		b.srcIndex[b.source(s).ID] = s
	}

	pk := startPeakRSS()
	start := time.Now()
	svc, err := service.Open(ctx, cfg, service.Options{Registry: reg, Logger: b.opts.Logger, Pipeline: &p, Command: "vigie bench"})
	if err != nil {
		return err
	}
	cv := newCurve(b.opts.N)
	var mu sync.Mutex
	written := 0
	svc.OnBatch(func(ev ingest.Event) {
		mu.Lock()
		written += ev.New + ev.Updated
		n := written
		mu.Unlock()
		if p, ok := cv.add(n); ok {
			b.progress("ingest: %d reviews collected, enriched, archived and indexed, %.0f/s", p.Docs, p.DocsPerSec)
		}
	})
	sums := svc.RunAll(ctx, cfg.Sources())
	closeErr := svc.Close()
	elapsed := time.Since(start)
	b.res.IngestPeakRSSMiB, b.res.IngestStartRSSMiB = pk.Stop()
	b.res.IngestPeakAnonMiB = pk.Anon()
	if closeErr != nil {
		return closeErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	found := 0
	var firstErr string
	for _, s := range sums {
		found += s.New + s.Updated
		if !s.OK() {
			b.res.Errors++
			if firstErr == "" {
				firstErr = s.Source + ": " + s.Err + strings.Join(s.Errors, "; ")
			}
		}
	}
	if b.res.Errors > 0 {
		return fmt.Errorf("%d runs failed, the first: %s", b.res.Errors, firstErr)
	}
	if found != b.opts.N {
		return fmt.Errorf("the runs stored %d new reviews, want %d", found, b.opts.N)
	}
	b.res.IngestSeconds = round(elapsed.Seconds(), 2)
	b.res.IngestDocsPerS = round(float64(found)/elapsed.Seconds(), 0)
	b.res.IngestCurve = cv.points
	b.indexDir = index.CurrentDir(cfg.DataDir)
	b.res.IndexBytesPerReview = round(float64(dirSize(b.indexDir))/float64(b.opts.N), 0)
	b.res.ArchiveBytesPerReview = round(float64(dirSize(service.ArchiveDir(cfg)))/float64(b.opts.N), 0)
	return nil
}

// configYAML describes the generated brand: one location per number, four
// sources each, collected Concurrency at a time.
func (b *runner) configYAML() []byte {
	var s strings.Builder
	fmt.Fprintf(&s, "# Written by vigie bench: the generated brand.\ndata_dir: data\nschedule: \"@every 24h\"\nlog: {level: warn}\n")
	fmt.Fprintf(&s, "crawler: {concurrency: %d}\n", b.opts.Concurrency)
	fmt.Fprintf(&s, "brands:\n  - id: %s\n    name: Bench\n    locations:\n", brandID)
	for l := range b.opts.Locations {
		fmt.Fprintf(&s, "      - id: %s\n        name: \"Location %d\"\n        sources:\n", locationID(l), l)
		for k := range sourceKinds {
			fmt.Fprintf(&s, "          - {id: %s, kind: bench}\n", sourceID(l, k))
		}
	}
	return []byte(s.String())
}

// newConnector builds the connector of one generated source: it hands
// over the source's reviews, newest first, PageSize at a time.
func (b *runner) newConnector(env connectors.Env) (connectors.Connector, error) {
	s, ok := b.srcIndex[env.Source.ID]
	if !ok {
		return nil, fmt.Errorf("bench: unknown source %q", env.Source.ID)
	}
	return benchConnector{b: b, ids: b.bySource[s], source: env.Source.ID}, nil
}

type benchConnector struct {
	b      *runner
	ids    []int32
	source string
}

func (c benchConnector) Collect(ctx context.Context, sink connectors.Sink) error {
	size := c.b.opts.PageSize
	for page, at := 1, 0; at < len(c.ids); page, at = page+1, at+size {
		if err := ctx.Err(); err != nil {
			return err
		}
		ids := c.ids[at:min(at+size, len(c.ids))]
		rs := make([]review.Review, len(ids))
		for k, i := range ids {
			rs[k] = c.b.gen.review(int(i))
		}
		p := connectors.Page{
			URL:     fmt.Sprintf("https://reviews.example/%s?page=%d", c.source, page),
			Reviews: rs, Shown: len(c.ids), Final: at+size >= len(c.ids),
		}
		if _, err := sink.Page(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
