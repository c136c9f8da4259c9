package github

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// budgetDataset is an organisation of n repositories, each with a few
// issues, comments and events in the window.
func budgetDataset(n int) *simulation.Dataset {
	ds := sourcetest.PagerDutyBase()
	org := &simulation.Owner{Login: "acme", IsOrg: true}
	for i := 0; i < n; i++ {
		repo := &simulation.Repo{Name: fmt.Sprintf("svc-%03d", i)}
		for k := 1; k <= 5; k++ {
			repo.Issues = append(repo.Issues, &simulation.Issue{Number: k, Title: "task", User: simulation.User{Login: "alice-sre"},
				CreatedAt: sourcetest.Ago(3), UpdatedAt: sourcetest.Ago(2)})
			repo.Comments = append(repo.Comments, &simulation.Comment{ID: int64(i*10 + k), Issue: k, User: simulation.User{Login: "bob-ops"},
				CreatedAt: sourcetest.Ago(2), UpdatedAt: sourcetest.Ago(2)})
		}
		repo.Events = []*simulation.Event{{ID: int64(i + 1), Issue: 1, Actor: simulation.User{Login: "bob-ops"}, Event: "closed", CreatedAt: sourcetest.Ago(1)}}
		// The last item is a pull request that alice approved.
		repo.Issues[4].PR = true
		repo.Reviews = []*simulation.Review{{ID: int64(i + 1), Issue: 5, User: simulation.User{Login: "alice-sre"}, State: "APPROVED", SubmittedAt: sourcetest.Ago(2)}}
		repo.Issues[0].ClosedAt = sourcetest.Ago(1)
		org.Repos = append(org.Repos, repo)
	}
	ds.GitHub.Owners = []*simulation.Owner{org}
	return ds
}

// TestRequestBudget measures the requests of a first sync and of a refresh
// in which nothing changed, for organisations of several sizes, in both
// modes: polling every repository at every refresh (reconcile_interval: 0)
// and, the default, asking the Search API which repositories changed. The
// README quotes its log (go test -run TestRequestBudget -v ./collectors).
func TestRequestBudget(t *testing.T) {
	for _, mode := range []struct{ name, interval string }{{"polling", "0"}, {"search", "1h"}} {
		for _, n := range []int{10, 100, 250} {
			t.Run(fmt.Sprintf("%s/%d repositories", mode.name, n), func(t *testing.T) {
				requestBudget(t, n, mode.name, mode.interval)
			})
		}
	}
}

func requestBudget(t *testing.T, n int, mode, interval string) {
	yml := fmt.Sprintf(`
github: {token_env: U, repositories: ["acme/*"], reconcile_interval: %s}
pagerduty: {token_env: U, teams: [Platform]}
domains: [{name: product}]
people:
  - {name: alice, github: [alice-sre], pagerduty: [alice@acme.example]}
  - {name: bob, github: [bob-ops], pagerduty: [PBOB001]}
`, interval)
	run, cfg := sourcetest.Setup(t, budgetDataset(n), yml)
	now := sourcetest.End // each refresh comes a minute after the one before
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), func() time.Time { return now })
	defer r.Close()
	count := func() (gh, gh304, pd int) {
		for _, req := range run.Requests() {
			switch req.API {
			case "github":
				gh++
				if req.Status == 304 {
					gh304++
				}
			case "pagerduty":
				pd++
			}
		}
		return
	}
	start, searches := run.RateRemaining(), run.Searches()
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	gh, _, pd := count()
	// Per repository: issues (state=all and state=open), comments, review
	// comments, events, and the reviews of the one pull request that a
	// team member reviewed; plus the organisation's listing, page by page
	// as its next links go, and the search for the pull requests that
	// alice or bob reviewed (one query, n hits, 100 a page).
	orgPages, reviewSearches := (n+99)/100, (n+99)/100
	if want := 6*n + orgPages + reviewSearches; gh != want {
		t.Errorf("first sync: %d GitHub requests, want %d", gh, want)
	}
	if searched := run.Searches() - searches; searched != reviewSearches {
		t.Errorf("first sync: %d searches, want %d", searched, reviewSearches)
	}
	if used := start - run.RateRemaining(); used != gh-reviewSearches {
		t.Errorf("first sync used %d of the rate limit for %d requests and %d searches", used, gh, reviewSearches)
	}
	if pd != 5 {
		t.Errorf("first sync: %d PagerDuty requests, want 5 (an e-mail address, incidents created, open incidents, log entries, on-call entries)", pd)
	}
	t.Logf("%s, %d repositories: first sync: %d GitHub requests (6 per repository + %d for the listing + %d reviewed-by searches), %d PagerDuty", mode, n, gh, orgPages, reviewSearches, pd)

	run.ResetRequests()
	now = now.Add(time.Minute)
	before, searches := run.RateRemaining(), run.Searches()
	began := time.Now()
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	gh, gh304, pd := count()
	searched := run.Searches() - searches
	switch mode {
	case "polling":
		if want := 4*n + orgPages; gh != want || gh304 != gh {
			t.Errorf("steady state: %d GitHub requests (%d 304), want %d, all 304", gh, gh304, want)
		}
	case "search":
		// One batch of qualifiers, asked with is:issue and with
		// is:pull-request, as GitHub requires.
		if gh != 2 || searched != 2 {
			t.Errorf("steady state: %d GitHub requests, %d searches; want two searches and nothing else", gh, searched)
		}
	}
	if run.RateRemaining() != before {
		t.Error("the steady-state refresh consumed primary rate limit")
	}
	if pd != 3 {
		t.Errorf("steady state: %d PagerDuty requests, want 3 (open incidents, new log entries, on-call entries)", pd)
	}
	t.Logf("%s, %d repositories: steady state: %d GitHub requests (%d of them 304, %d searches), 0 primary rate limit, %d PagerDuty; took %v on loopback",
		mode, n, gh, gh304, searched, pd, took.Round(time.Millisecond))

	// A new repository (newest, so on the first page of the listing) is found.
	now = now.Add(time.Minute)
	recent := now.Add(-30 * time.Second)
	run.Update(func(ds *simulation.Dataset) {
		org := ds.GitHub.Owners[0]
		org.Repos = append(org.Repos, &simulation.Repo{Name: "zzz-new", Issues: []*simulation.Issue{
			{Number: 1, Title: "new", User: simulation.User{Login: "alice-sre"}, CreatedAt: recent, UpdatedAt: recent}}})
	})
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range r.View().Analysis.Classified {
		found = found || c.Item.Key == "acme/zzz-new#1"
	}
	if !found {
		t.Error("a new repository was not found")
	}
}

