package googleplaces

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// extraction is an Extraction with the place's rating count.
type extraction struct {
	connectors.Extraction
	shown int
}

// localizedText is the New API's LocalizedText.
type localizedText struct {
	Text         string `json:"text"`
	LanguageCode string `json:"languageCode"`
}

// newPlace is the part of a New API Place that Vigie asks for.
type newPlace struct {
	ID              string            `json:"id"`
	DisplayName     *localizedText    `json:"displayName"`
	Rating          *float64          `json:"rating"`
	UserRatingCount int               `json:"userRatingCount"`
	GoogleMapsURI   string            `json:"googleMapsUri"`
	Reviews         []json.RawMessage `json:"reviews"`
}

// newReview is a New API Review.
type newReview struct {
	Name              string         `json:"name"`
	Rating            *float64       `json:"rating"`
	Text              *localizedText `json:"text"`
	OriginalText      *localizedText `json:"originalText"`
	AuthorAttribution *struct {
		DisplayName string `json:"displayName"`
		URI         string `json:"uri"`
	} `json:"authorAttribution"`
	PublishTime   string `json:"publishTime"`
	GoogleMapsURI string `json:"googleMapsUri"`
}

// legacyResponse is a Legacy Place Details response.
type legacyResponse struct {
	Result *struct {
		Name             string            `json:"name"`
		URL              string            `json:"url"`
		Rating           *float64          `json:"rating"`
		UserRatingsTotal int               `json:"user_ratings_total"`
		Reviews          []json.RawMessage `json:"reviews"`
	} `json:"result"`
	Status       string `json:"status"`
	ErrorMessage string `json:"error_message"`
}

// legacyReview is a Legacy PlaceReview.
type legacyReview struct {
	AuthorName       string      `json:"author_name"`
	AuthorURL        string      `json:"author_url"`
	Language         string      `json:"language"`
	OriginalLanguage string      `json:"original_language"`
	Translated       bool        `json:"translated"`
	Rating           *float64    `json:"rating"`
	Text             string      `json:"text"`
	Time             json.Number `json:"time"`
}

// isLegacy tells the two response forms apart: Legacy wraps the place in
// "result" next to a "status".
func isLegacy(top map[string]json.RawMessage) bool {
	_, result := top["result"]
	_, status := top["status"]
	_, attributions := top["html_attributions"]
	return result || status || attributions
}

// parse reads a response of either API; legacy says which one was asked
// for, and a saved document is recognised by its shape.
func parse(body []byte, legacy bool) (extraction, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		if err == nil {
			err = errors.New("null")
		}
		return extraction{}, fmt.Errorf("the response is not a JSON object: %v", err)
	}
	if legacy || isLegacy(top) {
		return parseLegacy(body)
	}
	return parseNew(body)
}

