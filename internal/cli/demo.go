package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/internal/alert"
	"github.com/vigie-dev/vigie/internal/demo"
)

var demoCommand = command{
	name:    "demo",
	summary: "Run Vigie on a bundled demo brand: serve its review site locally, crawl and index it, then keep serving until Ctrl-C.",
	usage:   "demo [--data DIR] [--once] [--addr HOST:PORT] [--site-addr HOST:PORT]",
	run:     runDemo,
}

// demoSiteAddr is the demo site's usual address. It is fixed so that the
// configuration written in the data folder stays valid from one run to the
// next.
const demoSiteAddr = "127.0.0.1:8089"

func runDemo(ctx context.Context, env *Env, fset *flag.FlagSet, args []string) error {
	dir := fset.String("data", "vigie-demo", "`folder` for the demo's configuration, index and state")
	once := fset.Bool("once", false, "crawl and index, then exit (for scripts)")
	siteAddr := fset.String("site-addr", demoSiteAddr, "`address` of the bundled demo review site")
	addr := fset.String("addr", "127.0.0.1:8080", "`address` of the dashboard and API")
	pos, err := parse(fset, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	epoch, err := demoEpoch(*dir)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *siteAddr)
	if err != nil {
		return fmt.Errorf("demo site: %w (another `vigie demo` running? choose another --site-addr)", err)
	}
	site := &http.Server{Handler: demo.Handler(epoch), ReadHeaderTimeout: 10 * time.Second}
	go site.Serve(ln)
	defer site.Close()
	siteURL := "http://" + ln.Addr().String()

	cfgPath := filepath.Join(*dir, "vigie.yaml")
	if err := os.WriteFile(cfgPath, demoConfig(siteURL, *addr), 0o644); err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	cfg, err := loadConfig(env, cfgPath)
	if err != nil {
		return fmt.Errorf("the bundled demo configuration is invalid: %w", err)
	}
	_, brandName := demo.Brand()
	out := env.Stdout
	fmt.Fprintf(out, "Vigie demo: %s, %d locations, %d reviews on a demo review site at %s\n", brandName, len(demo.Locations()), demo.ReviewCount(), siteURL)
	fmt.Fprintf(out, "Configuration written to %s; data in %s\n\nCrawling...\n\n", cfgPath, cfg.DataDir)

	a, err := openApp(ctx, env, cfg, true, "vigie demo")
	if err != nil {
		return err
	}
	defer a.Close()
	stopMounts, err := mount(a.svc)
	if err != nil {
		return err
	}
	defer stopMounts()
	// The first collection goes through the scheduler, as in `vigie
	// serve`: every source now, then each on its schedule.
	var ids []string
	for _, s := range cfg.Sources() {
		if s.IsEnabled() {
			ids = append(ids, s.ID)
		}
	}
	start := time.Now()
	sums, _ := a.svc.RunNow(ctx, ids)
	printSummaries(out, sums, time.Since(start))
	if ctx.Err() != nil {
		a.svc.Shutdown()
		return fmt.Errorf("interrupted")
	}
	n, err := a.svc.Index.Count()
	if err != nil {
		return err
	}
	size, _ := dirSize(IndexDir(cfg))
	fmt.Fprintf(out, "\nThe index holds %d reviews (%.1f MB on disk).\n", n, float64(size)/1e6)
	failed := false
	for _, s := range sums {
		if !s.OK() {
			failed = true
		}
	}
	if *once {
		printDemoTries(out, cfgPath)
		if err := a.svc.Shutdown(); err != nil {
			return err
		}
		if failed {
			return fmt.Errorf("some sources had errors (see above)")
		}
		return nil
	}
	if failed {
		fmt.Fprintln(out, "\nSome sources had errors (see above).")
	}
	// Keep running as `vigie serve` does: the scheduler collects again on
	// the sources' schedules, and the HTTP server answers.
	noServer := false
	if err := a.svc.Server.Listen(); err != nil {
		fmt.Fprintf(out, "\nThe HTTP server could not start (%v): running without it.\n", err)
		noServer = true
	}
	fmt.Fprintf(out, "\nVigie now runs as `vigie serve` would, until Ctrl-C: each source is collected again on its schedule (%s),\n", cfg.Schedule)
	fmt.Fprintf(out, "the demo site stays up at %s", siteURL)
	if !noServer {
		fmt.Fprintf(out, ",\nand the dashboard is at http://%[1]s/ (open it in a browser; the API is under http://%[1]s/api/)", a.svc.Server.Addr())
	}
	fmt.Fprintf(out, ".\nWhile it runs, vigie search and vigie sources ask it; vigie crawl needs it stopped (Ctrl-C).\n")
	printDemoTries(out, cfgPath)
	return a.svc.Serve(ctx, noServer)
}

// demoConfig is the demo site's configuration, with the dashboard's
// address and the alert rules Vigie recommends (without channels: alerts
// show in the dashboard and send nothing).
func demoConfig(siteURL, addr string) []byte {
	b := demo.ConfigYAML(siteURL)
	b = append(b, fmt.Sprintf(`
# The dashboard and the API (http://%[1]s/). Listening on another
# address than this computer's needs server.tokens.
server:
  addr: %[1]q
`, addr)...)
	return append(b, alert.DefaultRulesYAML...)
}

// printDemoTries prints the commands to try on the demo's data.
func printDemoTries(out io.Writer, cfgPath string) {
	fmt.Fprintf(out, `
Try (with "go run ./cmd/vigie" in place of "vigie" if you have not installed it):
  vigie search --config %[1]s "attente"
  vigie search --config %[1]s --location lyon-part-dieu --from 14d --sort date "attente queue"
  vigie search --config %[1]s --lang ru "очередь"
  vigie search --config %[1]s "+location:london-shoreditch +rating:<=2 noisy loud music"
  vigie search --config %[1]s --json "wait*" | head -1
  vigie sources --config %[1]s       (each source's health)
  vigie crawl --config %[1]s         (again: only new reviews are fetched)
`, cfgPath)
}

// demoEpoch is the moment the demo's data folder was created: the demo
// site dates its reviews from it, so that the same folder always sees the
// same dates, while a new folder sees recent ones.
func demoEpoch(dir string) (time.Time, error) {
	path := filepath.Join(dir, "demo-epoch")
	b, err := os.ReadFile(path)
	if err == nil {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(b)))
		if err == nil {
			return t, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, fmt.Errorf("demo: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	if err := os.WriteFile(path, []byte(now.Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return time.Time{}, fmt.Errorf("demo: %w", err)
	}
	return now, nil
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n, err
}
