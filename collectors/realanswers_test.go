package collectors

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
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// realAnswer is one documented response: the request it answers and the
// fixture that is its body.
type realAnswer struct {
	method, path string
	status       int
	file         string                // under testdata/api
	body         func([]byte) []byte   // how the body is built from the fixture; nil: as it is
	check        func(r *http.Request) // extra checks on the request; nil: none
}

func realAnswerFixture(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "api", filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("%s: not valid JSON", file)
	}
	return b
}

// realAnswerServer serves each answer at its method and path (the query is
// not matched) with contentType, counts the requests per path, and fails
// the test on any other request.
func realAnswerServer(t *testing.T, contentType string, answers ...realAnswer) (*httptest.Server, func(path string) int) {
	t.Helper()
	type served struct {
		realAnswer
		body []byte
	}
	routes := map[string]served{}
	for _, a := range answers {
		b := realAnswerFixture(t, a.file)
		if a.body != nil {
			b = a.body(b)
		}
		routes[a.method+" "+a.path] = served{a, b}
	}
	var mu sync.Mutex
	counts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := routes[r.Method+" "+r.URL.Path]
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		counts[r.URL.Path]++
		mu.Unlock()
		if a.check != nil {
			a.check(r)
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	t.Cleanup(srv.Close)
	return srv, func(path string) int {
		mu.Lock()
		defer mu.Unlock()
		return counts[path]
	}
}

func realAnswerGitHub(t *testing.T, answers ...realAnswer) (*github.Client, func(string) int) {
	t.Helper()
	srv, count := realAnswerServer(t, "application/json; charset=utf-8", answers...)
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

func realAnswerOK(method, path, file string) realAnswer {
	return realAnswer{method: method, path: path, status: http.StatusOK, file: file}
}

func TestRealAnswersGitHubIssues(t *testing.T) {
	c, _ := realAnswerGitHub(t, realAnswerOK("GET", "/repos/octocat/Hello-World/issues", "github/issue-items.json"))
	issues := realList[*github.Issue](t, c, "repos/octocat/Hello-World/issues")
	if len(issues) != 1 {
		t.Fatalf("%d issues, want 1", len(issues))
	}
	got := issueItem("octocat/Hello-World", issues[0])
	want := &GitHubItem{
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
	c, _ := realAnswerGitHub(t, realAnswerOK("GET", "/repos/octocat/Hello-World/issues/comments", "github/issue-comment-items.json"))
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
	c, _ := realAnswerGitHub(t, realAnswerOK("GET", "/repos/octocat/Hello-World/pulls/comments", "github/pull-request-review-comment-items.json"))
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
	c, _ := realAnswerGitHub(t, realAnswerOK("GET", "/repos/octocat/Hello-World/issues/events", "github/issue-event-items.json"))
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
	c, _ := realAnswerGitHub(t, realAnswerOK("GET", "/repos/octocat/Hello-World/issues/1347/events", "github/issue-event-for-issue-items.json"))
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
		realAnswerOK("GET", "/orgs/octocat/repos", "github/minimal-repository-items.json"),
		realAnswerOK("GET", "/users/octocat/repos", "github/minimal-repository-items.json"))
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
	c, _ := realAnswerGitHub(t, realAnswerOK("GET", "/search/issues", "github/issue-search-result-item-paginated.json"))
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
	c, _ := realAnswerGitHub(t, realAnswerOK("GET", "/search/issues", "github/issue-search-result-item-paginated-lexical-fallback.json"))
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
	c, _ := realAnswerGitHub(t, realAnswerOK("GET", "/repos/octocat/Hello-World/pulls/12/reviews", "github/pull-request-review-items.json"))
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
	answer := realAnswerOK("POST", path, "github/installation-token.json")
	answer.status = http.StatusCreated
	var authMu sync.Mutex
	var auths []string
	answer.check = func(r *http.Request) {
		authMu.Lock()
		defer authMu.Unlock()
		auths = append(auths, r.Header.Get("Authorization"))
	}
	srv, count := realAnswerServer(t, "application/json; charset=utf-8", answer)

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

func realAnswerPagerDuty(t *testing.T, yml string, answers ...realAnswer) (*PagerDutySource, func(string) int) {
	t.Helper()
	srv, count := realAnswerServer(t, "application/json", answers...)
	cfg, err := config.ParseWithoutSecrets([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	c := pagerduty.NewClient("tok", pagerduty.WithAPIEndpoint(srv.URL))
	return &PagerDutySource{cfg: cfg.PagerDuty, client: c, hc: http.DefaultClient, maxOffset: pagerdutyMaxOffset, state: newPagerDutyState()}, count
}

const realAnswerPDConfig = "pagerduty: {token_env: T, teams: [Engineering]}\ndomains: [{name: d}]\n"

func TestRealAnswersPagerDutyIncidents(t *testing.T) {
	ctx := context.Background()
	s, _ := realAnswerPagerDuty(t, realAnswerPDConfig, realAnswerOK("GET", "/incidents", "pagerduty/list-incidents.json"))
	resp, err := s.client.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
		DateRange: "all", Statuses: []string{"triggered", "acknowledged"}, Limit: pagerdutyLimit, TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.More || resp.Limit != 1 || resp.Offset != 0 || len(resp.Incidents) != 1 {
		t.Fatalf("more %v limit %d offset %d, %d incidents; want true 1 0, 1", resp.More, resp.Limit, resp.Offset, len(resp.Incidents))
	}
	recs := s.records(resp.Incidents)
	want := incidentRec{id: "PT4KHLK", inScope: true, item: &model.Item{
		Source:           model.SourcePagerDuty,
		Kind:             model.KindIncident,
		Key:              "PT4KHLK",
		Title:            "The server is on fire.",
		URL:              "https://subdomain.pagerduty.com/incidents/PT4KHLK",
		Open:             false,      // status resolved
		CreatedAt:        1444167042, // 2015-10-06T21:30:42Z
		UpdatedAt:        1444167623, // 2015-10-06T21:40:23Z
		ClosedAt:         1444167503, // resolved_at 2015-10-06T21:38:23Z
		Service:          model.Ref{ID: "PIJ90N7", Name: "My Mail Service"},
		EscalationPolicy: model.Ref{ID: "PT20YPA", Name: "Another Escalation Policy"},
		Urgency:          "high",
		Teams:            []model.Ref{{ID: "PQ9K7I8", Name: "Engineering"}},
	}}
	if len(recs) != 1 || !reflect.DeepEqual(recs[0], want) {
		t.Errorf("record:\n got %+v %+v\nwant %+v %+v", recs[0], recs[0].item, want, want.item)
	}

	// Out of the services scope: kept as an ID only.
	other, _ := realAnswerPagerDuty(t, "pagerduty: {token_env: T, services: [Other Service]}\ndomains: [{name: d}]\n")
	if r := other.record(&resp.Incidents[0]); r.inScope || r.item != nil || r.id != "PT4KHLK" {
		t.Errorf("out of scope: %+v", r)
	}
}

func TestRealAnswersPagerDutyIncident(t *testing.T) {
	ctx := context.Background()
	s, _ := realAnswerPagerDuty(t, realAnswerPDConfig, realAnswerOK("GET", "/incidents/PT4KHLK", "pagerduty/get-incident.json"))
	in, err := s.client.GetIncidentWithContext(ctx, "PT4KHLK")
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != "acknowledged" || in.ResolvedAt != "" || in.IncidentNumber != 1234 {
		t.Errorf("status %q resolved_at %q number %d", in.Status, in.ResolvedAt, in.IncidentNumber)
	}
	if len(in.Acknowledgements) != 1 || in.Acknowledgements[0].Acknowledger.ID != "PXPGF42" {
		t.Errorf("acknowledgements %+v", in.Acknowledgements)
	}
	if len(in.IncidentResponders) != 1 || len(in.ResponderRequests) != 1 {
		t.Errorf("%d responders, %d responder requests; want 1 and 1", len(in.IncidentResponders), len(in.ResponderRequests))
	}
	st := newPagerDutyState()
	s.keep(st, in)
	it := st.Incidents["PT4KHLK"]
	if it == nil {
		t.Fatalf("incident not kept: %+v", st)
	}
	want := model.Item{
		Source:           model.SourcePagerDuty,
		Kind:             model.KindIncident,
		Key:              "PT4KHLK",
		Title:            "The server is on fire.",
		URL:              "https://subdomain.pagerduty.com/incidents/PT4KHLK",
		Open:             true, // acknowledged
		CreatedAt:        1444167042,
		UpdatedAt:        1444167623,
		Service:          model.Ref{ID: "PIJ90N7", Name: "My Mail Service"},
		EscalationPolicy: model.Ref{ID: "PT20YPA", Name: "Another Escalation Policy"},
		Urgency:          "high",
		Teams:            []model.Ref{{ID: "PQ9K7I8", Name: "Engineering"}},
		Assignees:        []string{"PXPGF42"},
	}
	if !reflect.DeepEqual(*it, want) {
		t.Errorf("incident:\n got %+v\nwant %+v", *it, want)
	}
}

func TestRealAnswersPagerDutyLogEntries(t *testing.T) {
	ctx := context.Background()
	s, _ := realAnswerPagerDuty(t, realAnswerPDConfig, realAnswerOK("GET", "/log_entries", "pagerduty/list-log-entries.json"))
	resp, err := s.client.ListLogEntriesWithContext(ctx, pagerduty.ListLogEntriesOptions{
		Since: "2015-11-01T00:00:00Z", Until: "2015-11-08T00:00:00Z", Limit: pagerdutyLimit, Total: true, TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	// No total in the example, although asked for: it decodes as 0.
	if !resp.More || resp.Total != 0 || len(resp.LogEntries) != 1 {
		t.Fatalf("more %v total %d, %d entries; want true 0, 1", resp.More, resp.Total, len(resp.LogEntries))
	}
	e := &resp.LogEntries[0]
	if e.ID != "Q02JTSNZWHSEKV" || e.Channel.Type != "api" {
		t.Errorf("entry %q channel %q", e.ID, e.Channel.Type)
	}
	// A trigger by a service: no user acted.
	want := LogEntry{Incident: "PT4KHLK", Type: "trigger_log_entry", At: 1446855260} // 2015-11-07T00:14:20Z
	if got := logEntry(e); got != want {
		t.Errorf("logEntry %+v, want %+v", got, want)
	}
}

func TestRealAnswersPagerDutyUsers(t *testing.T) {
	ctx := context.Background()
	s, count := realAnswerPagerDuty(t, realAnswerPDConfig, realAnswerOK("GET", "/users", "pagerduty/list-users.json"))
	resp, err := s.client.ListUsersWithContext(ctx, pagerduty.ListUsersOptions{Query: "greenholt", Limit: pagerdutyLimit})
	if err != nil {
		t.Fatal(err)
	}
	// total: null decodes as 0.
	if resp.More || resp.Limit != 25 || resp.Total != 0 || len(resp.Users) != 2 {
		t.Fatalf("more %v limit %d total %d, %d users", resp.More, resp.Limit, resp.Total, len(resp.Users))
	}
	if u := resp.Users[1]; u.ID != "PAM4FGS" || u.Email != "126_dvm_kyler_kuhn@beahan.name" || u.Name != "Kyler Kuhn" {
		t.Errorf("user %+v", u)
	}
	// The exporter's resolution of addresses, case-insensitive.
	emails, err := s.resolveEmails(ctx, []string{"125.Greenholt.Earline@graham.name", "nobody@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"125.Greenholt.Earline@graham.name": "PXPGF42"}; !reflect.DeepEqual(emails, want) {
		t.Errorf("emails %v, want %v", emails, want)
	}
	if n := count("/users"); n != 3 {
		t.Errorf("%d requests to /users, want 3", n)
	}
}

// PagerDuty documents one error example for these endpoints: the error
// member of the generic error response (components/responses/Conflict),
// which their 400, 401, 402, 403, 404 and 429 answers all refer to. It is
// served here as the body the schema describes: {"error": <example>}.
func TestRealAnswersPagerDutyErrors(t *testing.T) {
	ctx := context.Background()
	wrap := func(b []byte) []byte { return []byte(`{"error":` + string(b) + `}`) }
	notFoundAnswer := realAnswer{method: "GET", path: "/incidents/PGONE", status: http.StatusNotFound, file: "pagerduty/error-object.json", body: wrap}
	limited := realAnswer{method: "GET", path: "/log_entries", status: http.StatusTooManyRequests, file: "pagerduty/error-object.json", body: wrap}
	s, _ := realAnswerPagerDuty(t, realAnswerPDConfig, notFoundAnswer, limited)

	_, err := s.client.GetIncidentWithContext(ctx, "PGONE")
	var apiErr pagerduty.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %v (%T), want a pagerduty.APIError", err, err)
	}
	if apiErr.StatusCode != 404 || !apiErr.APIError.Valid || apiErr.APIError.ErrorObject.Code != 2100 || apiErr.APIError.ErrorObject.Message != "Not Found" {
		t.Errorf("APIError %+v", apiErr)
	}
	if !notFound(err) {
		t.Error("notFound: false for the documented 404")
	}

	_, err = s.client.ListLogEntriesWithContext(ctx, pagerduty.ListLogEntriesOptions{Limit: pagerdutyLimit})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.APIError.ErrorObject.Code != 2100 {
		t.Fatalf("err %v, want APIError 429 code 2100", err)
	}
	// go-pagerduty's NotFound is true for error code 2100 whatever the
	// status, and PagerDuty documents that very body (Not Found, 2100) for
	// its 400, 401, 402, 403 and 429 answers too. The exporter's notFound
	// goes by the status, so a 429 with it is not a deleted incident.
	if notFound(err) {
		t.Error("notFound: true for the documented body on a 429; it would drop the incident as deleted")
	}
	if !apiErr.RateLimited() {
		t.Error("RateLimited: false for a 429")
	}
	if msg := s.wrap(err, "/log_entries").Error(); !strings.Contains(msg, "429") || !strings.Contains(msg, "Not Found") || !strings.Contains(msg, "2100") {
		t.Errorf("wrapped error %q", msg)
	}
}
