package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/internal/review"
)

func TestWatermarkInTheBatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := x.Watermark(); w != 0 {
		t.Errorf("new index watermark %d", w)
	}
	var rs []review.Review
	for i := range BatchSize + 10 { // two bleve batches
		rs = append(rs, rv(string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)), "paris", "fr", "texte", 4, "2025-01-02"))
	}
	if err := x.UpsertAt(context.Background(), rs, 42); err != nil {
		t.Fatal(err)
	}
	x.Close()
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if w, _ := x.Watermark(); w != 42 {
		t.Errorf("watermark after reopen %d, want 42", w)
	}
	n := 0
	last := ""
	err = x.ReviewsByID(context.Background(), func(r review.Review) error {
		if r.ID <= last {
			t.Errorf("ids out of order: %s after %s", r.ID, last)
		}
		last = r.ID
		n++
		return nil
	})
	if err != nil || n != len(rs) {
		t.Errorf("walked %d of %d reviews: %v", n, len(rs), err)
	}
}

func TestOpenFailsFastWhenInUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	start := time.Now()
	_, err = Open(dir)
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestCurrentPointer(t *testing.T) {
	dir := t.TempDir()
	if cur, err := Current(dir); cur != DefaultName || err != nil {
		t.Errorf("no pointer: %q %v", cur, err)
	}
	name := NewVersionName(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if name != "index-20260102T030405.000Z" || !IsVersionName(name) {
		t.Errorf("version name %q", name)
	}
	if err := SetCurrent(dir, name); err != nil {
		t.Fatal(err)
	}
	if cur, _ := Current(dir); cur != name || CurrentDir(dir) != filepath.Join(dir, name) {
		t.Errorf("current %q", cur)
	}
	for _, bad := range []string{"../etc", "index-", "other", "index-/x"} {
		if IsVersionName(bad) || SetCurrent(dir, bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	os.WriteFile(filepath.Join(dir, CurrentFile), []byte("../../x\n"), 0o644)
	if _, err := Current(dir); err == nil {
		t.Error("a pointer outside the data folder is accepted")
	}
	if CurrentDir(dir) != filepath.Join(dir, DefaultName) {
		t.Error("bad pointer: CurrentDir does not fall back")
	}
	os.MkdirAll(filepath.Join(dir, name), 0o755)
	os.MkdirAll(filepath.Join(dir, "indexes"), 0o755)
	if v, _ := Versions(dir); len(v) != 1 || v[0] != name {
		t.Errorf("versions %v", v)
	}
}

func TestHolderSwap(t *testing.T) {
	a := testIndex(t, rv("a", "paris", "fr", "un", 4, "2025-01-02"))
	b := testIndex(t, rv("b", "paris", "fr", "deux", 4, "2025-01-02"), rv("c", "paris", "fr", "trois", 4, "2025-01-02"))
	h := NewHolder(a)
	if n, _ := h.Count(); n != 1 {
		t.Errorf("count %d", n)
	}
	if old := h.Swap(b); old != a {
		t.Error("Swap does not return the previous index")
	}
	if n, _ := h.Count(); n != 2 || h.Path() != b.Path() {
		t.Errorf("after swap: %d in %s", n, h.Path())
	}
	if _, ok, _ := h.Get("c"); !ok {
		t.Error("Get on the new index")
	}
	h.Close()
	if _, err := h.Count(); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}
