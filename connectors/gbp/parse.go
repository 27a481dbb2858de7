package gbp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
)

// listResponse is a reviews.list answer. Its fields are decoded one by
// one, so that one field of an unexpected type spoils only itself.
type listResponse struct {
	Reviews          []json.RawMessage
	AverageRating    *float64
	TotalReviewCount int
	NextPageToken    string
	// warnings are problems with the list's own fields.
	warnings []string
}

// decodeList reads a reviews.list response. A batchGetReviews response
// (locationReviews[].review) is read too, for saved documents. It fails
// only when the body is not a JSON object.
func decodeList(body []byte) (*listResponse, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if top == nil {
		return nil, errors.New("not a JSON object: null")
	}
	l := &listResponse{}
	field := func(key string, v any) {
		raw, ok := top[key]
		if !ok || isNull(raw) {
			return
		}
		if err := json.Unmarshal(raw, v); err != nil {
			l.warnings = append(l.warnings, fmt.Sprintf("%s: unexpected value %s", key, clip(raw)))
		}
	}
	field("reviews", &l.Reviews)
	field("averageRating", &l.AverageRating)
	field("totalReviewCount", &l.TotalReviewCount)
	field("nextPageToken", &l.NextPageToken)
	if raw, ok := top["locationReviews"]; ok && !isNull(raw) {
		var batch []struct {
			Review json.RawMessage `json:"review"`
		}
		if err := json.Unmarshal(raw, &batch); err != nil {
			l.warnings = append(l.warnings, fmt.Sprintf("locationReviews: unexpected value %s", clip(raw)))
		}
		for _, b := range batch {
			l.Reviews = append(l.Reviews, b.Review)
		}
	}
	return l, nil
}

// apiReview is a Review resource.
type apiReview struct {
	Name     string `json:"name"`
	ReviewID string `json:"reviewId"`
	Reviewer *struct {
		DisplayName string `json:"displayName"`
		IsAnonymous bool   `json:"isAnonymous"`
	} `json:"reviewer"`
	StarRating  string `json:"starRating"`
	Comment     string `json:"comment"`
	CreateTime  string `json:"createTime"`
	UpdateTime  string `json:"updateTime"`
	ReviewReply *struct {
		Comment    string `json:"comment"`
		UpdateTime string `json:"updateTime"`
	} `json:"reviewReply"`
}

// stars maps the StarRating enum to its value; STAR_RATING_UNSPECIFIED is
// unrated.
var stars = map[string]float64{"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}

// extraction is an Extraction with the count of items left out.
type extraction struct {
	connectors.Extraction
	dropped int
}

// extraction converts the page's reviews. An item that is not a review
// object is left out with a warning naming it; a review with one bad field
// is kept without it, with a warning.
func (l *listResponse) extraction() extraction {
	var out extraction
	out.Warnings = append(out.Warnings, l.warnings...)
	if l.AverageRating != nil {
		out.Aggregate = &review.Aggregate{Value: l.AverageRating, BestRating: review.Float(5), RatingCount: l.TotalReviewCount}
	}
	for i, raw := range l.Reviews {
		r, warnings, err := convert(raw)
		label := itemLabel(i, raw)
		for _, w := range warnings {
			out.Warnings = append(out.Warnings, label+": "+w)
		}
		if err != nil {
			out.Warnings = append(out.Warnings, label+": "+err.Error()+": left out")
			out.dropped++
			continue
		}
		out.Reviews = append(out.Reviews, r)
	}
	return out
}

// itemLabel names item i of a page for warnings: its position and, when
// it can be read, its reviewId.
func itemLabel(i int, raw json.RawMessage) string {
	var id struct {
		ReviewID any `json:"reviewId"`
	}
	label := fmt.Sprintf("review %d", i+1)
	if json.Unmarshal(raw, &id) == nil {
		if s, ok := id.ReviewID.(string); ok && s != "" {
			label += fmt.Sprintf(" (reviewId %s)", connutil.Clip(s, 40))
		}
	}
	return label
}

// convert turns one Review resource into a review.
func convert(raw json.RawMessage) (review.Review, []string, error) {
	var a apiReview
	if err := json.Unmarshal(raw, &a); err != nil {
		return review.Review{}, nil, fmt.Errorf("not a review object (%s)", connutil.JSONProblem(err))
	}
	var warnings []string
	r := review.Review{Kind: review.KindReview, ExternalID: a.Name}
	if r.ExternalID == "" {
		r.ExternalID = a.ReviewID
	}
	if r.ExternalID == "" {
		warnings = append(warnings, "no name or reviewId")
	}
	if a.Reviewer != nil && !a.Reviewer.IsAnonymous {
		r.Author = strings.TrimSpace(a.Reviewer.DisplayName)
	}
	switch s := strings.TrimSpace(a.StarRating); {
	case s == "" || s == "STAR_RATING_UNSPECIFIED":
	case stars[s] > 0:
		r.Rating, r.BestRating = review.Float(stars[s]), review.Float(5)
	default:
		warnings = append(warnings, fmt.Sprintf("unknown starRating %q: kept unrated", connutil.Clip(s, 40)))
	}
	text, translated, truncated := splitTranslation(a.Comment)
	r.Text, r.Translated = text, translated
	if truncated {
		warnings = append(warnings, "comment has a \"(Translated by Google)\" part but no \"(Original)\" part (truncated?): kept as it is")
	}
	created, err := parseTime(a.CreateTime)
	if err != nil {
		warnings = append(warnings, "createTime: "+err.Error())
	}
	updated, err := parseTime(a.UpdateTime)
	if err != nil {
		warnings = append(warnings, "updateTime: "+err.Error())
	}
	switch {
	case !created.IsZero():
		r.PublishedAt = created
		// updateTime trails createTime by a fraction of a second on
		// reviews never edited.
		if updated.Sub(created) > time.Second {
			r.UpdatedAt = updated
		}
	case !updated.IsZero():
		r.PublishedAt = updated
	}
	if rr := a.ReviewReply; rr != nil && strings.TrimSpace(rr.Comment) != "" {
		r.Reply = &review.Reply{Text: rr.Comment}
		if t, err := parseTime(rr.UpdateTime); err == nil {
			r.Reply.PublishedAt = t
		} else {
			warnings = append(warnings, "reviewReply.updateTime: "+err.Error())
		}
	}
	return r, warnings, nil
}

// parseTime reads an RFC 3339 timestamp with 0 to 9 fractional digits;
// an empty value is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("unreadable timestamp %q", connutil.Clip(s, 40))
	}
	return t.UTC(), nil
}

