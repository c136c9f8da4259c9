package simulation

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// The Search API's rules, as GitHub documents them.
const (
	// searchPerMinute is the Search API's budget for an authenticated
	// client: "up to 30 requests per minute"
	// (https://docs.github.com/rest/search/search#rate-limit).
	searchPerMinute = 30
	// searchMaxResults: "the GitHub REST API provides up to 1,000 results
	// for each search" (https://docs.github.com/rest/search/search#about-search).
	searchMaxResults = 1000
	// searchMaxLength and searchMaxOperators: "queries that are longer than
	// 256 characters (not including operators or qualifiers)" and "have
	// more than five AND, OR, or NOT operators" are not supported
	// (https://docs.github.com/rest/search/search#limitations-on-query-length).
	searchMaxLength    = 256
	searchMaxOperators = 5
)

// msgNeedsKind is the 422 of a search for issues without is:issue or
// is:pull-request: documented under "Search issues and pull requests"
// (https://docs.github.com/rest/search/search#search-issues-and-pull-requests),
// required since advanced issue search became the default (2025-09-04).
const msgNeedsKind = "Query must include 'is:issue' or 'is:pull-request'"

func (s *Server) resetSearch(now time.Time) {
	if !now.Before(s.searchReset) {
		s.searchRemaining, s.searchReset = searchPerMinute, now.Add(time.Minute).Truncate(time.Second)
	}
}

// searchBudget refuses a search when the minute's budget is spent, with
// the primary limit's 403 and the search resource's headers
// (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
// s.mu is held.
func (s *Server) searchBudget(w http.ResponseWriter, now time.Time) bool {
	s.resetSearch(now)
	if s.searchRemaining > 0 {
		return true
	}
	limitHeaders(w.Header(), "search", searchPerMinute, 0, s.searchReset)
	rateLimitExceeded(w)
	return false
}

// validationFailed is GitHub's 422 with one error
// (rest-api-description: components/schemas/validation-error).
func validationFailed(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed",
		"errors": []map[string]any{{
			"message": msg, "resource": "Search", "field": "q", "code": "invalid",
		}},
		"documentation_url": "https://docs.github.com/rest/search/search#search-issues-and-pull-requests",
		"status":            "422",
	})
}

// searchQuery is a parsed q of GET /search/issues, for the qualifiers the
// exporter sends.
type searchQuery struct {
	owners, repos []string // org:/user: and repo:, OR-ed (assumption: as
	// GitHub's search syntax ORs repeated repo: and org: qualifiers,
	// https://docs.github.com/search-github/getting-started-with-searching-on-github/understanding-the-search-syntax)
	since         time.Time
	issues, pulls bool // is:issue, is:pull-request (or is:pr)
	// reviewers are the reviewed-by: logins, OR-ed: "reviewed-by:USERNAME
	// matches pull requests reviewed by a particular person" (github/docs
	// content/search-github/searching-on-github/searching-issues-and-pull-requests.md,
	// "Search by pull request review status and reviewer"). Assumption:
	// an OR group of them in parentheses, as advanced issue search
	// (the REST description's advanced_search parameter, the default
	// since 2025-09-04) allows for qualifiers, matches any of them; a
	// pending review is not one, a dismissed one still is.
	reviewers []string
}

func parseSearch(q string) (searchQuery, string) {
	var sq searchQuery
	text, operators := 0, 0
	for _, tok := range strings.Fields(q) {
		switch tok {
		case "AND", "OR", "NOT":
			operators++
			continue
		}
		k, v, ok := strings.Cut(strings.Trim(tok, "()"), ":")
		if !ok {
			text += len(tok) + 1
			continue
		}
		switch strings.ToLower(k) {
		case "org", "user":
			sq.owners = append(sq.owners, strings.ToLower(v))
		case "repo":
			sq.repos = append(sq.repos, strings.ToLower(v))
		case "reviewed-by":
			sq.reviewers = append(sq.reviewers, strings.ToLower(v))
		case "is":
			switch strings.ToLower(v) {
			case "issue":
				sq.issues = true
			case "pull-request", "pr":
				sq.pulls = true
			}
		case "updated":
			t, err := time.Parse(time.RFC3339, strings.TrimPrefix(v, ">="))
			if err != nil {
				return sq, "The updated qualifier is not a valid date." // assumption: the wording
			}
			sq.since = t
		default:
			text += len(tok) + 1
		}
	}
	switch {
	case !sq.issues && !sq.pulls:
		return sq, msgNeedsKind
	case text > searchMaxLength:
		return sq, "The search is longer than 256 characters."
	case operators > searchMaxOperators:
		return sq, "The search contains more than 5 AND / OR / NOT operators."
	}
	return sq, ""
}

// searchIssues is GET /search/issues for the qualifiers the exporter uses.
// Results are sorted by update, newest first; at most 1,000 can be paged
// through.
func (s *Server) searchIssues(w http.ResponseWriter, r *http.Request) {
	sq, problem := parseSearch(r.URL.Query().Get("q"))
	if problem != "" {
		validationFailed(w, problem)
		return
	}
	type hit struct {
		full string
		is   *Issue
	}
	var hits []hit
	for _, o := range s.ds.GitHub.Owners {
		for _, rp := range o.Repos {
			full := o.Login + "/" + rp.Name
			if !slices.Contains(sq.owners, strings.ToLower(o.Login)) && !slices.Contains(sq.repos, strings.ToLower(full)) {
				continue
			}
			for _, is := range rp.Issues {
				if (is.PR && !sq.pulls) || (!is.PR && !sq.issues) || is.UpdatedAt.Before(sq.since) {
					continue
				}
				if len(sq.reviewers) > 0 && !reviewedBy(rp, is, sq.reviewers) {
					continue
				}
				hits = append(hits, hit{full, is})
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].is.UpdatedAt.After(hits[j].is.UpdatedAt) })
	total := len(hits)
	if len(hits) > searchMaxResults {
		hits = hits[:searchMaxResults]
	}
	// Past the 1,000th result, 422 (microsoft/vscode#93983).
	if per, page := intParam(r, "per_page", 30, 100), intParam(r, "page", 1, 0); (page-1)*per >= searchMaxResults {
		githubError(w, http.StatusUnprocessableEntity, "Only the first 1000 search results are available")
		return
	}
	lo, hi, ok := s.paginate(w, r, len(hits), pagedPlain)
	if !ok {
		return
	}
	items := make([]map[string]any, 0, hi-lo)
	for _, h := range hits[lo:hi] {
		m := s.issueJSON(r, h.full, h.is)
		m["repository_url"] = baseURL(r) + GitHubPrefix + "repos/" + h.full
		items = append(items, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "incomplete_results": false, "items": items})
}

// reviewedBy reports whether one of logins reviewed the pull request.
func reviewedBy(rp *Repo, is *Issue, logins []string) bool {
	if !is.PR {
		return false
	}
	for _, rv := range rp.Reviews {
		if rv.Issue == is.Number && rv.State != "PENDING" && slices.Contains(logins, strings.ToLower(rv.User.Login)) {
			return true
		}
	}
	return false
}
