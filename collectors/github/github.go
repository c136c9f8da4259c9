package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

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
	s.logins[login] = login
	return login
}

// State is everything a GitHub source keeps between refreshes; the
// state file persists it.
type State struct {
	Repos map[string]*RepoState `json:"repos"`
	// Owners caches the listings behind "owner/*" entries, page by page.
	Owners map[string][]OwnerPage `json:"owners"`
	// LastReconcile is when every repository was last polled.
	LastReconcile time.Time `json:"last_reconcile"`
	// SearchSince is where the next search for changes starts.
	SearchSince time.Time `json:"search_since"`
	// Retry are the repositories (lower case) that the last refresh could
	// not read: the next one polls them, whatever the search says.
	Retry map[string]bool `json:"retry"`
}

// RepoState is one repository's tracked items and the actions on them
// within the window, with the cursors of the incremental sync.
type RepoState struct {
	Full          string           `json:"full"`
	Synced        bool             `json:"synced"`
	Items         map[int]*Item    `json:"items"`
	Comments      map[int64]Action `json:"comments"`
	Reviews       map[int64]Action `json:"reviews"`
	Events        map[int64]Action `json:"events"`
	IssuesSince   time.Time        `json:"issues_since"`
	CommentsSince time.Time        `json:"comments_since"`
	ReviewsSince  time.Time        `json:"reviews_since"`
	NewestEventID int64            `json:"newest_event_id"`
	NewestEventAt time.Time        `json:"newest_event_at"`
}

// Item is a tracked issue or pull request and its author.
type Item struct {
	Item   model.Item `json:"item"`
	Author string     `json:"author"` // lower-case login; "" for a bot
}

// Action is a comment or an issue event: who did what to which item, when.
// Actor is "" for a bot.
type Action struct {
	At     int64     `json:"at"`
	Actor  string    `json:"actor"`
	Number int32     `json:"number"`
	Kind   EventKind `json:"kind,omitempty"` // for events
}

// EventKind is the kind of an issue event that is an activity. A byte,
// not a string: there are hundreds of thousands of actions.
type EventKind uint8

// The issue events that are activities.
const (
	EventNone EventKind = iota
	EventClosed
	EventMerged
	EventReopened
)

// eventKind maps an issue event's name to its kind; EventNone for others.
func eventKind(name string) EventKind {
	switch name {
	case "closed":
		return EventClosed
	case "merged":
		return EventMerged
	case "reopened":
		return EventReopened
	}
	return EventNone
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

// SaveState streams the sync state and the ETags, one repository at a
// time, so that a large state is never marshalled whole in memory.
func (s *Source) SaveState(w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bw := &errWriter{w: w}
	bw.write(`{"repos":{`)
	keys := make([]string, 0, len(s.state.Repos))
	for k := range s.state.Repos {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			bw.write(",")
		}
		bw.json(k)
		bw.write(":")
		bw.json(s.state.Repos[k])
	}
	bw.write(`},"owners":`)
	bw.json(s.state.Owners)
	bw.write(`,"last_reconcile":`)
	bw.json(s.state.LastReconcile)
	bw.write(`,"search_since":`)
	bw.json(s.state.SearchSince)
	bw.write(`,"retry":`)
	bw.json(s.state.Retry)
	bw.write(`,"etags":`)
	bw.json(s.etags.Entries())
	bw.write("}")
	return bw.err
}

// RestoreState takes back a saved state, decoding one repository at a
// time.
func (s *Source) RestoreState(r io.Reader) error {
	dec := json.NewDecoder(r)
	state := &State{Repos: map[string]*RepoState{}, Owners: map[string][]OwnerPage{}}
	etags := map[string]apiclient.ETagEntry{}
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "repos":
			if err := expectDelim(dec, '{'); err != nil {
				return err
			}
			for dec.More() {
				name, err := dec.Token()
				if err != nil {
					return err
				}
				var st RepoState
				if err := dec.Decode(&st); err != nil {
					return err
				}
				if st.Items == nil || st.Comments == nil || st.Reviews == nil || st.Events == nil {
					return fmt.Errorf("incomplete state of repository %v", name)
				}
				state.Repos[fmt.Sprint(name)] = &st
			}
			if err := expectDelim(dec, '}'); err != nil {
				return err
			}
		case "owners":
			err = dec.Decode(&state.Owners)
		case "last_reconcile":
			err = dec.Decode(&state.LastReconcile)
		case "search_since":
			err = dec.Decode(&state.SearchSince)
		case "retry":
			err = dec.Decode(&state.Retry)
		case "etags":
			err = dec.Decode(&etags)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if state.Owners == nil {
		state.Owners = map[string][]OwnerPage{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = state
	s.etags.Restore(etags)
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("state file: want %q, got %v", want, tok)
	}
	return nil
}

// errWriter writes until the first error, and keeps it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) write(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}

func (e *errWriter) json(v any) {
	if e.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		e.err = err
		return
	}
	_, e.err = e.w.Write(b)
}

