package github

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// Submitted pull request reviews are listed per pull request
// (GET /repos/{o}/{r}/pulls/{n}/reviews, rest-api-description
// paths./repos/{owner}/{repo}/pulls/{pull_number}/reviews.get: "The list of
// reviews returns in chronological order"; schema pull-request-review:
// id, user, state, submitted_at, the last not required). So their cost is
// one request per pull request asked, and it is kept to the pull requests
// that can hold a team member's review in the window:
//
//   - in steady state, the pull requests that the issues listing showed
//     new or changed since the last refresh: submitting a review sets the
//     pull request's updated_at to its submitted_at (a recorded real
//     payload, cited at the simulation's addReview);
//   - at a repository's first sync, the pull requests that the Search API
//     finds reviewed by a team member and updated within the window
//     (reviewedBy): a review submitted within the window updated its pull
//     request within it. Only team members' actions are attributed, so
//     other people's reviews need not be found.

// reviewGroup is how many reviewed-by: qualifiers one search ORs: GitHub
// refuses a query with more than five AND, OR or NOT operators
// (https://docs.github.com/rest/search/search#limitations-on-query-length).
const reviewGroup = 6

// reviewCounts reports whether a review's state makes it an activity:
// approved, changes requested or commented; not pending (not submitted)
// nor dismissed.
func reviewCounts(state string) bool {
	switch strings.ToUpper(state) {
	case "APPROVED", "CHANGES_REQUESTED", "COMMENTED":
		return true
	}
	return false
}

// reviewQueries are the searches for pull requests reviewed by logins and
// updated since: the logins OR-ed in a group, with as many repository
// terms as a query of SearchMaxQueryLength characters holds.
func reviewQueries(terms, logins []string, since time.Time) []string {
	group := "(reviewed-by:" + strings.Join(logins, " OR reviewed-by:") + ")"
	suffix := " is:pull-request updated:>=" + since.UTC().Format(time.RFC3339) + " " + group
	room := config.SearchMaxQueryLength - len(suffix)
	var out []string
	for _, t := range terms {
		if n := len(out); n > 0 && len(out[n-1])+1+len(t) <= room {
			out[n-1] += " " + t
		} else {
			out = append(out, t)
		}
	}
	for i := range out {
		out[i] += suffix
	}
	return out
}

// errTooManyReviewed is a search for one login that matches more than
// the 1,000 results that GitHub lists.
var errTooManyReviewed = errors.New("a team member reviewed more pull requests than the Search API lists (1,000)")

