package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
	"github.com/vigie-dev/vigie/internal/lang"
	"github.com/vigie-dev/vigie/internal/review"
)

// demoArchive writes an archive of copies x the demo brand's reviews
// (2,761 in French, Russian and English) into dir.
func demoArchive(b *testing.B, dir string, copies int) uint64 {
	b.Helper()
	f, err := os.Open("../demo/data/reviews.jsonl")
	if err != nil {
		b.Skip("demo data not found:", err)
	}
	defer f.Close()
	type rec struct {
		ID, Location, Author, Title, Text string
		Rating                            float64
		DaysAgo                           int `json:"days_ago"`
	}
	var recs []rec
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r rec
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			b.Fatal(err)
		}
		recs = append(recs, r)
	}
	a, err := archive.Open(dir, archive.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	epoch := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var batch []archive.Record
	for c := range copies {
		for _, r := range recs {
			source := fmt.Sprintf("%s-%d", r.Location, c)
			rv := review.Review{
				ExternalID: r.ID, Brand: "maison-colette", Location: r.Location, Source: source, Kind: review.KindReview,
				Author: r.Author, Title: r.Title, Text: r.Text, Rating: review.Float(r.Rating),
				PublishedAt: epoch.AddDate(0, 0, -r.DaysAgo), FetchedAt: epoch,
			}
			rv.ID = review.MakeID(source, rv.ExternalID, "", time.Time{}, "")
			rv.Normalize()
			batch = append(batch, archive.Record{Op: archive.OpPut, Source: source, ID: rv.ID, Review: &rv})
			if len(batch) == 500 {
				if err := a.Append(batch); err != nil {
					b.Fatal(err)
				}
				batch = nil
			}
		}
	}
	if err := a.Append(batch); err != nil {
		b.Fatal(err)
	}
	return a.Last()
}

// BenchmarkRebuild measures `vigie reindex`: the demo's reviews (times
// VIGIE_BENCH_COPIES, default 1) rebuilt from the archive into a new
// index, with language detection (add the enrichers to compare).
//
//	VIGIE_BENCH_COPIES=10 go test -run '^$' -bench Rebuild -benchtime 1x ./internal/ingest
func BenchmarkRebuild(b *testing.B) {
	copies := 1
	if n, err := strconv.Atoi(os.Getenv("VIGIE_BENCH_COPIES")); err == nil && n > 0 {
		copies = n
	}
	dir := b.TempDir()
	total := demoArchive(b, filepath.Join(dir, "archive"), copies)
	det := lang.Default()
	a := &Applier{Enrich: func(r *review.Review) {
		res := det.Detect(r.Title+"\n"+r.Text, r.LangHint)
		r.Lang, r.LangConfidence = res.Lang, res.Confidence
	}}
	b.ResetTimer()
	var elapsed time.Duration
	for i := range b.N {
		x, err := index.Open(filepath.Join(dir, fmt.Sprintf("index-%d", i)))
		if err != nil {
			b.Fatal(err)
		}
		st, err := a.Rebuild(context.Background(), filepath.Join(dir, "archive"), x, nil)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += st.Elapsed
		if st.Records != total {
			b.Fatalf("%d records rebuilt of %d", st.Records, total)
		}
		x.Close()
	}
	b.ReportMetric(float64(total)*float64(b.N)/elapsed.Seconds(), "records/s")
}