// Fetch brings every configured repository up to date and returns their
// tracked items and the activities on them within w. A repository that
// cannot be read does not hold the others back: their new data is
// returned, it keeps its last good data (none, before its first sync),
// and the snapshot comes with a *collectors.PartialError that names it. The next
// refresh polls it again, whatever the search says.
func (s *Source) Fetch(ctx context.Context, w collectors.Window) (*model.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	owners := maps.Clone(s.state.Owners)
	var (
		repos    []string
		changed  map[string]bool // nil: poll every repository
		failures []collectors.RepoFailure
	)
	reconcile := s.reconcileDue(w)
	if !reconcile {
		var err error
		repos, changed, err = s.searchChanges(ctx, w)
		s.searchResult(err)
		if err != nil {
			var te *apiclient.ThrottledError
			if errors.As(err, &te) || ctx.Err() != nil {
				return nil, err
			}
			reconcile = true
		}
	}
	if reconcile {
		repos, failures = s.repositories(ctx, owners)
		if len(repos) == 0 && len(failures) > 0 {
			return nil, failures[0].Err
		}
	}
	next := make([]*RepoState, len(repos))
	errs := make([]error, len(repos))
	// As many repositories at once as requests may be in flight: each holds
	// at most a page per endpoint while it syncs.
	_ = collectors.ForEachAll(ctx, s.cfg.Concurrency, collectors.Indexes(len(repos)), func(ctx context.Context, i int) error {
		old := s.state.Repos[strings.ToLower(repos[i])]
		if changed != nil && old != nil && old.Synced && !changed[strings.ToLower(repos[i])] {
			old.prune(w) // unchanged: nothing to ask, only the window moves
			next[i] = old
			return nil
		}
		st := old.clone()
		if st == nil {
			st = newRepoState(repos[i])
		}
		if err := s.syncRepo(ctx, st, w); err != nil {
			errs[i] = err
			return nil
		}
		next[i] = st
		return nil
	})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	ownerFailures := len(failures)
	state := &State{Repos: map[string]*RepoState{}, Owners: owners, LastReconcile: s.state.LastReconcile, Retry: map[string]bool{}}
	for i, err := range errs {
		if err == nil {
			continue
		}
		k := strings.ToLower(repos[i])
		failures = append(failures, collectors.RepoFailure{Repo: repos[i], Err: err})
		state.Retry[k] = true
		if old := s.state.Repos[k]; old != nil {
			old.prune(w) // the last good data stays, within the window
			next[i] = old
		}
	}
	if failed := len(failures) - ownerFailures; len(repos) > 0 && failed == len(repos) {
		return nil, failures[len(failures)-1].Err // nothing new to publish
	}
	if reconcile {
		state.LastReconcile = w.End
	}
	// The next search reaches back searchLag before this refresh, for
	// changes the index had not shown yet; never before the last
	// reconcile, which polled everything.
	state.SearchSince = w.End.Add(-searchLag)
	if state.SearchSince.Before(state.LastReconcile) {
		state.SearchSince = state.LastReconcile
	}
	for owner := range owners {
		if !s.listsOwner(owner) {
			delete(owners, owner) // no longer configured
		}
	}
	// Size the snapshot once: at this scale, growing its slices by
	// doubling would leave up to half of them unused.
	items, actions := 0, 0
	for _, st := range next {
		if st != nil {
			items += len(st.Items)
			actions += len(st.Items) + len(st.Comments) + len(st.Reviews) + len(st.Events)
		}
	}
	snap := &model.Snapshot{Source: model.SourceGitHub, End: w.End.Unix(),
		Items: make([]model.Item, 0, items), Activities: make([]model.Activity, 0, actions)}
	for _, st := range next {
		if st != nil {
			state.Repos[strings.ToLower(st.Full)] = st
			appendRepo(snap, st, w)
		}
	}
	s.state = state
	// What no refresh has read: an owner never listed, a repository never
	// synced. The analysis gives no verdict while any is.
	for _, f := range failures[:ownerFailures] {
		if len(owners[strings.TrimSuffix(f.Repo, "/*")]) == 0 {
			snap.Unread = append(snap.Unread, f.Repo)
		}
	}
	for i, err := range errs {
		if err != nil && next[i] == nil {
			snap.Unread = append(snap.Unread, repos[i])
		}
	}
	if len(failures) > 0 {
		return snap, &collectors.PartialError{Source: model.SourceGitHub, Failures: failures}
	}
	return snap, nil
}

