package github

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

const reviewsConfig = `
github: {token_env: U, repositories: [acme/infra, acme/docs], reconcile_interval: 0}
domains: [{name: product}]
people:
  - {name: alice, github: [Alice-SRE]}
  - {name: bob, github: [bob-ops]}
`

// reviewsDataset: in acme/infra, pull request 1 (by carol, not in the
// team) has one review of each state, by alice and bob, and one by dan
// (not in the team); pull request 2 has only a review by dan; issue 3 is
// not a pull request. acme/docs has pull request 1, which nobody reviewed.
func reviewsDataset() *simulation.Dataset {
	alice, bob, carol, dan := simulation.User{Login: "alice-sre"}, simulation.User{Login: "bob-ops"}, simulation.User{Login: "carol"}, simulation.User{Login: "dan"}
	infra := &simulation.Repo{Name: "infra",
		Issues: []*simulation.Issue{
			{Number: 1, Title: "Terraform module", PR: true, User: carol, CreatedAt: sourcetest.Ago(5), UpdatedAt: sourcetest.Ago(1)},
			{Number: 2, Title: "Docs link", PR: true, User: carol, CreatedAt: sourcetest.Ago(4), UpdatedAt: sourcetest.Ago(3)},
			{Number: 3, Title: "Question", User: carol, CreatedAt: sourcetest.Ago(4), UpdatedAt: sourcetest.Ago(4)},
		},
		Reviews: []*simulation.Review{
			{ID: 11, Issue: 1, User: alice, State: "CHANGES_REQUESTED", SubmittedAt: sourcetest.Ago(4)},
			{ID: 12, Issue: 1, User: bob, State: "COMMENTED", SubmittedAt: sourcetest.Ago(3)},
			{ID: 13, Issue: 1, User: alice, State: "APPROVED", SubmittedAt: sourcetest.Ago(2)},
			{ID: 14, Issue: 1, User: bob, State: "DISMISSED", SubmittedAt: sourcetest.Ago(1.5)},
			{ID: 15, Issue: 1, User: bob, State: "PENDING"},
			{ID: 16, Issue: 1, User: dan, State: "APPROVED", SubmittedAt: sourcetest.Ago(1)},
			{ID: 21, Issue: 2, User: dan, State: "APPROVED", SubmittedAt: sourcetest.Ago(3)},
		},
	}
	docs := &simulation.Repo{Name: "docs", Issues: []*simulation.Issue{
		{Number: 1, Title: "Typos", PR: true, User: carol, CreatedAt: sourcetest.Ago(2), UpdatedAt: sourcetest.Ago(2)},
	}}
	return &simulation.Dataset{GitHub: simulation.GitHubData{Owners: []*simulation.Owner{{Login: "acme", IsOrg: true, Repos: []*simulation.Repo{infra, docs}}}}}
}

// reviewActions are the review activities of a snapshot, as
// "item actor at", in order.
func reviewActions(s *model.Snapshot) []string {
	var out []string
	for _, a := range s.Activities {
		if a.Action == model.ActionReviewed {
			out = append(out, s.Items[a.Item].Key+" "+a.Actor+" "+time.Unix(a.At, 0).UTC().Format(time.RFC3339))
		}
	}
	slices.Sort(out)
	return out
}

func reviewRequests(run *simulation.Running) []string {
	var out []string
	for _, req := range run.Requests() {
		if req.API == "github" && strings.HasSuffix(req.Path, "/reviews") {
			out = append(out, req.Path)
		}
	}
	slices.Sort(out)
	return out
}

