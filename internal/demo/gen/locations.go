package main

import "fmt"

// share is the part of a location's reviews written in one language.
type share struct {
	lang string
	w    float64
}

var (
	frMix = []share{{"fr", 0.9}, {"en", 0.1}}
	ruMix = []share{{"ru", 0.95}, {"en", 0.05}}
	ukMix = []share{{"en", 0.9}, {"fr", 0.1}}
	caMix = []share{{"fr", 0.6}, {"en", 0.4}}
)

// spec is how the generator treats one location: volume, mean rating,
// languages and what its reviewers talk about.
type spec struct {
	n     int     // reviews, besides the burst and the hand-written ones
	mean  float64 // mean rating
	main  string  // language of the owner's replies
	langs []share
	mul   map[string]float64 // theme weight multipliers
	// leans fixes the chance that a theme is praised rather than
	// criticised, mixed with what the rating says (Paris: price is a
	// complaint even in good reviews).
	leans map[string]float64
	reply float64 // owner's reply rate, relative to the usual one
	trend bool    // improving over the 18 months
	burst bool    // the waiting-time burst of the last 14 days
}

func (sp *spec) meanAt(t float64) float64 {
	if sp.trend {
		return 2.65 + 1.9*t
	}
	return sp.mean
}

func (sp *spec) weight(theme string, t float64) float64 {
	w := baseWeight[theme]
	if m, ok := sp.mul[theme]; ok {
		w *= m
	}
	if sp.trend {
		switch theme {
		case "cleanliness":
			w *= 1 + 4*(1-t)
		case "service":
			w *= 1 + 1.5*(1-t)
		}
	}
	return w
}

func (sp *spec) lean(theme string, t float64) (float64, bool) {
	if sp.trend && (theme == "cleanliness" || theme == "service") {
		return 0.08 + 0.85*t, true
	}
	o, ok := sp.leans[theme]
	return o, ok
}

var specs = map[string]*spec{
	"paris-opera": {n: 340, mean: 4.0, main: "fr", langs: frMix, reply: 1.2,
		mul: map[string]float64{"price": 3}, leans: map[string]float64{"price": 0.1}},
	"paris-marais": {n: 235, mean: 4.2, main: "fr", langs: frMix, reply: 0.8,
		mul: map[string]float64{"price": 2.6, "ambience": 1.3}, leans: map[string]float64{"price": 0.15}},
	"paris-batignolles": {n: 95, mean: 4.4, main: "fr", langs: frMix, reply: 1,
		mul: map[string]float64{"price": 2.2}, leans: map[string]float64{"price": 0.2}},
	"lyon-part-dieu": {n: 200, mean: 4.15, main: "fr", langs: frMix, reply: 1, burst: true,
		mul: map[string]float64{"waiting": 3, "ordering": 1.3}},
	"bordeaux-chartrons": {n: 210, main: "fr", langs: frMix, reply: 1, trend: true},
	"lille-vieux-lille": {n: 130, mean: 3.9, main: "fr", langs: frMix, reply: 1,
		mul: map[string]float64{"hours": 4}, leans: map[string]float64{"hours": 0.12}},
	"moscow-tverskaya": {n: 320, mean: 4.3, main: "ru", langs: ruMix, reply: 1.4,
		mul: map[string]float64{"ordering": 3.5, "service": 1.6}, leans: map[string]float64{"ordering": 0.92, "service": 0.9}},
	"moscow-patriarshiye": {n: 185, mean: 4.45, main: "ru", langs: ruMix, reply: 1,
		mul: map[string]float64{"ordering": 3, "service": 1.5}, leans: map[string]float64{"ordering": 0.9, "service": 0.88}},
	"saint-petersburg-nevsky": {n: 200, mean: 3.7, main: "ru", langs: ruMix, reply: 0.9,
		mul: map[string]float64{"cleanliness": 4}, leans: map[string]float64{"cleanliness": 0.1}},
	"kazan-baumana": {n: 82, mean: 4.4, main: "ru", langs: ruMix, reply: 0.6},
	"london-covent-garden": {n: 310, mean: 3.8, main: "en", langs: ukMix, reply: 1,
		mul: map[string]float64{"ambience": 2.6, "waiting": 2.4}, leans: map[string]float64{"ambience": 0.12, "waiting": 0.1}},
	"london-shoreditch": {n: 165, mean: 4.1, main: "en", langs: ukMix, reply: 0.9,
		mul: map[string]float64{"ambience": 2.2, "waiting": 2}, leans: map[string]float64{"ambience": 0.18, "waiting": 0.2}},
	"manchester-northern-quarter": {n: 105, mean: 4.2, main: "en", langs: ukMix, reply: 1,
		mul: map[string]float64{"product": 1.5}},
	"montreal-plateau": {n: 150, mean: 4.5, main: "fr", langs: caMix, reply: 1,
		mul: map[string]float64{"food": 2.2}, leans: map[string]float64{"food": 0.95}},
}

