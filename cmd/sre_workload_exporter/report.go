package main

import (
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/report"
)

// buildReport is the split report of a published View: its analysis, its
// config, and when each source was collected.
func buildReport(v *refresh.View) *report.Report {
	sources := make([]report.Source, 0, len(v.Sources))
	for _, s := range v.Sources {
		sources = append(sources, report.NewSource(s.Name, s.Up, s.LastSuccess, s.Stale))
	}
	r := report.Build(v.Config, v.Analysis, sources)
	if r.NotEnoughData == "" {
		r.History = report.KeptHistory(v.Config, v.History, v.Analysis.Now)
	}
	return r
}
