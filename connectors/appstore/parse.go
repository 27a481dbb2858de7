package appstore

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// label is the feed's {"label": "..."} wrapper of every value.
type label struct {
	Label string `json:"label"`
}

func (l *label) get() string {
	if l == nil {
		return ""
	}
	return strings.TrimSpace(l.Label)
}

// link is a {"attributes": {"rel", "href"}} link.
type link struct {
	Attributes struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	} `json:"attributes"`
}

// entry is one feed entry: a review, or the app itself in older feeds.
type entry struct {
	Author *struct {
		Name *label `json:"name"`
		URI  *label `json:"uri"`
	} `json:"author"`
	Version *label `json:"im:version"`
	Rating  *label `json:"im:rating"`
	ID      *label `json:"id"`
	Title   *label `json:"title"`
	Content *struct {
		Label      string `json:"label"`
		Attributes *struct {
			Type string `json:"type"`
		} `json:"attributes"`
	} `json:"content"`
	Link    json.RawMessage `json:"link"`
	Updated *label          `json:"updated"`
	// AppName is set on the entry that describes the app.
	AppName *label `json:"im:name"`
}

// feedPage is what one page of the feed yields.
type feedPage struct {
	connectors.Extraction
	// entries counts the review entries, read or not; dropped those left
	// out; undated the reviews without a date (their ids).
	entries, dropped int
	undated          map[string]int // review id -> index in Reviews
	// nextPage and lastPage are the page numbers of rel=next and rel=last
	// (0 when absent).
	nextPage, lastPage int
}

// oneOrMany reads a JSON value that is an array, or one object standing
// for an array of one.
func oneOrMany(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, nil
	case raw[0] == '[':
		var list []json.RawMessage
		err := json.Unmarshal(raw, &list)
		return list, err
	case raw[0] == '{':
		return []json.RawMessage{raw}, nil
	}
	return nil, fmt.Errorf("neither an object nor an array: %s", connutil.Clip(string(raw), 40))
}

var pageParam = regexp.MustCompile(`(?i)page=(\d+)`)

// pageOf is the page number in a feed link's href (0 if none).
func pageOf(href string) int {
	// The number is in the path (…/page=2/…); the urlDesc query of the
	// XML links holds another one, which is ignored.
	if i := strings.IndexByte(href, '?'); i >= 0 {
		href = href[:i]
	}
	m := pageParam.FindStringSubmatch(href)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n > 1000 {
		return 0
	}
	return n
}

