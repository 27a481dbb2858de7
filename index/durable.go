package index

// Support for the service's crash-safe ingestion: the archive sequence
// number the index is up to date with, written in the same bleve batch as
// the reviews, and a walk over every stored review.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2"

	"github.com/vigie-dev/vigie/internal/review"
)

// watermarkKey holds the archive sequence number of the last record whose
// effect the index holds.
const watermarkKey = "vigie:archive_seq"

// ErrLocked is returned by Open when another process has the index open.
var ErrLocked = errors.New("the index is in use by another Vigie process (`vigie serve`?)")

// Watermark returns the sequence number of the last archive record the
// index holds (0 for an index built without the archive).
func (x *Index) Watermark() (uint64, error) {
	v, err := x.b.GetInternal([]byte(watermarkKey))
	if err != nil {
		return 0, fmt.Errorf("index: watermark: %w", err)
	}
	if len(v) != 8 {
		return 0, nil
	}
	return binary.BigEndian.Uint64(v), nil
}

// UpsertAt indexes reviews like Upsert and records, in the same batch,
// that the index holds the archive up to sequence number seq: after a
// crash the index holds either both or neither (bleve persists a batch
// before Batch returns). More than BatchSize reviews are written in
// several batches, the watermark with the last one; re-applying the
// archive from the previous watermark is harmless.
func (x *Index) UpsertAt(ctx context.Context, reviews []review.Review, seq uint64) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	start := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+BatchSize, len(reviews))
		batch := x.b.NewBatch()
		for i := start; i < end; i++ {
			r := &reviews[i]
			if r.ID == "" {
				return fmt.Errorf("index: review without id (source %q)", r.Source)
			}
			doc, err := Document(r)
			if err != nil {
				return err
			}
			if err := batch.Index(r.ID, doc); err != nil {
				return fmt.Errorf("index: review %s: %w", r.ID, err)
			}
		}
		if end == len(reviews) && seq > 0 {
			batch.SetInternal([]byte(watermarkKey), binary.BigEndian.AppendUint64(nil, seq))
		}
		if err := x.b.Batch(batch); err != nil {
			return fmt.Errorf("index: write batch: %w", err)
		}
		if end == len(reviews) {
			return nil
		}
		start = end
	}
}

// SetWatermark records that the index holds the archive up to seq.
func (x *Index) SetWatermark(seq uint64) error {
	return x.UpsertAt(context.Background(), nil, seq)
}

// ReviewsByID calls fn for every review of the index, in id order.
func (x *Index) ReviewsByID(ctx context.Context, fn func(review.Review) error) error {
	fields := []string{FieldDoc}
	for _, l := range Languages {
		fields = append(fields, TextField(l), TitleField(l))
	}
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 500, 0, false)
		req.Fields = fields
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SearchAfter = after
		}
		res, err := x.b.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("index: walk: %w", err)
		}
		if len(res.Hits) == 0 {
			return nil
		}
		for _, h := range res.Hits {
			r, err := decodeStored(h.ID, h.Fields)
			if err != nil {
				return err
			}
			r.ID = h.ID
			if err := fn(r); err != nil {
				return err
			}
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}
