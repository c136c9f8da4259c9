package config

import (
	"math"
	"strings"
	"time"
)

// The Search API's rules that the exporter's change detection must keep
// (https://docs.github.com/rest/search/search):
//   - "Query must include 'is:issue' or 'is:pull-request'" on
//     GET /search/issues, since advanced issue search became the default
//     (2025-09-04), so every batch is asked twice, once for each;
//   - queries "longer than 256 characters (not including operators or
//     qualifiers)" are refused; the exporter keeps the whole query,
//     qualifiers included, within 256 characters;
//   - at most five AND, OR or NOT operators: the exporter uses none
//     (repeated repo:, org: and user: qualifiers are OR-ed);
//   - 30 requests a minute for an authenticated client, a budget of its
//     own (X-RateLimit-Resource: search).
const (
	SearchMaxQueryLength = 256
	SearchPerMinute      = 30
)

// searchKinds are the qualifiers of which every query has one.
var searchKinds = []string{"is:issue", "is:pull-request"}

// SearchQueries batches search terms (repo:, org: and user: qualifiers)
// into the queries of one refresh's change detection: each batch once
// with is:issue and once with is:pull-request, each query at most
// SearchMaxQueryLength characters.
func SearchQueries(terms []string, since time.Time) []string {
	suffix := " updated:>=" + since.UTC().Format(time.RFC3339)
	room := SearchMaxQueryLength - len(suffix) - len(" is:pull-request")
	var batches []string
	for _, t := range terms {
		if n := len(batches); n > 0 && len(batches[n-1])+1+len(t) <= room {
			batches[n-1] += " " + t
		} else {
			batches = append(batches, t)
		}
	}
	out := make([]string, 0, 2*len(batches))
	for _, b := range batches {
		for _, k := range searchKinds {
			out = append(out, b+" "+k+suffix)
		}
	}
	return out
}

// SearchTerms are the search qualifiers of the configured repositories:
// each "owner/*" entry by its owner (user: when isUser says so, org:
// otherwise), each other entry by its repository.
func (g *GitHubConfig) SearchTerms(isUser func(owner string) bool) []string {
	var terms []string
	for _, r := range g.Repositories {
		owner, name, _ := strings.Cut(r, "/")
		switch {
		case name != "*":
			terms = append(terms, "repo:"+r)
		case isUser(owner):
			terms = append(terms, "user:"+owner)
		default:
			terms = append(terms, "org:"+owner)
		}
	}
	return terms
}

// validateSearchBudget refuses a refresh_interval at which the change
// detection's searches would spend more of the Search API's 30 requests a
// minute than the reserve leaves: the same reserve and in-flight margin
// that the transport keeps for the token's other users.
func (c *Config) validateSearchBudget(errs *Errors) {
	g := c.GitHub
	if g == nil || g.ReconcileInterval == 0 || time.Duration(c.RefreshInterval) < minRefreshInterval {
		return
	}
	// Every owner as a user: user: is the longer qualifier, so no
	// refresh has more queries than this.
	queries := len(SearchQueries(g.SearchTerms(func(string) bool { return true }), time.Time{}))
	if queries == 0 {
		return
	}
	usable := SearchPerMinute - int(math.Ceil(SearchPerMinute*g.RateLimitReserve)) - g.Concurrency
	perMinute := usable / queries // refreshes a minute the budget allows
	if perMinute < 1 {
		errs.add("github.repositories", "%d search queries a refresh exceed the Search API's %d requests a minute (less the rate_limit_reserve and concurrency): "+
			"list repositories as owner/* entries, or set reconcile_interval: 0 to poll instead of searching", queries, SearchPerMinute)
		return
	}
	ri := time.Duration(c.RefreshInterval)
	refreshes := int(math.Ceil(float64(time.Minute) / float64(ri)))
	if ri > 0 && refreshes > perMinute {
		least := time.Duration(math.Ceil(float64(time.Minute)/float64(perMinute)/float64(time.Second))) * time.Second
		errs.add("refresh_interval", "%s is too short for GitHub's Search API: %d search queries a refresh, %d refreshes a minute, and %d of its %d requests a minute to spend; "+
			"at least %s is needed (or set github.reconcile_interval: 0 to poll every repository instead)", ri, queries, refreshes, usable, SearchPerMinute, least)
	}
}
