package fetch

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gocolly/colly/v2"
)

// Collector returns a colly collector whose requests go through the client,
// with every rule of the client: robots.txt (when robots is true), host
// limits, retries, size limit and charset decoding. Build a new collector
// for each run; the client is what is shared.
func (c *Client) Collector(ctx context.Context, robots bool) *colly.Collector {
	col := colly.NewCollector(colly.StdlibContext(ctx))
	// colly reads COLLY_* environment variables in NewCollector; the
	// settings below are set afterwards so that the configuration wins.
	col.UserAgent = c.opts.UserAgent
	// The transport below checks robots.txt (RFC 9309 rules, shared cache,
	// Crawl-delay) for colly and non-colly connectors alike; colly's own
	// check would fetch the file a second time and treat a 5xx as "allow".
	col.IgnoreRobotsTxt = true
	// The transport enforces the size limit with an error; colly would
	// silently truncate.
	col.MaxBodySize = 0
	col.MaxDepth = 0
	col.SetClient(&http.Client{Transport: &transport{c: c, robots: robots}})
	return col
}

// transport adapts the client to http.RoundTripper for colly.
type transport struct {
	c      *Client
	robots bool
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	resp, err := t.c.Do(r.Context(), &Request{Method: r.Method, URL: r.URL.String(), Header: r.Header, Body: body, Robots: t.robots})
	if err != nil {
		return nil, err
	}
	header := resp.Header.Clone()
	if resp.Charset != "" {
		// The body is UTF-8 now; say so, or colly would decode it again.
		mt := resp.MediaType
		if mt == "" {
			mt = "text/html"
		}
		header.Set("Content-Type", mt+"; charset=utf-8")
	}
	header.Del("Content-Encoding")
	header.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	final := r.Clone(r.Context())
	if u, err := url.Parse(resp.URL); err == nil {
		final.URL = u
	}
	return &http.Response{
		Status:        strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode),
		StatusCode:    resp.StatusCode,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(resp.Body)),
		ContentLength: int64(len(resp.Body)),
		Request:       final,
	}, nil
}
