package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
)

func sampleMessage() *Message {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	return &Message{Event: EventOpened, Alert: &Alert{
		ID: "a1b2c3", Rule: "theme-spike", Kind: "negative_spike", Severity: "warning", Status: "open",
		Brand: "maison-colette", Location: "lyon-part-dieu", Theme: "wait", OpenedAt: at, UpdatedAt: at,
		Observed: 9, Expected: 0.42, Probability: 3.1e-9, ReviewIDs: []string{"r1", "r2"},
		BrandName: "Maison Colette", LocationName: "Maison Colette Part-Dieu",
		Title:   "Spike of complaints about wait at Maison Colette Part-Dieu",
		Summary: "9 reviews complaining about wait in the last 24h, where 0.42 were expected.",
		Window:  "24h",
		Examples: []Example{
			{ID: "r1", Rating: 1, Text: "Une heure d'attente <b>pour</b> un café & un croissant, j'ai raté mon train.", URL: "https://reviews.example/r1", PublishedAt: at},
			{ID: "r2", Rating: 2, Text: "Очередь огромная, одна касса.", PublishedAt: at},
		},
		URL:       "https://vigie.example.com/alerts#alert-a1b2c3",
		SearchURL: "https://vigie.example.com/search?location=lyon-part-dieu&theme=wait",
	}}
}

var fastPolicy = Policy{Retries: 3, Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Timeout: 2 * time.Second}

// run delivers d through a dispatcher until it is delivered or given up,
// and returns the results of every attempt.
func run(t *testing.T, ch Channel, m *Message) []Result {
	t.Helper()
	var mu sync.Mutex
	var results []Result
	done := make(chan struct{})
	d := NewDispatcher([]Channel{ch}, fastPolicy, DispatcherOptions{OnResult: func(r Result) {
		mu.Lock()
		results = append(results, r)
		mu.Unlock()
		if r.Outcome != Retrying {
			close(done)
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	d.Enqueue(Delivery{ID: "d-1", Channel: ch.Name(), Message: *m, CreatedAt: time.Now()})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("delivery did not finish")
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]Result(nil), results...)
}

func TestWebhookSignatureAndRetry(t *testing.T) {
	const secret = "s3cr3t-webhook-key"
	var calls atomic.Int32
	var got WebhookBody
	var verifyErr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		if n <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable) // retried
			return
		}
		verifyErr = Verify(secret, r.Header, body, time.Now(), 5*time.Minute)
		if err := Verify("another secret", r.Header, body, time.Now(), 5*time.Minute); !errors.Is(err, ErrBadSignature) {
			t.Errorf("a wrong secret verifies: %v", err)
		}
		tampered := bytes.Replace(body, []byte(`"observed":9`), []byte(`"observed":1`), 1)
		if err := Verify(secret, r.Header, tampered, time.Now(), 5*time.Minute); !errors.Is(err, ErrBadSignature) {
			t.Errorf("a tampered body verifies: %v", err)
		}
		if err := Verify(secret, r.Header, body, time.Now().Add(time.Hour), 5*time.Minute); !errors.Is(err, ErrStale) {
			t.Errorf("a replay an hour later verifies: %v", err)
		}
		if r.Header.Get(HeaderEvent) != "opened" || r.Header.Get(HeaderDelivery) != "d-1" || r.Header.Get("X-Team") != "reputation" {
			t.Errorf("headers %v", r.Header)
		}
		json.Unmarshal(body, &got)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	ch, err := New(config.AlertChannel{Name: "hook", Type: "webhook", URL: config.Secret(srv.URL + "/hooks/vigie"), Secret: secret,
		Headers: map[string]string{"X-Team": "reputation"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, ch, sampleMessage())
	if len(res) != 3 || res[0].Outcome != Retrying || res[1].Outcome != Retrying || res[2].Outcome != Delivered {
		t.Fatalf("outcomes %v, want retrying, retrying, delivered", outcomes(res))
	}
	if verifyErr != nil {
		t.Errorf("signature: %v", verifyErr)
	}
	if got.Alert == nil || got.Alert.Location != "lyon-part-dieu" || got.Alert.Observed != 9 || got.Delivery != "d-1" || got.Event != "opened" {
		t.Errorf("body %+v", got)
	}
	if strings.Contains(res[0].Err.Error(), "/hooks/vigie") {
		t.Errorf("the error repeats the URL's path: %v", res[0].Err)
	}
}

func TestWebhookPermanentFailure(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	defer srv.Close()
	ch, _ := New(config.AlertChannel{Name: "hook", Type: "webhook", URL: config.Secret(srv.URL)}, Options{})
	res := run(t, ch, sampleMessage())
	if len(res) != 1 || res[0].Outcome != Failed || calls.Load() != 1 {
		t.Fatalf("outcomes %v after %d calls, want one failed attempt (a 404 is not retried)", outcomes(res), calls.Load())
	}
}

func TestWebhookGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	ch, _ := New(config.AlertChannel{Name: "hook", Type: "webhook", URL: config.Secret("http://" + addr + "/x?token=abc")}, Options{})
	res := run(t, ch, sampleMessage())
	if len(res) != fastPolicy.Retries+1 || res[len(res)-1].Outcome != Failed {
		t.Fatalf("outcomes %v, want %d attempts then failed", outcomes(res), fastPolicy.Retries+1)
	}
	if strings.Contains(res[0].Err.Error(), "token=abc") {
		t.Errorf("the error repeats the URL's query: %v", res[0].Err)
	}
}

func outcomes(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Outcome)
	}
	return out
}