func specFor(id string) *spec {
	sp, ok := specs[id]
	if !ok {
		panic(fmt.Sprintf("gen: no spec for location %q", id))
	}
	return sp
}

// near says where a location is, by language, for sentences about its
// location ({@near}); city names the city for visitors' contexts ({@city}).
var near = map[string]map[string]string{
	"paris-opera":                 {"fr": "à deux pas de l'Opéra", "en": "a stone's throw from the Opéra"},
	"paris-marais":                {"fr": "en plein cœur du Marais", "en": "right in the Marais"},
	"paris-batignolles":           {"fr": "à côté du square des Batignolles", "en": "next to the Batignolles park"},
	"lyon-part-dieu":              {"fr": "en plein hall de la gare Part-Dieu", "en": "right inside Part-Dieu station"},
	"bordeaux-chartrons":          {"fr": "au cœur des Chartrons", "en": "in the heart of the Chartrons"},
	"lille-vieux-lille":           {"fr": "en plein Vieux-Lille", "en": "in the middle of Vieux-Lille"},
	"moscow-tverskaya":            {"ru": "на Тверской, в двух шагах от Пушкинской", "en": "on Tverskaya, near Pushkinskaya"},
	"moscow-patriarshiye":         {"ru": "на Патриарших", "en": "by Patriarch's Ponds"},
	"saint-petersburg-nevsky":     {"ru": "прямо на Невском", "en": "right on Nevsky Prospekt"},
	"kazan-baumana":               {"ru": "на Баумана, в самом центре", "en": "on Baumana Street, right in the centre"},
	"london-covent-garden":        {"en": "in the heart of Covent Garden", "fr": "en plein Covent Garden"},
	"london-shoreditch":           {"en": "just off Shoreditch High Street", "fr": "à Shoreditch"},
	"manchester-northern-quarter": {"en": "in the Northern Quarter", "fr": "dans le Northern Quarter"},
	"montreal-plateau":            {"fr": "sur le Plateau, près du métro Mont-Royal", "en": "on the Plateau, near Mont-Royal metro"},
}

var cityName = map[string]map[string]string{
	"paris-opera":                 {"fr": "Paris", "en": "Paris"},
	"paris-marais":                {"fr": "Paris", "en": "Paris"},
	"paris-batignolles":           {"fr": "Paris", "en": "Paris"},
	"lyon-part-dieu":              {"fr": "Lyon", "en": "Lyon"},
	"bordeaux-chartrons":          {"fr": "Bordeaux", "en": "Bordeaux"},
	"lille-vieux-lille":           {"fr": "Lille", "en": "Lille"},
	"moscow-tverskaya":            {"ru": "Москве", "en": "Moscow"},
	"moscow-patriarshiye":         {"ru": "Москве", "en": "Moscow"},
	"saint-petersburg-nevsky":     {"ru": "Петербурге", "en": "St Petersburg"},
	"kazan-baumana":               {"ru": "Казани", "en": "Kazan"},
	"london-covent-garden":        {"en": "London", "fr": "Londres"},
	"london-shoreditch":           {"en": "London", "fr": "Londres"},
	"manchester-northern-quarter": {"en": "Manchester", "fr": "Manchester"},
	"montreal-plateau":            {"fr": "Montréal", "en": "Montreal"},
}

// prices are the amounts reviewers quote, by language and country, each
// written the way that language writes money.
var prices = map[string]map[string]map[string][]string{
	"fr": {
		"FR": {"p_coffee": {"4,80 €", "5,20 €", "5,50 €", "6 €"}, "p_croissant": {"1,90 €", "2,20 €", "2,40 €"}, "p_brunch": {"34 €", "38 €", "42 €"},
			"p_milk": {"0,80 €", "0,90 €"}, "p_lunch": {"14 €", "16 €", "18 €"}, "p_formula": {"8,50 €", "9,90 €"}},
		"GB": {"p_coffee": {"4,80 £", "5,20 £"}, "p_croissant": {"3,50 £", "3,80 £"}, "p_brunch": {"36 £", "40 £"},
			"p_milk": {"0,60 £", "0,70 £"}, "p_lunch": {"15 £", "18 £"}, "p_formula": {"9,50 £", "11 £"}},
		"CA": {"p_coffee": {"5,75 $", "6,25 $"}, "p_croissant": {"3,95 $", "4,50 $"}, "p_brunch": {"48 $", "55 $"},
			"p_milk": {"0,75 $", "0,85 $"}, "p_lunch": {"18 $", "22 $"}, "p_formula": {"12,50 $", "14 $"}},
	},
	"en": {
		"FR": {"p_coffee": {"€4.80", "€5.50", "€6"}, "p_croissant": {"€2.20", "€2.40"}, "p_brunch": {"€38", "€42"},
			"p_milk": {"80 cents", "90 cents"}, "p_lunch": {"€15", "€18"}, "p_formula": {"€8.50", "€9.90"}},
		"RU": {"p_coffee": {"450 roubles", "390 rubles"}, "p_croissant": {"280 roubles", "250 rubles"}, "p_brunch": {"3,500 roubles", "4,000 rubles"},
			"p_milk": {"80 roubles", "60 rubles"}, "p_lunch": {"900 roubles", "1,200 roubles"}, "p_formula": {"490 roubles", "550 roubles"}},
		"GB": {"p_coffee": {"£4.80", "£5.20", "£5.60"}, "p_croissant": {"£3.50", "£3.80", "£4.20"}, "p_brunch": {"£38", "£42"},
			"p_milk": {"60p", "70p", "80p"}, "p_lunch": {"£15", "£18"}, "p_formula": {"£8.50", "£9.95"}},
		"CA": {"p_coffee": {"$6.25", "$5.75"}, "p_croissant": {"$4.50", "$3.95"}, "p_brunch": {"$52", "$58"},
			"p_milk": {"75 cents", "85 cents"}, "p_lunch": {"$19", "$22"}, "p_formula": {"$12.50", "$14"}},
	},
	"ru": {
		"RU": {"p_coffee": {"390 рублей", "420 ₽", "450 руб."}, "p_croissant": {"250 рублей", "280 ₽"}, "p_brunch": {"3500", "4000"},
			"p_milk": {"60 рублей", "80 ₽"}, "p_lunch": {"450", "490", "520"}, "p_formula": {"490 рублей", "550 ₽"}},
	},
}

