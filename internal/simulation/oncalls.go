package simulation

import (
	"cmp"
	"net/http"
	"slices"
	"sort"
	"time"
)

// oncallIndex holds the on-call entries sorted by start, so that a request
// costs a binary search and a scan of the entries that can overlap its
// range, not a scan of the whole history.
type oncallIndex struct {
	// bounded are the entries with both a start and an end, in
	// oncallLess order; maxSpan is the longest of their spans, so that
	// none that starts before since-maxSpan can still be on at since.
	bounded []*OnCall
	maxSpan time.Duration
	// open are the entries with a null start or end (permanent on-calls),
	// in oncallLess order; they are few, and always scanned.
	open []*OnCall
}

func newOncallIndex(all []*OnCall) oncallIndex {
	var ix oncallIndex
	for _, oc := range all {
		if oc.Start.IsZero() || oc.End.IsZero() {
			ix.open = append(ix.open, oc)
			continue
		}
		ix.bounded = append(ix.bounded, oc)
		ix.maxSpan = max(ix.maxSpan, oc.End.Sub(oc.Start))
	}
	slices.SortStableFunc(ix.bounded, oncallCmp)
	slices.SortStableFunc(ix.open, oncallCmp)
	return ix
}

// oncallCmp is the order of an answer: start (a null start first), then
// user, escalation policy, level and schedule. Assumption: the order real
// PagerDuty answers in is not documented; this one is stable, so that
// offset pagination neither skips nor repeats an entry.
func oncallCmp(a, b *OnCall) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.EscalationPolicyID, b.EscalationPolicyID),
		cmp.Compare(a.Level, b.Level), cmp.Compare(a.ScheduleID, b.ScheduleID))
}

// oncallOverlaps reports whether an entry overlaps [since, until]. A null
// start is -infinity and a null end +infinity ("If null, the on-call is a
// permanent user on-call"; "If null, the user does not go off-call":
// openapiv3.json #/components/schemas/Oncall/properties/start, end).
// Assumption: an entry covers [start, end), and the range [since, until)
// or, when since equals until (both default to now), the instant since.
// So an entry that ends exactly at since is not included, nor one that
// starts exactly at until, unless until is since: at any instant exactly
// one entry of a rotation is on call. Real's boundaries are not
// documented.
func oncallOverlaps(oc *OnCall, since, until time.Time) bool {
	if !oc.End.IsZero() && !oc.End.After(since) {
		return false
	}
	return oc.Start.IsZero() || oc.Start.Before(until) || !oc.Start.After(since)
}

