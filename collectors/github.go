package collectors

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

const (
	githubPerPage     = 100
	githubConcurrency = 4
)

// GitHubSource reads issues, pull requests, comments and issue events of the
// configured repositories through go-github.
type GitHubSource struct {
	cfg    *config.GitHubConfig
	client *github.Client
}

// NewGitHubSource builds a GitHub source that sends its requests through hc.
func NewGitHubSource(cfg *config.GitHubConfig, hc *http.Client) (*GitHubSource, error) {
	base, err := url.Parse(cfg.APIURL)
	if err != nil {
		return nil, errors.New("github.api_url: invalid URL")
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	c := github.NewClient(hc).WithAuthToken(string(cfg.Token()))
	c.BaseURL = base
	return &GitHubSource{cfg: cfg, client: c}, nil
}

// Name is the source label value.
func (*GitHubSource) Name() string { return model.SourceGitHub }

// repoData is what one repository contributed to a refresh.
type repoData struct {
	full     string
	issues   map[int]*github.Issue
	comments []*github.IssueComment
	reviews  []*github.PullRequestComment
	events   []*github.IssueEvent
}

// Fetch reads every configured repository and returns their tracked items
// and the activities on them within w.
func (s *GitHubSource) Fetch(ctx context.Context, w Window) (*model.Snapshot, error) {
	repos, err := s.repositories(ctx)
	if err != nil {
		return nil, err
	}
	results := make([]*repoData, len(repos))
	idx := map[string]int{}
	for i, r := range repos {
		idx[r] = i
	}
	err = forEach(ctx, githubConcurrency, repos, func(ctx context.Context, full string) error {
		d, err := s.fetchRepo(ctx, full, w)
		if err != nil {
			return err
		}
		results[idx[full]] = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	snap := &model.Snapshot{Source: model.SourceGitHub, End: w.End.Unix()}
	for _, d := range results {
		appendRepo(snap, d, w)
	}
	return snap, nil
}

// repositories expands the configured list: "owner/*" becomes every
// non-archived repository of the organisation or user, and exclusions apply.
func (s *GitHubSource) repositories(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(full string) {
		k := strings.ToLower(full)
		if seen[k] || excluded(s.cfg.ExcludeRepositories, full) {
			return
		}
		seen[k] = true
		out = append(out, full)
	}
	for _, r := range s.cfg.Repositories {
		owner, name, _ := strings.Cut(r, "/")
		if name != "*" {
			add(r)
			continue
		}
		repos, err := s.ownerRepos(ctx, owner)
		if err != nil {
			return nil, err
		}
		for _, rp := range repos {
			if !rp.GetArchived() {
				add(rp.GetFullName())
			}
		}
	}
	return out, nil
}

func excluded(globs []string, full string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, full); ok {
			return true
		}
	}
	return false
}

// ownerRepos lists an organisation's repositories, or a user's when the
// owner is not an organisation.
func (s *GitHubSource) ownerRepos(ctx context.Context, owner string) ([]*github.Repository, error) {
	repos, err := collectPages(ctx, func(ctx context.Context, page int) ([]*github.Repository, *github.Response, error) {
		return s.client.Repositories.ListByOrg(ctx, owner, &github.RepositoryListByOrgOptions{
			Type: "all", ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
	}, nil)
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
		repos, err = collectPages(ctx, func(ctx context.Context, page int) ([]*github.Repository, *github.Response, error) {
			return s.client.Repositories.ListByUser(ctx, owner, &github.RepositoryListByUserOptions{
				Type: "owner", ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
		}, nil)
	}
	if err != nil {
		return nil, s.wrap(err, "listing repositories of "+owner)
	}
	return repos, nil
}

// collectPages follows GitHub's Link header from page 1 until there is no
// next page, or until stop says the rest is not needed.
func collectPages[T any](ctx context.Context, list func(context.Context, int) ([]T, *github.Response, error), stop func(T) bool) ([]T, error) {
	var out []T
	seen := map[int]bool{}
	for page := 1; ; {
		if seen[page] {
			return nil, errors.New("pagination loop: the next link points back to page " + strconv.Itoa(page))
		}
		seen[page] = true
		items, resp, err := list(ctx, page)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if stop != nil && stop(it) {
				return out, nil
			}
			out = append(out, it)
		}
		if resp == nil || resp.NextPage == 0 {
			return out, nil
		}
		page = resp.NextPage
	}
}

func (s *GitHubSource) wrap(err error, what string) error {
	return errorf(s.cfg.Token(), "github: %s: %w", what, err)
}

func (s *GitHubSource) fetchRepo(ctx context.Context, full string, w Window) (*repoData, error) {
	owner, name, _ := strings.Cut(full, "/")
	d := &repoData{full: full, issues: map[int]*github.Issue{}}
	var mu sync.Mutex
	addIssues := func(list []*github.Issue) {
		mu.Lock()
		defer mu.Unlock()
		for _, is := range list {
			d.issues[is.GetNumber()] = is
		}
	}
	since := w.Start
	steps := []func(context.Context) error{
		func(ctx context.Context) error { // every open item, whatever its age
			list, err := collectPages(ctx, func(ctx context.Context, page int) ([]*github.Issue, *github.Response, error) {
				return s.client.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{
					State: "open", ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
			}, nil)
			addIssues(list)
			return s.wrapRepo(err, full, "issues?state=open")
		},
		func(ctx context.Context) error { // every item updated within the window
			list, err := collectPages(ctx, func(ctx context.Context, page int) ([]*github.Issue, *github.Response, error) {
				return s.client.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{
					State: "all", Since: since, Sort: "updated", Direction: "desc",
					ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
			}, nil)
			addIssues(list)
			return s.wrapRepo(err, full, "issues?state=all")
		},
		func(ctx context.Context) error {
			list, err := collectPages(ctx, func(ctx context.Context, page int) ([]*github.IssueComment, *github.Response, error) {
				return s.client.Issues.ListComments(ctx, owner, name, 0, &github.IssueListCommentsOptions{
					Since: &since, ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
			}, nil)
			d.comments = list
			return s.wrapRepo(err, full, "issues/comments")
		},
		func(ctx context.Context) error {
			list, err := collectPages(ctx, func(ctx context.Context, page int) ([]*github.PullRequestComment, *github.Response, error) {
				return s.client.PullRequests.ListComments(ctx, owner, name, 0, &github.PullRequestListCommentsOptions{
					Since: since, ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
			}, nil)
			d.reviews = list
			return s.wrapRepo(err, full, "pulls/comments")
		},
		func(ctx context.Context) error { // newest first: stop at the first event older than the window
			list, err := collectPages(ctx, func(ctx context.Context, page int) ([]*github.IssueEvent, *github.Response, error) {
				return s.client.Issues.ListRepositoryEvents(ctx, owner, name, &github.ListOptions{PerPage: githubPerPage, Page: page})
			}, func(e *github.IssueEvent) bool { return e.GetCreatedAt().Before(w.Start) })
			d.events = list
			return s.wrapRepo(err, full, "issues/events")
		},
	}
	err := forEach(ctx, len(steps), steps, func(ctx context.Context, f func(context.Context) error) error { return f(ctx) })
	if err != nil {
		return nil, err
	}
	return d, nil
}

func (s *GitHubSource) wrapRepo(err error, full, endpoint string) error {
	if err == nil {
		return nil
	}
	return s.wrap(err, "GET /repos/"+full+"/"+endpoint)
}

// appendRepo turns one repository's API objects into items and activities.
func appendRepo(snap *model.Snapshot, d *repoData, w Window) {
	numbers := make([]int, 0, len(d.issues))
	for n := range d.issues {
		numbers = append(numbers, n)
	}
	sort.Ints(numbers)
	itemIndex := map[int]int32{}
	add := func(item int32, u *github.User, action string, at time.Time) {
		if u == nil || u.GetLogin() == "" || u.GetType() == "Bot" {
			return
		}
		t := model.Unix(at)
		if !w.Contains(t) {
			return
		}
		snap.Activities = append(snap.Activities, model.Activity{
			Item: item, Actor: strings.ToLower(u.GetLogin()), Action: action, At: t})
	}
	for _, n := range numbers {
		is := d.issues[n]
		it := model.Item{
			Source:    model.SourceGitHub,
			Kind:      model.KindIssue,
			Key:       d.full + "#" + strconv.Itoa(n),
			Title:     is.GetTitle(),
			URL:       is.GetHTMLURL(),
			Open:      is.GetState() == "open",
			CreatedAt: model.Unix(is.GetCreatedAt().Time),
			UpdatedAt: model.Unix(is.GetUpdatedAt().Time),
			ClosedAt:  model.Unix(is.GetClosedAt().Time),
			Repo:      d.full,
		}
		if is.IsPullRequest() {
			it.Kind = model.KindPullRequest
		}
		for _, l := range is.Labels {
			it.Labels = append(it.Labels, l.GetName())
		}
		for _, a := range is.Assignees {
			it.Assignees = append(it.Assignees, strings.ToLower(a.GetLogin()))
		}
		idx := int32(len(snap.Items))
		snap.Items = append(snap.Items, it)
		itemIndex[n] = idx
		add(idx, is.User, model.ActionOpened, is.GetCreatedAt().Time)
	}
	for _, c := range d.comments {
		if i, ok := itemIndex[numberFromURL(c.GetIssueURL())]; ok {
			add(i, c.User, model.ActionCommented, c.GetCreatedAt().Time)
		}
	}
	for _, c := range d.reviews {
		if i, ok := itemIndex[numberFromURL(c.GetPullRequestURL())]; ok {
			add(i, c.User, model.ActionReviewComment, c.GetCreatedAt().Time)
		}
	}
	// GitHub records both "merged" and "closed" when a pull request is
	// merged; only "merged" counts. They carry the same time.
	type key struct {
		number int
		at     int64
	}
	merged := map[key]bool{}
	for _, e := range d.events {
		if e.GetEvent() == "merged" && e.Issue != nil {
			merged[key{e.Issue.GetNumber(), model.Unix(e.GetCreatedAt().Time)}] = true
		}
	}
	for _, e := range d.events {
		if e.Issue == nil {
			continue
		}
		i, ok := itemIndex[e.Issue.GetNumber()]
		if !ok {
			continue
		}
		switch ev := e.GetEvent(); ev {
		case "closed":
			if merged[key{e.Issue.GetNumber(), model.Unix(e.GetCreatedAt().Time)}] {
				continue
			}
			add(i, e.Actor, model.ActionClosed, e.GetCreatedAt().Time)
		case "merged":
			add(i, e.Actor, model.ActionMerged, e.GetCreatedAt().Time)
		case "reopened":
			add(i, e.Actor, model.ActionReopened, e.GetCreatedAt().Time)
		}
	}
}

// numberFromURL takes the issue or pull request number from the end of an
// API URL such as .../repos/o/r/issues/42.
func numberFromURL(u string) int {
	n, err := strconv.Atoi(u[strings.LastIndexByte(u, '/')+1:])
	if err != nil {
		return -1
	}
	return n
}
