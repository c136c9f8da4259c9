// Package pagerduty is the PagerDuty source: it lists the incidents and log
// entries of the configured services and teams through go-pagerduty,
// resolves the people's e-mail addresses to user IDs, keeps a sync state
// that refreshes incrementally (and that a state file saves), and maps them
// to model items and activities.
package pagerduty

import (
	"log/slog"
	"net/http"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// New builds the PagerDuty source of cfg, with its own transport, which api
// instruments.
func New(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) (*Source, error) {
	t := apiclient.NewTransport(model.SourcePagerDuty, &cfg.PagerDuty.APIConfig, api, logger, nil)
	return newSource(cfg, &http.Client{Transport: t}), nil
}

// Reconfigure takes the people's e-mail addresses of a reloaded config
// whose PagerDuty section did not change; the next refresh resolves them.
func (s *Source) Reconfigure(cfg *config.Config) { s.SetEmails(cfg.PagerDutyEmails()) }
