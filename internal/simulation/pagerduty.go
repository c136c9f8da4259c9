package simulation

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PagerDutyMaxOffset is PagerDuty's cap on offset+limit: "the sum of the
// offset and limit parameters cannot exceed 10000, or the REST API will
// respond with status 400" (PagerDuty/developer-docs
// docs/REST-API/09-Pagination.md).
const PagerDutyMaxOffset = 10000

// pagerdutyError is PagerDuty's error body, {"error": {"message", "code",
// "errors"}} (PagerDuty/api-schema reference/REST/openapiv3.json
// #/components/responses/Conflict/content/application~1json/schema;
// PagerDuty/developer-docs docs/REST-API/14-Errors.md).
func pagerdutyError(w http.ResponseWriter, status, code int, msg string, details ...string) {
	e := map[string]any{"message": msg, "code": code}
	if len(details) > 0 {
		e["errors"] = details
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// servePagerDuty serves GET /incidents, /incidents/{id}, /log_entries,
// /users and /oncalls (PagerDuty/api-schema reference/REST/openapiv3.json
// #/paths/~1incidents, ~1incidents~1{id}, ~1log_entries, ~1users,
// ~1oncalls). Assumption: the Accept header
// application/vnd.pagerduty+json;version=2, required by the schema
// (#/components/parameters/header_Accept), may be absent. Differs: answers
// carry no ratelimit-* headers, which real sends
// (PagerDuty/developer-docs docs/REST-API/04-Rate-Limits.md).
func (s *Server) servePagerDuty(w http.ResponseWriter, r *http.Request, p string, now time.Time) {
	// Assumption: any other method is 404, as an unknown path is.
	if r.Method != http.MethodGet {
		pagerdutyError(w, http.StatusNotFound, 2100, "Not Found")
		return
	}
	// "Authorization: Token token=y_NbAkKc66ryYTWUXYEu"; "this format must
	// be followed precisely or you will receive a 401 Unauthorized"
	// (PagerDuty/developer-docs docs/REST-API/02-Authentication.md;
	// openapiv3.json #/components/securitySchemes/api_key; a plain "Token
	// X" failed with 401 in apache/devlake#6112). Code 2006 "Authentication
	// failed" (docs/REST-API/14-Errors.md).
	if r.Header.Get("Authorization") != "Token token="+s.PagerDutyToken {
		pagerdutyError(w, http.StatusUnauthorized, 2006, "Authentication Failed")
		return
	}
	// An unknown path or incident is 404 {"message": "Not Found", "code":
	// 2100} (openapiv3.json
	// #/components/responses/Conflict/content/application~1json/schema/properties/error/example).
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
	case len(parts) == 1 && parts[0] == "oncalls":
		s.listOnCalls(w, r)
	default:
		pagerdutyError(w, http.StatusNotFound, 2100, "Not Found")
	}
}

// pdPage applies offset/limit, enforcing PagerDuty's 10,000 cap. It returns
// false after writing the 400 that PagerDuty answers beyond the cap.
//
// limit defaults to 25 and "cannot exceed 100"; the answer echoes limit and
// offset, more says whether records remain past this page, and total is
// null unless total=true (PagerDuty/developer-docs
// docs/REST-API/09-Pagination.md; openapiv3.json #/components/schemas/Pagination,
// #/components/parameters/offset_total; PagerDuty/api-schema#252). more is
// true even when the next page would pass the cap (PagerDuty/pd-live-react#163).
// The 400 beyond the cap is the recorded one, exactly (apache/devlake#5107,
// cloudquery/cloudquery#12750, faros-ai/airbyte-connectors#991); offset
// 9900 with limit 100 is still served (pdpyras stops at limit+offset=10100).
// The simulation never sends real's other form, 2001 "Offset must be less
// than 10001." (faros-ai/airbyte-connectors#991).
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
	oncalls      oncallIndex
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
	ix.oncalls = newOncallIndex(pd.OnCalls)
	s.index = ix
	return ix
}

// pdRef is a reference object {id, type "<x>_reference", summary, self,
// html_url} (openapiv3.json /incidents 200 example: "service_reference",
// "escalation_policy_reference", "team_reference"). Differs: a service's
// real html_url is https://<sub>.pagerduty.com/service-directory/ID, not
// /services/ID. The subdomain acme is a data choice.
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