// searchLag is how far back each search for changes reaches before the
// last refresh: GitHub's search index lags behind its writes, by seconds
// usually and by minutes at worst. Changes it misses longer than that are
// found by the next reconcile.
const searchLag = 10 * time.Minute

// reconcileDue reports whether this refresh polls every repository: the
// first one, and then every reconcile_interval.
func (s *Source) reconcileDue(w collectors.Window) bool {
	interval := time.Duration(s.cfg.ReconcileInterval)
	st := s.state
	return interval == 0 || st.LastReconcile.IsZero() || st.SearchSince.IsZero() || w.End.Sub(st.LastReconcile) >= interval
}

// searchChanges asks the Search API which tracked repositories had an
// issue or pull request updated since the last refresh (a comment, a
// review comment, a close or a merge updates it too). A hit whose update
// the state already holds is no change. It returns the repositories to
// refresh: the known ones, with the changed ones marked (and those the
// last refresh could not read), plus new ones that the config covers.
func (s *Source) searchChanges(ctx context.Context, w collectors.Window) ([]string, map[string]bool, error) {
	known := make([]string, 0, len(s.state.Repos))
	for _, st := range s.state.Repos {
		known = append(known, st.Full)
	}
	sort.Strings(known)
	changed := map[string]bool{}
	for k := range s.state.Retry {
		changed[k] = true
	}
	repos := append([]string(nil), known...)
	seen := map[string]bool{}
	for _, r := range known {
		seen[strings.ToLower(r)] = true
	}
	// An "owner/*" entry is searched as user: or org:, as its listing
	// found it.
	isUser := func(owner string) bool { return len(s.state.Owners[owner]) > 0 && s.state.Owners[owner][0].User }
	for _, q := range config.SearchQueries(s.cfg.SearchTerms(isUser), s.state.SearchSince) {
		// Unconditional: the query's updated:>= moves at every refresh,
		// so an ETag would never be asked with again.
		u := listing("search/issues", url.Values{"q": {q}, "sort": {"updated"}, "order": {"desc"}})
		for u != "" {
			var res github.IssuesSearchResult
			resp, err := getJSON(apiclient.WithUnconditional(ctx), s.client, u, &res)
			if err != nil {
				return nil, nil, s.wrap(err, "GET /search/issues")
			}
			if res.GetIncompleteResults() || res.GetTotal() > 1000 {
				return nil, nil, errors.New("too many changes for the Search API to list (it lists at most 1,000)")
			}
			for _, is := range res.Issues {
				full := is.GetRepositoryURL()
				if i := strings.Index(full, "/repos/"); i >= 0 {
					full = full[i+len("/repos/"):]
				}
				k := strings.ToLower(full)
				if st := s.state.Repos[k]; st != nil {
					if it := st.Items[is.GetNumber()]; it != nil && it.Item.UpdatedAt == model.Unix(is.GetUpdatedAt().Time) {
						continue // already seen, at this very update
					}
				}
				changed[k] = true
				if !seen[k] && s.covers(full) {
					seen[k] = true
					repos = append(repos, full)
				}
			}
			u = nextLink(resp)
		}
	}
	return repos, changed, nil
}

