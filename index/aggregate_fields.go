package index

import (
	"math"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/vigie-dev/vigie/internal/review"
)

// Fields the aggregations use when the mapping has them. NewMapping adds
// them with AddAggregateMappings and Document fills them with
// AggregateFields; on an index built without them the aggregations fall
// back: the sentiment about a theme is the review's, and response rates
// and times are unknown.
const (
	// FieldThemeSentiment holds "theme:label" for each theme of a review
	// ("waiting:negative"), for the sentiment about each theme.
	FieldThemeSentiment = "theme_sentiment"
	// FieldReplied is "yes" when the owner replied to the review, "no"
	// otherwise.
	FieldReplied = "replied"
	// FieldReplyHours is the time between the review and the owner's reply,
	// in hours, when both dates are known.
	FieldReplyHours = "reply_hours"
)

// AddAggregateMappings adds the aggregation fields to a document mapping.
func AddAggregateMappings(doc *mapping.DocumentMapping) {
	for _, name := range []string{FieldThemeSentiment, FieldReplied} {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = true
		doc.AddFieldMappingsAt(name, f)
	}
	f := bleve.NewNumericFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	doc.AddFieldMappingsAt(FieldReplyHours, f)
}

// AggregateFields returns the aggregation fields of r, to add to the
// document Document builds.
func AggregateFields(r *review.Review) map[string]any {
	out := map[string]any{}
	if len(r.Themes) > 0 {
		ts := make([]string, 0, len(r.Themes))
		for _, t := range r.Themes {
			if t.Label != "" {
				ts = append(ts, t.Name+":"+t.Label)
			}
		}
		if len(ts) > 0 {
			out[FieldThemeSentiment] = ts
		}
	}
	if r.Reply != nil && (r.Reply.Text != "" || !r.Reply.PublishedAt.IsZero()) {
		out[FieldReplied] = "yes"
		if !r.PublishedAt.IsZero() && !r.Reply.PublishedAt.IsZero() {
			h := r.Reply.PublishedAt.Sub(r.PublishedAt).Hours()
			out[FieldReplyHours] = math.Max(0, math.Round(h*100)/100)
		}
	} else {
		out[FieldReplied] = "no"
	}
	return out
}
