// Package review holds Vigie's domain model: brands, locations and the
// reviews collected about them. Its JSON form is the one every command and
// API prints; field names are a contract with users' scripts.
package review

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Kind says what sort of feedback a review is.
type Kind string

// The kinds of feedback Vigie collects.
const (
	KindReview  Kind = "review"  // a review on a review site or listing
	KindComment Kind = "comment" // a social post or comment
	KindSurvey  Kind = "survey"  // a survey answer or e-mail feedback with a score
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	return k == KindReview || k == KindComment || k == KindSurvey
}

// LangUnknown is the language code for text whose language is not French,
// Russian or English, or could not be decided.
const LangUnknown = "und"

// Review is one piece of customer feedback about a location.
//
// Fields that are unknown are left at their zero value and omitted from the
// JSON form.
type Review struct {
	ID       string `json:"id"`
	Brand    string `json:"brand,omitempty"`
	Location string `json:"location,omitempty"`
	Source   string `json:"source,omitempty"`
	Kind     Kind   `json:"kind,omitempty"`
	URL      string `json:"url,omitempty"`
	Author   string `json:"author,omitempty"`
	// Rating and BestRating are as published (a 4 on a scale of 5, a 9 on a
	// scale of 10). Nil means unrated: a zero rating with no scale is unrated.
	Rating     *float64 `json:"rating,omitempty"`
	BestRating *float64 `json:"best_rating,omitempty"`
	// RatingNorm maps Rating onto 0..1 using WorstRating..BestRating.
	RatingNorm     *float64   `json:"rating_norm,omitempty"`
	Title          string     `json:"title,omitempty"`
	Text           string     `json:"text,omitempty"`
	PublishedAt    time.Time  `json:"published_at,omitzero"`
	FetchedAt      time.Time  `json:"fetched_at,omitzero"`
	Lang           string     `json:"lang,omitempty"`
	LangConfidence float64    `json:"lang_confidence,omitempty"`
	Sentiment      *Sentiment `json:"sentiment,omitempty"`
	Themes         []Theme    `json:"themes,omitempty"`
	Reply          *Reply     `json:"reply,omitempty"`

	// Extensions beyond the contract fields above.

	// ExternalID is the review's identifier on its source, when it has one.
	ExternalID string `json:"external_id,omitempty"`
	// WorstRating is the bottom of the published scale when it is not the
	// usual 1 (0 for NPS, for example).
	WorstRating *float64 `json:"worst_rating,omitempty"`
	// LangHint is the language the source declares for the text, if any.
	LangHint string `json:"lang_hint,omitempty"`
	// UpdatedAt is when the source says the review was last edited.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Translated records that the source also offered a machine
	// translation; Text is always the original.
	Translated bool `json:"translated,omitempty"`
	// DeletedAt is when Vigie found the review gone from its source; the
	// review is kept, marked.
	DeletedAt time.Time `json:"deleted_at,omitzero"`
	// History holds the previous versions of an edited review, oldest
	// first.
	History []Version `json:"history,omitempty"`
}