// searchResult counts a failed search and logs the first of a run of
// failures, with its status, and the search's recovery; the refresh then
// polls every repository.
func (s *Source) searchResult(err error) {
	if err == nil {
		if s.searchFailing {
			s.logger.Info("the Search API answers again; only changed repositories are polled", "api", model.SourceGitHub)
		}
		s.searchFailing = false
		return
	}
	var te *apiclient.ThrottledError
	if errors.As(err, &te) {
		return // paused: the transport logged it, and nothing was asked
	}
	if s.api != nil {
		s.api.SearchFailures.WithLabelValues(model.SourceGitHub).Inc()
	}
	if !s.searchFailing {
		s.logger.Warn("finding changed repositories through the Search API failed; polling every repository until it answers again",
			"api", model.SourceGitHub, "status", statusOf(err), "err", err)
	}
	s.searchFailing = true
}

// covers reports whether the config tracks a repository.
func (s *Source) covers(full string) bool {
	if excluded(s.cfg.ExcludeRepositories, full) {
		return false
	}
	owner, _, _ := strings.Cut(full, "/")
	for _, r := range s.cfg.Repositories {
		if strings.EqualFold(r, full) || strings.EqualFold(r, owner+"/*") {
			return true
		}
	}
	return false
}

func newRepoState(full string) *RepoState {
	return &RepoState{Full: full, Items: map[int]*Item{}, Comments: map[int64]Action{},
		Reviews: map[int64]Action{}, Events: map[int64]Action{}}
}

// clone copies a repository's state, so that a failed refresh leaves the
// old one untouched.
func (st *RepoState) clone() *RepoState {
	if st == nil {
		return nil
	}
	c := *st
	c.Items = make(map[int]*Item, len(st.Items))
	for n, it := range st.Items {
		cp := *it
		c.Items[n] = &cp
	}
	c.Comments, c.Reviews, c.Events = maps.Clone(st.Comments), maps.Clone(st.Reviews), maps.Clone(st.Events)
	return &c
}

// repositories expands the configured list: "owner/*" becomes every
// non-archived repository of the organisation or user, and exclusions
// apply. An owner whose listing fails keeps its last listing, and is
// named among the failures.
func (s *Source) repositories(ctx context.Context, owners map[string][]OwnerPage) ([]string, []collectors.RepoFailure) {
	seen := map[string]bool{}
	var (
		out      []string
		failures []collectors.RepoFailure
	)
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
		pages, err := s.ownerRepos(ctx, owner, owners[owner])
		if err != nil {
			failures = append(failures, collectors.RepoFailure{Repo: r, Err: err})
			pages = owners[owner] // the last listing, if any
		} else {
			owners[owner] = pages
		}
		for _, p := range pages {
			for _, full := range p.Names {
				add(full)
			}
		}
	}
	return out, failures
}

// listsOwner reports whether the config lists all of an owner's
// repositories.
func (s *Source) listsOwner(owner string) bool {
	for _, r := range s.cfg.Repositories {
		if r == owner+"/*" {
			return true
		}
	}
	return false
}

func excluded(globs []string, full string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, full); ok {
			return true
		}
	}
	return false
}

// ownerRepos lists an organisation's non-archived repositories, or a
// user's when the owner is not an organisation, newest first
// (sort=created&direction=desc, documented for both listings), so that a
// new repository changes the first page. Each page is a conditional
// request, following the next links of the last listing; a page that
// answers 304 is taken from it.
func (s *Source) ownerRepos(ctx context.Context, owner string, last []OwnerPage) ([]OwnerPage, error) {
	first := func(user bool) string {
		if user {
			return listing("users/"+url.PathEscape(owner)+"/repos", url.Values{"type": {"owner"}, "sort": {"created"}, "direction": {"desc"}})
		}
		return listing("orgs/"+url.PathEscape(owner)+"/repos", url.Values{"type": {"all"}, "sort": {"created"}, "direction": {"desc"}})
	}
	cached := map[string]OwnerPage{}
	for _, p := range last {
		cached[p.URL] = p
	}
	user := len(last) > 0 && last[0].User
	var pages []OwnerPage
	seen := map[string]bool{}
	for u := first(user); u != ""; {
		if seen[u] {
			return nil, s.wrap(errors.New("pagination loop"), "listing repositories of "+owner)
		}
		seen[u] = true
		var repos []*github.Repository
		resp, err := getJSON(ctx, s.client, u, &repos)
		if _, ok := cached[u]; notModified(err) && !ok {
			// An ETag without the page it stands for: ask again.
			resp, err = getJSON(apiclient.WithUnconditional(ctx), s.client, u, &repos)
		}
		switch {
		case statusOf(err) == http.StatusNotFound && len(pages) == 0 && !user:
			user = true // not an organisation: a user
			u = first(true)
			continue
		case notModified(err):
			p := cached[u]
			pages = append(pages, p)
			u = p.Next
			continue
		case err != nil:
			return nil, s.wrap(err, "listing repositories of "+owner)
		}
		p := OwnerPage{URL: u, User: user, Next: nextLink(resp)}
		for _, r := range repos {
			if !r.GetArchived() {
				p.Names = append(p.Names, r.GetFullName())
			}
		}
		pages = append(pages, p)
		u = p.Next
	}
	return pages, nil
}

