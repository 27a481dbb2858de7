package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/internal/alert/notify"
	"github.com/vigie-dev/vigie/internal/service"
)

func TestAlertsTestCommand(t *testing.T) {
	var mu sync.Mutex
	var got []notify.WebhookBody
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b notify.WebhookBody
		json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		got = append(got, b)
		mu.Unlock()
	}))
	defer ok.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	defer gone.Close()
	site := fixtureSite(t)
	cfg := writeConfig(t, site.URL, `alerts:
  dashboard_url: https://vigie.example.com
  channels:
    - {name: hook, type: webhook, url: "`+ok.URL+`", secret: "0123456789abcdef"}
    - {name: broken, type: webhook, url: "`+gone.URL+`/nope"}
  rules:
    - {name: spike, kind: negative_spike, theme: wait, channels: [hook, broken]}
    - {name: quiet, kind: keyword}
`)
	code, out, errOut := vigie(t, "alerts", "test", "--config", cfg, "--rule", "spike")
	if code != exitFailure || !strings.Contains(out, "hook") || !strings.Contains(out, "delivered") || !strings.Contains(out, "broken") || !strings.Contains(out, "FAILED") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "/nope") {
		t.Errorf("the output repeats a channel URL's path:\n%s", out)
	}
	mu.Lock()
	if len(got) != 1 || got[0].Event != "test" || got[0].Alert == nil || got[0].Alert.Theme != "wait" || got[0].Alert.Location != "lyon" ||
		!strings.HasPrefix(got[0].Alert.SearchURL, "https://vigie.example.com/search?") {
		t.Errorf("received %+v", got)
	}
	mu.Unlock()
	if code, out, errOut := vigie(t, "alerts", "test", "--config", cfg, "--rule", "spike", "--channel", "hook"); code != exitOK {
		t.Errorf("one channel: exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"alerts", "test", "--config", cfg, "--rule", "nope"},
		{"alerts", "test", "--config", cfg},
		{"alerts", "test", "--config", cfg, "--rule", "quiet"}, // no channels
		{"alerts", "test", "--config", cfg, "--rule", "spike", "--channel", "other"},
		{"alerts", "frobnicate", "--config", cfg},
		{"alerts"},
	} {
		if code, out, errOut := vigie(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s%s", args, code, exitUsage, out, errOut)
		}
	}
	if code, _, errOut := vigie(t, "alerts", "test", "--config", cfg, "--rule", "nope"); code != exitUsage || !strings.Contains(errOut, "rules: spike, quiet") {
		t.Errorf("unknown rule: %s", errOut)
	}
}

// Alerting mounted on a service: it sees every committed batch and
// serves its API; `vigie alerts list` reads what it kept.
func TestAlertsMounted(t *testing.T) {
	site := fixtureSite(t)
	cfgPath := writeConfig(t, site.URL, `alerts:
  rules:
    - {name: spike, kind: negative_spike}
    - {name: health, kind: source_health}
`)
	var out strings.Builder
	env := &Env{Stdout: &out, Stderr: &out, Registry: connectors.Default, LookupEnv: func(string) (string, bool) { return "", false }}
	cfg, err := loadConfig(env, cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	log := newLogger(&out, cfg.Log)
	svc, err := service.Open(ctx, cfg, serviceOptions(env, cfg, log, "test"))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	eng, err := startAlerts(svc)
	if err != nil || eng == nil {
		t.Fatalf("startAlerts: %v", err)
	}
	defer eng.Close()
	svc.RunAll(ctx, cfg.Sources())
	if !eng.HasHistory() {
		t.Error("the engine saw no batch")
	}
	req := httptest.NewRequest("GET", "/api/alerts?status=open", nil)
	w := httptest.NewRecorder()
	svc.Server.Handler().ServeHTTP(w, req)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"alerts"`) {
		t.Errorf("GET /api/alerts: %d %s", w.Code, w.Body.String())
	}
	as, err := alertDashboard{eng}.Alerts(ctx)
	if err != nil || as == nil {
		t.Errorf("dashboard alerts: %v %v", as, err)
	}
	eng.Close()
	svc.Close()
	code, listOut, errOut := vigie(t, "alerts", "list", "--config", cfgPath)
	if code != exitOK || !strings.Contains(listOut, "No alerts.") {
		t.Errorf("alerts list: exit %d\n%s%s", code, listOut, errOut)
	}
	code, listOut, _ = vigie(t, "alerts", "list", "--config", cfgPath, "--json")
	if code != exitOK || !strings.Contains(listOut, `"alerts": []`) {
		t.Errorf("alerts list --json: %s", listOut)
	}
}
