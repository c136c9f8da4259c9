// Package sources builds the sources of a config as the exporter does
// (cmd/sre_workload_exporter/sources.go, which tests cannot import), for
// the tests outside collectors/. The sources' own tests cannot import it
// (it imports them), and build theirs in their helpers_test.go.
package sources

import (
	"log/slog"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/collectors/github"
	"github.com/sre-workload/sre_workload_exporter/collectors/pagerduty"
	"github.com/sre-workload/sre_workload_exporter/config"
)

// Build builds the sources that cfg configures.
func Build(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) ([]collectors.Source, error) {
	var out []collectors.Source
	if cfg.GitHub != nil {
		s, err := github.New(cfg, api, logger)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if cfg.PagerDuty != nil {
		s, err := pagerduty.New(cfg, api, logger)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