// replyAuthors sign the owner's replies, by location and language.
var replyAuthors = map[string]map[string][]string{
	"paris-opera":                 {"fr": {"Claire, responsable de la boutique", "L'équipe Maison Colette Opéra"}},
	"paris-marais":                {"fr": {"Julien, gérant"}},
	"paris-batignolles":           {"fr": {"Nadia, responsable"}},
	"lyon-part-dieu":              {"fr": {"Mathieu, responsable Part-Dieu", "L'équipe Part-Dieu"}},
	"bordeaux-chartrons":          {"fr": {"Sandrine, gérante"}},
	"lille-vieux-lille":           {"fr": {"Antoine, responsable", "L'équipe du Vieux-Lille"}},
	"moscow-tverskaya":            {"ru": {"Марина, управляющая", "Команда Maison Colette"}},
	"moscow-patriarshiye":         {"ru": {"Команда Maison Colette на Патриарших"}},
	"saint-petersburg-nevsky":     {"ru": {"Игорь, управляющий"}},
	"kazan-baumana":               {"ru": {"Алсу, администратор"}},
	"london-covent-garden":        {"en": {"Hannah, General Manager", "The Covent Garden team"}},
	"london-shoreditch":           {"en": {"Sam, Café Manager"}},
	"manchester-northern-quarter": {"en": {"Liam, Manager"}},
	"montreal-plateau":            {"fr": {"Geneviève, gérante"}, "en": {"Geneviève, Manager"}},
}

// specials are hand-written reviews that test the site's escaping: a
// customer pasting markup, ampersands, quotes, angle brackets.
var specials = []review{
	{
		Location: "london-shoreditch", DaysAgo: 23, Time: "21:14", Author: "jamie_k", Rating: 4,
		Title: "Almond croissant > everything",
		Text:  "Went for the almond croissant, stayed for the flat white. Tried to paste the link to my photo and it came out as <script>alert('croissant')</script> lol, sorry about that! Anyway: best almond croissant in East London, 10/10.",
		Lang:  "en", Themes: []string{"food:pos"},
	},
	{
		Location: "london-covent-garden", DaysAgo: 52, Time: "13:37", Author: "Dev on a lunch break", Rating: 4,
		Title: "Pros & cons </title>",
		Text:  "Copied this from my notes app, sorry for the formatting: <b>Pros</b>: flat white, lovely staff. <b>Cons</b>: the queue at 1pm. </script><script>alert(\"hi\")</script> & that's all, folks.",
		Lang:  "en", Themes: []string{"food:pos", "service:pos", "waiting:neg"},
	},
	{
		Location: "paris-marais", DaysAgo: 40, Time: "08:32", Author: "Lou & Max", Rating: 5,
		Title: "Café & croissant <3",
		Text:  "Café crème & croissant = bonheur <3 Le \"petit\" déj à 8,50 € > tous les autres du quartier ;-) Mention spéciale à l'équipe du matin, toujours le sourire.",
		Lang:  "fr", Themes: []string{"food:pos", "price:pos", "service:pos"},
	},
	{
		Location: "moscow-tverskaya", DaysAgo: 61, Time: "10:05", Author: "Ксения «Ксю» Л.", Rating: 5,
		Text: "Кофе & круассан — идеальное утро. Бариста нарисовал на капучино сердечко <3 P.S. пароль от Wi-Fi напечатан на чеке, очень удобно :)",
		Lang: "ru", Themes: []string{"food:pos", "service:pos"},
	},
}
