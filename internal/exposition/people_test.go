package exposition

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
)

// TestLeftOutOfMedianHasNoPerWorkdaySeries: a person with less than one
// workday in the team has no context switches per workday series, so the
// median's recording rule leaves them out as the signal does.
func TestLeftOutOfMedianHasNoPerWorkdaySeries(t *testing.T) {
	cfg, err := config.ParseWithoutSecrets([]byte("github: {token_env: T, repositories: [a/b]}\ndomains: [{name: d}]\npeople: [{name: old}, {name: new, joined: 2026-11-29}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	res := &analysis.Result{People: map[string]*analysis.PersonStats{
		"old": {Switches: 10, SwitchesPerWorkday: 2, InTeamWorkdays: 5},
		"new": {Switches: 3, SwitchesPerWorkday: 3 / (5.0 / 7), InTeamWorkdays: 5.0 / 7, LeftOutOfMedian: true},
	}}
	c := NewCollector(func() *refresh.View { return &refresh.View{Config: cfg, Analysis: res} })
	want := `# HELP sre_workload_person_context_switches_per_workday The person's context switches within the window divided by their workdays in the team within it (days x 5/7); absent under one workday. Computed by the background refresh, not at scrape time.
# TYPE sre_workload_person_context_switches_per_workday gauge
sre_workload_person_context_switches_per_workday{person="old"} 2
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "sre_workload_person_context_switches_per_workday"); err != nil {
		t.Error(err)
	}
}
