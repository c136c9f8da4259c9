package github

import (
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

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
	addAll(st.Submitted, func(Action) string { return model.ActionReviewed })
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
