package notify

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The words every channel uses, so that an alert reads the same in Slack,
// in a mail and in Telegram.

// EventLabel names an event for people.
func EventLabel(event string) string {
	switch event {
	case EventOpened:
		return "New alert"
	case EventUpdated:
		return "Alert growing"
	case EventReopened:
		return "Alert reopened"
	case EventResolved:
		return "Resolved"
	case EventTest:
		return "Test notification"
	case EventDigest:
		return "Digest"
	}
	return event
}

// Subject is a message's one-line summary (mail subject, fallback text).
func Subject(m *Message) string {
	if m.Digest != nil {
		d := m.Digest
		return fmt.Sprintf("[Vigie] Digest %s: %d new, %d growing, %d resolved, %d open",
			d.To.Format("2006-01-02"), len(d.Opened), len(d.Updated), len(d.Resolved), d.Open)
	}
	if m.Alert == nil {
		return "[Vigie] " + EventLabel(m.Event)
	}
	a := m.Alert
	return fmt.Sprintf("[Vigie] %s (%s): %s", EventLabel(m.Event), a.Severity, a.Title)
}

// Fact is one labelled line of an alert.
type Fact struct{ Label, Value string }

// Facts are an alert's key figures, in the order shown.
func Facts(a *Alert) []Fact {
	var out []Fact
	place := a.LocationName
	if place == "" {
		place = a.Location
	}
	if place != "" {
		if a.BrandName != "" {
			place += " (" + a.BrandName + ")"
		}
		out = append(out, Fact{"Location", place})
	}
	if a.Source != "" {
		out = append(out, Fact{"Source", a.Source})
	}
	if a.Theme != "" {
		out = append(out, Fact{"Theme", a.Theme})
	}
	out = append(out, Fact{"Rule", a.Rule + " (" + a.Kind + ")"})
	if a.Kind == "negative_spike" || a.Kind == "theme_surge" || a.Expected > 0 || a.Probability > 0 {
		obs := strconv.Itoa(a.Observed)
		if a.Window != "" {
			obs += " in " + a.Window
		}
		out = append(out, Fact{"Observed", obs})
		out = append(out, Fact{"Expected", FormatNumber(a.Expected)})
		if a.Probability > 0 {
			out = append(out, Fact{"Probability", FormatProbability(a.Probability)})
		}
	} else if a.Observed > 0 {
		out = append(out, Fact{"Reviews", strconv.Itoa(a.Observed)})
	}
	out = append(out, Fact{"Status", a.Status})
	if !a.OpenedAt.IsZero() {
		out = append(out, Fact{"Since", a.OpenedAt.UTC().Format("2006-01-02 15:04 UTC")})
	}
	return out
}

