package cli

import (
	"context"

	"github.com/vigie-dev/vigie/internal/api"
	"github.com/vigie-dev/vigie/internal/enrich"
	"github.com/vigie-dev/vigie/internal/service"
	"github.com/vigie-dev/vigie/internal/web"
)

// mount sets up what `vigie serve` and `vigie demo` run beside the
// scheduler: alerting (when rules are configured), the JSON API and the
// dashboard, all on the service's HTTP server. The returned function
// stops what mount started; call it before closing the service.
func mount(svc *service.Service) (stop func(), err error) {
	eng, err := startAlerts(svc)
	if err != nil {
		return nil, err
	}
	deps := api.Deps{
		Index:  svc.Index,
		Brands: svc.Config.Brands,
		Health: serviceHealth{svc},
		Logger: svc.Log,
	}
	if eng != nil {
		deps.Alerts = alertDashboard{eng}
	}
	deps.ThemeLabel = themeLabels(svc)
	api.Register(svc.Server.Mux(), deps)
	web.Register(svc.Server.Mux(), deps)
	return func() {
		if eng != nil {
			eng.Close()
		}
	}, nil
}

// themeLabels names themes as the service's enricher does ("wait" ->
// "Waiting time"); nil without an enricher.
func themeLabels(svc *service.Service) func(string) string {
	for _, e := range svc.Pipeline.Enrichers {
		if en, ok := e.(*enrich.Enricher); ok {
			return en.ThemeLabel
		}
	}
	return nil
}

// serviceHealth reports the sources' health to the API and dashboard.
type serviceHealth struct{ svc *service.Service }

func (h serviceHealth) SourceHealth(ctx context.Context) ([]api.SourceHealth, error) {
	hs, err := h.svc.Health()
	if err != nil {
		return nil, err
	}
	out := make([]api.SourceHealth, 0, len(hs))
	for _, s := range hs {
		status := s.Status
		if status == "warning" {
			status = "ok" // the dashboard shows the warnings themselves
		}
		out = append(out, api.SourceHealth{
			Source: s.ID, Kind: s.Kind, Location: s.Location, Enabled: s.Enabled, Status: status,
			LastRun: s.LastStart, LastSuccess: s.LastSuccess, NextRun: s.NextRun, LastError: firstNonEmpty(s.Error, s.LastError),
			ConsecutiveFailures: s.Failures, LastNew: s.New, Reviews: s.Collected,
		})
	}
	return out, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
