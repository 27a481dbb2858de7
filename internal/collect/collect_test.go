package collect

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/review"
)

// pages is a connector that hands over fixed pages.
type pages struct {
	env   connectors.Env
	pages []connectors.Page
	err   error
}

func (p *pages) Collect(ctx context.Context, sink connectors.Sink) error {
	for _, pg := range p.pages {
		res, err := sink.Page(ctx, pg)
		if err != nil {
			return err
		}
		if p.env.Incremental && res.AllKnown() {
			return nil
		}
	}
	return p.err
}

type ledger struct {
	prev     Previous
	deleted  []string
	finished []Summary
}

func (l *ledger) Begin(context.Context, config.Source, time.Time) (Previous, error) {
	return l.prev, nil
}
func (l *ledger) MarkDeleted(_ context.Context, _ config.Source, seen []string, _ time.Time) (int, error) {
	l.deleted = seen
	return 1, nil
}
func (l *ledger) Finish(_ context.Context, _ config.Source, sum Summary) error {
	l.finished = append(l.finished, sum)
	return nil
}

type store struct{}

func (store) Lookup(context.Context, []string) (map[string]index.Known, error) {
	return map[string]index.Known{}, nil
}
func (store) Upsert(context.Context, []review.Review) error { return nil }

func runner(l Ledger, conn *pages) *Runner {
	reg := connectors.NewRegistry()
	reg.Add(connectors.Kind{Name: "fixed", NewParams: func() any { return &struct{}{} }, New: func(env connectors.Env) (connectors.Connector, error) {
		conn.env = env
		return conn, nil
	}})
	return &Runner{Registry: reg, Pipeline: &pipeline.Pipeline{Store: store{}}, Crawler: config.Crawler{MaxPages: 3}, Ledger: l}
}

var src = config.Source{ID: "s", Kind: "fixed", Location: "l"}

func reviews(n int) []review.Review {
	var out []review.Review
	for i := range n {
		out = append(out, review.Review{ExternalID: string(rune('a' + i)), Text: "x"})
	}
	return out
}

func TestCompleteListingMarksDeletions(t *testing.T) {
	l := &ledger{prev: Previous{Complete: true, LastFound: 3, Known: 3}}
	conn := &pages{pages: []connectors.Page{{Reviews: reviews(2), Final: true, Shown: 2}}}
	sum := runner(l, conn).RunSource(context.Background(), src)
	if !conn.env.Incremental || !sum.Incremental {
		t.Error("a source with a complete pass runs incrementally")
	}
	if len(l.deleted) != 2 || sum.Deleted != 1 || !sum.Complete || sum.Shown != 2 || sum.Outcome() != "ok" {
		t.Errorf("summary %+v, seen %v", sum, l.deleted)
	}
	if len(l.finished) != 1 || l.finished[0].Deleted != 1 {
		t.Errorf("finish %+v", l.finished)
	}
}

func TestNoDeletionsWithoutACleanCompleteListing(t *testing.T) {
	for name, conn := range map[string]*pages{
		"not final":   {pages: []connectors.Page{{Reviews: reviews(2)}}},
		"failed page": {pages: []connectors.Page{{Reviews: reviews(2)}, {Err: errors.New("500"), Final: true}}},
		"run error":   {pages: []connectors.Page{{Reviews: reviews(2), Final: true}}, err: errors.New("stopped")},
	} {
		t.Run(name, func(t *testing.T) {
			l := &ledger{}
			sum := runner(l, conn).RunSource(context.Background(), src)
			if l.deleted != nil || sum.Deleted != 0 {
				t.Errorf("deletions marked: %v", l.deleted)
			}
			if conn.env.Incremental {
				t.Error("incremental without a complete pass")
			}
		})
	}
}

func TestCompleteFlag(t *testing.T) {
	three := []connectors.Page{{Reviews: reviews(1)}, {Reviews: reviews(1)}, {Reviews: reviews(1)}}
	tests := []struct {
		name     string
		pages    []connectors.Page
		err      error
		complete bool
		outcome  string
	}{
		{"end reached before the cap", three[:2], nil, true, "ok"},
		{"page cap reached", three, nil, false, "ok"},
		{"page cap with a final page", append(three[:2:2], connectors.Page{Reviews: reviews(1), Final: true}), nil, true, "ok"},
		{"a page failed", []connectors.Page{{Err: errors.New("500")}}, nil, false, "errors"},
		{"stopped", three[:1], errors.New("boom"), false, "failed"},
		{"interrupted", three[:1], context.Canceled, false, "interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := runner(&ledger{}, &pages{pages: tt.pages, err: tt.err}).RunSource(context.Background(), src)
			if sum.Complete != tt.complete || sum.Outcome() != tt.outcome {
				t.Errorf("complete %v outcome %s, want %v %s", sum.Complete, sum.Outcome(), tt.complete, tt.outcome)
			}
		})
	}
}

func TestZeroReviewsWarning(t *testing.T) {
	l := &ledger{prev: Previous{LastFound: 12}}
	sum := runner(l, &pages{pages: []connectors.Page{{URL: "https://x.example/p"}}}).RunSource(context.Background(), src)
	if len(sum.Warnings) != 1 || sum.Warnings[0] != "no reviews found where the last run found 12: the site may have changed (check it with `vigie extract URL`)" {
		t.Errorf("warnings %q", sum.Warnings)
	}
	// A failed page is an error, not this warning.
	sum = runner(l, &pages{pages: []connectors.Page{{Err: errors.New("timeout")}}}).RunSource(context.Background(), src)
	if len(sum.Warnings) != 0 {
		t.Errorf("warnings %q", sum.Warnings)
	}
}
