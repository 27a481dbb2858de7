package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Telegram sends messages through the Telegram Bot API (sendMessage, HTML
// formatting) to a chat, a group or a channel.
type Telegram struct {
	name, api, token, chat string
	opts                   Options
}

// Name implements Channel.
func (t *Telegram) Name() string { return t.name }

// Type implements Channel.
func (t *Telegram) Type() string { return "telegram" }

// telegramLimit is the longest message text Telegram accepts.
const telegramLimit = 4096

// Send implements Channel.
func (t *Telegram) Send(ctx context.Context, m *Message, _ string) error {
	body, err := json.Marshal(map[string]any{
		"chat_id":                  t.chat,
		"text":                     TelegramText(m),
		"parse_mode":               "HTML",
		"disable_web_page_preview": true,
	})
	if err != nil {
		return permanent("telegram %s: %v", t.name, err)
	}
	// The token is in the URL's path: errors name the host only.
	target := t.api + "/bot" + t.token + "/sendMessage"
	what := fmt.Sprintf("telegram %s (%s)", t.name, hostOf(t.api))
	resp, rb, err := post(ctx, &t.opts, target, what, body, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		return err
	}
	var res struct {
		OK          bool   `json:"ok"`
		Description string `json:"description"`
		ErrorCode   int    `json:"error_code"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	_ = json.Unmarshal(rb, &res)
	if resp.StatusCode/100 == 2 && res.OK {
		return nil
	}
	desc := strings.ReplaceAll(res.Description, t.token, "[redacted]")
	if desc == "" {
		desc = "no description"
	}
	e := &Error{Msg: fmt.Sprintf("%s: HTTP %d: %s", what, resp.StatusCode, desc)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		e.RetryAfter = time.Duration(res.Parameters.RetryAfter) * time.Second
	case resp.StatusCode/100 == 2:
		// ok false with 200: not expected from the API; retry.
	default:
		e.Permanent = true // 400 chat not found, 401 bad token, 403 bot blocked
	}
	return e
}

// TelegramText is the message in Telegram's HTML subset, within its
// length limit.
func TelegramText(m *Message) string {
	esc := html.EscapeString
	var parts []string
	add := func(s string) { parts = append(parts, s) }
	if d := m.Digest; d != nil {
		add(fmt.Sprintf("<b>Vigie digest</b> %s – %s", esc(d.From.UTC().Format("2006-01-02 15:04")), esc(d.To.UTC().Format("2006-01-02 15:04 UTC"))))
		list := func(title string, as []Alert) {
			if len(as) == 0 {
				return
			}
			add(fmt.Sprintf("\n<b>%s (%d)</b>", esc(title), len(as)))
			for i := range as {
				a := &as[i]
				line := "• [" + esc(a.Severity) + "] " + esc(a.Title)
				if a.URL != "" {
					line = "• [" + esc(a.Severity) + "] <a href=\"" + esc(a.URL) + "\">" + esc(a.Title) + "</a>"
				}
				add(line)
			}
		}
		list("New alerts", d.Opened)
		list("Growing", d.Updated)
		list("Resolved", d.Resolved)
		add(fmt.Sprintf("\nStill open: %d", d.Open))
		return joinWithin(parts, telegramLimit)
	}
	a := m.Alert
	if a == nil {
		return esc(EventLabel(m.Event))
	}
	add(fmt.Sprintf("<b>%s</b> (%s)\n<b>%s</b>", esc(EventLabel(m.Event)), esc(a.Severity), esc(a.Title)))
	if a.Summary != "" {
		add(esc(a.Summary))
	}
	var facts []string
	for _, f := range Facts(a) {
		facts = append(facts, "<i>"+esc(f.Label)+":</i> "+esc(f.Value))
	}
	add(strings.Join(facts, "\n"))
	if a.SearchURL != "" {
		add("<a href=\"" + esc(a.SearchURL) + "\">See the reviews in Vigie</a>")
	}
	for _, ex := range a.Examples {
		line := "<blockquote>"
		if s := stars(ex.Rating); s != "" {
			line += s + " "
		}
		line += esc(Excerpt(ex.Text, 300)) + "</blockquote>"
		add(line)
	}
	if m.Event == EventTest {
		add("<i>Test sent by vigie alerts test: the figures are made up.</i>")
	}
	return joinWithin(parts, telegramLimit)
}

// joinWithin joins whole parts (never cutting a tag) while they fit.
func joinWithin(parts []string, limit int) string {
	var b strings.Builder
	for i, p := range parts {
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(sep+p) > limit-2 {
			b.WriteString("\n…")
			break
		}
		b.WriteString(sep + p)
	}
	return b.String()
}
