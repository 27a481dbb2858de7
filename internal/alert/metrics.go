package alert

import (
	"github.com/vigie-dev/vigie/internal/metrics"
)

// instruments are alerting's metrics on /metrics.
type instruments struct {
	opened     *metrics.CounterVec
	deliveries *metrics.CounterVec
	open       *metrics.GaugeVec
	failing    *metrics.GaugeVec
	seen       map[[2]string]bool
}

func newInstruments(r *metrics.Registry, e *Engine) *instruments {
	m := &instruments{
		opened:     r.NewCounter("vigie_alerts_opened_total", "Alerts raised, by rule kind and severity.", "kind", "severity"),
		deliveries: r.NewCounter("vigie_alert_deliveries_total", "Attempts to deliver alert notifications, by channel and outcome (delivered, retrying, failed: gave up).", "channel", "outcome"),
		open:       r.NewGauge("vigie_alerts_open", "Alerts open or acknowledged, by rule kind and severity.", "kind", "severity"),
		failing:    r.NewGauge("vigie_alert_channel_failing", "1 if the last attempt on the channel failed, else 0.", "channel"),
		seen:       map[[2]string]bool{},
	}
	r.NewGaugeFunc("vigie_alert_delivery_queue", "Alert notifications waiting to be delivered (including retries).", func() float64 {
		return float64(e.disp.Pending())
	})
	for name := range e.channels {
		m.failing.With(name).Set(0)
	}
	return m
}

// refresh sets the gauges from the engine's alerts (under its lock).
func (m *instruments) refresh(e *Engine) {
	counts := map[[2]string]int{}
	for _, r := range e.active {
		counts[[2]string{r.Kind, r.Severity}]++
	}
	for k := range m.seen {
		if counts[k] == 0 {
			m.open.With(k[0], k[1]).Set(0)
		}
	}
	for k, n := range counts {
		m.seen[k] = true
		m.open.With(k[0], k[1]).Set(float64(n))
	}
}
