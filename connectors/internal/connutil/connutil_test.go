package connutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/internal/review"
)

type testParams struct{ URL string }

func (p *testParams) Validate() error {
	if p.URL == "" {
		return config.Invalid("url", "is required")
	}
	return nil
}

func TestPrepare(t *testing.T) {
	env := conntest.Env("test", &testParams{URL: "https://example.test/"})
	p, log, err := Prepare[testParams]("test", env, true)
	if err != nil || p.URL != "https://example.test/" || log == nil {
		t.Fatalf("Prepare = %v, %v, %v", p, log, err)
	}
	tests := []struct {
		name   string
		params any
		client bool
		want   string
	}{
		{"no params", nil, true, `test: source "test-test": parameters are <nil>, not *connutil.testParams`},
		{"other params", &struct{}{}, true, `test: source "test-test": parameters are *struct {}, not *connutil.testParams`},
		{"typed nil", (*testParams)(nil), true, `test: source "test-test": parameters are *connutil.testParams, not *connutil.testParams`},
		{"invalid", &testParams{}, true, `test: source "test-test": url: is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := conntest.Env("test", tt.params)
			if _, _, err := Prepare[testParams]("test", env, tt.client); err == nil || err.Error() != tt.want {
				t.Errorf("Prepare = %v, want %q", err, tt.want)
			}
		})
	}
	env.Client = nil
	if _, _, err := Prepare[testParams]("test", env, true); err == nil || err.Error() != `test: source "test-test": no HTTP client` {
		t.Errorf("Prepare without a client = %v", err)
	}
	if _, _, err := Prepare[testParams]("test", env, false); err != nil {
		t.Errorf("Prepare without a client, none needed = %v", err)
	}
}

func TestExtract(t *testing.T) {
	doc := connectors.Document{URL: "https://example.test/"}
	var gotP *testParams
	withParams := ExtractWith(func(p *testParams, d connectors.Document) (connectors.Extraction, error) {
		gotP = p
		return connectors.Extraction{Next: []string{d.URL}}, nil
	})
	plain := Extract(func(d connectors.Document) (connectors.Extraction, error) {
		return connectors.Extraction{Next: []string{d.URL}}, nil
	})
	p := &testParams{URL: "x"}
	for _, params := range []any{nil, p, &struct{}{}} {
		gotP = nil
		ext, err := withParams(context.Background(), params, doc)
		if err != nil || len(ext.Next) != 1 {
			t.Errorf("ExtractWith(%T) = %v, %v", params, ext, err)
		}
		if want, _ := params.(*testParams); gotP != want {
			t.Errorf("ExtractWith(%T) gave params %v", params, gotP)
		}
		if ext, err := plain(context.Background(), params, doc); err != nil || len(ext.Next) != 1 {
			t.Errorf("Extract(%T) = %v, %v", params, ext, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := withParams(ctx, p, doc); !errors.Is(err, context.Canceled) {
		t.Errorf("ExtractWith after cancel = %v", err)
	}
	if _, err := plain(ctx, nil, doc); !errors.Is(err, context.Canceled) {
		t.Errorf("Extract after cancel = %v", err)
	}
}

func TestMaxPages(t *testing.T) {
	env := conntest.Env("test", nil)
	env.Crawler.MaxPages = 0
	if n := MaxPages(env); n != DefaultMaxPages {
		t.Errorf("MaxPages without a limit = %d", n)
	}
	env.Source.MaxPages = 3
	if n := MaxPages(env); n != 3 {
		t.Errorf("MaxPages = %d, want 3", n)
	}
}

func TestStarts(t *testing.T) {
	got := Starts(" https://a.test/ ", []string{"", "https://b.test/", "https://a.test/", "https://b.test/"})
	if strings.Join(got, " ") != "https://a.test/ https://b.test/" {
		t.Errorf("Starts = %q", got)
	}
	if got := Starts("", nil); len(got) != 0 {
		t.Errorf("Starts of nothing = %q", got)
	}
	errs := errors.Join(CheckStarts("x", []string{"https://ok.test/", "ftp://y"}, "feeds")...)
	if errs == nil || !strings.Contains(errs.Error(), `url: "x" is not an absolute http(s) URL`) || !strings.Contains(errs.Error(), "urls[1]:") || strings.Contains(errs.Error(), "urls[0]") {
		t.Errorf("CheckStarts = %v", errs)
	}
	if err := errors.Join(CheckStarts(" ", nil, "feeds")...); err == nil || !strings.Contains(err.Error(), "url: is required (or list feeds under urls)") {
		t.Errorf("CheckStarts of nothing = %v", err)
	}
	if errs := CheckStarts("", []string{"https://ok.test/"}, "feeds"); len(errs) != 0 {
		t.Errorf("CheckStarts of urls only = %v", errs)
	}
}

func TestCheckSecret(t *testing.T) {
	tests := []struct {
		name, value, required, bad, want string
	}{
		{"set", "k", "the key", " ", ""},
		{"missing", " ", "the key", " ", "api_key: is required: the key (write ${ENV_VAR} to take it from the environment)"},
		{"optional", "", "", " ", ""},
		{"unexpanded", "${KEY}", "the key", " ", "api_key: holds an unexpanded ${…} reference: is the environment variable set?"},
		{"bad characters", "a b", "the key", " ", "api_key: holds white space"},
		{"no bad characters", "a b", "the key", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSecret("api_key", tt.value, tt.required, tt.bad, "holds white space")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckSecret = %v, want nil", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("CheckSecret = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	if got := Clip("Привет", 3); got != "П…" {
		t.Errorf("Clip = %q", got)
	}
	if got := Clip("abc", 3); got != "abc" {
		t.Errorf("Clip = %q", got)
	}
	var v struct{ Rating int }
	if got := JSONProblem(json.Unmarshal([]byte(`{"Rating":"x"}`), &v)); got != "Rating is a JSON string" {
		t.Errorf("JSONProblem = %q", got)
	}
	if got := JSONProblem(json.Unmarshal([]byte(`"x"`), &v)); got != "a JSON string" {
		t.Errorf("JSONProblem = %q", got)
	}
	if got := JSONProblem(errors.New("eof")); got != "eof" {
		t.Errorf("JSONProblem = %q", got)
	}
	if got := ServerSays(&fetch.Response{Body: []byte(" <p>Bad\n gateway</p> ")}); got != `: the server says "<p>Bad gateway</p>"` {
		t.Errorf("ServerSays = %q", got)
	}
	if got := ServerSays(&fetch.Response{Body: bytes.Repeat([]byte("é"), 150)}); got != fmt.Sprintf(": the server says %q", strings.Repeat("é", 100)+"…") {
		t.Errorf("ServerSays of a long body = %q", got)
	}
	for _, resp := range []*fetch.Response{nil, {}, {Body: []byte(" \n ")}} {
		if got := ServerSays(resp); got != "" {
			t.Errorf("ServerSays(%v) = %q", resp, got)
		}
	}
	if got := GoogleSummary("NOT_FOUND", "gone", []string{"A", "B"}); got != "NOT_FOUND: gone [A, B]" {
		t.Errorf("GoogleSummary = %q", got)
	}
	if got := GoogleSummary("", "gone", nil); got != "gone" {
		t.Errorf("GoogleSummary = %q", got)
	}
	if tm, err := ParseTime("2026-03-21T08:58:50.5+01:00"); err != nil || tm.Format("2006-01-02T15:04:05.0Z07:00") != "2026-03-21T07:58:50.5Z" {
		t.Errorf("ParseTime = %v, %v", tm, err)
	}
	if tm, err := ParseTime(""); err != nil || !tm.IsZero() {
		t.Errorf("ParseTime of nothing = %v, %v", tm, err)
	}
	if _, err := ParseTime("hier"); err == nil || err.Error() != `unreadable date "hier"` {
		t.Errorf("ParseTime = %v", err)
	}
	four, nine := 4.0, 9.0
	if r, best, w := Stars(&four); r == nil || *r != 4 || *best != 5 || w != "" {
		t.Errorf("Stars(4) = %v, %v, %q", r, best, w)
	}
	if r, best, w := Stars(&nine); r != nil || best != nil || w != "rating 9 out of 1..5: kept unrated" {
		t.Errorf("Stars(9) = %v, %v, %q", r, best, w)
	}
	if r, best, w := Stars(nil); r != nil || best != nil || w != "" {
		t.Errorf("Stars(nil) = %v, %v, %q", r, best, w)
	}
	if !MostlyUTF8([]byte("Caf\xe9 crème brûlée")) || MostlyUTF8([]byte("Caf\xe9 cr\xe8me")) {
		t.Error("MostlyUTF8")
	}
}

// logRecorder keeps the messages logged, with their level.
type logRecorder struct{ lines []string }

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.lines = append(h.lines, r.Level.String()+" "+r.Message)
	return nil
}
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

func TestWalk(t *testing.T) {
	type step struct {
		next int
		fail bool
		ids  []string
	}
	tests := []struct {
		name        string
		steps       map[int]step
		maxPages    int
		incremental bool
		known       []string
		capLevel    slog.Level
		wantPages   string // page number, with ! for a failed one
		wantLog     []string
	}{
		{name: "to the end", steps: map[int]step{1: {next: 2}, 2: {next: 3}, 3: {}}, maxPages: 10, wantPages: "1 2 3"},
		{name: "jumps", steps: map[int]step{1: {next: 3}, 3: {}}, maxPages: 10, wantPages: "1 3"},
		{name: "cap", steps: map[int]step{1: {next: 2}, 2: {next: 3}}, maxPages: 2, wantPages: "1 2", wantLog: []string{"INFO test: page limit reached"}},
		{name: "cap at another level", steps: map[int]step{1: {next: 5}}, maxPages: 4, capLevel: slog.LevelDebug, wantPages: "1", wantLog: []string{"DEBUG test: page limit reached"}},
		{name: "a failure stops", steps: map[int]step{1: {next: 2}, 2: {fail: true}}, maxPages: 10, wantPages: "1 2!", wantLog: []string{"WARN test: page failed"}},
		{name: "a failure with a next page goes on", steps: map[int]step{1: {next: 2, fail: true}, 2: {}}, maxPages: 10, wantPages: "1! 2", wantLog: []string{"WARN test: page failed"}},
		{name: "a failure at the cap", steps: map[int]step{1: {next: 2, fail: true}}, maxPages: 1, wantPages: "1!", wantLog: []string{"WARN test: page failed", "INFO test: page limit reached"}},
		{name: "incremental stop", steps: map[int]step{1: {next: 2, ids: []string{"a"}}, 2: {next: 3}}, maxPages: 10, incremental: true, known: []string{"a"}, wantPages: "1", wantLog: []string{"DEBUG test: page already known, not paging further"}},
		{name: "a known last page is no incremental stop", steps: map[int]step{1: {ids: []string{"a"}}}, maxPages: 10, incremental: true, known: []string{"a"}, wantPages: "1"},
		{name: "known, but not incremental", steps: map[int]step{1: {next: 2, ids: []string{"a"}}, 2: {}}, maxPages: 10, known: []string{"a"}, wantPages: "1 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := conntest.Env("test", nil)
			env.Incremental = tt.incremental
			sink := &conntest.Sink{Known: map[string]bool{}}
			for _, k := range tt.known {
				sink.Known[k] = true
			}
			logs := &logRecorder{}
			pages := &Pages{Kind: "test", Env: env, Log: slog.New(logs), Sink: sink, CapLevel: tt.capLevel}
			err := pages.Walk(context.Background(), tt.maxPages, func(ctx context.Context, n int) (connectors.Page, int, error) {
				s, ok := tt.steps[n]
				if !ok {
					t.Fatalf("page %d fetched", n)
				}
				p := connectors.Page{URL: fmt.Sprint(n), Warnings: []string{"w"}}
				for _, id := range s.ids {
					p.Reviews = append(p.Reviews, review.Review{ExternalID: id})
				}
				if s.fail {
					return p, s.next, errors.New("boom")
				}
				return p, s.next, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range sink.Pages {
				switch {
				case p.Err != nil && (p.Err.Error() != "boom" || len(p.Warnings) > 0):
					t.Errorf("failed page %+v", p)
				case p.Err != nil:
					got = append(got, p.URL+"!")
				default:
					got = append(got, p.URL)
				}
			}
			if strings.Join(got, " ") != tt.wantPages {
				t.Errorf("pages %q, want %q", strings.Join(got, " "), tt.wantPages)
			}
			if strings.Join(logs.lines, "|") != strings.Join(tt.wantLog, "|") {
				t.Errorf("logged %q, want %q", logs.lines, tt.wantLog)
			}
		})
	}
}

func TestWalkStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &conntest.Sink{}
	pages := &Pages{Kind: "test", Env: conntest.Env("test", nil), Log: slog.New(slog.DiscardHandler), Sink: sink}
	err := pages.Walk(ctx, 10, func(ctx context.Context, n int) (connectors.Page, int, error) {
		cancel() // what this call got is not handed over
		return connectors.Page{URL: "1"}, 2, nil
	})
	if !errors.Is(err, context.Canceled) || len(sink.Pages) != 0 {
		t.Errorf("Walk = %v with %d pages, want context.Canceled with none", err, len(sink.Pages))
	}
	boom := errors.New("disk full")
	pages.Sink = conntest.SinkFunc(func(context.Context, connectors.Page) (connectors.PageResult, error) {
		return connectors.PageResult{}, boom
	})
	for _, fail := range []bool{false, true} {
		err = pages.Walk(context.Background(), 10, func(ctx context.Context, n int) (connectors.Page, int, error) {
			if fail {
				return connectors.Page{URL: "1"}, 2, errors.New("bad page")
			}
			return connectors.Page{URL: "1"}, 2, nil
		})
		if !errors.Is(err, boom) || err.Error() != "test: disk full" {
			t.Errorf("Walk with a failing sink = %v", err)
		}
	}
}

func TestFrontier(t *testing.T) {
	f := NewFrontier([]string{"https://a.test/1", "https://a.test/1#top"})
	if f.Len() != 2 {
		t.Fatalf("Len = %d, want the 2 start pages as given", f.Len())
	}
	if u := f.Pop(); u != "https://a.test/1" {
		t.Errorf("Pop = %s", u)
	}
	f.Reached("https://a.test/moved")
	links := []string{"https://a.test/1#x", "https://www.a.test/2", "https://b.test/3", "https://a.test/moved", "mailto:x@a.test", "https://A.test/4", "https://a.test/2"}
	got := f.Links("https://a.test/1", links)
	if strings.Join(got, " ") != "https://www.a.test/2 https://A.test/4 https://a.test/2" {
		t.Errorf("Links = %q", got)
	}
	f.Push(got...)
	f.Push("https://a.test/2#again")
	if f.Len() != 4 {
		t.Errorf("Len = %d after Push, want 4 (the start left, then 2 on www., 4 and 2)", f.Len())
	}
	if got := f.Links("https://a.test/2", []string{"https://a.test/2#reviews", "https://a.test/5"}); strings.Join(got, " ") != "https://a.test/5" {
		t.Errorf("Links = %q", got)
	}
	var order []string
	for f.Len() > 0 {
		order = append(order, f.Pop())
	}
	if strings.Join(order, " ") != "https://a.test/1#top https://www.a.test/2 https://A.test/4 https://a.test/2" {
		t.Errorf("order %q", order)
	}
	if VisitKey("https://a.test/x?p=1#y") != "https://a.test/x?p=1" || VisitKey("%zz") != "%zz" {
		t.Error("VisitKey")
	}
}
