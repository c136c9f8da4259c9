// Package sources builds the sources of a config as the exporter does
// (cmd/sre_workload_exporter/sources.go, which tests cannot import), for
// the tests outside collectors/. The sources' own tests cannot import it
// (it imports them), and pass their constructors to sourcetest.Sources.
package sources

import (
	"github.com/sre-workload/sre_workload_exporter/collectors/calendar"
	"github.com/sre-workload/sre_workload_exporter/collectors/github"
	"github.com/sre-workload/sre_workload_exporter/collectors/pagerduty"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// Build builds the sources that a config configures.
var Build = sourcetest.Sources(map[string]sourcetest.Constructor{
	model.SourceCalendar:  calendar.New,
	model.SourceGitHub:    github.New,
	model.SourcePagerDuty: pagerduty.New,
})
