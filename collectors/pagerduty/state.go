package pagerduty

import (
	"maps"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// State is everything a PagerDuty source keeps between
// refreshes; the state file persists it.
type State struct {
	Synced bool `json:"synced"`
	// From is the start of the window the state is whole from: the
	// window of the last refresh. A window that starts earlier (a longer
	// window after a reload, or a backfill) syncs afresh.
	From time.Time `json:"from"`
	// Incidents are the tracked incidents in scope, by ID.
	Incidents map[string]*model.Item `json:"incidents"`
	// Ignored are incidents outside the services and teams scope.
	Ignored map[string]bool `json:"ignored"`
	// Entries are the log entries within the window, by ID.
	Entries  map[string]LogEntry `json:"entries"`
	LogSince time.Time           `json:"log_since"`
	// Emails are people's e-mail addresses resolved to user IDs, for the
	// list of addresses in EmailsKey, at EmailsAt. They are never saved
	// (issue 17: the state file holds no e-mail address): a restored
	// state resolves the addresses again at its first refresh, one users
	// request per address.
	Emails    map[string]string `json:"-"`
	EmailsKey string            `json:"-"`
	EmailsAt  time.Time         `json:"-"`
	// OnCalls are the people's on-call entries that overlap the window,
	// by oncallKey, listed for the user IDs in OnCallUsersKey; the next
	// listing starts at OnCallSince.
	OnCalls        map[string]model.OnCall `json:"oncalls"`
	OnCallUsersKey string                  `json:"oncall_users_key"`
	OnCallSince    time.Time               `json:"oncall_since"`
}

// LogEntry is what the exporter keeps of a PagerDuty log entry.
type LogEntry struct {
	Incident string `json:"incident"`
	Type     string `json:"type"`
	At       int64  `json:"at"`
	// Agent is the user who acted, "" when the agent is not a user.
	Agent string `json:"agent,omitempty"`
	// User is the notified user of a notify_log_entry; Email is true when
	// the notification went by e-mail.
	User  string `json:"user,omitempty"`
	Email bool   `json:"email,omitempty"`
}

func newState() *State {
	return &State{Incidents: map[string]*model.Item{}, Ignored: map[string]bool{}, Entries: map[string]LogEntry{}, Emails: map[string]string{},
		OnCalls: map[string]model.OnCall{}}
}

func (st *State) clone() *State {
	c := *st
	c.Incidents = make(map[string]*model.Item, len(st.Incidents))
	for id, it := range st.Incidents {
		cp := *it
		c.Incidents[id] = &cp
	}
	c.Ignored, c.Entries, c.Emails = maps.Clone(st.Ignored), maps.Clone(st.Entries), maps.Clone(st.Emails)
	c.OnCalls = maps.Clone(st.OnCalls)
	return &c
}

// incidentRec is what the exporter keeps of a listed incident: decoded
// pages are turned into these at once, so that a long listing does not
// hold the client library's large structs.
type incidentRec struct {
	id      string
	item    *model.Item
	inScope bool
}

// entryRec is a log entry and its ID.
type entryRec struct {
	id    string
	entry LogEntry
}

// keep records an incident in the state, or remembers that it is out of
// scope.
func (s *Source) keep(st *State, in *pagerduty.Incident) {
	st.keepRec(s.record(in))
}

func (st *State) keepRec(r incidentRec) {
	if !r.inScope {
		st.Ignored[r.id] = true
		delete(st.Incidents, r.id)
		return
	}
	st.Incidents[r.id] = r.item
}

// prune drops log entries before the window, and incidents that are
// neither open, nor created within it, nor named by a log entry within it.
func (st *State) prune(w collectors.Window) {
	st.From = w.Start
	start := w.Start.Unix()
	named := map[string]bool{}
	for id, e := range st.Entries {
		if e.At < start {
			delete(st.Entries, id)
			continue
		}
		named[e.Incident] = true
	}
	for id, it := range st.Incidents {
		if !it.Open && it.CreatedAt < start && !named[id] {
			delete(st.Incidents, id)
		}
	}
	for id := range st.Ignored {
		if !named[id] {
			delete(st.Ignored, id)
		}
	}
	for k, e := range st.OnCalls {
		if e.End != 0 && e.End < start {
			delete(st.OnCalls, k)
		}
	}
}
