package fetch

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"
)

// host enforces the per-host politeness rules: at most Parallelism requests
// in flight, and request starts spaced by the larger of the configured
// delay and the site's robots.txt Crawl-delay.
type host struct {
	slots chan struct{}

	mu         sync.Mutex
	next       time.Time // earliest start of the next request
	crawlDelay time.Duration
}

// maxCrawlDelay bounds a robots.txt Crawl-delay, which some sites set to
// absurd values; past it, a run of many pages would never end.
const maxCrawlDelay = 30 * time.Second

func (c *Client) host(u *url.URL) *host {
	key := strings.ToLower(u.Scheme + "://" + u.Host)
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.hosts[key]
	if !ok {
		h = &host{slots: make(chan struct{}, c.opts.Parallelism)}
		c.hosts[key] = h
	}
	return h
}

func (h *host) setCrawlDelay(d time.Duration) {
	h.mu.Lock()
	h.crawlDelay = min(d, maxCrawlDelay)
	h.mu.Unlock()
}

// acquire waits for a slot and for the host's next start time, and returns
// the function that frees the slot.
func (h *host) acquire(ctx context.Context, delay time.Duration) (func(), error) {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	h.mu.Lock()
	now := time.Now()
	start := now
	if h.next.After(now) {
		start = h.next
	}
	h.next = start.Add(max(delay, h.crawlDelay))
	h.mu.Unlock()
	if err := sleep(ctx, start.Sub(now)); err != nil {
		<-h.slots
		return nil, err
	}
	return func() { <-h.slots }, nil
}
