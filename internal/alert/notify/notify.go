// Package notify delivers alert notifications: a generic webhook (a JSON
// body signed with HMAC-SHA256), a Slack incoming webhook, e-mail over
// SMTP (STARTTLS, plain-text and HTML parts) and the Telegram Bot API.
//
// A Channel makes one attempt; the Dispatcher queues deliveries, retries
// failed ones with exponential back-off and jitter, and reports each
// outcome, so that a slow or broken channel never holds up the caller.
//
// Secrets (webhook secrets, Slack URLs, bot tokens, SMTP passwords) never
// appear in errors or logs: errors name the channel and the host only.
package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
)

// Events of a message.
const (
	EventOpened   = "opened"
	EventUpdated  = "updated"
	EventReopened = "reopened"
	EventResolved = "resolved"
	EventTest     = "test"
	EventDigest   = "digest"
)

// Message is what a channel sends: an alert's event, or a digest.
type Message struct {
	// Event is opened, updated, reopened, resolved, test or digest.
	Event  string  `json:"event"`
	Alert  *Alert  `json:"alert,omitempty"`
	Digest *Digest `json:"digest,omitempty"`
}

// Alert is an alert as notifications show it: the API's fields plus
// names and links for people.
type Alert struct {
	ID          string    `json:"id"`
	Rule        string    `json:"rule"`
	Kind        string    `json:"kind"`
	Severity    string    `json:"severity"`
	Status      string    `json:"status"`
	Brand       string    `json:"brand,omitempty"`
	Location    string    `json:"location,omitempty"`
	Theme       string    `json:"theme,omitempty"`
	Source      string    `json:"source,omitempty"`
	OpenedAt    time.Time `json:"opened_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Observed    int       `json:"observed"`
	Expected    float64   `json:"expected"`
	Probability float64   `json:"probability"`
	ReviewIDs   []string  `json:"review_ids"`

	BrandName    string    `json:"brand_name,omitempty"`
	LocationName string    `json:"location_name,omitempty"`
	Title        string    `json:"title"`
	Summary      string    `json:"summary,omitempty"`
	Window       string    `json:"window,omitempty"`
	Examples     []Example `json:"examples,omitempty"`
	// URL opens the alert in the dashboard; SearchURL lists its reviews.
	URL       string `json:"url,omitempty"`
	SearchURL string `json:"search_url,omitempty"`
}

// Example is a review quoted in a notification.
type Example struct {
	ID          string    `json:"id"`
	Source      string    `json:"source,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Rating      float64   `json:"rating,omitempty"`
	Lang        string    `json:"lang,omitempty"`
	Text        string    `json:"text,omitempty"`
	URL         string    `json:"url,omitempty"`
}

