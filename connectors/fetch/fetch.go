// Package fetch is the one HTTP client every web connector uses. It makes
// Vigie a polite crawler and a robust one, in one place:
//
//   - robots.txt is obeyed (RFC 9309) unless a source opts out;
//   - requests to one host are spaced by a delay and bounded in number,
//     across every source of the process;
//   - a 429 or 503 is retried after the server's Retry-After, other 5xx and
//     network errors after an exponential back-off with jitter;
//   - every attempt has a timeout, and a body larger than the limit is an
//     error, never silently truncated;
//   - text bodies are decoded to UTF-8 from whatever charset the server or
//     the page declares (windows-1251, ISO-8859-1...), or the one detected.
//
// Colly collectors get the same behaviour through Client.Collector, which
// plugs the client in as the collector's transport.
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/saintfish/chardet"
	"golang.org/x/net/html/charset"
)

// Options configures a Client. Zero values take the defaults noted.
type Options struct {
	UserAgent string
	// Delay spaces two requests to the same host (0: no delay, for local
	// sites and tests; the configuration's default is 1s).
	Delay time.Duration
	// Parallelism bounds the requests in flight to one host (default 2).
	Parallelism int
	// Timeout bounds one attempt, body included (default 30s).
	Timeout time.Duration
	// MaxBodySize is the largest body accepted (default 10 MiB).
	MaxBodySize int64
	// Retries after the first attempt (default 0 when negative).
	Retries int
	// Backoff is the first retry's wait; it doubles each time (default 1s).
	Backoff time.Duration
	// MaxRetryWait caps Retry-After: a server asking for longer is given
	// up on for this run (default 2m).
	MaxRetryWait time.Duration
	// MaxRedirects bounds redirect chains (default 10).
	MaxRedirects int
	// Transport performs the requests (default http.DefaultTransport's
	// clone); tests may replace it.
	Transport http.RoundTripper
	Logger    *slog.Logger
}

// Client is safe for concurrent use; share one per process so that host
// limits hold across sources.
type Client struct {
	opts   Options
	http   *http.Client
	robots *robotsCache

	mu    sync.Mutex
	hosts map[string]*host
}

// New returns a client with opts.
func New(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = "VigieBot/1.0"
	}
	if opts.Delay < 0 {
		opts.Delay = 0
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = 2
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxBodySize <= 0 {
		opts.MaxBodySize = 10 << 20
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.MaxRetryWait <= 0 {
		opts.MaxRetryWait = 2 * time.Minute
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = 10
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{opts: opts, hosts: map[string]*host{}}
	c.http = &http.Client{
		Transport: opts.Transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= opts.MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", len(via))
			}
			return nil
		},
	}
	c.robots = newRobotsCache(c)
	return c
}

// UserAgent is the User-Agent header the client sends.
func (c *Client) UserAgent() string { return c.opts.UserAgent }

// Request is one HTTP request.
type Request struct {
	Method string // GET when empty
	URL    string
	Header http.Header
	Body   []byte
	// Robots makes the request obey the host's robots.txt.
	Robots bool
	// Idempotent allows retrying a method other than GET and HEAD (an
	// OAuth token request, a search API called with POST).
	Idempotent bool
	// Raw keeps the body as the server sent it, without charset decoding
	// (feeds whose XML declaration names the charset).
	Raw bool
}

// Response is a complete response, its body read.
type Response struct {
	// URL is the final URL, after redirects.
	URL        string
	StatusCode int
	Header     http.Header
	// Body is decoded to UTF-8 for text media types unless Request.Raw.
	Body []byte
	// MediaType is the Content-Type without parameters.
	MediaType string
	// Charset is the charset the body was decoded from ("utf-8" when it
	// already was), or "" when it was not decoded.
	Charset string
	// Attempts counts the requests made, retries included.
	Attempts int
}

// secretParams are query parameters that carry credentials; their values
// never appear in errors or logs.
var secretParams = []string{"key", "api_key", "apikey", "access_token", "token", "client_secret", "password", "sig", "signature"}

// Redact returns raw with the values of credential query parameters
// replaced, for errors and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	changed := false
	for k := range q {
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				q.Set(k, "REDACTED")
				changed = true
			}
		}
	}
	if !changed {
		return raw
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Error is a request that failed for good. Its URL has credentials
// redacted.
type Error struct {
	Method, URL string
	// StatusCode is the last HTTP status, 0 for network errors.
	StatusCode int
	Attempts   int
	Err        error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("fetch: %s %s", e.Method, e.URL)
	if e.StatusCode != 0 {
		msg += fmt.Sprintf(": %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrRobots is returned for URLs that robots.txt disallows.
var ErrRobots = errors.New("disallowed by robots.txt")

// ErrRobotsUnreachable is returned while a host's robots.txt cannot be
// read (a 5xx or a network error): RFC 9309 says to crawl nothing then.
var ErrRobotsUnreachable = errors.New("robots.txt unreachable")

// ErrTooLarge is returned for bodies over the size limit.
var ErrTooLarge = errors.New("body larger than the limit")

// Get fetches url, obeying robots.txt.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	return c.Do(ctx, &Request{URL: rawURL, Robots: true})
}

// Do performs req with the client's politeness rules, retries and
// decoding. A status other than 2xx after the retries is an *Error; the
// response is returned with it so that callers can read an API's error
// body.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{Method: method, URL: Redact(req.URL), Err: fmt.Errorf("not an absolute http(s) URL")}
	}
	shown := Redact(req.URL)
	fail := func(status, attempts int, err error) *Error {
		return &Error{Method: method, URL: shown, StatusCode: status, Attempts: attempts, Err: err}
	}
	h := c.host(u)
	if req.Robots {
		rules, err := c.robots.get(ctx, u)
		if err != nil {
			return nil, fail(0, 0, err)
		}
		if !rules.allowed(u) {
			return nil, fail(0, 0, ErrRobots)
		}
		h.setCrawlDelay(rules.crawlDelay)
	}
	retryable := method == http.MethodGet || method == http.MethodHead || req.Idempotent
	var last *Response
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, h, method, req)
		if resp != nil {
			resp.Attempts = attempt
			last = resp
		}
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		if ctx.Err() != nil {
			return last, fail(statusOf(resp), attempt, ctx.Err())
		}
		wait, again, why := c.retryPlan(resp, err, attempt)
		if !again || !retryable || attempt > c.opts.Retries {
			if err == nil && why != "" {
				err = errors.New(why)
			}
			return last, fail(statusOf(resp), attempt, err)
		}
		c.opts.Logger.Debug("fetch: retrying", "url", shown, "status", statusOf(resp), "err", err, "wait", wait, "attempt", attempt)
		if err := sleep(ctx, wait); err != nil {
			return last, fail(statusOf(resp), attempt, err)
		}
	}
}

