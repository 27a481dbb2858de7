package api

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/internal/review"
)

// ExportColumns are the columns of a CSV export, in order.
var ExportColumns = []string{"id", "brand", "location", "location_name", "source", "kind", "published_at", "lang",
	"rating", "best_rating", "rating_norm", "sentiment", "sentiment_score", "themes", "author", "title", "text",
	"url", "reply_text", "reply_published_at"}

// export streams the reviews the filters select, newest first, as CSV or
// NDJSON (one Review object a line).
func (h *handler) export(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	format := v.Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "ndjson" {
		writeError(w, badParam("format", "unknown format %q (use csv or ndjson)", format))
		return
	}
	now := h.deps.now()
	q, err := ParseFilter(v, now, h.cat)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch s := v.Get("sort"); s {
	case "", "date":
	case "date_asc":
		q.Sort = "date_asc"
	default:
		writeError(w, badParam("sort", "an export is sorted by date: use sort=date (newest first) or sort=date_asc"))
		return
	}
	name := "vigie-reviews-" + now.UTC().Format("20060102-1504") + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	flusher, _ := w.(http.Flusher)
	started := false
	n := 0
	var write func(review.Review) error
	var cw *csv.Writer
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw = csv.NewWriter(w)
		write = func(rv review.Review) error {
			if !started {
				started = true
				w.Write([]byte("\uFEFF")) // so that spreadsheets read UTF-8 (Cyrillic, accents)
				if err := cw.Write(ExportColumns); err != nil {
					return err
				}
			}
			return cw.Write(csvRow(rv, h.cat))
		}
	case "ndjson":
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		enc := json.NewEncoder(w)
		write = func(rv review.Review) error {
			started = true
			return enc.Encode(rv)
		}
	}
	err = h.deps.Index.Each(r.Context(), q, func(rv review.Review) error {
		if err := write(rv); err != nil {
			return err
		}
		n++
		if n%500 == 0 {
			if cw != nil {
				cw.Flush()
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		return nil
	})
	if err != nil && !started {
		h.fail(w, r, err)
		return
	}
	if err != nil {
		// Too late for a status: say so at the end of the stream.
		h.deps.logger().Error("export failed", "after", n, "err", err)
		if cw != nil {
			cw.Flush()
			fmt.Fprintf(w, "\n# export failed after %d reviews\n", n)
		} else {
			json.NewEncoder(w).Encode(map[string]*Error{"error": {Code: "internal", Message: fmt.Sprintf("export failed after %d reviews", n)}})
		}
		return
	}
	if format == "csv" && !started {
		w.Write([]byte("\uFEFF"))
		cw.Write(ExportColumns)
	}
	if cw != nil {
		cw.Flush()
	}
}

func csvRow(r review.Review, cat *Catalog) []string {
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'g', -1, 64)
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	var sentiment, score string
	if r.Sentiment != nil {
		sentiment = r.Sentiment.Label
		score = strconv.FormatFloat(r.Sentiment.Score, 'f', 3, 64)
	}
	var themes []string
	for _, t := range r.Themes {
		if t.Label != "" {
			themes = append(themes, t.Name+":"+t.Label)
		} else {
			themes = append(themes, t.Name)
		}
	}
	var replyText, replyAt string
	if r.Reply != nil {
		replyText, replyAt = r.Reply.Text, date(r.Reply.PublishedAt)
	}
	row := []string{r.ID, r.Brand, r.Location, cat.LocationName(r.Location), r.Source, string(r.Kind), date(r.PublishedAt), r.Lang,
		num(r.Rating), num(r.BestRating), num(r.RatingNorm), sentiment, score, strings.Join(themes, ";"), r.Author, r.Title, r.Text,
		r.URL, replyText, replyAt}
	for i, s := range row {
		row[i] = CSVSafe(s)
	}
	return row
}

// CSVSafe defuses a cell that a spreadsheet would run as a formula (it
// starts with =, +, -, @, a tab or a carriage return) by prefixing it
// with an apostrophe: review text is written by strangers.
func CSVSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s // a plain negative number
		}
		return "'" + s
	}
	return s
}
