package appstore

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
)

// Collect reads the feed page by page, most recent first, and gives each
// page to the sink as soon as it is read. It follows rel=next up to the
// page given by rel=last, Apple's 10 pages, or the page cap; it stops
// early when an incremental run reaches a page the sink already knows,
// when a page has no review, or at the first page that fails (reported
// with Err). The last page is Final only when rel=last says the whole
// listing fits within Apple's 10 pages and every entry was read. It
// returns an error only when the sink fails or ctx ends.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	maxPages := c.env.MaxPages()
	if maxPages <= 0 || maxPages > maxFeedPages {
		maxPages = maxFeedPages
	}
	dropped := false
	for n := 1; n <= maxPages; {
		if err := ctx.Err(); err != nil {
			return err
		}
		u := c.params.pageURL(n, "json")
		fp, err := c.fetchPage(ctx, n, u)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			c.log.Warn("appstore: page failed", "source", c.env.Source.ID, "url", u, "err", err)
			if _, serr := sink.Page(ctx, connectors.Page{URL: u, Err: err}); serr != nil {
				return fmt.Errorf("appstore: %w", serr)
			}
			return nil
		}
		dropped = dropped || fp.dropped > 0
		empty := fp.entries == 0
		// Without rel=last (a feed that lost its links), paging goes on
		// until a page comes back empty.
		last := empty || (fp.lastPage > 0 && n >= fp.lastPage)
		// Final needs rel=last to show the listing fits Apple's cap: past
		// it, older reviews are not in the feed, not deleted.
		final := last && !empty && fp.lastPage > 0 && fp.lastPage < maxFeedPages && !dropped
		page := connectors.Page{URL: u, Reviews: fp.Reviews, Warnings: fp.Warnings, Final: final}
		res, serr := sink.Page(ctx, page)
		if serr != nil {
			return fmt.Errorf("appstore: %w", serr)
		}
		if last {
			return nil
		}
		if c.env.Incremental && res.AllKnown() {
			c.log.Debug("appstore: page already known, not paging further", "source", c.env.Source.ID, "url", u)
			return nil
		}
		next := n + 1
		if fp.nextPage > n {
			next = fp.nextPage
		}
		n = next
	}
	c.log.Debug("appstore: page limit reached", "source", c.env.Source.ID, "pages", maxPages)
	return nil
}

// fetchPage gets page n of the JSON feed, and dates its reviews from the
// XML form when the JSON entries have no date.
func (c *Connector) fetchPage(ctx context.Context, n int, u string) (*feedPage, error) {
	header := http.Header{}
	header.Set("Accept", "application/json")
	resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: u, Header: header})
	if err != nil {
		return nil, fmt.Errorf("appstore: source %q: %w%s", c.env.Source.ID, err, snippet(resp))
	}
	fp, err := parseFeed(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("appstore: source %q: GET %s: %w", c.env.Source.ID, u, err)
	}
	if len(fp.undated) == 0 {
		return fp, nil
	}
	xu := c.params.pageURL(n, "xml")
	xresp, err := c.env.Client.Do(ctx, &fetch.Request{URL: xu, Header: http.Header{"Accept": {"application/atom+xml, application/xml"}}, Raw: true})
	if err != nil {
		fp.Warnings = append(fp.Warnings, fmt.Sprintf("%d reviews have no date: the JSON feed has none and the XML form failed: %v", len(fp.undated), err))
		return fp, nil
	}
	xd, err := xmlDates(xresp.Body)
	if err != nil {
		fp.Warnings = append(fp.Warnings, fmt.Sprintf("%d reviews have no date: the JSON feed has none and %s is %v", len(fp.undated), xu, err))
		return fp, nil
	}
	if left := fp.fillDates(xd); left > 0 {
		fp.Warnings = append(fp.Warnings, fmt.Sprintf("%d reviews have no date in the JSON feed nor in its XML form", left))
	}
	return fp, nil
}

// snippet quotes the start of an error body (Apple answers errors in
// plain text or HTML).
func snippet(resp *fetch.Response) string {
	if resp == nil {
		return ""
	}
	s := strings.Join(strings.Fields(string(resp.Body)), " ")
	if s == "" {
		return ""
	}
	return fmt.Sprintf(": the server says %q", clip(s, 200))
}
