package refresh_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/exposition"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
	testsources "github.com/sre-workload/sre_workload_exporter/internal/sourcetest/sources"
)

var sources = testsources.Build

// newTestRefresher is a refresher over the sources of cfg, with the API
// metrics and the exposition's collector registered in reg.
func newTestRefresher(t *testing.T, cfg *config.Config, reg *prometheus.Registry, now func() time.Time) (*refresh.Refresher, *sourcetest.LogSink) {
	t.Helper()
	r, logs := sourcetest.Refresher(t, cfg, reg, now, sources)
	reg.MustRegister(exposition.NewCollector(r.View))
	return r, logs
}
