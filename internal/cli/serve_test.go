//go:build unix

package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/archive"
	"github.com/vigie-dev/vigie/internal/demo"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/service"
)

// TestMain lets the tests run the test binary as the vigie command, to
// test `vigie serve` as a real process (signals, SIGKILL).
func TestMain(m *testing.M) {
	if os.Getenv("VIGIE_TEST_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// demoSite serves the demo brand's review site, each page taking delay,
// so that a crawl lasts long enough to be killed in the middle.
func demoSite(t *testing.T, delay time.Duration) *httptest.Server {
	t.Helper()
	h := demo.Handler(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/reviews") {
			time.Sleep(delay)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// demoRecords returns the demo's review ids by location.
func demoRecords(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("../demo/data/reviews.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct{ ID, Location string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out[r.Location] = append(out[r.Location], r.ID)
	}
	return out
}

func serveConfig(t *testing.T, siteURL, addr, token string, locations []string) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, `data_dir: data
log: {level: info, format: json}
schedule: "@every 1h"
crawler: {delay: 0s, parallelism: 4, retries: 1, backoff: 10ms, timeout: 10s, concurrency: 4}
scheduler: {jitter: 0s, grace: 10s, per_host: 4}
server: {addr: %q, tokens: [%q]}
brands:
  - id: maison-colette
    locations:
`, addr, token)
	for _, l := range locations {
		fmt.Fprintf(&b, "      - id: %s\n        sources:\n          - id: %s-site\n            kind: schemaorg\n            url: %s/locations/%s/reviews\n", l, l, siteURL, l)
	}
	path := filepath.Join(dir, "vigie.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryDir  string
)

// vigieBinary builds the vigie command once, without the race detector
// (a crawl under it is ten times slower), into a temporary folder. If it
// cannot, the test binary itself stands in (see TestMain).
func vigieBinary(t *testing.T) string {
	binaryOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			return
		}
		dir, err := os.MkdirTemp("", "vigie-bin")
		if err != nil {
			return
		}
		binaryDir = dir
		out := filepath.Join(dir, "vigie")
		start := time.Now()
		b, err := exec.Command(goTool, "build", "-o", out, "github.com/vigie-dev/vigie/cmd/vigie").CombinedOutput()
		if err != nil {
			t.Logf("building vigie failed, the test binary runs instead: %v\n%s", err, b)
			return
		}
		t.Logf("built vigie in %s", time.Since(start).Round(time.Millisecond))
		binaryPath = out
	})
	if binaryPath == "" {
		return os.Args[0]
	}
	return binaryPath
}

// startVigie runs vigie args..., its output appended to logPath.
func startVigie(t *testing.T, logPath string, args ...string) *exec.Cmd {
	t.Helper()
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(vigieBinary(t), args...)
	cmd.Env = append(os.Environ(), "VIGIE_TEST_MAIN=1")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		log.Close()
	})
	return cmd
}

