// Package brand describes Maison Colette, the fictional bakery-café chain of
// Vigie's demo: its locations and how each one's review page looks. Both the
// demo site (package demo) and the review generator (demo/gen) read it, so
// that the generator never needs the data it writes.
package brand

// ID and Name identify the demo brand.
const (
	ID   = "maison-colette"
	Name = "Maison Colette"
)

// Location is one Maison Colette café with everything the demo site needs
// to render its page.
type Location struct {
	ID      string
	Name    string
	Street  string // street address, as the JSON-LD PostalAddress wants it
	Postal  string // postal code
	City    string // city name in English, as in the configuration
	Local   string // city name as written locally (addressLocality)
	Address string // full one-line address, as printed and configured
	Country string // ISO 3166-1 alpha-2
	Lat     float64
	Lon     float64
	Tags    []string
	// Markup is how the review page publishes reviews: "jsonld" or
	// "microdata".
	Markup string
	// Type is the schema.org type of the café: Bakery or CafeOrCoffeeShop.
	Type string
	// DateTag is how microdata pages mark datePublished: "time" for
	// <time datetime> or "meta" for <meta content>.
	DateTag string
	// Lang is the page's language (BCP 47), which also sets the language of
	// dates and owner replies.
	Lang string
	// TZ is the IANA time zone of the city: published dates carry its
	// offset.
	TZ string
	// Phone is the café's (fictional) telephone number.
	Phone string
}

// Locations returns the chain's locations in a fixed order: France,
// Russia, the United Kingdom, Canada.
func Locations() []Location {
	out := make([]Location, len(locations))
	copy(out, locations)
	for i := range out {
		out[i].Tags = append([]string(nil), locations[i].Tags...)
	}
	return out
}

