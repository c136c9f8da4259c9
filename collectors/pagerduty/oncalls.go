package pagerduty

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// oncallUsersPerRequest bounds the user_ids[] of one /oncalls request, so
// that a large team's query string stays short (each ID costs about 25
// bytes encoded). Assumption: PagerDuty documents no limit on the number
// of user_ids[] (openapiv3.json #/paths/~1oncalls/get/parameters).
const oncallUsersPerRequest = 25

// oncallMaxRange is the longest since..until range asked of /oncalls.
// PagerDuty serves at most three months ("The search range cannot exceed
// 3 months", in its older documentation; "a maximum of 3 months period
// (limit from PagerDuty)", port-labs/ocean#418; PagerDuty/api-schema#518),
// and three calendar months are never shorter than 89 days (February to
// April).
const oncallMaxRange = 89 * 24 * time.Hour

// oncallKey identifies an on-call entry: PagerDuty's on-calls have no ID
// (openapiv3.json #/components/schemas/Oncall), so an entry is its user,
// escalation policy, level, schedule and start.
func oncallKey(e model.OnCall) string {
	return e.User + "|" + e.EscalationPolicy.ID + "|" + strconv.Itoa(e.Level) + "|" + e.Schedule.ID + "|" + strconv.FormatInt(e.Start, 10)
}

// onCalls lists the on-call entries of users that overlap [since, until]
// from GET /oncalls. "If an on-call period overlaps with the range, it
// will be included in the result" (openapiv3.json
// #/paths/~1oncalls/get/parameters since and until), so an entry that
// starts before since comes whole, and a range split in two returns the
// entries across the split twice: they are kept once, by oncallKey. The
// endpoint pages by offset, 25 a page unless asked (PagerDuty/api-schema
// #252), up to the 10,000 cap that splitByTime works around. PagerDuty
// documents no longest range into the past, only that "on-call shifts
// are limited to 90 days in the future", which the exporter never asks
// for. The range is limited to three months (see oncallMaxRange), so a
// longer window is listed in ranges; splitByTime halves a range that
// PagerDuty still refuses with 400.
func (s *Source) onCalls(ctx context.Context, users []string, since, until time.Time) (map[string]model.OnCall, error) {
	type part struct {
		ids          []string
		since, until time.Time
	}
	var parts []part
	for c := range slices.Chunk(users, oncallUsersPerRequest) {
		for _, r := range timeRanges(since, until, oncallMaxRange) {
			parts = append(parts, part{c, r[0], r[1]})
		}
	}
	var mu sync.Mutex
	out := map[string]model.OnCall{}
	err := collectors.ForEach(ctx, len(parts), parts, func(ctx context.Context, p part) error {
		ids := p.ids
		list, err := splitByTime(ctx, s, "/oncalls", p.since, p.until, func(ctx context.Context, since, until time.Time, offset uint, total bool) ([]model.OnCall, pagerduty.APIListObject, error) {
			resp, err := apiclient.KeepCause(ctx, func(ctx context.Context) (*pagerduty.ListOnCallsResponse, error) {
				return s.client.ListOnCallsWithContext(ctx, pagerduty.ListOnCallOptions{
					UserIDs: ids, Since: formatPD(since), Until: formatPD(until),
					Limit: pagerdutyLimit, Offset: offset, Total: total, TimeZone: "UTC"})
			})
			if err != nil {
				return nil, pagerduty.APIListObject{}, err
			}
			entries := make([]model.OnCall, len(resp.OnCalls))
			for i := range resp.OnCalls {
				entries[i] = onCall(&resp.OnCalls[i])
			}
			return entries, resp.APIListObject, nil
		})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, e := range list {
			out[oncallKey(e)] = e
		}
		return nil
	})
	return out, err
}

// onCall is what the exporter keeps of an on-call entry. A null start or
// end ("If null, the on-call is a permanent user on-call"; "If null, the
// user does not go off-call": #/components/schemas/Oncall) is 0.
func onCall(o *pagerduty.OnCall) model.OnCall {
	return model.OnCall{
		User:             o.User.ID,
		EscalationPolicy: model.Ref{ID: o.EscalationPolicy.ID, Name: cmp.Or(o.EscalationPolicy.Summary, o.EscalationPolicy.Name)},
		Level:            int(o.EscalationLevel),
		Schedule:         model.Ref{ID: o.Schedule.ID, Name: cmp.Or(o.Schedule.Summary, o.Schedule.Name)},
		Start:            pdTime(o.Start),
		End:              pdTime(o.End),
	}
}

// onCallUsers are the PagerDuty user IDs of the people: those the config
// gives and those their e-mail addresses resolved to, sorted, without
// duplicates.
func onCallUsers(ids []string, emails map[string]string) []string {
	out := slices.Clone(ids)
	for _, id := range emails {
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// mergeOnCalls takes the entries listed from since into the state. The
// first sync, or one for other users, lists the whole window; later
// ones list from the last refresh (less the overlap) and replace every
// kept entry that the range overlaps, so that a changed schedule's
// future shifts are read again. Entries that ended before the range are
// past and stay.
func (st *State) mergeOnCalls(listed map[string]model.OnCall, since time.Time) {
	from := since.Unix()
	for k, e := range st.OnCalls {
		if e.End == 0 || e.End > from {
			delete(st.OnCalls, k)
		}
	}
	for k, e := range listed {
		st.OnCalls[k] = e
	}
}

// onCallSince is where the on-call listing of this refresh starts.
func (st *State) onCallSince(usersKey string, w collectors.Window) time.Time {
	if st.OnCallUsersKey != usersKey || st.OnCallSince.Before(w.Start) {
		return w.Start
	}
	return st.OnCallSince
}

// onCallSnapshot lists the kept entries in a fixed order.
func (st *State) onCallSnapshot() []model.OnCall {
	out := make([]model.OnCall, 0, len(st.OnCalls))
	for _, e := range st.OnCalls {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b model.OnCall) int {
		return cmp.Or(strings.Compare(a.User, b.User), cmp.Compare(a.Start, b.Start),
			strings.Compare(a.EscalationPolicy.ID, b.EscalationPolicy.ID), cmp.Compare(a.Level, b.Level), strings.Compare(a.Schedule.ID, b.Schedule.ID))
	})
	return out
}
