package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsCache fetches and keeps each authority's robots.txt (RFC 9309):
// a 2xx is obeyed, a 4xx allows everything, a 5xx or a network error
// disallows everything until it can be fetched again.
type robotsCache struct {
	c     *Client
	token string // the product token matched against user-agent lines

	mu    sync.Mutex
	rules map[string]*robotsEntry
}

type robotsEntry struct {
	once    chan struct{} // closed when fetched
	rules   *robotsRules
	expires time.Time
}

type robotsRules struct {
	group *robotstxt.Group
	// unreachable says why robots.txt could not be read; everything is
	// disallowed until it can.
	unreachable string
	crawlDelay  time.Duration
}

const (
	robotsTTL       = 24 * time.Hour   // RFC 9309 §2.4: no longer than a day
	robotsRetryTTL  = 10 * time.Minute // an unreachable robots.txt is tried again after this
	robotsSizeLimit = 512_000          // RFC 9309 §2.5: at least 500 KiB parsed
)

func newRobotsCache(c *Client) *robotsCache {
	token, _, _ := strings.Cut(c.opts.UserAgent, "/")
	token, _, _ = strings.Cut(token, " ")
	return &robotsCache{c: c, token: token, rules: map[string]*robotsEntry{}}
}

func (r *robotsRules) allowed(u *url.URL) bool {
	if r.unreachable != "" {
		return false
	}
	if u.Path == "/robots.txt" {
		return true
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return r.group.Test(p)
}

// get returns the rules for u's authority, fetching them once for all
// concurrent callers.
func (rc *robotsCache) get(ctx context.Context, u *url.URL) (*robotsRules, error) {
	key := strings.ToLower(u.Scheme + "://" + u.Host)
	rc.mu.Lock()
	e, ok := rc.rules[key]
	if ok && e.rules != nil && time.Now().After(e.expires) {
		ok = false
	}
	if !ok {
		e = &robotsEntry{once: make(chan struct{})}
		rc.rules[key] = e
		rc.mu.Unlock()
		rules, expires := rc.fetch(ctx, key)
		// Written under the lock: another caller checks the expiry of
		// this entry under it.
		rc.mu.Lock()
		e.rules, e.expires = rules, expires
		rc.mu.Unlock()
		close(e.once)
	} else {
		rc.mu.Unlock()
	}
	select {
	case <-e.once:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.rules.unreachable != "" {
		return e.rules, fmt.Errorf("%w: %s", ErrRobotsUnreachable, e.rules.unreachable)
	}
	return e.rules, nil
}

func (rc *robotsCache) fetch(ctx context.Context, authority string) (*robotsRules, time.Time) {
	robotsURL := authority + "/robots.txt"
	u, _ := url.Parse(robotsURL)
	h := rc.c.host(u)
	resp, err := rc.c.attempt(ctx, h, http.MethodGet, &Request{URL: robotsURL, Raw: true})
	if err != nil {
		return &robotsRules{unreachable: fmt.Sprintf("%s could not be fetched (%v); nothing is crawled on this site until it can be read (RFC 9309)", robotsURL, err)}, time.Now().Add(robotsRetryTTL)
	}
	if resp.StatusCode >= 500 {
		return &robotsRules{unreachable: fmt.Sprintf("%s answered %d %s; nothing is crawled on this site until it can be read (RFC 9309)", robotsURL, resp.StatusCode, http.StatusText(resp.StatusCode))}, time.Now().Add(robotsRetryTTL)
	}
	body := resp.Body
	if len(body) > robotsSizeLimit {
		body = body[:robotsSizeLimit]
	}
	data, err := robotstxt.FromStatusAndBytes(resp.StatusCode, body)
	if err != nil {
		// Unparseable lines are skipped by the parser; an error here means
		// an unexpected status (1xx, 3xx after redirects): no rules apply.
		data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	}
	g := data.FindGroup(rc.token)
	return &robotsRules{group: g, crawlDelay: g.CrawlDelay}, time.Now().Add(robotsTTL)
}
