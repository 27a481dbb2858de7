package appstore

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
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
	maxPages := min(connutil.MaxPages(c.env), maxFeedPages)
	dropped := false
	pages := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink, CapLevel: slog.LevelDebug}
	return pages.Walk(ctx, maxPages, func(ctx context.Context, n int) (connectors.Page, int, error) {
		u := c.params.pageURL(n, "json")
		fp, err := c.fetchPage(ctx, n, u)
		if err != nil {
			return connectors.Page{URL: u}, 0, err
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
		if last {
			return page, 0, nil
		}
		next := n + 1
		if fp.nextPage > n {
			next = fp.nextPage
		}
		return page, next, nil
	})
}

// fetchPage gets page n of the JSON feed, and dates its reviews from the
// XML form when the JSON entries have no date.
func (c *Connector) fetchPage(ctx context.Context, n int, u string) (*feedPage, error) {
	header := http.Header{}
	header.Set("Accept", "application/json")
	resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: u, Header: header})
	if err != nil {
		return nil, fmt.Errorf("appstore: source %q: %w%s", c.env.Source.ID, err, connutil.ServerSays(resp))
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
