package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"

	"github.com/vigie-dev/vigie/config"
)

// Email sends a mail with a plain-text and an HTML part through an SMTP
// server: STARTTLS by default (the connection must be encrypted before
// anything, password included, is sent), implicit TLS, or a plain
// connection to a relay on this machine.
type Email struct {
	name     string
	host     string
	port     int
	security string
	username string
	password string
	from     string
	to       []string
	tls      *tls.Config
	opts     Options
}

func newEmail(cfg config.AlertChannel, opts Options) (*Email, error) {
	var base *tls.Config
	if opts.TLS != nil {
		base = opts.TLS.Clone()
	} else {
		base = &tls.Config{}
	}
	base.ServerName = cfg.SMTP.Host
	if base.MinVersion == 0 {
		base.MinVersion = tls.VersionTLS12
	}
	if cfg.SMTP.CAFile != "" {
		pem, err := os.ReadFile(cfg.SMTP.CAFile)
		if err != nil {
			return nil, fmt.Errorf("email %s: %w", cfg.Name, err)
		}
		pool := base.RootCAs
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("email %s: %s holds no PEM certificate", cfg.Name, cfg.SMTP.CAFile)
		}
		base.RootCAs = pool
	}
	sec := cfg.SMTP.Security
	if sec == "" {
		sec = "starttls"
	}
	port := cfg.SMTP.Port
	if port == 0 {
		port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[sec]
	}
	return &Email{
		name: cfg.Name, host: cfg.SMTP.Host, port: port, security: sec,
		username: cfg.SMTP.Username, password: cfg.SMTP.Password.Value(),
		from: cfg.From, to: cfg.To, tls: base, opts: opts,
	}, nil
}

// Name implements Channel.
func (e *Email) Name() string { return e.name }

// Type implements Channel.
func (e *Email) Type() string { return "email" }

// Send implements Channel.
func (e *Email) Send(ctx context.Context, m *Message, delivery string) error {
	what := fmt.Sprintf("email %s (%s:%d)", e.name, e.host, e.port)
	msg, err := e.compose(m, delivery)
	if err != nil {
		return permanent("%s: %v", what, err)
	}
	addr := net.JoinHostPort(e.host, strconv.Itoa(e.port))
	d := &net.Dialer{}
	var conn net.Conn
	if e.security == "tls" {
		conn, err = (&tls.Dialer{NetDialer: d, Config: e.tls}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return temporary("%s: %v", what, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, e.host)
	if err != nil {
		return smtpError(what, err)
	}
	defer c.Close()
	hostname := e.opts.Hostname
	if hostname == "" {
		hostname = "localhost"
	}
	if err := c.Hello(hostname); err != nil {
		return smtpError(what, err)
	}
	if e.security == "starttls" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return permanent("%s: the server does not offer STARTTLS; refusing to send in clear (set smtp.security: tls for port 465)", what)
		}
		if err := c.StartTLS(e.tls); err != nil {
			return temporary("%s: STARTTLS: %v", what, err)
		}
	}
	if e.username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return permanent("%s: the server does not offer AUTH", what)
		}
		// PlainAuth refuses to send the password over a connection that
		// is not encrypted (except to localhost).
		if err := c.Auth(smtp.PlainAuth("", e.username, e.password, e.host)); err != nil {
			return smtpError(what+": AUTH", err)
		}
	}
	from, _ := mail.ParseAddress(e.from)
	if err := c.Mail(from.Address); err != nil {
		return smtpError(what+": MAIL FROM", err)
	}
	for _, to := range e.to {
		a, err := mail.ParseAddress(to)
		if err != nil {
			return permanent("%s: recipient %q: %v", what, to, err)
		}
		if err := c.Rcpt(a.Address); err != nil {
			return smtpError(what+": RCPT TO "+a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpError(what+": DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return temporary("%s: %v", what, err)
	}
	if err := w.Close(); err != nil {
		return smtpError(what+": DATA", err)
	}
	_ = c.Quit()
	return nil
}

// smtpError classifies an SMTP reply: 5xx is permanent, the rest is
// retried.
func smtpError(what string, err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		if tp.Code >= 500 {
			return permanent("%s: %d %s", what, tp.Code, tp.Msg)
		}
		return temporary("%s: %d %s", what, tp.Code, tp.Msg)
	}
	return temporary("%s: %v", what, err)
}

// compose writes the MIME message: multipart/alternative with a
// quoted-printable text/plain part and a text/html part.
func (e *Email) compose(m *Message, delivery string) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ ctype, content string }{
		{"text/plain; charset=utf-8", PlainText(m)},
		{"text/html; charset=utf-8", HTML(m)},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.content)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	var msg bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&msg, "%s: %s\r\n", k, v) }
	from, err := mail.ParseAddress(e.from)
	if err != nil {
		return nil, err
	}
	header("From", from.String())
	var to []string
	for _, t := range e.to {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return nil, err
		}
		to = append(to, a.String())
	}
	header("To", strings.Join(to, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", Subject(m)))
	header("Date", e.opts.now().Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	domain := "vigie.local"
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	id := delivery
	if id == "" {
		var b [12]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	if m.Alert != nil {
		// Mail clients thread the notifications of one alert together:
		// the first one is the thread's root.
		ref := "<alert-" + m.Alert.ID + "@" + domain + ">"
		if m.Event == EventOpened {
			header("Message-ID", ref)
		} else {
			header("Message-ID", "<"+id+"@"+domain+">")
			header("In-Reply-To", ref)
			header("References", ref)
		}
	} else {
		header("Message-ID", "<"+id+"@"+domain+">")
	}
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated")
	header("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}