// TestReviewStates: a review approved, with changes requested or commented
// is one activity "review", by its author at its submitted_at; a pending
// or dismissed one is not, and neither is one by someone outside the team
// (a login no person has). At the first sync, only the pull request that a
// team member reviewed is asked for its reviews, found by one reviewed-by:
// search for both logins.
func TestReviewStates(t *testing.T) {
	run, cfg := sourcetest.Setup(t, reviewsDataset(), reviewsConfig)
	snap := fetch(t, cfg, model.SourceGitHub)
	f := func(days float64) string { return sourcetest.Ago(days).UTC().Format(time.RFC3339) }
	want := []string{
		"acme/infra#1 alice-sre " + f(4), // CHANGES_REQUESTED
		"acme/infra#1 alice-sre " + f(2), // APPROVED
		"acme/infra#1 bob-ops " + f(3),   // COMMENTED
	}
	// dan's approval is an activity of an account outside the team,
	// held as its hash, which the analysis attributes to nobody.
	var team []string
	for _, a := range reviewActions(snap) {
		if !strings.Contains(a, " "+savedLogin("dan")+" ") {
			team = append(team, a)
		}
	}
	if !slices.Equal(team, want) {
		t.Errorf("review activities of the team:\n got %q\nwant %q", team, want)
	}
	if got := reviewRequests(run); !slices.Equal(got, []string{"/repos/acme/infra/pulls/1/reviews"}) {
		t.Errorf("first sync asked the reviews of %q, want acme/infra#1 only", got)
	}
	var searches []string
	for _, req := range run.Requests() {
		if strings.HasPrefix(req.Path, "/search/") {
			searches = append(searches, req.Query)
		}
	}
	t.Logf("first sync's search: %s", searches)
	if len(searches) != 1 || !strings.Contains(searches[0], "reviewed-by%3Aalice-sre+OR+reviewed-by%3Abob-ops") {
		t.Errorf("first sync's searches: %q, want one reviewed-by: search for alice-sre OR bob-ops", searches)
	}
}

// TestReviewSteadyState: after the first sync, only the pull requests that
// changed are asked for their reviews. A new approval by bob on
// acme/docs#1 (which nobody had reviewed, so the first sync never asked)
// updates it: the next refresh asks that pull request only, and bob's
// approval is a new activity. A refresh in which nothing changed asks no
// reviews.
func TestReviewSteadyState(t *testing.T) {
	run, cfg := sourcetest.Setup(t, reviewsDataset(), reviewsConfig)
	src := sourceOf(t, cfg, model.SourceGitHub)
	ctx := context.Background()
	if _, err := src.Fetch(ctx, sourcetest.Window); err != nil {
		t.Fatal(err)
	}
	run.ResetRequests()
	if _, err := src.Fetch(ctx, sourcetest.Window); err != nil {
		t.Fatal(err)
	}
	if got := reviewRequests(run); len(got) != 0 {
		t.Errorf("nothing changed, yet the refresh asked the reviews of %q", got)
	}
	at := sourcetest.End.Add(-time.Hour)
	run.Update(func(ds *simulation.Dataset) {
		docs := ds.GitHub.Owners[0].Repos[1]
		docs.Reviews = append(docs.Reviews, &simulation.Review{ID: 31, Issue: 1, User: simulation.User{Login: "bob-ops"}, State: "APPROVED", SubmittedAt: at})
		docs.Issues[0].UpdatedAt = at
	})
	run.ResetRequests()
	snap, err := src.Fetch(ctx, sourcetest.Window)
	if err != nil {
		t.Fatal(err)
	}
	if got := reviewRequests(run); !slices.Equal(got, []string{"/repos/acme/docs/pulls/1/reviews"}) {
		t.Errorf("after one pull request changed, the refresh asked the reviews of %q, want acme/docs#1 only", got)
	}
	if got := reviewActions(snap); !slices.Contains(got, "acme/docs#1 bob-ops "+at.UTC().Format(time.RFC3339)) || len(got) != 5 {
		t.Errorf("review activities after bob's approval: %q, want the 4 of acme/infra#1 and bob's", got)
	}
}

