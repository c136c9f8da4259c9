package github

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// Fetch brings every configured repository up to date and returns their
// tracked items and the activities on them within w. A repository that
// cannot be read does not hold the others back: their new data is
// returned, it keeps its last good data (none, before its first sync),
// and the snapshot comes with a *collectors.PartialError that names it. The next
// refresh polls it again, whatever the search says.
func (s *Source) Fetch(ctx context.Context, w collectors.Window) (*model.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A window that reaches further back than a repository's data (a
	// longer window after a reload, or a backfill from the state file)
	// needs that repository's first sync again: its cursors only look
	// forward. A state saved before From was kept has it zero.
	for k, rs := range s.state.Repos {
		if rs.Synced && !rs.From.IsZero() && w.Start.Before(rs.From) {
			delete(s.state.Repos, k)
		}
	}
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
	plan, err := s.planReviews(ctx, w, repos, owners)
	if err != nil {
		return nil, err
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
		if err := s.syncRepo(ctx, st, w, plan); err != nil {
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
	// The logins searched for are recorded once every repository took
	// its share; otherwise the next refresh searches again.
	state.ReviewedBy = s.state.ReviewedBy
	if len(failures) == ownerFailures {
		state.ReviewedBy = plan.reviewedBy
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
			actions += len(st.Items) + len(st.Comments) + len(st.Reviews) + len(st.Submitted) + len(st.Events)
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
