package github

import (
	"maps"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

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
	// ReviewedBy are the logins (lower case, sorted) whose reviewed pull
	// requests a search has found in every synced repository; a login
	// added to the config later is searched for once.
	ReviewedBy []string `json:"reviewed_by"`
}

// RepoState is one repository's tracked items and the actions on them
// within the window, with the cursors of the incremental sync.
type RepoState struct {
	Full     string           `json:"full"`
	Synced   bool             `json:"synced"`
	Items    map[int]*Item    `json:"items"`
	Comments map[int64]Action `json:"comments"`
	Reviews  map[int64]Action `json:"reviews"` // review comments
	// Submitted are the submitted pull request reviews that count
	// (approved, changes requested, commented), by review ID.
	Submitted map[int64]Action `json:"submitted"`
	Events    map[int64]Action `json:"events"`
	// From is the start of the window the repository's data is whole
	// from: the window of its last sync. A window that starts earlier (a
	// longer window after a reload, or a backfill) syncs it afresh.
	From          time.Time `json:"from"`
	IssuesSince   time.Time `json:"issues_since"`
	CommentsSince time.Time `json:"comments_since"`
	ReviewsSince  time.Time `json:"reviews_since"`
	NewestEventID int64     `json:"newest_event_id"`
	NewestEventAt time.Time `json:"newest_event_at"`
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

func newRepoState(full string) *RepoState {
	return &RepoState{Full: full, Items: map[int]*Item{}, Comments: map[int64]Action{},
		Reviews: map[int64]Action{}, Submitted: map[int64]Action{}, Events: map[int64]Action{}}
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
	c.Submitted = maps.Clone(st.Submitted)
	return &c
}

// OwnerPage is one page of an owner's repository listing.
type OwnerPage struct {
	URL   string   `json:"url"` // as asked for
	Names []string `json:"names"`
	Next  string   `json:"next"` // the next link GitHub gave, "" for the last page
	User  bool     `json:"user"` // listed as a user, not an organisation
}

// prune drops what has left the window: closed items not updated within
// it, and actions before it. Memory stays bounded by the window.
func (st *RepoState) prune(w collectors.Window) {
	st.From = w.Start
	start := w.Start.Unix()
	for n, it := range st.Items {
		if !it.Item.Open && it.Item.UpdatedAt < start {
			delete(st.Items, n)
		}
	}
	for _, m := range []map[int64]Action{st.Comments, st.Reviews, st.Submitted, st.Events} {
		for id, a := range m {
			if a.At < start {
				delete(m, id)
			}
		}
	}
}
