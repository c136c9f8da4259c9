package github

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestLongerWindowSyncsAgain: after the first sync of a 7-day window, a
// window that starts earlier (a longer window after a reload, or a
// backfill from the state file) reads what lies in the extra days, for
// GitHub and PagerDuty alike; the cursors alone would only look forward.
func TestLongerWindowSyncsAgain(t *testing.T) {
	ds := sourcetest.Golden()
	infra := ds.GitHub.Owners[0].Repos[0]
	infra.Issues = append(infra.Issues, &simulation.Issue{Number: 9, Title: "Closed three weeks ago", User: simulation.User{Login: "alice-sre"},
		CreatedAt: sourcetest.Ago(21), UpdatedAt: sourcetest.Ago(20), ClosedAt: sourcetest.Ago(20)})
	ds.PagerDuty.Incidents = append(ds.PagerDuty.Incidents, &simulation.Incident{ID: "Q9", Number: 9, Title: "three weeks ago", Urgency: "high",
		ServiceID: "PCHK001", TeamIDs: []string{"PTPLAT1"}, CreatedAt: sourcetest.Ago(21), AcknowledgedAt: sourcetest.Ago(20.9), ResolvedAt: sourcetest.Ago(20.8)})
	_, cfg := sourcetest.Setup(t, ds, sourcetest.Config)
	longer := collectors.Window{Start: sourcetest.End.Add(-30 * 24 * time.Hour), End: sourcetest.End.Add(time.Minute)}
	for _, tc := range []struct{ source, key string }{{"github", "acme/infra#9"}, {"pagerduty", "Q9"}} {
		src := sourceOf(t, cfg, tc.source)
		keys := func(s *model.Snapshot) []string {
			var out []string
			for _, it := range s.Items {
				out = append(out, it.Key)
			}
			return out
		}
		snap, err := src.Fetch(context.Background(), sourcetest.Window)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(keys(snap), tc.key) {
			t.Fatalf("%s: %s is in the 7-day window", tc.source, tc.key)
		}
		snap, err = src.Fetch(context.Background(), longer)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(keys(snap), tc.key) {
			t.Errorf("%s: after a 7-day sync, the 30-day window misses %s: %v", tc.source, tc.key, keys(snap))
		}
	}
}
