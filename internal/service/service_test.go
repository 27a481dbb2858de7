package service

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
	"github.com/vigie-dev/vigie/internal/collect"
	"github.com/vigie-dev/vigie/internal/ingest"
	"github.com/vigie-dev/vigie/internal/pipeline"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/store"
)

// fakeSite is a review source in memory: per source, its reviews newest
// first, served 10 a page.
type fakeSite struct {
	mu       sync.Mutex
	reviews  map[string][]review.Review
	fetches  map[string]int
	pageSize int
	// afterPage, when set, is called after each page is acknowledged.
	afterPage func(ctx context.Context, source string, page int)
}

func newFakeSite() *fakeSite {
	return &fakeSite{reviews: map[string][]review.Review{}, fetches: map[string]int{}, pageSize: 10}
}

func (f *fakeSite) set(source string, rs ...review.Review) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reviews[source] = rs
}

// add puts reviews at the top of source's listing (newest first).
func (f *fakeSite) add(source string, rs ...review.Review) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reviews[source] = append(append([]review.Review(nil), rs...), f.reviews[source]...)
}

func (f *fakeSite) pages(source string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[source]
}

type fakeParams struct {
	URL string `yaml:"url"`
}

type fakeConn struct {
	env  connectors.Env
	site *fakeSite
}

func (c *fakeConn) Collect(ctx context.Context, sink connectors.Sink) error {
	id := c.env.Source.ID
	c.site.mu.Lock()
	rs := append([]review.Review(nil), c.site.reviews[id]...)
	ps := c.site.pageSize
	c.site.mu.Unlock()
	pages := max((len(rs)+ps-1)/ps, 1)
	for p := 0; p < pages && p < c.env.MaxPages(); p++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		page := connectors.Page{URL: fmt.Sprintf("http://fake.example/%s?page=%d", id, p+1), Shown: len(rs), Final: p == pages-1}
		page.Reviews = append(page.Reviews, rs[min(p*ps, len(rs)):min((p+1)*ps, len(rs))]...)
		c.site.mu.Lock()
		c.site.fetches[id]++
		hook := c.site.afterPage
		c.site.mu.Unlock()
		res, err := sink.Page(ctx, page)
		if err != nil {
			return err
		}
		if hook != nil {
			hook(ctx, id, p+1)
		}
		if c.env.Incremental && res.AllKnown() {
			return nil
		}
	}
	return nil
}

func fakeRegistry(site *fakeSite) *connectors.Registry {
	r := connectors.NewRegistry()
	r.Add(connectors.Kind{
		Name:      "fake",
		NewParams: func() any { return &fakeParams{} },
		New:       func(env connectors.Env) (connectors.Connector, error) { return &fakeConn{env: env, site: site}, nil },
	})
	return r
}

