package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/internal/demo/brand"
)

// PageSize is the number of reviews on one page of a location.
const PageSize = 20

// isoFormat is RFC 3339 with the offset always written as digits
// ("+00:00" in London in winter, not "Z"): dates carry the city's offset.
const isoFormat = "2006-01-02T15:04:05-07:00"

// Handler serves the demo review site with dates relative to epoch:
//
//	/robots.txt                          disallows /admin/ and sorted listings
//	/sitemap.xml                         the locations' review pages
//	/                                    the list of locations
//	/locations/{id}/reviews[?page=N]     20 reviews a page, newest first, rel=next
//	/locations/{id}/reviews?sort=rating  best first (disallowed by robots.txt)
//	/locations/{id}/reviews/{review}     one review (its permalink)
//	/admin/                              403
//
// Everything else is a 404. Pages are the same for the same epoch and host.
func Handler(epoch time.Time) http.Handler {
	s := newSite(epoch)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", s.robots)
	mux.HandleFunc("GET /sitemap.xml", s.sitemap)
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /locations/{id}/reviews", s.reviews)
	mux.HandleFunc("GET /locations/{id}/reviews/{review}", s.permalink)
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		s.error(w, http.StatusForbidden, "Forbidden: this area is for Maison Colette staff only.")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.error(w, http.StatusNotFound, "Page not found.")
	})
	return mux
}

type site struct {
	epoch time.Time
	locs  []*locSite
	byID  map[string]*locSite
}

type locSite struct {
	loc      brand.Location
	tz       *time.Location
	recent   []*entry // newest first
	byRating []*entry // best first, then newest
	byExt    map[string]*entry
	avg      float64
}

type entry struct {
	rec     *record
	at      time.Time
	replyAt time.Time
}

func newSite(epoch time.Time) *site {
	s := &site{epoch: epoch, byID: map[string]*locSite{}}
	for _, l := range brand.Locations() {
		tz, err := time.LoadLocation(l.TZ)
		if err != nil {
			panic(fmt.Sprintf("demo: time zone of %s: %v", l.ID, err))
		}
		ls := &locSite{loc: l, tz: tz, byExt: map[string]*entry{}}
		s.locs = append(s.locs, ls)
		s.byID[l.ID] = ls
	}
	recs := loadReviews()
	sum := map[string]int{}
	for i := range recs {
		rec := &recs[i]
		ls := s.byID[rec.Location]
		if ls == nil {
			continue
		}
		e := &entry{rec: rec, at: publishedAt(epoch, ls.tz, rec.DaysAgo, rec.Time)}
		if rec.Reply != nil {
			e.replyAt = replyAt(epoch, e.at, rec.Reply.DaysAfter, rec.Reply.Time)
		}
		ls.recent = append(ls.recent, e)
		ls.byExt[rec.ID] = e
		sum[rec.Location] += rec.Rating
	}
	for _, ls := range s.locs {
		slices.SortStableFunc(ls.recent, func(a, b *entry) int {
			if c := b.at.Compare(a.at); c != 0 {
				return c
			}
			return strings.Compare(a.rec.ID, b.rec.ID)
		})
		ls.byRating = slices.Clone(ls.recent)
		slices.SortStableFunc(ls.byRating, func(a, b *entry) int { return b.rec.Rating - a.rec.Rating })
		if n := len(ls.recent); n > 0 {
			ls.avg = float64(sum[ls.loc.ID]) / float64(n)
		}
	}
	return s
}

// baseURL is the site's origin as the client reached it, for absolute URLs
// in structured data.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *site) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "# Maison Colette, the demo review site of Vigie\nUser-agent: *\nDisallow: /admin/\nDisallow: /*?sort=\n\nSitemap: %s/sitemap.xml\n", baseURL(r))
}

func (s *site) sitemap(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	fmt.Fprintf(&b, "  <url><loc>%s/</loc></url>\n", baseURL(r))
	for _, ls := range s.locs {
		fmt.Fprintf(&b, "  <url><loc>%s/locations/%s/reviews</loc></url>\n", baseURL(r), ls.loc.ID)
	}
	b.WriteString("</urlset>\n")
	w.Write([]byte(b.String()))
}