func parseNew(body []byte) (extraction, error) {
	var p newPlace
	if err := json.Unmarshal(body, &p); err != nil {
		return extraction{}, fmt.Errorf("the response is not a Place: %s", connutil.JSONProblem(err))
	}
	var out extraction
	out.shown = p.UserRatingCount
	if p.Rating != nil {
		out.Aggregate = &review.Aggregate{Value: p.Rating, BestRating: review.Float(5), RatingCount: p.UserRatingCount}
		if p.DisplayName != nil {
			out.Aggregate.Item = p.DisplayName.Text
		}
	}
	for i, raw := range p.Reviews {
		label := fmt.Sprintf("review %d", i+1)
		var a newReview
		if err := json.Unmarshal(raw, &a); err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: not a review object (%s): left out", label, connutil.JSONProblem(err)))
			continue
		}
		if a.Name != "" {
			label += " (" + connutil.Clip(a.Name[strings.LastIndex(a.Name, "/")+1:], 40) + ")"
		}
		r := review.Review{Kind: review.KindReview, ExternalID: a.Name, URL: a.GoogleMapsURI}
		if r.URL == "" {
			r.URL = p.GoogleMapsURI
		}
		if a.AuthorAttribution != nil {
			r.Author = a.AuthorAttribution.DisplayName
		}
		var w string
		r.Rating, r.BestRating, w = connutil.Stars(a.Rating)
		if w != "" {
			out.Warnings = append(out.Warnings, label+": "+w)
		}
		// originalText is the review as written; text is its translation
		// into the requested language, or the same.
		switch {
		case a.OriginalText != nil && strings.TrimSpace(a.OriginalText.Text) != "":
			r.Text, r.LangHint = a.OriginalText.Text, a.OriginalText.LanguageCode
			if t := a.Text; t != nil && t.Text != "" && (t.Text != a.OriginalText.Text || (t.LanguageCode != "" && t.LanguageCode != a.OriginalText.LanguageCode)) {
				r.Translated = true
			}
		case a.Text != nil:
			r.Text, r.LangHint = a.Text.Text, a.Text.LanguageCode
		}
		if a.PublishTime != "" {
			t, err := time.Parse(time.RFC3339Nano, a.PublishTime)
			if err != nil {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s: unreadable publishTime %q", label, connutil.Clip(a.PublishTime, 40)))
			} else {
				r.PublishedAt = t.UTC()
			}
		}
		out.Reviews = append(out.Reviews, r)
	}
	return out, nil
}

func parseLegacy(body []byte) (extraction, error) {
	var l legacyResponse
	if err := json.Unmarshal(body, &l); err != nil {
		return extraction{}, fmt.Errorf("the response is not a Place Details response: %s", connutil.JSONProblem(err))
	}
	if l.Status != "" && l.Status != "OK" {
		msg := "Places says " + l.Status
		if l.ErrorMessage != "" {
			msg += ": " + l.ErrorMessage
		}
		return extraction{}, errors.New(msg + legacyHint(l.Status))
	}
	var out extraction
	if l.Result == nil {
		return out, nil
	}
	res := l.Result
	out.shown = res.UserRatingsTotal
	if res.Rating != nil {
		out.Aggregate = &review.Aggregate{Value: res.Rating, BestRating: review.Float(5), RatingCount: res.UserRatingsTotal, Item: res.Name}
	}
	for i, raw := range res.Reviews {
		label := fmt.Sprintf("review %d", i+1)
		var a legacyReview
		if err := json.Unmarshal(raw, &a); err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: not a review object (%s): left out", label, connutil.JSONProblem(err)))
			continue
		}
		if a.AuthorName != "" {
			label += fmt.Sprintf(" (by %s)", connutil.Clip(a.AuthorName, 40))
		}
		r := review.Review{Kind: review.KindReview, Author: a.AuthorName, URL: res.URL, Text: legacyText(a.Text)}
		var w string
		r.Rating, r.BestRating, w = connutil.Stars(a.Rating)
		if w != "" {
			out.Warnings = append(out.Warnings, label+": "+w)
		}
		if a.Time != "" {
			secs, err := strconv.ParseInt(string(a.Time), 10, 64)
			if err != nil || secs <= 0 || secs > 1<<40 {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s: unreadable time %q (epoch seconds expected)", label, connutil.Clip(string(a.Time), 40)))
			} else {
				r.PublishedAt = time.Unix(secs, 0).UTC()
				// Legacy reviews have no id: the author's profile and the
				// second of publication identify one.
				who := a.AuthorURL
				if who == "" {
					who = a.AuthorName
				}
				if who != "" {
					r.ExternalID = fmt.Sprintf("%s@%d", who, secs)
				}
			}
		}
		switch {
		case a.Translated:
			// Only the translation came (the request did not set
			// reviews_no_translations=true): keep it, say so.
			r.Translated, r.LangHint = true, a.Language
			from := a.OriginalLanguage
			if from == "" {
				from = "another language"
			}
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: Google sent only its translation (from %s to %s); the original text is not in the response (ask with reviews_no_translations=true)", label, from, a.Language))
		case a.OriginalLanguage != "":
			r.LangHint = a.OriginalLanguage
		default:
			r.LangHint = a.Language
		}
		out.Reviews = append(out.Reviews, r)
	}
	return out, nil
}

