package trustpilot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/connectors/schemaorg"
	"github.com/vigie-dev/vigie/internal/review"
)

// pageData is what one listing page yields.
type pageData struct {
	connectors.Extraction
	shown      int
	totalPages int
	dropped    int
}

// businessUnit is pageProps.businessUnit.
type businessUnit struct {
	DisplayName     string   `json:"displayName"`
	IdentifyingName string   `json:"identifyingName"`
	NumberOfReviews int      `json:"numberOfReviews"`
	TrustScore      *float64 `json:"trustScore"`
}

// filters is pageProps.filters.
type filters struct {
	TotalNumberOfReviews         int  `json:"totalNumberOfReviews"`
	TotalNumberOfFilteredReviews *int `json:"totalNumberOfFilteredReviews"`
	Pagination                   *struct {
		CurrentPage int `json:"currentPage"`
		PerPage     int `json:"perPage"`
		TotalCount  int `json:"totalCount"`
		TotalPages  int `json:"totalPages"`
	} `json:"pagination"`
}

// tpReview is one of pageProps.reviews.
type tpReview struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Text     string   `json:"text"`
	Rating   *float64 `json:"rating"`
	Language string   `json:"language"`
	Dates    *struct {
		PublishedDate string  `json:"publishedDate"`
		UpdatedDate   *string `json:"updatedDate"`
	} `json:"dates"`
	Consumer *struct {
		DisplayName string `json:"displayName"`
	} `json:"consumer"`
	Reply *struct {
		Message       string  `json:"message"`
		PublishedDate string  `json:"publishedDate"`
		UpdatedDate   *string `json:"updatedDate"`
	} `json:"reply"`
}

// errNoReviews says a page holds neither Trustpilot's state nor schema.org
// reviews: not a Trustpilot review page, or one whose layout changed.
var errNoReviews = errors.New("neither __NEXT_DATA__ with pageProps.reviews nor schema.org reviews found: not a Trustpilot review page, or its layout changed")

// parsePage reads a listing page: the embedded Next.js state when it
// holds the reviews, the JSON-LD otherwise.
func parsePage(doc connectors.Document) (*pageData, error) {
	gq, err := goquery.NewDocumentFromReader(bytes.NewReader(doc.Body))
	if err != nil {
		return nil, fmt.Errorf("unreadable HTML: %w", err)
	}
	script := gq.Find(`script#__NEXT_DATA__`).First()
	var nextErr error
	if script.Length() > 0 {
		pd, err := parseNextData(doc, []byte(script.Text()))
		if err == nil {
			return pd, nil
		}
		nextErr = err
	}
	ext, err := schemaorg.Extract(doc, schemaorg.Options{})
	if err != nil {
		return nil, err
	}
	if len(ext.Reviews) == 0 && ext.Aggregate == nil {
		if nextErr != nil {
			return nil, fmt.Errorf("__NEXT_DATA__: %v; %w", nextErr, errNoReviews)
		}
		return nil, errNoReviews
	}
	pd := &pageData{Extraction: ext}
	if nextErr != nil {
		pd.Warnings = append([]string{"__NEXT_DATA__: " + nextErr.Error() + "; read the JSON-LD instead"}, pd.Warnings...)
	}
	for i := range pd.Reviews {
		r := &pd.Reviews[i]
		if id := jsonldReviewID(r.ExternalID); id != "" {
			// The same key as the Next.js state's id, so that both ways
			// of reading a page give the same review.
			r.ExternalID = id
			r.URL = reviewURL(doc.URL, id)
		}
	}
	if a := pd.Aggregate; a != nil {
		pd.shown = max(a.ReviewCount, a.RatingCount)
	}
	return pd, nil
}

// jsonldIDPattern matches Trustpilot's JSON-LD review @id,
// "https://www.trustpilot.com/#/schema/Review/vigie.fr/65f1…".
var jsonldIDPattern = regexp.MustCompile(`/schema/Review/[^/]+/([0-9A-Za-z]+)$`)

func jsonldReviewID(id string) string {
	if m := jsonldIDPattern.FindStringSubmatch(id); m != nil {
		return m[1]
	}
	return ""
}