// FormatProbability writes a small probability readably: "3.2e-07",
// "0.0012".
func FormatProbability(p float64) string {
	switch {
	case p <= 0:
		return "< 1e-300"
	case p < 0.001:
		return strconv.FormatFloat(p, 'e', 1, 64)
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}

// FormatNumber writes an expected count: "0.42", "3.1", "12".
func FormatNumber(v float64) string {
	switch {
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// Excerpt cuts s to at most n characters, on a word boundary.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

func stars(r float64) string {
	if r <= 0 {
		return ""
	}
	n := int(r + 0.5)
	return strings.Repeat("★", n) + strings.Repeat("☆", max(5-n, 0))
}

// PlainText is the message as plain text (mail, logs of tests).
func PlainText(m *Message) string {
	var b strings.Builder
	if m.Digest != nil {
		d := m.Digest
		fmt.Fprintf(&b, "Vigie digest for %s, %s to %s\n\n", d.Channel, d.From.UTC().Format("2006-01-02 15:04"), d.To.UTC().Format("2006-01-02 15:04 UTC"))
		section := func(title string, as []Alert) {
			if len(as) == 0 {
				return
			}
			fmt.Fprintf(&b, "%s (%d)\n", title, len(as))
			for i := range as {
				a := &as[i]
				fmt.Fprintf(&b, "- [%s] %s\n", a.Severity, a.Title)
				if a.Summary != "" {
					fmt.Fprintf(&b, "  %s\n", a.Summary)
				}
				if a.URL != "" {
					fmt.Fprintf(&b, "  %s\n", a.URL)
				}
			}
			b.WriteString("\n")
		}
		section("New alerts", d.Opened)
		section("Growing", d.Updated)
		section("Resolved", d.Resolved)
		fmt.Fprintf(&b, "Alerts still open: %d\n", d.Open)
		if d.URL != "" {
			fmt.Fprintf(&b, "All alerts: %s\n", d.URL)
		}
		return b.String()
	}
	a := m.Alert
	if a == nil {
		return EventLabel(m.Event) + "\n"
	}
	fmt.Fprintf(&b, "%s [%s]: %s\n", EventLabel(m.Event), a.Severity, a.Title)
	if a.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", a.Summary)
	}
	b.WriteString("\n")
	for _, f := range Facts(a) {
		fmt.Fprintf(&b, "%-12s %s\n", f.Label+":", f.Value)
	}
	if len(a.Examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, ex := range a.Examples {
			line := "- "
			if s := stars(ex.Rating); s != "" {
				line += s + " "
			}
			if !ex.PublishedAt.IsZero() {
				line += ex.PublishedAt.Format("2006-01-02") + " "
			}
			line += "\"" + Excerpt(ex.Text, 240) + "\""
			b.WriteString(line + "\n")
			if ex.URL != "" {
				b.WriteString("  " + ex.URL + "\n")
			}
		}
	}
	if a.SearchURL != "" {
		fmt.Fprintf(&b, "\nThe reviews: %s\n", a.SearchURL)
	}
	if a.URL != "" {
		fmt.Fprintf(&b, "The alert: %s\n", a.URL)
	}
	if m.Event == EventTest {
		b.WriteString("\nThis is a test sent by `vigie alerts test`: the figures are made up.\n")
	}
	return b.String()
}

var htmlTemplate = template.Must(template.New("mail").Funcs(template.FuncMap{
	"label":   EventLabel,
	"facts":   Facts,
	"excerpt": Excerpt,
	"stars":   stars,
	"date":    func(t time.Time) string { return t.Format("2006-01-02") },
	"utc":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
}).Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: -apple-system, Segoe UI, Roboto, sans-serif; color: #222; max-width: 640px">
{{with .M.Alert}}
<p style="font-size: 13px; color: #666">{{label $.M.Event}} · {{.Severity}}</p>
<h2 style="margin: 0 0 8px">{{.Title}}</h2>
{{if .Summary}}<p>{{.Summary}}</p>{{end}}
<table style="border-collapse: collapse; font-size: 14px">
{{range facts .}}<tr><td style="padding: 2px 12px 2px 0; color: #666">{{.Label}}</td><td>{{.Value}}</td></tr>
{{end}}</table>
{{if .Examples}}<h3 style="margin: 16px 0 4px; font-size: 15px">Examples</h3>
{{range .Examples}}<blockquote style="margin: 6px 0; padding-left: 10px; border-left: 3px solid #ccc">{{if stars .Rating}}{{stars .Rating}} {{end}}{{if not .PublishedAt.IsZero}}<span style="color: #666">{{date .PublishedAt}}</span> {{end}}{{excerpt .Text 400}}{{if .URL}} <a href="{{.URL}}">source</a>{{end}}</blockquote>
{{end}}{{end}}
<p>{{if .SearchURL}}<a href="{{.SearchURL}}">See the reviews in Vigie</a>{{end}}{{if and .SearchURL .URL}} · {{end}}{{if .URL}}<a href="{{.URL}}">the alert</a>{{end}}</p>
{{if eq $.M.Event "test"}}<p style="color: #666">This is a test sent by <code>vigie alerts test</code>: the figures are made up.</p>{{end}}
{{end}}
{{with .M.Digest}}
<h2>Vigie digest</h2>
<p style="color: #666">{{utc .From}} to {{utc .To}}</p>
{{if .Opened}}<h3>New alerts ({{len .Opened}})</h3><ul>{{range .Opened}}<li><strong>[{{.Severity}}]</strong> {{if .URL}}<a href="{{.URL}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}{{if .Summary}}<br><span style="color: #555">{{.Summary}}</span>{{end}}</li>{{end}}</ul>{{end}}
{{if .Updated}}<h3>Growing ({{len .Updated}})</h3><ul>{{range .Updated}}<li><strong>[{{.Severity}}]</strong> {{if .URL}}<a href="{{.URL}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}{{if .Summary}}<br><span style="color: #555">{{.Summary}}</span>{{end}}</li>{{end}}</ul>{{end}}
{{if .Resolved}}<h3>Resolved ({{len .Resolved}})</h3><ul>{{range .Resolved}}<li>{{.Title}}</li>{{end}}</ul>{{end}}
<p>Alerts still open: {{.Open}}{{if .URL}} · <a href="{{.URL}}">all alerts</a>{{end}}</p>
{{end}}
</body></html>
`))

// HTML is the message as an HTML document (mail).
func HTML(m *Message) string {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, struct {
		M       *Message
		Subject string
	}{m, Subject(m)}); err != nil {
		return "<p>" + template.HTMLEscapeString(PlainText(m)) + "</p>"
	}
	return b.String()
}