func statusOf(r *Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

// retryPlan decides whether a failed attempt is worth another one, and
// after how long.
func (c *Client) retryPlan(resp *Response, err error, attempt int) (wait time.Duration, again bool, why string) {
	backoff := c.opts.Backoff << (attempt - 1)
	backoff += time.Duration(rand.Int64N(int64(backoff)/2 + 1)) // jitter, so that retries do not synchronise
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return 0, false, ""
		}
		return backoff, true, ""
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable:
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if ra > c.opts.MaxRetryWait {
				return 0, false, fmt.Sprintf("the server asks to retry after %s, longer than crawler.max_retry_wait (%s)", ra.Round(time.Second), c.opts.MaxRetryWait)
			}
			return max(ra, c.opts.Backoff/4), true, ""
		}
		return backoff, true, ""
	case s >= 500 || s == http.StatusRequestTimeout:
		return backoff, true, ""
	}
	return 0, false, ""
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attempt makes one request, inside the host's limits.
func (c *Client) attempt(ctx context.Context, h *host, method string, req *Request) (*Response, error) {
	release, err := h.acquire(ctx, c.opts.Delay)
	if err != nil {
		return nil, err
	}
	defer release()
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(actx, method, req.URL, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hr.Header.Set("User-Agent", c.opts.UserAgent)
	if hr.Header.Get("Accept-Language") == "" {
		hr.Header.Set("Accept-Language", "fr,ru;q=0.9,en;q=0.8")
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		if actx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return nil, fmt.Errorf("no complete answer within %s (crawler.timeout)", c.opts.Timeout)
		}
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodySize+1))
	if err != nil {
		if actx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return nil, fmt.Errorf("body not complete within %s (crawler.timeout)", c.opts.Timeout)
		}
		return nil, fmt.Errorf("reading body: %w", unwrapURLError(err))
	}
	if int64(len(raw)) > c.opts.MaxBodySize {
		return nil, fmt.Errorf("%w of %d bytes (crawler.max_page_size)", ErrTooLarge, c.opts.MaxBodySize)
	}
	out := &Response{URL: resp.Request.URL.String(), StatusCode: resp.StatusCode, Header: resp.Header, Body: raw}
	ct := resp.Header.Get("Content-Type")
	out.MediaType, _, _ = mime.ParseMediaType(ct)
	if !req.Raw && isText(out.MediaType, raw) {
		out.Body, out.Charset = Decode(raw, ct)
	}
	return out, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

// declaresCharset reports whether the start of a page names its charset
// (<meta charset>, http-equiv, or an XML declaration), which
// DetermineEncoding has then obeyed.
func declaresCharset(body []byte) bool {
	head := body[:min(len(body), 1024)]
	return bytes.Contains(bytes.ToLower(head), []byte("charset")) || bytes.Contains(head, []byte("encoding="))
}

// isText reports whether a body of this media type should be decoded to
// UTF-8 here. XML is left alone: its declaration names its charset, and
// feed parsers honour it.
func isText(mediaType string, body []byte) bool {
	switch {
	case mediaType == "text/html", mediaType == "application/xhtml+xml", mediaType == "text/plain",
		mediaType == "text/csv", mediaType == "application/json", mediaType == "application/ld+json",
		strings.HasSuffix(mediaType, "+json"):
		return true
	case mediaType == "":
		return !bytes.HasPrefix(bytes.TrimSpace(body), []byte("<?xml"))
	}
	return false
}

// Decode converts a text body to UTF-8. The charset comes from a byte-order
// mark, the Content-Type header, or a <meta> tag in the first 1024 bytes;
// when none declares one and the body is not valid UTF-8, it is detected
// from the bytes (which tells windows-1251 Russian from Latin-1 French).
// Bytes that remain invalid become U+FFFD. It returns the charset used.
func Decode(body []byte, contentType string) ([]byte, string) {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain && !declaresCharset(body) && !utf8.Valid(body) {
		// A guess either way; the detector's is better than the HTML
		// standard's windows-1252 for Cyrillic pages.
		if r, err := chardet.NewHtmlDetector().DetectBest(body); err == nil && r.Confidence > 0 {
			if e, n := charset.Lookup(r.Charset); e != nil {
				enc, name = e, n
			}
		}
	}
	if name == "utf-8" {
		if utf8.Valid(body) {
			return body, name
		}
		return []byte(strings.ToValidUTF8(string(body), "\uFFFD")), name
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return []byte(strings.ToValidUTF8(string(body), "\uFFFD")), "utf-8"
	}
	return out, name
}