var locations = []Location{
	{
		ID: "paris-opera", Name: "Maison Colette Opéra",
		Street: "18 rue Louis-le-Grand", Postal: "75002", City: "Paris", Local: "Paris",
		Address: "18 rue Louis-le-Grand, 75002 Paris", Country: "FR",
		Lat: 48.8703, Lon: 2.3336, Tags: []string{"paris", "flagship", "brunch", "takeaway"},
		Markup: "jsonld", Type: "Bakery", Lang: "fr", TZ: "Europe/Paris", Phone: "+33 1 42 65 18 02",
	},
	{
		ID: "paris-marais", Name: "Maison Colette Marais",
		Street: "41 rue de Bretagne", Postal: "75003", City: "Paris", Local: "Paris",
		Address: "41 rue de Bretagne, 75003 Paris", Country: "FR",
		Lat: 48.8631, Lon: 2.3624, Tags: []string{"paris", "terrace", "brunch"},
		Markup: "microdata", Type: "CafeOrCoffeeShop", DateTag: "time", Lang: "fr", TZ: "Europe/Paris", Phone: "+33 1 48 87 41 03",
	},
	{
		ID: "paris-batignolles", Name: "Maison Colette Batignolles",
		Street: "7 rue des Dames", Postal: "75017", City: "Paris", Local: "Paris",
		Address: "7 rue des Dames, 75017 Paris", Country: "FR",
		Lat: 48.8838, Lon: 2.3223, Tags: []string{"paris", "neighbourhood"},
		Markup: "jsonld", Type: "CafeOrCoffeeShop", Lang: "fr", TZ: "Europe/Paris", Phone: "+33 1 45 22 07 17",
	},
	{
		ID: "lyon-part-dieu", Name: "Maison Colette Part-Dieu",
		Street: "Gare de Lyon Part-Dieu, place Charles-Béraudier", Postal: "69003", City: "Lyon", Local: "Lyon",
		Address: "Gare de Lyon Part-Dieu, place Charles-Béraudier, 69003 Lyon", Country: "FR",
		Lat: 45.7606, Lon: 4.8594, Tags: []string{"lyon", "station", "takeaway"},
		Markup: "microdata", Type: "Bakery", DateTag: "meta", Lang: "fr", TZ: "Europe/Paris", Phone: "+33 4 72 33 69 03",
	},
	{
		ID: "bordeaux-chartrons", Name: "Maison Colette Chartrons",
		Street: "52 rue Notre-Dame", Postal: "33000", City: "Bordeaux", Local: "Bordeaux",
		Address: "52 rue Notre-Dame, 33000 Bordeaux", Country: "FR",
		Lat: 44.8537, Lon: -0.5713, Tags: []string{"bordeaux", "brunch"},
		Markup: "jsonld", Type: "Bakery", Lang: "fr", TZ: "Europe/Paris", Phone: "+33 5 56 81 52 33",
	},
	{
		ID: "lille-vieux-lille", Name: "Maison Colette Vieux-Lille",
		Street: "23 rue de la Monnaie", Postal: "59800", City: "Lille", Local: "Lille",
		Address: "23 rue de la Monnaie, 59800 Lille", Country: "FR",
		Lat: 50.6399, Lon: 3.0627, Tags: []string{"lille", "terrace"},
		Markup: "microdata", Type: "CafeOrCoffeeShop", DateTag: "time", Lang: "fr", TZ: "Europe/Paris", Phone: "+33 3 20 06 23 59",
	},
	{
		ID: "moscow-tverskaya", Name: "Maison Colette Тверская",
		Street: "ул. Тверская, 16", Postal: "125009", City: "Moscow", Local: "Москва",
		Address: "ул. Тверская, 16, Москва, 125009", Country: "RU",
		Lat: 55.7652, Lon: 37.6050, Tags: []string{"moscow", "flagship", "delivery"},
		Markup: "jsonld", Type: "CafeOrCoffeeShop", Lang: "ru", TZ: "Europe/Moscow", Phone: "+7 495 650-16-09",
	},
	{
		ID: "moscow-patriarshiye", Name: "Maison Colette Патриаршие",
		Street: "Малый Козихинский пер., 9", Postal: "123001", City: "Moscow", Local: "Москва",
		Address: "Малый Козихинский пер., 9, Москва, 123001", Country: "RU",
		Lat: 55.7628, Lon: 37.5953, Tags: []string{"moscow", "brunch", "delivery"},
		Markup: "microdata", Type: "Bakery", DateTag: "meta", Lang: "ru", TZ: "Europe/Moscow", Phone: "+7 495 699-09-12",
	},
	{
		ID: "saint-petersburg-nevsky", Name: "Maison Colette Невский",
		Street: "Невский пр., 54", Postal: "191025", City: "Saint Petersburg", Local: "Санкт-Петербург",
		Address: "Невский пр., 54, Санкт-Петербург, 191025", Country: "RU",
		Lat: 59.9340, Lon: 30.3350, Tags: []string{"saint-petersburg", "flagship"},
		Markup: "jsonld", Type: "Bakery", Lang: "ru", TZ: "Europe/Moscow", Phone: "+7 812 310-54-54",
	},
	{
		ID: "kazan-baumana", Name: "Maison Colette Баумана",
		Street: "ул. Баумана, 38", Postal: "420111", City: "Kazan", Local: "Казань",
		Address: "ул. Баумана, 38, Казань, 420111", Country: "RU",
		Lat: 55.7905, Lon: 49.1147, Tags: []string{"kazan"},
		Markup: "microdata", Type: "CafeOrCoffeeShop", DateTag: "time", Lang: "ru", TZ: "Europe/Moscow", Phone: "+7 843 292-38-38",
	},
	{
		ID: "london-covent-garden", Name: "Maison Colette Covent Garden",
		Street: "27 Floral Street", Postal: "WC2E 9DP", City: "London", Local: "London",
		Address: "27 Floral Street, London WC2E 9DP", Country: "GB",
		Lat: 51.5124, Lon: -0.1245, Tags: []string{"london", "flagship", "takeaway"},
		Markup: "jsonld", Type: "Bakery", Lang: "en-GB", TZ: "Europe/London", Phone: "+44 20 7240 2727",
	},
	{
		ID: "london-shoreditch", Name: "Maison Colette Shoreditch",
		Street: "88 Redchurch Street", Postal: "E2 7DJ", City: "London", Local: "London",
		Address: "88 Redchurch Street, London E2 7DJ", Country: "GB",
		Lat: 51.5246, Lon: -0.0760, Tags: []string{"london", "brunch"},
		Markup: "microdata", Type: "CafeOrCoffeeShop", DateTag: "meta", Lang: "en-GB", TZ: "Europe/London", Phone: "+44 20 7739 8808",
	},
	{
		ID: "manchester-northern-quarter", Name: "Maison Colette Northern Quarter",
		Street: "14 Thomas Street", Postal: "M4 1EU", City: "Manchester", Local: "Manchester",
		Address: "14 Thomas Street, Manchester M4 1EU", Country: "GB",
		Lat: 53.4845, Lon: -2.2364, Tags: []string{"manchester"},
		Markup: "jsonld", Type: "CafeOrCoffeeShop", Lang: "en-GB", TZ: "Europe/London", Phone: "+44 161 834 1414",
	},
	{
		ID: "montreal-plateau", Name: "Maison Colette Plateau",
		Street: "4321 rue Saint-Denis", Postal: "H2J 2K9", City: "Montréal", Local: "Montréal",
		Address: "4321 rue Saint-Denis, Montréal, QC H2J 2K9", Country: "CA",
		Lat: 45.5230, Lon: -73.5823, Tags: []string{"montreal", "brunch", "bilingual"},
		Markup: "microdata", Type: "Bakery", DateTag: "time", Lang: "fr-CA", TZ: "America/Toronto", Phone: "+1 514 555-4321",
	},
}
