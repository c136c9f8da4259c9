package github

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

const githubOnly = `
github:
  token_env: UNUSED
  repositories: [acme/infra]
  reconcile_interval: 0
domains: [{name: product}]
rules: [{domain: product, source: github}]
people:
  - {name: alice, github: [Alice-SRE]}
  - {name: bob, github: [bob-ops]}
`

func oneRepo(r *simulation.Repo) *simulation.Dataset {
	r.Name = "infra"
	return &simulation.Dataset{GitHub: simulation.GitHubData{Owners: []*simulation.Owner{{Login: "acme", IsOrg: true, Repos: []*simulation.Repo{r}}}}}
}

func TestGitHubPaginationOverThreePages(t *testing.T) {
	repo := &simulation.Repo{}
	for n := 1; n <= 250; n++ {
		repo.Issues = append(repo.Issues, &simulation.Issue{Number: n, Title: fmt.Sprint("issue ", n),
			User: simulation.User{Login: "dev-dan"}, CreatedAt: sourcetest.Ago(3), UpdatedAt: sourcetest.Ago(2), ClosedAt: sourcetest.Ago(2)})
	}
	for i := 0; i < 230; i++ {
		repo.Comments = append(repo.Comments, &simulation.Comment{ID: int64(i + 1), Issue: 1 + i%250,
			User: simulation.User{Login: "alice-sre"}, CreatedAt: sourcetest.Ago(1), UpdatedAt: sourcetest.Ago(1)})
	}
	run, cfg := sourcetest.Setup(t, oneRepo(repo), githubOnly)
	snap := fetch(t, cfg, "github")

	if len(snap.Items) != 250 {
		t.Errorf("items: got %d, want 250", len(snap.Items))
	}
	comments := 0
	for _, a := range snap.Activities {
		if a.Action == model.ActionCommented && a.Actor == "alice-sre" {
			comments++
		}
	}
	if comments != 230 {
		t.Errorf("comment activities: got %d, want 230", comments)
	}
	var pages []string
	for _, r := range sourcetest.RequestsTo(run, "github", "/repos/acme/infra/issues") {
		q, _ := url.ParseQuery(r.Query)
		if r.Path == "/repos/acme/infra/issues" && q.Get("state") == "all" {
			pages = append(pages, q.Get("page")+"/"+q.Get("per_page"))
		}
	}
	slices.Sort(pages)
	// The first page as the exporter asks for it, the others as GitHub's
	// next links name them.
	if want := []string{"/100", "2/100", "3/100"}; !slices.Equal(pages, want) {
		t.Errorf("state=all pages requested: %v, want %v", pages, want)
	}
}