// OwnerPage is one page of an owner's repository listing.
type OwnerPage struct {
	URL   string   `json:"url"` // as asked for
	Names []string `json:"names"`
	Next  string   `json:"next"` // the next link GitHub gave, "" for the last page
	User  bool     `json:"user"` // listed as a user, not an organisation
}

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

// sinceCursor lists what changed since a cursor (listUpdated), merging
// every item with merge (which says whether it was new or changed). The
// cursor moves to next only when something changed after the first sync,
// so that an unchanged query keeps its URL, and its ETag answers with a
// 304.
func sinceCursor[T any](ctx context.Context, c *github.Client, cur *time.Time, start func(time.Time) time.Time, next time.Time, synced bool,
	path string, q url.Values, updated func(T) time.Time, merge func(T) bool, wrap func(error) error) error {
	since := start(*cur)
	changed := false
	err := listUpdated(ctx, c, path, q, since, true, updated, func(it T) {
		changed = merge(it) || changed
	})
	if err != nil {
		return wrap(err)
	}
	if changed && synced {
		since = next
	}
	*cur = since
	return nil
}

func login(u *github.User) string {
	if u == nil || u.GetType() == "Bot" {
		return ""
	}
	return strings.ToLower(u.GetLogin())
}

// syncRepo brings one repository's state up to date. The first sync reads
// every open item and everything updated within the window; later ones ask
// only for what changed since their cursor, and a cursor moves only when
// new data arrived, so that an unchanged query keeps its URL and its ETag.
func (s *Source) syncRepo(ctx context.Context, st *RepoState, w collectors.Window) error {
	owner, name, _ := strings.Cut(st.Full, "/")
	base := "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/"
	// A cursor starts at the window's start and moves only when new data
	// arrives; one more than a window behind (a stale state file) starts
	// over at the window's start.
	cursor := func(c time.Time) time.Time {
		if c.IsZero() || c.Before(w.Start.Add(-w.End.Sub(w.Start))) {
			return w.Start
		}
		return c
	}
	next := w.End.Add(-collectors.SyncOverlap)
	var mu sync.Mutex // guards st's maps across the steps below
	mergeIssue := func(is *github.Issue) bool {
		it := issueItem(st.Full, is)
		mu.Lock()
		defer mu.Unlock()
		old := st.Items[is.GetNumber()]
		st.Items[is.GetNumber()] = it
		return old == nil || old.Item.UpdatedAt != it.Item.UpdatedAt || old.Item.Open != it.Item.Open
	}
	mergeActions := func(m map[int64]Action, id int64, a Action) bool {
		mu.Lock()
		defer mu.Unlock()
		old, ok := m[id]
		m[id] = a
		return !ok || old != a
	}
	issueUpdated := func(is *github.Issue) time.Time { return is.GetUpdatedAt().Time }
	// The issue events that the repository's listing could not reach:
	// none, or those created within [gap.from, gap.to].
	var gap *eventGap

	steps := []func(context.Context) error{
		func(ctx context.Context) error { // updated items since the cursor
			return sinceCursor(ctx, s.client, &st.IssuesSince, cursor, next, st.Synced,
				base+"issues", url.Values{"state": {"all"}}, issueUpdated,
				mergeIssue, func(err error) error { return s.wrapRepo(err, st.Full, "issues?state=all") })
		},
		func(ctx context.Context) error { // conversation comments
			return sinceCursor(ctx, s.client, &st.CommentsSince, cursor, next, st.Synced,
				base+"issues/comments", url.Values{}, func(c *github.IssueComment) time.Time { return c.GetUpdatedAt().Time },
				func(c *github.IssueComment) bool {
					return mergeActions(st.Comments, c.GetID(), Action{Number: int32(numberFromURL(c.GetIssueURL())), Actor: s.intern(login(c.User)), At: model.Unix(c.GetCreatedAt().Time)})
				}, func(err error) error { return s.wrapRepo(err, st.Full, "issues/comments") })
		},
		func(ctx context.Context) error { // review comments
			return sinceCursor(ctx, s.client, &st.ReviewsSince, cursor, next, st.Synced,
				base+"pulls/comments", url.Values{}, func(c *github.PullRequestComment) time.Time { return c.GetUpdatedAt().Time },
				func(c *github.PullRequestComment) bool {
					return mergeActions(st.Reviews, c.GetID(), Action{Number: int32(numberFromURL(c.GetPullRequestURL())), Actor: s.intern(login(c.User)), At: model.Unix(c.GetCreatedAt().Time)})
				}, func(err error) error { return s.wrapRepo(err, st.Full, "pulls/comments") })
		},
		func(ctx context.Context) error { // issue events, newest first
			newest, newestSeen, newestAt := st.NewestEventID, st.NewestEventID, st.NewestEventAt
			floor := w.Start
			if st.Synced && newestAt.After(floor) {
				floor = newestAt
			}
			var oldestRead time.Time
			err := walk(ctx, s.client, listing(base+"issues/events", url.Values{}), true, func(e *github.IssueEvent) bool {
				// Stop at the first event already seen, or older than the window.
				if e.GetID() <= newest || e.GetCreatedAt().Before(w.Start) {
					return true
				}
				if k := eventKind(e.GetEvent()); k != EventNone && e.Issue != nil {
					mergeActions(st.Events, e.GetID(), Action{Number: int32(e.Issue.GetNumber()), Actor: s.intern(login(e.Actor)), Kind: k, At: model.Unix(e.GetCreatedAt().Time)})
				}
				if e.GetID() > newestSeen {
					newestSeen, newestAt = e.GetID(), e.GetCreatedAt().Time
				}
				oldestRead = e.GetCreatedAt().Time
				return false
			})
			if errors.Is(err, errDepthRefused) {
				// GitHub pages no deeper: what it did not list is read from
				// each issue's own events, once the items are known.
				gap, err = &eventGap{from: floor, to: oldestRead, newest: newest}, nil
			}
			if err != nil {
				return s.wrapRepo(err, st.Full, "issues/events")
			}
			st.NewestEventID, st.NewestEventAt = newestSeen, newestAt
			return nil
		},
	}
	if !st.Synced {
		steps = append(steps, func(ctx context.Context) error { // every open item, whatever its age
			err := listUpdated(ctx, s.client, base+"issues", url.Values{"state": {"open"}}, time.Time{}, false, issueUpdated,
				func(is *github.Issue) { mergeIssue(is) })
			return s.wrapRepo(err, st.Full, "issues?state=open")
		})
	}
	if err := collectors.ForEach(ctx, len(steps), steps, func(ctx context.Context, f func(context.Context) error) error { return f(ctx) }); err != nil {
		return err
	}
	if gap != nil {
		if err := s.issueEvents(ctx, st, *gap, mergeActions); err != nil {
			return err
		}
	}
	st.Synced = true
	st.prune(w)
	return nil
}