func TestSlack(t *testing.T) {
	var calls atomic.Int32
	var payload map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "rate_limited", http.StatusTooManyRequests)
			return
		}
		if r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		json.NewDecoder(r.Body).Decode(&payload)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	ch, _ := New(config.AlertChannel{Name: "slack", Type: "slack", URL: config.Secret(srv.URL + "/services/T000/B000/XXXX")}, Options{})
	res := run(t, ch, sampleMessage())
	if len(res) != 2 || res[1].Outcome != Delivered {
		t.Fatalf("outcomes %v, want a retry after the 429, then delivered", outcomes(res))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(payload)
	s := buf.String()
	for _, want := range []string{
		"Maison Colette Part-Dieu",                  // location
		"theme-spike",                               // rule
		"*Observed*", "9 in 24h", "0.42", "3.1e-09", // counts
		"Une heure d'attente &lt;b&gt;pour&lt;/b&gt; un café &amp; un croissant",                         // an example, escaped for mrkdwn
		"<https://vigie.example.com/search?location=lyon-part-dieu&theme=wait|See the reviews in Vigie>", // the dashboard search
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the Slack message lacks %s:\n%s", want, s)
		}
	}
	if payload["text"] == "" {
		t.Error("no fallback text")
	}
}

func TestTelegram(t *testing.T) {
	const token = "123456:ABC-secret-token"
	var calls atomic.Int32
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bot"+token+"/sendMessage" {
			http.NotFound(w, r)
			return
		}
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 0","parameters":{"retry_after":0}}`)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
	}))
	defer srv.Close()
	ch, _ := New(config.AlertChannel{Name: "tg", Type: "telegram", BotToken: token, ChatID: "-1001234567890", APIURL: srv.URL}, Options{})
	res := run(t, ch, sampleMessage())
	if len(res) != 2 || res[1].Outcome != Delivered {
		t.Fatalf("outcomes %v, want a retry after the 429, then delivered", outcomes(res))
	}
	if strings.Contains(res[0].Err.Error(), token) {
		t.Errorf("the error holds the token: %v", res[0].Err)
	}
	text, _ := got["text"].(string)
	if got["chat_id"] != "-1001234567890" || got["parse_mode"] != "HTML" {
		t.Errorf("request %v", got)
	}
	for _, want := range []string{"<b>Spike of complaints about wait at Maison Colette Part-Dieu</b>", "&lt;b&gt;pour&lt;/b&gt;", "Очередь огромная",
		`<a href="https://vigie.example.com/search?location=lyon-part-dieu&amp;theme=wait">`} {
		if !strings.Contains(text, want) {
			t.Errorf("the message lacks %s:\n%s", want, text)
		}
	}

	// A bad token is permanent, and its error does not say the token.
	bad, _ := New(config.AlertChannel{Name: "tg", Type: "telegram", BotToken: "999:wrong", ChatID: "1", APIURL: srv.URL}, Options{})
	err := bad.Send(context.Background(), sampleMessage(), "x")
	if !IsPermanent(err) || strings.Contains(err.Error(), "999:wrong") {
		t.Errorf("bad token: %v (permanent %v)", err, IsPermanent(err))
	}
}

func TestTelegramLimit(t *testing.T) {
	m := sampleMessage()
	for range 50 {
		m.Alert.Examples = append(m.Alert.Examples, Example{Text: strings.Repeat("долгое ожидание ", 30)})
	}
	if n := len([]rune(TelegramText(m))); n > telegramLimit {
		t.Errorf("%d characters, Telegram takes %d", n, telegramLimit)
	}
}

