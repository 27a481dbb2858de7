package main

import (
	"fmt"
	"strings"

	"github.com/vigie-dev/vigie/internal/demo/brand"
)

// person is a review's author.
type person struct {
	display string // as published
	first   string // first name for the owner's greeting; "" for a pseudonym
	gender  int    // 0 masculine, 1 feminine
}

type culture struct {
	male, female       []string
	surnames           []string
	feminine           func(string) string // surname as a woman bears it
	handles            []string            // pseudonyms
	shares             [4]float64          // "First L.", "First Last", "First", pseudonym
	lowerHandleDigits  bool                // pseudonyms like julie75
	latinFirst, latinM []string            // Russians writing in Latin letters
}

func same(s string) string { return s }

// russianFeminine gives the feminine form of a Russian or Tatar surname.
func russianFeminine(s string) string {
	switch {
	case strings.HasSuffix(s, "ский"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ёв"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ин"):
		return s + "а"
	}
	return s
}

var cultures = map[string]*culture{
	"fr": {
		male: []string{"Julien", "Thomas", "Nicolas", "Antoine", "Maxime", "Hugo", "Lucas", "Pierre", "Alexandre", "Romain",
			"Guillaume", "Mathieu", "Olivier", "Sébastien", "Vincent", "Benoît", "Karim", "Mehdi", "Yanis", "Théo", "Louis",
			"Arthur", "Jean-Marc", "Philippe", "Bernard", "Patrick", "Franck", "Rémi", "Bastien", "Clément", "Adrien",
			"Florian", "Samir", "Loïc", "Gaël", "Baptiste", "Quentin", "Jérôme", "Kevin", "Malik"},
		female: []string{"Camille", "Léa", "Manon", "Chloé", "Sarah", "Julie", "Marie", "Laura", "Emma", "Inès", "Pauline",
			"Claire", "Sophie", "Élodie", "Aurélie", "Céline", "Nathalie", "Isabelle", "Sylvie", "Anne-Sophie", "Margaux",
			"Justine", "Lucie", "Clémence", "Amandine", "Fatima", "Yasmine", "Océane", "Mathilde", "Agathe", "Hélène",
			"Valérie", "Brigitte", "Nadia", "Émilie", "Charlotte", "Zoé", "Salomé", "Anaïs", "Martine"},
		surnames: []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
			"Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
			"Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
			"Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Morin", "Mathieu",
			"Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Nguyen", "Boyer",
			"Lemaire", "Duval", "Benali", "Haddad", "Le Gall", "Kerbrat", "Da Silva", "Traoré"},
		feminine: same,
		handles: []string{"Gourmande75", "jb_lyon", "Le Flâneur", "Cam'", "titi_du_9", "Mamie Jo", "LucieEnBalade",
			"crumble_addict", "VieuxLillois", "ma_pause_cafe", "Petit Poucet", "kawa_addict", "PtitDej", "Dr Croissant",
			"Famille D.", "un habitué", "Voyageur pressé", "Choupette", "Bordelais33", "Nanou", "la_gourmandise",
			"Fred du 17", "MissBrunch", "Papa poule", "Boulimik", "Chat Perché", "Loulou", "cafe_noisette", "M. et Mme R."},
		shares:            [4]float64{0.4, 0.2, 0.15, 0.25},
		lowerHandleDigits: true,
	},
	"qc": {
		male: []string{"Marc-André", "Jean-François", "Félix", "Maxime", "Jérémie", "Étienne", "Olivier", "Samuel",
			"Gabriel", "Mathis", "Louis-Philippe", "Simon", "Alexis", "Charles", "Pier-Luc", "Sébastien", "Guillaume"},
		female: []string{"Geneviève", "Marie-Ève", "Catherine", "Audrey", "Mélanie", "Véronique", "Myriam", "Émilie",
			"Frédérique", "Annie", "Josée", "Stéphanie", "Rosalie", "Laurence", "Noémie", "Maude", "Karine"},
		surnames: []string{"Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
			"Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard",
			"Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Nadeau", "Desjardins"},
		feminine: same,
		handles: []string{"Gourmande du Plateau", "MTLfoodie", "jf_mtl", "Brunchologue", "Ti-Guy", "La Belle Province",
			"cafe_et_bagels", "Mononc' Serge", "plateau_life", "Chocolatine514"},
		shares:            [4]float64{0.4, 0.25, 0.15, 0.2},
		lowerHandleDigits: true,
	},
	"ru": {
		male: []string{"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл",
			"Михаил", "Никита", "Иван", "Егор", "Роман", "Павел", "Владимир", "Денис", "Евгений", "Константин", "Олег",
			"Игорь", "Антон", "Виктор", "Глеб", "Тимофей", "Григорий", "Вадим", "Юрий"},
		female: []string{"Анна", "Мария", "Елена", "Ольга", "Наталья", "Екатерина", "Татьяна", "Ирина", "Светлана",
			"Юлия", "Анастасия", "Дарья", "Ксения", "Полина", "Виктория", "Алина", "Марина", "Вероника", "Софья",
			"Александра", "Евгения", "Валерия", "Кристина", "Людмила", "Надежда", "Василиса", "Яна", "Ангелина"},
		surnames: []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков",
			"Морозов", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов",
			"Богданов", "Воробьёв", "Фёдоров", "Михайлов", "Беляев", "Тарасов", "Белов", "Комаров", "Орлов",
			"Киселёв", "Макаров", "Андреев", "Ковалёв", "Ильин", "Гусев", "Титов", "Кузьмин", "Баранов", "Куликов",
			"Алексеев", "Степанов", "Яковлев", "Сорокин", "Романов", "Захаров", "Борисов", "Королёв", "Медведев",
			"Никитин", "Жуков", "Фролов", "Крылов", "Максимов", "Сидоров", "Егоров", "Маслов", "Вишневский", "Ковальский"},
		feminine: russianFeminine,
		handles: []string{"kotik_88", "Гурман", "sasha.m", "Кофеман", "Непростой гость", "anna_spb", "Лиса Алиса",
			"Мама двоих", "Путешественник", "vera_moscow", "Сладкоежка", "Коренной москвич", "Питерский кот", "ded_moroz",
			"Любитель выпечки", "Гость", "olga.k", "Мария (Тверь)", "Доставка-холик", "ZhenyaPro", "Пользователь", "Булочка"},
		shares:     [4]float64{0.35, 0.2, 0.2, 0.25},
		latinFirst: []string{"Anna", "Olga", "Elena", "Daria", "Ksenia", "Maria"},
		latinM:     []string{"Sergey", "Dmitry", "Alexey", "Ivan", "Nikita", "Pavel"},
	},
	"tatar": {
		male:     []string{"Айдар", "Ильдар", "Рамиль", "Тимур", "Ринат", "Марат", "Азат", "Рустам", "Булат"},
		female:   []string{"Алсу", "Гульнара", "Лейсан", "Динара", "Айгуль", "Рената", "Диляра", "Эльвира", "Гузель"},
		surnames: []string{"Хайруллин", "Сафин", "Галиев", "Закиров", "Гарипов", "Нуриев", "Валиев", "Шарипов", "Зарипов", "Ахметов"},
		feminine: russianFeminine,
		handles:  []string{"kazan_girl", "Казанский гурман", "alsu.k", "Татарочка", "kzn_coffee"},
		shares:   [4]float64{0.4, 0.25, 0.2, 0.15},
	},
	"uk": {
		male: []string{"James", "Oliver", "Harry", "Jack", "George", "Tom", "Daniel", "Sam", "Ben", "Joe", "Matt", "Chris",
			"Luke", "Ryan", "Callum", "Jamie", "Rob", "Dave", "Mohammed", "Arjun", "Kwame", "Liam", "Connor", "Ewan", "Rhys",
			"Alfie", "Nathan", "Adam"},
		female: []string{"Sophie", "Emily", "Olivia", "Jess", "Charlotte", "Hannah", "Amy", "Lucy", "Ellie", "Grace",
			"Chloe", "Megan", "Priya", "Aisha", "Zara", "Rachel", "Laura", "Katie", "Niamh", "Freya", "Beth", "Georgia",
			"Siân", "Harriet", "Fatima", "Imogen"},
		surnames: []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
			"Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
			"Patel", "Khan", "Hughes", "Edwards", "Turner", "Lewis", "Harris", "Cooper", "Hill", "Ward", "Morris", "Moore",
			"King", "Baker", "Harrison", "Morgan", "O'Brien", "Murphy", "Shah", "Okafor", "Campbell", "Kelly", "Scott"},
		feminine: same,
		handles: []string{"tomthefoodie", "Coffee Snob", "LDNbrunchclub", "mancunian_mike", "J", "hungry_hannah",
			"Pastry Hunter", "flatwhite_fiend", "The Brunch Bunch", "NQ local", "sourdough_steve", "caffeinated_clare",
			"Mum of three", "bikeguy", "Dr Latte", "E17 foodie", "northern_soul", "Sunday Brunch Crew"},
		shares:            [4]float64{0.35, 0.3, 0.15, 0.2},
		lowerHandleDigits: true,
	},
	"ca": {
		male:     []string{"Ryan", "Tyler", "Kevin", "Justin", "Brandon", "Eric", "Mike", "Josh", "Noah", "Owen", "Ethan", "Dylan", "Raj"},
		female:   []string{"Ashley", "Jennifer", "Megan", "Sarah", "Brittany", "Emily", "Kayla", "Madison", "Hailey", "Taylor", "Jessica", "Lauren", "Mei"},
		surnames: []string{"Smith", "Brown", "Wilson", "MacDonald", "Campbell", "Stewart", "Anderson", "Thompson", "Lee", "Wong", "Chen", "Singh", "Murray", "Reid", "Fraser", "Cohen", "Kowalski", "O'Neill"},
		feminine: same,
		handles:  []string{"mtl_eats", "brunchhound", "poutine_pete", "the_hungry_canuck", "coffee_before_talkie", "PlateauPam"},
		shares:   [4]float64{0.35, 0.3, 0.15, 0.2},
	},
	"intl": {
		male: []string{"Mike", "John", "David", "Chris", "Kevin", "Brian", "Mark", "Steve", "Raj", "Hiroshi", "Lars",
			"Marco", "Diego", "Ahmed", "Tom", "Daniel", "Jan", "Luca", "Pedro", "Ravi"},
		female: []string{"Jennifer", "Jessica", "Ashley", "Emily", "Sarah", "Amanda", "Lisa", "Karen", "Mei", "Ana",
			"Sofia", "Ingrid", "Priya", "Hannah", "Olivia", "Chloe", "Yuki", "Eva", "Nina"},
		surnames: []string{"Johnson", "Miller", "Davis", "Garcia", "Rodriguez", "Anderson", "Tanaka", "Müller", "Rossi",
			"Jensen", "Kim", "Nguyen", "Schmidt", "Silva", "Cohen", "O'Connor", "Smith", "Brown", "Park", "Larsen", "Novak"},
		feminine: same,
		handles: []string{"wanderlust_em", "TravelingTom", "globetrotter88", "Local Guide", "backpack_ben", "TripFoodie",
			"nomad_nina", "jetlagged", "CityBreakCouple", "Foodie on tour"},
		shares: [4]float64{0.35, 0.3, 0.15, 0.2},
	},
}

