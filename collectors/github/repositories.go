package github

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
)

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