// An SMTP server in the process: STARTTLS with a test certificate, AUTH
// PLAIN, and the messages it received.
type smtpServer struct {
	ln       net.Listener
	tls      *tls.Config
	noTLS    bool
	failRcpt atomic.Int32 // transactions to refuse with 451 at RCPT
	mu       sync.Mutex
	msgs     []smtpMsg
}

type smtpMsg struct {
	from    string
	to      []string
	data    []byte
	secure  bool
	authed  string
	cleared bool // AUTH was attempted over a clear connection
}

func newSMTPServer(t *testing.T) (*smtpServer, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vigie test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, tls: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s, pool
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.handle(c)
	}
}

func (s *smtpServer) handle(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 localhost ESMTP vigie-test")
	var msg smtpMsg
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"localhost"}
			if !msg.secure && !s.noTLS {
				lines = append(lines, "STARTTLS")
			}
			lines = append(lines, "AUTH PLAIN", "8BITMIME")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				tp.PrintfLine("250%s%s", sep, l)
			}
		case "STARTTLS":
			tp.PrintfLine("220 2.0.0 Ready to start TLS")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c = tc
			tp = textproto.NewConn(tc)
			msg = smtpMsg{secure: true}
		case "AUTH":
			mech, b64, _ := strings.Cut(arg, " ")
			raw, _ := base64.StdEncoding.DecodeString(b64)
			parts := strings.Split(string(raw), "\x00")
			if !msg.secure {
				msg.cleared = true
			}
			if strings.ToUpper(mech) != "PLAIN" || len(parts) != 3 || parts[1] != "vigie" || parts[2] != "smtp-password" {
				tp.PrintfLine("535 5.7.8 Authentication credentials invalid")
				continue
			}
			msg.authed = parts[1]
			tp.PrintfLine("235 2.7.0 Authentication successful")
		case "MAIL":
			msg.from = strings.TrimPrefix(arg, "FROM:")
			tp.PrintfLine("250 2.1.0 OK")
		case "RCPT":
			if s.failRcpt.Load() > 0 {
				s.failRcpt.Add(-1)
				tp.PrintfLine("451 4.3.0 Mailbox busy, try later")
				continue
			}
			msg.to = append(msg.to, strings.TrimPrefix(arg, "TO:"))
			tp.PrintfLine("250 2.1.5 OK")
		case "DATA":
			tp.PrintfLine("354 End data with <CR><LF>.<CR><LF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			msg.data = data
			s.mu.Lock()
			s.msgs = append(s.msgs, msg)
			s.mu.Unlock()
			tp.PrintfLine("250 2.0.0 OK queued")
			msg = smtpMsg{secure: msg.secure, authed: msg.authed}
		case "RSET", "NOOP":
			tp.PrintfLine("250 2.0.0 OK")
		case "QUIT":
			tp.PrintfLine("221 2.0.0 Bye")
			return
		default:
			tp.PrintfLine("502 5.5.2 Command not recognized")
		}
	}
}