// author draws the author of a review written in lang at loc.
func (g *generator) author(r *rng, lang string, loc brand.Location) person {
	var cu *culture
	switch lang {
	case "fr":
		cu = cultures["fr"]
		if loc.Country == "CA" {
			cu = cultures["qc"]
		}
	case "ru":
		cu = cultures["ru"]
		if loc.ID == "kazan-baumana" && r.chance(0.4) {
			cu = cultures["tatar"]
		}
	default:
		switch loc.Country {
		case "GB":
			cu = cultures["uk"]
		case "CA":
			cu = cultures["ca"]
		default:
			cu = cultures["intl"]
		}
	}
	gender := r.intn(2)
	first := pick(r, cu.male)
	if gender == 1 {
		first = pick(r, cu.female)
	}
	last := pick(r, cu.surnames)
	if gender == 1 {
		last = cu.feminine(last)
	}
	lastRunes := []rune(last)
	switch r.weighted(cu.shares[:]) {
	case 0:
		return person{first + " " + string(lastRunes[0]) + ".", first, gender}
	case 1:
		return person{first + " " + last, first, gender}
	case 2:
		return person{first, first, gender}
	}
	// Pseudonyms.
	switch {
	case len(cu.latinFirst) > 0 && r.chance(0.35):
		names := cu.latinM
		if gender == 1 {
			names = cu.latinFirst
		}
		return person{pick(r, names) + " " + string(latinInitials[r.intn(len(latinInitials))]) + ".", "", gender}
	case cu.lowerHandleDigits && r.chance(0.35):
		return person{fmt.Sprintf("%s%d", strings.ToLower(strings.ReplaceAll(first, "-", "")), r.between(1, 99)), "", gender}
	}
	return person{pick(r, cu.handles), "", gender}
}

var latinInitials = "ABDGKLMNPRSTVZ"

// lists builds the named lists a review's templates may use.
func (g *generator) lists(b *bank, lang string, loc brand.Location, first string) map[string][]string {
	m := make(map[string][]string, len(b.lists)+10)
	for k, v := range b.lists {
		m[k] = v
	}
	for k, v := range prices[lang][loc.Country] {
		m[k] = v
	}
	if s := near[loc.ID][lang]; s != "" {
		m["near"] = []string{s}
	}
	if s := cityName[loc.ID][lang]; s != "" {
		m["city"] = []string{s}
	}
	if first != "" {
		m["name"] = []string{first}
	}
	return m
}
