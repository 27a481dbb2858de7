package enrich

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/themes"
)

// benchReviews are ~250-character reviews in the three languages.
var benchReviews = []review.Review{
	{Lang: "fr", Text: "Très bon accueil, le personnel est souriant et efficace. Par contre l'attente était vraiment trop longue, presque 40 minutes pour un plat tiède. Le rapport qualité-prix reste correct mais je ne suis pas sûr de revenir. Dommage, le cadre est sympa !"},
	{Lang: "en", Text: "The staff were friendly and the coffee was great, but we waited forever in the queue and the tables were dirty. Prices are a bit high for what you get. Parking is easy though. Not sure I'd come back on a Saturday, it's way too crowded and noisy!!"},
	{Lang: "ru", Text: "Очень вкусно и недорого, официанты вежливые и внимательные. Но ждали заказ почти час, а в зале было шумно и грязновато. Парковка рядом, это удобно. В целом неплохо, но в выходные лучше не приходить, слишком много народу :("},
}

func benchEnricher(b *testing.B) *Enricher {
	b.Helper()
	var opts []Option
	if p := os.Getenv("VIGIE_TAXONOMY"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		tax, err := themes.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, WithTaxonomy(tax))
	}
	e, err := New(config.Enrichment{}, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkEnrich measures sentiment and themes together on ~250-character
// reviews, in parallel: reviews/s is what ingestion can expect from this
// stage.
func BenchmarkEnrich(b *testing.B) {
	e := benchEnricher(b)
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			r := benchReviews[i%len(benchReviews)]
			e.Enrich(&r)
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reviews/s")
	// On a shared machine wall time says little: the CPU time per review
	// gives what two idle cores would do.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(2*float64(b.N)/cpu.Seconds(), "reviews/s-2cores-cpu")
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