func TestGitHubWindowBoundariesAndActivities(t *testing.T) {
	alice := simulation.User{Login: "Alice-SRE"}
	bob := simulation.User{Login: "bob-ops"}
	dan := simulation.User{Login: "dev-dan"}
	bot := simulation.User{Login: "dependabot[bot]", Bot: true}
	start := sourcetest.Window.Start
	repo := &simulation.Repo{
		Issues: []*simulation.Issue{
			{Number: 1, Title: "at the start", User: alice, CreatedAt: start, UpdatedAt: start},
			{Number: 2, Title: "a second before", User: alice, CreatedAt: start.Add(-time.Second), UpdatedAt: sourcetest.Ago(1)},
			{Number: 3, Title: "old but open", User: alice, Assignees: []string{"alice-sre"}, CreatedAt: sourcetest.Ago(40), UpdatedAt: sourcetest.Ago(30)},
			{Number: 4, Title: "old and closed", User: alice, CreatedAt: sourcetest.Ago(40), UpdatedAt: sourcetest.Ago(20), ClosedAt: sourcetest.Ago(20)},
			{Number: 5, Title: "bump deps", PR: true, User: bot, CreatedAt: sourcetest.Ago(1), UpdatedAt: sourcetest.Ago(0.5), ClosedAt: sourcetest.Ago(0.5), MergedAt: sourcetest.Ago(0.5)},
			{Number: 6, Title: "by a developer", User: dan, CreatedAt: sourcetest.Ago(2), UpdatedAt: sourcetest.End},
			{Number: 7, Title: "closed and reopened", User: dan, CreatedAt: sourcetest.Ago(3), UpdatedAt: sourcetest.Ago(1)},
		},
		Comments: []*simulation.Comment{
			{ID: 1, Issue: 2, User: alice, CreatedAt: sourcetest.Ago(1), UpdatedAt: sourcetest.Ago(1)},
			{ID: 2, Issue: 6, User: dan, CreatedAt: sourcetest.Ago(2), UpdatedAt: sourcetest.Ago(2)},
			{ID: 3, Issue: 6, User: alice, CreatedAt: sourcetest.End, UpdatedAt: sourcetest.End},
			{ID: 4, Issue: 6, User: bob, CreatedAt: sourcetest.End.Add(time.Second), UpdatedAt: sourcetest.End.Add(time.Second)},
			{ID: 5, Issue: 4, User: bob, CreatedAt: sourcetest.Ago(20), UpdatedAt: sourcetest.Ago(20)},
		},
		ReviewComments: []*simulation.Comment{
			{ID: 10, Issue: 5, User: alice, CreatedAt: sourcetest.Ago(0.8), UpdatedAt: sourcetest.Ago(0.8)},
			{ID: 11, Issue: 5, User: bot, CreatedAt: sourcetest.Ago(0.8), UpdatedAt: sourcetest.Ago(0.8)},
		},
		Events: []*simulation.Event{
			{ID: 100, Issue: 5, Actor: bob, Event: "merged", CreatedAt: sourcetest.Ago(0.5)},
			{ID: 101, Issue: 5, Actor: bob, Event: "closed", CreatedAt: sourcetest.Ago(0.5)},
			{ID: 102, Issue: 7, Actor: bob, Event: "closed", CreatedAt: sourcetest.Ago(2)},
			{ID: 103, Issue: 7, Actor: alice, Event: "reopened", CreatedAt: sourcetest.Ago(1)},
			{ID: 104, Issue: 7, Actor: alice, Event: "labeled", CreatedAt: sourcetest.Ago(1)},
		},
	}
	// 250 events older than the window: reading must stop at the first one.
	for i := 0; i < 250; i++ {
		repo.Events = append(repo.Events, &simulation.Event{ID: int64(i), Issue: 4, Actor: bob, Event: "closed", CreatedAt: sourcetest.Ago(20)})
	}
	run, cfg := sourcetest.Setup(t, oneRepo(repo), githubOnly)
	snap := fetch(t, cfg, "github")

	var keys []string
	for _, it := range snap.Items {
		keys = append(keys, it.Key)
	}
	if want := []string{"acme/infra#1", "acme/infra#2", "acme/infra#3", "acme/infra#5", "acme/infra#6", "acme/infra#7"}; !slices.Equal(keys, want) {
		t.Errorf("tracked items: %v, want %v (an old closed item is not tracked; an old open one is)", keys, want)
	}
	end := sourcetest.End.Format(time.RFC3339)
	for _, tc := range []struct {
		key  string
		want []string
	}{
		{"acme/infra#1", []string{"alice-sre opened " + start.Format(time.RFC3339)}},
		{"acme/infra#2", []string{"alice-sre commented " + sourcetest.Ago(1).Format(time.RFC3339)}},
		{"acme/infra#3", nil},
		{"acme/infra#5", []string{
			"alice-sre review_commented " + sourcetest.Ago(0.8).Format(time.RFC3339),
			"bob-ops merged " + sourcetest.Ago(0.5).Format(time.RFC3339),
		}},
		{"acme/infra#6", []string{
			savedLogin("dev-dan") + " opened " + sourcetest.Ago(2).Format(time.RFC3339),
			savedLogin("dev-dan") + " commented " + sourcetest.Ago(2).Format(time.RFC3339),
			"alice-sre commented " + end,
		}},
		{"acme/infra#7", []string{
			savedLogin("dev-dan") + " opened " + sourcetest.Ago(3).Format(time.RFC3339),
			"bob-ops closed " + sourcetest.Ago(2).Format(time.RFC3339),
			"alice-sre reopened " + sourcetest.Ago(1).Format(time.RFC3339),
		}},
	} {
		idx, it := sourcetest.Item(t, snap, tc.key)
		if it == nil {
			t.Errorf("%s not tracked", tc.key)
			continue
		}
		got := sourcetest.Actions(snap, idx)
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s activities:\n got %q\nwant %q", tc.key, got, want)
		}
	}
	_, pr := sourcetest.Item(t, snap, "acme/infra#5")
	if pr.Kind != model.KindPullRequest || pr.Open || pr.ClosedAt != sourcetest.Ago(0.5).Unix() {
		t.Errorf("merged PR: %+v", pr)
	}
	_, old := sourcetest.Item(t, snap, "acme/infra#3")
	if !old.Open || !slices.Equal(old.Assignees, []string{"alice-sre"}) {
		t.Errorf("old open issue: %+v", old)
	}
	if ev := sourcetest.RequestsTo(run, "github", "/repos/acme/infra/issues/events"); len(ev) != 1 {
		t.Errorf("issue events: %d pages read, want 1 (stop at the first event older than the window)", len(ev))
	}
}

