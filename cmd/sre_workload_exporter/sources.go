package main

import (
	"fmt"
	"log/slog"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/collectors/calendar"
	"github.com/sre-workload/sre_workload_exporter/collectors/github"
	"github.com/sre-workload/sre_workload_exporter/collectors/pagerduty"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// sourceKinds is the one list of the kinds of source: each builds its
// source from the config. A new source is a package under collectors/ and
// one line here.
var sourceKinds = map[string]func(*config.Config, *apiclient.Metrics, *slog.Logger) (collectors.Source, error){
	model.SourceCalendar:  calendar.New,
	model.SourceGitHub:    github.New,
	model.SourcePagerDuty: pagerduty.New,
}

// newSource builds the named source of cfg.
func newSource(cfg *config.Config, name string, api *apiclient.Metrics, logger *slog.Logger) (collectors.Source, error) {
	build, ok := sourceKinds[name]
	if !ok {
		return nil, fmt.Errorf("unknown source %q", name)
	}
	return build(cfg, api, logger)
}

// newSources builds every source that cfg configures.
func newSources(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) ([]collectors.Source, error) {
	var out []collectors.Source
	for _, name := range cfg.Sources() {
		s, err := newSource(cfg, name, api, logger)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
