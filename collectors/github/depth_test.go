package github

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// largeRepo is one repository with open items open, of which the newest
// inWindow were updated within the test window (the others long before
// it), plus comments and events on those, all within the window.
func largeRepo(open, inWindow, comments, events int) *simulation.Repo {
	repo := &simulation.Repo{}
	for n := 1; n <= open; n++ {
		upd := sourcetest.Ago(30).Add(-time.Duration(open-n) * time.Minute)
		if n > open-inWindow {
			// Several items per second, so that keyset restarts meet ties.
			upd = sourcetest.Ago(6).Add(time.Duration(n-(open-inWindow)) * 200 * time.Millisecond).Truncate(time.Second)
		}
		repo.Issues = append(repo.Issues, &simulation.Issue{Number: n, Title: "item " + strconv.Itoa(n), PR: n%3 == 0,
			User: simulation.User{Login: "dev-dan"}, CreatedAt: sourcetest.Ago(400).Add(time.Duration(n) * time.Minute), UpdatedAt: upd})
	}
	for i := 0; i < comments; i++ {
		at := sourcetest.Ago(5).Add(time.Duration(i) * 300 * time.Millisecond).Truncate(time.Second)
		repo.Comments = append(repo.Comments, &simulation.Comment{ID: int64(i + 1), Issue: open - i%max(1, inWindow),
			User: simulation.User{Login: "alice-sre"}, CreatedAt: at, UpdatedAt: at})
	}
	for i := 0; i < events; i++ {
		n := open - i%max(1, inWindow)
		at := sourcetest.Ago(4).Add(time.Duration(i) * time.Second)
		repo.Events = append(repo.Events, &simulation.Event{ID: int64(i + 1), Issue: n,
			Actor: simulation.User{Login: "bob-ops"}, Event: "reopened", CreatedAt: at})
		if is := repo.Issues[n-1]; is.UpdatedAt.Before(at) {
			is.UpdatedAt = at // an event updates its issue
		}
	}
	return repo
}

// tracked counts what a snapshot holds of largeRepo's data.
func tracked(snap *model.Snapshot) (items, comments, events int) {
	items = len(snap.Items)
	for _, a := range snap.Activities {
		switch a.Action {
		case model.ActionCommented:
			comments++
		case model.ActionReopened:
			events++
		}
	}
	return
}

// TestGitHubDeepListingsAreComplete: a repository with more open items,
// comments and events than any page cap lets a listing reach. Whatever
// the depth at which GitHub stops serving page numbers (here 3, 10 and
// none), every item, comment and event is tracked: the issue listings
// follow GitHub's cursor links, the comments resume by keyset where GitHub
// refuses, and the events it cannot list are read from each issue.
func TestGitHubDeepListingsAreComplete(t *testing.T) {
	const open, inWindow, comments, events = 1234, 345, 456, 567
	for _, maxPage := range []int{3, simulation.DefaultMaxPage, 0} {
		t.Run(fmt.Sprintf("max page %d", maxPage), func(t *testing.T) {
			run, cfg := sourcetest.Setup(t, oneRepo(largeRepo(open, inWindow, comments, events)), githubOnly)
			run.SetMaxPage(maxPage)
			snap := fetch(t, cfg, "github")
			items, c, e := tracked(snap)
			if items != open || c != comments || e != events {
				t.Errorf("tracked %d items, %d comments, %d events; want %d, %d, %d", items, c, e, open, comments, events)
			}
			refused := 0
			for _, r := range run.Requests() {
				if r.Status == 422 {
					refused++
				}
			}
			t.Logf("max page %d: %d GitHub requests, %d of them refused for depth", maxPage, len(run.Requests()), refused)
			if maxPage == 3 && refused == 0 {
				t.Error("the cap was never met: the test does not test it")
			}
		})
	}
}

