package pagerduty

import (
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestPriorityAndMerge: the incident's priority reference and a merge's
// resolve_reason reach the model; the merge's resolve log entry stays an
// activity of the person who merged.
func TestPriorityAndMerge(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	pd := &ds.PagerDuty
	pd.Priorities = []simulation.PDRef{{ID: "PPRIO01", Name: "P1"}, {ID: "PPRIO02", Name: "P2"}}
	t1 := sourcetest.Ago(1)
	pd.Incidents = []*simulation.Incident{
		{ID: "Q1", Number: 1, Title: "survivor", Urgency: "high", ServiceID: "PCHK001", TeamIDs: []string{"PTPLAT1"},
			PriorityID: "PPRIO01", CreatedAt: t1, AcknowledgedAt: t1.Add(time.Minute), ResolvedAt: t1.Add(time.Hour)},
		{ID: "Q2", Number: 2, Title: "duplicate", Urgency: "high", ServiceID: "PCHK001", TeamIDs: []string{"PTPLAT1"},
			CreatedAt: t1, ResolvedAt: t1.Add(5 * time.Minute), MergedInto: "Q1"},
	}
	pd.LogEntries = []*simulation.LogEntry{
		{ID: "R1", Type: "resolve_log_entry", IncidentID: "Q2", CreatedAt: t1.Add(5 * time.Minute), AgentType: "user_reference", AgentID: "PBOB001", ChannelType: "web_ui"},
		{ID: "R2", Type: "resolve_log_entry", IncidentID: "Q1", CreatedAt: t1.Add(time.Hour), AgentType: "user_reference", AgentID: "PBOB001", ChannelType: "web_ui"},
	}
	_, cfg := sourcetest.Setup(t, ds, pagerdutyOnly)
	snap := fetch(t, cfg, "pagerduty")
	if len(snap.Items) != 2 {
		t.Fatalf("items %+v", snap.Items)
	}
	q1, q2 := snap.Items[0], snap.Items[1]
	if q1.Priority != (model.Ref{ID: "PPRIO01", Name: "P1"}) || q1.MergedInto != "" {
		t.Errorf("Q1 priority %+v, merged into %q", q1.Priority, q1.MergedInto)
	}
	if q2.Priority != (model.Ref{}) || q2.MergedInto != "Q1" || q2.Open || q2.ClosedAt != t1.Add(5*time.Minute).Unix() {
		t.Errorf("Q2 %+v, want no priority, merged into Q1, closed at the merge", q2)
	}
	n := 0
	for _, a := range snap.Activities {
		if a.Action == model.ActionResolved && a.Actor == "PBOB001" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d resolve activities by bob, want 2 (the merge is an action too): %+v", n, snap.Activities)
	}
}
