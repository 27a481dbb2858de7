package lang

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// benchReviews are reviews of about 250 characters, the common case.
var benchReviews = []string{
	"We came here for a birthday dinner and it was a great choice. The staff were friendly and attentive, the steak was cooked exactly as we asked and the chocolate dessert was to die for. A bit noisy on a Saturday night, but we will definitely be back!",
	"Accueil chaleureux et service rapide, les plats sont copieux et bien présentés. Petit bémol sur le dessert qui manquait un peu de goût, mais le rapport qualité-prix reste excellent. Nous reviendrons avec plaisir pour essayer la carte d'automne.",
	"Очень уютное место, приветливый персонал и быстрое обслуживание. Заказывали пасту и салат, всё было свежим и вкусным. Единственный минус — долго ждали счёт, но в целом впечатления отличные, обязательно придём ещё раз с друзьями.",
	"Terrible experience. We waited forty minutes for a table although we had booked, the waiter forgot half of our order and the fries were cold. When we complained the manager just shrugged. Not worth the money, there are much better places nearby.",
	"Magasin bien rangé mais personnel peu disponible : j'ai attendu vingt minutes en caisse alors qu'il n'y avait que deux clients devant moi. Les produits sont de bonne qualité, dommage que l'organisation ne suive pas. Je ne suis pas sûr de revenir.",
	"Отделение банка работает медленно: в очереди простояли почти час, а консультант так и не смог ответить на простой вопрос по карте. Приложение удобное, но обслуживание в офисе оставляет желать лучшего. Не рекомендую этот филиал.",
}

// linguaReviews are texts the words leave open: every one goes to lingua,
// the longer ones to the gate as well.
var linguaReviews = []string{
	"Super",
	"Top !",
	"Service impeccable",
	"Cuisine raffinée, décoration soignée",
	"Overall, excellent restaurant!",
	"Pizza correcte, dessert moyen, addition salée",
}

func benchDetect(b *testing.B, texts []string) {
	d := Default()
	for _, t := range texts { // load models, if any, outside the timer
		d.Detect(t, "")
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			d.Detect(texts[i%len(texts)], "")
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				d.Detect(texts[i%len(texts)], "")
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
	})
}

// BenchmarkDetect is the common path: reviews of ~250 characters in the
// three languages, decided by their words.
func BenchmarkDetect(b *testing.B) { benchDetect(b, benchReviews) }

// BenchmarkDetectLingua is the slow path: short texts the words leave open.
func BenchmarkDetectLingua(b *testing.B) {
	for _, s := range linguaReviews {
		if _, st := Default().detect(s, ""); st != stageLingua && st != stageGate {
			b.Fatalf("%q is decided at stage %d, not by lingua", s, st)
		}
	}
	benchDetect(b, linguaReviews)
}

// BenchmarkLinguaOnly is lingua's English/French model on the ~250-character
// English and French reviews: what the words save.
func BenchmarkLinguaOnly(b *testing.B) {
	var texts []string
	for _, s := range benchReviews {
		if !strings.ContainsAny(s, "аеиоуя") {
			texts = append(texts, s)
		}
	}
	pairProbs(texts[0])
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			pairProbs(texts[i%len(texts)])
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

// TestRSS reports resident memory at each step of loading. It needs a
// process of its own:
//
//	VIGIE_LANG_RSS=1 go test -run TestRSS -count=1 -v ./internal/lang/
func TestRSS(t *testing.T) {
	if os.Getenv("VIGIE_LANG_RSS") == "" {
		t.Skip("set VIGIE_LANG_RSS=1 and run alone to measure memory")
	}
	rss := func(step string) {
		runtime.GC()
		debug.FreeOSMemory()
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			t.Skip("no /proc/self/status")
		}
		var cur, peak string
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				cur = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				peak = strings.TrimSpace(v)
			}
		}
		t.Logf("%-40s RSS %10s  peak %10s", step, cur, peak)
	}
	rss("start")
	d := Default()
	for _, s := range benchReviews {
		d.Detect(s, "")
	}
	rss("cascade only (words)")
	pairProbs("Super")
	rss("+ lingua en/fr high accuracy")
	gateProb("Kawa dobra, ciasto suche.")
	rss("+ Latin gate (low accuracy)")
	cyrProb("В ресторане спокойная атмосфера")
	rss("+ Cyrillic gate (low accuracy)")
}
