package archive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/internal/review"
)

func put(id string) Record {
	return Record{Op: OpPut, Source: "s", ID: id, Review: &review.Review{ID: id, Text: "text of " + id, Rating: review.Float(4)}}
}

func batch(ids ...string) []Record {
	var out []Record
	for _, id := range ids {
		out = append(out, put(id))
	}
	return out
}

func scanAll(t *testing.T, dir string, from uint64) []Record {
	t.Helper()
	var out []Record
	if _, err := Scan(dir, from, func(r Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func ids(rs []Record) string {
	s := ""
	for _, r := range rs {
		s += fmt.Sprintf("%d:%s ", r.Seq, r.ID)
	}
	return s
}

func TestAppendAndScan(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b1 := batch("a", "b")
	if err := a.Append(b1); err != nil {
		t.Fatal(err)
	}
	if b1[0].Seq != 1 || b1[1].Seq != 2 || b1[0].At.IsZero() {
		t.Errorf("sequence numbers not set: %+v", b1)
	}
	a.Append(batch("c"))
	a.Append([]Record{{Op: OpDelete, Source: "s", ID: "a"}})
	if a.Last() != 4 {
		t.Errorf("last %d", a.Last())
	}
	a.Close()
	if got := ids(scanAll(t, dir, 0)); got != "1:a 2:b 3:c 4:a " {
		t.Errorf("scan: %s", got)
	}
	if got := ids(scanAll(t, dir, 3)); got != "3:c 4:a " {
		t.Errorf("scan from 3: %s", got)
	}
	all := scanAll(t, dir, 0)
	if all[3].Op != OpDelete || all[0].Review == nil || all[0].Review.Text != "text of a" {
		t.Errorf("records: %+v", all)
	}
	// Reopen: sequence numbers go on.
	a, _ = Open(dir, Options{})
	defer a.Close()
	a.Append(batch("d"))
	if got := ids(scanAll(t, dir, 5)); got != "5:d " {
		t.Errorf("after reopen: %s", got)
	}
	if l, _ := Last(dir); l != 5 {
		t.Errorf("Last = %d", l)
	}
}

func TestSegmentsRotate(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 1, 2, 23, 0, 0, 0, time.UTC)
	now := day
	a, _ := Open(dir, Options{Now: func() time.Time { return now }, SegmentSize: 300})
	for i := range 10 {
		if i == 5 {
			now = day.Add(2 * time.Hour) // the next day
		}
		if err := a.Append(batch(fmt.Sprintf("r%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	segs, _ := segments(dir)
	if len(segs) < 3 {
		t.Errorf("%d segments, want several (size and day)", len(segs))
	}
	if segs[len(segs)-1].day != "20260103" || segs[0].day != "20260102" {
		t.Errorf("segment days %+v", segs)
	}
	got := scanAll(t, dir, 0)
	if len(got) != 10 || got[9].Seq != 10 {
		t.Errorf("scan across segments: %s", ids(got))
	}
	if got := ids(scanAll(t, dir, 8)); got != "8:r7 9:r8 10:r9 " {
		t.Errorf("scan from 8: %s", got)
	}
}

// A crash in the middle of a write leaves a torn batch at the end: readers
// ignore it, and the next writer cuts it off and goes on from the last
// whole batch.
func TestTornBatch(t *testing.T) {
	for _, cut := range []int{1, 10, 30, -8, -1} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			dir := t.TempDir()
			a, _ := Open(dir, Options{})
			a.Append(batch("a", "b"))
			segs, _ := segments(dir)
			path := segs[0].path
			st, _ := os.Stat(path)
			first := int(st.Size())
			a.Append(batch("c", "d", "e"))
			a.Close()
			full, _ := os.ReadFile(path)
			_, good, _ := scanSegment(path, 1, 0, nil)
			if good != int64(len(full)) {
				t.Fatalf("whole file %d, good %d", len(full), good)
			}
			// Tear the second batch.
			n := cut
			if n < 0 {
				n = len(full) - first + cut
			}
			os.WriteFile(path, full[:first+n], 0o644)

			if got := ids(scanAll(t, dir, 0)); got != "1:a 2:b " {
				t.Errorf("reader sees %s", got)
			}
			a, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Last() != 2 {
				t.Errorf("last after torn batch %d, want 2", a.Last())
			}
			a.Append(batch("f"))
			a.Close()
			if got := ids(scanAll(t, dir, 0)); got != "1:a 2:b 3:f " {
				t.Errorf("after repair: %s", got)
			}
		})
	}
}

func TestTornFirstBatchOfSegment(t *testing.T) {
	dir := t.TempDir()
	a, _ := Open(dir, Options{SegmentSize: 10})
	a.Append(batch("a"))
	a.Append(batch("b")) // a new segment
	a.Close()
	segs, _ := segments(dir)
	if len(segs) != 2 {
		t.Fatalf("%d segments", len(segs))
	}
	os.WriteFile(segs[1].path, []byte{0x1f, 0x8b, 8}, 0o644)
	a, err := Open(dir, Options{SegmentSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if a.Last() != 1 {
		t.Errorf("last %d, want 1", a.Last())
	}
	a.Append(batch("c"))
	a.Close()
	if got := ids(scanAll(t, dir, 0)); got != "1:a 2:c " {
		t.Errorf("got %s", got)
	}
}

func TestCorruptMiddleSegment(t *testing.T) {
	dir := t.TempDir()
	a, _ := Open(dir, Options{SegmentSize: 10})
	a.Append(batch("a"))
	a.Append(batch("b"))
	a.Append(batch("c"))
	a.Close()
	segs, _ := segments(dir)
	b, _ := os.ReadFile(segs[1].path)
	b[len(b)-3] ^= 0xff // break the checksum
	os.WriteFile(segs[1].path, b, 0o644)
	_, err := Scan(dir, 0, func(Record) error { return nil })
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("err = %v, want ErrCorrupt", err)
	}
}

func TestEmptyArchive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	if got := scanAll(t, dir, 0); len(got) != 0 {
		t.Error(got)
	}
	if l, err := Last(dir); l != 0 || err != nil {
		t.Error(l, err)
	}
	a, err := Open(dir, Options{})
	if err != nil || a.Last() != 0 {
		t.Fatal(err)
	}
	a.Close()
}
