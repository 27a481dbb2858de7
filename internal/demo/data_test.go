package demo

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/vigie-dev/vigie/internal/demo/brand"
)

// dataDays is how far back days_ago goes (77 weeks): with the weekday
// mapping, no date is older than 545 days, within 18 months.
const dataDays = 7 * 77

func byLocation() map[string][]record {
	m := map[string][]record{}
	for _, r := range loadReviews() {
		m[r.Location] = append(m[r.Location], r)
	}
	return m
}

func hasTheme(r record, theme string) bool { return slices.Contains(r.Themes, theme) }

func TestDataShape(t *testing.T) {
	recs := loadReviews()
	if n := ReviewCount(); n < 2000 || n != len(recs) {
		t.Fatalf("ReviewCount() = %d, want at least 2000 and %d", n, len(recs))
	}
	locs := Locations()
	if len(locs) < 10 {
		t.Fatalf("%d locations, want at least 10", len(locs))
	}
	countries := map[string]bool{}
	known := map[string]bool{}
	markups := map[string]int{}
	for _, l := range locs {
		countries[l.Country] = true
		known[l.ID] = true
		markups[l.Markup]++
		if l.Name == "" || l.Address == "" || l.City == "" || l.Lat == 0 || l.Lon == 0 || len(l.Tags) == 0 {
			t.Errorf("location %s is incomplete: %+v", l.ID, l)
		}
		if !regexp.MustCompile(`^[a-z0-9-]+$`).MatchString(l.ID) {
			t.Errorf("location id %q is not a lower-case slug", l.ID)
		}
	}
	for _, c := range []string{"FR", "RU", "GB", "CA"} {
		if !countries[c] {
			t.Errorf("no location in %s", c)
		}
	}
	if markups["jsonld"] == 0 || markups["microdata"] == 0 || markups["jsonld"]+markups["microdata"] != len(locs) {
		t.Errorf("markups = %v, want both jsonld and microdata and nothing else", markups)
	}
	if id, name := Brand(); id != "maison-colette" || name != "Maison Colette" {
		t.Errorf("Brand() = %q, %q", id, name)
	}

	ids := map[string]bool{}
	for _, r := range recs {
		if ids[r.ID] {
			t.Errorf("external id %s is used twice", r.ID)
		}
		ids[r.ID] = true
		switch {
		case !known[r.Location]:
			t.Errorf("%s: unknown location %q", r.ID, r.Location)
		case r.Rating < 1 || r.Rating > 5:
			t.Errorf("%s: rating %d", r.ID, r.Rating)
		case strings.TrimSpace(r.Text) == "" || r.Author == "":
			t.Errorf("%s: empty text or author", r.ID)
		case r.DaysAgo < 0 || r.DaysAgo >= dataDays:
			t.Errorf("%s: days_ago %d out of [0, %d)", r.ID, r.DaysAgo, dataDays)
		case !regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`).MatchString(r.Time):
			t.Errorf("%s: time %q", r.ID, r.Time)
		case r.Lang != "fr" && r.Lang != "ru" && r.Lang != "en":
			t.Errorf("%s: lang %q", r.ID, r.Lang)
		case strings.ContainsAny(r.Text, "{}") || strings.Contains(r.Text, "{@"):
			t.Errorf("%s: template left in text %q", r.ID, r.Text)
		}
		if r.Reply != nil && (r.DaysAgo < 7 || r.Reply.DaysAfter < 0 || r.Reply.Text == "" || r.Reply.Author == "") {
			t.Errorf("%s: bad reply %+v", r.ID, r.Reply)
		}
	}
}

// script says which alphabet a text is mostly written in.
func script(s string) string {
	cyr, lat := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	if cyr > lat {
		return "cyrillic"
	}
	return "latin"
}

func TestLanguages(t *testing.T) {
	country := map[string]string{}
	for _, l := range Locations() {
		country[l.ID] = l.Country
	}
	counts := map[string]map[string]int{}
	total := map[string]int{}
	all := map[string]int{}
	for _, r := range loadReviews() {
		c := country[r.Location]
		if counts[c] == nil {
			counts[c] = map[string]int{}
		}
		counts[c][r.Lang]++
		total[c]++
		all[r.Lang]++
		if want := map[string]string{"ru": "cyrillic", "fr": "latin", "en": "latin"}[r.Lang]; script(r.Text) != want && !strings.Contains(r.Text, "Wi-Fi") {
			t.Errorf("%s: lang %s but %s text: %q", r.ID, r.Lang, script(r.Text), r.Text)
		}
	}
	share := func(c, lang string) float64 { return float64(counts[c][lang]) / float64(total[c]) }
	for _, w := range []struct {
		country, lang string
		lo, hi        float64
	}{
		{"FR", "fr", 0.82, 0.95}, {"FR", "en", 0.05, 0.18},
		{"RU", "ru", 0.9, 0.99}, {"RU", "en", 0.02, 0.1},
		{"GB", "en", 0.82, 0.95}, {"GB", "fr", 0.05, 0.18},
		{"CA", "fr", 0.5, 0.7}, {"CA", "en", 0.3, 0.5},
	} {
		if s := share(w.country, w.lang); s < w.lo || s > w.hi {
			t.Errorf("%s reviews in %s: %.2f, want %.2f..%.2f", w.country, w.lang, s, w.lo, w.hi)
		}
	}
	n := len(loadReviews())
	for lang, c := range all {
		if float64(c)/float64(n) < 0.15 {
			t.Errorf("only %d reviews in %s", c, lang)
		}
	}
}

func TestVolumeAndShape(t *testing.T) {
	by := byLocation()
	most, least := 0, 1<<30
	for _, rs := range by {
		most, least = max(most, len(rs)), min(least, len(rs))
	}
	if most < 300 || least > 100 {
		t.Errorf("busiest location has %d reviews, quietest %d: want a flagship over 300 and a quiet one under 100", most, least)
	}

	recs := loadReviews()
	words := regexp.MustCompile(`[\p{L}\p{N}'’-]+`)
	short, replies, titles := 0, 0, 0
	var weekday [7]int // by days_ago % 7: Sunday, Saturday, ..., Monday
	for _, r := range recs {
		if len(words.FindAllString(r.Text, -1)) <= 12 {
			short++
		}
		if r.Reply != nil {
			replies++
		}
		if r.Title != "" {
			titles++
		}
		weekday[r.DaysAgo%7]++
	}
	n := float64(len(recs))
	for name, got := range map[string]struct {
		v      float64
		lo, hi float64
	}{
		"short reviews": {float64(short) / n, 0.15, 0.27},
		"replies":       {float64(replies) / n, 0.15, 0.25},
		"titles":        {float64(titles) / n, 0.2, 0.45},
	} {
		if got.v < got.lo || got.v > got.hi {
			t.Errorf("%s: %.2f, want %.2f..%.2f", name, got.v, got.lo, got.hi)
		}
	}
	weekend := float64(weekday[0]+weekday[1]) / 2
	weekdays := float64(weekday[3]+weekday[4]+weekday[5]+weekday[6]) / 4
	if weekend < 1.5*weekdays {
		t.Errorf("weekend days average %.0f reviews, Monday to Thursday %.0f: want busier weekends", weekend, weekdays)
	}
}

// The text agrees with the rating most of the time, and mixed reviews
// exist.
func TestCoherence(t *testing.T) {
	var fives, fivesNeg, ones, onesPos, mixed int
	recs := loadReviews()
	for _, r := range recs {
		p, n := 0, 0
		for _, th := range r.Themes {
			switch {
			case strings.HasSuffix(th, ":pos"):
				p++
			case strings.HasSuffix(th, ":neg"):
				n++
			}
		}
		if p > 0 && n > 0 {
			mixed++
		}
		switch r.Rating {
		case 5:
			fives++
			if n > p {
				fivesNeg++
			}
		case 1:
			ones++
			if p > n {
				onesPos++
			}
		}
	}
	if f := float64(fivesNeg) / float64(fives); f > 0.1 || fivesNeg == 0 {
		t.Errorf("%d of %d five-star reviews are mostly negative: want a few, under 10%%", fivesNeg, fives)
	}
	if f := float64(onesPos) / float64(ones); f > 0.1 || onesPos == 0 {
		t.Errorf("%d of %d one-star reviews are mostly positive: want a few, under 10%%", onesPos, ones)
	}
	if f := float64(mixed) / float64(len(recs)); f < 0.1 {
		t.Errorf("only %.0f%% of reviews are mixed", f*100)
	}
}

var waitWords = map[string]*regexp.Regexp{
	"fr": regexp.MustCompile(`(?i)attente|attend|queue|file|patient|poireaut`),
	"en": regexp.MustCompile(`(?i)wait|queue`),
	"ru": regexp.MustCompile(`(?i)очеред|ждать|ждал|жду|ждём|ждем|ждёшь|ожидан|подожд|прожд`),
}

// The burst: Lyon Part-Dieu gets about 30 reviews rated 1-2 about waiting
// in the last 14 days, against about one review a month complaining about
// waiting before.
func TestWaitingBurst(t *testing.T) {
	var recent, earlier, keyword int
	for _, r := range byLocation()["lyon-part-dieu"] {
		if !hasTheme(r, "waiting:neg") {
			continue
		}
		if r.DaysAgo < 14 {
			if r.Rating <= 2 {
				recent++
				if waitWords[r.Lang].MatchString(r.Text) {
					keyword++
				}
			}
		} else {
			earlier++
		}
	}
	monthly := float64(earlier) / (float64(dataDays-14) / 30.44)
	t.Logf("lyon-part-dieu: %d negative waiting reviews in the last 14 days, %.2f a month before", recent, monthly)
	if recent < 25 || recent > 40 {
		t.Errorf("%d negative waiting reviews in the last 14 days, want 25..40", recent)
	}
	if monthly < 0.5 || monthly > 2 {
		t.Errorf("usual rate of negative waiting reviews: %.2f a month, want about 1", monthly)
	}
	if float64(recent) < 10*monthly {
		t.Errorf("the burst (%d in 14 days) does not stand out from %.2f a month", recent, monthly)
	}
	if keyword < recent*9/10 {
		t.Errorf("only %d of %d burst reviews name the wait or the queue", keyword, recent)
	}
	// The other locations have no such burst.
	for id, rs := range byLocation() {
		if id == "lyon-part-dieu" {
			continue
		}
		n := 0
		for _, r := range rs {
			if r.DaysAgo < 14 && r.Rating <= 2 && hasTheme(r, "waiting:neg") {
				n++
			}
		}
		if n > 4 {
			t.Errorf("%s also has %d negative waiting reviews in the last 14 days", id, n)
		}
	}
}

// Bordeaux Chartrons improves steadily over 18 months.
func TestImprovingTrend(t *testing.T) {
	rs := byLocation()["bordeaux-chartrons"]
	var sum, n [6]float64 // quarters, oldest first
	var early, late map[string]int = map[string]int{}, map[string]int{}
	for _, r := range rs {
		q := 5 - min(r.DaysAgo/91, 5)
		sum[q] += float64(r.Rating)
		n[q]++
		for _, th := range r.Themes {
			if q <= 1 {
				early[th]++
			} else if q >= 4 {
				late[th]++
			}
		}
	}
	var avg [6]float64
	for q := range avg {
		avg[q] = sum[q] / n[q]
	}
	t.Logf("bordeaux-chartrons quarterly averages: %.2f", avg)
	if avg[0] > 3.0 || avg[5] < 4.2 {
		t.Errorf("first quarter %.2f, last %.2f: want about 2.7 rising to about 4.4", avg[0], avg[5])
	}
	for q := 1; q < 6; q++ {
		if avg[q] < avg[q-1]-0.15 {
			t.Errorf("quarter %d (%.2f) falls back from quarter %d (%.2f)", q, avg[q], q-1, avg[q-1])
		}
	}
	if early["cleanliness:neg"]+early["service:neg"] < 3*(late["cleanliness:neg"]+late["service:neg"])/2 ||
		late["cleanliness:pos"]+late["service:pos"] < 3*(early["cleanliness:pos"]+early["service:pos"])/2 {
		t.Errorf("complaints about cleanliness and staff should give way to praise: early %v, late %v", early, late)
	}
}

// Each city has its own subject, visible in theme counts.
func TestCityThemes(t *testing.T) {
	city := map[string]string{}
	for _, l := range brand.Locations() {
		city[l.ID] = l.City
	}
	reviews := map[string]int{}
	themes := map[string]map[string]int{}
	for _, r := range loadReviews() {
		c := city[r.Location]
		reviews[c]++
		if themes[c] == nil {
			themes[c] = map[string]int{}
		}
		for _, th := range r.Themes {
			themes[c][th]++
		}
	}
	share := func(c, th string) float64 { return float64(themes[c][th]) / float64(reviews[c]) }
	others := func(c, th string, skip ...string) float64 {
		var hits, n int
		for o := range reviews {
			if o != c && !slices.Contains(skip, o) {
				hits += themes[o][th]
				n += reviews[o]
			}
		}
		return float64(hits) / float64(n)
	}
	for _, w := range []struct {
		city, theme string
		factor      float64
		skip        []string
	}{
		{"Paris", "price:neg", 2, nil},
		{"Moscow", "ordering:pos", 2, nil},
		{"Moscow", "service:pos", 1.3, nil},
		{"London", "ambience:neg", 2, nil},
		{"London", "waiting:neg", 2, []string{"Lyon"}},
		{"Saint Petersburg", "cleanliness:neg", 2, nil},
		{"Lille", "hours:neg", 3, nil},
		{"Montréal", "food:pos", 1.5, nil},
	} {
		got, base := share(w.city, w.theme), others(w.city, w.theme, w.skip...)
		if got < w.factor*base {
			t.Errorf("%s: %s in %.0f%% of reviews, elsewhere %.0f%%: want %.1f times more", w.city, w.theme, got*100, base*100, w.factor)
		}
	}
}

func TestDatesStayWithin18Months(t *testing.T) {
	tzs := map[string]*time.Location{}
	for _, l := range brand.Locations() {
		tz, err := time.LoadLocation(l.TZ)
		if err != nil {
			t.Fatal(err)
		}
		tzs[l.ID] = tz
	}
	// A week of epochs, across the spring change of clocks in Europe.
	for d := range 7 {
		epoch := time.Date(2026, 3, 25+d, 6, 30, 0, 0, time.UTC)
		t.Run(epoch.Format("Mon"), func(t *testing.T) {
			oldest := epoch.AddDate(0, -18, 0)
			for _, r := range loadReviews() {
				tz := tzs[r.Location]
				at := publishedAt(epoch, tz, r.DaysAgo, r.Time)
				if at.After(epoch) || at.Before(oldest) {
					t.Fatalf("%s: days_ago %d published %v, not within 18 months before %v", r.ID, r.DaysAgo, at, epoch)
				}
				if want := time.Weekday((7 - r.DaysAgo%7) % 7); at.Weekday() != want {
					t.Fatalf("%s: days_ago %d published on a %v, want a %v", r.ID, r.DaysAgo, at.Weekday(), want)
				}
				if at.Format("15:04") != r.Time {
					t.Fatalf("%s: published at %s local time, want %s", r.ID, at.Format("15:04"), r.Time)
				}
				e := epoch.In(tz)
				days := int(time.Date(e.Year(), e.Month(), e.Day(), 12, 0, 0, 0, time.UTC).Sub(
					time.Date(at.Year(), at.Month(), at.Day(), 12, 0, 0, 0, time.UTC)).Hours() / 24)
				if (days < 14) != (r.DaysAgo < 14) || days/7 < r.DaysAgo/7 || days/7 > r.DaysAgo/7+1 {
					t.Fatalf("%s: days_ago %d published %d days before the epoch", r.ID, r.DaysAgo, days)
				}
			}
		})
	}
	// On a Sunday the date is exactly the epoch minus days_ago.
	sunday := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	paris := tzs["paris-opera"]
	if got := publishedAt(sunday, paris, 10, "09:15"); got.Format(time.DateTime) != "2026-03-12 09:15:00" {
		t.Errorf("published %v, want 12 March at 09:15", got)
	}
}

func TestHumanDates(t *testing.T) {
	d := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	first := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		lang string
		at   time.Time
		want string
	}{
		{"fr", d, "12 mars 2026"}, {"fr-CA", first, "1er mars 2026"}, {"ru", d, "12 марта 2026 г."},
		{"en-GB", d, "12 March 2026"}, {"ru", time.Date(2025, 8, 3, 0, 0, 0, 0, time.UTC), "3 августа 2025 г."},
	} {
		if got := humanDate(c.at, c.lang); got != c.want {
			t.Errorf("humanDate(%v, %s) = %q, want %q", c.at, c.lang, got, c.want)
		}
	}
	for n, want := range map[int]string{1: "1 отзыв", 3: "3 отзыва", 11: "11 отзывов", 21: "21 отзыв", 112: "112 отзывов", 344: "344 отзыва"} {
		if got := uis["ru"].count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
	if got := fmt.Sprint(decimal(4.25, "fr"), " ", decimal(4.25, "en")); got != "4,3 4.3" && got != "4,2 4.2" {
		t.Errorf("decimal = %q", got)
	}
}
