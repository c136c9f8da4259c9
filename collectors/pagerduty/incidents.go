package pagerduty

import (
	"cmp"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

func pdTime(s string) int64 {
	if s == "" {
		return 0
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0
	}
	return t.Unix()
}

func formatPD(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Source) record(in *pagerduty.Incident) incidentRec {
	if !s.inScope(in) {
		return incidentRec{id: in.ID}
	}
	it := &model.Item{
		Source:           model.SourcePagerDuty,
		Kind:             model.KindIncident,
		Key:              in.ID,
		Title:            in.Title,
		URL:              in.HTMLURL,
		Open:             in.Status == "triggered" || in.Status == "acknowledged",
		CreatedAt:        pdTime(in.CreatedAt),
		UpdatedAt:        pdTime(in.UpdatedAt),
		Service:          model.Ref{ID: in.Service.ID, Name: in.Service.Summary},
		EscalationPolicy: model.Ref{ID: in.EscalationPolicy.ID, Name: in.EscalationPolicy.Summary},
		Urgency:          in.Urgency,
	}
	if !it.Open {
		// resolved_at, else the last status change; the resolve log
		// entry, when seen, takes precedence in snapshot().
		it.ClosedAt = pdTime(in.ResolvedAt)
		if it.ClosedAt == 0 {
			it.ClosedAt = pdTime(in.LastStatusChangeAt)
		}
	}
	if in.Priority != nil {
		// A reference carries id and summary; name only on the full
		// object (PagerDuty/api-schema openapiv3.json
		// #/components/schemas/Priority).
		it.Priority = model.Ref{ID: in.Priority.ID, Name: cmp.Or(in.Priority.Name, in.Priority.Summary)}
	}
	if in.ResolveReason.Type == "merge_resolve_reason" {
		// Resolved by a merge into resolve_reason.incident
		// (#/components/schemas/ResolveReason); "merged" stands in when
		// the reference has no ID, so that the merge is still seen.
		it.MergedInto = cmp.Or(in.ResolveReason.Incident.ID, "merged")
	}
	for _, t := range in.Teams {
		it.Teams = append(it.Teams, model.Ref{ID: t.ID, Name: t.Summary})
	}
	if it.Open {
		for _, a := range in.Assignments {
			it.Assignees = append(it.Assignees, a.Assignee.ID)
		}
	}
	return incidentRec{id: in.ID, item: it, inScope: true}
}

func (s *Source) records(list []pagerduty.Incident) []incidentRec {
	out := make([]incidentRec, len(list))
	for i := range list {
		out[i] = s.record(&list[i])
	}
	return out
}

func logEntry(e *pagerduty.LogEntry) LogEntry {
	le := LogEntry{Incident: e.Incident.ID, Type: e.Type, At: pdTime(e.CreatedAt)}
	if isUserAgent(e.Agent) {
		le.Agent = e.Agent.ID
	}
	if e.Type == "notify_log_entry" {
		le.User = e.User.ID
		le.Email = IsEmailMedium(notificationMedium(e.Channel))
	}
	return le
}

// snapshot turns the state into items and activities.
func (st *State) snapshot(w collectors.Window) *model.Snapshot {
	snap := &model.Snapshot{Source: model.SourcePagerDuty, End: w.End.Unix(), Emails: maps.Clone(st.Emails),
		Items: make([]model.Item, 0, len(st.Incidents)), Activities: make([]model.Activity, 0, len(st.Entries)),
		OnCalls: st.onCallSnapshot()}
	ids := make([]string, 0, len(st.Incidents))
	for id := range st.Incidents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := make(map[string]int32, len(ids))
	for _, id := range ids {
		it := *st.Incidents[id]
		it.FirstAcknowledgedAt, it.ResolveLoggedAt = 0, 0
		index[id] = int32(len(snap.Items))
		snap.Items = append(snap.Items, it)
	}
	entryIDs := make([]string, 0, len(st.Entries))
	for id := range st.Entries {
		entryIDs = append(entryIDs, id)
	}
	// Oldest first, so that "first acknowledgement" is the earliest.
	sort.Slice(entryIDs, func(a, b int) bool {
		ea, eb := st.Entries[entryIDs[a]], st.Entries[entryIDs[b]]
		if ea.At != eb.At {
			return ea.At < eb.At
		}
		return entryIDs[a] < entryIDs[b]
	})
	for _, eid := range entryIDs {
		e := st.Entries[eid]
		i, ok := index[e.Incident]
		if !ok {
			continue // outside the services and teams scope
		}
		it := &snap.Items[i]
		var actor, action string
		switch e.Type {
		case "acknowledge_log_entry", "acknowledgement_log_entry":
			if it.FirstAcknowledgedAt == 0 {
				it.FirstAcknowledgedAt = e.At
			}
			actor, action = e.Agent, model.ActionAcknowledged
		case "resolve_log_entry":
			it.ResolveLoggedAt = e.At
			if !it.Open {
				it.ClosedAt = e.At
			}
			actor, action = e.Agent, model.ActionResolved
		case "annotate_log_entry":
			actor, action = e.Agent, model.ActionAnnotated
		case "notify_log_entry":
			if !e.Email {
				actor, action = e.User, model.ActionNotified
			}
		}
		if actor == "" || !w.Contains(e.At) {
			continue
		}
		snap.Activities = append(snap.Activities, model.Activity{Item: i, Actor: actor, Action: action, At: e.At})
	}
	return snap
}

// inScope applies the services and teams filters, by ID or by name.
func (s *Source) inScope(in *pagerduty.Incident) bool {
	if len(s.cfg.Services) > 0 && !matchRef(s.cfg.Services, in.Service) {
		return false
	}
	if len(s.cfg.Teams) > 0 && !matchRef(s.cfg.Teams, in.Teams...) {
		return false
	}
	return true
}

func matchRef(want []string, have ...pagerduty.APIObject) bool {
	for _, h := range have {
		for _, w := range want {
			if (h.ID != "" && strings.EqualFold(w, h.ID)) || (h.Summary != "" && strings.EqualFold(w, h.Summary)) {
				return true
			}
		}
	}
	return false
}

func isUserAgent(a pagerduty.Agent) bool {
	return a.ID != "" && (a.Type == "user_reference" || a.Type == "user")
}

// notificationMedium is channel.notification.type when present, otherwise
// channel.type.
func notificationMedium(c pagerduty.Channel) string {
	if n, ok := c.Raw["notification"].(map[string]any); ok {
		if t, ok := n["type"].(string); ok && t != "" {
			return t
		}
	}
	return c.Type
}

// IsEmailMedium reports whether a notification medium is e-mail.
func IsEmailMedium(m string) bool {
	return m == "email" || m == "email_notification"
}