// Digest summarises a period's alerts for one recipient.
type Digest struct {
	Channel string    `json:"channel"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	// Opened, Updated and Resolved are the alerts of the period; Open
	// counts those still open at its end.
	Opened   []Alert `json:"opened"`
	Updated  []Alert `json:"updated"`
	Resolved []Alert `json:"resolved"`
	Open     int     `json:"open"`
	// URL opens the dashboard's alerts.
	URL string `json:"url,omitempty"`
}

// Channel delivers messages to one destination. Send makes one attempt;
// it is safe for concurrent use.
type Channel interface {
	Name() string
	Type() string
	// Send delivers m; delivery identifies it (receivers deduplicate on
	// it when a retry repeats a delivery that had in fact arrived).
	Send(ctx context.Context, m *Message, delivery string) error
}

// Error is a failed attempt.
type Error struct {
	// Permanent: retrying cannot help (the destination refused the
	// message or the configuration is wrong).
	Permanent bool
	// RetryAfter is the wait the destination asked for, if any.
	RetryAfter time.Duration
	Msg        string
}

func (e *Error) Error() string { return e.Msg }

func permanent(format string, args ...any) error {
	return &Error{Permanent: true, Msg: fmt.Sprintf(format, args...)}
}

func temporary(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// IsPermanent reports whether err says not to retry.
func IsPermanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// Options are what channels are built with.
type Options struct {
	// Client makes HTTP requests (webhook, Slack, Telegram); nil: a
	// client with the delivery timeout.
	Client *http.Client
	// TLS is the base TLS configuration of e-mail (tests trust their
	// own certificate authority with it); ServerName is set per server.
	TLS *tls.Config
	// Now is the clock (signatures, e-mail dates).
	Now func() time.Time
	// UserAgent is sent with HTTP requests.
	UserAgent string
	// Hostname names this machine in SMTP's EHLO (default: localhost).
	Hostname string
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (o *Options) userAgent() string {
	if o.UserAgent != "" {
		return o.UserAgent
	}
	return "Vigie-Alerts/1.0 (+https://github.com/vigie-dev/vigie)"
}

// New builds the channel cfg describes (validated by config.Load).
func New(cfg config.AlertChannel, opts Options) (Channel, error) {
	switch cfg.Type {
	case config.ChannelWebhook:
		return &Webhook{name: cfg.Name, url: cfg.URL.Value(), secret: cfg.Secret.Value(), headers: cfg.Headers, opts: opts}, nil
	case config.ChannelSlack:
		return &Slack{name: cfg.Name, url: cfg.URL.Value(), opts: opts}, nil
	case config.ChannelEmail:
		return newEmail(cfg, opts)
	case config.ChannelTelegram:
		api := cfg.APIURL
		if api == "" {
			api = "https://api.telegram.org"
		}
		return &Telegram{name: cfg.Name, api: strings.TrimRight(api, "/"), token: cfg.BotToken.Value(), chat: cfg.ChatID, opts: opts}, nil
	}
	return nil, fmt.Errorf("notify: channel %s: unknown type %q", cfg.Name, cfg.Type)
}

// hostOf returns the scheme and host of raw, for errors that must not
// repeat a path or query holding a key.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(the configured URL)"
	}
	return u.Scheme + "://" + u.Host
}

// post sends body to target and classifies the outcome. what names the
// destination in errors (never the full URL).
func post(ctx context.Context, o *Options, target, what string, body []byte, header http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(string(body)))
	if err != nil {
		return nil, nil, permanent("%s: cannot build the request", what)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", o.userAgent())
	resp, err := o.client().Do(req)
	if err != nil {
		var ue *url.Error
		cause := err
		if errors.As(err, &ue) {
			cause = ue.Err // the url.Error would print the URL, key included
		}
		if ctx.Err() != nil {
			return nil, nil, temporary("%s: %v", what, ctx.Err())
		}
		return nil, nil, temporary("%s: %s", what, redactText(cause.Error(), target))
	}
	defer resp.Body.Close()
	buf := make([]byte, 0, 512)
	tmp := make([]byte, 512)
	for len(buf) < 64<<10 {
		n, err := resp.Body.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if err != nil {
			break
		}
	}
	return resp, buf, nil
}

// redactText removes target (and its path) from an error text.
func redactText(s, target string) string {
	if target == "" {
		return s
	}
	s = strings.ReplaceAll(s, target, hostOf(target))
	if u, err := url.Parse(target); err == nil && len(u.Path) > 1 {
		s = strings.ReplaceAll(s, u.Path, "/…")
	}
	return s
}

// statusError classifies an HTTP status that is not a success.
func statusError(what string, resp *http.Response, body []byte) error {
	snippet := strings.TrimSpace(string(body))
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	msg := fmt.Sprintf("%s: HTTP %d", what, resp.StatusCode)
	if snippet != "" {
		msg += ": " + snippet
	}
	e := &Error{Msg: msg}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"))
	default:
		e.Permanent = true
	}
	return e
}

func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var secs int
	if _, err := fmt.Sscan(v, &secs); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
