package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/service"
)

// syncBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSourcesAndReindexCommands(t *testing.T) {
	site := fixtureSite(t)
	cfg := writeConfig(t, site.URL, "")
	// Before any run.
	code, out, errOut := vigie(t, "sources", "--config", cfg)
	if code != 0 || !strings.Contains(out, "lyon-site") || !strings.Contains(out, "never") {
		t.Fatalf("sources before any run: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := vigie(t, "crawl", "--config", cfg); code != 0 {
		t.Fatalf("crawl: %d %s %s", code, out, errOut)
	}
	code, out, _ = vigie(t, "sources", "--config", cfg)
	if code != 0 || !strings.Contains(out, "3 sources: 3 ok") || !strings.Contains(out, "2 pages, 4 new, 0 updated, 0 deleted") {
		t.Errorf("sources after a crawl:\n%s", out)
	}
	_, out, _ = vigie(t, "sources", "--config", cfg, "--json")
	health := jsonLines[service.SourceHealth](t, out)
	if len(health) != 3 || health[1].ID != "lyon-site" || health[1].Collected != 4 || !health[1].Complete || health[1].Status != "ok" || health[1].NextRun.IsZero() {
		t.Errorf("sources --json: %+v", health)
	}

	search := func() string {
		_, out, _ := vigie(t, "search", "--config", cfg, "--json", "--sort", "date", "--limit", "100")
		return out
	}
	before := search()
	code, out, errOut = vigie(t, "reindex", "--config", cfg)
	if code != 0 || !strings.Contains(out, "Rebuilt the index from 8 archive records: 8 reviews") || !strings.Contains(out, "It is now the current index") {
		t.Fatalf("reindex: %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "100%") {
		t.Errorf("no progress shown: %q", errOut)
	}
	if after := search(); after != before {
		t.Errorf("search results differ after reindex:\n%s\n---\n%s", before, after)
	}
	// The second crawl after a reindex is still incremental.
	_, out, _ = vigie(t, "crawl", "--config", cfg, "--json")
	for _, s := range jsonLines[struct {
		Source string
		Pages  int
		New    int
	}](t, out) {
		if s.Pages != 1 || s.New != 0 {
			t.Errorf("crawl after reindex: %+v", s)
		}
	}
}

// `vigie serve` runs until its context ends (SIGINT, SIGTERM) and exits
// 0; meanwhile `vigie sources` asks it over HTTP, and a crawl is refused
// with a clear error.
func TestServeCommand(t *testing.T) {
	site := fixtureSite(t)
	addr := freeAddr(t)
	cfg := writeConfig(t, site.URL, "")
	b, _ := os.ReadFile(cfg)
	b = bytes.Replace(b, []byte("log: {level: error}"), []byte("log: {level: info}\nserver: {addr: \""+addr+"\"}\nscheduler: {jitter: 0s}"), 1)
	os.WriteFile(cfg, b, 0o644)

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		env := &Env{Stdout: &stdout, Stderr: &stderr, Registry: connectors.Default, LookupEnv: os.LookupEnv}
		done <- Run(ctx, env, []string{"serve", "--config", cfg})
	}()
	// The three sources run at start.
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(stderr.String(), "msg=run ") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no runs: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"outcome=ok", "source=lyon-site", "pages=2", "new=4", "duration_ms="} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("run log lacks %q:\n%s", want, stderr.String())
		}
	}
	code, out, errOut := vigie(t, "sources", "--config", cfg)
	if code != 0 || !strings.Contains(out, "From the running Vigie") || !strings.Contains(out, "lyon-site") {
		t.Errorf("sources while serving: %d\n%s%s", code, out, errOut)
	}
	// The index is held by serve: search asks it, with the same output.
	code, out, errOut = vigie(t, "search", "--config", cfg, "--json", "--sort", "date", "--limit", "3")
	if lines := strings.Count(out, "\n"); code != 0 || lines != 3 || !strings.Contains(out, `"location"`) {
		t.Errorf("search --json while serving: %d, %d lines\n%s%s", code, lines, out, errOut)
	}
	code, out, errOut = vigie(t, "search", "--config", cfg, "--location", "lyon")
	if code != 0 || !strings.Contains(out, "From the running Vigie") || !strings.Contains(out, "lyon") || !strings.Contains(out, "4 reviews") {
		t.Errorf("search while serving: %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = vigie(t, "crawl", "--config", cfg)
	if code != 1 || !strings.Contains(errOut, "in use by another Vigie process (vigie serve, pid") {
		t.Errorf("crawl while serving: %d %s", code, errOut)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exit code %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "stopped cleanly") {
		t.Errorf("no clean stop: %s", stderr.String())
	}
	// Everything is on disk and opens.
	x, err := index.Open(index.CurrentDir(filepath.Join(filepath.Dir(cfg), "data")))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n, _ := x.Count(); n != 8 {
		t.Errorf("index holds %d", n)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
