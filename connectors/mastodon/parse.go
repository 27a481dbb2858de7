package mastodon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// status is the part of a Status entity Vigie reads.
type status struct {
	ID          string   `json:"id"`
	URI         string   `json:"uri"`
	URL         *string  `json:"url"`
	CreatedAt   string   `json:"created_at"`
	EditedAt    *string  `json:"edited_at"`
	Account     *account `json:"account"`
	Content     string   `json:"content"`
	Language    *string  `json:"language"`
	SpoilerText string   `json:"spoiler_text"`
	Reblog      *status  `json:"reblog"`
}

type account struct {
	ID          string `json:"id"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
}

// timeline is one page of statuses.
type timeline struct {
	connectors.Extraction
	items, dropped int
}

// parseStatuses reads a page of statuses (a JSON array), or one status.
func parseStatuses(body []byte) (*timeline, error) {
	body = bytes.TrimSpace(body)
	var items []json.RawMessage
	switch {
	case len(body) > 0 && body[0] == '{':
		items = []json.RawMessage{body}
	default:
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, fmt.Errorf("not a list of statuses: %s", connutil.JSONProblem(err))
		}
	}
	tl := &timeline{items: len(items)}
	for i, raw := range items {
		lbl := fmt.Sprintf("status %d", i+1)
		var s status
		if err := json.Unmarshal(raw, &s); err != nil {
			tl.dropped++
			tl.Warnings = append(tl.Warnings, fmt.Sprintf("%s: not a status (%s): left out", lbl, connutil.JSONProblem(err)))
			continue
		}
		if s.ID != "" {
			lbl += " (id " + connutil.Clip(s.ID, 30) + ")"
		}
		if s.Reblog != nil {
			s = *s.Reblog // a boost: the boosted post is what was said
			lbl += " (boost)"
		}
		r, warnings, err := convert(&s)
		for _, w := range warnings {
			tl.Warnings = append(tl.Warnings, lbl+": "+w)
		}
		if err != nil {
			tl.dropped++
			tl.Warnings = append(tl.Warnings, lbl+": "+err.Error()+": left out")
			continue
		}
		tl.Reviews = append(tl.Reviews, r)
	}
	return tl, nil
}

// convert turns a status into a comment.
func convert(s *status) (review.Review, []string, error) {
	r := review.Review{Kind: review.KindComment, ExternalID: s.URI, Title: s.SpoilerText, Text: textnorm.HTML(s.Content)}
	if r.ExternalID == "" {
		// Without its uri a post cannot be told from the same post seen
		// through another instance.
		return r, nil, errors.New("no uri")
	}
	r.URL = s.URI
	if s.URL != nil && *s.URL != "" {
		r.URL = *s.URL
	}
	if a := s.Account; a != nil {
		r.Author = strings.TrimSpace(a.DisplayName)
		if r.Author == "" && a.Acct != "" {
			r.Author = "@" + a.Acct
		}
	}
	if s.Language != nil {
		r.LangHint = *s.Language
	}
	var warnings []string
	if t, err := connutil.ParseTime(s.CreatedAt); err != nil {
		warnings = append(warnings, "created_at: "+err.Error())
	} else {
		r.PublishedAt = t
	}
	if s.EditedAt != nil {
		if t, err := connutil.ParseTime(*s.EditedAt); err != nil {
			warnings = append(warnings, "edited_at: "+err.Error())
		} else {
			r.UpdatedAt = t
		}
	}
	return r, warnings, nil
}

// describe adds to a failed request what the instance said, what to do
// and, for a 429, when the rate limit resets.
func describe(err error, resp *fetch.Response, what string, withToken bool) error {
	if resp == nil {
		return err
	}
	var body struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	msg := ""
	if json.Unmarshal(resp.Body, &body) == nil && body.Error != "" {
		msg = ": " + body.Error
		if body.ErrorDescription != "" {
			msg += ": " + body.ErrorDescription
		}
	} else {
		msg = connutil.ServerSays(resp)
	}
	switch st := resp.StatusCode; {
	case (st == http.StatusUnauthorized || st == http.StatusForbidden) && !withToken:
		msg += " (this instance does not serve this timeline anonymously: set access_token to an application token with the read:statuses scope)"
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		msg += " (check access_token: it must be a valid token of this instance with the read:statuses scope)"
	case st == http.StatusNotFound && what == "account":
		msg += " (no such account on this instance: write account as user or user@domain)"
	case st == http.StatusNotFound:
		msg += " (unknown on this instance: check hashtag or account)"
	case st == http.StatusGone:
		msg += " (the account is suspended or gone)"
	case st == http.StatusTooManyRequests:
		msg += " (the instance allows 300 requests per 5 minutes"
		if reset := resp.Header.Get("X-RateLimit-Reset"); reset != "" {
			msg += "; the limit resets at " + reset + " (X-RateLimit-Reset)"
		}
		msg += ")"
	}
	return fmt.Errorf("%w%s", err, msg)
}

// Extract reads a saved timeline (a JSON array of statuses) or one status.
func Extract(doc connectors.Document) (connectors.Extraction, error) {
	tl, err := parseStatuses(doc.Body)
	if err != nil {
		return connectors.Extraction{}, fmt.Errorf("mastodon: %w", err)
	}
	return tl.Extraction, nil
}

// Detect scores a document: 95 for Mastodon statuses, 0 otherwise.
func Detect(doc connectors.Document) int {
	body := bytes.TrimSpace(doc.Body)
	if len(body) == 0 || (body[0] != '[' && body[0] != '{') {
		return 0
	}
	has := func(s string) bool { return bytes.Contains(body, []byte(s)) }
	if has(`"uri"`) && has(`"content"`) && has(`"account"`) && has(`"created_at"`) && (has(`"visibility"`) || has(`"spoiler_text"`) || has(`"reblog"`)) {
		return 95
	}
	return 0
}
