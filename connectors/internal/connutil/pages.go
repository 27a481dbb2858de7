package connutil

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vigie-dev/vigie/connectors"
)

// Pages hands the pages of one run of a connector to its sink, with the
// log messages and error wrapping every kind gives them. Build one per
// Collect call.
type Pages struct {
	// Kind is the kind's name, the first word of the log messages and of
	// the sink's errors: "gbp: page failed", "gbp: disk full".
	Kind string
	Env  connectors.Env
	Log  *slog.Logger
	Sink connectors.Sink
	// Failed is the log message of a page that could not be fetched or
	// read, after the kind (default "page failed").
	Failed string
	// CapLevel is the level at which Walk logs that the page cap was
	// reached (default slog.LevelInfo).
	CapLevel slog.Level
}

// Send hands page to the sink; the sink's error comes back as
// "kind: <error>".
func (p *Pages) Send(ctx context.Context, page connectors.Page) (connectors.PageResult, error) {
	res, err := p.Sink.Page(ctx, page)
	if err != nil {
		return res, fmt.Errorf("%s: %w", p.Kind, err)
	}
	return res, nil
}

// Fail reports a page that could not be fetched or read: it logs err as a
// warning (Failed) and hands the sink a Page with only url and err. It
// returns the sink's error, as Send does.
func (p *Pages) Fail(ctx context.Context, url string, err error) error {
	msg := p.Failed
	if msg == "" {
		msg = "page failed"
	}
	p.Log.Warn(p.Kind+": "+msg, "source", p.Env.Source.ID, "url", url, "err", err)
	_, serr := p.Send(ctx, connectors.Page{URL: url, Err: err})
	return serr
}

// Known reports whether a newest-first run stops after a page the sink
// classified as res: when the run is incremental (Env.Incremental) and
// the sink already had every review of the page, unchanged
// (PageResult.AllKnown). It logs the stop (Debug) when it does.
func (p *Pages) Known(res connectors.PageResult, url string) bool {
	if !p.Env.Incremental || !res.AllKnown() {
		return false
	}
	p.Log.Debug(p.Kind+": page already known, not paging further", "source", p.Env.Source.ID, "url", url)
	return true
}

// PageFunc fetches and reads page n of a listing, for Walk. It returns
// the page to hand over and next, the number of the page that follows
// (above n), or 0 when there is none or paging is to stop after this
// page. On failure err is set and only page.URL counts; next then says
// whether the listing can go on past the failed page (0: it cannot).
type PageFunc func(ctx context.Context, n int) (page connectors.Page, next int, err error)

// Walk is the page loop of a kind that reads a listing one page after
// another, newest first (an API's pages, a site's numbered pages), from
// page 1 while the page number is at most maxPages:
//
//   - it returns ctx's error when ctx is done, before each call of fetch
//     and right after it (what that call got is then not handed over);
//   - when fetch fails, it reports the page with Fail, and goes on with
//     page next unless next is 0;
//   - otherwise it hands the page to the sink as fetch made it (Final,
//     Shown, Aggregate, even Err are fetch's to set), and stops after it
//     when next is 0, or when Known says an incremental run stops there;
//   - when next passes maxPages, it stops and logs that the page limit
//     was reached (at CapLevel).
//
// Walk decides no page's Final: a kind knows when its listing was read
// whole. It returns an error only when ctx ends or the sink fails.
func (p *Pages) Walk(ctx context.Context, maxPages int, fetch PageFunc) error {
	for n := 1; n <= maxPages; {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, next, err := fetch(ctx, n)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if serr := p.Fail(ctx, page.URL, err); serr != nil {
				return serr
			}
		} else {
			res, serr := p.Send(ctx, page)
			if serr != nil {
				return serr
			}
			if next > 0 && p.Known(res, page.URL) {
				return nil
			}
		}
		if next <= 0 {
			return nil
		}
		n = next
	}
	p.Log.Log(context.Background(), p.CapLevel, p.Kind+": page limit reached", "source", p.Env.Source.ID, "pages", maxPages)
	return nil
}
