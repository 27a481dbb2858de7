package bench

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/review"
)

// ShardResult compares an index split into shards by location (a bleve
// index alias over them) with the single index of the raw phase, on the
// same documents and the same searches.
type ShardResult struct {
	Shards           int     `json:"shards"`
	DocsPerS         float64 `json:"docs_per_s"`
	PeakRSSMiB       float64 `json:"peak_rss_mib"`
	Seconds          float64 `json:"s"`
	SingleSearchP50  float64 `json:"single_search_p50_ms"`
	SingleSearchP95  float64 `json:"single_search_p95_ms"`
	ShardedSearchP50 float64 `json:"sharded_search_p50_ms"`
	ShardedSearchP95 float64 `json:"sharded_search_p95_ms"`
}

// shardOf routes a location to a shard.
func shardOf(location string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(location))
	return int(h.Sum32() % uint32(n))
}

// shards indexes documents.gob into Options.Shards indexes, one writer
// each, then runs the search mix with bleve on the shards' alias and on
// the raw phase's single index.
func (b *runner) shards(ctx context.Context) error {
	n := b.opts.Shards
	if n < 2 {
		return nil
	}
	pk := startPeakRSS()
	start := time.Now()
	xs := make([]*index.Index, n)
	for i := range xs {
		x, err := index.Open(b.path(fmt.Sprintf("shard-%d", i)))
		if err != nil {
			return err
		}
		xs[i] = x
		defer x.Close()
	}
	chans := make([]chan []review.Review, n)
	errs := make(chan error, n+1)
	var wg sync.WaitGroup
	for i := range xs {
		chans[i] = make(chan []review.Review, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var failed bool
			for chunk := range chans[i] {
				if failed {
					continue
				}
				if err := xs[i].UpsertAt(ctx, chunk, 0); err != nil {
					errs <- err
					failed = true
				}
			}
		}()
	}
	pending := make([][]review.Review, n)
	total := 0
	readErr := b.readDocuments(ctx, func(chunk []review.Review) {
		for _, r := range chunk {
			s := shardOf(r.Location, n)
			pending[s] = append(pending[s], r)
			if len(pending[s]) == index.BatchSize {
				chans[s] <- pending[s]
				pending[s] = nil
			}
		}
		total += len(chunk)
	})
	for s := range pending {
		if len(pending[s]) > 0 {
			chans[s] <- pending[s]
		}
		close(chans[s])
	}
	wg.Wait()
	if readErr != nil {
		return readErr
	}
	select {
	case err := <-errs:
		return err
	default:
	}
	elapsed := time.Since(start)
	sr := &ShardResult{Shards: n, Seconds: round(elapsed.Seconds(), 2), DocsPerS: round(float64(total)/elapsed.Seconds(), 0)}
	sr.PeakRSSMiB, _ = pk.Stop()
	b.progress("%d shards: %.0f reviews/s (one writer per shard)", n, sr.DocsPerS)

	single, err := index.Open(b.path("raw"))
	if err != nil {
		return err
	}
	defer single.Close()
	var bs []bleve.Index
	for _, x := range xs {
		bs = append(bs, x.Bleve())
	}
	alias := bleve.NewIndexAlias(bs...)
	var one, many []time.Duration
	for _, c := range b.searchCases() {
		q, err := index.BuildQuery(c.q)
		if err != nil {
			return fmt.Errorf("search %s: %w", c.name, err)
		}
		for range b.opts.Repeat {
			for k, target := range []bleve.Index{single.Bleve(), alias} {
				req := bleve.NewSearchRequestOptions(q, 20, 0, false)
				for _, field := range []string{index.FieldLocation, index.FieldLang, index.FieldSentiment, index.FieldThemes} {
					req.AddFacet(field, bleve.NewFacetRequest(field, 20))
				}
				if c.q.Sort == index.SortNewest {
					req.SortBy([]string{"-" + index.FieldPublished})
				}
				t0 := time.Now()
				if _, err := target.SearchInContext(ctx, req); err != nil {
					return fmt.Errorf("search %s: %w", c.name, err)
				}
				if k == 0 {
					one = append(one, time.Since(t0))
				} else {
					many = append(many, time.Since(t0))
				}
			}
		}
	}
	sr.SingleSearchP50, sr.SingleSearchP95 = ms(pct(one, 0.5)), ms(pct(one, 0.95))
	sr.ShardedSearchP50, sr.ShardedSearchP95 = ms(pct(many, 0.5)), ms(pct(many, 0.95))
	b.progress("bleve searches with facets: one index p50 %.1f p95 %.1f ms, %d shards p50 %.1f p95 %.1f ms",
		sr.SingleSearchP50, sr.SingleSearchP95, n, sr.ShardedSearchP50, sr.ShardedSearchP95)
	b.res.Shards = sr
	single.Close()
	for _, x := range xs {
		x.Close()
	}
	if !b.opts.Keep {
		b.cleanRaw()
	}
	return nil
}
