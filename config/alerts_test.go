package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

const alertsValid = `
alerts:
  dashboard_url: https://vigie.example.com
  timezone: Europe/Paris
  channels:
    - {name: hook, type: webhook, url: "https://hooks.example.com/x", secret: "${HOOK_SECRET}"}
    - {name: slack, type: slack, url: "${SLACK_URL}"}
    - name: mail
      type: email
      smtp: {host: smtp.example.com, username: vigie, password: "${SMTP_PASSWORD}"}
      from: "Vigie <vigie@example.com>"
      to: [ops@example.com]
      digest: weekly
    - {name: tg, type: telegram, bot_token: "${TG_TOKEN}", chat_id: "-100123", digest: daily, immediate: false}
  rules:
    - {name: spike, kind: negative_spike, theme: "*", window: 24h, baseline: 8w, channels: [hook, slack]}
    - {name: drop, kind: rating_drop, channels: [mail]}
    - {name: surge, kind: theme_surge, scope: {themes: [wait, service]}}
    - {name: words, kind: keyword, phrases: ["gas leak", "rembours*"], exclude: [theft]}
    - {name: low, kind: review, max_rating: 2, sentiments: [negative], scope: {locations: [l], languages: [fr, en]}}
    - {name: health, kind: source_health, silent_for: 7d, scope: {sources: [l-web]}}
`

var alertsEnv = map[string]string{"HOOK_SECRET": "hook-secret-value", "SLACK_URL": "https://hooks.slack.com/services/T/B/secret-path",
	"SMTP_PASSWORD": "smtp-password-value", "TG_TOKEN": "123:telegram-token-value"}

func TestAlertsValid(t *testing.T) {
	c, err := Parse("v.yaml", []byte(brands+alertsValid), testKinds{}, env(alertsEnv))
	if err != nil {
		t.Fatal(err)
	}
	a := c.Alerts
	if !a.IsEnabled() || len(a.Channels) != 4 || len(a.Rules) != 6 {
		t.Fatalf("alerts %+v", a)
	}
	if a.EvaluateEvery.D() != 5*time.Minute || a.Delivery.Retries != 5 || a.Delivery.Backoff.D() != 30*time.Second || a.Retention.D() != 90*24*time.Hour {
		t.Errorf("defaults %+v", a)
	}
	mail, _ := a.Channel("mail")
	if mail.SMTP.Port != 587 || mail.SMTP.Security != "starttls" || mail.SMTP.Password.Value() != "smtp-password-value" {
		t.Errorf("mail %+v", mail.SMTP)
	}
	tg, _ := a.Channel("tg")
	if tg.APIURL != "https://api.telegram.org" || tg.IsImmediate() {
		t.Errorf("telegram %+v", tg)
	}
	spike, _ := a.Rule("spike")
	if spike.Severity != "warning" || spike.MinCount != 5 || spike.Probability != 1e-4 || spike.ResolveProbability != 0.05 ||
		spike.Cooldown.D() != 48*time.Hour || spike.BrandPrior.D() != 7*24*time.Hour || spike.DispersionValue() != 0.1 {
		t.Errorf("negative_spike defaults %+v", spike)
	}
	drop, _ := a.Rule("drop")
	if drop.Window.D() != 7*24*time.Hour || drop.Reviews != 20 || drop.MinReviews != 8 || drop.MinDrop != 1 {
		t.Errorf("rating_drop defaults %+v", drop)
	}
	words, _ := a.Rule("words")
	if words.Severity != "critical" || words.MaxAge.D() != 7*24*time.Hour || !words.UseDefaultPhrases() {
		t.Errorf("keyword defaults %+v", words)
	}
	low, _ := a.Rule("low")
	if low.Severity != "info" || low.MaxAge.D() != 48*time.Hour || *low.MaxRating != 2 {
		t.Errorf("review defaults %+v", low)
	}
	health, _ := a.Rule("health")
	if health.FailingFor.D() != 24*time.Hour || !health.IsZeroReviews() || health.SilentFor.D() != 7*24*time.Hour {
		t.Errorf("source_health defaults %+v", health)
	}
	if a.DashboardURL != "https://vigie.example.com" {
		t.Errorf("dashboard %q", a.DashboardURL)
	}
}

// Secrets never print: not with %v, not in JSON, not in logs.
func TestSecretsRedacted(t *testing.T) {
	c, err := Parse("v.yaml", []byte(brands+alertsValid), testKinds{}, env(alertsEnv))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%v %+v %#v %s\n", c.Alerts, c.Alerts, c.Alerts.Channels, c.Alerts.Channels[0].Secret)
	b, _ := json.Marshal(c.Alerts)
	out.Write(b)
	slog.New(slog.NewTextHandler(&out, nil)).Info("channel", "ch", c.Alerts.Channels[1], "secret", c.Alerts.Channels[0].Secret, "smtp", c.Alerts.Channels[2].SMTP)
	for _, v := range alertsEnv {
		if strings.Contains(out.String(), v) || strings.Contains(out.String(), "secret-path") {
			t.Errorf("a secret (%s) is printed:\n%s", v, out.String())
		}
	}
}