// eventGap is a span of issue events that the repository's listing did
// not reach: created within [from, to], newer than the event newest.
type eventGap struct {
	from, to time.Time
	newest   int64
}

// issueEvents reads the events of a gap from each issue's own listing
// (GET /repos/{o}/{r}/issues/{n}/events). An event at t on an issue lies
// between the issue's creation and its last update, so only the issues
// created by gap.to and updated since gap.from are asked. This costs a
// request per such issue, and happens only on a repository with more
// events since the last refresh than GitHub pages through.
func (s *Source) issueEvents(ctx context.Context, st *RepoState, gap eventGap, merge func(map[int64]Action, int64, Action) bool) error {
	var numbers []int
	for n, it := range st.Items {
		if it.Item.UpdatedAt >= gap.from.Unix() && it.Item.CreatedAt <= gap.to.Unix() {
			numbers = append(numbers, n)
		}
	}
	sort.Ints(numbers)
	s.logger.Info("GitHub lists the repository's issue events no deeper; reading the rest from each issue's events",
		"api", model.SourceGitHub, "repository", st.Full, "from", gap.from.UTC().Format(time.RFC3339),
		"to", gap.to.UTC().Format(time.RFC3339), "issues", len(numbers))
	owner, name, _ := strings.Cut(st.Full, "/")
	return collectors.ForEach(ctx, s.cfg.Concurrency, numbers, func(ctx context.Context, n int) error {
		path := "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/issues/" + strconv.Itoa(n) + "/events"
		err := walk(ctx, s.client, listing(path, url.Values{}), false, func(e *github.IssueEvent) bool {
			at := e.GetCreatedAt().Time
			if k := eventKind(e.GetEvent()); k != EventNone && e.GetID() > gap.newest && !at.Before(gap.from) && !at.After(gap.to) {
				merge(st.Events, e.GetID(), Action{Number: int32(n), Actor: s.intern(login(e.Actor)), Kind: k, At: model.Unix(at)})
			}
			return false
		})
		return s.wrapRepo(err, st.Full, "issues/"+strconv.Itoa(n)+"/events")
	})
}

