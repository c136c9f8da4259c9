package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/privacylog"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
)

// reloader reloads the config file on SIGHUP and POST /-/reload. An
// invalid new config is refused and the old one keeps running.
type reloader struct {
	load      func() (*config.Config, error)
	refresher *refresh.Refresher
	api       *apiclient.Metrics
	logger    *slog.Logger
	// private is the log's privacy handler, which takes the reloaded
	// config's people; nil in tests that log elsewhere.
	private *privacylog.Handler

	mu                sync.Mutex // one reload at a time
	successful        prometheus.Gauge
	lastSuccessfulSec prometheus.Gauge
}

func newReloader(load func() (*config.Config, error), r *refresh.Refresher, api *apiclient.Metrics, logger *slog.Logger, reg prometheus.Registerer) *reloader {
	rl := &reloader{
		load: load, refresher: r, api: api, logger: logger,
		successful: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sre_workload_config_last_reload_successful",
			Help: "1 if the last config reload succeeded, else 0.",
		}),
		lastSuccessfulSec: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sre_workload_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful config load (the start counts as one).",
		}),
	}
	reg.MustRegister(rl.successful, rl.lastSuccessfulSec)
	rl.successful.Set(1)
	rl.lastSuccessfulSec.SetToCurrentTime()
	return rl
}

// reload loads the config again and hands it to the refresher.
func (rl *reloader) reload() error {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	cfg, err := rl.load()
	if err == nil {
		err = rl.refresher.Reload(cfg, func(source string) (collectors.Source, error) {
			return newSource(cfg, source, rl.api, rl.logger)
		})
	}
	if err != nil {
		rl.successful.Set(0)
		rl.logger.Error("config reload refused; the old config keeps running", "err", err)
		return err
	}
	if rl.private != nil {
		rl.private.Use(cfg)
	}
	rl.successful.Set(1)
	rl.lastSuccessfulSec.SetToCurrentTime()
	rl.logger.Info("config reloaded", configSummary(cfg)...)
	for _, w := range cfg.Warnings() {
		rl.logger.Warn("config: " + w)
	}
	return nil
}

// watchSignals reloads on every SIGHUP until ctx ends.
func (rl *reloader) watchSignals(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = rl.reload()
			}
		}
	}()
}

// ServeHTTP is POST /-/reload.
func (rl *reloader) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		w.Header().Set("Allow", "POST, PUT")
		http.Error(w, "use POST to reload the config", http.StatusMethodNotAllowed)
		return
	}
	if err := rl.reload(); err != nil {
		http.Error(w, fmt.Sprintf("failed to reload config:\n%s", err), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "config reloaded at %s\n", time.Now().UTC().Format(time.RFC3339))
}