// legacyText reads a Legacy review text, which may hold simple HTML markup
// or character references.
func legacyText(s string) string {
	if strings.Contains(s, "<") {
		return textnorm.HTML(s)
	}
	return s
}

// legacyHint says what to do about a Legacy status.
func legacyHint(status string) string {
	switch status {
	case "REQUEST_DENIED":
		return " (check api_key, that the Places API is enabled for its project with billing, and that the key's restrictions allow it)"
	case "OVER_QUERY_LIMIT":
		return " (the key's quota or billing limit is exhausted: check the project's billing and quotas)"
	case "INVALID_REQUEST", "NOT_FOUND", "ZERO_RESULTS":
		return " (check place_id: place ids change over time; look it up again)"
	case "UNKNOWN_ERROR":
		return " (a server-side error at Google: the next run may succeed)"
	}
	return ""
}

// googleError is the New API's error body (AIP-193).
type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
	// Legacy error fields, should an HTTP error carry them.
	Status       string `json:"status"`
	ErrorMessage string `json:"error_message"`
}

// describe adds to a failed call what the API said and what to do.
func describe(err error, resp *fetch.Response) error {
	if resp == nil {
		return err
	}
	var ge googleError
	if json.Unmarshal(resp.Body, &ge) == nil {
		if e := ge.Error; e.Message != "" || e.Status != "" {
			var reasons []string
			for _, d := range e.Details {
				if d.Reason != "" {
					reasons = append(reasons, d.Reason)
				}
			}
			msg := connutil.GoogleSummary(e.Status, e.Message, reasons)
			return fmt.Errorf("%w: %s%s", err, msg, newHint(resp.StatusCode, e.Status, reasons, e.Message))
		}
		if ge.Status != "" {
			return fmt.Errorf("%w: Places says %s: %s%s", err, ge.Status, ge.ErrorMessage, legacyHint(ge.Status))
		}
	}
	return fmt.Errorf("%w%s", err, connutil.ServerSays(resp))
}

// newHint says what to do about a New API error.
func newHint(status int, code string, reasons []string, msg string) string {
	has := func(r string) bool { return slices.Contains(reasons, r) }
	switch {
	case has("API_KEY_INVALID") || strings.Contains(msg, "API key not valid"):
		return " (check api_key)"
	case has("SERVICE_DISABLED") || has("API_KEY_SERVICE_BLOCKED") || status == http.StatusForbidden || code == "PERMISSION_DENIED":
		return " (enable the Places API (New) in the key's Google Cloud project, with billing, and allow it in the key's API restrictions; or set api: legacy)"
	case status == http.StatusNotFound || code == "NOT_FOUND":
		return " (check place_id: place ids change over time; look it up again)"
	case status == http.StatusTooManyRequests || code == "RESOURCE_EXHAUSTED":
		return " (over quota: check the project's Places API quotas)"
	}
	return ""
}

// Extract reads a saved Place Details response of either API.
func Extract(doc connectors.Document) (connectors.Extraction, error) {
	ext, err := parse(bytes.TrimSpace(doc.Body), false)
	if err != nil {
		return connectors.Extraction{}, fmt.Errorf("googleplaces: %w", err)
	}
	return ext.Extraction, nil
}

// Detect scores a document: 95 for a Places response with reviews, 70
// for one without, 0 for anything else.
func Detect(doc connectors.Document) int {
	body := bytes.TrimSpace(doc.Body)
	if len(body) == 0 || body[0] != '{' {
		return 0
	}
	has := func(s string) bool { return bytes.Contains(body, []byte(s)) }
	switch {
	case has(`"author_name"`) && has(`"relative_time_description"`),
		has(`"authorAttribution"`) && (has(`"publishTime"`) || has(`"originalText"`)):
		return 95
	case has(`"user_ratings_total"`) && has(`"result"`), has(`"userRatingCount"`):
		return 70
	}
	return 0
}
