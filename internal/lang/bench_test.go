package lang

import (
	"testing"
)

// benchReviews are ~250-character reviews, the common case.
var benchReviews = []string{
	"We came here for a birthday dinner and it was a great choice. The staff were friendly and attentive, the steak was cooked exactly as we asked and the chocolate dessert was to die for. A bit noisy on a Saturday night, but we will definitely be back!",
	"Accueil chaleureux et service rapide, les plats sont copieux et bien présentés. Petit bémol sur le dessert qui manquait un peu de goût, mais le rapport qualité-prix reste excellent. Nous reviendrons avec plaisir pour essayer la carte d'automne.",
	"Очень уютное место, приветливый персонал и быстрое обслуживание. Заказывали пасту и салат, всё было свежим и вкусным. Единственный минус — долго ждали счёт, но в целом впечатления отличные, обязательно придём ещё раз с друзьями.",
	"Terrible experience. We waited forty minutes for a table although we had booked, the waiter forgot half of our order and the fries were cold. When we complained the manager just shrugged. Not worth the money, there are much better places nearby.",
	"Magasin bien rangé mais personnel peu disponible : j'ai attendu vingt minutes en caisse alors qu'il n'y avait que deux clients devant moi. Les produits sont de bonne qualité, dommage que l'organisation ne suive pas. Je ne suis pas sûr de revenir.",
	"Отделение банка работает медленно: в очереди простояли почти час, а консультант так и не смог ответить на простой вопрос по карте. Приложение удобное, но обслуживание в офисе оставляет желать лучшего. Не рекомендую этот филиал.",
}

func BenchmarkDetect(b *testing.B) {
	d := Default()
	for _, t := range benchReviews { // models (if any) loaded outside the timer
		d.Detect(t, "")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(benchReviews[i%len(benchReviews)], "")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

func BenchmarkDetectParallel(b *testing.B) {
	d := Default()
	for _, t := range benchReviews {
		d.Detect(t, "")
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			d.Detect(benchReviews[i%len(benchReviews)], "")
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}