// prune drops what has left the window: closed items not updated within
// it, and actions before it. Memory stays bounded by the window.
func (st *RepoState) prune(w collectors.Window) {
	start := w.Start.Unix()
	for n, it := range st.Items {
		if !it.Item.Open && it.Item.UpdatedAt < start {
			delete(st.Items, n)
		}
	}
	for _, m := range []map[int64]Action{st.Comments, st.Reviews, st.Events} {
		for id, a := range m {
			if a.At < start {
				delete(m, id)
			}
		}
	}
}

func issueItem(full string, is *github.Issue) *Item {
	n := is.GetNumber()
	it := model.Item{
		Source:    model.SourceGitHub,
		Kind:      model.KindIssue,
		Key:       full + "#" + strconv.Itoa(n),
		Title:     is.GetTitle(),
		URL:       is.GetHTMLURL(),
		Open:      is.GetState() == "open",
		CreatedAt: model.Unix(is.GetCreatedAt().Time),
		UpdatedAt: model.Unix(is.GetUpdatedAt().Time),
		ClosedAt:  model.Unix(is.GetClosedAt().Time),
		Repo:      full,
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
	return &Item{Item: it, Author: login(is.User)}
}

// appendRepo turns one repository's state into items and activities.
func appendRepo(snap *model.Snapshot, st *RepoState, w collectors.Window) {
	numbers := make([]int, 0, len(st.Items))
	for n := range st.Items {
		numbers = append(numbers, n)
	}
	sort.Ints(numbers)
	index := make(map[int]int32, len(numbers))
	add := func(number int, actor, action string, at int64) {
		i, ok := index[number]
		if !ok || actor == "" || !w.Contains(at) {
			return
		}
		snap.Activities = append(snap.Activities, model.Activity{Item: i, Actor: actor, Action: action, At: at})
	}
	for _, n := range numbers {
		index[n] = int32(len(snap.Items))
		snap.Items = append(snap.Items, st.Items[n].Item)
		add(n, st.Items[n].Author, model.ActionOpened, st.Items[n].Item.CreatedAt)
	}
	addAll := func(m map[int64]Action, action func(Action) string) {
		ids := make([]int64, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			a := m[id]
			if act := action(a); act != "" {
				add(int(a.Number), a.Actor, act, a.At)
			}
		}
	}
	addAll(st.Comments, func(Action) string { return model.ActionCommented })
	addAll(st.Reviews, func(Action) string { return model.ActionReviewComment })
	// GitHub records both "merged" and "closed" when a pull request is
	// merged; only "merged" counts. They carry the same time.
	type key struct {
		number int
		at     int64
	}
	merged := map[key]bool{}
	for _, e := range st.Events {
		if e.Kind == EventMerged {
			merged[key{int(e.Number), e.At}] = true
		}
	}
	addAll(st.Events, func(e Action) string {
		switch e.Kind {
		case EventClosed:
			if merged[key{int(e.Number), e.At}] {
				return ""
			}
			return model.ActionClosed
		case EventMerged:
			return model.ActionMerged
		case EventReopened:
			return model.ActionReopened
		}
		return ""
	})
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
