package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/vigie-dev/vigie/internal/review"
)

// aggIndex builds an index of reviews; with extended, its mapping has the
// aggregation fields (AddAggregateMappings, AggregateFields), without, it
// has none of them, whatever NewMapping holds.
func aggIndex(t testing.TB, extended bool, reviews []review.Review) *Index {
	t.Helper()
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	if extended {
		AddAggregateMappings(m.DefaultMapping)
	} else {
		for _, f := range []string{FieldThemeSentiment, FieldReplied, FieldReplyHours} {
			delete(m.DefaultMapping.Properties, f)
		}
	}
	dir := filepath.Join(t.TempDir(), "index")
	b, err := bleve.New(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	x := &Index{path: dir, b: b}
	t.Cleanup(func() { x.Close() })
	batch := b.NewBatch()
	for i := range reviews {
		doc, err := Document(&reviews[i])
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range AggregateFields(&reviews[i]) {
			doc[k] = v // indexed only when mapped
		}
		if err := batch.Index(reviews[i].ID, doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Batch(batch); err != nil {
		t.Fatal(err)
	}
	return x
}

var aggNow = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

// aggReview makes a review published daysAgo days before aggNow.
func aggReview(id, loc string, daysAgo int, stars float64, label string, themes ...string) review.Review {
	r := review.Review{ID: id, Brand: "acme", Location: loc, Source: loc + "-site", Kind: review.KindReview,
		Lang: "fr", Text: "texte " + id, Rating: review.Float(stars),
		PublishedAt: aggNow.Add(-time.Duration(daysAgo)*24*time.Hour - time.Hour)}
	r.Normalize()
	if label != "" {
		r.Sentiment = &review.Sentiment{Label: label, Score: map[string]float64{"positive": 0.8, "negative": -0.7}[label]}
	}
	for _, t := range themes {
		name, tl := t, label
		if n := len(t); n > 4 && t[n-4:] == ":neg" {
			name, tl = t[:n-4], Negative
		}
		r.Themes = append(r.Themes, review.Theme{Name: name, Label: tl})
	}
	return r
}

func aggCorpus() []review.Review {
	rs := []review.Review{
		// lyon: a burst of waiting complaints in the last 14 days.
		aggReview("l1", "lyon", 1, 1, Negative, "waiting"),
		aggReview("l2", "lyon", 2, 2, Negative, "waiting", "service"),
		aggReview("l3", "lyon", 3, 1, Negative, "waiting"),
		aggReview("l4", "lyon", 5, 1, Negative, "waiting"),
		aggReview("l5", "lyon", 9, 5, Positive, "food", "waiting:neg"),
		aggReview("l6", "lyon", 40, 5, Positive, "food"),
		aggReview("l7", "lyon", 70, 4, Positive, "service"),
		aggReview("l8", "lyon", 80, 2, Negative, "waiting"),
		// paris: steady.
		aggReview("p1", "paris", 3, 5, Positive, "food"),
		aggReview("p2", "paris", 20, 4, Positive, "price:neg"),
		aggReview("p3", "paris", 35, 3, Neutral),
		aggReview("p4", "paris", 50, 2, Negative, "price"),
		// not enriched: counts by stars only.
		aggReview("p5", "paris", 4, 1, ""),
	}
	// a survey answer on 0-10 (NPS) and one on 1-5 (CSAT) at paris.
	nps := aggReview("s1", "paris", 2, 9, "")
	nps.Kind, nps.BestRating, nps.WorstRating = review.KindSurvey, review.Float(10), review.Float(0)
	nps.Normalize()
	nps2 := aggReview("s2", "paris", 6, 3, "")
	nps2.Kind, nps2.BestRating, nps2.WorstRating = review.KindSurvey, review.Float(10), review.Float(0)
	nps2.Normalize()
	csat := aggReview("s3", "paris", 6, 4, "")
	csat.Kind = review.KindSurvey
	// replies: l1 after 5 hours, l2 after 2 days, l7 (previous period).
	rs[0].Reply = &review.Reply{Text: "Désolés", PublishedAt: rs[0].PublishedAt.Add(5 * time.Hour)}
	rs[1].Reply = &review.Reply{Text: "Désolés", PublishedAt: rs[1].PublishedAt.Add(48 * time.Hour)}
	rs[6].Reply = &review.Reply{Text: "Merci"}
	return append(rs, nps, nps2, csat)
}

func TestTallyFigures(t *testing.T) {
	tl := Tally{Count: 5, Rated: 4, RatingSum: 3, Positive: 2, Negative: 1, Neutral: 1}
	if v, _ := tl.AvgRating(); v != 4 {
		t.Errorf("avg %v, want 4", v)
	}
	if v, _ := tl.NetSentiment(); v != 25 {
		t.Errorf("net %v, want 25", v)
	}
	if _, ok := (Tally{Count: 3}).NetSentiment(); ok {
		t.Error("net sentiment of unlabelled reviews must be unknown")
	}
}

func TestPeriods(t *testing.T) {
	from := time.Date(2025, 6, 4, 10, 0, 0, 0, time.UTC) // a Wednesday
	to := time.Date(2025, 6, 18, 0, 0, 0, 0, time.UTC)
	ps, err := Weekly.Periods(from, to)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range ps {
		keys = append(keys, fmt.Sprintf("%s %s %v", p.Key, p.Start.Format("01-02"), p.Partial))
	}
	want := []string{"2025-W23 06-02 true", "2025-W24 06-09 false", "2025-W25 06-16 true"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("weeks %q, want %q", keys, want)
	}
	ms, _ := Monthly.Periods(time.Date(2024, 12, 15, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	if len(ms) != 2 || ms[0].Key != "2024-12" || ms[1].Key != "2025-01" || ms[1].Partial {
		t.Errorf("months %+v", ms)
	}
	if _, err := Interval("hour").Periods(from, to); err == nil {
		t.Error("unknown interval accepted")
	}
	if _, err := Daily.Periods(to, from); err == nil {
		t.Error("reversed window accepted")
	}
}

func TestMonthsBetween(t *testing.T) {
	got := monthsBetween(time.Date(2024, 11, 30, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	if want := []string{"2024-11", "2024-12", "2025-01"}; !reflect.DeepEqual(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestFacetsEqualBleve proves that the scan engine counts what bleve's own
// facets count, for queries with text, filters and date windows.
func TestFacetsEqualBleve(t *testing.T) {
	x := aggIndex(t, false, randomCorpus(600, 7))
	ctx := context.Background()
	queries := []Query{
		{},
		{Text: "attente"},
		{Text: "+attente -queue"},
		{Locations: []string{"loc-1", "loc-3"}},
		{Langs: []string{"ru"}, Sentiments: []string{Negative}},
		{Themes: []string{"waiting"}, MinRating: review.Float(2)},
		{From: time.Date(2025, 2, 10, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 5, 3, 12, 0, 0, 0, time.UTC)},
		{Text: "service", Locations: []string{"loc-0"}, From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)},
	}
	fieldOf := map[string]string{FacetLocation: FieldLocation, FacetSource: FieldSource, FacetLang: FieldLang,
		FacetSentiment: FieldSentiment, FacetTheme: FieldThemes, FacetKind: FieldKind}
	for i, q := range queries {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			got, err := x.Facets(ctx, q, 0)
			if err != nil {
				t.Fatal(err)
			}
			bq, err := BuildQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
			for name, field := range fieldOf {
				req.AddFacet(name, bleve.NewFacetRequest(field, 100))
			}
			res, err := x.b.Search(req)
			if err != nil {
				t.Fatal(err)
			}
			if uint64(got.Total) != res.Total {
				t.Errorf("total %d, bleve %d", got.Total, res.Total)
			}
			for name := range fieldOf {
				want := map[string]int{}
				for _, tf := range res.Facets[name].Terms.Terms() {
					want[tf.Term] = tf.Count
				}
				have := map[string]int{}
				for _, fc := range got.Fields[name] {
					have[fc.Value] = fc.Count
				}
				if !reflect.DeepEqual(have, want) {
					t.Errorf("facet %s: %v, bleve %v", name, have, want)
				}
			}
		})
	}
}

// randomCorpus makes n reviews over 2025 in 5 locations.
func randomCorpus(n int, seed uint64) []review.Review {
	rnd := rand.New(rand.NewPCG(seed, 1))
	words := map[string][]string{
		"fr": {"attente", "service", "croissant", "queue", "prix", "propre"},
		"ru": {"очередь", "сервис", "кофе", "цена"},
		"en": {"queue", "service", "coffee", "price", "waiting"},
	}
	langs := []string{"fr", "ru", "en"}
	labels := []string{Positive, Negative, Neutral, Mixed, ""}
	themes := []string{"waiting", "service", "price", "food"}
	out := make([]review.Review, n)
	for i := range out {
		lang := langs[rnd.IntN(3)]
		text := ""
		for range 3 + rnd.IntN(5) {
			ws := words[lang]
			text += ws[rnd.IntN(len(ws))] + " "
		}
		loc := fmt.Sprintf("loc-%d", rnd.IntN(5))
		r := review.Review{ID: fmt.Sprintf("r%04d", i), Brand: "acme", Location: loc, Source: loc + []string{"-site", "-maps"}[rnd.IntN(2)],
			Kind: review.KindReview, Lang: lang, Text: text,
			PublishedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rnd.IntN(365*24*60)) * time.Minute)}
		if rnd.IntN(10) > 0 {
			r.Rating = review.Float(float64(1 + rnd.IntN(5)))
			r.Normalize()
		}
		if l := labels[rnd.IntN(len(labels))]; l != "" {
			r.Sentiment = &review.Sentiment{Label: l}
		}
		for _, th := range themes {
			if rnd.IntN(3) == 0 {
				r.Themes = append(r.Themes, review.Theme{Name: th, Label: labels[rnd.IntN(4)]})
			}
		}
		out[i] = r
	}
	return out
}

func TestTrends(t *testing.T) {
	for _, extended := range []bool{false, true} {
		t.Run(fmt.Sprint("extended=", extended), func(t *testing.T) {
			x := aggIndex(t, extended, aggCorpus())
			ctx := context.Background()
			from := aggNow.AddDate(0, 0, -28)
			tr, err := x.Trends(ctx, TrendQuery{Filter: Query{Locations: []string{"lyon"}, From: from, To: aggNow}, Interval: Weekly, By: SplitTheme})
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Periods) != 5 || tr.Periods[4].Key != "2025-W27" {
				t.Fatalf("periods %+v", tr.Periods)
			}
			if tr.Overall.Total.Count != 5 || tr.Overall.Total.Negative != 4 {
				t.Errorf("overall %+v", tr.Overall.Total)
			}
			if tr.Series[0].Key != "waiting" || tr.Series[0].Total.Count != 5 {
				t.Fatalf("first series %+v", tr.Series[0])
			}
			// l5 is a positive review that complains about waiting: only
			// the per-theme sentiment sees the complaint.
			wantNeg := 4
			if extended {
				wantNeg = 5
			}
			if got := tr.Series[0].Total.Negative; got != wantNeg || tr.PerThemeSentiment != extended {
				t.Errorf("waiting negatives %d (per theme %v), want %d", got, tr.PerThemeSentiment, wantNeg)
			}
			sum := 0
			for _, p := range tr.Overall.Points {
				sum += p.Count
			}
			if sum != 5 {
				t.Errorf("points add up to %d", sum)
			}
			byLoc, err := x.Trends(ctx, TrendQuery{Filter: Query{From: aggNow.AddDate(0, -6, 0), To: aggNow}, Interval: Monthly, By: SplitLocation, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(byLoc.Series) != 1 || byLoc.Series[0].Key != "lyon" || byLoc.Overall.Total.Count != 16 {
				t.Errorf("by location: %+v overall %d", byLoc.Series, byLoc.Overall.Total.Count)
			}
			if _, err := x.Trends(ctx, TrendQuery{Filter: Query{From: from, To: aggNow}, Interval: "year"}); err == nil {
				t.Error("bad interval accepted")
			}
		})
	}
}

func TestLeaderboard(t *testing.T) {
	x := aggIndex(t, true, aggCorpus())
	lb, err := x.Leaderboard(context.Background(), LeaderboardQuery{Filter: Query{From: aggNow.AddDate(0, 0, -30), To: aggNow}})
	if err != nil {
		t.Fatal(err)
	}
	if len(lb.Locations) != 2 || !lb.RepliesKnown || !lb.PerThemeSentiment {
		t.Fatalf("%+v", lb)
	}
	lyon, paris := lb.Locations[0], lb.Locations[1]
	if lyon.Current.Count != 5 || lyon.Previous.Count != 1 {
		t.Errorf("lyon counts %d/%d", lyon.Current.Count, lyon.Previous.Count)
	}
	if got := lyon.NegativeThemes; len(got) == 0 || got[0] != (FacetCount{Value: "waiting", Count: 5}) {
		t.Errorf("lyon negative themes %+v", got)
	}
	if rate, _ := lyon.Replies.Rate(); rate != 2.0/5 {
		t.Errorf("lyon response rate %v (%+v)", rate, lyon.Replies)
	}
	if med, _ := lyon.Replies.MedianHours(); med != 26.5 {
		t.Errorf("lyon median reply %v", med)
	}
	if paris.Survey.NPSAnswers != 2 || paris.Survey.Promoters != 1 || paris.Survey.Detractors != 1 || paris.Survey.CSATAnswers != 1 {
		t.Errorf("paris survey %+v", paris.Survey)
	}
	if nps, _ := paris.Survey.NPS(); nps != 0 {
		t.Errorf("nps %v", nps)
	}
	if _, ok := paris.Replies.Rate(); ok {
		t.Error("paris shows no replies: its rate must be unknown")
	}
	if avg, _ := paris.Current.AvgRating(); avg < 3 || avg > 4 {
		t.Errorf("paris avg %v", avg)
	}

	plain := aggIndex(t, false, aggCorpus())
	lb, err = plain.Leaderboard(context.Background(), LeaderboardQuery{Filter: Query{From: aggNow.AddDate(0, 0, -30), To: aggNow}})
	if err != nil {
		t.Fatal(err)
	}
	if lb.RepliesKnown || lb.PerThemeSentiment {
		t.Error("an index without aggregation fields cannot know replies")
	}
	if _, ok := lb.Locations[0].Replies.Rate(); ok {
		t.Error("reply rate without reply fields")
	}
}

func TestChanges(t *testing.T) {
	x := aggIndex(t, false, aggCorpus())
	ch, err := x.Changes(context.Background(), ChangeQuery{Now: aggNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) == 0 || ch[0].Location != "lyon" {
		t.Fatalf("changes %+v", ch)
	}
	found := false
	for _, c := range ch {
		if c.Location == "lyon" && c.Theme == "waiting" {
			found = true
			if c.RecentNegative != 4 || c.BaselineNegative != 1 {
				t.Errorf("lyon waiting %+v", c)
			}
		}
		if c.Location == "paris" {
			t.Errorf("paris did not change: %+v", c)
		}
	}
	if !found {
		t.Errorf("no lyon waiting change in %+v", ch)
	}
}

func TestEach(t *testing.T) {
	x := aggIndex(t, false, aggCorpus())
	var got []string
	err := x.Each(context.Background(), Query{Locations: []string{"lyon"}, From: aggNow.AddDate(0, 0, -30), To: aggNow}, func(r review.Review) error {
		got = append(got, r.ID)
		if r.Text == "" {
			t.Errorf("%s: no text", r.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"l1", "l2", "l3", "l4", "l5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
	got = nil
	x.Each(context.Background(), Query{Text: "texte", Sort: SortOldest, Locations: []string{"paris"}}, func(r review.Review) error {
		got = append(got, r.ID)
		return nil
	})
	if len(got) != 8 || got[0] != "p4" || got[len(got)-1] != "s1" {
		t.Errorf("oldest first: %q", got)
	}
	if err := x.Each(context.Background(), Query{Sort: SortRating}, func(review.Review) error { return nil }); err == nil {
		t.Error("sort by rating accepted for an export")
	}
}

func TestScanQueryUsesMonths(t *testing.T) {
	q, err := scanQuery(Query{Locations: []string{"a"}, From: time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := q.(*query.ConjunctionQuery)
	if !ok || len(c.Conjuncts) != 2 {
		t.Fatalf("%T %+v", q, q)
	}
	d, ok := c.Conjuncts[1].(*query.DisjunctionQuery)
	if !ok || len(d.Disjuncts) != 2 {
		t.Fatalf("months: %T", c.Conjuncts[1])
	}
	var months []string
	for _, m := range d.Disjuncts {
		months = append(months, m.(*query.TermQuery).Term)
	}
	sort.Strings(months)
	if !reflect.DeepEqual(months, []string{"2025-01", "2025-02"}) {
		t.Errorf("months %q", months)
	}
}

// TestBrowseMatchesSearch checks that the recent-window plan lists the
// same reviews, in the same order, as sorting the whole index by date.
func TestBrowseMatchesSearch(t *testing.T) {
	x := aggIndex(t, false, randomCorpus(400, 3))
	ctx := context.Background()
	now := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, q := range []Query{
		{Size: 10},
		{Size: 10, Offset: 35},
		{Size: 7, Offset: 390},
		{Size: 20, Locations: []string{"loc-2"}},
		{Size: 5, From: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)},
		{Size: 5, To: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)},
	} {
		want := q
		want.Sort = SortNewest
		ws, err := x.Search(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		got, facets, err := x.Find(ctx, q, now, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != ws.Total || uint64(facets.Total) != ws.Total {
			t.Errorf("%+v: total %d (facets %d), want %d", q, got.Total, facets.Total, ws.Total)
		}
		if g, w := hitIDs(got), hitIDs(ws); g != w {
			t.Errorf("%+v:\n got %s\nwant %s", q, g, w)
		}
	}
}

func hitIDs(r *Result) string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Review.ID)
	}
	return fmt.Sprint(out)
}

// TestColumnsEqualDocValues checks the column cache against bleve's doc
// values and facets on an index of several segments, with reviews
// updated (their old version deleted) and deleted between queries.
func TestColumnsEqualDocValues(t *testing.T) {
	ctx := context.Background()
	corpus := randomCorpus(900, 11)
	for i := range corpus {
		if i%7 == 0 {
			corpus[i].Reply = &review.Reply{Text: "merci", PublishedAt: corpus[i].PublishedAt.Add(time.Duration(i%50) * time.Hour)}
		}
	}
	x := aggIndex(t, true, corpus[:300])
	add := func(rs []review.Review) {
		b := x.b.NewBatch()
		for i := range rs {
			doc, err := Document(&rs[i])
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range AggregateFields(&rs[i]) {
				doc[k] = v
			}
			b.Index(rs[i].ID, doc)
		}
		if err := x.b.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	compare := func(stage string) {
		t.Helper()
		from, to := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
		run := func() string {
			f, err := x.Facets(ctx, Query{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := x.Trends(ctx, TrendQuery{Filter: Query{From: from, To: to}, Interval: Monthly, By: SplitTheme})
			if err != nil {
				t.Fatal(err)
			}
			lb, err := x.Leaderboard(ctx, LeaderboardQuery{Filter: Query{Text: "service", From: from, To: to}})
			if err != nil {
				t.Fatal(err)
			}
			for i := range lb.Locations {
				sort.Float64s(lb.Locations[i].Replies.Hours)
			}
			ch, err := x.Changes(ctx, ChangeQuery{Now: to, MinCount: 1})
			if err != nil {
				t.Fatal(err)
			}
			// The dashboard's default view: everything, newest first (from
			// the segments' summaries), and the same for a brand.
			var lists []string
			for _, q := range []Query{{Size: 25}, {Size: 10, Offset: 20}, {Size: 25, Brands: []string{"acme"}}} {
				res, fs, err := x.Find(ctx, q, to, 0)
				if err != nil {
					t.Fatal(err)
				}
				lists = append(lists, fmt.Sprintf("%d %s %v", res.Total, hitIDs(res), fs))
			}
			return fmt.Sprintf("%v\n%+v\n%+v\n%+v\n%v", f, tr, lb.Locations, ch, lists)
		}
		scanColumns = false
		want := run()
		scanColumns = true
		if got := run(); got != want {
			t.Errorf("%s: the columns disagree with the doc values:\n got %.600s\nwant %.600s", stage, got, want)
		}
	}
	compare("one segment")
	add(corpus[300:600])
	add(corpus[600:])
	compare("three segments")
	changed := append([]review.Review(nil), corpus[100:200]...)
	for i := range changed {
		changed[i].Location = "loc-9"
		changed[i].Sentiment = &review.Sentiment{Label: Negative}
		changed[i].Themes = []review.Theme{{Name: "waiting", Label: Negative}}
	}
	add(changed)
	for _, r := range corpus[700:750] {
		if err := x.b.Delete(r.ID); err != nil {
			t.Fatal(err)
		}
	}
	compare("after updates and deletions")
	f, _ := x.Facets(ctx, Query{Locations: []string{"loc-9"}}, 0)
	if f.Total != 100 {
		t.Errorf("loc-9 holds %d reviews, want the 100 updated", f.Total)
	}
	n, _ := x.Count()
	if f, _ := x.Facets(ctx, Query{}, 0); uint64(f.Total) != n {
		t.Errorf("facets count %d reviews, the index %d", f.Total, n)
	}
}

// TestFindCountsInOnePass checks the facets counted during the search
// against those of a separate scan.
func TestFindCountsInOnePass(t *testing.T) {
	x := aggIndex(t, false, randomCorpus(500, 5))
	ctx := context.Background()
	for _, q := range []Query{
		{Text: "attente"}, {Text: "service queue", Size: 3}, {Text: "+coffee -price", Sort: SortRating},
		{Text: "cofee~1", Locations: []string{"loc-1"}}, {Text: "очередь", From: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)},
	} {
		res, got, err := x.Find(ctx, q, time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		want, err := x.Facets(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || uint64(got.Total) != res.Total {
			t.Errorf("%+v:\n got %+v\nwant %+v (total %d)", q, got, want, res.Total)
		}
	}
}

// TestFindNewestLikeSearch checks the page of a text search sorted by
// date, chosen from the column cache, against bleve's sort.
func TestFindNewestLikeSearch(t *testing.T) {
	x := aggIndex(t, false, randomCorpus(600, 7))
	ctx := context.Background()
	for _, q := range []Query{
		{Text: "attente", Size: 10}, {Text: "service queue", Size: 7, Offset: 12}, {Text: "+coffee -price", Size: 20},
		{Text: "очередь", Size: 5, Locations: []string{"loc-1", "loc-3"}}, {Text: "attente", Size: 10, Offset: 10_000},
	} {
		q.Sort = SortNewest
		got, _, err := x.Find(ctx, q, time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		want, err := x.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total || hitIDs(got) != hitIDs(want) {
			t.Errorf("%+v:\n got %d %s\nwant %d %s", q, got.Total, hitIDs(got), want.Total, hitIDs(want))
		}
		if q.Offset < 100 && len(got.Hits) == 0 {
			t.Errorf("%+v: no hits", q)
		}
	}
}

// TestFindHighlightsLikeSearch checks the highlights Find adds after the
// search against those Search makes.
func TestFindHighlightsLikeSearch(t *testing.T) {
	x := aggIndex(t, false, append(randomCorpus(200, 9), corpus...))
	ctx := context.Background()
	for _, text := range []string{"attente", "serveurs", "queue coffee", "официантки", `"coffee was great"`, "croiss*"} {
		q := Query{Text: text, Size: 50, Highlight: true, Sort: SortNewest}
		want, err := x.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := x.Find(ctx, q, time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Hits) != len(want.Hits) {
			t.Fatalf("%s: %d hits, want %d", text, len(got.Hits), len(want.Hits))
		}
		for i := range got.Hits {
			g, w := got.Hits[i].Highlights, want.Hits[i].Highlights
			for _, m := range []map[string][]string{g, w} {
				for k := range m {
					sort.Strings(m[k])
				}
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s, %s: highlights %q, want %q", text, got.Hits[i].Review.ID, g, w)
			}
		}
	}
}