// Version is a review as it was before an edit.
type Version struct {
	Title       string    `json:"title,omitempty"`
	Text        string    `json:"text,omitempty"`
	Rating      *float64  `json:"rating,omitempty"`
	Reply       *Reply    `json:"reply,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
	// SeenUntil is the last fetch that saw this version.
	SeenUntil time.Time `json:"seen_until,omitzero"`
}

// Sentiment is the polarity of a review or of one of its parts.
type Sentiment struct {
	// Score is in [-1, 1].
	Score float64 `json:"score"`
	// Label is positive, neutral, negative or mixed.
	Label string `json:"label"`
	// Driver says what decided the label: "rating" or "text".
	Driver string `json:"driver,omitempty"`
	// Evidence lists the words or phrases that moved the score.
	Evidence []Evidence `json:"evidence,omitempty"`
	// Sentences holds the sentiment of each sentence, in order.
	Sentences []SentenceSentiment `json:"sentences,omitempty"`
}

// SentenceSentiment is the sentiment of one sentence of a review.
type SentenceSentiment struct {
	Start int     `json:"start"` // byte offset in Text
	End   int     `json:"end"`
	Score float64 `json:"score"`
	Label string  `json:"label"`
}

// Evidence is a span of the review text that explains an enrichment result.
type Evidence struct {
	Text   string  `json:"text"`
	Start  int     `json:"start"` // byte offset in Text
	End    int     `json:"end"`
	Weight float64 `json:"weight,omitempty"`
}

// Theme is a topic the review talks about, with the sentiment expressed
// about it.
type Theme struct {
	Name     string     `json:"name"`
	Score    float64    `json:"score"`
	Label    string     `json:"label"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Reply is the owner's public answer to a review.
type Reply struct {
	Author      string    `json:"author,omitempty"`
	Text        string    `json:"text"`
	PublishedAt time.Time `json:"published_at,omitzero"`
}

// Float returns a pointer to v, for the optional numeric fields.
func Float(v float64) *float64 { return &v }

// Normalize fills RatingNorm from Rating, WorstRating and BestRating.
// A missing best rating means the usual scale of 5.
func (r *Review) Normalize() {
	r.RatingNorm = nil
	if r.Rating == nil {
		return
	}
	best, worst := 5.0, 1.0
	if r.BestRating != nil {
		best = *r.BestRating
	}
	if r.WorstRating != nil {
		worst = *r.WorstRating
	} else if best <= 1 {
		worst = 0 // a 0..1 scale
	}
	if best <= worst {
		return
	}
	n := (*r.Rating - worst) / (best - worst)
	n = min(max(n, 0), 1)
	n = float64(int(n*1000+0.5)) / 1000
	r.RatingNorm = &n
}

// MakeID derives the stable identifier of a review. With an external id the
// source's own identity is used; otherwise the author, the day of
// publication and the text identify it, so that the same review seen twice
// is one review.
func MakeID(source, externalID, author string, published time.Time, text string) string {
	h := sha256.New()
	h.Write([]byte("v1\x00"))
	h.Write([]byte(source))
	h.Write([]byte{0})
	if externalID != "" {
		h.Write([]byte("x\x00"))
		h.Write([]byte(externalID))
	} else {
		h.Write([]byte("c\x00"))
		h.Write([]byte(fingerprint(author)))
		h.Write([]byte{0})
		if !published.IsZero() {
			h.Write([]byte(published.UTC().Format("2006-01-02")))
		}
		h.Write([]byte{0})
		h.Write([]byte(fingerprint(text)))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// fingerprint reduces text to what identifies it: NFC, lower case, words
// separated by single spaces, so that markup or whitespace changes between
// two fetches do not make a new review.
func fingerprint(s string) string {
	s = norm.NFC.String(strings.ToLower(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}), " ")
}

// ContentHash summarises what a source can change about a review (text,
// rating, title, reply), to tell an edited review from an unchanged one.
func (r *Review) ContentHash() string {
	h := sha256.New()
	for _, s := range []string{r.Author, r.Title, r.Text, fmtFloat(r.Rating), fmtFloat(r.BestRating), r.replyText()} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (r *Review) replyText() string {
	if r.Reply == nil {
		return ""
	}
	return r.Reply.Text
}

func fmtFloat(f *float64) string {
	if f == nil {
		return "-"
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

// Aggregate is a source's own summary of a location's ratings, as published
// next to the reviews (schema.org AggregateRating, a listing's score).
type Aggregate struct {
	Value       *float64 `json:"value,omitempty"`
	BestRating  *float64 `json:"best_rating,omitempty"`
	WorstRating *float64 `json:"worst_rating,omitempty"`
	// RatingCount counts ratings, ReviewCount reviews with text; a source
	// may give either or both.
	RatingCount int `json:"rating_count,omitempty"`
	ReviewCount int `json:"review_count,omitempty"`
	// Item names what is rated, when the source says.
	Item string `json:"item,omitempty"`
}