// The markers of Google's translation envelope.
const (
	translatedMark = "(Translated by Google)"
	originalMark   = "(Original)"
)

// splitTranslation reads the envelope Google wraps machine-translated
// comments in, "(Translated by Google) <translation>\n\n(Original)\n
// <original>", and returns the original. The original-first order is read
// too. A comment that starts with the translation marker but has no
// "(Original)" line is truncated: it is returned as it is, marked
// translated and truncated.
func splitTranslation(s string) (text string, translated, truncated bool) {
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, translatedMark):
		i := markLine(t, originalMark)
		if i < 0 {
			return t, true, true
		}
		return strings.TrimSpace(t[i+len(originalMark):]), true, false
	case strings.HasPrefix(t, originalMark):
		rest := t[len(originalMark):]
		if i := markLine(rest, translatedMark); i >= 0 {
			return strings.TrimSpace(rest[:i]), true, false
		}
	}
	return t, false, false
}

// markLine returns the index of mark where it starts a line of s (after
// the first character), or -1.
func markLine(s, mark string) int {
	for from := 1; from < len(s); {
		i := strings.Index(s[from:], mark)
		if i < 0 {
			return -1
		}
		i += from
		if s[i-1] == '\n' || (s[i-1] == ' ' && i >= 2 && s[i-2] == '\n') {
			return i
		}
		from = i + len(mark)
	}
	return -1
}

// Extract reads a saved reviews.list or batchGetReviews response, or a
// single Review resource.
func Extract(doc connectors.Document) (connectors.Extraction, error) {
	body := bytes.TrimSpace(doc.Body)
	l, err := decodeList(body)
	if err != nil {
		return connectors.Extraction{}, fmt.Errorf("gbp: not a Business Profile reviews response: %w", err)
	}
	if len(l.Reviews) == 0 && looksLikeReview(body) {
		l = &listResponse{Reviews: []json.RawMessage{body}}
	}
	return l.extraction().Extraction, nil
}

func looksLikeReview(body []byte) bool {
	return bytes.Contains(body, []byte(`"starRating"`)) || bytes.Contains(body, []byte(`"reviewId"`))
}

// Detect scores a document: 95 for a JSON object with Business Profile
// review fields, 0 otherwise.
func Detect(doc connectors.Document) int {
	body := bytes.TrimSpace(doc.Body)
	if len(body) == 0 || body[0] != '{' {
		return 0
	}
	switch {
	case bytes.Contains(body, []byte(`"starRating"`)) && (bytes.Contains(body, []byte(`"reviewId"`)) || bytes.Contains(body, []byte(`"reviewer"`))):
		return 95
	case bytes.Contains(body, []byte(`"totalReviewCount"`)) || bytes.Contains(body, []byte(`"locationReviews"`)):
		return 60
	}
	return 0
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// clip quotes the start of a JSON value for a warning.
func clip(raw json.RawMessage) string { return connutil.Clip(string(bytes.TrimSpace(raw)), 60) }
