package demo

// CorpusReview is one of the demo brand's reviews as written, without its
// place and date: material for generators such as `vigie bench`.
type CorpusReview struct {
	Lang   string // fr, ru or en
	Author string
	Title  string
	Text   string
	Rating int // 1 to 5 stars
	// Reply is the café's answer, if it answered.
	Reply string
}

// Corpus returns the demo brand's reviews, in a fixed order.
func Corpus() []CorpusReview {
	recs := loadReviews()
	out := make([]CorpusReview, len(recs))
	for i, r := range recs {
		out[i] = CorpusReview{Lang: r.Lang, Author: r.Author, Title: r.Title, Text: r.Text, Rating: r.Rating}
		if r.Reply != nil {
			out[i].Reply = r.Reply.Text
		}
	}
	return out
}
