package github

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

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

// syncRepo brings one repository's state up to date. The first sync reads
// every open item and everything updated within the window; later ones ask
// only for what changed since their cursor, and a cursor moves only when
// new data arrived, so that an unchanged query keeps its URL and its ETag.
//
// Reviews are asked for the pull requests that changed (after the first
// sync) or that plan names (at the first sync); see reviews.go.
func (s *Source) syncRepo(ctx context.Context, st *RepoState, w collectors.Window, plan reviewPlan) error {
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
	var mu sync.Mutex // guards st's maps and changedPulls across the steps below
	synced := st.Synced
	changedPulls := map[int]bool{} // pull requests new or changed since the last refresh
	mergeIssue := func(is *github.Issue) bool {
		it := issueItem(st.Full, is)
		it.Author = s.intern(it.Author)
		for i, a := range it.Item.Assignees {
			it.Item.Assignees[i] = s.intern(a)
		}
		mu.Lock()
		defer mu.Unlock()
		old := st.Items[is.GetNumber()]
		st.Items[is.GetNumber()] = it
		changed := old == nil || old.Item.UpdatedAt != it.Item.UpdatedAt || old.Item.Open != it.Item.Open
		if changed && synced && it.Item.Kind == model.KindPullRequest {
			changedPulls[is.GetNumber()] = true
		}
		return changed
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
	if len(s.reviewers) > 0 {
		if err := s.syncReviews(ctx, st, plan.pulls(st, synced, changedPulls, w)); err != nil {
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