// listOnCalls is GET /oncalls (openapiv3.json #/paths/~1oncalls/get): "List
// the on-call entries during a given time range"; "If an on-call period
// overlaps with the range, it will be included in the result", and since
// and until both "Defaults to current time"
// (#/components/parameters/since_oncalls, until_oncalls).
//
// Filters: user_ids[], escalation_policy_ids[] and schedule_ids[], each
// repeatable ("explode": true); in schedule_ids[], the value null "includes
// permanent on-calls due to direct user escalation targets"
// (#/components/parameters/user_ids_oncalls,
// escalation_policy_ids_oncalls, schedule_ids_oncalls). Assumption:
// several filters combine with AND, the values of one with OR.
//
// Ignored: earliest ("only the earliest on-call for each combination of
// escalation policy, escalation level, and user",
// #/components/parameters/earliest_oncalls) and include[]
// (#/components/parameters/include_oncalls), which the exporter does not
// send. time_zone is ignored too, as listIncidents does: times are
// rendered in UTC with Z (see ts). Differs: real renders them in the
// time_zone asked for, or the account's ("This will default to the account
// time zone", #/components/parameters/time_zone; the 200 example's start
// is "2015-03-06T15:28:51-05:00").
//
// Differs: real computes on-calls only up to 90 days ahead ("On-call
// shifts are limited to 90 days in the future", since_oncalls); the
// simulation serves whatever the dataset holds. The range is limited to 3
// months (older documentation: "The search range cannot exceed 3
// months"; "a maximum of 3 months period (limit from PagerDuty)",
// port-labs/ocean#418; "only allow to fetch at maximum 90 days",
// PagerDuty/api-schema#518), and the simulation refuses a longer one with
// the 400 of too long an /incidents range. Assumption: that code and
// message, and that the limit is three calendar months.
func (s *Server) listOnCalls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, hasSince := timeParam(r, "since")
	until, hasUntil := timeParam(r, "until")
	if !hasSince {
		since = s.now()
	}
	if !hasUntil {
		until = s.now()
	}
	// "the until time cannot be before the since time" (until_oncalls).
	// Assumption: the code and message of the 400 (the ArgumentError
	// response, #/paths/~1oncalls/get/responses/400, gives neither for this
	// case; 2001 "Invalid Input Provided" is docs/REST-API/14-Errors.md's
	// code for invalid input) and the detail. Assumption: with since in
	// the future and no until, until is now, and so this 400, as the
	// parameters' descriptions read literally.
	if until.Before(since) {
		pagerdutyError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "until cannot be before since.")
		return
	}
	if until.After(since.AddDate(0, 3, 0)) {
		pagerdutyError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", " is invalid.")
		return
	}
	users := q["user_ids[]"]
	policies := q["escalation_policy_ids[]"]
	schedules := q["schedule_ids[]"]
	keep := func(oc *OnCall) bool {
		if !oncallOverlaps(oc, since, until) {
			return false
		}
		if len(users) > 0 && !slices.Contains(users, oc.UserID) {
			return false
		}
		if len(policies) > 0 && !slices.Contains(policies, oc.EscalationPolicyID) {
			return false
		}
		if len(schedules) > 0 {
			id := oc.ScheduleID
			if id == "" {
				id = "null"
			}
			if !slices.Contains(schedules, id) {
				return false
			}
		}
		return true
	}
	ix := &s.pdIndex().oncalls
	all := ix.bounded
	// Entries that start after since-maxSpan, up to those that start at
	// until (included only when until is since, see oncallOverlaps).
	lo := sort.Search(len(all), func(i int) bool { return all[i].Start.After(since.Add(-ix.maxSpan)) })
	hi := sort.Search(len(all), func(i int) bool { return all[i].Start.After(until) })
	var sel []*OnCall
	for _, oc := range all[lo:max(lo, hi)] {
		if keep(oc) {
			sel = append(sel, oc)
		}
	}
	var open []*OnCall
	for _, oc := range ix.open {
		if keep(oc) {
			open = append(open, oc)
		}
	}
	if len(open) > 0 {
		sel = append(sel, open...)
		slices.SortStableFunc(sel, oncallCmp)
	}
	lo, hi, body, ok := s.pdPage(w, r, len(sel))
	if !ok {
		return
	}
	pd := &s.ds.PagerDuty
	out := make([]map[string]any, 0, hi-lo)
	for _, oc := range sel[lo:hi] {
		u, _ := pd.user(oc.UserID)
		// A schedule_reference, or null for a permanent on-call.
		// Assumption: null, not an absent key; the schema has no
		// example of a permanent on-call.
		var schedule any
		if oc.ScheduleID != "" {
			schedule = pdRef(r, "schedule", findRef(pd.Schedules, oc.ScheduleID))
		}
		// The fields of #/components/schemas/Oncall, references shaped as
		// in the /oncalls 200 example (user_reference, schedule_reference,
		// escalation_policy_reference, each with id, type, summary, self
		// and html_url).
		out = append(out, map[string]any{
			"user":              pdRef(r, "user", PDRef{ID: oc.UserID, Name: u.Name}),
			"schedule":          schedule,
			"escalation_policy": pdRef(r, "escalation_policy", pd.policy(oc.EscalationPolicyID)),
			"escalation_level":  oc.Level,
			"start":             ts(oc.Start),
			"end":               ts(oc.End),
		})
	}
	// Pagination plus oncalls (openapiv3.json
	// #/paths/~1oncalls/get/responses/200/content/application~1json/schema).
	// The default limit is 25, as pdPage's (PagerDuty/api-schema#252:
	// "https://api.pagerduty.com/oncalls call defaults limit to 25").
	body["oncalls"] = out
	writeJSON(w, http.StatusOK, body)
}

// shift is one turn of a rotation: a user on call from start to end.
type shift struct {
	user       string
	start, end time.Time
}

// rotationOnCalls turns the consecutive shifts of one schedule on one
// escalation rule into on-call entries. A user's bordering shifts become
// one entry: an on-call "represents a contiguous unit of time for which a
// User will be on call for a given Escalation Policy and Escalation Rules"
// (openapiv3.json #/paths/~1oncalls/get/description). Assumption: that
// real merges a user's bordering shifts into one entry; the description
// suggests it, and PagerDuty/pd-oncall-chat-topic#31 merges them
// client-side ("if someone has an override that borders a regular shift
// we merge them and consider it one shift").
func rotationOnCalls(ep string, level int, schedule string, shifts []shift) []*OnCall {
	var out []*OnCall
	for _, s := range shifts {
		if n := len(out); n > 0 && out[n-1].UserID == s.user && out[n-1].End.Equal(s.start) {
			out[n-1].End = s.end
			continue
		}
		out = append(out, &OnCall{UserID: s.user, EscalationPolicyID: ep, Level: level, ScheduleID: schedule, Start: s.start, End: s.end})
	}
	return out
}
