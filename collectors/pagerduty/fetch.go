package pagerduty

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// emailRefresh is how often e-mail addresses are resolved again.
const emailRefresh = 24 * time.Hour

// Fetch brings the incidents and log entries of the window up to date. The
// first sync lists every incident created within the window; later ones
// read the open incidents and the log entries since the last refresh, and
// fetch by ID the incidents those entries name that are not known yet.
func (s *Source) Fetch(ctx context.Context, w collectors.Window) (*model.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state.clone()
	if st.Synced && !st.From.IsZero() && w.Start.Before(st.From) {
		// The window reaches further back than the data: its cursors
		// only look forward, so the first sync again (the addresses
		// stay resolved).
		fresh := newState()
		fresh.Emails, fresh.EmailsKey, fresh.EmailsAt = st.Emails, st.EmailsKey, st.EmailsAt
		st = fresh
	}
	addrs := *s.emails.Load()
	if key := strings.Join(addrs, ","); st.EmailsKey != key || w.End.Sub(st.EmailsAt) > emailRefresh {
		emails, err := s.resolveEmails(ctx, addrs)
		if err != nil {
			return nil, err
		}
		st.Emails, st.EmailsKey, st.EmailsAt = emails, key, w.End
	}
	// PagerDuty's until is exclusive; the window includes its end.
	until := w.End.Add(time.Second)
	since := st.LogSince
	if !st.Synced || since.Before(w.Start) {
		since = w.Start
	}

	var (
		mu      sync.Mutex
		listed  []incidentRec
		open    []incidentRec
		entries []entryRec
		oncalls map[string]model.OnCall
	)
	users := onCallUsers(*s.userIDs.Load(), st.Emails)
	usersKey := strings.Join(users, ",")
	oncallSince := st.onCallSince(usersKey, w)
	steps := []func(context.Context) error{
		func(ctx context.Context) error { // every open incident, whatever its age
			list, err := s.openIncidents(ctx)
			mu.Lock()
			open = list
			mu.Unlock()
			return err
		},
		func(ctx context.Context) error {
			list, err := s.logEntries(ctx, since, until)
			mu.Lock()
			entries = list
			mu.Unlock()
			return err
		},
	}
	if len(users) > 0 {
		steps = append(steps, func(ctx context.Context) error {
			list, err := s.onCalls(ctx, users, oncallSince, w.End)
			mu.Lock()
			oncalls = list
			mu.Unlock()
			return err
		})
	}
	if !st.Synced {
		steps = append(steps, func(ctx context.Context) error { // created within the window
			list, err := s.incidentsCreated(ctx, w.Start, until)
			mu.Lock()
			listed = list
			mu.Unlock()
			return err
		})
	}
	if err := collectors.ForEach(ctx, len(steps), steps, func(ctx context.Context, f func(context.Context) error) error { return f(ctx) }); err != nil {
		return nil, err
	}

	openNow := map[string]bool{}
	for _, in := range open {
		openNow[in.id] = true
	}
	for _, in := range append(listed, open...) {
		st.keepRec(in)
	}
	for _, e := range entries {
		st.Entries[e.id] = e.entry
	}
	// Incidents to fetch by ID: those a log entry names that are not
	// known, and known open ones that are no longer open.
	var fetch []string
	seen := map[string]bool{}
	want := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			fetch = append(fetch, id)
		}
	}
	for _, e := range entries {
		if _, known := st.Incidents[e.entry.Incident]; !known && !st.Ignored[e.entry.Incident] {
			want(e.entry.Incident)
		}
	}
	for id, it := range st.Incidents {
		if it.Open && !openNow[id] {
			want(id)
		}
	}
	sort.Strings(fetch)
	err := collectors.ForEach(ctx, len(fetch), fetch, func(ctx context.Context, id string) error {
		in, err := apiclient.KeepCause(ctx, func(ctx context.Context) (*pagerduty.Incident, error) {
			return s.client.GetIncidentWithContext(ctx, id)
		})
		if notFound(err) {
			// Deleted, with its service, or out of the token's reach now:
			// drop it, and do not ask again while log entries name it.
			mu.Lock()
			defer mu.Unlock()
			delete(st.Incidents, id)
			st.Ignored[id] = true
			return nil
		}
		if err != nil {
			return s.wrap(err, "/incidents/"+id)
		}
		mu.Lock()
		defer mu.Unlock()
		s.keep(st, in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if st.OnCallUsersKey != usersKey {
		clear(st.OnCalls) // another team's: none of it stays
	}
	st.mergeOnCalls(oncalls, oncallSince)
	st.OnCallUsersKey, st.OnCallSince = usersKey, w.End.Add(-collectors.SyncOverlap)
	st.Synced, st.LogSince = true, w.End.Add(-collectors.SyncOverlap)
	st.prune(w)
	s.state = st
	return st.snapshot(w), nil
}
