package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Slack posts to a Slack incoming webhook: a message with the location,
// the rule, the counts, a few example reviews and a link to the
// dashboard's search that lists them.
type Slack struct {
	name, url string
	opts      Options
}

// Name implements Channel.
func (s *Slack) Name() string { return s.name }

// Type implements Channel.
func (s *Slack) Type() string { return "slack" }

// Send implements Channel.
func (s *Slack) Send(ctx context.Context, m *Message, _ string) error {
	body, err := json.Marshal(SlackPayload(m))
	if err != nil {
		return permanent("slack %s: %v", s.name, err)
	}
	what := fmt.Sprintf("slack %s (%s)", s.name, hostOf(s.url))
	resp, rb, err := post(ctx, &s.opts, s.url, what, body, http.Header{"Content-Type": {"application/json; charset=utf-8"}})
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return statusError(what, resp, rb)
	}
	return nil
}

// slackEscape escapes text for Slack's mrkdwn.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func slackLink(url, text string) string {
	return "<" + strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C").Replace(url) + "|" + slackEscape(text) + ">"
}

// cut shortens s to n bytes on a rune boundary, for Slack's limits.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n-1] + "…"
}

// SlackPayload is the JSON body posted to Slack: blocks, and text as the
// notification's fallback.
func SlackPayload(m *Message) map[string]any {
	text := Subject(m)
	var blocks []map[string]any
	section := func(md string) {
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": cut(md, 2900)}})
	}
	if d := m.Digest; d != nil {
		blocks = append(blocks, map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": cut(fmt.Sprintf("Vigie digest: %d new, %d resolved, %d open", len(d.Opened), len(d.Resolved), d.Open), 150)}})
		list := func(title string, as []Alert) {
			if len(as) == 0 {
				return
			}
			var b strings.Builder
			fmt.Fprintf(&b, "*%s (%d)*\n", title, len(as))
			for i := range as {
				a := &as[i]
				line := slackEscape(a.Title)
				if a.URL != "" {
					line = slackLink(a.URL, a.Title)
				}
				fmt.Fprintf(&b, "• [%s] %s\n", a.Severity, line)
			}
			section(b.String())
		}
		list("New alerts", d.Opened)
		list("Growing", d.Updated)
		list("Resolved", d.Resolved)
		if d.URL != "" {
			section(slackLink(d.URL, "All alerts in Vigie"))
		}
		return map[string]any{"text": text, "blocks": blocks}
	}
	a := m.Alert
	if a == nil {
		return map[string]any{"text": text}
	}
	icon := map[string]string{"critical": ":rotating_light:", "warning": ":warning:", "info": ":information_source:"}[a.Severity]
	if m.Event == EventResolved {
		icon = ":white_check_mark:"
	}
	blocks = append(blocks, map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": cut(EventLabel(m.Event)+": "+a.Title, 150)}})
	if a.Summary != "" {
		section(strings.TrimSpace(icon + " " + slackEscape(a.Summary)))
	}
	var fields []map[string]any
	for _, f := range Facts(a) {
		if len(fields) == 10 { // Slack's limit
			break
		}
		fields = append(fields, map[string]any{"type": "mrkdwn", "text": cut("*"+slackEscape(f.Label)+"*\n"+slackEscape(f.Value), 1900)})
	}
	blocks = append(blocks, map[string]any{"type": "section", "fields": fields})
	if len(a.Examples) > 0 {
		var b strings.Builder
		b.WriteString("*Examples*\n")
		for _, ex := range a.Examples {
			line := "> "
			if s := stars(ex.Rating); s != "" {
				line += s + " "
			}
			line += "_" + slackEscape(Excerpt(ex.Text, 240)) + "_"
			if ex.URL != "" {
				line += " " + slackLink(ex.URL, "source")
			}
			b.WriteString(line + "\n")
		}
		section(b.String())
	}
	var links []string
	if a.SearchURL != "" {
		links = append(links, slackLink(a.SearchURL, "See the reviews in Vigie"))
	}
	if a.URL != "" {
		links = append(links, slackLink(a.URL, "Open the alert"))
	}
	if len(links) > 0 {
		section(strings.Join(links, " · "))
	}
	if m.Event == EventTest {
		blocks = append(blocks, map[string]any{"type": "context", "elements": []map[string]any{{"type": "mrkdwn", "text": "Test sent by `vigie alerts test`: the figures are made up."}}})
	}
	return map[string]any{"text": text, "blocks": blocks}
}
