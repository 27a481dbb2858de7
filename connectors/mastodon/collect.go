package mastodon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// Collect reads the timeline page by page, newest first, following the
// Link header's rel="next", and gives each page to the sink as soon as it
// is read. It stops at the end of the timeline (no next link, or an empty
// page; that page is Final when the run saw every post, and at least one),
// at the page cap, when an incremental run reaches a page the sink already
// knows, or at the first request that fails (reported with Err). For an
// account, the account is looked up first; a failed lookup is reported
// the same way. It returns an error only when the sink fails or ctx ends.
func (c *Connector) Collect(ctx context.Context, sink connectors.Sink) error {
	pages := &connutil.Pages{Kind: Kind, Env: c.env, Log: c.log, Sink: sink, Failed: "request failed"}
	first, err := c.timelineURL(ctx)
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if err != nil {
		return pages.Fail(ctx, first, err)
	}
	seen := map[string]bool{} // posts already given, boosts included
	dropped, total := false, 0
	u := first
	visited := map[string]bool{first: true}
	return pages.Walk(ctx, connutil.MaxPages(c.env), func(ctx context.Context, n int) (connectors.Page, int, error) {
		resp, err := c.get(ctx, u, "timeline")
		if err != nil {
			return connectors.Page{URL: u}, 0, err
		}
		tl, err := parseStatuses(resp.Body)
		if err != nil {
			return connectors.Page{URL: u}, 0, fmt.Errorf("mastodon: source %q: GET %s: %w", c.env.Source.ID, u, err)
		}
		dropped = dropped || tl.dropped > 0
		page := connectors.Page{URL: u, Warnings: tl.Warnings}
		for _, r := range tl.Reviews {
			if seen[r.ExternalID] {
				continue
			}
			seen[r.ExternalID] = true
			page.Reviews = append(page.Reviews, r)
		}
		total += tl.items
		next := c.nextURL(first, resp.Header.Get("Link"))
		if next != "" && visited[next] {
			page.Err = fmt.Errorf("mastodon: source %q: GET %s: the next link points to a page already read (%s); stopping", c.env.Source.ID, u, next)
			next, dropped = "", true
		}
		last := tl.items == 0 || next == ""
		// An empty first page is also what an instance that disabled the
		// hashtag's feed answers: never a proof that posts were deleted.
		page.Final = last && !dropped && total > 0
		if last {
			return page, 0, nil
		}
		visited[next] = true
		u = next
		return page, n + 1, nil
	})
}

// timelineURL is the first page of the timeline; for an account it looks
// the account up. On error it returns the URL that failed.
func (c *Connector) timelineURL(ctx context.Context) (string, error) {
	base := c.params.base()
	q := "?limit=" + strconv.Itoa(pageLimit)
	if h := c.params.hashtag(); h != "" {
		return base + "/api/v1/timelines/tag/" + url.PathEscape(h) + q, nil
	}
	lookup := base + "/api/v1/accounts/lookup?" + url.Values{"acct": {c.params.account()}}.Encode()
	resp, err := c.get(ctx, lookup, "account")
	if err != nil {
		return lookup, err
	}
	var acct struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &acct); err != nil || acct.ID == "" {
		why := "no id"
		if err != nil {
			why = connutil.JSONProblem(err)
		}
		return lookup, fmt.Errorf("mastodon: source %q: GET %s: not an account (%s)", c.env.Source.ID, lookup, why)
	}
	return base + "/api/v1/accounts/" + url.PathEscape(acct.ID) + "/statuses" + q, nil
}

// nextURL reads the Link header's rel="next". Its max_id is applied to the
// first page's URL, so that paging stays on the configured instance
// whatever host the instance writes in its links.
func (c *Connector) nextURL(first, link string) string {
	next := parseLink(link)["next"]
	if next == "" {
		return ""
	}
	nu, err := url.Parse(next)
	if err != nil {
		return ""
	}
	maxID := nu.Query().Get("max_id")
	if maxID == "" {
		return ""
	}
	fu, err := url.Parse(first)
	if err != nil {
		return ""
	}
	q := fu.Query()
	q.Set("max_id", maxID)
	fu.RawQuery = q.Encode()
	return fu.String()
}

// parseLink reads an RFC 8288 Link header into rel → URL.
func parseLink(h string) map[string]string {
	out := map[string]string{}
	for h != "" {
		start := strings.IndexByte(h, '<')
		if start < 0 {
			break
		}
		end := strings.IndexByte(h[start:], '>')
		if end < 0 {
			break
		}
		target := h[start+1 : start+end]
		rest := h[start+end+1:]
		params := rest
		if i := strings.IndexByte(rest, '<'); i >= 0 {
			params, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v), ",")), `"`)) {
				if _, dup := out[strings.ToLower(rel)]; !dup {
					out[strings.ToLower(rel)] = target
				}
			}
		}
		h = rest
	}
	return out
}

// get makes one API request, with the token when there is one; what is
// fetched ("timeline", "account") shapes the hints of the error.
func (c *Connector) get(ctx context.Context, u, what string) (*fetch.Response, error) {
	header := http.Header{}
	header.Set("Accept", "application/json")
	if t := strings.TrimSpace(c.params.AccessToken); t != "" {
		header.Set("Authorization", "Bearer "+t)
	}
	resp, err := c.env.Client.Do(ctx, &fetch.Request{URL: u, Header: header})
	if err != nil {
		return nil, fmt.Errorf("mastodon: source %q: %w", c.env.Source.ID, describe(err, resp, what, c.params.AccessToken != ""))
	}
	return resp, nil
}
