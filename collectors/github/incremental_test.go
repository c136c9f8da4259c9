package github

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestSteadyStateCostsNoRateLimit: after the first sync, a refresh in
// which nothing changed gets a 304 for every GitHub request, so it consumes
// no primary rate limit, and makes at most one PagerDuty request per
// endpoint.
func TestSteadyStateCostsNoRateLimit(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
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
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
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
			User: simulation.User{Login: "alice-sre"}, CreatedAt: sourcetest.Ago(0.01), UpdatedAt: sourcetest.Ago(0.01)})
		repo.Issues[1].UpdatedAt = sourcetest.Ago(0.01)
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
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
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

// TestSearchFindsChangedRepositories: between reconciles, one Search API
// query finds the repositories that changed, and only those are polled;
// when the search fails, every repository is polled; a reconcile polls
// every repository, and finds a change the search index missed.
func TestSearchFindsChangedRepositories(t *testing.T) {
	yml := strings.Replace(sourcetest.Config, "reconcile_interval: 0", "reconcile_interval: 1h", 1)
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), yml)
	now := sourcetest.End
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), func() time.Time { return now })
	defer r.Close()
	ctx := context.Background()
	paths := func() (out []string) {
		for _, req := range run.Requests() {
			if req.API == "github" {
				out = append(out, req.Path)
			}
		}
		return
	}
	if err := r.RefreshAll(ctx); err != nil { // the first refresh reconciles
		t.Fatal(err)
	}

	run.ResetRequests()
	now = now.Add(time.Minute)
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := paths(); len(got) != 2 || got[0] != "/search/issues" || got[1] != "/search/issues" {
		t.Errorf("nothing changed: requests %v, want two searches (is:issue, is:pull-request)", got)
	}

	run.Update(func(ds *simulation.Dataset) {
		repo := ds.GitHub.Owners[0].Repos[0] // acme/infra
		at := now.Add(-30 * time.Second)
		repo.Comments = append(repo.Comments, &simulation.Comment{ID: 700, Issue: 2, User: simulation.User{Login: "alice-sre"}, CreatedAt: at, UpdatedAt: at})
		repo.Issues[1].UpdatedAt = at
	})
	run.ResetRequests()
	now = now.Add(time.Minute)
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths() {
		if p != "/search/issues" && !strings.HasPrefix(p, "/repos/acme/infra/") {
			t.Errorf("an unchanged repository was polled: %s", p)
		}
	}
	found := false
	for k, v := range r.View().Analysis.PersonActivities {
		found = found || (k.Person == "alice" && k.Domain == "security" && v > 0)
	}
	if !found {
		t.Error("the change found by the search did not appear")
	}

	run.SetFault(simulation.Fault{API: "github", PathPrefix: "/search/", Status: 500})
	run.ResetRequests()
	now = now.Add(time.Minute)
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatalf("a failed search must fall back to polling: %v", err)
	}
	if !slices.Contains(paths(), "/repos/acme-corp/handbook/issues") {
		t.Error("after a failed search, not every repository was polled")
	}
	run.ClearFault()

	// A change the search index has not caught up with (older than the
	// search's reach) is found by the next reconcile.
	run.Update(func(ds *simulation.Dataset) {
		repo := ds.GitHub.Owners[1].Repos[0] // acme-corp/handbook
		at := now.Add(-time.Hour)
		repo.Comments = append(repo.Comments, &simulation.Comment{ID: 701, Issue: 1, User: simulation.User{Login: "bob-ops"}, CreatedAt: at, UpdatedAt: at})
	})
	run.ResetRequests()
	now = now.Add(time.Minute)
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(paths(), "/repos/acme-corp/handbook/issues/comments") {
		t.Error("the stale change should wait for the reconcile")
	}
	now = now.Add(time.Hour)
	run.ResetRequests()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(paths(), "/repos/acme-corp/handbook/issues/comments") {
		t.Error("the reconcile did not poll every repository")
	}
	bob := 0
	for k, v := range r.View().Analysis.PersonActivities {
		if k.Person == "bob" && k.Source == "github" && k.Domain == "unclassified" {
			bob = v
		}
	}
	if bob < 2 {
		t.Errorf("bob's unclassified GitHub activities: %d, want the comment found by the reconcile too", bob)
	}
}

