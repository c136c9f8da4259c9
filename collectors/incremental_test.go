package collectors

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// TestSteadyStateCostsNoRateLimit: after the first sync, a refresh in
// which nothing changed gets a 304 for every GitHub request, so it consumes
// no primary rate limit, and makes at most one PagerDuty request per
// endpoint.
func TestSteadyStateCostsNoRateLimit(t *testing.T) {
	run, cfg := testSetup(t, goldenDataset(), testConfig)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), fixedClock(testEnd))
	ctx := context.Background()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	first := len(run.Requests())
	for i := 0; i < 2; i++ {
		run.ResetRequests()
		remaining := run.RateRemaining()
		if err := r.RefreshAll(ctx); err != nil {
			t.Fatal(err)
		}
		perEndpoint := map[string]int{}
		gh := 0
		for _, req := range run.Requests() {
			switch req.API {
			case "github":
				gh++
				if req.Status != 304 {
					t.Errorf("refresh %d: GET %s?%s: %d, want 304", i+2, req.Path, req.Query, req.Status)
				}
			case "pagerduty":
				perEndpoint[req.Path]++
			}
		}
		for p, n := range perEndpoint {
			if n > 1 {
				t.Errorf("refresh %d: %d PagerDuty requests to %s, want at most 1", i+2, n, p)
			}
		}
		if got := run.RateRemaining(); got != remaining {
			t.Errorf("refresh %d consumed %d of the primary rate limit", i+2, remaining-got)
		}
		t.Logf("first sync: %d requests; refresh %d: %d GitHub requests (all 304), PagerDuty %v", first, i+2, gh, perEndpoint)
	}
	// Nothing was lost: the view is the same as after the first sync.
	if got := r.View().Analysis.Items; len(got) == 0 {
		t.Error("no items after the steady-state refreshes")
	}
}

// TestChangesAppearAndCostOnlyWhereTheyAre: a new comment in one
// repository appears at the next refresh, and only the endpoint that
// changed answers with data.
func TestChangesAppearAndCostOnlyWhereTheyAre(t *testing.T) {
	run, cfg := testSetup(t, goldenDataset(), testConfig)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), fixedClock(testEnd))
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := r.RefreshAll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	before := r.View().Analysis.PersonActivities
	run.Update(func(ds *simulation.Dataset) {
		repo := ds.GitHub.Owners[0].Repos[0]
		repo.Comments = append(repo.Comments, &simulation.Comment{ID: 99, Issue: 2,
			User: simulation.User{Login: "alice-sre"}, CreatedAt: ago(0.01), UpdatedAt: ago(0.01)})
		repo.Issues[1].UpdatedAt = ago(0.01)
	})
	run.ResetRequests()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, req := range run.Requests() {
		if req.API == "github" && req.Status != 304 {
			changed = append(changed, req.Path)
		}
	}
	if len(changed) != 2 {
		t.Errorf("requests answered with data: %v, want the issues and comments of acme/infra", changed)
	}
	after := r.View().Analysis.PersonActivities
	var gained int
	for k, v := range after {
		gained += v - before[k]
	}
	if gained != 1 {
		t.Errorf("activities gained: %d, want 1 (alice's new comment)", gained)
	}
}

// TestFailedSyncKeepsProgress: when one repository fails, the others'
// sync state is kept (nothing is published), so the next refresh resumes
// them incrementally; a first sync too big for one hour's rate limit then
// completes over several.
func TestFailedSyncKeepsProgress(t *testing.T) {
	run, cfg := testSetup(t, goldenDataset(), testConfig)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), fixedClock(testEnd))
	defer r.Close()
	run.SetFault(simulation.Fault{API: "github", PathPrefix: "/repos/acme-corp/handbook", Status: 500})
	if err := r.RefreshAll(context.Background()); err == nil {
		t.Fatal("the refresh should fail")
	}
	if r.Ready() {
		t.Error("ready after a failed first sync")
	}
	run.ClearFault()
	run.ResetRequests()
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, req := range run.Requests() {
		if req.API == "github" && strings.HasPrefix(req.Path, "/repos/acme/infra/") && req.Status != 304 {
			t.Errorf("acme/infra synced again: %s?%s %d, want a 304 (resumed)", req.Path, req.Query, req.Status)
		}
	}
	if !r.Ready() {
		t.Error("not ready after the resumed sync")
	}
}