func testConfig(t *testing.T, reg *connectors.Registry, dir string, extra string, sources ...string) *config.Config {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: data\nlog: {level: error}\ncrawler: {max_pages: 20}\n%s\nbrands:\n  - id: acme\n    locations:\n", extra)
	for _, s := range sources {
		fmt.Fprintf(&b, "      - id: %s\n        sources:\n          - id: %s\n            kind: fake\n            url: http://fake.example/%s\n", s, s, s)
	}
	path := filepath.Join(dir, "vigie.yaml")
	os.WriteFile(path, []byte(b.String()), 0o644)
	cfg, err := config.Load(path, reg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type labeler struct{ delay time.Duration }

func (labeler) Name() string { return "test" }
func (l labeler) Enrich(r *review.Review) {
	if l.delay > 0 {
		time.Sleep(l.delay)
	}
	label := "positive"
	if strings.Contains(r.Text, "bad") {
		label = "negative"
	}
	r.Sentiment = &review.Sentiment{Label: label}
}

func testPipeline(delay time.Duration) *pipeline.Pipeline {
	return &pipeline.Pipeline{
		Language:  func(text, hint string) (string, float64) { return "en", 0.9 },
		Enrichers: []pipeline.Enricher{labeler{delay: delay}},
	}
}

func open(t *testing.T, cfg *config.Config, reg *connectors.Registry, opts Options) *Service {
	t.Helper()
	opts.Registry = reg
	if opts.Pipeline == nil {
		opts.Pipeline = testPipeline(0)
	}
	svc, err := Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

var day0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func reviews(prefix string, n int) []review.Review {
	var out []review.Review
	for i := n - 1; i >= 0; i-- { // newest first
		out = append(out, review.Review{
			ExternalID:  fmt.Sprintf("%s-%d", prefix, i),
			Author:      fmt.Sprintf("Author %d", i),
			Text:        fmt.Sprintf("Review %d of %s: the coffee was %s", i, prefix, []string{"great", "bad", "fine"}[i%3]),
			Rating:      review.Float(float64(1 + i%5)),
			PublishedAt: day0.AddDate(0, 0, i),
		})
	}
	return out
}

func run(t *testing.T, svc *Service, id string) (sum struct {
	New, Updated, Unchanged, Deleted, Pages int
	Complete, Incremental                   bool
	Warnings                                []string
}) {
	t.Helper()
	s := svc.RunSource(context.Background(), svc.Sources()[id])
	if s.Err != "" || len(s.Errors) > 0 {
		t.Fatalf("run of %s: %s %v", id, s.Err, s.Errors)
	}
	if err := svc.Journal.Flush(); err != nil {
		t.Fatal(err)
	}
	sum.New, sum.Updated, sum.Unchanged, sum.Deleted, sum.Pages = s.New, s.Updated, s.Unchanged, s.Deleted, s.Pages
	sum.Complete, sum.Incremental, sum.Warnings = s.Complete, s.Incremental, s.Warnings
	return sum
}

func TestIncrementalRunsDeletionsAndCoverage(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	cfg := testConfig(t, reg, t.TempDir(), "", "paris")
	svc := open(t, cfg, reg, Options{})
	site.set("paris", reviews("p", 35)...)

	s := run(t, svc, "paris")
	if s.New != 35 || s.Pages != 4 || !s.Complete || s.Incremental {
		t.Fatalf("first run %+v", s)
	}
	// Unchanged: one page.
	s = run(t, svc, "paris")
	if s.Pages != 1 || s.New != 0 || !s.Incremental || !s.Complete {
		t.Errorf("second run %+v", s)
	}
	// Two new reviews on top: the first page has them, the second is
	// all known.
	site.add("paris", reviews("new", 2)...)
	if s = run(t, svc, "paris"); s.New != 2 || s.Pages != 2 {
		t.Errorf("third run %+v", s)
	}
	// An incremental run stops early, so it cannot see deletions; a
	// full pass (--full) over a complete listing can.
	rs := reviews("p", 35)
	site.set("paris", append(reviews("new", 2), rs[1:]...)...) // p-34 is gone
	svc.Runner.Full = true
	s = run(t, svc, "paris")
	svc.Runner.Full = false
	if s.Deleted != 1 || s.Pages != 4 {
		t.Errorf("full run %+v", s)
	}
	r, _, _ := svc.Index.Get(review.MakeID("paris", "p-34", "", time.Time{}, ""))
	if r.DeletedAt.IsZero() {
		t.Errorf("the review gone from the source is not marked deleted: %+v", r)
	}
	if n, _ := svc.Index.Count(); n != 37 {
		t.Errorf("index holds %d reviews; deleted reviews are kept, want 37", n)
	}
	st, _, _ := svc.State.Source("paris")
	if st.Shown != 36 || st.Collected != 36 || st.Deleted != 1 || st.Outcome != "ok" || st.LastSuccess.IsZero() {
		t.Errorf("state %+v", st)
	}
	// The site changed: its page yields nothing.
	site.set("paris")
	s = run(t, svc, "paris")
	if !strings.Contains(strings.Join(s.Warnings, "\n"), "no reviews found where the last run found 36: the site may have changed") || s.Deleted != 0 {
		t.Errorf("empty listing: %+v", s)
	}
	if n, _ := svc.State.CountKnown("paris"); n != 36 {
		t.Errorf("an empty listing marked reviews deleted: %d left", n)
	}
}

// A run cut short (page cap, crash) must not make the next run stop at
// known reviews before reaching the older ones.
func TestCutShortRunIsFollowedByAFullPass(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	dir := t.TempDir()
	cfg := testConfig(t, reg, dir, "", "lyon")
	svc := open(t, cfg, reg, Options{Command: "vigie test"})
	site.set("lyon", reviews("l", 50)...)

	// The process dies after two pages of the first run.
	ctx, kill := context.WithCancel(context.Background())
	site.afterPage = func(_ context.Context, _ string, page int) {
		if page == 2 {
			kill()
		}
	}
	sum := svc.RunSource(ctx, svc.Sources()["lyon"])
	site.afterPage = nil
	if sum.Err != "interrupted" || sum.New != 20 || sum.Complete {
		t.Fatalf("interrupted run %+v", sum)
	}
	// Begin without Finish, as after a crash.
	svc.State.UpdateSource("lyon", func(st *store.SourceState) error { st.Outcome = "running"; return nil })
	svc.Close()

	svc = open(t, cfg, reg, Options{})
	st, _, _ := svc.State.Source("lyon")
	if st.Outcome != "interrupted" || st.Complete {
		t.Errorf("state after the crash %+v", st)
	}
	// The next run goes past the 20 known reviews at the top.
	s := run(t, svc, "lyon")
	if s.Incremental || s.New != 30 || s.Unchanged != 20 || s.Pages != 5 || !s.Complete {
		t.Errorf("run after a cut-short run %+v", s)
	}
	if s = run(t, svc, "lyon"); !s.Incremental || s.Pages != 1 {
		t.Errorf("then incremental: %+v", s)
	}
}

func TestPageCapKeepsRunsFull(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	cfg := testConfig(t, reg, t.TempDir(), "", "lille")
	cfg.Crawler.MaxPages = 2
	svc := open(t, cfg, reg, Options{})
	site.set("lille", reviews("x", 45)...)
	s := run(t, svc, "lille")
	if s.Complete || s.Pages != 2 {
		t.Errorf("capped run %+v", s)
	}
	if s = run(t, svc, "lille"); s.Incremental || s.Pages != 2 {
		t.Errorf("after a capped run, %+v: not incremental", s)
	}
}

func TestSourceHost(t *testing.T) {
	for _, tt := range []struct {
		params any
		want   string
	}{
		{&fakeParams{URL: "https://www.Example.com/a"}, "example.com"},
		{&struct{ URLs []string }{URLs: []string{"http://b.example/x"}}, "b.example"},
		{&struct{ Endpoint string }{Endpoint: ""}, "kind:k"},
		{nil, "kind:k"},
	} {
		if got := sourceHost(config.Source{Kind: "k", Params: tt.params}); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.params, got, tt.want)
		}
	}
}

type searchResult struct {
	total uint64
	ids   []string
}

func snapshot(t *testing.T, h *index.Holder) map[string]searchResult {
	t.Helper()
	out := map[string]searchResult{}
	for _, q := range []index.Query{
		{Text: "coffee", Size: 1000},
		{Text: "bad", Size: 1000},
		{Text: "great", Sort: index.SortNewest, Size: 1000},
		{Locations: []string{"paris"}, Sort: index.SortOldest, Size: 1000},
		{Text: "rating:<=2", Sort: index.SortNewest, Size: 1000},
		{Sentiments: []string{"negative"}, Sort: index.SortNewest, Size: 1000},
	} {
		res, err := h.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, hit := range res.Hits {
			ids = append(ids, hit.Review.ID)
		}
		key := fmt.Sprintf("%s|%v|%s|%v", q.Text, q.Locations, q.Sort, q.Sentiments)
		out[key] = searchResult{total: res.Total, ids: ids}
	}
	return out
}

func sameIDs(a, b []string, ordered bool) bool {
	if len(a) != len(b) {
		return false
	}
	if ordered {
		return strings.Join(a, ",") == strings.Join(b, ",")
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// The rebuilt index answers every search as the original did; during the
// rebuild the original keeps answering; what is ingested during the rebuild
// is in the new index.
func TestReindexWhileServing(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	dir := t.TempDir()
	cfg := testConfig(t, reg, dir, "server: {addr: \"127.0.0.1:0\"}", "paris", "lyon", "moscow")
	svc := open(t, cfg, reg, Options{Command: "vigie serve", IndexPoll: 20 * time.Millisecond})
	site.set("paris", reviews("p", 120)...)
	site.set("lyon", reviews("l", 80)...)
	site.set("moscow", reviews("m", 60)...)
	for _, id := range []string{"paris", "lyon", "moscow"} {
		run(t, svc, id)
	}
	// An edit and a deletion, so that versions and marks are rebuilt too.
	lyon := reviews("l", 80)
	lyon[0].Text = "Edited: the coffee was bad after all"
	site.set("lyon", lyon[:len(lyon)-1]...)
	svc.Runner.Full = true
	run(t, svc, "lyon")
	svc.Runner.Full = false
	before := snapshot(t, svc.Index)

	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- svc.Serve(ctx, true) }()

	// Searches during the rebuild.
	var searches, failures atomic.Int32
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := svc.Index.Search(context.Background(), index.Query{Text: "coffee", Size: 5})
			searches.Add(1)
			if err != nil || res.Total < 260 {
				failures.Add(1)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	// Reviews collected during the rebuild.
	var once sync.Once
	progress := func(done, total uint64) {
		once.Do(func() {
			site.add("moscow", reviews("late", 3)...)
			if _, err := svc.RunNow(context.Background(), []string{"moscow"}); err != nil {
				t.Error(err)
			}
		})
	}
	res, err := Reindex(context.Background(), cfg, ReindexOptions{Pipeline: testPipeline(2 * time.Millisecond), Progress: progress, HandoverWait: 10 * time.Second})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !res.HandedOver || res.Stats.Records < 260 {
		t.Errorf("reindex result %+v", res)
	}
	if searches.Load() < 3 || failures.Load() > 0 {
		t.Errorf("searches during the rebuild: %d, failed %d", searches.Load(), failures.Load())
	}
	if svc.Index.Path() != res.Dir {
		t.Errorf("serving %s, want the rebuilt %s", svc.Index.Path(), res.Dir)
	}
	if _, err := os.Stat(res.Previous); !os.IsNotExist(err) {
		t.Errorf("previous index still there: %v", err)
	}
	if n, _ := svc.Index.Count(); n != 263 {
		t.Errorf("rebuilt index holds %d, want 263 (260 + 3 collected during the rebuild)", n)
	}
	// Same answers, apart from the late reviews.
	after := snapshot(t, svc.Index)
	for key, b := range before {
		a := after[key]
		var ids []string
		for _, id := range a.ids {
			if r, _, _ := svc.Index.Get(id); !strings.HasPrefix(r.ExternalID, "late-") {
				ids = append(ids, id)
			}
		}
		ordered := !strings.HasPrefix(key, "coffee|") && !strings.HasPrefix(key, "bad|")
		if !sameIDs(b.ids, ids, ordered) {
			t.Errorf("%s: before %d hits %v\nafter %d hits %v", key, b.total, b.ids, a.total, ids)
		}
	}
	r, _, _ := svc.Index.Get(review.MakeID("lyon", "l-79", "", time.Time{}, ""))
	if len(r.History) != 1 || r.Sentiment.Label != "negative" {
		t.Errorf("edited review after rebuild: %+v", r)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	// The data folder opens cleanly on the new index.
	svc2 := open(t, cfg, reg, Options{})
	if n, _ := svc2.Index.Count(); n != 263 || svc2.Index.Path() != res.Dir {
		t.Errorf("after restart: %d reviews in %s", n, svc2.Index.Path())
	}
}

func TestReindexWithoutServe(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	cfg := testConfig(t, reg, t.TempDir(), "", "paris")
	svc := open(t, cfg, reg, Options{})
	site.set("paris", reviews("p", 30)...)
	run(t, svc, "paris")
	before := snapshot(t, svc.Index)
	svc.Close()

	res, err := Reindex(context.Background(), cfg, ReindexOptions{Pipeline: testPipeline(0)})
	if err != nil {
		t.Fatal(err)
	}
	if res.HandedOver || res.Pending || res.Stats.Reviews != 30 {
		t.Errorf("%+v", res)
	}
	if cur, _ := index.Current(cfg.DataDir); filepath.Join(cfg.DataDir, cur) != res.Dir {
		t.Errorf("current index %s, want %s", cur, res.Dir)
	}
	svc = open(t, cfg, reg, Options{})
	after := snapshot(t, svc.Index)
	for k, b := range before {
		if !sameIDs(b.ids, after[k].ids, !strings.HasPrefix(k, "coffee|") && !strings.HasPrefix(k, "bad|")) {
			t.Errorf("%s differs", k)
		}
	}
	// Old folders are gone; a second reindex works from the new one.
	names, _ := index.Versions(cfg.DataDir)
	if len(names) != 1 {
		t.Errorf("index folders %v", names)
	}
	svc.Close()
	if _, err := Reindex(context.Background(), cfg, ReindexOptions{Pipeline: testPipeline(0), Now: func() time.Time { return time.Now().Add(time.Hour) }}); err != nil {
		t.Fatal(err)
	}
}

func TestReindexEmptyArchive(t *testing.T) {
	reg := fakeRegistry(newFakeSite())
	cfg := testConfig(t, reg, t.TempDir(), "", "paris")
	_, err := Reindex(context.Background(), cfg, ReindexOptions{})
	if err == nil || !strings.Contains(err.Error(), "archive") {
		t.Errorf("err = %v", err)
	}
	if cur, _ := index.Current(cfg.DataDir); cur != index.DefaultName {
		t.Errorf("current %s", cur)
	}
}

// A shutdown waits for the batch in progress: it is archived and indexed,
// and the data folder opens cleanly.
func TestGracefulShutdownCompletesBatch(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	cfg := testConfig(t, reg, t.TempDir(), "server: {addr: \"127.0.0.1:0\"}\nscheduler: {grace: 10s, jitter: 0s}", "paris")
	// Enrichment is slow: a page of 10 takes a second.
	svc := open(t, cfg, reg, Options{Pipeline: testPipeline(100 * time.Millisecond)})
	site.set("paris", reviews("p", 25)...)
	pageStarted := make(chan struct{})
	var once sync.Once
	slow := svc.Pipeline.Enrichers[0]
	svc.Pipeline.Enrichers = []pipeline.Enricher{enrichHook{func() { once.Do(func() { close(pageStarted) }) }}, slow}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx, true) }()
	<-pageStarted // the first page is being enriched
	cancel()      // SIGTERM
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	// Reopen: the run went on within the grace period and finished.
	svc = open(t, cfg, reg, Options{})
	if n, _ := svc.Index.Count(); n != 25 {
		t.Errorf("index holds %d after a graceful stop, want 25", n)
	}
	if last := svc.Archive.Last(); last != 25 {
		t.Errorf("archive ends at %d", last)
	}
	st, _, _ := svc.State.Source("paris")
	if st.Outcome != "ok" || !st.Complete {
		t.Errorf("state %+v", st)
	}
}

// After the grace period, the run is cut short, but the batch being
// committed is finished.
func TestShutdownAfterGraceKeepsCommittedBatches(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	cfg := testConfig(t, reg, t.TempDir(), "scheduler: {grace: 100ms, jitter: 0s}", "paris")
	svc := open(t, cfg, reg, Options{})
	site.set("paris", reviews("p", 25)...)
	hung := make(chan struct{})
	site.afterPage = func(ctx context.Context, _ string, page int) {
		if page == 1 {
			close(hung)
			<-ctx.Done() // the connector hangs on page 2
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx, true) }()
	<-hung
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	site.afterPage = nil
	svc = open(t, cfg, reg, Options{})
	if n, _ := svc.Index.Count(); n != 10 {
		t.Errorf("index holds %d, want the first page's 10", n)
	}
	st, _, _ := svc.State.Source("paris")
	if st.Outcome != "interrupted" || st.Complete || st.Failures != 0 {
		t.Errorf("state %+v", st)
	}
}

type enrichHook struct{ fn func() }

func (enrichHook) Name() string              { return "hook" }
func (h enrichHook) Enrich(r *review.Review) { h.fn() }

func TestHealthzAndMetrics(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	token := "a-test-token-long-enough"
	cfg := testConfig(t, reg, t.TempDir(), "server: {addr: \"127.0.0.1:0\", tokens: [\""+token+"\"]}\nscheduler: {jitter: 0s}", "paris", "lyon")
	site.set("paris", reviews("p", 12)...)
	svc := open(t, cfg, reg, Options{Version: "v9"})
	var batches atomic.Int32
	svc.OnBatch(func(ev ingestEvent) { batches.Add(1) })
	var runs atomic.Int32
	svc.OnRun(func(config.Source, summary) { runs.Add(1) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	if err := svc.Server.Listen(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- svc.Serve(ctx, false) }()
	base := "http://" + svc.Server.Addr()
	get := func(path string, auth bool) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// Both sources run at start (never ran); wait for them, and for their
	// batches to be indexed.
	deadline := time.Now().Add(10 * time.Second)
	for (runs.Load() < 2 || batches.Load() < 2) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if code, _ := get("/healthz", false); code != http.StatusUnauthorized {
		t.Errorf("/healthz without a token: %d", code)
	}
	code, body := get("/healthz", true)
	if code != 200 || !strings.Contains(body, `"status": "ok"`) || !strings.Contains(body, `"index_documents": 12`) {
		t.Errorf("/healthz: %d %s", code, body)
	}
	code, body = get("/healthz/sources", true)
	if code != 200 || !strings.Contains(body, `"id": "paris"`) || !strings.Contains(body, `"next_run"`) {
		t.Errorf("/healthz/sources: %d %s", code, body)
	}
	code, body = get("/metrics", true)
	for _, want := range []string{
		`vigie_runs_total{kind="fake",outcome="ok"} 2`,
		`vigie_reviews_total{kind="fake",outcome="new"} 12`,
		`vigie_pages_total{kind="fake"} 3`,
		`vigie_index_documents 12`,
		`vigie_scheduler_queue_depth 0`,
		`vigie_run_duration_seconds_count{kind="fake"} 2`,
		`vigie_build_info{version="v9"} 1`,
		`vigie_source_up{source="paris"} 1`,
		"# TYPE vigie_run_duration_seconds histogram",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code != 200 || batches.Load() != 2 {
		t.Errorf("metrics %d, batches %d", code, batches.Load())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSecondProcessIsRefused(t *testing.T) {
	reg := fakeRegistry(newFakeSite())
	cfg := testConfig(t, reg, t.TempDir(), "", "paris")
	open(t, cfg, reg, Options{Command: "vigie serve"})
	_, err := Open(context.Background(), cfg, Options{Registry: reg})
	if err == nil || !strings.Contains(err.Error(), "in use by another Vigie process (vigie serve, pid") {
		t.Errorf("err = %v", err)
	}
}

func TestArchiveRecordsEveryVersionOnce(t *testing.T) {
	site := newFakeSite()
	reg := fakeRegistry(site)
	cfg := testConfig(t, reg, t.TempDir(), "", "paris")
	svc := open(t, cfg, reg, Options{})
	site.set("paris", reviews("p", 15)...)
	run(t, svc, "paris")
	run(t, svc, "paris")
	svc.Runner.Full = true
	run(t, svc, "paris")
	n := 0
	archive.Scan(ArchiveDir(cfg), 1, func(r archive.Record) error { n++; return nil })
	if n != 15 {
		t.Errorf("archive holds %d records for 15 reviews seen three times", n)
	}
}

type (
	ingestEvent = ingest.Event
	summary     = collect.Summary
)
