package github

// The documented example responses of every endpoint the exporter reads
// (testdata/api, sources in testdata/api/README.md), served as they are
// documented and decoded by the client libraries the exporter uses, then
// turned into the exporter's own values. A test fails when a library or a
// conversion stops reading what the APIs document.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

func realAnswerGitHub(t *testing.T, answers ...sourcetest.Answer) (*github.Client, func(string) int) {
	t.Helper()
	srv, count := sourcetest.AnswerServer(t, "application/json; charset=utf-8", answers...)
	c, err := github.NewClient(github.WithURLs(github.Ptr(srv.URL+"/"), nil))
	if err != nil {
		t.Fatal(err)
	}
	return c, count
}

// realList reads a listing through walk, the exporter's own path for
// every GitHub listing, and returns its items.
func realList[T any](t *testing.T, c *github.Client, path string) []T {
	t.Helper()
	var out []T
	if err := walk(context.Background(), c, listing(path, url.Values{}), false, func(it T) bool {
		out = append(out, it)
		return false
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRealAnswersGitHubIssues(t *testing.T) {
	c, _ := realAnswerGitHub(t, sourcetest.AnswerOK("GET", "/repos/octocat/Hello-World/issues", "github/issue-items.json"))
	issues := realList[*github.Issue](t, c, "repos/octocat/Hello-World/issues")
	if len(issues) != 1 {
		t.Fatalf("%d issues, want 1", len(issues))
	}
	got := issueItem("octocat/Hello-World", issues[0])
	want := &Item{
		Item: model.Item{
			Source:    model.SourceGitHub,
			Kind:      model.KindPullRequest, // the example carries a pull_request object
			Key:       "octocat/Hello-World#1347",
			Title:     "Found a bug",
			URL:       "https://github.com/octocat/Hello-World/issues/1347",
			Open:      true,
			CreatedAt: 1303479228, // 2011-04-22T13:33:48Z
			UpdatedAt: 1303479228,
			ClosedAt:  0, // closed_at: null
			Repo:      "octocat/Hello-World",
			Labels:    []string{"bug"},
			Assignees: []string{"octocat"},
		},
		Author: "octocat",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("issueItem:\n got %+v\nwant %+v", *got, *want)
	}
}

func TestRealAnswersGitHubIssueComments(t *testing.T) {
	c, _ := realAnswerGitHub(t, sourcetest.AnswerOK("GET", "/repos/octocat/Hello-World/issues/comments", "github/issue-comment-items.json"))
	comments := realList[*github.IssueComment](t, c, "repos/octocat/Hello-World/issues/comments")
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	cm := comments[0]
	if cm.GetID() != 1 {
		t.Errorf("id %d, want 1", cm.GetID())
	}
	if n := numberFromURL(cm.GetIssueURL()); n != 1347 {
		t.Errorf("number from issue_url %q: %d, want 1347", cm.GetIssueURL(), n)
	}
	if l := login(cm.User); l != "octocat" {
		t.Errorf("login %q, want octocat", l)
	}
	if at := model.Unix(cm.GetCreatedAt().Time); at != 1302796849 { // 2011-04-14T16:00:49Z
		t.Errorf("created_at %d, want 1302796849", at)
	}
}

func TestRealAnswersGitHubReviewComments(t *testing.T) {
	c, _ := realAnswerGitHub(t, sourcetest.AnswerOK("GET", "/repos/octocat/Hello-World/pulls/comments", "github/pull-request-review-comment-items.json"))
	comments := realList[*github.PullRequestComment](t, c, "repos/octocat/Hello-World/pulls/comments")
	if len(comments) != 1 {
		t.Fatalf("%d review comments, want 1", len(comments))
	}
	cm := comments[0]
	if cm.GetID() != 10 {
		t.Errorf("id %d, want 10", cm.GetID())
	}
	// The example's pull_request_url names pull 1 (its url names comment 1).
	if n := numberFromURL(cm.GetPullRequestURL()); n != 1 {
		t.Errorf("number from pull_request_url %q: %d, want 1", cm.GetPullRequestURL(), n)
	}
	if l := login(cm.User); l != "octocat" {
		t.Errorf("login %q, want octocat", l)
	}
	if at := model.Unix(cm.GetCreatedAt().Time); at != 1302796849 { // 2011-04-14T16:00:49Z
		t.Errorf("created_at %d, want 1302796849", at)
	}
}

func TestRealAnswersGitHubRepositoryEvents(t *testing.T) {
	c, _ := realAnswerGitHub(t, sourcetest.AnswerOK("GET", "/repos/octocat/Hello-World/issues/events", "github/issue-event-items.json"))
	events := realList[*github.IssueEvent](t, c, "repos/octocat/Hello-World/issues/events")
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	e := events[0]
	if e.GetID() != 1 || e.GetEvent() != "closed" {
		t.Errorf("event %d %q, want 1 closed", e.GetID(), e.GetEvent())
	}
	if k := eventKind(e.GetEvent()); k != EventClosed {
		t.Errorf("eventKind(%q) = %v, want EventClosed", e.GetEvent(), k)
	}
	if e.Issue == nil || e.Issue.GetNumber() != 1347 {
		t.Errorf("issue %+v, want number 1347", e.Issue)
	}
	if l := login(e.Actor); l != "octocat" {
		t.Errorf("actor %q, want octocat", l)
	}
	if at := model.Unix(e.GetCreatedAt().Time); at != 1302796849 { // 2011-04-14T16:00:49Z
		t.Errorf("created_at %d, want 1302796849", at)
	}
}

func TestRealAnswersGitHubIssueEvents(t *testing.T) {
	c, _ := realAnswerGitHub(t, sourcetest.AnswerOK("GET", "/repos/octocat/Hello-World/issues/1347/events", "github/issue-event-for-issue-items.json"))
	events := realList[*github.IssueEvent](t, c, "repos/octocat/Hello-World/issues/1347/events")
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	e := events[0]
	if k := eventKind(e.GetEvent()); e.GetID() != 1 || k != EventClosed {
		t.Errorf("event %d %q (kind %v), want 1 closed", e.GetID(), e.GetEvent(), k)
	}
	// An issue's own events carry no issue: the number is the one asked for.
	if e.Issue != nil {
		t.Errorf("issue %+v, want none in an issue's own events", e.Issue)
	}
	if l := login(e.Actor); l != "octocat" {
		t.Errorf("actor %q, want octocat", l)
	}
	if e.GetLabel().GetName() != "label" || e.GetLabel().GetColor() != "red" {
		t.Errorf("label %+v, want label/red", e.GetLabel())
	}
	if at := model.Unix(e.GetCreatedAt().Time); at != 1302796849 {
		t.Errorf("created_at %d, want 1302796849", at)
	}
}

func TestRealAnswersGitHubOwnerRepositories(t *testing.T) {
	c, _ := realAnswerGitHub(t,
		sourcetest.AnswerOK("GET", "/orgs/octocat/repos", "github/minimal-repository-items.json"),
		sourcetest.AnswerOK("GET", "/users/octocat/repos", "github/minimal-repository-items.json"))
	byOrg := realList[*github.Repository](t, c, "orgs/octocat/repos")
	byUser := realList[*github.Repository](t, c, "users/octocat/repos")
	for name, repos := range map[string][]*github.Repository{"org": byOrg, "user": byUser} {
		if len(repos) != 1 {
			t.Fatalf("%s: %d repositories, want 1", name, len(repos))
		}
		r := repos[0]
		// What ownerRepos keeps: the full name of a repository not archived.
		if r.GetFullName() != "octocat/Hello-World" || r.Archived == nil || r.GetArchived() {
			t.Errorf("%s: %q archived %v, want octocat/Hello-World, archived false", name, r.GetFullName(), r.Archived)
		}
		if r.GetPushedAt().Unix() != 1296068803 { // 2011-01-26T19:06:43Z
			t.Errorf("%s: pushed_at %v", name, r.GetPushedAt())
		}
	}
}

func TestRealAnswersGitHubSearchIssues(t *testing.T) {
	ctx := context.Background()
	c, _ := realAnswerGitHub(t, sourcetest.AnswerOK("GET", "/search/issues", "github/issue-search-result-item-paginated.json"))
	// As searchChanges asks and decodes it.
	var res github.IssuesSearchResult
	_, err := getJSON(ctx, c, listing("search/issues", url.Values{"q": {"repo:batterseapower/pinyin-toolkit is:issue updated:>=2009-07-01T00:00:00Z"}}), &res)
	if err != nil {
		t.Fatal(err)
	}
	// searchChanges gives up on incomplete results or more than 1000.
	if res.GetTotal() != 280 || res.GetIncompleteResults() {
		t.Errorf("total %d incomplete %v, want 280 false", res.GetTotal(), res.GetIncompleteResults())
	}
	if len(res.Issues) != 1 {
		t.Fatalf("%d items, want 1", len(res.Issues))
	}
	is := res.Issues[0]
	// searchChanges takes the repository from repository_url.
	full := is.GetRepositoryURL()
	if i := strings.Index(full, "/repos/"); i >= 0 {
		full = full[i+len("/repos/"):]
	}
	if full != "batterseapower/pinyin-toolkit" {
		t.Errorf("repository %q, want batterseapower/pinyin-toolkit", full)
	}
	got := issueItem(full, is)
	if got.Item.Key != "batterseapower/pinyin-toolkit#132" || got.Item.Title != "Line Number Indexes Beyond 20 Not Displayed" || !got.Item.Open {
		t.Errorf("item %+v", got.Item)
	}
	// The example has a pull_request object (its url is "https://api/github.com/...").
	if got.Item.Kind != model.KindPullRequest {
		t.Errorf("kind %v, want a pull request", got.Item.Kind)
	}
	if got.Author != "nick3c" { // login Nick3C, lower-cased
		t.Errorf("author %q, want nick3c", got.Author)
	}
	if got.Item.CreatedAt != 1247429441 || got.Item.UpdatedAt != 1247995423 { // 2009-07-12T20:10:41Z, 2009-07-19T09:23:43Z
		t.Errorf("created %d updated %d", got.Item.CreatedAt, got.Item.UpdatedAt)
	}
	if !reflect.DeepEqual(got.Item.Labels, []string{"bug"}) || got.Item.Assignees != nil {
		t.Errorf("labels %v assignees %v, want [bug] and none", got.Item.Labels, got.Item.Assignees)
	}
}

// The lexical-fallback example lists its items as ["..."] ("Items are the
// same shape as the default example"): a string where go-github expects an
// issue object, so it does not decode.
func TestRealAnswersGitHubSearchIssuesLexicalFallback(t *testing.T) {
	ctx := context.Background()
	c, _ := realAnswerGitHub(t, sourcetest.AnswerOK("GET", "/search/issues", "github/issue-search-result-item-paginated-lexical-fallback.json"))
	_, _, err := c.Search.Issues(ctx, "repo:octocat/Hello-World", nil)
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		t.Fatalf("err %v (%T), want a *json.UnmarshalTypeError", err, err)
	}
	if typeErr.Value != "string" {
		t.Errorf("type error on %q, want string", typeErr.Value)
	}
}

func TestRealAnswersGitHubReviews(t *testing.T) {
	ctx := context.Background()
	c, _ := realAnswerGitHub(t, sourcetest.AnswerOK("GET", "/repos/octocat/Hello-World/pulls/12/reviews", "github/pull-request-review-items.json"))
	reviews, _, err := c.PullRequests.ListReviews(ctx, "octocat", "Hello-World", 12, &github.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(reviews) != 1 {
		t.Fatalf("%d reviews, want 1", len(reviews))
	}
	r := reviews[0]
	if r.GetID() != 80 || r.GetState() != "APPROVED" {
		t.Errorf("review %d %q, want 80 APPROVED", r.GetID(), r.GetState())
	}
	if l := login(r.User); l != "octocat" {
		t.Errorf("login %q, want octocat", l)
	}
	if n := numberFromURL(r.GetPullRequestURL()); n != 12 {
		t.Errorf("number from pull_request_url %q: %d, want 12", r.GetPullRequestURL(), n)
	}
	if at := model.Unix(r.GetSubmittedAt().Time); at != 1574012623 { // 2019-11-17T17:43:43Z
		t.Errorf("submitted_at %d, want 1574012623", at)
	}
	// The exporter's own path: the approval is one review activity.
	s := &Source{client: c, cfg: &config.GitHubConfig{APIConfig: config.APIConfig{Concurrency: 1}}}
	st := newRepoState("octocat/Hello-World")
	if err := s.syncReviews(ctx, st, []int{12}); err != nil {
		t.Fatal(err)
	}
	// octocat is not in the team: the state holds its login's hash.
	if want := (Action{At: 1574012623, Actor: savedLogin("octocat"), Number: 12}); !reflect.DeepEqual(st.Submitted, map[int64]Action{80: want}) {
		t.Errorf("submitted reviews %+v, want {80: %+v}", st.Submitted, want)
	}
}

func realAnswerAppKey(t *testing.T) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// The installation token, as the exporter gets it (ghinstallation, the
// transport of a GitHub App source) and as go-github decodes it.
func TestRealAnswersGitHubInstallationToken(t *testing.T) {
	ctx := context.Background()
	const path = "/app/installations/42/access_tokens"
	answer := sourcetest.AnswerOK("POST", path, "github/installation-token.json")
	answer.Status = http.StatusCreated
	var authMu sync.Mutex
	var auths []string
	answer.Check = func(r *http.Request) {
		authMu.Lock()
		defer authMu.Unlock()
		auths = append(auths, r.Header.Get("Authorization"))
	}
	srv, count := sourcetest.AnswerServer(t, "application/json; charset=utf-8", answer)

	itr, err := ghinstallation.New(http.DefaultTransport, 7, 42, realAnswerAppKey(t))
	if err != nil {
		t.Fatal(err)
	}
	itr.BaseURL = srv.URL
	tok, err := itr.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "ghs_16C7e42F292c6912E7710c838347Ae178B4a" {
		t.Errorf("token %q", tok)
	}
	expires, _, err := itr.Expiry()
	if err != nil || expires.Unix() != 1468275250 { // 2016-07-11T22:14:10Z
		t.Errorf("expires %v (%v), want 2016-07-11T22:14:10Z", expires, err)
	}
	repos, err := itr.Repositories()
	if err != nil || len(repos) != 1 || repos[0].GetFullName() != "octocat/Hello-World" {
		t.Errorf("repositories %v (%v)", repos, err)
	}
	perms, err := itr.Permissions()
	if err != nil || perms.GetIssues() != "write" || perms.GetContents() != "read" {
		t.Errorf("permissions %+v (%v)", perms, err)
	}
	// The documented token expired in 2016: the transport takes it as
	// expired and asks for a new one at every use.
	if _, err := itr.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(path); n != 2 {
		t.Errorf("%d token requests, want 2 (the example's token is already expired)", n)
	}
	authMu.Lock()
	for _, a := range auths {
		if !strings.HasPrefix(a, "Bearer ") {
			t.Errorf("Authorization %q, want the app's Bearer JWT", a)
		}
	}
	authMu.Unlock()

	c, err := github.NewClient(github.WithURLs(github.Ptr(srv.URL+"/"), nil))
	if err != nil {
		t.Fatal(err)
	}
	it, _, err := c.Apps.CreateInstallationToken(ctx, 42, nil)
	if err != nil {
		t.Fatal(err)
	}
	if it.GetToken() != tok || it.GetExpiresAt().Unix() != 1468275250 || len(it.Repositories) != 1 || it.Repositories[0].GetFullName() != "octocat/Hello-World" {
		t.Errorf("go-github installation token %+v", it)
	}
}