// TestReviewsOfAPersonAdded: a person added to the config after the first
// sync (the state handed over, as a reload or a restart with the state file
// does) is searched for once, alone, and the pull requests they reviewed
// in the repositories already synced are asked, with nothing else; the
// refresh after that searches for no one.
func TestReviewsOfAPersonAdded(t *testing.T) {
	ds := reviewsDataset()
	docs := ds.GitHub.Owners[0].Repos[1]
	docs.Reviews = []*simulation.Review{{ID: 31, Issue: 1, User: simulation.User{Login: "bob-ops"}, State: "COMMENTED", SubmittedAt: sourcetest.Ago(2)}}
	aliceOnly := strings.Replace(reviewsConfig, "  - {name: bob, github: [bob-ops]}\n", "", 1)
	run, cfg := sourcetest.Setup(t, ds, aliceOnly)
	ctx := context.Background()
	src := sourceOf(t, cfg, model.SourceGitHub)
	if _, err := src.Fetch(ctx, sourcetest.Window); err != nil {
		t.Fatal(err)
	}
	var saved strings.Builder
	if err := src.(*Source).SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	both, err := config.ParseWithoutSecrets([]byte(reviewsConfig))
	if err != nil {
		t.Fatal(err)
	}
	run.Configure(both)
	src2 := sourceOf(t, both, model.SourceGitHub)
	if err := src2.(*Source).RestoreState(strings.NewReader(saved.String())); err != nil {
		t.Fatal(err)
	}
	run.ResetRequests()
	snap, err := src2.Fetch(ctx, sourcetest.Window)
	if err != nil {
		t.Fatal(err)
	}
	var searches []string
	for _, req := range run.Requests() {
		if strings.HasPrefix(req.Path, "/search/") && strings.Contains(req.Query, "reviewed-by") {
			searches = append(searches, req.Query)
		}
	}
	if len(searches) != 1 || !strings.Contains(searches[0], "%28reviewed-by%3Abob-ops%29") {
		t.Errorf("searches after bob joined: %q, want one for bob alone", searches)
	}
	if got, want := reviewRequests(run), []string{"/repos/acme/docs/pulls/1/reviews", "/repos/acme/infra/pulls/1/reviews"}; !slices.Equal(got, want) {
		t.Errorf("after bob joined, the reviews of %q were asked, want %q", got, want)
	}
	var bobs []string
	for _, a := range reviewActions(snap) {
		if strings.Contains(a, " bob-ops ") {
			bobs = append(bobs, a)
		}
	}
	f := func(days float64) string { return sourcetest.Ago(days).UTC().Format(time.RFC3339) }
	if want := []string{"acme/docs#1 bob-ops " + f(2), "acme/infra#1 bob-ops " + f(3)}; !slices.Equal(bobs, want) {
		t.Errorf("bob's reviews: %q, want %q", bobs, want)
	}
	run.ResetRequests()
	if _, err := src2.Fetch(ctx, sourcetest.Window); err != nil {
		t.Fatal(err)
	}
	for _, req := range run.Requests() {
		if strings.Contains(req.Query, "reviewed-by") || strings.HasSuffix(req.Path, "/reviews") {
			t.Errorf("the refresh after searched or asked again: %s?%s", req.Path, req.Query)
		}
	}
}

// TestReviewsOfAUsersRepositories: at the first sync of an "owner/*"
// entry whose owner is a user, the reviewed-by: search names it with
// user:, as its listing found it, and finds alice's approval there.
func TestReviewsOfAUsersRepositories(t *testing.T) {
	ds := &simulation.Dataset{GitHub: simulation.GitHubData{Owners: []*simulation.Owner{{Login: "carol", Repos: []*simulation.Repo{{
		Name:    "dotfiles",
		Issues:  []*simulation.Issue{{Number: 1, Title: "Shell aliases", PR: true, User: simulation.User{Login: "carol"}, CreatedAt: sourcetest.Ago(3), UpdatedAt: sourcetest.Ago(2)}},
		Reviews: []*simulation.Review{{ID: 41, Issue: 1, User: simulation.User{Login: "alice-sre"}, State: "APPROVED", SubmittedAt: sourcetest.Ago(2)}},
	}}}}}}
	run, cfg := sourcetest.Setup(t, ds, strings.Replace(reviewsConfig, "[acme/infra, acme/docs]", "[carol/*]", 1))
	snap := fetch(t, cfg, model.SourceGitHub)
	if got, want := reviewActions(snap), []string{"carol/dotfiles#1 alice-sre " + sourcetest.Ago(2).UTC().Format(time.RFC3339)}; !slices.Equal(got, want) {
		t.Errorf("review activities %q, want %q", got, want)
	}
	for _, req := range run.Requests() {
		if strings.Contains(req.Query, "reviewed-by") && !strings.Contains(req.Query, "q=user%3Acarol+") {
			t.Errorf("the search names the user's repositories otherwise: %s", req.Query)
		}
	}
}
