package github

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/calendar"
	"github.com/sre-workload/sre_workload_exporter/collectors/pagerduty"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/exposition"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// sources builds the sources of a config, as the exporter does.
var sources = sourcetest.Sources(map[string]sourcetest.Constructor{
	model.SourceGitHub:    New,
	model.SourcePagerDuty: pagerduty.New,
	model.SourceCalendar:  calendar.New,
})

// newTestRefresher is a refresher over the sources of cfg, with the API
// metrics and the exposition's collector registered in reg.
func newTestRefresher(t *testing.T, cfg *config.Config, reg *prometheus.Registry, now func() time.Time) (*refresh.Refresher, *sourcetest.LogSink) {
	t.Helper()
	r, logs := sourcetest.Refresher(t, cfg, reg, now, sources)
	reg.MustRegister(exposition.NewCollector(r.View))
	return r, logs
}

func sourceOf(t *testing.T, cfg *config.Config, name string) collectors.Source {
	return sourcetest.SourceOf(t, cfg, name, sources)
}

func fetch(t *testing.T, cfg *config.Config, name string) *model.Snapshot {
	return sourcetest.Fetch(t, cfg, name, sources)
}
