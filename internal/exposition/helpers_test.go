package exposition

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
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
	reg.MustRegister(NewCollector(r.View))
	return r, logs
}

func sourceOf(t *testing.T, cfg *config.Config, name string) collectors.Source {
	t.Helper()
	all, err := sources(cfg, apiclient.NewMetrics(nil), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Name() == name {
			return s
		}
	}
	t.Fatalf("no source %s", name)
	return nil
}

func fetch(t *testing.T, cfg *config.Config, name string) *model.Snapshot {
	t.Helper()
	snap, err := sourceOf(t, cfg, name).Fetch(context.Background(), sourcetest.Window)
	if err != nil {
		t.Fatalf("fetch %s: %v", name, err)
	}
	return snap
}