// reviewedBy finds the pull requests, by repository (lower case), that
// logins reviewed and that were updated since w.Start. A group of
// logins whose search matches more than 1,000 is split in halves; a single
// login that does is errTooManyReviewed.
func (s *Source) reviewedBy(ctx context.Context, w collectors.Window, logins []string, owners map[string][]OwnerPage) (map[string]map[int]bool, error) {
	// owners are this refresh's listings: at the first sync, the state
	// has none yet.
	isUser := func(owner string) bool { return len(owners[owner]) > 0 && owners[owner][0].User }
	terms := s.cfg.SearchTerms(isUser)
	found := map[string]map[int]bool{}
	var search func(logins []string) error
	search = func(logins []string) error {
		for _, q := range reviewQueries(terms, logins, w.Start) {
			u := listing("search/issues", url.Values{"q": {q}, "sort": {"updated"}, "order": {"desc"}, "advanced_search": {"true"}})
			for u != "" {
				var res github.IssuesSearchResult
				resp, err := getJSON(apiclient.WithUnconditional(ctx), s.client, u, &res)
				if err != nil {
					return s.wrap(err, "GET /search/issues")
				}
				if res.GetIncompleteResults() || res.GetTotal() > 1000 {
					if len(logins) == 1 {
						return errTooManyReviewed
					}
					half := len(logins) / 2
					if err := search(logins[:half]); err != nil {
						return err
					}
					return search(logins[half:])
				}
				for _, is := range res.Issues {
					k := strings.ToLower(hitRepo(is))
					if found[k] == nil {
						found[k] = map[int]bool{}
					}
					found[k][is.GetNumber()] = true
				}
				u = nextLink(resp)
			}
		}
		return nil
	}
	for i := 0; i < len(logins); i += reviewGroup {
		if err := search(logins[i:min(i+reviewGroup, len(logins))]); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// hitRepo is the "owner/name" of a search hit, from its repository_url.
func hitRepo(is *github.Issue) string {
	full := is.GetRepositoryURL()
	if i := strings.Index(full, "/repos/"); i >= 0 {
		full = full[i+len("/repos/"):]
	}
	return full
}

// syncReviews lists the submitted reviews of the given pull requests and
// keeps those that count. A review that no longer counts (dismissed since)
// is dropped.
func (s *Source) syncReviews(ctx context.Context, st *RepoState, numbers []int) error {
	sort.Ints(numbers)
	owner, name, _ := strings.Cut(st.Full, "/")
	base := "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/pulls/"
	type review struct {
		id int64
		a  Action
		ok bool
	}
	got := make([][]review, len(numbers))
	err := collectors.ForEach(ctx, s.cfg.Concurrency, collectors.Indexes(len(numbers)), func(ctx context.Context, i int) error {
		n := numbers[i]
		// Unconditional: reviews are listed oldest first, so a new one
		// lands on the last page, where no ETag is kept.
		err := walk(apiclient.WithUnconditional(ctx), s.client, listing(base+strconv.Itoa(n)+"/reviews", url.Values{}), false, func(r *github.PullRequestReview) bool {
			ok := reviewCounts(r.GetState()) && !r.GetSubmittedAt().IsZero()
			got[i] = append(got[i], review{id: r.GetID(), ok: ok,
				a: Action{Number: int32(n), Actor: s.intern(login(r.User)), At: model.Unix(r.GetSubmittedAt().Time)}})
			return false
		})
		return s.wrapRepo(err, st.Full, "pulls/"+strconv.Itoa(n)+"/reviews")
	})
	if err != nil {
		return err
	}
	for _, rs := range got {
		for _, r := range rs {
			if r.ok {
				st.Submitted[r.id] = r.a
			} else {
				delete(st.Submitted, r.id)
			}
		}
	}
	return nil
}

// reviewPlan is which pull requests a refresh asks for reviews besides
// the changed ones: at a repository's first sync, those in found (by
// repository, lower case), or, with all, every pull request updated within
// the window (when the search could not say); in a repository already
// synced, those in added, that logins new to the config reviewed.
type reviewPlan struct {
	found map[string]map[int]bool
	all   bool
	added map[string]map[int]bool
	// reviewedBy is what the state records as searched for once this
	// refresh succeeds.
	reviewedBy []string
}

// pulls are the pull requests of a repository whose reviews a sync asks
// for: after the first sync, those that changed and those added; at the
// first, those the plan names.
func (p reviewPlan) pulls(st *RepoState, synced bool, changed map[int]bool, w collectors.Window) []int {
	var numbers []int
	switch {
	case synced:
		for n := range changed {
			numbers = append(numbers, n)
		}
		for n := range p.added[strings.ToLower(st.Full)] {
			if !changed[n] {
				numbers = append(numbers, n)
			}
		}
	case p.all:
		for n, it := range st.Items {
			if it.Item.Kind == model.KindPullRequest && it.Item.UpdatedAt >= w.Start.Unix() {
				numbers = append(numbers, n)
			}
		}
	default:
		for n := range p.found[strings.ToLower(st.Full)] {
			numbers = append(numbers, n)
		}
	}
	return numbers
}

// planReviews searches for the pull requests that team members reviewed:
// every member's, when a repository of this refresh has its first sync;
// and, in the repositories already synced, those of logins that no earlier
// search covered (people added to the config since). A first sync's search
// that fails other than by a pause or a cancellation, or that matches more
// than GitHub lists, is logged, and those repositories ask every pull
// request updated within the window instead: bounded by the window, and
// correct. A failed search for new logins is logged and tried again at
// the next refresh.
func (s *Source) planReviews(ctx context.Context, w collectors.Window, repos []string, owners map[string][]OwnerPage) (reviewPlan, error) {
	plan := reviewPlan{reviewedBy: s.state.ReviewedBy}
	if len(s.reviewers) == 0 {
		return plan, nil
	}
	first, synced := false, false
	for _, r := range repos {
		if st := s.state.Repos[strings.ToLower(r)]; st == nil || !st.Synced {
			first = true
		} else {
			synced = true
		}
	}
	var added []string
	for _, l := range s.reviewers {
		if !slices.Contains(s.state.ReviewedBy, l) {
			added = append(added, l)
		}
	}
	paused := func(err error) bool {
		var te *apiclient.ThrottledError
		return errors.As(err, &te) || ctx.Err() != nil
	}
	if first {
		found, err := s.reviewedBy(ctx, w, s.reviewers, owners)
		switch {
		case err == nil:
			plan.found = found
		case paused(err):
			return plan, err
		default:
			s.logger.Warn("finding the pull requests that team members reviewed through the Search API failed; asking the reviews of every pull request updated within the window",
				"api", model.SourceGitHub, "status", statusOf(err), "err", err)
			plan.all = true
		}
	}
	if synced && len(added) > 0 {
		found, err := s.reviewedBy(ctx, w, added, owners)
		switch {
		case err == nil:
			plan.added = found
		case paused(err):
			return plan, err
		default:
			s.logger.Warn("finding the pull requests that people new to the config reviewed through the Search API failed; trying again at the next refresh",
				"api", model.SourceGitHub, "status", statusOf(err), "err", err, "logins", added)
			return plan, nil
		}
	}
	plan.reviewedBy = s.reviewers
	return plan, nil
}