func TestEmail(t *testing.T) {
	srv, pool := newSMTPServer(t)
	srv.failRcpt.Store(1) // the first transaction is refused for now: retried
	cfg := config.AlertChannel{Name: "mail", Type: "email", From: "Vigie <vigie@example.com>", To: []string{"ops@example.com", "Lyon <lyon@example.com>"},
		SMTP: config.AlertSMTP{Host: "127.0.0.1", Port: srv.port(), Username: "vigie", Password: "smtp-password", Security: "starttls"}}
	ch, err := New(cfg, Options{TLS: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, ch, sampleMessage())
	if len(res) != 2 || res[0].Outcome != Retrying || res[1].Outcome != Delivered {
		t.Fatalf("outcomes %v, want retrying (451) then delivered", outcomes(res))
	}
	srv.mu.Lock()
	msgs := append([]smtpMsg(nil), srv.msgs...)
	srv.mu.Unlock()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if !m.secure || m.authed != "vigie" || m.cleared {
		t.Errorf("secure %v, authenticated as %q, AUTH in clear %v: want STARTTLS before AUTH", m.secure, m.authed, m.cleared)
	}
	if !strings.HasPrefix(m.from, "<vigie@example.com>") || len(m.to) != 2 {
		t.Errorf("envelope from %s to %v", m.from, m.to)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if !strings.Contains(subject, "Spike of complaints about wait at Maison Colette Part-Dieu") {
		t.Errorf("subject %q", subject)
	}
	if parsed.Header.Get("Message-ID") != "<alert-a1b2c3@example.com>" {
		t.Errorf("Message-ID %q: the first notification of an alert roots its thread", parsed.Header.Get("Message-ID"))
	}
	mt, params, err := mime.ParseMediaType(parsed.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q", parsed.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(parsed.Body, params["boundary"])
	parts := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // quoted-printable is decoded by the reader
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
	plain, html := parts["text/plain"], parts["text/html"]
	for _, want := range []string{"9 in 24h", "Maison Colette Part-Dieu", "Очередь огромная, одна касса.", "https://vigie.example.com/search?location=lyon-part-dieu&theme=wait"} {
		if !strings.Contains(plain, want) {
			t.Errorf("the text part lacks %q:\n%s", want, plain)
		}
	}
	for _, want := range []string{"<h2", "&lt;b&gt;pour&lt;/b&gt;", `href="https://vigie.example.com/search?location=lyon-part-dieu&amp;theme=wait"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML part lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<b>pour</b>") {
		t.Error("review text is not escaped in the HTML part")
	}
}

// A server that does not offer STARTTLS gets nothing, password least of
// all.
func TestEmailRefusesClearText(t *testing.T) {
	srv, pool := newSMTPServer(t)
	srv.noTLS = true
	cfg := config.AlertChannel{Name: "mail", Type: "email", From: "vigie@example.com", To: []string{"ops@example.com"},
		SMTP: config.AlertSMTP{Host: "127.0.0.1", Port: srv.port(), Username: "vigie", Password: "smtp-password"}}
	ch, _ := New(cfg, Options{TLS: &tls.Config{RootCAs: pool}})
	err := ch.Send(context.Background(), sampleMessage(), "d")
	if !IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err %v, want a permanent refusal naming STARTTLS", err)
	}
	if strings.Contains(err.Error(), "smtp-password") {
		t.Error("the error holds the password")
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.msgs) != 0 {
		t.Error("a message was sent in clear")
	}
}

// A certificate the client does not trust stops the delivery.
func TestEmailUntrustedCertificate(t *testing.T) {
	srv, _ := newSMTPServer(t)
	cfg := config.AlertChannel{Name: "mail", Type: "email", From: "vigie@example.com", To: []string{"ops@example.com"},
		SMTP: config.AlertSMTP{Host: "127.0.0.1", Port: srv.port()}}
	ch, _ := New(cfg, Options{})
	if err := ch.Send(context.Background(), sampleMessage(), "d"); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err %v, want a TLS failure", err)
	}
}

func TestDigestRendering(t *testing.T) {
	a := sampleMessage().Alert
	m := &Message{Event: EventDigest, Digest: &Digest{Channel: "mail", From: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC),
		Opened: []Alert{*a}, Resolved: []Alert{{Title: "Rating drop at Maison Colette Opéra", Severity: "warning"}}, Open: 1, URL: "https://vigie.example.com/alerts"}}
	for name, s := range map[string]string{"text": PlainText(m), "html": HTML(m), "telegram": TelegramText(m), "subject": Subject(m)} {
		if name == "subject" {
			if !strings.Contains(s, "1 new") || !strings.Contains(s, "1 resolved") {
				t.Errorf("subject %q", s)
			}
			continue
		}
		for _, want := range []string{"Spike of complaints about wait at Maison Colette Part-Dieu", "Rating drop at Maison Colette Opéra"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, s)
			}
		}
	}
	b, _ := json.Marshal(SlackPayload(m))
	if !strings.Contains(string(b), "Rating drop") {
		t.Errorf("slack digest %s", b)
	}
}

func TestPolicyWait(t *testing.T) {
	p := Policy{Backoff: time.Second, MaxBackoff: 10 * time.Second}
	for n, lo := range map[int]time.Duration{1: 800 * time.Millisecond, 2: 1600 * time.Millisecond, 3: 3200 * time.Millisecond, 10: 8 * time.Second} {
		if w := p.Wait(n, 0); w < lo || w > lo*3/2+time.Millisecond {
			t.Errorf("wait after %d failures %s, want about %s", n, w, lo*5/4)
		}
	}
	if w := p.Wait(1, time.Minute); w != 10*time.Second {
		t.Errorf("a Retry-After beyond the cap gives %s, want the cap", w)
	}
}