// parseFeed reads one page of the JSON feed.
func parseFeed(body []byte) (*feedPage, error) {
	var doc struct {
		Feed *struct {
			Entry json.RawMessage `json:"entry"`
			Link  json.RawMessage `json:"link"`
		} `json:"feed"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(body), &doc); err != nil {
		return nil, fmt.Errorf("not the customer-reviews JSON feed: %s", connutil.JSONProblem(err))
	}
	if doc.Feed == nil {
		return nil, errors.New("not the customer-reviews JSON feed: no feed object")
	}
	fp := &feedPage{}
	if links, err := oneOrMany(doc.Feed.Link); err != nil {
		fp.Warnings = append(fp.Warnings, "feed.link: "+err.Error())
	} else {
		for _, raw := range links {
			var l link
			if json.Unmarshal(raw, &l) != nil {
				continue
			}
			switch l.Attributes.Rel {
			case "next":
				fp.nextPage = pageOf(l.Attributes.Href)
			case "last":
				fp.lastPage = pageOf(l.Attributes.Href)
			}
		}
	}
	entries, err := oneOrMany(doc.Feed.Entry)
	if err != nil {
		return nil, fmt.Errorf("feed.entry: %v", err)
	}
	for i, raw := range entries {
		lbl := fmt.Sprintf("entry %d", i+1)
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			fp.entries++
			fp.dropped++
			fp.Warnings = append(fp.Warnings, fmt.Sprintf("%s: not a review entry (%s): left out", lbl, connutil.JSONProblem(err)))
			continue
		}
		if e.Rating == nil {
			if e.AppName == nil {
				fp.Warnings = append(fp.Warnings, lbl+": no im:rating and no im:name: neither a review nor the app, left out")
			}
			continue // the app itself
		}
		fp.entries++
		id := e.ID.get()
		if id != "" {
			lbl += " (id " + connutil.Clip(id, 40) + ")"
		} else {
			fp.Warnings = append(fp.Warnings, lbl+": no id")
		}
		r := review.Review{Kind: review.KindReview, ExternalID: id, Title: e.Title.get()}
		if e.Author != nil {
			r.Author = e.Author.Name.get()
		}
		if e.Content != nil {
			r.Text = strings.TrimSpace(e.Content.Label)
			if e.Content.Attributes != nil && strings.EqualFold(e.Content.Attributes.Type, "html") {
				r.Text = textnorm.HTML(r.Text)
			}
		}
		if v, err := strconv.Atoi(e.Rating.get()); err == nil && v >= 1 && v <= 5 {
			r.Rating, r.BestRating = review.Float(float64(v)), review.Float(5)
		} else {
			fp.Warnings = append(fp.Warnings, fmt.Sprintf("%s: unreadable im:rating %q: kept unrated", lbl, connutil.Clip(e.Rating.get(), 20)))
		}
		if links, err := oneOrMany(e.Link); err == nil {
			for _, raw := range links {
				var l link
				if json.Unmarshal(raw, &l) == nil && l.Attributes.Href != "" && (l.Attributes.Rel == "related" || r.URL == "") {
					r.URL = l.Attributes.Href
				}
			}
		}
		switch s := e.Updated.get(); {
		case s == "":
			if id != "" {
				if fp.undated == nil {
					fp.undated = map[string]int{}
				}
				fp.undated[id] = len(fp.Reviews)
			}
		default:
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				fp.Warnings = append(fp.Warnings, fmt.Sprintf("%s: unreadable updated %q", lbl, connutil.Clip(s, 40)))
			} else {
				r.PublishedAt = t
			}
		}
		fp.Reviews = append(fp.Reviews, r)
	}
	return fp, nil
}

// xmlFeed is the Atom form of the same page, read for its entry dates.
type xmlFeed struct {
	Entries []struct {
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
	} `xml:"entry"`
}

// xmlDates maps entry ids to their dates in the Atom form of a page.
func xmlDates(body []byte) (map[string]time.Time, error) {
	var f xmlFeed
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charset.NewReaderLabel
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not the customer-reviews XML feed: %v", err)
	}
	out := map[string]time.Time{}
	for _, e := range f.Entries {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(e.Updated)); err == nil {
			out[strings.TrimSpace(e.ID)] = t
		}
	}
	return out, nil
}

// fillDates dates the undated reviews of fp from the XML form's dates,
// and returns how many stay undated.
func (fp *feedPage) fillDates(dates map[string]time.Time) int {
	left := 0
	for id, i := range fp.undated {
		if t, ok := dates[id]; ok {
			fp.Reviews[i].PublishedAt = t
		} else {
			left++
		}
	}
	return left
}

// Extract reads a saved page of the JSON feed. Its dates come from the
// entries; a feed without them gives undated reviews, with a warning.
func Extract(doc connectors.Document) (connectors.Extraction, error) {
	fp, err := parseFeed(doc.Body)
	if err != nil {
		return connectors.Extraction{}, fmt.Errorf("appstore: %w", err)
	}
	if n := len(fp.undated); n > 0 {
		fp.Warnings = append(fp.Warnings, fmt.Sprintf("%d reviews have no date in the JSON feed (the XML form of the page has them)", n))
	}
	if fp.nextPage > 0 && doc.URL != "" {
		if next := withPage(doc.URL, fp.nextPage); next != doc.URL {
			fp.Next = []string{next}
		}
	}
	return fp.Extraction, nil
}

// withPage sets the page=N path segment of a feed URL.
func withPage(raw string, n int) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = pageParam.ReplaceAllString(u.Path, "page="+strconv.Itoa(n))
	return u.String()
}

// Detect scores a document: 95 for the customer-reviews JSON feed with
// reviews, 70 for the feed without, 0 otherwise.
func Detect(doc connectors.Document) int {
	body := bytes.TrimSpace(doc.Body)
	if len(body) == 0 || body[0] != '{' || !bytes.Contains(body, []byte(`"feed"`)) {
		return 0
	}
	switch {
	case bytes.Contains(body, []byte(`"im:rating"`)):
		return 95
	case bytes.Contains(bytes.ToLower(body), []byte("customerreviews")):
		return 70
	}
	return 0
}
