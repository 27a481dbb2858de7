package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{Command: "vigie test"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	_, err = s.UpdateSource("paris-site", func(st *SourceState) error {
		st.Kind, st.LastStart, st.LastEnd, st.LastSuccess = "schemaorg", start, start.Add(time.Minute), start.Add(time.Minute)
		st.Outcome, st.Pages, st.New, st.Complete, st.Shown, st.Cursor = "ok", 3, 42, true, 50, "page=4"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := start.Add(time.Minute)
	err = s.Apply(7, []Change{
		{Source: "paris-site", ID: "aaa", Known: Known{Hash: "0123456789abcdef", Seen: seen}},
		{Source: "paris-site", ID: "bbb", Known: Known{Hash: "fedcba9876543210", Deleted: true, Seen: seen}},
		{Source: "lyon-site", ID: "ccc", Known: Known{Hash: "00000000000000ff", Seen: seen}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ext("alerts").PutJSON("rule/1", map[string]any{"firing": true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, ok, err := s.Source("paris-site")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if !st.LastStart.Equal(start) || st.New != 42 || !st.Complete || st.Shown != 50 || st.Cursor != "page=4" || st.Kind != "schemaorg" {
		t.Errorf("state after restart: %+v", st)
	}
	known, _ := s.Known("paris-site", []string{"aaa", "bbb", "zzz"})
	if len(known) != 2 || known["aaa"].Hash != "0123456789abcdef" || known["aaa"].Deleted || !known["bbb"].Deleted || !known["aaa"].Seen.Equal(seen) {
		t.Errorf("known: %+v", known)
	}
	if n, _ := s.CountKnown("paris-site"); n != 1 {
		t.Errorf("CountKnown = %d, want 1 (one deleted)", n)
	}
	if w, _ := s.Watermark(); w != 7 {
		t.Errorf("watermark %d", w)
	}
	var alert map[string]any
	if ok, err := s.Ext("alerts").GetJSON("rule/1", &alert); !ok || err != nil || alert["firing"] != true {
		t.Errorf("alert state: %v %v %v", ok, err, alert)
	}
}

func TestSeenOnlyMovesForward(t *testing.T) {
	s, _ := Open(filepath.Join(t.TempDir(), "state.db"), Options{})
	defer s.Close()
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Apply(1, []Change{{Source: "x", ID: "a", Known: Known{Hash: "00ff", Seen: t1}}})
	s.Apply(0, []Change{
		{Source: "x", ID: "a", SeenOnly: true, Known: Known{Seen: t1.Add(time.Hour)}},
		{Source: "x", ID: "unknown", SeenOnly: true, Known: Known{Seen: t1}},
	})
	k, _ := s.Known("x", []string{"a", "unknown"})
	if len(k) != 1 || k["a"].Hash != "00ff" || !k["a"].Seen.Equal(t1.Add(time.Hour)) {
		t.Errorf("%+v", k)
	}
	// The watermark never goes back.
	s.Apply(0, nil)
	s.Apply(5, nil)
	s.Apply(3, nil)
	if w, _ := s.Watermark(); w != 5 {
		t.Errorf("watermark %d", w)
	}
}

func TestSecondProcessGetsClearError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{Command: "vigie serve"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// bbolt's lock is per open file description: a second open in the
	// same process is refused like another process's.
	_, err = Open(path, Options{Timeout: 50 * time.Millisecond})
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want a LockedError", err)
	}
	if le.Owner == nil || le.Owner.PID != os.Getpid() || !strings.Contains(err.Error(), "vigie serve, pid") {
		t.Errorf("error does not say who holds the store: %v", err)
	}
	// Readers are refused too while a writer holds it.
	if _, err := Open(path, Options{ReadOnly: true, Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("read-only open: %v", err)
	}
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open of a missing store: %v", err)
	}
	s, _ := Open(path, Options{})
	s.UpdateSource("a", func(st *SourceState) error { st.Runs = 3; return nil })
	s.Close()
	r1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	states, err := r1.Sources()
	if err != nil || len(states) != 1 || states[0].Runs != 3 {
		t.Errorf("%+v %v", states, err)
	}
	if _, err := os.Stat(OwnerPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a reader wrote the owner file: %v", err)
	}
}

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := Lock(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(path, 10*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Errorf("second lock: %v", err)
	}
	l.Unlock()
	l2, err := Lock(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	l2.Unlock()
}
