package gbp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// googleError is the error body of Google APIs (AIP-193).
type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type     string            `json:"@type"`
			Reason   string            `json:"reason"`
			Metadata map[string]string `json:"metadata"`
		} `json:"details"`
	} `json:"error"`
}

// describe turns a failed API request into an error that says what Google
// said and what to do. err is the fetch client's error (it names the
// method, the URL and the status); resp, if any, holds the error body.
func describe(err error, resp *fetch.Response, refreshed bool) error {
	if resp == nil {
		return err
	}
	var ge googleError
	if json.Unmarshal(resp.Body, &ge) != nil || (ge.Error.Message == "" && ge.Error.Status == "") {
		return fmt.Errorf("%w%s", err, bodySnippet(resp))
	}
	var reasons []string
	quotaZero := false
	for _, d := range ge.Error.Details {
		if d.Reason != "" {
			reasons = append(reasons, d.Reason)
		}
		if d.Metadata["quota_limit_value"] == "0" {
			quotaZero = true
		}
	}
	if strings.Contains(ge.Error.Message, "limit '0'") || strings.Contains(ge.Error.Message, "quota of 0") {
		quotaZero = true
	}
	msg := connutil.GoogleSummary(ge.Error.Status, ge.Error.Message, reasons)
	return fmt.Errorf("%w: %s%s", err, msg, apiHint(resp.StatusCode, ge.Error.Status, reasons, quotaZero, refreshed))
}

const accessForm = "Google grants Business Profile API access per Cloud project: a quota of 0 means access was not granted yet; ask for it with the \"Application for Basic API Access\" form (a quota increase request does not help)"

// apiHint says what to do about an API error.
func apiHint(status int, code string, reasons []string, quotaZero, refreshed bool) string {
	has := func(r string) bool { return slices.Contains(reasons, r) }
	switch {
	case quotaZero:
		return " (" + accessForm + ")"
	case has("SERVICE_DISABLED"):
		return " (enable the My Business API in the Google Cloud project of client_id, then make sure the project was granted Business Profile API access)"
	case has("ACCESS_TOKEN_SCOPE_INSUFFICIENT"):
		return " (the refresh token lacks the https://www.googleapis.com/auth/business.manage scope: authorise again with that scope)"
	case status == http.StatusForbidden || code == "PERMISSION_DENIED":
		return " (the Google account behind refresh_token must be an owner or manager of this location, the location must be verified, and the Cloud project of client_id must have the My Business API enabled with Business Profile API access granted; " + accessForm + ")"
	case status == http.StatusUnauthorized && refreshed:
		return " (Google refused a freshly refreshed access token: check that the refresh token was granted the business.manage scope)"
	case status == http.StatusNotFound || code == "NOT_FOUND":
		return " (check account and location: the location must exist under that account and be verified)"
	case status == http.StatusTooManyRequests || code == "RESOURCE_EXHAUSTED":
		return " (over quota: the default is about 300 requests a minute per project; if it persists, check the project's quota; " + accessForm + ")"
	}
	return ""
}

// bodySnippet quotes the start of an error body that is not a Google error
// (a proxy's page, plain text), for the error message. A body of white
// space only is quoted as "" (the other kinds say nothing of it).
func bodySnippet(resp *fetch.Response) string {
	if resp == nil || len(resp.Body) == 0 {
		return ""
	}
	if s := connutil.ServerSays(resp); s != "" {
		return s
	}
	return `: the server says ""`
}
