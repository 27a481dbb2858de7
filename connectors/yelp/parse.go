package yelp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
)

// reviewsResponse is the reviews endpoint's answer.
type reviewsResponse struct {
	Reviews           []json.RawMessage `json:"reviews"`
	Total             int               `json:"total"`
	PossibleLanguages []string          `json:"possible_languages"`
}

// apiReview is one review excerpt.
type apiReview struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Text        string   `json:"text"`
	Rating      *float64 `json:"rating"`
	TimeCreated string   `json:"time_created"`
	User        *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"user"`
}

// extraction is an Extraction with the response's counts.
type extraction struct {
	connectors.Extraction
	total   int
	items   int // items in the response, read or not
	dropped int
}

// localLayout is time_created's form.
const localLayout = "2006-01-02 15:04:05"

// parse reads a reviews response; times without an offset are read in
// loc, and lang (from the locale) becomes each review's language hint.
func parse(body []byte, loc *time.Location, lang string) (extraction, error) {
	var r reviewsResponse
	if err := json.Unmarshal(bytes.TrimSpace(body), &r); err != nil {
		return extraction{}, fmt.Errorf("the response is not a Yelp reviews list: %s", connutil.JSONProblem(err))
	}
	out := extraction{total: r.Total, items: len(r.Reviews)}
	for i, raw := range r.Reviews {
		label := fmt.Sprintf("review %d", i+1)
		var a apiReview
		if err := json.Unmarshal(raw, &a); err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: not a review object (%s): left out", label, connutil.JSONProblem(err)))
			out.dropped++
			continue
		}
		if a.ID != "" {
			label += " (" + connutil.Clip(a.ID, 40) + ")"
		} else {
			out.Warnings = append(out.Warnings, label+": no id")
		}
		rv := review.Review{Kind: review.KindReview, ExternalID: a.ID, URL: a.URL, Text: a.Text, LangHint: lang}
		if a.User != nil {
			rv.Author = a.User.Name
		}
		var w string
		if rv.Rating, rv.BestRating, w = connutil.Stars(a.Rating); w != "" {
			out.Warnings = append(out.Warnings, label+": "+w)
		}
		if a.TimeCreated != "" {
			t, err := parseTime(a.TimeCreated, loc)
			if err != nil {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s: unreadable time_created %q", label, connutil.Clip(a.TimeCreated, 40)))
			} else {
				rv.PublishedAt = t
			}
		}
		out.Reviews = append(out.Reviews, rv)
	}
	return out, nil
}

// parseTime reads time_created: a local time in loc, or an RFC 3339 time
// should Yelp ever add an offset.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation(localLayout, s, loc); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// yelpError is the error body: {"error": {"code": ..., "description": ...}}.
type yelpError struct {
	Error *struct {
		Code        string `json:"code"`
		Description string `json:"description"`
		Field       string `json:"field"`
	} `json:"error"`
}

// describe adds to a failed request what Yelp said, what to do, and when
// a rate limit resets.
func describe(err error, resp *fetch.Response) error {
	if resp == nil {
		return err
	}
	var msg string
	var ye yelpError
	if json.Unmarshal(resp.Body, &ye) == nil && ye.Error != nil && (ye.Error.Code != "" || ye.Error.Description != "") {
		msg = ": " + ye.Error.Code
		if ye.Error.Description != "" {
			msg += ": " + ye.Error.Description
		}
		if ye.Error.Field != "" {
			msg += " (field " + ye.Error.Field + ")"
		}
		msg += hint(resp.StatusCode, ye.Error.Code)
	} else {
		msg = connutil.ServerSays(resp)
	}
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		if reset := resp.Header.Get("RateLimit-ResetTime"); reset != "" {
			msg += fmt.Sprintf("; Yelp sent no Retry-After: its limit resets at %s (RateLimit-ResetTime)", reset)
		}
		if rem := resp.Header.Get("RateLimit-Remaining"); rem != "" {
			msg += fmt.Sprintf("; calls remaining today: %s of %s", rem, orUnknown(resp.Header.Get("RateLimit-DailyLimit")))
		}
	}
	return fmt.Errorf("%w%s", err, msg)
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// hint says what to do about an error code.
func hint(status int, code string) string {
	switch {
	case code == "TOKEN_MISSING" || code == "TOKEN_INVALID" || code == "UNAUTHORIZED_ACCESS_TOKEN" || status == http.StatusUnauthorized:
		return " (check api_key: it is the private API key of your Yelp Fusion app)"
	case code == "BUSINESS_NOT_FOUND" || status == http.StatusNotFound:
		return " (check business_id: the id or the alias at the end of the business's yelp.com/biz/ URL)"
	case code == "BUSINESS_UNAVAILABLE":
		return " (Yelp does not serve this business through the API, for instance when it has no reviews)"
	case code == "ACCESS_LIMIT_REACHED" || code == "DAILY_LIMIT_EXCEEDED":
		return " (the app's daily API quota is used up)"
	case code == "TOO_MANY_REQUESTS_PER_SECOND":
		return " (too many requests per second: lower crawler.parallelism or raise crawler.delay)"
	case status == http.StatusForbidden:
		return " (the API key's plan does not include this endpoint)"
	case code == "VALIDATION_ERROR" || code == "LOCALE_ERROR" || code == "INVALID_LOCALE":
		return " (check locale, limit and sort_by)"
	}
	return ""
}

// Detect scores a document: 95 for a Yelp reviews response, 0 otherwise.
func Detect(doc connectors.Document) int {
	body := bytes.TrimSpace(doc.Body)
	if len(body) == 0 || body[0] != '{' {
		return 0
	}
	has := func(s string) bool { return bytes.Contains(body, []byte(s)) }
	switch {
	case has(`"time_created"`) && has(`"reviews"`):
		return 95
	case has(`"possible_languages"`) && has(`"total"`):
		return 70
	}
	return 0
}
