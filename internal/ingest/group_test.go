package ingest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/review"
)

// TestGroupCommit commits pages of many sources at once: batches that
// wait while a group is written go together into the next group, and
// every review is indexed once, with its event, its known hash and its
// history.
func TestGroupCommit(t *testing.T) {
	e := newEnv(t, t.TempDir())
	defer e.close()
	var mu sync.Mutex
	events := map[string][]Event{}
	e.j.OnCommit = func(ev Event) {
		mu.Lock()
		events[ev.Source] = append(events[ev.Source], ev)
		mu.Unlock()
	}
	const sources, pages, perPage = 12, 5, 7
	sourceOf := func(s int) config.Source {
		return config.Source{ID: fmt.Sprintf("s%02d", s), Kind: "schemaorg", Brand: "acme", Location: fmt.Sprintf("l%02d", s)}
	}
	crawl := func(text string) {
		// Hold the commit lock until every source has a page queued, so
		// that grouping is certain rather than likely.
		e.j.mu.Lock()
		var wg sync.WaitGroup
		for s := range sources {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run := e.p.NewRun(sourceOf(s))
				for p := range pages {
					var rs []review.Review
					for i := range perPage {
						rs = append(rs, rv(fmt.Sprintf("%d-%d", p, i), fmt.Sprintf("%s %d %d", text, p, i), 4))
					}
					if _, err := run.Page(context.Background(), connectors.Page{URL: "https://example.com/p", Reviews: rs}); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		// Wait until the queue stops growing: one batch leads (its group
		// taken, waiting for the lock), the others queue.
		deadline := time.Now().Add(10 * time.Second)
		last, stable := -1, 0
		for stable < 20 && time.Now().Before(deadline) {
			e.j.qmu.Lock()
			queued := len(e.j.queue)
			e.j.qmu.Unlock()
			if queued == last && queued > 0 {
				stable++
			} else {
				last, stable = queued, 0
			}
			time.Sleep(5 * time.Millisecond)
		}
		e.j.mu.Unlock()
		wg.Wait()
		if err := e.j.Flush(); err != nil {
			t.Fatal(err)
		}
	}

	crawl("first")
	t.Logf("%d group commits for %d pages", e.j.groups, sources*pages)
	if g := e.j.groups; g >= sources*pages {
		t.Errorf("%d group commits for %d pages: nothing was grouped", g, sources*pages)
	}
	n, err := e.j.Index.Count()
	if err != nil || n != sources*pages*perPage {
		t.Fatalf("index holds %d reviews (%v), want %d", n, err, sources*pages*perPage)
	}
	for s := range sources {
		id := sourceOf(s).ID
		total := 0
		for _, ev := range events[id] {
			total += ev.New
			if len(ev.Reviews) != ev.New+ev.Updated {
				t.Errorf("%s: event with %d reviews for %d new and %d updated", id, len(ev.Reviews), ev.New, ev.Updated)
			}
			for _, r := range ev.Reviews {
				if r.Source != id {
					t.Errorf("event of %s carries a review of %s", id, r.Source)
				}
			}
		}
		if total != pages*perPage {
			t.Errorf("%s: events count %d new reviews, want %d", id, total, pages*perPage)
		}
	}

	// The same reviews edited: each is updated once and keeps its first
	// version in its history (looked up because the state knows it).
	events = map[string][]Event{}
	crawl("second")
	for s := range sources {
		id := sourceOf(s).ID
		updated := 0
		for _, ev := range events[id] {
			updated += ev.Updated
		}
		if updated != pages*perPage {
			t.Errorf("%s: %d updated, want %d", id, updated, pages*perPage)
		}
	}
	if n, _ := e.j.Index.Count(); n != sources*pages*perPage {
		t.Errorf("after edits the index holds %d reviews, want %d", n, sources*pages*perPage)
	}
	rid := review.MakeID("s03", "2-5", "", time.Time{}, "")
	r, ok, err := e.j.Index.Get(rid)
	if err != nil || !ok {
		t.Fatalf("review %s: %v %v", rid, ok, err)
	}
	if r.Text != "second 2 5" || len(r.History) != 1 || r.History[0].Text != "first 2 5" {
		t.Errorf("edited review: text %q, history %+v", r.Text, r.History)
	}
}
