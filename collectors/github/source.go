// Package github is the GitHub source: it lists the configured
// repositories' issues, pull requests, comments, reviews and events through
// go-github, keeps them in a sync state that refreshes incrementally (and
// that a state file saves), and maps them to model items and activities.
package github

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// New builds the GitHub source of cfg, with its own transport, which api
// instruments.
func New(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) (collectors.Source, error) {
	g := cfg.GitHub
	etags := apiclient.NewETags()
	var t http.RoundTripper = apiclient.NewTransport(model.SourceGitHub, &g.APIConfig, api, logger, etags)
	if g.App() {
		// A GitHub App: ghinstallation signs a JWT with the app's key,
		// trades it for an installation token (through the same transport,
		// so that it is counted and retried), and renews it.
		itr, err := ghinstallation.New(t, g.AppID, g.InstallationID, []byte(g.AppKey()))
		if err != nil {
			return nil, errors.New("github.private_key_file: not a usable GitHub App key")
		}
		itr.BaseURL = strings.TrimSuffix(g.APIURL, "/")
		t = itr
	}
	s, err := newSource(g, &http.Client{Transport: t}, etags, api, logger)
	if err != nil {
		return nil, err
	}
	s.reviewers = reviewers(cfg.People)
	return s, nil
}

// reviewers are the team's GitHub logins, lower case, sorted: whose
// submitted reviews count.
func reviewers(people []config.Person) []string {
	var out []string
	for _, p := range people {
		for _, l := range p.GitHub {
			out = append(out, strings.ToLower(l))
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Source reads issues, pull requests, comments and issue events of the
// configured repositories through go-github. After the first full sync of a
// repository it asks only for what changed since the last refresh, with
// conditional requests, so that a refresh in which nothing changed costs no
// primary rate limit.
type Source struct {
	cfg    *config.GitHubConfig
	logger *slog.Logger
	api    *apiclient.Metrics // may be nil
	client *github.Client
	hc     *http.Client
	etags  *apiclient.ETags

	mu    sync.Mutex // guards state between refreshes (never two at once)
	state *State
	// reviewers are the team's GitHub logins (reviewers); only their
	// reviews are searched for at a first sync.
	reviewers []string
	// searchFailing is true while searches fail, so that a run of
	// failures is logged once.
	searchFailing bool

	internMu sync.Mutex
	logins   map[string]string // one copy of each login, shared by its actions
}

// intern returns the shared copy of a login: hundreds of thousands of
// actions name a few hundred accounts.
func (s *Source) intern(login string) string {
	s.internMu.Lock()
	defer s.internMu.Unlock()
	if v, ok := s.logins[login]; ok {
		return v
	}
	if s.logins == nil {
		s.logins = map[string]string{}
	}
	v := s.account(login)
	s.logins[login] = v
	return v
}

// newSource builds a GitHub source that sends its requests through hc.
func newSource(cfg *config.GitHubConfig, hc *http.Client, etags *apiclient.ETags, api *apiclient.Metrics, logger *slog.Logger) (*Source, error) {
	base, err := url.Parse(cfg.APIURL)
	if err != nil {
		return nil, errors.New("github.api_url: invalid URL")
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	opts := []github.ClientOptionsFunc{github.WithHTTPClient(hc), github.WithURLs(github.Ptr(base.String()), nil)}
	if !cfg.App() {
		opts = append(opts, github.WithAuthToken(string(cfg.Token())))
	}
	c, err := github.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	if api != nil {
		api.SearchFailures.WithLabelValues(model.SourceGitHub)
	}
	return &Source{cfg: cfg, logger: logger, api: api, client: c, hc: hc, etags: etags,
		state: &State{Repos: map[string]*RepoState{}, Owners: map[string][]OwnerPage{}}}, nil
}

// Name is the source label value.
func (*Source) Name() string { return model.SourceGitHub }

// CloseIdleConnections closes the source's idle keep-alive connections.
func (s *Source) CloseIdleConnections() { s.hc.CloseIdleConnections() }

// statusOf is the HTTP status of an error answer that GitHub sent, as
// go-github reports it, or 0. go-github makes a *RateLimitError or an
// *AbuseRateLimitError of a 403 or 429 rate-limit answer (go-github
// CheckResponse), and the same types of a request that it refuses to send
// while it believes a limit is spent (checkRateLimitBeforeDo,
// checkSecondaryRateLimitBeforeDo), with a made-up 403. So a rate-limit
// error's status counts only when it is a 429, which only GitHub sends.
func statusOf(err error) int {
	var (
		er *github.ErrorResponse
		rl *github.RateLimitError
		ab *github.AbuseRateLimitError
	)
	switch {
	case errors.As(err, &er) && er.Response != nil:
		return er.Response.StatusCode
	case errors.As(err, &rl) && rl.Response != nil && rl.Response.StatusCode == http.StatusTooManyRequests:
		return http.StatusTooManyRequests
	case errors.As(err, &ab) && ab.Response != nil && ab.Response.StatusCode == http.StatusTooManyRequests:
		return http.StatusTooManyRequests
	}
	return 0
}

// notModified reports whether a go-github error is a 304 answer to a
// conditional request: the data has not changed since the last refresh.
func notModified(err error) bool { return statusOf(err) == http.StatusNotModified }

// wrap scrubs an error of the GitHub API, keeping its status for
// KindOf. A rate-limit answer, 403 or 429, or go-github's own refusal to
// send before the reset, counts as 429: the API asked to wait.
func (s *Source) wrap(err error, what string) error {
	status := statusOf(err)
	var (
		rl *github.RateLimitError
		ab *github.AbuseRateLimitError
	)
	if errors.As(err, &rl) || errors.As(err, &ab) {
		status = http.StatusTooManyRequests
	}
	return apiclient.WithStatus(apiclient.Errorf(s.cfg.Token(), "github: %s: %w", what, err), status)
}

func (s *Source) wrapRepo(err error, full, endpoint string) error {
	if err == nil || notModified(err) {
		return nil
	}
	return s.wrap(err, "GET /repos/"+full+"/"+endpoint)
}

func login(u *github.User) string {
	if u == nil || u.GetType() == "Bot" {
		return ""
	}
	return strings.ToLower(u.GetLogin())
}

// account is how the state holds a login from the API: a team member's
// as it is, anyone else's as its one-way hash (savedLogin), never
// attributed; so that the state in memory and in the state file are the
// same, and the exporter keeps no login of people outside the team.
func (s *Source) account(l string) string {
	if l == "" {
		return ""
	}
	if _, ok := slices.BinarySearch(s.reviewers, l); ok {
		return l
	}
	return savedLogin(l)
}
