package web_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/api/apitest"
	vserver "github.com/vigie-dev/vigie/internal/server"
	"github.com/vigie-dev/vigie/internal/web"
)

// chromium finds a Chromium binary: $VIGIE_CHROMIUM, or one on the PATH.
func chromium() string {
	if p := os.Getenv("VIGIE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives a headless Chromium through the dashboard as a
// reputation manager would: the overview, a typed search with its
// highlights, the theme trends with a chart that has data, and the review
// with markup in it, which must not run. Screenshots land in the test's
// temporary folder (or $VIGIE_SCREENSHOTS, to keep them).
func TestBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no chromium binary found: .ci/run must install Debian's chromium")
		}
		t.Skip("no chromium binary found: install Debian's chromium (apt-get install chromium) or set VIGIE_CHROMIUM to run the browser test")
	}
	shots := t.TempDir()
	if d := os.Getenv("VIGIE_SCREENSHOTS"); d != "" {
		shots = d
		os.MkdirAll(d, 0o755)
	}

	// The dashboard behind the server's own middleware: its CSP must let
	// the pages work.
	vs := vserver.New(config.Server{Addr: "127.0.0.1:0"}, nil)
	deps := apitest.Deps(t)
	web.Register(vs.Mux(), deps)
	api.Register(vs.Mux(), deps)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: vs.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			path := filepath.Join(shots, name+".png")
			t.Logf("screenshot: %s", path)
			return chromedp.Void{}, os.WriteFile(path, buf, 0o644)
		}
	}
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// The overview: what changed points at Lyon's waiting complaints.
	step("overview", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#changes-h")), shot("1-overview"))
	var dialogs atomic.Int32
	if err := chromedp.Listen(bctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	changes := run(t, bctx, chromedp.Text(chromedp.CSS("section.changes")))
	if !strings.Contains(changes, "Lyon Part-Dieu") || !strings.Contains(changes, "Waiting") {
		t.Errorf("the overview does not point at Lyon's waiting complaints: %q", changes)
	}

	// A search typed in the header's box: results with the words marked.
	step("search", chromedp.SendKeys(chromedp.CSS("header form.quick input[name=q]"), "attente\n"),
		chromedp.WaitVisible(chromedp.CSS("#results article.review")), shot("2-search"))
	summary := run(t, bctx, chromedp.Text(chromedp.CSS("#results .summary")))
	marks := run(t, bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#results article mark.hl-q")).map(m => m.textContent)`))
	if len(marks) == 0 {
		t.Errorf("no highlighted words in the results (%q)", summary)
	}
	for _, m := range marks {
		if !strings.Contains(strings.ToLower(m), "attente") {
			t.Errorf("highlighted %q for the search attente", m)
		}
	}

	// Narrowing the search with the form: a location and the last 14 days.
	step("filtered search",
		chromedp.SetValue(chromedp.CSS(`form.searchform select[name=location]`), "lyon"),
		chromedp.SetValue(chromedp.CSS(`form.searchform input[name=from]`), "14d"),
		chromedp.Click(chromedp.CSS("#go")),
		chromedp.WaitVisible(chromedp.CSS(`.active a.chip`)))
	if total := run(t, bctx, chromedp.Text(chromedp.CSS("#results .summary strong"))); total != "3" {
		t.Errorf("attente at Lyon in 14 days: %s reviews, want 3", total)
	}

	// Theme trends: an SVG chart with data, one per theme.
	step("themes", chromedp.Click(chromedp.CSS(`header nav a[href="/themes"]`)),
		chromedp.WaitVisible(chromedp.CSS("section.theme svg.chart")), shot("3-themes"))
	points := run(t, bctx, chromedp.Evaluate[int](`Number(document.querySelector("section.theme svg.chart").dataset.points)`))
	lines := run(t, bctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart path.line").length`))
	themes := run(t, bctx, chromedp.Evaluate[int](`document.querySelectorAll("section.theme").length`))
	if points == 0 || lines == 0 || themes < 3 {
		t.Errorf("theme charts: %d points, %d lines, %d themes", points, lines, themes)
	}

	// The review whose author, title and text carry markup: shown as
	// text, and nothing runs.
	step("hostile review", chromedp.Navigate(base+"/reviews/xss-1"), chromedp.WaitVisible(chromedp.CSS("article.review")),
		chromedp.Sleep(300*time.Millisecond), shot("4-hostile-review"))
	text := run(t, bctx, chromedp.Text(chromedp.CSS("article.review .rtext")))
	scripts := run(t, bctx, chromedp.Evaluate[int](`document.scripts.length + document.querySelectorAll("[onerror],[onload]").length`))
	if !strings.Contains(text, `<script>alert("xss")</script>`) {
		t.Errorf("the review's text is not shown as typed: %q", text)
	}
	if scripts != 0 || dialogs.Load() != 0 {
		t.Errorf("markup from a review ran: %d scripts or handlers, %d dialogs", scripts, dialogs.Load())
	}
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
