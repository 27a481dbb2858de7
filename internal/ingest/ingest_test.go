package ingest

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/store"
)

// env is a journal over a temporary data folder.
type env struct {
	t       *testing.T
	dir     string
	j       *Journal
	p       *pipeline.Pipeline
	now     time.Time
	events  []Event
	indexDB *index.Index
}

type labeler struct{}

func (labeler) Name() string { return "test" }
func (labeler) Enrich(r *review.Review) {
	label := "neutral"
	if strings.Contains(r.Text, "bad") {
		label = "negative"
	}
	r.Sentiment = &review.Sentiment{Label: label, Score: float64(len(r.Text)) / 100}
}

var src = config.Source{ID: "paris-site", Kind: "schemaorg", Brand: "acme", Location: "paris"}

func newEnv(t *testing.T, dir string) *env {
	t.Helper()
	e := &env{t: t, dir: dir, now: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)}
	st, err := store.Open(filepath.Join(dir, "state.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(filepath.Join(dir, "archive"), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := index.Open(filepath.Join(dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	e.indexDB = x
	e.p = &pipeline.Pipeline{
		Language:  func(text, hint string) (string, float64) { return "fr", 0.9 },
		Enrichers: []pipeline.Enricher{labeler{}},
		Now:       func() time.Time { return e.now },
	}
	e.j = &Journal{Archive: a, State: st, Index: index.NewHolder(x), Applier: &Applier{Enrich: e.p.Enrich}, OnCommit: func(ev Event) { e.events = append(e.events, ev) }}
	e.p.Journal = e.j
	if _, err := e.j.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) close() {
	e.j.Flush()
	e.j.Index.Close()
	e.j.Archive.Close()
	e.j.State.Close()
}

func (e *env) page(rs ...review.Review) connectors.PageResult {
	e.t.Helper()
	res, err := e.p.NewRun(src).Page(context.Background(), connectors.Page{URL: "https://example.com/p", Reviews: rs})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.j.Flush(); err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) get(ext string) review.Review {
	e.t.Helper()
	id := review.MakeID(src.ID, ext, "", time.Time{}, "")
	r, ok, err := e.j.Index.Get(id)
	if err != nil || !ok {
		e.t.Fatalf("review %s: %v %v", ext, ok, err)
	}
	return r
}

func rv(ext, text string, rating float64) review.Review {
	return review.Review{ExternalID: ext, Author: "A" + ext, Text: text, Rating: review.Float(rating)}
}

func allDocs(t *testing.T, x *index.Index) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := x.ReviewsByID(context.Background(), func(r review.Review) error {
		b, _ := json.Marshal(r)
		out[r.ID] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestJournalVersionsAndDeletions(t *testing.T) {
	e := newEnv(t, t.TempDir())
	defer e.close()
	ctx := context.Background()
	if res := e.page(rv("1", "Très bon", 5), rv("2", "Bien", 4)); res.New != 2 {
		t.Fatalf("first page %+v", res)
	}
	first := e.now
	if r := e.get("1"); r.Sentiment == nil || r.Lang != "fr" || len(r.History) != 0 {
		t.Errorf("indexed review not enriched: %+v", r)
	}
	// Seen again, unchanged.
	e.now = e.now.Add(time.Hour)
	if res := e.page(rv("1", "Très bon", 5), rv("2", "Bien", 4)); !res.AllKnown() {
		t.Fatalf("second page %+v", res)
	}
	seen := e.now
	// Edited: the previous version goes to the history.
	e.now = e.now.Add(time.Hour)
	if res := e.page(rv("1", "Très bon, mais bad parking", 3)); res.Updated != 1 {
		t.Fatalf("edit %+v", res)
	}
	r := e.get("1")
	if len(r.History) != 1 || r.History[0].Text != "Très bon" || *r.History[0].Rating != 5 || !r.History[0].SeenUntil.Equal(seen) {
		t.Errorf("history after an edit: %+v", r.History)
	}
	if r.Text != "Très bon, mais bad parking" || r.Sentiment.Label != "negative" || !r.FetchedAt.Equal(e.now) {
		t.Errorf("new version: %+v", r)
	}
	// Deleted from the source.
	ids := []string{review.MakeID(src.ID, "2", "", time.Time{}, "")}
	if n, err := e.j.MarkDeleted(ctx, src.ID, src.Location, ids, e.now); n != 1 || err != nil {
		t.Fatalf("MarkDeleted: %d %v", n, err)
	}
	e.j.Flush()
	if n, _ := e.j.MarkDeleted(ctx, src.ID, src.Location, ids, e.now); n != 0 {
		t.Errorf("marked twice")
	}
	if r := e.get("2"); !r.DeletedAt.Equal(e.now) || r.Sentiment == nil || !r.FetchedAt.Equal(first) {
		t.Errorf("deleted review: %+v", r)
	}
	// Back on the source: restored, without a new history entry.
	e.now = e.now.Add(time.Hour)
	if res := e.page(rv("2", "Bien", 4)); res.Updated != 1 {
		t.Errorf("restored review %+v", res)
	}
	if r := e.get("2"); !r.DeletedAt.IsZero() || len(r.History) != 0 {
		t.Errorf("restored: %+v", r)
	}
	if n, _ := e.j.Index.Count(); n != 2 {
		t.Errorf("index holds %d reviews", n)
	}
	// The archive holds every version: 2 new, 1 edit, 1 deletion, 1 put back.
	var ops []string
	archive.Scan(e.j.Archive.Dir(), 1, func(r archive.Record) error { ops = append(ops, string(r.Op)); return nil })
	if strings.Join(ops, ",") != "put,put,put,del,put" {
		t.Errorf("archive: %v", ops)
	}
	// The archive keeps the review as collected, not enriched.
	archive.Scan(e.j.Archive.Dir(), 1, func(r archive.Record) error {
		if r.Review != nil && (r.Review.Sentiment != nil || r.Review.Lang != "") {
			t.Errorf("archived review is enriched: %+v", r.Review)
		}
		return nil
	})
	if len(e.events) != 4 || e.events[0].New != 2 || e.events[1].Updated != 1 || e.events[2].Deleted != 1 {
		t.Errorf("events %+v", e.events)
	}
}

// A crash after the archive write and before the index and state writes:
// on the next start, the records are applied; nothing is lost or doubled.
func TestRecoverArchivedNotIndexed(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.page(rv("1", "Très bon", 5))
	// What a crash leaves: records in the archive only.
	raw := rv("2", "Bien", 4)
	pipeline.Prepare(&raw, src, e.now)
	edit := rv("1", "Finalement bad", 2)
	pipeline.Prepare(&edit, src, e.now)
	recs := []archive.Record{
		{Op: archive.OpPut, Source: src.ID, ID: raw.ID, Review: &raw},
		{Op: archive.OpPut, Source: src.ID, ID: edit.ID, Review: &edit},
	}
	if err := e.j.Archive.Append(recs); err != nil {
		t.Fatal(err)
	}
	e.close()

	e = newEnv(t, dir)
	defer e.close()
	if n, _ := e.j.Index.Count(); n != 2 {
		t.Errorf("index holds %d reviews after recovery, want 2", n)
	}
	if r := e.get("1"); r.Text != "Finalement bad" || len(r.History) != 1 || r.Sentiment.Label != "negative" {
		t.Errorf("recovered edit: %+v", r)
	}
	known, _ := e.j.State.Known(src.ID, []string{raw.ID, edit.ID})
	if len(known) != 2 || known[edit.ID].Hash != edit.ContentHash() {
		t.Errorf("state not recovered: %+v", known)
	}
	// The next run finds them known.
	if res := e.page(rv("2", "Bien", 4), rv("1", "Finalement bad", 2)); !res.AllKnown() {
		t.Errorf("after recovery: %+v", res)
	}
	w := e.indexDB.Watermark
	if iw, _ := w(); iw != 3 {
		t.Errorf("index watermark %d, want 3", iw)
	}
}

// The index and state replayed twice from an older watermark end the same.
func TestReplayIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.page(rv("1", "a", 5), rv("2", "b", 4))
	e.now = e.now.Add(time.Hour)
	e.page(rv("1", "a, edited", 3))
	e.j.MarkDeleted(context.Background(), src.ID, src.Location, []string{review.MakeID(src.ID, "2", "", time.Time{}, "")}, e.now)
	e.j.Flush()
	before := allDocs(t, e.indexDB)
	// Rewind the watermark as if the last writes had not been persisted.
	if err := e.indexDB.SetWatermark(1); err != nil {
		t.Fatal(err)
	}
	if _, err := e.j.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := allDocs(t, e.indexDB)
	if len(before) != len(after) {
		t.Fatalf("%d docs before, %d after", len(before), len(after))
	}
	for id, doc := range before {
		if after[id] != doc {
			t.Errorf("review %s changed on replay:\n%s\n%s", id, doc, after[id])
		}
	}
	e.close()
}

// A rebuild from the archive gives the same reviews as the live index:
// versions, deletion marks, enrichment.
func TestRebuildMatchesLiveIndex(t *testing.T) {
	e := newEnv(t, t.TempDir())
	defer e.close()
	var page []review.Review
	for i := range 120 {
		page = append(page, rv(string(rune('a'+i%26))+strings.Repeat("x", i/26), "texte numéro", float64(1+i%5)))
	}
	e.page(page...)
	e.now = e.now.Add(time.Hour)
	e.page(rv("a", "texte modifié bad", 1), rv("b", "autre", 2))
	e.now = e.now.Add(time.Hour)
	e.page(rv("a", "texte modifié encore", 2))
	e.j.MarkDeleted(context.Background(), src.ID, src.Location, []string{review.MakeID(src.ID, "c", "", time.Time{}, "")}, e.now)
	e.j.Flush()
	live := allDocs(t, e.indexDB)

	x, err := index.Open(filepath.Join(t.TempDir(), "rebuilt"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var calls int
	st, err := e.j.Applier.Rebuild(context.Background(), e.j.Archive.Dir(), x, func(done, total uint64) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != e.j.Archive.Last() || st.Reviews != 120 || calls == 0 {
		t.Errorf("rebuild stats %+v, progress calls %d", st, calls)
	}
	rebuilt := allDocs(t, x)
	if len(rebuilt) != len(live) {
		t.Fatalf("%d reviews rebuilt, %d live", len(rebuilt), len(live))
	}
	for id, doc := range live {
		if rebuilt[id] != doc {
			t.Errorf("review %s differs:\nlive    %s\nrebuilt %s", id, doc, rebuilt[id])
		}
	}
	if w, _ := x.Watermark(); w != e.j.Archive.Last() {
		t.Errorf("rebuilt watermark %d, archive %d", w, e.j.Archive.Last())
	}
}

// An index built before the archive existed is copied into the archive on
// the first start, so that a rebuild keeps its reviews.
func TestMigrateIndexIntoArchive(t *testing.T) {
	dir := t.TempDir()
	x, _ := index.Open(filepath.Join(dir, "index"))
	old := rv("1", "Ancien avis", 4)
	pipeline.Prepare(&old, src, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	old.Lang, old.Sentiment = "fr", &review.Sentiment{Label: "positive"}
	gone := rv("2", "Supprimé", 1)
	pipeline.Prepare(&gone, src, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	gone.DeletedAt = time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	x.Upsert(context.Background(), []review.Review{old, gone})
	x.Close()

	e := newEnv(t, dir)
	defer e.close()
	var recs []archive.Record
	archive.Scan(e.j.Archive.Dir(), 1, func(r archive.Record) error { recs = append(recs, r); return nil })
	if len(recs) != 3 || recs[0].Review.Sentiment != nil || recs[2].Op != archive.OpDelete {
		t.Errorf("archive after migration: %+v", recs)
	}
	if w, _ := e.indexDB.Watermark(); w != 3 {
		t.Errorf("watermark %d", w)
	}
	if res := e.page(rv("1", "Ancien avis", 4)); !res.AllKnown() {
		t.Errorf("migrated review not known: %+v", res)
	}
}

func TestArchiveBehindIndexIsAnError(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.page(rv("1", "x", 1))
	e.close()
	// The archive folder is lost.
	if err := removeAll(filepath.Join(dir, "archive")); err != nil {
		t.Fatal(err)
	}
	st, _ := store.Open(filepath.Join(dir, "state.db"), store.Options{})
	a, _ := archive.Open(filepath.Join(dir, "archive"), archive.Options{})
	x, _ := index.Open(filepath.Join(dir, "index"))
	j := &Journal{Archive: a, State: st, Index: index.NewHolder(x), Applier: &Applier{}}
	defer func() { x.Close(); a.Close(); st.Close() }()
	if _, err := j.Recover(context.Background()); err == nil || !strings.Contains(err.Error(), "ahead of the archive") {
		t.Errorf("err = %v", err)
	}
}

func removeAll(dir string) error { return RemoveIndexDir(dir) }

func TestSwapIndexCatchesUp(t *testing.T) {
	e := newEnv(t, t.TempDir())
	defer e.close()
	e.page(rv("1", "a", 5))
	x, _ := index.Open(filepath.Join(t.TempDir(), "rebuilt"))
	if _, err := e.j.Applier.Rebuild(context.Background(), e.j.Archive.Dir(), x, nil); err != nil {
		t.Fatal(err)
	}
	// Ingested while the rebuild was finishing.
	e.page(rv("2", "b", 4))
	old, err := e.j.SwapIndex(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	if n, _ := e.j.Index.Count(); n != 2 {
		t.Errorf("swapped index holds %d, want 2", n)
	}
	e.page(rv("3", "c", 3))
	if n, _ := e.j.Index.Count(); n != 3 {
		t.Errorf("ingestion after the swap: %d", n)
	}
}
