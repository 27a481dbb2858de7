package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of webhook requests.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256, keyed
	// with the channel's secret, of the timestamp, a dot and the body.
	HeaderSignature = "X-Vigie-Signature"
	// HeaderTimestamp is the Unix time of the request, part of the signed
	// text so that a captured request cannot be replayed later.
	HeaderTimestamp = "X-Vigie-Timestamp"
	// HeaderEvent is the message's event; HeaderDelivery identifies the
	// delivery (the same on retries).
	HeaderEvent    = "X-Vigie-Event"
	HeaderDelivery = "X-Vigie-Delivery"
)

// WebhookBody is the JSON a webhook receives.
type WebhookBody struct {
	Event    string    `json:"event"`
	Delivery string    `json:"delivery"`
	SentAt   time.Time `json:"sent_at"`
	Alert    *Alert    `json:"alert,omitempty"`
	Digest   *Digest   `json:"digest,omitempty"`
	// Text is the one-line summary, for receivers that only show text.
	Text string `json:"text"`
}

// Webhook posts JSON to a URL, signed with HMAC-SHA256.
type Webhook struct {
	name, url, secret string
	headers           map[string]string
	opts              Options
}

// Name implements Channel.
func (w *Webhook) Name() string { return w.name }

// Type implements Channel.
func (w *Webhook) Type() string { return "webhook" }

// Send implements Channel.
func (w *Webhook) Send(ctx context.Context, m *Message, delivery string) error {
	now := w.opts.now()
	body, err := json.Marshal(WebhookBody{Event: m.Event, Delivery: delivery, SentAt: now.UTC(), Alert: m.Alert, Digest: m.Digest, Text: Subject(m)})
	if err != nil {
		return permanent("webhook %s: %v", w.name, err)
	}
	h := http.Header{}
	for k, v := range w.headers {
		h.Set(k, v)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(HeaderEvent, m.Event)
	h.Set(HeaderDelivery, delivery)
	ts := strconv.FormatInt(now.Unix(), 10)
	h.Set(HeaderTimestamp, ts)
	if w.secret != "" {
		h.Set(HeaderSignature, Sign(w.secret, ts, body))
	}
	what := fmt.Sprintf("webhook %s (%s)", w.name, hostOf(w.url))
	resp, rb, err := post(ctx, &w.opts, w.url, what, body, h)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return statusError(what, resp, rb)
	}
	return nil
}

// Sign returns the signature header value of body sent at timestamp ts
// (decimal Unix seconds): "sha256=" and hex(HMAC-SHA256(secret, ts + "." +
// body)).
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("webhook signature does not match")
	ErrStale        = errors.New("webhook timestamp is too old or in the future")
)

// Verify checks a webhook request as a receiver should: the signature of
// the timestamp and body, in constant time, and the timestamp within
// tolerance of now (replays). It is what a receiver written in Go can
// call; docs/alerting.md shows the same in other languages.
func Verify(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := header.Get(HeaderTimestamp)
	sig := header.Get(HeaderSignature)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !strings.HasPrefix(sig, "sha256=") {
		return ErrBadSignature
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}