// TestDeletedIncidentIsDropped: an open incident that disappears from
// PagerDuty (its service was deleted, or the token lost access to it)
// answers 404 when the exporter fetches it by ID. The refresh succeeds and
// the incident leaves the state, instead of the source failing for good.
func TestDeletedIncidentIsDropped(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	ctx := context.Background()
	tracked := func(key string) bool {
		return slices.ContainsFunc(r.View().Analysis.Classified, func(c analysis.ClassifiedItem) bool {
			return c.Item.Source == model.SourcePagerDuty && c.Item.Key == key
		})
	}
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if !tracked("Q2") {
		t.Fatal("open incident Q2 not tracked after the first refresh")
	}
	run.Update(func(ds *simulation.Dataset) {
		pd := &ds.PagerDuty
		pd.Incidents = slices.DeleteFunc(pd.Incidents, func(in *simulation.Incident) bool { return in.ID == "Q2" })
		pd.LogEntries = slices.DeleteFunc(pd.LogEntries, func(le *simulation.LogEntry) bool { return le.IncidentID == "Q2" })
	})
	run.ResetRequests()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatalf("refresh after the incident was deleted: %v", err)
	}
	var fetched bool
	for _, req := range run.Requests() {
		if req.API == "pagerduty" && strings.HasSuffix(req.Path, "/incidents/Q2") {
			fetched = req.Status == 404
		}
	}
	if !fetched {
		t.Error("the exporter did not ask for Q2 by ID (want one GET answered 404)")
	}
	if tracked("Q2") {
		t.Error("deleted incident Q2 is still tracked")
	}
	if !tracked("Q1") {
		t.Error("incident Q1 was lost")
	}
	// The next refresh does not ask again.
	run.ResetRequests()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, req := range run.Requests() {
		if strings.HasSuffix(req.Path, "/incidents/Q2") {
			t.Errorf("asked for the deleted incident again: %s", req.Path)
		}
	}
}

// TestMissingRepositoryIsNamed: a configured repository that does not
// exist (a typo, or deleted upstream) fails the GitHub refresh with an
// error that names it and its status, asked once, not retried; the last
// good data stays published.
func TestMissingRepositoryIsNamed(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	reg := prometheus.NewRegistry()
	r, _ := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
	ctx := context.Background()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(r.View().Analysis.Classified)
	run.Update(func(ds *simulation.Dataset) {
		owner := ds.GitHub.Owners[0]
		owner.Repos = slices.DeleteFunc(owner.Repos, func(r *simulation.Repo) bool { return r.Name == "infra" })
	})
	run.ResetRequests()
	err := r.RefreshAll(ctx)
	if err == nil || !strings.Contains(err.Error(), "acme/infra") || !strings.Contains(err.Error(), "404") {
		t.Fatalf("refresh with a missing repository: %v, want an error naming acme/infra and 404", err)
	}
	asked := map[string]int{}
	for _, req := range run.Requests() {
		if req.Status == 404 {
			asked[req.Path]++
		}
	}
	for p, n := range asked {
		if n > 1 {
			t.Errorf("%s asked %d times, want once (a 404 is not retried)", p, n)
		}
	}
	if got := len(r.View().Analysis.Classified); got != before {
		t.Errorf("%d items published after the failed refresh, want the last good %d", got, before)
	}
	if up := sourcetest.Gathered(t, reg, "sre_workload_source_up", "github"); up != 0 {
		t.Errorf("sre_workload_source_up{source=\"github\"} = %v, want 0", up)
	}
	if up := sourcetest.Gathered(t, reg, "sre_workload_source_up", "pagerduty"); up != 1 {
		t.Errorf("sre_workload_source_up{source=\"pagerduty\"} = %v, want 1", up)
	}
}

