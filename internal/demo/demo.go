// Package demo is the bundled demo of `vigie demo`: a review site for
// Maison Colette, a fictional chain of bakery-cafés with 14 locations in
// France, Russia, the United Kingdom and Canada, served from data embedded
// in the binary, and the configuration that points Vigie at it.
//
// The site (Handler) publishes about 2,760 reviews written in French,
// Russian and English over the last 18 months: half of the locations as
// schema.org JSON-LD, the other half as microdata, 20 reviews a page with
// rel="next" pagination, a robots.txt that the crawler must obey and an
// /admin/ area it must not enter.
//
// # The data
//
// data/reviews.jsonl is written by the generator in ./gen (go generate)
// from hand-written phrase banks and a fixed seed; a test fails if it drifts
// from what the generator writes. Each line holds a review: its external id,
// location, days_ago and local time of day, author, rating, optional title,
// text, optional owner reply, and, for tests and evaluation only, its
// language and the themes it talks about with their polarity (the site
// publishes neither).
//
// Dates never go stale: the site renders each review relative to its epoch.
// days_ago counts back from a reference Sunday, and the site keeps each
// review's weekday and week: a review 7w+d days before that Sunday is
// published in the w-th week before the epoch on the same weekday, never
// after the epoch. When the epoch is a Sunday the date is exactly the epoch
// minus days_ago; otherwise it moves by at most six days, and windows of
// whole weeks ("the last 14 days") keep exactly the same reviews. This is
// what keeps the weekly seasonality (busier weekends) on real weekends.
//
// # Planted patterns
//
// The data holds patterns that the product should reveal (PATTERNS.md has
// the figures):
//
//   - lyon-part-dieu: a burst of 30 reviews rated 1-2 about waiting time in
//     the last 14 days (queues, missed trains), against a usual rate of about
//     one review a month complaining about waiting there;
//   - bordeaux-chartrons: steady improvement over 18 months, from an average
//     rating of about 2.8 in the first quarter to about 4.4 in the last, as
//     early complaints about dirty rooms and rude staff give way to praise
//     of a new team;
//   - themes differ by city: Paris complains about prices, Moscow praises
//     delivery and service, London complains about noise and queues, Saint
//     Petersburg about cleanliness, Lille about opening hours, and Montréal
//     raves about food and brunch;
//   - weekly seasonality (about twice as many reviews on Saturdays and
//     Sundays as on Mondays) and volume by location, from 340 reviews at the
//     flagship paris-opera to 82 at the quiet kazan-baumana;
//   - languages: French locations mostly French with about 10% English,
//     Russian ones about 95% Russian, British ones about 90% English with
//     some French, Montréal 60% French and 40% English; owner replies (about
//     a fifth of the reviews) are in the location's language.
package demo

//go:generate go run ./gen -out data

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	// The site publishes dates with each city's offset; the binary must
	// know the zones even where the system has no tz database.
	_ "time/tzdata"

	"github.com/vigie-dev/vigie/internal/demo/brand"
)

//go:embed data/reviews.jsonl
var reviewsJSONL []byte

// Location is one café of the demo brand.
type Location struct {
	ID, Name, Address, City, Country string
	Lat, Lon                         float64
	Tags                             []string
	// Markup is how the location's review page publishes its reviews:
	// "jsonld" or "microdata".
	Markup string
}

// Brand returns the demo brand's id and name.
func Brand() (id, name string) { return brand.ID, brand.Name }

// Locations returns the demo brand's locations in a fixed order.
func Locations() []Location {
	ls := brand.Locations()
	out := make([]Location, len(ls))
	for i, l := range ls {
		out[i] = Location{
			ID: l.ID, Name: l.Name, Address: l.Address, City: l.City, Country: l.Country,
			Lat: l.Lat, Lon: l.Lon, Tags: l.Tags, Markup: l.Markup,
		}
	}
	return out
}

// ReviewCount returns the number of reviews the demo site publishes.
func ReviewCount() int { return len(loadReviews()) }

// record is one line of data/reviews.jsonl.
type record struct {
	ID       string       `json:"id"`
	Location string       `json:"location"`
	DaysAgo  int          `json:"days_ago"`
	Time     string       `json:"time"`
	Author   string       `json:"author"`
	Rating   int          `json:"rating"`
	Title    string       `json:"title"`
	Text     string       `json:"text"`
	Lang     string       `json:"lang"`
	Themes   []string     `json:"themes"`
	Reply    *replyRecord `json:"reply"`
}

type replyRecord struct {
	Author    string `json:"author"`
	Text      string `json:"text"`
	DaysAfter int    `json:"days_after"`
	Time      string `json:"time"`
}

var loadReviews = sync.OnceValue(func() []record {
	recs, err := parseReviews(reviewsJSONL)
	if err != nil {
		panic(err) // the embedded file is checked by the tests
	}
	return recs
})

func parseReviews(data []byte) ([]record, error) {
	var out []record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("demo: reviews.jsonl:%d: %w", n, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("demo: reviews.jsonl: %w", err)
	}
	return out, nil
}