func TestAlertsErrors(t *testing.T) {
	base := brands + "alerts:\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown kind", base + "  rules:\n    - {name: a, kind: spike}\n", []string{"v.yaml:10: alerts.rules[0].kind: unknown rule kind \"spike\""}},
		{"no kind", base + "  rules:\n    - name: a\n", []string{"alerts.rules[0].kind: a rule needs a kind"}},
		{"misspelt key", base + "  rules:\n    - name: a\n      kind: negative_spike\n      windw: 24h\n", []string{"v.yaml:12: alerts.rules[0].windw: unknown key \"windw\" (did you mean \"window\"?)"}},
		{"key of another kind", base + "  rules:\n    - name: a\n      kind: negative_spike\n      phrases: [rats]\n", []string{"v.yaml:12: alerts.rules[0].phrases: does not apply to a negative_spike rule (it is for keyword)"}},
		{"bad period", base + "  rules:\n    - name: a\n      kind: negative_spike\n      window: soon\n", []string{"v.yaml:12: alerts.rules[0].window: expected a period such as 90m, 24h, 7d or 8w"}},
		{"short baseline", base + "  rules:\n    - {name: a, kind: negative_spike, baseline: 3d}\n", []string{"alerts.rules[0].baseline: must be at least 7d"}},
		{"probability", base + "  rules:\n    - {name: a, kind: negative_spike, probability: 2}\n", []string{"alerts.rules[0].probability: must be between 0 and 0.5"}},
		{"unknown channel", base + "  channels:\n    - {name: hook, type: webhook, url: \"https://x.example\"}\n  rules:\n    - {name: a, kind: keyword, channels: [slack]}\n",
			[]string{"v.yaml:12: alerts.rules[0].channels[0]: no channel is called \"slack\" (channels: hook)"}},
		{"duplicate rule", base + "  rules:\n    - {name: a, kind: keyword}\n    - {name: a, kind: keyword}\n", []string{"v.yaml:11: alerts.rules[1].name: rule \"a\" is already defined at line 10"}},
		{"bad name", base + "  rules:\n    - {name: Big Spike, kind: keyword}\n", []string{"alerts.rules[0].name: rule name \"Big Spike\" may hold only"}},
		{"unknown location", base + "  rules:\n    - {name: a, kind: keyword, scope: {locations: [nowhere]}}\n", []string{"alerts.rules[0].scope.locations[0]: no location is called \"nowhere\""}},
		{"language", base + "  rules:\n    - {name: a, kind: keyword, scope: {languages: [de]}}\n", []string{"alerts.rules[0].scope.languages[0]: must be fr, ru, en or und"}},
		{"sentiment", base + "  rules:\n    - {name: a, kind: review, sentiments: [angry]}\n", []string{"alerts.rules[0].sentiments[0]: must be positive, neutral, negative or mixed"}},
		{"channel type", base + "  channels:\n    - {name: x, type: sms}\n", []string{"v.yaml:10: alerts.channels[0].type: unknown channel type \"sms\""}},
		{"webhook url", base + "  channels:\n    - {name: x, type: webhook, url: \"ftp://secret@x\"}\n", []string{"alerts.channels[0].url: is not an absolute http(s) URL"}},
		{"slack key on email", base + "  channels:\n    - {name: x, type: email, url: \"https://x.example\", smtp: {host: h}, from: a@b.c, to: [d@e.f]}\n",
			[]string{"alerts.channels[0].url: does not apply to a email channel"}},
		{"email", base + "  channels:\n    - {name: x, type: email, smtp: {security: none, host: smtp.example.com}, from: nobody, to: []}\n",
			[]string{"alerts.channels[0].smtp.security: none sends mail and passwords in clear", "alerts.channels[0].from: \"nobody\" is not an e-mail address", "alerts.channels[0].to: at least one recipient"}},
		{"telegram", base + "  channels:\n    - {name: x, type: telegram}\n", []string{"alerts.channels[0].bot_token: is required", "alerts.channels[0].chat_id: is required"}},
		{"digest", base + "  channels:\n    - {name: x, type: slack, url: \"https://x.example\", digest: hourly-ish}\n", []string{"alerts.channels[0].digest: \"hourly-ish\" is not a schedule"}},
		{"digest only without digest", base + "  channels:\n    - {name: x, type: slack, url: \"https://x.example\", immediate: false}\n", []string{"alerts.channels[0].immediate: false needs a digest"}},
		{"secret not set", base + "  channels:\n    - {name: x, type: webhook, url: \"https://x.example\", secret: \"${NOPE}\"}\n", []string{"v.yaml:10: environment variable NOPE is not set"}},
		{"timezone", base + "  timezone: Mars/Olympus\n", []string{"alerts.timezone: unknown time zone"}},
		{"keyword without phrases", base + "  rules:\n    - {name: a, kind: keyword, default_phrases: false}\n", []string{"alerts.rules[0].phrases: a keyword rule without the default phrases needs phrases"}},
		{"rating", base + "  rules:\n    - {name: a, kind: rating_drop, reviews: 5, min_reviews: 10}\n", []string{"alerts.rules[0].reviews: must be at least min_reviews (10)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("v.yaml", []byte(tt.yaml), testKinds{}, env(nil))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain:\n%s", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret@") {
				t.Errorf("the error repeats a URL that may hold a secret: %v", err)
			}
		})
	}
}

func TestPeriod(t *testing.T) {
	for s, want := range map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "8w": 8 * 7 * 24 * time.Hour, "90m": 90 * time.Minute} {
		got, err := ParsePeriod(s)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v", s, got, err)
		}
		if Period(got).String() != s && s != "90m" {
			t.Errorf("Period(%v).String() = %q, want %q", got, Period(got).String(), s)
		}
	}
	if _, err := ParsePeriod("-1d"); err == nil {
		t.Error("negative period accepted")
	}
}