// ui holds the words of the site in each language.
type ui struct {
	Tagline, AllCafes, SortBy, SortRecent, SortRating, Prev, Next, ReplyFrom, Permalink, Footer, Rated string
	count                                                                                              func(n int) string
	rangeOf                                                                                            func(from, to, total int) string
	pageOf                                                                                             func(page, pages int) string
}

var uis = map[string]ui{
	"fr": {
		Tagline: "Boulangerie · Café", AllCafes: "Tous nos cafés", SortBy: "Trier :", SortRecent: "les plus récents",
		SortRating: "les mieux notés", Prev: "« Précédent", Next: "Suivant »", ReplyFrom: "Réponse de", Permalink: "Lien",
		Footer: "Site de démonstration de Vigie. Maison Colette et ses avis sont fictifs.", Rated: "Note :",
		count:   func(n int) string { return fmt.Sprintf("%d avis", n) },
		rangeOf: func(a, b, n int) string { return fmt.Sprintf("Avis %d à %d sur %d", a, b, n) },
		pageOf:  func(p, n int) string { return fmt.Sprintf("Page %d sur %d", p, n) },
	},
	"ru": {
		Tagline: "Пекарня · Кафе", AllCafes: "Все наши кафе", SortBy: "Сортировка:", SortRecent: "сначала новые",
		SortRating: "сначала лучшие", Prev: "« Назад", Next: "Дальше »", ReplyFrom: "Ответ:", Permalink: "Ссылка",
		Footer: "Демонстрационный сайт Vigie. Maison Colette и отзывы вымышлены.", Rated: "Оценка:",
		count: func(n int) string {
			return fmt.Sprintf("%d %s", n, ruPlural(n, "отзыв", "отзыва", "отзывов"))
		},
		rangeOf: func(a, b, n int) string { return fmt.Sprintf("Отзывы %d–%d из %d", a, b, n) },
		pageOf:  func(p, n int) string { return fmt.Sprintf("Страница %d из %d", p, n) },
	},
	"en": {
		Tagline: "Bakery · Café", AllCafes: "All our cafés", SortBy: "Sort by:", SortRecent: "most recent",
		SortRating: "highest rated", Prev: "« Previous", Next: "Next »", ReplyFrom: "Reply from", Permalink: "Link",
		Footer: "Demo site of Vigie. Maison Colette and its reviews are fictional.", Rated: "Rated",
		count: func(n int) string {
			if n == 1 {
				return "1 review"
			}
			return fmt.Sprintf("%d reviews", n)
		},
		rangeOf: func(a, b, n int) string { return fmt.Sprintf("Reviews %d–%d of %d", a, b, n) },
		pageOf:  func(p, n int) string { return fmt.Sprintf("Page %d of %d", p, n) },
	},
}

func uiFor(lang string) ui {
	if u, ok := uis[base(lang)]; ok {
		return u
	}
	return uis["en"]
}

type pageData struct {
	Lang, Title, Canonical string
	PrevURL, NextURL       string
	Breadcrumb, JSONLD     template.JS
	Micro, DateMeta        bool
	Loc                    brand.Location
	T                      ui
	Avg, AvgValue, Count   string
	Total                  int
	Stars                  string
	RangeText, PageText    string
	SortRecent, SortRating string
	Sorted, Single         bool
	Reviews                []reviewView
}

type reviewView struct {
	ID, Permalink, Author, Title, Text, ISO, Human, Stars string
	// IRI identifies the review independently of the host and port the
	// demo site runs on, so that its identity survives a move.
	IRI    string
	Lines  []string // Text's lines, joined by <br>
	Rating int
	Reply  *replyView
}

type replyView struct {
	Author, ISO, Human, Text string
	Lines                    []string
}