// incidentJSON is an incident with the fields of openapiv3.json
// #/components/schemas/Incident/allOf/1/properties that the exporter reads:
// type "incident", summary "[#N] title" (the /incidents 200 example: "[#1234]
// The server is on fire."), status triggered|acknowledged|resolved and
// urgency high|low (…/status/enum, …/urgency/enum). last_status_change_at
// is "The time the status of the incident last changed" (ibid.).
// Assumption: updated_at is the last status change; an assignment's at is
// the incident's creation (#/components/schemas/Assignment requires at and
// assignee); incident_key is a data choice.
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
	// priority is a reference {id, type "priority_reference", summary
	// "P2", self .../priorities/ID} (openapiv3.json
	// #/components/schemas/Incident/allOf/1/properties/priority, whose
	// #/components/schemas/Priority adds name and description; the shape
	// served is that of the /incidents 200 example,
	// #/paths/~1incidents/get/responses/200/content/application~1json/examples/response/value/incidents/0/priority).
	// Assumption: null when the incident has no priority (the schema does
	// not say; priorities are optional per account).
	var priority any
	if p := pd.priority(in.PriorityID); p.ID != "" {
		priority = map[string]any{
			"id":      p.ID,
			"type":    "priority_reference",
			"summary": p.Name,
			"self":    baseURL(r) + PagerDutyPrefix + "/priorities/" + p.ID,
		}
	}
	// resolve_reason is {type "merge_resolve_reason", incident: the
	// incident it was merged into}: "The only reason currently supported
	// is merge" (#/components/schemas/ResolveReason). A merge resolves the
	// source incidents (#/paths/~1incidents~1{id}~1merge/put/description:
	// "the source incidents will be resolved"), "with the reason for the
	// resolution listed as \"merged\". These incidents will reference the
	// target incident" (https://support.pagerduty.com/docs/editing-incidents).
	// Otherwise null, as in the /incidents 200 example
	// (…/examples/response/value/incidents/0/resolve_reason).
	var resolveReason any
	if in.MergedInto != "" && !in.ResolvedAt.IsZero() {
		resolveReason = map[string]any{
			"type": "merge_resolve_reason",
			"incident": map[string]any{
				"id":       in.MergedInto,
				"type":     "incident_reference",
				"self":     baseURL(r) + PagerDutyPrefix + "/incidents/" + in.MergedInto,
				"html_url": "https://acme.pagerduty.com/incidents/" + in.MergedInto,
			},
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
		"priority":              priority,
		"resolve_reason":        resolveReason,
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
	// Repeatable filters: statuses[], service_ids[], team_ids[]
	// (openapiv3.json #/components/parameters/statuses_incidents, "pass
	// statuses[] more than once", incident_services, team_ids).
	// Assumption: since is inclusive and until exclusive, on created_at.
	// Assumption: the order is created_at ascending; sort_by, which the
	// schema documents (#/components/parameters/sort_by_incidents), is
	// ignored.
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
	// Pagination plus incidents (openapiv3.json
	// #/paths/~1incidents/get/responses/200/content/application~1json/schema).
	body["incidents"] = out
	writeJSON(w, http.StatusOK, body)
}

// getIncident is GET /incidents/{id}, answering {"incident": ...}.
// Differs: real "Accepts either an incident id, or an incident number"
// (openapiv3.json #/paths/~1incidents~1{id}/get/description); here only
// the ID.
func (s *Server) getIncident(w http.ResponseWriter, r *http.Request, id string) {
	if in := s.pdIndex().incByID[id]; in != nil {
		writeJSON(w, http.StatusOK, map[string]any{"incident": s.incidentJSON(r, in)})
		return
	}
	pagerdutyError(w, http.StatusNotFound, 2100, "Not Found")
}

func (s *Server) listLogEntries(w http.ResponseWriter, r *http.Request) {
	// since and until filter (openapiv3.json #/components/parameters/since,
	// until). Assumption: no default window, since inclusive, until
	// exclusive. Assumption: newest first (no evidence found).
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
	// A log entry: id, type (#/components/schemas/LogEntry/allOf/1/properties/type/enum:
	// trigger_, notify_, acknowledge_, annotate_, resolve_log_entry…;
	// AcknowledgeLogEntry spells acknowledgement_log_entry), created_at,
	// incident, agent, channel, service, and user on notify entries
	// (#/components/schemas/NotifyLogEntry/allOf/1/properties/user), with
	// channel.notification.type from #/components/schemas/Notification.
	// Differs: real entries carry teams[], a non-null html_url, complete
	// agent and incident references (summary, self, html_url), a sentence
	// as summary ("Triggered through the API") and ?incident_id= in self
	// (the /log_entries 200 example). Assumption: the summary here (the
	// type's words).
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
	// Pagination plus log_entries (openapiv3.json
	// #/paths/~1log_entries/get/responses/200/content/application~1json/schema).
	body["log_entries"] = out
	writeJSON(w, http.StatusOK, body)
}

// listUsers is GET /users. query shows "only the records whose name
// matches the query" (openapiv3.json #/components/parameters/query);
// Assumption: a case-insensitive substring, also matched against the
// e-mail, which the schema does not say. Assumption: the order is the
// dataset's. The fields id, type "user", name, email, summary, self and
// html_url are a subset of the /users 200 example.
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