// TestTokenChangeCost measures what a new token costs: GitHub binds an
// ETag to the token that received it (eclipse-csi/otterdog#201), so the
// first conditional request for each URL under the new token is a 200,
// and charged. This happens when a token is rotated, when a state file is
// restored under another token, and when a GitHub App's installation
// token is renewed (hourly). With search (the default), a refresh polls
// only the repositories that changed, so the cost is paid by those, and by
// the next reconcile; polling pays it at the next refresh.
func TestTokenChangeCost(t *testing.T) {
	for _, mode := range []struct{ name, interval string }{{"polling", "0"}, {"search", "1h"}} {
		for _, n := range []int{10, 100, 250} {
			t.Run(fmt.Sprintf("%s/%d repositories", mode.name, n), func(t *testing.T) {
				tokenChangeCost(t, n, mode.name, mode.interval)
			})
		}
	}
}

func tokenChangeCost(t *testing.T, n int, mode, interval string) {
	yml := fmt.Sprintf(`
github: {token_env: U, repositories: ["acme/*"], reconcile_interval: %s}
domains: [{name: product}]
people:
  - {name: alice, github: [alice-sre]}
`, interval)
	run, cfg := sourcetest.Setup(t, budgetDataset(n), yml)
	now := sourcetest.End
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), func() time.Time { return now })
	defer r.Close()
	refresh := func() (requests, charged int) {
		t.Helper()
		now = now.Add(time.Minute)
		run.ResetRequests()
		before := run.RateRemaining()
		if err := r.RefreshAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		return len(run.Requests()), before - run.RateRemaining()
	}
	refresh() // the first sync
	if _, charged := refresh(); charged != 0 {
		t.Fatalf("steady state under the first token: %d charged, want 0", charged)
	}

	// The token changes: the simulation accepts only the new one, and a
	// reload hands the source's state (ETags included) to a client with it.
	next, err := config.ParseWithoutSecrets([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	run.RotateGitHubToken()
	run.Configure(next)
	if err := r.Reload(next, func(name string) (collectors.Source, error) { return sourceOf(t, next, name), nil }); err != nil {
		t.Fatal(err)
	}
	orgPages := (n + 99) / 100
	reqs, charged := refresh()
	switch mode {
	case "polling": // every URL once more, with a 200
		if want := 4*n + orgPages; charged != want {
			t.Errorf("the refresh after the change: %d charged, want %d (4 per repository + the listing)", charged, want)
		}
	case "search": // two searches, and no repository changed
		if charged != 0 || reqs != 2 {
			t.Errorf("the refresh after the change: %d requests, %d charged; want 2 searches, 0 charged", reqs, charged)
		}
	}
	t.Logf("%s, %d repositories: the refresh after a token change: %d requests, %d charged", mode, n, reqs, charged)
	if mode == "search" {
		now = now.Add(time.Hour) // the next reconcile polls every repository
		reqs, charged = refresh()
		if want := 4*n + orgPages; charged != want {
			t.Errorf("the reconcile after the change: %d charged, want %d", charged, want)
		}
		t.Logf("%s, %d repositories: the reconcile after a token change: %d requests, %d charged", mode, n, reqs, charged)
	}
	if _, charged := refresh(); charged != 0 {
		t.Errorf("the refresh after that: %d charged, want 0 (the new token's ETags are kept)", charged)
	}
}