// TestGitHubCursorExpiredResumes: a cursor that GitHub no longer accepts
// is a refusal like a page cap: the listing resumes by keyset, and no
// item is lost.
func TestGitHubCursorExpiredResumes(t *testing.T) {
	const open = 450
	run, cfg := sourcetest.Setup(t, oneRepo(largeRepo(open, 120, 0, 0)), githubOnly)
	run.SetMaxPage(2)
	run.SetFault(simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues", Kind: simulation.FaultCursorExpired})
	snap := fetch(t, cfg, "github")
	if items, _, _ := tracked(snap); items != open {
		t.Errorf("tracked %d items, want %d", items, open)
	}
	expired := 0
	for _, r := range run.Requests() {
		if r.Status == 422 && strings.Contains(r.Query, "after=") {
			expired++
		}
	}
	if expired == 0 {
		t.Error("no cursor was refused: the test does not test it")
	}
}

// TestGitHubFirstSyncOfALargeRepository measures the first sync of a
// repository with many open items against the fewest requests possible:
// ceil(n/100) per listing. CI runs 2,500 open items and 300 updated in
// the window; SRE_LARGE_REPO=1 runs the issue's 25,000 and 3,000.
func TestGitHubFirstSyncOfALargeRepository(t *testing.T) {
	open, inWindow := 2500, 300
	if os.Getenv("SRE_LARGE_REPO") != "" {
		open, inWindow = 25000, 3000
	}
	for _, maxPage := range []int{simulation.DefaultMaxPage, 0} {
		run, cfg := sourcetest.Setup(t, oneRepo(largeRepo(open, inWindow, 0, 0)), githubOnly)
		run.SetMaxPage(maxPage)
		snap := fetch(t, cfg, "github")
		if items, _, _ := tracked(snap); items != open {
			t.Errorf("max page %d: tracked %d items, want %d", maxPage, items, open)
		}
		pages := func(n int) int { return max(1, int(math.Ceil(float64(n)/100))) }
		// state=open, state=all since the window's start, comments,
		// review comments, events.
		bound := pages(open) + pages(inWindow) + 3
		got := len(run.Requests())
		t.Logf("max page %d: %d open items, %d updated in the window: %d requests, lower bound %d, ratio %.3f",
			maxPage, open, inWindow, got, bound, float64(got)/float64(bound))
		if float64(got) > 1.05*float64(bound) {
			t.Errorf("max page %d: %d requests, more than 1.05 x the lower bound %d", maxPage, got, bound)
		}
	}
}

// TestOneUnreadableRepositoryLeavesOthersUpdating: a repository that fails
// keeps its last good data and is named; the other repositories' new data
// is published; source_up is 0 and sre_workload_source_stale_repositories
// 1 until it is read again.
func TestOneUnreadableRepositoryLeavesOthersUpdating(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	reg := prometheus.NewRegistry()
	r, logs := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
	defer r.Close()
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	count := func(prefix string) int {
		n := 0
		for _, c := range r.View().Analysis.Classified {
			if strings.HasPrefix(c.Item.Key, prefix) {
				n++
			}
		}
		return n
	}
	infra, corp := count("acme/infra#"), count("acme-corp/")
	// New items in both; acme/infra cannot be read.
	run.Update(func(ds *simulation.Dataset) {
		for _, o := range ds.GitHub.Owners {
			for _, rp := range o.Repos {
				rp.Issues = append(rp.Issues, &simulation.Issue{Number: 900, Title: "new", User: simulation.User{Login: "Alice-SRE"},
					CreatedAt: sourcetest.End.Add(-time.Hour), UpdatedAt: sourcetest.End.Add(-time.Hour)})
			}
		}
	})
	run.SetFault(simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/", Status: 500})
	err := r.RefreshAll(context.Background())
	var pe *collectors.PartialError
	if !errors.As(err, &pe) || len(pe.Failures) != 1 || pe.Failures[0].Repo != "acme/infra" {
		t.Fatalf("refresh: %v, want a partial error naming acme/infra", err)
	}
	if got := count("acme/infra#"); got != infra {
		t.Errorf("acme/infra: %d items, want its last good %d", got, infra)
	}
	if got := count("acme-corp/"); got <= corp {
		t.Errorf("acme-corp: %d items, want more than %d (their new data)", got, corp)
	}
	if got := sourcetest.Gathered(t, reg, "sre_workload_source_stale_repositories", "github"); got != 1 {
		t.Errorf("stale repositories: %v, want 1", got)
	}
	if got := sourcetest.Gathered(t, reg, "sre_workload_source_up", "github"); got != 0 {
		t.Errorf("source_up: %v, want 0", got)
	}
	for _, s := range r.View().Sources {
		if s.Name == "github" && (len(s.Stale) != 1 || s.Stale[0] != "acme/infra") {
			t.Errorf("stale: %v", s.Stale)
		}
	}
	if !strings.Contains(logs.String(), "stale=[acme/infra]") {
		t.Errorf("the log does not name the repository:\n%s", logs.String())
	}

	run.ClearFault()
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := count("acme/infra#"); got != infra+1 {
		t.Errorf("acme/infra after the fault: %d items, want %d", got, infra+1)
	}
	if got := sourcetest.Gathered(t, reg, "sre_workload_source_stale_repositories", "github"); got != 0 {
		t.Errorf("stale repositories after the fault: %v, want 0", got)
	}
}

// TestNoVerdictUntilEverySourceIsWhole: before any refresh, and after a
// first refresh that could not read one repository, the split analysis is
// absent from /metrics (split_recommended, the signals, the people
// measures); the counts are there. Once the repository is read, it is
// served.
func TestNoVerdictUntilEverySourceIsWhole(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	reg := prometheus.NewRegistry()
	r, _ := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
	defer r.Close()
	verdict := []string{"sre_workload_split_recommended", "sre_workload_split_signal", "sre_workload_split_signal_value",
		"sre_workload_person_context_switches", "sre_workload_person_context_switches_per_workday", "sre_workload_oncall_incidents_per_shift"}
	present := func() map[string]bool {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, mf := range mfs {
			out[mf.GetName()] = len(mf.GetMetric()) > 0
		}
		return out
	}
	check := func(when string, want bool, waiting []string) {
		t.Helper()
		got := present()
		for _, name := range verdict {
			if got[name] != want {
				t.Errorf("%s: %s present %v, want %v", when, name, got[name], want)
			}
		}
		if !got["sre_workload_open_items"] {
			t.Errorf("%s: the counts are missing", when)
		}
		if r.Ready() != want {
			t.Errorf("%s: ready %v, want %v (readiness and the verdict wait for the same)", when, r.Ready(), want)
		}
		if w := r.View().Analysis.Waiting; !slices.Equal(w, waiting) {
			t.Errorf("%s: waiting for %v, want %v", when, w, waiting)
		}
	}
	check("before any refresh", false, []string{"github", "pagerduty"})

	run.SetFault(simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/", Status: 500})
	var pe *collectors.PartialError
	if err := r.RefreshAll(context.Background()); !errors.As(err, &pe) {
		t.Fatalf("refresh: %v, want a partial error", err)
	}
	check("after a partial first refresh", false, []string{"github"})

	run.ClearFault()
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("after every repository was read", true, nil)

	// A later failure of the same repository keeps its older data: the
	// verdict stays.
	run.SetFault(simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/", Status: 500})
	if err := r.RefreshAll(context.Background()); !errors.As(err, &pe) {
		t.Fatalf("refresh: %v, want a partial error", err)
	}
	check("after a later partial refresh", true, nil)
}
