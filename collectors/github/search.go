package github

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

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
				full := hitRepo(is)
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