// TestNewCommentsBeyondTheFirstPage: in a repository with more comments in
// the window than fit on a page, a new comment (and a new review comment)
// still appears at the next refresh. The listings are ordered newest
// update first, so a change always alters page 1 and its ETag; in GitHub's
// default order (oldest first) it would land on the last page behind a 304
// on page 1.
func TestNewCommentsBeyondTheFirstPage(t *testing.T) {
	ds := sourcetest.Golden()
	repo := ds.GitHub.Owners[0].Repos[0] // acme/infra
	for i := range 250 {
		at := sourcetest.Ago(5).Add(time.Duration(i) * time.Minute)
		repo.Comments = append(repo.Comments, &simulation.Comment{ID: int64(1000 + i), Issue: 1,
			User: simulation.User{Login: "bob-ops"}, CreatedAt: at, UpdatedAt: at})
		repo.ReviewComments = append(repo.ReviewComments, &simulation.Comment{ID: int64(5000 + i), Issue: 1,
			User: simulation.User{Login: "bob-ops"}, CreatedAt: at, UpdatedAt: at})
	}
	run, cfg := sourcetest.Setup(t, ds, sourcetest.Config)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	ctx := context.Background()
	for range 2 {
		if err := r.RefreshAll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	total := func() (n int) {
		for _, v := range r.View().Analysis.PersonActivities {
			n += v
		}
		return n
	}
	before := total()
	run.Update(func(ds *simulation.Dataset) {
		repo := ds.GitHub.Owners[0].Repos[0]
		at := sourcetest.Ago(0.01)
		repo.Comments = append(repo.Comments, &simulation.Comment{ID: 9001, Issue: 1, User: simulation.User{Login: "alice-sre"}, CreatedAt: at, UpdatedAt: at})
		repo.ReviewComments = append(repo.ReviewComments, &simulation.Comment{ID: 9002, Issue: 1, User: simulation.User{Login: "alice-sre"}, CreatedAt: at, UpdatedAt: at})
		repo.Issues[0].UpdatedAt = at
	})
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if gained := total() - before; gained != 2 {
		t.Errorf("activities gained: %d, want 2 (a comment and a review comment on page 1 of 3)", gained)
	}
}

// TestETagStoreStaysBounded: searches between reconciles move their
// updated:>= term at every refresh, so they are sent without an ETag and
// none is kept; the store holds one entry per stable URL, however many
// refreshes run.
func TestETagStoreStaysBounded(t *testing.T) {
	yml := strings.Replace(sourcetest.Config, "reconcile_interval: 0", "reconcile_interval: 1h", 1)
	_, cfg := sourcetest.Setup(t, sourcetest.Golden(), yml)
	now := sourcetest.End
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), func() time.Time { return now })
	defer r.Close()
	var gh *Source
	for _, s := range r.Sources() {
		if g, ok := s.(*Source); ok {
			gh = g
		}
	}
	if gh == nil {
		t.Fatal("no GitHub source")
	}
	size := gh.etags.Len
	var sizes []int
	for range 5 {
		if err := r.RefreshAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, size())
		now = now.Add(5 * time.Minute)
	}
	if sizes[0] == 0 || slices.Max(sizes) != sizes[0] {
		t.Errorf("ETag entries after each refresh: %v, want the first sync's count throughout", sizes)
	}
}

// TestReloadKeepsStateWhenOnlyLimitsChange: a reload that changes how a
// source calls its API (here its concurrency; a rotated token is the same
// case) but not what it reads builds a new client, hands it the old
// state, and keeps serving the last snapshot: nothing drops to zero, the
// exporter stays ready, and the next refresh is all 304s.
func TestReloadKeepsStateWhenOnlyLimitsChange(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	reg := prometheus.NewRegistry()
	r, _ := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
	defer r.Close()
	ctx := context.Background()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	items := len(r.View().Analysis.Classified)

	next, err := config.ParseWithoutSecrets([]byte(strings.Replace(sourcetest.Config, "  token_env: UNUSED\n  repositories:", "  token_env: UNUSED\n  concurrency: 2\n  repositories:", 1)))
	if err != nil {
		t.Fatal(err)
	}
	run.Configure(next)
	if config.SameSource(cfg, next, "github") {
		t.Fatal("the test's change does not replace the GitHub source")
	}
	var built []string
	err = r.Reload(next, func(name string) (collectors.Source, error) {
		built = append(built, name)
		return sourceOf(t, next, name), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(built, []string{"github"}) {
		t.Fatalf("sources rebuilt: %v, want github only", built)
	}
	if got := len(r.View().Analysis.Classified); got != items || !r.Ready() {
		t.Fatalf("after the reload: %d items (want %d), ready %v", got, items, r.Ready())
	}
	if up := sourcetest.Gathered(t, reg, "sre_workload_source_up", "github"); up != 1 {
		t.Errorf("sre_workload_source_up{source=\"github\"} = %v after the reload, want 1", up)
	}
	run.ResetRequests()
	remaining := run.RateRemaining()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, req := range run.Requests() {
		if req.API == "github" && req.Status != 304 {
			t.Errorf("GET %s?%s after the reload: %d, want 304 (the state was handed over)", req.Path, req.Query, req.Status)
		}
	}
	if used := remaining - run.RateRemaining(); used != 0 {
		t.Errorf("the first refresh after the reload consumed %d of the primary rate limit", used)
	}
}