func (s *site) reviews(w http.ResponseWriter, r *http.Request) {
	ls := s.byID[r.PathValue("id")]
	if ls == nil {
		s.error(w, http.StatusNotFound, "No such café.")
		return
	}
	q := r.URL.Query()
	page := 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			s.error(w, http.StatusNotFound, "No such page.")
			return
		}
		page = n
	}
	list, sorted := ls.recent, false
	if q.Get("sort") == "rating" {
		list, sorted = ls.byRating, true
	}
	pages := max(1, (len(list)+PageSize-1)/PageSize)
	if page > pages {
		s.error(w, http.StatusNotFound, "No such page.")
		return
	}
	from, to := (page-1)*PageSize, min(page*PageSize, len(list))
	path := "/locations/" + ls.loc.ID + "/reviews"
	// sort comes first in the query, so that robots.txt's /*?sort= covers
	// every sorted page.
	link := func(p int) string {
		var q []string
		if sorted {
			q = append(q, "sort=rating")
		}
		if p > 1 {
			q = append(q, "page="+strconv.Itoa(p))
		}
		if len(q) == 0 {
			return path
		}
		return path + "?" + strings.Join(q, "&")
	}
	d := s.page(r, ls, list[from:to])
	d.Sorted = sorted
	d.Canonical = baseURL(r) + path
	if page > 1 {
		d.Canonical += "?page=" + strconv.Itoa(page)
		d.PrevURL = link(page - 1)
	}
	if page < pages {
		d.NextURL = link(page + 1)
	}
	d.RangeText = d.T.rangeOf(from+1, to, len(list))
	d.PageText = d.T.pageOf(page, pages)
	s.render(w, d)
}

func (s *site) permalink(w http.ResponseWriter, r *http.Request) {
	ls := s.byID[r.PathValue("id")]
	if ls == nil {
		s.error(w, http.StatusNotFound, "No such café.")
		return
	}
	e := ls.byExt[r.PathValue("review")]
	if e == nil {
		s.error(w, http.StatusNotFound, "No such review.")
		return
	}
	d := s.page(r, ls, []*entry{e})
	d.Single = true
	d.Canonical = baseURL(r) + "/locations/" + ls.loc.ID + "/reviews/" + e.rec.ID
	s.render(w, d)
}

// page fills what every page of a location shows.
func (s *site) page(r *http.Request, ls *locSite, list []*entry) pageData {
	l := ls.loc
	t := uiFor(l.Lang)
	origin := baseURL(r)
	path := "/locations/" + l.ID + "/reviews"
	d := pageData{
		Lang: l.Lang, Title: l.Name + " · " + t.count(len(ls.recent)), Loc: l, T: t,
		Micro: l.Markup == "microdata", DateMeta: l.DateTag == "meta",
		Avg: decimal(ls.avg, l.Lang), AvgValue: decimal(ls.avg, "en"), Count: t.count(len(ls.recent)), Total: len(ls.recent),
		Stars:      stars(int(ls.avg + 0.5)),
		SortRecent: path, SortRating: path + "?sort=rating",
	}
	for _, e := range list {
		v := reviewView{
			ID: e.rec.ID, Permalink: origin + path + "/" + e.rec.ID, IRI: "urn:maison-colette:review:" + e.rec.ID, Author: e.rec.Author, Title: e.rec.Title,
			Text: e.rec.Text, ISO: e.at.Format(isoFormat), Human: humanDate(e.at, l.Lang),
			Stars: stars(e.rec.Rating), Rating: e.rec.Rating, Lines: strings.Split(e.rec.Text, "\n"),
		}
		if rp := e.rec.Reply; rp != nil {
			v.Reply = &replyView{Author: rp.Author, Text: rp.Text, Lines: strings.Split(rp.Text, "\n"), ISO: e.replyAt.Format(isoFormat), Human: humanDate(e.replyAt, l.Lang)}
		}
		d.Reviews = append(d.Reviews, v)
	}
	d.Breadcrumb = mustJSON(map[string]any{
		"@context": "https://schema.org",
		"@type":    "BreadcrumbList",
		"itemListElement": []map[string]any{
			{"@type": "ListItem", "position": 1, "name": brand.Name, "item": origin + "/"},
			{"@type": "ListItem", "position": 2, "name": l.Name, "item": origin + path},
		},
	})
	if !d.Micro {
		d.JSONLD = mustJSON(s.jsonLD(origin, ls, d.Reviews))
	}
	return d
}

