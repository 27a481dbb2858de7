package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/index"
	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/dateparse"
	"github.com/vigie-dev/vigie/internal/review"
)

var searchCommand = command{
	name:    "search",
	summary: "Search the indexed reviews (bleve query syntax: words, \"phrases\", +must, -must_not, field:value, prefix*, fuzzy~1).",
	usage:   "search --config FILE [--location ID]... [--lang fr|ru|en|und] [--from DATE] [--to DATE] [--sort relevance|date|rating] [--limit N] [--json] QUERY",
	run:     runSearch,
}

func runSearch(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	cfgPath := fs.String("config", "", "configuration `file`")
	var locations, langs, sources listFlag
	fs.Var(&locations, "location", "only reviews of this location `id` (repeat or separate with commas)")
	fs.Var(&langs, "lang", "only reviews in this `language`: fr, ru, en or und")
	fs.Var(&sources, "source", "only reviews from this source `id`")
	from := fs.String("from", "", "only reviews published on or after this `date` (2025-03-01, 2025-03, or 30d for 30 days ago)")
	to := fs.String("to", "", "only reviews published on or before this `date` (same forms as --from)")
	sortBy := fs.String("sort", "relevance", "order: relevance, date (newest first), date_asc, rating (best first) or rating_asc")
	limit := fs.Int("limit", 10, "how many reviews to show")
	offset := fs.Int("offset", 0, "skip this many reviews (for paging)")
	asJSON := fs.Bool("json", false, "print the matching reviews as JSON lines, in the Review form")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *limit < 1 {
		return usagef("--limit must be at least 1")
	}
	for _, l := range langs {
		switch l {
		case "fr", "ru", "en", "und":
		default:
			return usagef("--lang %q: use fr, ru, en or und", l)
		}
	}
	now := time.Now()
	q := index.Query{
		Text:      strings.Join(pos, " "),
		Locations: locations,
		Langs:     langs,
		Sources:   sources,
		Sort:      index.Sort(*sortBy),
		Size:      *limit,
		Offset:    *offset,
		Highlight: !*asJSON,
	}
	if q.From, err = dateparse.Bound(*from, now, false); err != nil {
		return usagef("--from: %v", err)
	}
	if q.To, err = dateparse.Bound(*to, now, true); err != nil {
		return usagef("--to: %v", err)
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	for _, id := range locations {
		if _, _, ok := cfg.Location(id); !ok {
			return usagef("--location %q is not in %s", id, cfg.File)
		}
	}
	var res *index.Result
	x, err := index.Open(IndexDir(cfg))
	switch {
	case errors.Is(err, index.ErrLocked):
		// `vigie serve` or `vigie demo` holds the index: ask it.
		var addr string
		res, addr, err = searchServer(ctx, cfg, q, *from, *to)
		if err != nil {
			return fmt.Errorf("the index is in use by another Vigie process; asking it at %s: %w", addr, err)
		}
		if !*asJSON {
			base, _, _ := strings.Cut(addr, "/api/")
			fmt.Fprintf(env.Stdout, "From the running Vigie (%s):\n\n", base)
		}
	case err != nil:
		return err
	default:
		defer x.Close()
		if res, err = x.Search(ctx, q); err != nil {
			var qe *index.QueryError
			if errors.As(err, &qe) {
				return usageError{err}
			}
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		for _, h := range res.Hits {
			if err := enc.Encode(h.Review); err != nil {
				return err
			}
		}
		return nil
	}
	printHits(env.Stdout, q, res, isTerminal(env.Stdout))
	return nil
}

// printHits writes search results for people.
func printHits(w io.Writer, q index.Query, res *index.Result, color bool) {
	hl := func(s string) string {
		if color {
			return strings.NewReplacer(index.MarkStart, "\x1b[1;33m", index.MarkEnd, "\x1b[0m").Replace(s)
		}
		return strings.NewReplacer(index.MarkStart, "**", index.MarkEnd, "**").Replace(s)
	}
	dim := func(s string) string {
		if color {
			return "\x1b[2m" + s + "\x1b[0m"
		}
		return s
	}
	what := "reviews"
	if res.Total == 1 {
		what = "review"
	}
	took := fmt.Sprintf("%.1f ms", float64(res.Took.Microseconds())/1000)
	if q.Text != "" {
		fmt.Fprintf(w, "%d %s match %q (%s)\n", res.Total, what, q.Text, took)
	} else {
		fmt.Fprintf(w, "%d %s (%s)\n", res.Total, what, took)
	}
	for i, h := range res.Hits {
		r := h.Review
		fmt.Fprintf(w, "\n%2d. %s%s\n", q.Offset+i+1, stars(r), dim(describe(r)))
		if frags := h.Highlights["title"]; len(frags) > 0 {
			fmt.Fprintf(w, "    %s\n", hl(oneLine(frags[0])))
		} else if r.Title != "" {
			fmt.Fprintf(w, "    %s\n", r.Title)
		}
		text := r.Text
		if frags := h.Highlights["text"]; len(frags) > 0 {
			text = strings.Join(frags, " … ")
		}
		fmt.Fprintf(w, "    %s\n", hl(clip(oneLine(text), 400)))
		if r.Reply != nil {
			fmt.Fprintf(w, "    %s\n", dim("↳ reply: "+clip(oneLine(r.Reply.Text), 120)))
		}
		if r.URL != "" {
			fmt.Fprintf(w, "    %s\n", dim(r.URL))
		}
	}
	if shown := uint64(q.Offset + len(res.Hits)); shown < res.Total {
		fmt.Fprintf(w, "\n%d more: add --offset %d, or narrow the search.\n", res.Total-shown, shown)
	}
}

func stars(r review.Review) string {
	if r.Rating == nil || r.RatingNorm == nil {
		return ""
	}
	n := int(*r.RatingNorm*5 + 0.5)
	best := "5"
	if r.BestRating != nil {
		best = strconv.FormatFloat(*r.BestRating, 'g', -1, 64)
	}
	return fmt.Sprintf("%s%s %s/%s  ", strings.Repeat("★", n), strings.Repeat("☆", 5-n), strconv.FormatFloat(*r.Rating, 'g', -1, 64), best)
}

func describe(r review.Review) string {
	parts := []string{r.Location}
	if !r.PublishedAt.IsZero() {
		parts = append(parts, r.PublishedAt.Format("2006-01-02"))
	}
	parts = append(parts, r.Lang)
	if r.Sentiment != nil && r.Sentiment.Label != "" {
		parts = append(parts, r.Sentiment.Label)
	}
	if r.Author != "" {
		parts = append(parts, r.Author)
	}
	return strings.Join(parts, " · ")
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

func clip(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// searchServer runs q through the running Vigie's /api/reviews, with the
// date bounds as the user wrote them.
func searchServer(ctx context.Context, cfg *config.Config, q index.Query, from, to string) (*index.Result, string, error) {
	v := url.Values{}
	v.Set("q", q.Text)
	for _, l := range q.Locations {
		v.Add("location", l)
	}
	for _, l := range q.Langs {
		v.Add("lang", l)
	}
	for _, s := range q.Sources {
		v.Add("source", s)
	}
	if from != "" {
		v.Set("from", from)
	}
	if to != "" {
		v.Set("to", to)
	}
	if q.Sort != "" {
		v.Set("sort", string(q.Sort))
	}
	v.Set("limit", strconv.Itoa(q.Size))
	v.Set("offset", strconv.Itoa(q.Offset))
	var resp api.SearchResponse
	addr, err := askServer(ctx, cfg, "/api/reviews?"+v.Encode(), &resp)
	if err != nil {
		return nil, addr, err
	}
	res := &index.Result{Total: uint64(resp.Total), Took: time.Duration(resp.TookMS * float64(time.Millisecond))}
	for _, r := range resp.Reviews {
		h := index.Hit{Review: r.Review}
		for field, frags := range r.Highlights {
			if h.Highlights == nil {
				h.Highlights = map[string][]string{}
			}
			for _, parts := range frags {
				var b strings.Builder
				for _, p := range parts {
					if p.Match {
						b.WriteString(index.MarkStart + p.Text + index.MarkEnd)
					} else {
						b.WriteString(p.Text)
					}
				}
				h.Highlights[field] = append(h.Highlights[field], b.String())
			}
		}
		res.Hits = append(res.Hits, h)
	}
	return res, addr, nil
}
