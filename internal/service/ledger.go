package service

import (
	"context"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/collect"
	"github.com/vigie-dev/vigie/internal/store"
)

// ledger implements collect.Ledger on the state store and the journal.
type ledger struct{ s *Service }

var _ collect.Ledger = ledger{}

// maxWarnings bounds the warnings kept in a source's state.
const maxWarnings = 10

// Begin records the start of a run. The complete flag is cleared until the
// run ends: a run cut short by a crash leaves it cleared, so the next run
// goes through the whole listing again.
func (l ledger) Begin(ctx context.Context, src config.Source, start time.Time) (collect.Previous, error) {
	var prev collect.Previous
	_, err := l.s.State.UpdateSource(src.ID, func(st *store.SourceState) error {
		prev = collect.Previous{Complete: st.Complete, LastFound: st.Found, Known: st.Collected}
		st.Kind, st.Location = src.Kind, src.Location
		st.LastStart = start.UTC()
		st.Outcome = "running"
		st.Complete = false
		return nil
	})
	return prev, err
}

// MarkDeleted marks the known reviews of src that a complete listing did
// not show.
func (l ledger) MarkDeleted(ctx context.Context, src config.Source, seen []string, at time.Time) (int, error) {
	in := make(map[string]bool, len(seen))
	for _, id := range seen {
		in[id] = true
	}
	var gone []string
	err := l.s.State.ForEachKnown(src.ID, func(id string, k store.Known) error {
		if !k.Deleted && !in[id] {
			gone = append(gone, id)
		}
		return nil
	})
	if err != nil || len(gone) == 0 {
		return 0, err
	}
	return l.s.Journal.MarkDeleted(ctx, src.ID, src.Location, gone, at)
}

// Finish records the run's outcome.
func (l ledger) Finish(ctx context.Context, src config.Source, sum collect.Summary) error {
	collected, err := l.s.State.CountKnown(src.ID)
	if err != nil {
		return err
	}
	end := sum.Start.Add(sum.Duration).UTC()
	_, err = l.s.State.UpdateSource(src.ID, func(st *store.SourceState) error {
		st.Kind, st.Location = src.Kind, src.Location
		st.LastEnd = end
		st.Outcome = sum.Outcome()
		st.Error = sum.Err
		if st.Error == "" && len(sum.Errors) > 0 {
			st.Error = sum.Errors[0]
		}
		st.Warnings = append([]string(nil), sum.Warnings[:min(len(sum.Warnings), maxWarnings)]...)
		st.Pages, st.PagesFailed, st.Found = sum.Pages, sum.PagesFailed, sum.Found
		st.New, st.Updated, st.Unchanged, st.Deleted, st.Skipped = sum.New, sum.Updated, sum.Unchanged, sum.Deleted, sum.Skipped
		st.DurationMS = sum.Duration.Milliseconds()
		if sum.Shown > 0 {
			st.Shown = sum.Shown
		}
		st.Collected = collected
		st.Complete = sum.Complete
		st.Runs++
		if sum.OK() {
			st.LastSuccess = end
		}
		switch {
		case failed(sum):
			st.Failures++
		case st.Outcome != "interrupted":
			st.Failures = 0
		}
		if st.Error != "" && st.Outcome != "interrupted" {
			st.LastError, st.LastErrorAt = st.Error, end
		}
		return nil
	})
	return err
}
