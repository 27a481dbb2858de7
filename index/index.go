package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	bindex "github.com/blevesearch/bleve_index_api"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/vigie-dev/vigie/internal/review"
)

// Index is an open review index. It is safe for concurrent use.
type Index struct {
	path string
	b    bleve.Index

	mu sync.Mutex // serialises batches, so that upserts of one id stay ordered

	closeOnce sync.Once
	closeErr  error
}

// BatchSize is the number of reviews per bleve batch: large enough for
// throughput, small enough that merges keep up (see docs/benchmarks.md).
const BatchSize = 1000

const versionKey = "vigie:mapping_version"

// ErrVersion is returned by Open for an index built with another mapping.
var ErrVersion = errors.New("index was built with another mapping version")

// Open opens the index in dir, creating it if needed.
func Open(dir string) (*Index, error) {
	var b bleve.Index
	_, statErr := os.Stat(filepath.Join(dir, "index_meta.json"))
	switch {
	case statErr == nil:
		var err error
		// Fail at once, rather than wait for ever, when another process
		// has the index open.
		b, err = bleve.OpenUsing(dir, map[string]any{"bolt_timeout": "1s"})
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("index: open %q: %w", dir, ErrLocked)
		}
		if err != nil {
			return nil, fmt.Errorf("index: open %q: %w", dir, err)
		}
		v, err := b.GetInternal([]byte(versionKey))
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("index: open %q: %w", dir, err)
		}
		if string(v) != MappingVersion {
			b.Close()
			return nil, fmt.Errorf("index: open %q: %w (found %q, this Vigie needs %q): run `vigie reindex`", dir, ErrVersion, v, MappingVersion)
		}
	case errors.Is(statErr, os.ErrNotExist):
		m, err := NewMapping()
		if err != nil {
			return nil, fmt.Errorf("index: mapping: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return nil, fmt.Errorf("index: create %q: %w", dir, err)
		}
		b, err = bleve.New(dir, m)
		if err != nil {
			return nil, fmt.Errorf("index: create %q: %w", dir, err)
		}
		if err := b.SetInternal([]byte(versionKey), []byte(MappingVersion)); err != nil {
			b.Close()
			return nil, fmt.Errorf("index: create %q: %w", dir, err)
		}
	default:
		return nil, fmt.Errorf("index: open %q: %w", dir, statErr)
	}
	return &Index{path: dir, b: b}, nil
}

// Close flushes and closes the index. Closing twice is harmless.
func (x *Index) Close() error {
	x.closeOnce.Do(func() {
		if err := x.b.Close(); err != nil {
			x.closeErr = fmt.Errorf("index: close %q: %w", x.path, err)
		}
	})
	return x.closeErr
}

// Path is the index's folder.
func (x *Index) Path() string { return x.path }

// Bleve exposes the underlying index, for benchmarks and tools.
func (x *Index) Bleve() bleve.Index { return x.b }

// Count returns the number of reviews indexed.
func (x *Index) Count() (uint64, error) {
	n, err := x.b.DocCount()
	if err != nil {
		return 0, fmt.Errorf("index: count: %w", err)
	}
	return n, nil
}

// Upsert indexes reviews by id: a review indexed again replaces the
// previous version, so re-ingesting the same review leaves one document.
func (x *Index) Upsert(ctx context.Context, reviews []review.Review) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for start := 0; start < len(reviews); start += BatchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+BatchSize, len(reviews))
		batch := x.b.NewBatch()
		for i := range reviews[start:end] {
			r := &reviews[start+i]
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
		if err := x.b.Batch(batch); err != nil {
			return fmt.Errorf("index: write batch: %w", err)
		}
	}
	return nil
}

// Document turns a review into the map bleve indexes with NewMapping.
func Document(r *review.Review) (map[string]any, error) {
	// The stored JSON leaves out what other stored fields already hold.
	stored := *r
	stored.Text, stored.Title = "", ""
	js, err := json.Marshal(&stored)
	if err != nil {
		return nil, fmt.Errorf("index: encode review %s: %w", r.ID, err)
	}
	doc := map[string]any{
		FieldBrand:    r.Brand,
		FieldLocation: r.Location,
		FieldSource:   r.Source,
		FieldKind:     string(r.Kind),
		FieldLang:     langOrUnd(r.Lang),
		FieldAuthor:   r.Author,
		FieldHash:     r.ContentHash(),
		FieldDoc:      string(js),
	}
	if r.Text != "" {
		doc[TextField(r.Lang)] = r.Text
	}
	if r.Title != "" {
		doc[TitleField(r.Lang)] = r.Title
	}
	if r.Text != "" || r.Title != "" {
		doc[FieldWords] = r.Title + "\n" + r.Text
	}
	if r.Rating != nil {
		doc[FieldRating] = *r.Rating
	}
	if r.RatingNorm != nil {
		doc[FieldRatingN] = *r.RatingNorm
	}
	if !r.PublishedAt.IsZero() {
		t := r.PublishedAt.UTC()
		doc[FieldPublished] = t
		doc[FieldMonth] = t.Format("2006-01")
		doc[FieldDay] = t.Format("2006-01-02")
		y, w := t.ISOWeek()
		doc[FieldWeek] = fmt.Sprintf("%04d-W%02d", y, w)
	}
	if r.Sentiment != nil && r.Sentiment.Label != "" {
		doc[FieldSentiment] = r.Sentiment.Label
	}
	if len(r.Themes) > 0 {
		names := make([]string, len(r.Themes))
		for i, t := range r.Themes {
			names[i] = t.Name
		}
		doc[FieldThemes] = names
	}
	for k, v := range AggregateFields(r) {
		doc[k] = v
	}
	return doc, nil
}

func langOrUnd(l string) string {
	if l == "" {
		return review.LangUnknown
	}
	return l
}

// Known is what the index remembers of a stored review, to classify a
// review seen again as unchanged or updated.
type Known struct {
	Hash string
}

// Lookup returns what the index knows of the given ids; ids it does not
// hold are absent from the map.
func (x *Index) Lookup(ctx context.Context, ids []string) (map[string]Known, error) {
	out := make(map[string]Known, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		doc, err := x.b.Document(id)
		if err != nil {
			return nil, fmt.Errorf("index: lookup %s: %w", id, err)
		}
		if doc == nil {
			continue
		}
		var k Known
		doc.VisitFields(func(f bindex.Field) {
			if f.Name() == FieldHash {
				k.Hash = string(f.Value())
			}
		})
		out[id] = k
	}
	return out, nil
}

// Get returns the review with id, and false if the index does not hold it.
func (x *Index) Get(id string) (review.Review, bool, error) {
	doc, err := x.b.Document(id)
	if err != nil {
		return review.Review{}, false, fmt.Errorf("index: get %s: %w", id, err)
	}
	if doc == nil {
		return review.Review{}, false, nil
	}
	fields := map[string]any{}
	doc.VisitFields(func(f bindex.Field) {
		fields[f.Name()] = string(f.Value())
	})
	r, err := decodeStored(id, fields)
	return r, err == nil, err
}

// decodeStored rebuilds a review from its stored fields.
func decodeStored(id string, fields map[string]any) (review.Review, error) {
	var r review.Review
	js, _ := fields[FieldDoc].(string)
	if js == "" {
		return r, fmt.Errorf("index: review %s has no stored document", id)
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return r, fmt.Errorf("index: review %s: %w", id, err)
	}
	r.Text, _ = fields[TextField(r.Lang)].(string)
	r.Title, _ = fields[TitleField(r.Lang)].(string)
	return r, nil
}
