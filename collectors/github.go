package collectors

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

	"github.com/google/go-github/v60/github"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

const (
	githubPerPage = 100
	// syncOverlap is how far before the last refresh an incremental query
	// starts, so that an item indexed a little late is not missed.
	syncOverlap = 2 * time.Minute
)

// GitHubSource reads issues, pull requests, comments and issue events of the
// configured repositories through go-github. After the first full sync of a
// repository it asks only for what changed since the last refresh, with
// conditional requests, so that a refresh in which nothing changed costs no
// primary rate limit.
type GitHubSource struct {
	cfg    *config.GitHubConfig
	logger *slog.Logger
	client *github.Client
	hc     *http.Client
	etags  *etagStore

	mu    sync.Mutex // guards state between refreshes (never two at once)
	state *GitHubState

	internMu sync.Mutex
	logins   map[string]string // one copy of each login, shared by its actions
}

// intern returns the shared copy of a login: hundreds of thousands of
// actions name a few hundred accounts.
func (s *GitHubSource) intern(login string) string {
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

// GitHubState is everything a GitHub source keeps between refreshes; the
// state file persists it.
type GitHubState struct {
	Repos map[string]*RepoState `json:"repos"`
	// Owners caches the listings behind "owner/*" entries, page by page.
	Owners map[string][]OwnerPage `json:"owners"`
	// LastReconcile is when every repository was last polled.
	LastReconcile time.Time `json:"last_reconcile"`
	// SearchSince is where the next search for changes starts.
	SearchSince time.Time `json:"search_since"`
}

// RepoState is one repository's tracked items and the actions on them
// within the window, with the cursors of the incremental sync.
type RepoState struct {
	Full          string              `json:"full"`
	Synced        bool                `json:"synced"`
	Items         map[int]*GitHubItem `json:"items"`
	Comments      map[int64]Action    `json:"comments"`
	Reviews       map[int64]Action    `json:"reviews"`
	Events        map[int64]Action    `json:"events"`
	IssuesSince   time.Time           `json:"issues_since"`
	CommentsSince time.Time           `json:"comments_since"`
	ReviewsSince  time.Time           `json:"reviews_since"`
	NewestEventID int64               `json:"newest_event_id"`
}

// GitHubItem is a tracked issue or pull request and its author.
type GitHubItem struct {
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

// NewGitHubSource builds a GitHub source that sends its requests through hc.
func NewGitHubSource(cfg *config.GitHubConfig, hc *http.Client, etags *etagStore, logger *slog.Logger) (*GitHubSource, error) {
	base, err := url.Parse(cfg.APIURL)
	if err != nil {
		return nil, errors.New("github.api_url: invalid URL")
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	c := github.NewClient(hc)
	if !cfg.App() {
		c = c.WithAuthToken(string(cfg.Token()))
	}
	c.BaseURL = base
	return &GitHubSource{cfg: cfg, logger: logger, client: c, hc: hc, etags: etags,
		state: &GitHubState{Repos: map[string]*RepoState{}, Owners: map[string][]OwnerPage{}}}, nil
}

// Name is the source label value.
func (*GitHubSource) Name() string { return model.SourceGitHub }

// CloseIdleConnections closes the source's idle keep-alive connections.
func (s *GitHubSource) CloseIdleConnections() { s.hc.CloseIdleConnections() }

// SaveState streams the sync state and the ETags, one repository at a
// time, so that a large state is never marshalled whole in memory.
func (s *GitHubSource) SaveState(w io.Writer) error {
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
	bw.write(`,"etags":`)
	s.etags.mu.Lock()
	bw.json(s.etags.m)
	s.etags.mu.Unlock()
	bw.write("}")
	return bw.err
}

// RestoreState takes back a saved state, decoding one repository at a
// time.
func (s *GitHubSource) RestoreState(r io.Reader) error {
	dec := json.NewDecoder(r)
	state := &GitHubState{Repos: map[string]*RepoState{}, Owners: map[string][]OwnerPage{}}
	etags := map[string]etagEntry{}
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
	s.etags.mu.Lock()
	defer s.etags.mu.Unlock()
	s.etags.m = etags
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
// tracked items and the activities on them within w. The new state is kept
// only when every repository succeeded.
func (s *GitHubSource) Fetch(ctx context.Context, w Window) (*model.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	owners := maps.Clone(s.state.Owners)
	var (
		repos   []string
		changed map[string]bool // nil: poll every repository
	)
	reconcile := s.reconcileDue(w)
	if !reconcile {
		var err error
		repos, changed, err = s.searchChanges(ctx, w)
		if err != nil {
			s.logger.Info("finding changed repositories through the Search API failed; polling every repository", "err", err)
			reconcile = true
		}
	}
	if reconcile {
		var err error
		if repos, err = s.repositories(ctx, owners); err != nil {
			return nil, err
		}
	}
	next := make([]*RepoState, len(repos))
	// As many repositories at once as requests may be in flight: each holds
	// at most a page per endpoint while it syncs.
	err := forEachAll(ctx, s.cfg.Concurrency, indexes(len(repos)), func(ctx context.Context, i int) error {
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
			return err
		}
		next[i] = st
		return nil
	})
	if err != nil {
		// Keep the repositories that did sync, so that the next refresh
		// resumes instead of starting over (a first sync larger than the
		// hourly rate limit then completes over several hours), but
		// publish nothing until every repository has synced.
		for _, st := range next {
			if st != nil {
				s.state.Repos[strings.ToLower(st.Full)] = st
			}
		}
		return nil, err
	}
	state := &GitHubState{Repos: map[string]*RepoState{}, Owners: owners, LastReconcile: s.state.LastReconcile}
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
		items += len(st.Items)
		actions += len(st.Items) + len(st.Comments) + len(st.Reviews) + len(st.Events)
	}
	snap := &model.Snapshot{Source: model.SourceGitHub, End: w.End.Unix(),
		Items: make([]model.Item, 0, items), Activities: make([]model.Activity, 0, actions)}
	for _, st := range next {
		state.Repos[strings.ToLower(st.Full)] = st
		appendRepo(snap, st, w)
	}
	s.state = state
	return snap, nil
}

// searchLag is how far back each search for changes reaches before the
// last refresh: GitHub's search index lags behind its writes, by seconds
// usually and by minutes at worst. Changes it misses longer than that are
// found by the next reconcile.
const searchLag = 10 * time.Minute

// reconcileDue reports whether this refresh polls every repository: the
// first one, and then every reconcile_interval.
func (s *GitHubSource) reconcileDue(w Window) bool {
	interval := time.Duration(*s.cfg.ReconcileInterval)
	st := s.state
	return interval == 0 || st.LastReconcile.IsZero() || st.SearchSince.IsZero() || w.End.Sub(st.LastReconcile) >= interval
}

// searchChanges asks the Search API which tracked repositories had an
// issue or pull request updated since the last refresh (a comment, a
// review comment, a close or a merge updates it too). A hit whose update
// the state already holds is no change. It returns the repositories to
// refresh: the known ones, with the changed ones marked, plus new ones
// that the config covers.
func (s *GitHubSource) searchChanges(ctx context.Context, w Window) ([]string, map[string]bool, error) {
	known := make([]string, 0, len(s.state.Repos))
	for _, st := range s.state.Repos {
		known = append(known, st.Full)
	}
	sort.Strings(known)
	// Qualifiers: each "owner/*" entry by its owner, each other entry by
	// its repository; batched into queries of at most 200 characters.
	since := " updated:>=" + s.state.SearchSince.UTC().Format(time.RFC3339)
	var terms []string
	for _, r := range s.cfg.Repositories {
		owner, name, _ := strings.Cut(r, "/")
		switch {
		case name != "*":
			terms = append(terms, "repo:"+r)
		case len(s.state.Owners[owner]) > 0 && s.state.Owners[owner][0].User:
			terms = append(terms, "user:"+owner)
		default:
			terms = append(terms, "org:"+owner)
		}
	}
	var queries []string
	for _, t := range terms {
		if n := len(queries); n > 0 && len(queries[n-1])+len(t)+len(since) < 200 {
			queries[n-1] += " " + t
		} else {
			queries = append(queries, t)
		}
	}
	changed := map[string]bool{}
	repos := append([]string(nil), known...)
	seen := map[string]bool{}
	for _, r := range known {
		seen[strings.ToLower(r)] = true
	}
	for _, q := range queries {
		var issues []*github.Issue
		for page := 1; page != 0; {
			// Unconditional: the query's updated:>= moves at every
			// refresh, so an ETag would never be asked with again.
			res, resp, err := s.client.Search.Issues(withUnconditional(ctx), q+since, &github.SearchOptions{Sort: "updated", Order: "desc",
				ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
			if err != nil {
				return nil, nil, s.wrap(err, "GET /search/issues")
			}
			if res.GetIncompleteResults() || res.GetTotal() > 1000 {
				return nil, nil, errors.New("too many changes for the Search API to list")
			}
			issues = append(issues, res.Issues...)
			page = resp.NextPage
		}
		for _, is := range issues {
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
	}
	return repos, changed, nil
}

// covers reports whether the config tracks a repository.
func (s *GitHubSource) covers(full string) bool {
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

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func newRepoState(full string) *RepoState {
	return &RepoState{Full: full, Items: map[int]*GitHubItem{}, Comments: map[int64]Action{},
		Reviews: map[int64]Action{}, Events: map[int64]Action{}}
}

// clone copies a repository's state, so that a failed refresh leaves the
// old one untouched.
func (st *RepoState) clone() *RepoState {
	if st == nil {
		return nil
	}
	c := *st
	c.Items = make(map[int]*GitHubItem, len(st.Items))
	for n, it := range st.Items {
		cp := *it
		c.Items[n] = &cp
	}
	c.Comments, c.Reviews, c.Events = maps.Clone(st.Comments), maps.Clone(st.Reviews), maps.Clone(st.Events)
	return &c
}

// repositories expands the configured list: "owner/*" becomes every
// non-archived repository of the organisation or user, and exclusions apply.
func (s *GitHubSource) repositories(ctx context.Context, owners map[string][]OwnerPage) ([]string, error) {
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
		pages, err := s.ownerRepos(ctx, owner, owners[owner])
		if err != nil {
			return nil, err
		}
		owners[owner] = pages
		for _, p := range pages {
			for _, full := range p.Names {
				add(full)
			}
		}
	}
	return out, nil
}

// listsOwner reports whether the config lists all of an owner's
// repositories.
func (s *GitHubSource) listsOwner(owner string) bool {
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
// user's when the owner is not an organisation. Each page is a conditional
// request; a page that answers 304 is taken from the last listing.
func (s *GitHubSource) ownerRepos(ctx context.Context, owner string, last []OwnerPage) ([]OwnerPage, error) {
	list := func(ctx context.Context, page int, user bool) ([]*github.Repository, *github.Response, error) {
		lo := github.ListOptions{PerPage: githubPerPage, Page: page}
		if user {
			return s.client.Repositories.ListByUser(ctx, owner, &github.RepositoryListByUserOptions{Type: "owner", ListOptions: lo})
		}
		return s.client.Repositories.ListByOrg(ctx, owner, &github.RepositoryListByOrgOptions{Type: "all", ListOptions: lo})
	}
	user := len(last) > 0 && last[0].User
	var pages []OwnerPage
	for page := 1; page != 0; {
		if len(pages) >= page {
			return nil, s.wrap(errors.New("pagination loop"), "listing repositories of "+owner)
		}
		repos, resp, err := list(ctx, page, user)
		if statusOf(err) == http.StatusNotFound && page == 1 && !user {
			user = true
			continue
		}
		if notModified(err) && page > len(last) {
			break // the empty page after a full last page is still empty
		}
		if notModified(err) {
			p := last[page-1]
			pages = append(pages, p)
			page = p.Next
			if page == 0 && p.Full {
				// A full last page does not say whether a new one has
				// begun since: GitHub's ETag covers the body, not the
				// Link header. Ask for the next page.
				page = len(pages) + 1
			}
			continue
		}
		if err != nil {
			return nil, s.wrap(err, "listing repositories of "+owner)
		}
		if len(repos) == 0 && page > 1 {
			break // the page after a full last page is empty
		}
		p := OwnerPage{User: user, Full: len(repos) == githubPerPage}
		for _, r := range repos {
			if !r.GetArchived() {
				p.Names = append(p.Names, r.GetFullName())
			}
		}
		if resp != nil {
			p.Next = resp.NextPage
		}
		pages = append(pages, p)
		page = p.Next
		if page == 0 && p.Full {
			page = len(pages) + 1 // see above: probe after a full last page
		}
	}
	return pages, nil
}

// OwnerPage is one page of an owner's repository listing.
type OwnerPage struct {
	Names []string `json:"names"`
	Next  int      `json:"next"` // the next page, 0 for the last
	User  bool     `json:"user"` // listed as a user, not an organisation
	Full  bool     `json:"full"` // the page held per_page repositories
}

// statusOf is the HTTP status of a go-github error, or 0.
func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// notModified reports whether a go-github error is a 304 answer to a
// conditional request: the data has not changed since the last refresh.
func notModified(err error) bool { return statusOf(err) == http.StatusNotModified }

// eachPage follows GitHub's Link header from page 1 until there is no next
// page, handing every item to visit as its page arrives, and stopping when
// visit says the rest is not needed. Pages are not kept: memory holds one
// page per call, however long the list. A 304 on page 1 comes back as an
// error for which notModified is true, and means nothing changed: every
// listing that goes through here must order its items so that any change
// lands on page 1 (updated or created, newest first).
func eachPage[T any](ctx context.Context, list func(context.Context, int) ([]T, *github.Response, error), visit func(T) (stop bool)) error {
	seen := map[int]bool{}
	for page := 1; ; {
		if seen[page] {
			return errors.New("pagination loop: the next link points back to page " + strconv.Itoa(page))
		}
		seen[page] = true
		pageCtx := ctx
		if page > 1 {
			// Page 1 changed, so later pages are wanted whatever their
			// ETags say: nothing keeps their bodies to answer a 304 from.
			pageCtx = withUnconditional(ctx)
		}
		items, resp, err := list(pageCtx, page)
		if err != nil {
			return err
		}
		for _, it := range items {
			if visit(it) {
				return nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		page = resp.NextPage
	}
}

func (s *GitHubSource) wrap(err error, what string) error {
	return errorf(s.cfg.Token(), "github: %s: %w", what, err)
}

func (s *GitHubSource) wrapRepo(err error, full, endpoint string) error {
	if err == nil || notModified(err) {
		return nil
	}
	return s.wrap(err, "GET /repos/"+full+"/"+endpoint)
}

// sinceCursor lists what changed since a cursor, merging every item with
// merge (which says whether it was new or changed). The cursor moves to
// next only when something changed after the first sync, so that an
// unchanged query keeps its URL, and its ETag answers with a 304.
func sinceCursor[T any](ctx context.Context, cur *time.Time, start func(time.Time) time.Time, next time.Time, synced bool,
	list func(ctx context.Context, since time.Time, page int) ([]T, *github.Response, error),
	merge func(T) bool, wrap func(error) error) error {
	since := start(*cur)
	changed := false
	err := eachPage(ctx, func(ctx context.Context, page int) ([]T, *github.Response, error) {
		return list(ctx, since, page)
	}, func(it T) bool {
		changed = merge(it) || changed
		return false
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
func (s *GitHubSource) syncRepo(ctx context.Context, st *RepoState, w Window) error {
	owner, name, _ := strings.Cut(st.Full, "/")
	// A cursor starts at the window's start and moves only when new data
	// arrives; one more than a window behind (a stale state file) starts
	// over at the window's start.
	cursor := func(c time.Time) time.Time {
		if c.IsZero() || c.Before(w.Start.Add(-w.End.Sub(w.Start))) {
			return w.Start
		}
		return c
	}
	next := w.End.Add(-syncOverlap)
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

	steps := []func(context.Context) error{
		func(ctx context.Context) error { // updated items since the cursor
			return sinceCursor(ctx, &st.IssuesSince, cursor, next, st.Synced,
				func(ctx context.Context, since time.Time, page int) ([]*github.Issue, *github.Response, error) {
					return s.client.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{
						State: "all", Since: since, Sort: "updated", Direction: "desc",
						ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
				}, mergeIssue, func(err error) error { return s.wrapRepo(err, st.Full, "issues?state=all") })
		},
		func(ctx context.Context) error { // conversation comments
			return sinceCursor(ctx, &st.CommentsSince, cursor, next, st.Synced,
				func(ctx context.Context, since time.Time, page int) ([]*github.IssueComment, *github.Response, error) {
					return s.client.Issues.ListComments(ctx, owner, name, 0, &github.IssueListCommentsOptions{
						Since: &since, Sort: github.String("updated"), Direction: github.String("desc"),
						ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
				}, func(c *github.IssueComment) bool {
					return mergeActions(st.Comments, c.GetID(), Action{Number: int32(numberFromURL(c.GetIssueURL())), Actor: s.intern(login(c.User)), At: model.Unix(c.GetCreatedAt().Time)})
				}, func(err error) error { return s.wrapRepo(err, st.Full, "issues/comments") })
		},
		func(ctx context.Context) error { // review comments
			return sinceCursor(ctx, &st.ReviewsSince, cursor, next, st.Synced,
				func(ctx context.Context, since time.Time, page int) ([]*github.PullRequestComment, *github.Response, error) {
					return s.client.PullRequests.ListComments(ctx, owner, name, 0, &github.PullRequestListCommentsOptions{
						Since: since, Sort: "updated", Direction: "desc",
						ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
				}, func(c *github.PullRequestComment) bool {
					return mergeActions(st.Reviews, c.GetID(), Action{Number: int32(numberFromURL(c.GetPullRequestURL())), Actor: s.intern(login(c.User)), At: model.Unix(c.GetCreatedAt().Time)})
				}, func(err error) error { return s.wrapRepo(err, st.Full, "pulls/comments") })
		},
		func(ctx context.Context) error { // issue events, newest first
			newest, newestSeen := st.NewestEventID, st.NewestEventID
			err := eachPage(ctx, func(ctx context.Context, page int) ([]*github.IssueEvent, *github.Response, error) {
				return s.client.Issues.ListRepositoryEvents(ctx, owner, name, &github.ListOptions{PerPage: githubPerPage, Page: page})
			}, func(e *github.IssueEvent) bool {
				// Stop at the first event already seen, or older than the window.
				if e.GetID() <= newest || e.GetCreatedAt().Before(w.Start) {
					return true
				}
				if k := eventKind(e.GetEvent()); k != EventNone && e.Issue != nil {
					mergeActions(st.Events, e.GetID(), Action{Number: int32(e.Issue.GetNumber()), Actor: s.intern(login(e.Actor)), Kind: k, At: model.Unix(e.GetCreatedAt().Time)})
				}
				newestSeen = max(newestSeen, e.GetID())
				return false
			})
			if err != nil {
				return s.wrapRepo(err, st.Full, "issues/events")
			}
			st.NewestEventID = newestSeen
			return nil
		},
	}
	if !st.Synced {
		steps = append(steps, func(ctx context.Context) error { // every open item, whatever its age
			err := eachPage(ctx, func(ctx context.Context, page int) ([]*github.Issue, *github.Response, error) {
				return s.client.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{
					State: "open", ListOptions: github.ListOptions{PerPage: githubPerPage, Page: page}})
			}, func(is *github.Issue) bool {
				mergeIssue(is)
				return false
			})
			if err != nil {
				return s.wrapRepo(err, st.Full, "issues?state=open")
			}
			return nil
		})
	}
	if err := forEach(ctx, len(steps), steps, func(ctx context.Context, f func(context.Context) error) error { return f(ctx) }); err != nil {
		return err
	}
	st.Synced = true
	st.prune(w)
	return nil
}

// prune drops what has left the window: closed items not updated within
// it, and actions before it. Memory stays bounded by the window.
func (st *RepoState) prune(w Window) {
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

func issueItem(full string, is *github.Issue) *GitHubItem {
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
	return &GitHubItem{Item: it, Author: login(is.User)}
}

// appendRepo turns one repository's state into items and activities.
func appendRepo(snap *model.Snapshot, st *RepoState, w Window) {
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