// JSON-LD nodes, in the order their fields are written.
type (
	ldBusiness struct {
		Context   string     `json:"@context"`
		Type      string     `json:"@type"`
		ID        string     `json:"@id"`
		Name      string     `json:"name"`
		URL       string     `json:"url"`
		Telephone string     `json:"telephone"`
		Address   ldAddress  `json:"address"`
		Geo       ldGeo      `json:"geo"`
		Aggregate ldAggRate  `json:"aggregateRating"`
		Review    []ldReview `json:"review"`
	}
	ldAddress struct {
		Type     string `json:"@type"`
		Street   string `json:"streetAddress"`
		Postal   string `json:"postalCode"`
		Locality string `json:"addressLocality"`
		Country  string `json:"addressCountry"`
	}
	ldGeo struct {
		Type string  `json:"@type"`
		Lat  float64 `json:"latitude"`
		Lon  float64 `json:"longitude"`
	}
	ldAggRate struct {
		Type  string  `json:"@type"`
		Value float64 `json:"ratingValue"`
		Count int     `json:"reviewCount"`
		Best  int     `json:"bestRating"`
		Worst int     `json:"worstRating"`
	}
	ldReview struct {
		Type   string   `json:"@type"`
		ID     string   `json:"@id"`
		URL    string   `json:"url"`
		Author ldPerson `json:"author"`
		Date   string   `json:"datePublished"`
		Rating ldRating `json:"reviewRating"`
		Name   string   `json:"name,omitempty"`
		Body   string   `json:"reviewBody"`
		// Comment is the café's public answer, published as a
		// schema.org Comment by the Organization.
		Comment *ldComment `json:"comment,omitempty"`
	}
	ldComment struct {
		Type   string   `json:"@type"`
		Author ldPerson `json:"author"`
		Date   string   `json:"dateCreated"`
		Text   string   `json:"text"`
	}
	ldPerson struct {
		Type string `json:"@type"`
		Name string `json:"name"`
	}
	ldRating struct {
		Type  string `json:"@type"`
		Value int    `json:"ratingValue"`
		Best  int    `json:"bestRating"`
	}
)

func (s *site) jsonLD(origin string, ls *locSite, reviews []reviewView) ldBusiness {
	l := ls.loc
	avg, _ := strconv.ParseFloat(decimal(ls.avg, "en"), 64)
	b := ldBusiness{
		Context: "https://schema.org", Type: l.Type, ID: origin + "/locations/" + l.ID, Name: l.Name,
		URL: origin + "/locations/" + l.ID + "/reviews", Telephone: l.Phone,
		Address:   ldAddress{Type: "PostalAddress", Street: l.Street, Postal: l.Postal, Locality: l.Local, Country: l.Country},
		Geo:       ldGeo{Type: "GeoCoordinates", Lat: l.Lat, Lon: l.Lon},
		Aggregate: ldAggRate{Type: "AggregateRating", Value: avg, Count: len(ls.recent), Best: 5, Worst: 1},
		Review:    []ldReview{},
	}
	for _, v := range reviews {
		rv := ldReview{
			Type: "Review", ID: v.IRI, URL: v.Permalink, Author: ldPerson{Type: "Person", Name: v.Author}, Date: v.ISO,
			Rating: ldRating{Type: "Rating", Value: v.Rating, Best: 5}, Name: v.Title, Body: v.Text,
		}
		if rp := v.Reply; rp != nil {
			rv.Comment = &ldComment{Type: "Comment", Author: ldPerson{Type: "Organization", Name: rp.Author}, Date: rp.ISO, Text: rp.Text}
		}
		b.Review = append(b.Review, rv)
	}
	return b
}

// mustJSON marshals v for a <script type="application/ld+json"> block;
// encoding/json escapes <, > and &, so no text can close the script.
func mustJSON(v any) template.JS {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		panic(err)
	}
	return template.JS(b)
}

