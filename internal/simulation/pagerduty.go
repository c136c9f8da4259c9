package simulation

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PagerDutyMaxOffset is PagerDuty's cap on offset+limit.
const PagerDutyMaxOffset = 10000

func pagerdutyError(w http.ResponseWriter, status, code int, msg string, details ...string) {
	e := map[string]any{"message": msg, "code": code}
	if len(details) > 0 {
		e["errors"] = details
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func (s *Server) servePagerDuty(w http.ResponseWriter, r *http.Request, p string, now time.Time) {
	if r.Method != http.MethodGet {
		pagerdutyError(w, http.StatusNotFound, 2100, "Not Found")
		return
	}
	if r.Header.Get("Authorization") != "Token token="+s.PagerDutyToken {
		pagerdutyError(w, http.StatusUnauthorized, 2006, "Unauthorized")
		return
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "incidents":
		s.listIncidents(w, r)
	case len(parts) == 2 && parts[0] == "incidents":
		s.getIncident(w, r, parts[1])
	case len(parts) == 1 && parts[0] == "log_entries":
		s.listLogEntries(w, r)
	case len(parts) == 1 && parts[0] == "users":
		s.listUsers(w, r)
	default:
		pagerdutyError(w, http.StatusNotFound, 2100, "Not Found")
	}
}

// pdPage applies offset/limit, enforcing PagerDuty's 10,000 cap. It returns
// false after writing the 400 that PagerDuty answers beyond the cap.
func (s *Server) pdPage(w http.ResponseWriter, r *http.Request, n int) (lo, hi int, body map[string]any, ok bool) {
	limit := intParam(r, "limit", 25, 100)
	offset := intParam(r, "offset", 0, 0)
	maxOffset := PagerDutyMaxOffset
	if s.faultKind() == FaultOffsetCap {
		maxOffset = s.cur.Cap
	}
	if offset+limit > maxOffset {
		pagerdutyError(w, http.StatusBadRequest, 2002, "Arguments Caused Error",
			"Offset+limit exceeds maximum allowed value of 10000. Please try to refine your search to reduce the returned set of records below this number, like adding a date range.")
		return 0, 0, nil, false
	}
	lo = min(offset, n)
	hi = min(offset+limit, n)
	body = map[string]any{"limit": limit, "offset": offset, "more": hi < n, "total": nil}
	if r.URL.Query().Get("total") == "true" {
		body["total"] = n
	}
	return lo, hi, body, true
}

// pdIndex holds the PagerDuty data sorted, so that a page costs a binary
// search instead of a scan of everything.
type pdIndex struct {
	logsDesc     []*LogEntry // newest first
	incByCreated []*Incident // oldest first
	incByID      map[string]*Incident
}

func (s *Server) pdIndex() *pdIndex {
	if s.index != nil {
		return s.index
	}
	pd := &s.ds.PagerDuty
	ix := &pdIndex{incByID: make(map[string]*Incident, len(pd.Incidents))}
	ix.logsDesc = append([]*LogEntry(nil), pd.LogEntries...)
	sort.SliceStable(ix.logsDesc, func(i, j int) bool { return ix.logsDesc[i].CreatedAt.After(ix.logsDesc[j].CreatedAt) })
	ix.incByCreated = append([]*Incident(nil), pd.Incidents...)
	sort.SliceStable(ix.incByCreated, func(i, j int) bool { return ix.incByCreated[i].CreatedAt.Before(ix.incByCreated[j].CreatedAt) })
	for _, in := range pd.Incidents {
		ix.incByID[in.ID] = in
	}
	s.index = ix
	return ix
}

func pdRef(r *http.Request, typ string, ref PDRef) map[string]any {
	if ref.ID == "" {
		return nil
	}
	plural := typ + "s"
	if typ == "escalation_policy" {
		plural = "escalation_policies"
	}
	return map[string]any{
		"id":       ref.ID,
		"type":     typ + "_reference",
		"summary":  ref.Name,
		"self":     baseURL(r) + PagerDutyPrefix + "/" + plural + "/" + ref.ID,
		"html_url": "https://acme.pagerduty.com/" + plural + "/" + ref.ID,
	}
}

func (s *Server) incidentJSON(r *http.Request, in *Incident) map[string]any {
	pd := &s.ds.PagerDuty
	teams := make([]map[string]any, 0, len(in.TeamIDs))
	for _, t := range in.TeamIDs {
		teams = append(teams, pdRef(r, "team", pd.team(t)))
	}
	// An empty list, not null, when nobody is assigned
	// (PagerDuty/api-schema: components/schemas/Incident, assignments).
	assignments := []map[string]any{}
	if in.ResolvedAt.IsZero() {
		for _, a := range in.Assignees {
			u, _ := pd.user(a)
			assignments = append(assignments, map[string]any{
				"at":       ts(in.CreatedAt),
				"assignee": pdRef(r, "user", PDRef{ID: a, Name: u.Name}),
			})
		}
	}
	return map[string]any{
		"id":                    in.ID,
		"type":                  "incident",
		"summary":               "[#" + strconv.Itoa(in.Number) + "] " + in.Title,
		"self":                  baseURL(r) + PagerDutyPrefix + "/incidents/" + in.ID,
		"html_url":              "https://acme.pagerduty.com/incidents/" + in.ID,
		"incident_number":       in.Number,
		"title":                 in.Title,
		"created_at":            ts(in.CreatedAt),
		"updated_at":            ts(lastOf(in.CreatedAt, in.AcknowledgedAt, in.ResolvedAt)),
		"status":                in.Status(),
		"urgency":               in.Urgency,
		"incident_key":          "sim-" + in.ID,
		"service":               pdRef(r, "service", pd.service(in.ServiceID)),
		"escalation_policy":     pdRef(r, "escalation_policy", pd.policy(in.EscalationPolicyID)),
		"teams":                 teams,
		"assignments":           assignments,
		"resolved_at":           ts(in.ResolvedAt),
		"last_status_change_at": ts(lastOf(in.CreatedAt, in.AcknowledgedAt, in.ResolvedAt)),
	}
}

func lastOf(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, hasSince := timeParam(r, "since")
	until, hasUntil := timeParam(r, "until")
	// "Maximum range is 6 months and default is 1 month"
	// (PagerDuty/api-schema: components/parameters/since_incidents and
	// until_incidents); without both ends, the month begins at since or
	// ends at until, or now (PagerDuty staff in PagerDuty/pdpyras#46).
	// date_range=all ignores both ends and the defaults.
	if q.Get("date_range") != "all" {
		switch {
		case !hasSince && !hasUntil:
			until, since = s.now(), s.now().AddDate(0, -1, 0)
		case !hasUntil:
			until = since.AddDate(0, 1, 0)
		case !hasSince:
			since = until.AddDate(0, -1, 0)
		}
		hasSince, hasUntil = true, true
		if until.After(since.AddDate(0, 6, 0)) {
			// The body a range of two years got (xginn8/grafana-pagerduty#19).
			// Which of the codes 2001, 2004 ("Invalid time values") and
			// 2005 ("Invalid Query Date Range") a too-long range gets is
			// not recorded; this is the one observed.
			pagerdutyError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", " is invalid.")
			return
		}
	} else {
		hasSince, hasUntil = false, false
	}
	statuses := q["statuses[]"]
	services := q["service_ids[]"]
	teams := q["team_ids[]"]
	all := s.pdIndex().incByCreated
	lo, hi := 0, len(all)
	if hasSince {
		lo = sort.Search(len(all), func(i int) bool { return !all[i].CreatedAt.Before(since) })
	}
	if hasUntil {
		hi = sort.Search(len(all), func(i int) bool { return !all[i].CreatedAt.Before(until) })
	}
	var sel []*Incident
	for _, in := range all[lo:max(lo, hi)] {
		if len(statuses) > 0 && !slices.Contains(statuses, in.Status()) {
			continue
		}
		if len(services) > 0 && !slices.Contains(services, in.ServiceID) {
			continue
		}
		if len(teams) > 0 && !slices.ContainsFunc(in.TeamIDs, func(t string) bool { return slices.Contains(teams, t) }) {
			continue
		}
		sel = append(sel, in)
	}
	lo, hi, body, ok := s.pdPage(w, r, len(sel))
	if !ok {
		return
	}
	out := make([]map[string]any, 0, hi-lo)
	for _, in := range sel[lo:hi] {
		out = append(out, s.incidentJSON(r, in))
	}
	body["incidents"] = out
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request, id string) {
	if in := s.pdIndex().incByID[id]; in != nil {
		writeJSON(w, http.StatusOK, map[string]any{"incident": s.incidentJSON(r, in)})
		return
	}
	pagerdutyError(w, http.StatusNotFound, 2100, "Not Found")
}

func (s *Server) listLogEntries(w http.ResponseWriter, r *http.Request) {
	since, hasSince := timeParam(r, "since")
	until, hasUntil := timeParam(r, "until")
	// Newest first: entries before until start at a, entries at or after
	// since end at b.
	all := s.pdIndex().logsDesc
	a, b := 0, len(all)
	if hasUntil {
		a = sort.Search(len(all), func(i int) bool { return all[i].CreatedAt.Before(until) })
	}
	if hasSince {
		b = sort.Search(len(all), func(i int) bool { return all[i].CreatedAt.Before(since) })
	}
	sel := all[a:max(a, b)]
	lo, hi, body, ok := s.pdPage(w, r, len(sel))
	if !ok {
		return
	}
	pd := &s.ds.PagerDuty
	incidents := s.pdIndex().incByID
	out := make([]map[string]any, 0, hi-lo)
	for _, le := range sel[lo:hi] {
		in := incidents[le.IncidentID]
		m := map[string]any{
			"id":         le.ID,
			"type":       le.Type,
			"summary":    strings.ReplaceAll(strings.TrimSuffix(le.Type, "_log_entry"), "_", " "),
			"self":       baseURL(r) + PagerDutyPrefix + "/log_entries/" + le.ID,
			"html_url":   nil,
			"created_at": ts(le.CreatedAt),
			"incident": map[string]any{
				"id":       le.IncidentID,
				"type":     "incident_reference",
				"self":     baseURL(r) + PagerDutyPrefix + "/incidents/" + le.IncidentID,
				"html_url": "https://acme.pagerduty.com/incidents/" + le.IncidentID,
			},
		}
		if le.AgentID != "" {
			m["agent"] = map[string]any{"id": le.AgentID, "type": le.AgentType}
		}
		ch := map[string]any{"type": le.ChannelType}
		if le.NotificationType != "" {
			ch["notification"] = map[string]any{"type": le.NotificationType, "status": "success"}
		}
		m["channel"] = ch
		if le.UserID != "" {
			u, _ := pd.user(le.UserID)
			m["user"] = pdRef(r, "user", PDRef{ID: u.ID, Name: u.Name})
		}
		if in != nil {
			m["service"] = pdRef(r, "service", pd.service(in.ServiceID))
		}
		out = append(out, m)
	}
	body["log_entries"] = out
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	query := strings.ToLower(r.URL.Query().Get("query"))
	var sel []PDUser
	for _, u := range s.ds.PagerDuty.Users {
		if query == "" || strings.Contains(strings.ToLower(u.Name), query) || strings.Contains(strings.ToLower(u.Email), query) {
			sel = append(sel, u)
		}
	}
	lo, hi, body, ok := s.pdPage(w, r, len(sel))
	if !ok {
		return
	}
	out := make([]map[string]any, 0, hi-lo)
	for _, u := range sel[lo:hi] {
		out = append(out, map[string]any{
			"id": u.ID, "type": "user", "name": u.Name, "email": u.Email, "summary": u.Name,
			"self":     baseURL(r) + PagerDutyPrefix + "/users/" + u.ID,
			"html_url": "https://acme.pagerduty.com/users/" + u.ID,
		})
	}
	body["users"] = out
	writeJSON(w, http.StatusOK, body)
}