func sourcesHealthOver(ctx context.Context, base, token string) ([]service.SourceHealth, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/healthz/sources", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	var out []service.SourceHealth
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

var demoID = regexp.MustCompile(`mc-[0-9a-f]+`)

// TestServeSurvivesSIGKILL starts `vigie serve` against the demo site,
// kills it with SIGKILL in the middle of ingestion several times, at
// random points, restarts it, lets it finish and stops it with SIGTERM;
// then every review must be in the index exactly once, the index must open
// cleanly, and the archive must hold each review once.
//
// VIGIE_SIGKILL_KILLS sets the number of kills (default 3) and
// VIGIE_SIGKILL_LOCATIONS the number of demo locations (default 4, the
// smallest; "all" for the whole demo).
func TestServeSurvivesSIGKILL(t *testing.T) {
	kills := 3
	if v, err := strconv.Atoi(os.Getenv("VIGIE_SIGKILL_KILLS")); err == nil {
		kills = v
	}
	records := demoRecords(t)
	var locations []string
	for _, l := range demo.Locations() {
		locations = append(locations, l.ID)
	}
	nloc := 4
	if v := os.Getenv("VIGIE_SIGKILL_LOCATIONS"); v == "all" {
		nloc = len(locations)
	} else if n, err := strconv.Atoi(v); err == nil {
		nloc = n
	}
	// The smallest locations first, to keep the test quick.
	for i := range locations {
		for j := i + 1; j < len(locations); j++ {
			if len(records[locations[j]]) < len(records[locations[i]]) {
				locations[i], locations[j] = locations[j], locations[i]
			}
		}
	}
	locations = locations[:min(nloc, len(locations))]
	want := map[string]bool{}
	for _, l := range locations {
		for _, id := range records[l] {
			want[id] = true
		}
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("VIGIE_SIGKILL_SEED"), 10, 64); err == nil {
		seed = v
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d, %d kills, %d locations, %d reviews", seed, kills, len(locations), len(want))

	site := demoSite(t, 15*time.Millisecond)
	addr := freeAddr(t)
	token := "sigkill-test-token-0123456789"
	cfg := serveConfig(t, site.URL, addr, token, locations)
	dataDir := filepath.Join(filepath.Dir(cfg), "data")
	archiveDir := filepath.Join(dataDir, "archive")
	logPath := filepath.Join(filepath.Dir(cfg), "serve.log")
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("serve log:\n%s", b)
		}
	})
	start := time.Now()

	var killedAt []uint64
	for k := 0; k < kills; k++ {
		before, _ := archive.Last(archiveDir)
		remaining := uint64(len(want)) - min(before, uint64(len(want)))
		if remaining == 0 {
			t.Logf("everything was archived after %d kills", k)
			kills = k
			break
		}
		// Spread the kills over what is left to ingest, each after at
		// least one more batch.
		target := before + 1 + rng.Uint64N(max(2*remaining/uint64(kills-k+1), 1))
		cmd := startVigie(t, logPath, "serve", "--config", cfg)
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		deadline := time.Now().Add(60 * time.Second)
	wait:
		for {
			last, _ := archive.Last(archiveDir)
			switch {
			case last >= target:
				break wait
			case time.Now().After(deadline):
				t.Fatalf("kill %d: the archive stays at %d, waiting for %d", k+1, last, target)
			}
			select {
			case <-exited:
				t.Fatalf("kill %d: vigie serve exited by itself", k+1)
			case <-time.After(2 * time.Millisecond):
			}
		}
		// A random moment of the batch: archive written, index or state
		// in progress, or the next page.
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		last, _ := archive.Last(archiveDir)
		killedAt = append(killedAt, last)
	}

	// The last start: it recovers, finishes the interrupted sources, and
	// stops cleanly on SIGTERM.
	cmd := startVigie(t, logPath, "serve", "--config", cfg)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	base := "http://" + addr
	deadline := time.Now().Add(120 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		health, err := sourcesHealthOver(ctx, base, token)
		cancel()
		// Sources that completed before a kill are not run again; the
		// others are run at start.
		done := err == nil && len(health) == len(locations)
		for _, h := range health {
			if h.Outcome != "ok" || !h.Complete {
				done = false
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sources did not all complete: %+v (%v)", health, err)
		}
		select {
		case err := <-exited:
			t.Fatalf("vigie serve exited: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("vigie serve after SIGTERM: %v (want exit 0)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("vigie serve did not stop within 30s of SIGTERM")
	}

	// The index opens cleanly and holds every review exactly once.
	x, err := index.Open(index.CurrentDir(dataDir))
	if err != nil {
		t.Fatalf("the index does not open: %v", err)
	}
	defer x.Close()
	seen := map[string]int{}
	docs := 0
	err = x.ReviewsByID(context.Background(), func(r review.Review) error {
		docs++
		id := demoID.FindString(r.ExternalID + " " + r.URL)
		seen[id]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// found: expected reviews in the index; duplicated: documents beyond
	// one per expected review.
	found := 0
	for id := range seen {
		if want[id] {
			found++
		}
	}
	duplicated := docs - found
	var missing []string
	for id := range want {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	// The archive holds each review once, and the index is up to date
	// with it.
	puts := map[string]int{}
	_, err = archive.Scan(archiveDir, 1, func(r archive.Record) error {
		if r.Op == archive.OpPut {
			puts[r.ID]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	archived := 0
	for _, n := range puts {
		archived += n
	}
	last, _ := archive.Last(archiveDir)
	w, _ := x.Watermark()
	t.Logf("SIGKILL test: %d kills (archive at %v), %d reviews expected, %d found, %d duplicated, %d documents; archive: %d records, %d reviews; %s",
		kills, killedAt, len(want), found, duplicated, docs, last, len(puts), time.Since(start).Round(time.Millisecond))
	if found != len(want) || duplicated != 0 || docs != len(want) || len(missing) > 0 {
		t.Errorf("index: %d of %d reviews found, %d duplicated, %d documents; missing %v", found, len(want), duplicated, docs, missing[:min(len(missing), 5)])
	}
	if archived != len(want) || len(puts) != len(want) {
		t.Errorf("archive: %d put records for %d reviews, want one each", archived, len(puts))
	}
	if w != last {
		t.Errorf("index watermark %d, archive ends at %d", w, last)
	}
}