func stars(n int) string {
	n = min(max(n, 0), 5)
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

func (s *site) render(w http.ResponseWriter, d pageData) {
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

type indexData struct {
	Countries []countryGroup
	Total     int
}

type countryGroup struct {
	Name string
	Locs []indexLoc
}

type indexLoc struct {
	ID, Name, Address, Count, Avg string
}

var countryNames = map[string]string{"FR": "France", "RU": "Russia", "GB": "United Kingdom", "CA": "Canada"}

func (s *site) index(w http.ResponseWriter, r *http.Request) {
	var d indexData
	for _, ls := range s.locs {
		name := countryNames[ls.loc.Country]
		if len(d.Countries) == 0 || d.Countries[len(d.Countries)-1].Name != name {
			d.Countries = append(d.Countries, countryGroup{Name: name})
		}
		g := &d.Countries[len(d.Countries)-1]
		g.Locs = append(g.Locs, indexLoc{
			ID: ls.loc.ID, Name: ls.loc.Name, Address: ls.loc.Address,
			Count: uiFor(ls.loc.Lang).count(len(ls.recent)), Avg: decimal(ls.avg, ls.loc.Lang),
		})
		d.Total += len(ls.recent)
	}
	var buf bytes.Buffer
	if err := indexTmpl.Execute(&buf, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func (s *site) error(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	errorTmpl.Execute(w, struct {
		Code int
		Msg  string
	}{code, msg})
}

const style = `body{font:16px/1.5 Georgia,serif;margin:0 auto;max-width:46rem;padding:0 1rem;color:#2b2118;background:#fffaf3}
header.site{padding:1rem 0;border-bottom:1px solid #e6d8c3}header.site a{color:#7a3e1d;font-weight:bold;text-decoration:none}
.review{border-bottom:1px solid #eee3d3;padding:.8rem 0}.meta{color:#7d6b58;font-size:.9rem}.stars{color:#c8902e}
.body{margin:.3rem 0}.reply{margin:.4rem 0 0 1.2rem;padding:.4rem .8rem;background:#f6ecde;font-size:.95rem}
.pager{display:flex;gap:1rem;justify-content:center;padding:1rem 0}footer{color:#9a8a78;font-size:.8rem;padding:2rem 0}`

// Line breaks in a review are <br> elements, as review sites write them.
var pageTmpl = template.Must(template.New("page").Parse(`{{define "lines"}}{{range $i, $l := .}}{{if $i}}<br>{{end}}{{$l}}{{end}}{{end}}<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="canonical" href="{{.Canonical}}">
{{- if .PrevURL}}
<link rel="prev" href="{{.PrevURL}}">{{end}}
{{- if .NextURL}}
<link rel="next" href="{{.NextURL}}">{{end}}
<style>` + style + `</style>
<script type="application/ld+json">{{.Breadcrumb}}</script>
{{- if .JSONLD}}
<script type="application/ld+json">{{.JSONLD}}</script>{{end}}
</head>
<body>
<header class="site"><a href="/">Maison Colette</a> · {{.T.Tagline}} · <a href="/">{{.T.AllCafes}}</a></header>
{{if .Micro -}}
<main itemscope itemtype="https://schema.org/{{.Loc.Type}}" itemid="{{.Canonical}}">
<h1 itemprop="name">{{.Loc.Name}}</h1>
<p class="address" itemprop="address" itemscope itemtype="https://schema.org/PostalAddress"><span itemprop="streetAddress">{{.Loc.Street}}</span>, <span itemprop="postalCode">{{.Loc.Postal}}</span> <span itemprop="addressLocality">{{.Loc.Local}}</span><meta itemprop="addressCountry" content="{{.Loc.Country}}"> · <span itemprop="telephone">{{.Loc.Phone}}</span></p>
<p class="summary" itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating"><span class="stars">{{.Stars}}</span> <meta itemprop="ratingValue" content="{{.AvgValue}}"><meta itemprop="bestRating" content="5"><meta itemprop="reviewCount" content="{{.Total}}">{{.Avg}}/5 · <span class="count">{{.Count}}</span></p>
{{- else -}}
<main>
<h1>{{.Loc.Name}}</h1>
<p class="address">{{.Loc.Address}} · {{.Loc.Phone}}</p>
<p class="summary"><span class="stars">{{.Stars}}</span> {{.Avg}}/5 · <span class="count">{{.Count}}</span></p>
{{- end}}
{{if not .Single}}<nav class="sort">{{.T.SortBy}} <a href="{{.SortRecent}}">{{.T.SortRecent}}</a> · <a href="{{.SortRating}}" rel="nofollow">{{.T.SortRating}}</a></nav>
<p class="range">{{.RangeText}}</p>{{end}}
{{range .Reviews}}{{if $.Micro}}
<article class="review" id="{{.ID}}" itemprop="review" itemscope itemtype="https://schema.org/Review" itemid="{{.IRI}}">
<link itemprop="url" href="{{.Permalink}}">
<div class="meta"><span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">{{.Author}}</span></span> · {{if $.DateMeta}}<meta itemprop="datePublished" content="{{.ISO}}"><span class="date">{{.Human}}</span>{{else}}<time itemprop="datePublished" datetime="{{.ISO}}">{{.Human}}</time>{{end}}</div>
<div class="stars" itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating" title="{{$.T.Rated}} {{.Rating}}/5"><meta itemprop="worstRating" content="1"><meta itemprop="ratingValue" content="{{.Rating}}"><meta itemprop="bestRating" content="5">{{.Stars}}</div>
{{with .Title}}<h3 itemprop="name">{{.}}</h3>
{{end}}<p class="body" itemprop="reviewBody">{{template "lines" .Lines}}</p>
{{else}}
<article class="review" id="{{.ID}}">
<div class="meta"><span class="author">{{.Author}}</span> · <time datetime="{{.ISO}}">{{.Human}}</time></div>
<div class="stars" title="{{$.T.Rated}} {{.Rating}}/5">{{.Stars}}</div>
{{with .Title}}<h3>{{.}}</h3>
{{end}}<p class="body">{{template "lines" .Lines}}</p>
{{end}}{{with .Reply}}{{if $.Micro}}<div class="reply" itemprop="comment" itemscope itemtype="https://schema.org/Comment"><strong>{{$.T.ReplyFrom}} <span itemprop="author" itemscope itemtype="https://schema.org/Organization"><span itemprop="name">{{.Author}}</span></span></strong> · <time itemprop="dateCreated" datetime="{{.ISO}}">{{.Human}}</time>
<p itemprop="text">{{template "lines" .Lines}}</p></div>{{else}}<div class="reply"><strong>{{$.T.ReplyFrom}} {{.Author}}</strong> · <time datetime="{{.ISO}}">{{.Human}}</time>
<p>{{template "lines" .Lines}}</p></div>{{end}}
{{end}}<a class="permalink" href="{{.Permalink}}">{{$.T.Permalink}}</a>
</article>
{{end}}
{{if not .Single}}<nav class="pager">{{if .PrevURL}}<a rel="prev" href="{{.PrevURL}}">{{.T.Prev}}</a>{{end}} <span>{{.PageText}}</span> {{if .NextURL}}<a rel="next" href="{{.NextURL}}">{{.T.Next}}</a>{{end}}</nav>{{end}}
</main>
<footer>{{.T.Footer}}</footer>
</body>
</html>
`))

var indexTmpl = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Maison Colette · Bakery · Café · Reviews</title>
<style>` + style + `</style>
</head>
<body>
<header class="site"><a href="/">Maison Colette</a> · Bakery · Café</header>
<main>
<h1>Our cafés and what our guests say</h1>
<p>{{.Total}} reviews of our cafés in Paris, Lyon, Bordeaux, Lille, Moscow, Saint Petersburg, Kazan, London, Manchester and Montréal.</p>
{{range .Countries}}<h2>{{.Name}}</h2>
<ul>
{{range .Locs}}<li><a href="/locations/{{.ID}}/reviews">{{.Name}}</a>, {{.Address}} · ★ {{.Avg}} · {{.Count}}</li>
{{end}}</ul>
{{end}}</main>
<footer>Demo site of Vigie. Maison Colette and its reviews are fictional.</footer>
</body>
</html>
`))

var errorTmpl = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Code}} · Maison Colette</title>
<style>` + style + `</style>
</head>
<body>
<header class="site"><a href="/">Maison Colette</a></header>
<main><h1>{{.Code}}</h1><p>{{.Msg}}</p></main>
</body>
</html>
`))