func TestGitHubOwnerExpansion(t *testing.T) {
	ds := &simulation.Dataset{GitHub: simulation.GitHubData{Owners: []*simulation.Owner{
		{Login: "acme-corp", IsOrg: true, Repos: []*simulation.Repo{
			{Name: "sec"}, {Name: "legacy", Archived: true}, {Name: "tools-old"}}},
		{Login: "solo", Repos: []*simulation.Repo{{Name: "dotfiles"}}},
	}}}
	for i := 0; i < 205; i++ { // three pages of repositories
		ds.GitHub.Owners[0].Repos = append(ds.GitHub.Owners[0].Repos, &simulation.Repo{Name: fmt.Sprintf("svc-%03d", i)})
	}
	_, cfg := sourcetest.Setup(t, ds, `
github: {token_env: U, repositories: [acme-corp/*, solo/*, acme-corp/sec], exclude_repositories: ["*/*-old"]}
domains: [{name: d}]
`)
	src := sourceOf(t, cfg, "github").(*Source)
	repos, failures := src.repositories(t.Context(), map[string][]OwnerPage{})
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	if len(repos) != 207 || !slices.Contains(repos, "acme-corp/sec") || !slices.Contains(repos, "acme-corp/svc-000") ||
		!slices.Contains(repos, "acme-corp/svc-204") || repos[206] != "solo/dotfiles" {
		t.Errorf("got %d repositories: first %q, last %q", len(repos), repos[0], repos[len(repos)-1])
	}
	for _, r := range repos {
		if r == "acme-corp/legacy" || r == "acme-corp/tools-old" {
			t.Errorf("%s should be skipped (archived or excluded)", r)
		}
	}
}

// statusOf is the status of the error answer that GitHub sent. go-github
// v60 made an ErrorResponse of a 429, and v88 makes a RateLimitError or an
// AbuseRateLimitError of it, as of a 403 rate-limit answer; the 429 stays
// visible either way. A request that go-github refuses to send, because
// the last answer spent the limit, has no status.
func TestGitHubStatusOfErrorAnswers(t *testing.T) {
	reset := fmt.Sprint(time.Now().Add(time.Hour).Unix())
	secondary := `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",` +
		`"documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	primary := `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-rate-limits"}`
	for _, tc := range []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   int
	}{
		{"not modified", 304, nil, "", 304},
		{"not found", 404, nil, `{"message":"Not Found"}`, 404},
		{"refused depth", 422, nil, `{"message":"Validation Failed"}`, 422},
		{"429 spent primary limit", 429, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, primary, 429},
		{"429 secondary limit", 429, map[string]string{"Retry-After": "60"}, secondary, 429},
		{"429 without a body", 429, nil, "", 429},
		{"403 spent primary limit", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, primary, 0},
		{"403 secondary limit", 403, map[string]string{"Retry-After": "60"}, secondary, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := github.NewClient(github.WithURLs(github.Ptr(srv.URL+"/"), nil))
			if err != nil {
				t.Fatal(err)
			}
			var v []*github.Issue
			_, err = getJSON(context.Background(), c, "repos/acme/infra/issues", &v)
			if got := statusOf(err); got != tc.want {
				t.Errorf("statusOf(%v (%T)) = %d, want %d", err, err, got, tc.want)
			}
			if tc.header["X-RateLimit-Remaining"] != "0" && tc.header["Retry-After"] == "" {
				return
			}
			// The limit is spent: go-github answers the next request
			// itself, with a made-up 403.
			_, err = getJSON(context.Background(), c, "repos/acme/infra/issues", &v)
			if err == nil || statusOf(err) != 0 {
				t.Errorf("after the limit: statusOf(%v (%T)) = %d, want an error with status 0", err, err, statusOf(err))
			}
		})
	}
}