// parseNextData reads the Next.js state. It fails when the state is not
// JSON or has no reviews list, so that the JSON-LD is tried.
func parseNextData(doc connectors.Document, data []byte) (*pageData, error) {
	var root struct {
		Props struct {
			PageProps map[string]json.RawMessage `json:"pageProps"`
		} `json:"props"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(data), &root); err != nil {
		return nil, fmt.Errorf("not JSON (%s)", connutil.JSONProblem(err))
	}
	pp := root.Props.PageProps
	rawReviews, ok := pp["reviews"]
	if !ok {
		return nil, errors.New("no props.pageProps.reviews")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(rawReviews, &items); err != nil {
		return nil, fmt.Errorf("props.pageProps.reviews is not a list (%s)", connutil.JSONProblem(err))
	}
	pd := &pageData{}
	var bu businessUnit
	if raw, ok := pp["businessUnit"]; ok {
		if err := json.Unmarshal(raw, &bu); err != nil {
			pd.Warnings = append(pd.Warnings, "businessUnit: unexpected value ("+connutil.JSONProblem(err)+")")
		}
	}
	var f filters
	if raw, ok := pp["filters"]; ok {
		if err := json.Unmarshal(raw, &f); err != nil {
			pd.Warnings = append(pd.Warnings, "filters: unexpected value ("+connutil.JSONProblem(err)+")")
		}
	}
	if bu.TrustScore != nil && *bu.TrustScore > 0 {
		pd.Aggregate = &review.Aggregate{Value: bu.TrustScore, BestRating: review.Float(5), ReviewCount: bu.NumberOfReviews, Item: bu.DisplayName}
	}
	switch {
	// The listing's own count (of the languages asked for) first: it is
	// what a complete run can collect.
	case f.Pagination != nil:
		pd.shown = f.Pagination.TotalCount
	case f.TotalNumberOfFilteredReviews != nil:
		pd.shown = *f.TotalNumberOfFilteredReviews
	default:
		pd.shown = bu.NumberOfReviews
	}
	if pg := f.Pagination; pg != nil && pg.TotalPages > 0 {
		pd.totalPages = pg.TotalPages
		if pg.CurrentPage > 0 && pg.CurrentPage < pg.TotalPages && doc.URL != "" {
			pd.Next = []string{withPage(doc.URL, pg.CurrentPage+1)}
		}
	}
	for i, raw := range items {
		label := fmt.Sprintf("review %d", i+1)
		var a tpReview
		if err := json.Unmarshal(raw, &a); err != nil {
			pd.Warnings = append(pd.Warnings, fmt.Sprintf("%s: not a review object (%s): left out", label, connutil.JSONProblem(err)))
			pd.dropped++
			continue
		}
		if a.ID == "" {
			pd.Warnings = append(pd.Warnings, label+": no id")
		} else {
			label += " (" + connutil.Clip(a.ID, 40) + ")"
		}
		r := review.Review{
			Kind:       review.KindReview,
			ExternalID: a.ID,
			URL:        reviewURL(doc.URL, a.ID),
			Title:      a.Title,
			Text:       a.Text,
			LangHint:   a.Language,
		}
		if a.Consumer != nil {
			r.Author = a.Consumer.DisplayName
		}
		var w string
		if r.Rating, r.BestRating, w = connutil.Stars(a.Rating); w != "" {
			pd.Warnings = append(pd.Warnings, label+": "+w)
		}
		if d := a.Dates; d != nil {
			if t, err := connutil.ParseTime(d.PublishedDate); err != nil {
				pd.Warnings = append(pd.Warnings, fmt.Sprintf("%s: dates.publishedDate: %v", label, err))
			} else {
				r.PublishedAt = t
			}
			if d.UpdatedDate != nil {
				if t, err := connutil.ParseTime(*d.UpdatedDate); err != nil {
					pd.Warnings = append(pd.Warnings, fmt.Sprintf("%s: dates.updatedDate: %v", label, err))
				} else {
					r.UpdatedAt = t
				}
			}
		}
		if rp := a.Reply; rp != nil && strings.TrimSpace(rp.Message) != "" {
			r.Reply = &review.Reply{Author: bu.DisplayName, Text: rp.Message}
			if t, err := connutil.ParseTime(rp.PublishedDate); err != nil {
				pd.Warnings = append(pd.Warnings, fmt.Sprintf("%s: reply.publishedDate: %v", label, err))
			} else {
				r.Reply.PublishedAt = t
			}
		}
		pd.Reviews = append(pd.Reviews, r)
	}
	return pd, nil
}

// reviewURL is the public address of review id, on the site of page.
func reviewURL(page, id string) string {
	if id == "" {
		return page
	}
	u, err := url.Parse(page)
	if err != nil || u.Host == "" {
		return "https://" + DefaultDomain + "/reviews/" + url.PathEscape(id)
	}
	return u.Scheme + "://" + u.Host + "/reviews/" + url.PathEscape(id)
}

// withPage returns page URL raw set to page n.
func withPage(raw string, n int) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("page", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return u.String()
}

// Extract reads a saved Trustpilot review page.
func Extract(doc connectors.Document) (connectors.Extraction, error) {
	pd, err := parsePage(doc)
	if err != nil {
		return connectors.Extraction{}, fmt.Errorf("trustpilot: %w", err)
	}
	return pd.Extraction, nil
}

// Detect scores a document: 95 for a Trustpilot page with its Next.js
// state, 92 for one with only Trustpilot JSON-LD reviews (above the
// generic schema.org reader), 0 otherwise.
func Detect(doc connectors.Document) int {
	b := doc.Body
	has := func(s string) bool { return bytes.Contains(b, []byte(s)) }
	trustpilot := bytes.Contains(bytes.ToLower(b), []byte("trustpilot"))
	switch {
	case !trustpilot:
		return 0
	case has(`__NEXT_DATA__`) && has(`"businessUnit"`) && has(`"reviews"`):
		return 95
	case has(`/schema/Review/`):
		return 92
	}
	return 0
}
