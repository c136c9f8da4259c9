package simulation

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

const ocToken = "pd-test-token"

var ocT0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func ocAt(h int) time.Time { return ocT0.Add(time.Duration(h) * time.Hour) }

// ocServer serves ds with the clock at now.
func ocServer(t *testing.T, ds *Dataset, now time.Time) (*Server, *httptest.Server) {
	t.Helper()
	s := NewServer(ds, "gh", ocToken)
	s.now = func() time.Time { return now }
	srv := s.Start()
	t.Cleanup(srv.Close)
	return s, srv
}

type ocAnswer struct {
	OnCalls []struct {
		User             map[string]any `json:"user"`
		Schedule         map[string]any `json:"schedule"`
		EscalationPolicy map[string]any `json:"escalation_policy"`
		EscalationLevel  int            `json:"escalation_level"`
		Start            *string        `json:"start"`
		End              *string        `json:"end"`
	} `json:"oncalls"`
	Limit  int  `json:"limit"`
	Offset int  `json:"offset"`
	More   bool `json:"more"`
	Total  *int `json:"total"`
	Error  *struct {
		Message string   `json:"message"`
		Code    int      `json:"code"`
		Errors  []string `json:"errors"`
	} `json:"error"`
}

// ocGet asks GET /oncalls?query and decodes the answer.
func ocGet(t *testing.T, srv *httptest.Server, query string) (int, ocAnswer, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+PagerDutyPrefix+"/oncalls?"+query, nil)
	req.Header.Set("Authorization", "Token token="+ocToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var a ocAnswer
	var m map[string]any
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, a, m
}

// ocUsers is the users of an answer's entries, in order, with start and
// end: "u1 09:00-10:00".
func ocUsers(t *testing.T, srv *httptest.Server, query string) []string {
	t.Helper()
	status, a, _ := ocGet(t, srv, query)
	if status != http.StatusOK {
		t.Fatalf("%s: status %d %+v", query, status, a.Error)
	}
	var out []string
	for _, oc := range a.OnCalls {
		out = append(out, oc.User["id"].(string))
	}
	return out
}

func rfc(t time.Time) string { return url.QueryEscape(t.Format(time.RFC3339)) }

func ocDataset(ocs ...*OnCall) *Dataset {
	return &Dataset{PagerDuty: PagerDutyData{
		Users:              []PDUser{{ID: "PU1", Name: "Ann"}, {ID: "PU2", Name: "Ben"}, {ID: "PU3", Name: "Cat"}, {ID: "PU4", Name: "Dee"}},
		EscalationPolicies: []PDRef{{ID: "PEP1", Name: "Product"}, {ID: "PEP2", Name: "Corp"}},
		Schedules:          []PDRef{{ID: "PS1", Name: "Primary"}, {ID: "PS2", Name: "Secondary"}},
		OnCalls:            ocs,
	}}
}

// A rotation: PU1 09-10, PU2 10-11, PU3 11-12.
func ocRotation() []*OnCall {
	return []*OnCall{
		{UserID: "PU1", EscalationPolicyID: "PEP1", Level: 1, ScheduleID: "PS1", Start: ocAt(0), End: ocAt(1)},
		{UserID: "PU2", EscalationPolicyID: "PEP1", Level: 1, ScheduleID: "PS1", Start: ocAt(1), End: ocAt(2)},
		{UserID: "PU3", EscalationPolicyID: "PEP1", Level: 1, ScheduleID: "PS1", Start: ocAt(2), End: ocAt(3)},
	}
}

func TestOnCallsOverlapBoundaries(t *testing.T) {
	_, srv := ocServer(t, ocDataset(ocRotation()...), ocAt(1).Add(30*time.Minute))
	sec := time.Second
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"PU2"}}, // both default to now
		{"since=" + rfc(ocAt(1)) + "&until=" + rfc(ocAt(1)), []string{"PU2"}},                                  // the instant of a handover
		{"since=" + rfc(ocAt(1)) + "&until=" + rfc(ocAt(2)), []string{"PU2"}},                                  // ends at since, starts at until: out
		{"since=" + rfc(ocAt(1).Add(-sec)) + "&until=" + rfc(ocAt(2).Add(sec)), []string{"PU1", "PU2", "PU3"}}, // a second each side
		{"since=" + rfc(ocAt(0).Add(-time.Hour)), []string{"PU1", "PU2"}},                                      // until defaults to now
		{"since=" + rfc(ocAt(3)) + "&until=" + rfc(ocAt(5)), nil},                                              // after everything
		{"since=" + rfc(ocAt(-5)) + "&until=" + rfc(ocAt(0)), nil},                                             // before everything
		{"since=" + rfc(ocAt(-5)) + "&until=" + rfc(ocAt(0).Add(sec)), []string{"PU1"}},
	} {
		if got := ocUsers(t, srv, c.query); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.query, got, c.want)
		}
	}
}

func TestOnCallsNullStartAndEnd(t *testing.T) {
	ocs := append(ocRotation(),
		&OnCall{UserID: "PU4", EscalationPolicyID: "PEP2", Level: 1}, // permanent: no start, no end
		&OnCall{UserID: "PU4", EscalationPolicyID: "PEP2", Level: 2, ScheduleID: "PS2", End: ocAt(1)},
		&OnCall{UserID: "PU4", EscalationPolicyID: "PEP2", Level: 3, ScheduleID: "PS2", Start: ocAt(2)},
	)
	_, srv := ocServer(t, ocDataset(ocs...), ocAt(1).Add(30*time.Minute))
	for _, c := range []struct {
		query string
		want  []string
	}{
		// Null starts first; the permanent one is in every range.
		{"since=" + rfc(ocAt(-1000)) + "&until=" + rfc(ocAt(-999)), []string{"PU4", "PU4"}},
		{"", []string{"PU4", "PU2"}},
		{"since=" + rfc(ocAt(1)) + "&until=" + rfc(ocAt(1)), []string{"PU4", "PU2"}}, // the null-start entry ends at since: out
		{"since=" + rfc(ocAt(0).Add(30*time.Minute)) + "&until=" + rfc(ocAt(1)), []string{"PU4", "PU4", "PU1"}},
		{"since=" + rfc(ocAt(1000)) + "&until=" + rfc(ocAt(1001)), []string{"PU4", "PU4"}},
		{"since=" + rfc(ocAt(2)) + "&until=" + rfc(ocAt(2)), []string{"PU4", "PU3", "PU4"}},
	} {
		if got := ocUsers(t, srv, c.query); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.query, got, c.want)
		}
	}
	// The permanent entry's start, end and schedule are JSON null.
	_, _, m := ocGet(t, srv, "escalation_policy_ids[]=PEP2&since="+rfc(ocAt(1000))+"&until="+rfc(ocAt(1001)))
	e := m["oncalls"].([]any)[0].(map[string]any)
	for _, k := range []string{"start", "end", "schedule"} {
		if v, ok := e[k]; !ok || v != nil {
			t.Errorf("permanent entry's %s = %v (present %v), want null", k, v, ok)
		}
	}
	if e["escalation_level"].(float64) != 1 {
		t.Errorf("permanent entry: %v", e)
	}
}

func TestOnCallsFilters(t *testing.T) {
	ocs := []*OnCall{
		{UserID: "PU1", EscalationPolicyID: "PEP1", Level: 1, ScheduleID: "PS1", Start: ocAt(0), End: ocAt(10)},
		{UserID: "PU2", EscalationPolicyID: "PEP1", Level: 2, ScheduleID: "PS2", Start: ocAt(0), End: ocAt(10)},
		{UserID: "PU1", EscalationPolicyID: "PEP2", Level: 1, ScheduleID: "PS1", Start: ocAt(0), End: ocAt(10)},
		{UserID: "PU3", EscalationPolicyID: "PEP2", Level: 2}, // permanent
	}
	_, srv := ocServer(t, ocDataset(ocs...), ocAt(5))
	for _, c := range []struct {
		query string
		want  []string // user/policy/level
	}{
		{"", []string{"PU3/PEP2/2", "PU1/PEP1/1", "PU1/PEP2/1", "PU2/PEP1/2"}},
		{"user_ids[]=PU1", []string{"PU1/PEP1/1", "PU1/PEP2/1"}},
		{"user_ids[]=PU2&user_ids[]=PU3", []string{"PU3/PEP2/2", "PU2/PEP1/2"}},
		{"escalation_policy_ids[]=PEP2", []string{"PU3/PEP2/2", "PU1/PEP2/1"}},
		{"schedule_ids[]=PS1", []string{"PU1/PEP1/1", "PU1/PEP2/1"}},
		{"schedule_ids[]=null", []string{"PU3/PEP2/2"}},
		{"schedule_ids[]=PS2&schedule_ids[]=null", []string{"PU3/PEP2/2", "PU2/PEP1/2"}},
		{"user_ids[]=PU1&escalation_policy_ids[]=PEP1", []string{"PU1/PEP1/1"}},
		{"user_ids[]=PU2&schedule_ids[]=PS1", nil},
		{"user_ids[]=PNOBODY", nil},
		// earliest, include[] and time_zone are ignored.
		{"earliest=true&include[]=users&time_zone=Asia%2FTokyo&user_ids[]=PU1", []string{"PU1/PEP1/1", "PU1/PEP2/1"}},
	} {
		_, a, _ := ocGet(t, srv, c.query)
		var got []string
		for _, oc := range a.OnCalls {
			got = append(got, oc.User["id"].(string)+"/"+oc.EscalationPolicy["id"].(string)+"/"+itoa(oc.EscalationLevel))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.query, got, c.want)
		}
	}
	// The references' shape, as in the /oncalls 200 example; times in UTC.
	_, a, _ := ocGet(t, srv, "user_ids[]=PU2&time_zone=Asia%2FTokyo")
	oc := a.OnCalls[0]
	if oc.User["type"] != "user_reference" || oc.User["summary"] != "Ben" || !strings.HasSuffix(oc.User["self"].(string), "/pagerduty/users/PU2") ||
		oc.User["html_url"] != "https://acme.pagerduty.com/users/PU2" {
		t.Errorf("user: %v", oc.User)
	}
	if oc.Schedule["id"] != "PS2" || oc.Schedule["type"] != "schedule_reference" || oc.Schedule["summary"] != "Secondary" ||
		!strings.HasSuffix(oc.Schedule["self"].(string), "/pagerduty/schedules/PS2") {
		t.Errorf("schedule: %v", oc.Schedule)
	}
	if oc.EscalationPolicy["type"] != "escalation_policy_reference" || oc.EscalationPolicy["summary"] != "Product" ||
		oc.EscalationPolicy["html_url"] != "https://acme.pagerduty.com/escalation_policies/PEP1" {
		t.Errorf("escalation_policy: %v", oc.EscalationPolicy)
	}
	if *oc.Start != "2026-11-01T09:00:00Z" || *oc.End != "2026-11-01T19:00:00Z" {
		t.Errorf("start %s end %s", *oc.Start, *oc.End)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// ocMany is n hourly entries of PEP1, all overlapping [t0, t0+n h).
func ocMany(n int) []*OnCall {
	var out []*OnCall
	for i := 0; i < n; i++ {
		out = append(out, &OnCall{UserID: "PU1", EscalationPolicyID: "PEP1", Level: 1, ScheduleID: "PS1", Start: ocAt(i), End: ocAt(i + 1)})
	}
	return out
}

func TestOnCallsPagination(t *testing.T) {
	_, srv := ocServer(t, ocDataset(ocMany(30)...), ocAt(0))
	all := "since=" + rfc(ocAt(0)) + "&until=" + rfc(ocAt(30))
	_, a, m := ocGet(t, srv, all)
	if len(a.OnCalls) != 25 || a.Limit != 25 || a.Offset != 0 || !a.More || a.Total != nil {
		t.Errorf("first page: %d entries, limit %d offset %d more %v total %v", len(a.OnCalls), a.Limit, a.Offset, a.More, a.Total)
	}
	if v, ok := m["total"]; !ok || v != nil {
		t.Errorf("total without total=true: %v (present %v), want null", v, ok)
	}
	if *a.OnCalls[0].Start != "2026-11-01T09:00:00Z" || *a.OnCalls[24].Start != "2026-11-02T09:00:00Z" {
		t.Errorf("order: %s .. %s", *a.OnCalls[0].Start, *a.OnCalls[24].Start)
	}
	_, a, _ = ocGet(t, srv, all+"&offset=25&total=true")
	if len(a.OnCalls) != 5 || a.Offset != 25 || a.More || a.Total == nil || *a.Total != 30 {
		t.Errorf("second page: %d entries, offset %d more %v total %v", len(a.OnCalls), a.Offset, a.More, a.Total)
	}
	if *a.OnCalls[0].Start != "2026-11-02T10:00:00Z" {
		t.Errorf("second page starts at %s", *a.OnCalls[0].Start)
	}
	_, a, _ = ocGet(t, srv, all+"&limit=10&offset=20")
	if len(a.OnCalls) != 10 || a.More {
		t.Errorf("limit 10 offset 20: %d entries, more %v", len(a.OnCalls), a.More)
	}
	_, a, _ = ocGet(t, srv, all+"&limit=500")
	if a.Limit != 100 || len(a.OnCalls) != 30 {
		t.Errorf("limit 500: limit %d, %d entries", a.Limit, len(a.OnCalls))
	}
}

func TestOnCallsUntilBeforeSince(t *testing.T) {
	_, srv := ocServer(t, ocDataset(ocRotation()...), ocAt(1))
	for _, q := range []string{
		"since=" + rfc(ocAt(2)) + "&until=" + rfc(ocAt(1)),
		"since=" + rfc(ocAt(2)), // until defaults to now, before since
		"until=" + rfc(ocAt(0)), // since defaults to now, after until
	} {
		status, a, _ := ocGet(t, srv, q)
		if status != http.StatusBadRequest || a.Error == nil || a.Error.Code != 2001 || a.Error.Message != "Invalid Input Provided" {
			t.Errorf("%q: status %d, error %+v", q, status, a.Error)
		}
	}
}

// TestOnCallsRangeOfThreeMonths: a range of three calendar months is
// served, a second longer is refused.
func TestOnCallsRangeOfThreeMonths(t *testing.T) {
	_, srv := ocServer(t, ocDataset(ocRotation()...), ocAt(1))
	since := ocAt(0)
	if status, _, _ := ocGet(t, srv, "since="+rfc(since)+"&until="+rfc(since.AddDate(0, 3, 0))); status != http.StatusOK {
		t.Errorf("three months: status %d", status)
	}
	status, a, _ := ocGet(t, srv, "since="+rfc(since)+"&until="+rfc(since.AddDate(0, 3, 0).Add(time.Second)))
	if status != http.StatusBadRequest || a.Error == nil || a.Error.Code != 2001 {
		t.Errorf("three months and a second: status %d, error %+v", status, a.Error)
	}
}

func TestOnCallsOffsetCap(t *testing.T) {
	s, srv := ocServer(t, ocDataset(ocMany(3)...), ocAt(0))
	all := "since=" + rfc(ocAt(0)) + "&until=" + rfc(ocAt(3))
	status, a, _ := ocGet(t, srv, all+"&offset=9900&limit=100")
	if status != http.StatusOK || len(a.OnCalls) != 0 || a.More {
		t.Errorf("offset 9900 limit 100: status %d, %d entries", status, len(a.OnCalls))
	}
	status, a, _ = ocGet(t, srv, all+"&offset=9901&limit=100")
	if status != http.StatusBadRequest || a.Error == nil || a.Error.Code != 2002 {
		t.Errorf("offset 9901 limit 100: status %d, error %+v", status, a.Error)
	}
	// A lowered cap, as tests reach the real one cheaply: more is true
	// on the page before it, the next is refused.
	s.SetFault(Fault{API: "pagerduty", PathPrefix: "/oncalls", Kind: FaultOffsetCap, Cap: 2})
	status, a, _ = ocGet(t, srv, all+"&limit=1&offset=1")
	if status != http.StatusOK || len(a.OnCalls) != 1 || !a.More {
		t.Errorf("cap 2, offset 1: status %d, %d entries, more %v", status, len(a.OnCalls), a.More)
	}
	status, a, _ = ocGet(t, srv, all+"&limit=1&offset=2")
	if status != http.StatusBadRequest || a.Error == nil || a.Error.Code != 2002 {
		t.Errorf("cap 2, offset 2: status %d, error %+v", status, a.Error)
	}
}

func TestOnCallsFaultsAndAuth(t *testing.T) {
	s, srv := ocServer(t, ocDataset(ocRotation()...), ocAt(1))
	s.SetFault(Fault{API: "pagerduty", PathPrefix: "/oncalls", Status: http.StatusTooManyRequests, Times: 1})
	status, a, _ := ocGet(t, srv, "")
	if status != http.StatusTooManyRequests || a.Error == nil || a.Error.Code != 2020 {
		t.Errorf("fault: status %d, error %+v", status, a.Error)
	}
	if got := ocUsers(t, srv, ""); !slices.Equal(got, []string{"PU2"}) {
		t.Errorf("after the fault: %v", got)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+PagerDutyPrefix+"/oncalls", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d", resp.StatusCode)
	}
	if n := s.Count()["pagerduty"]; n[http.StatusTooManyRequests] != 1 || n[http.StatusOK] != 1 || n[http.StatusUnauthorized] != 1 {
		t.Errorf("requests: %v", n)
	}
}

// TestOnCallsGoPagerDuty reads the answer with the client the exporter
// uses, go-pagerduty's ListOnCallsWithContext.
func TestOnCallsGoPagerDuty(t *testing.T) {
	ocs := append(ocRotation(), &OnCall{UserID: "PU4", EscalationPolicyID: "PEP2", Level: 2})
	_, srv := ocServer(t, ocDataset(ocs...), ocAt(1))
	c := pagerduty.NewClient(ocToken, pagerduty.WithAPIEndpoint(srv.URL+PagerDutyPrefix))
	resp, err := c.ListOnCallsWithContext(context.Background(), pagerduty.ListOnCallOptions{
		Since: ocAt(1).Format(time.RFC3339), Until: ocAt(2).Add(time.Second).Format(time.RFC3339),
		UserIDs: []string{"PU3", "PU4"}, Limit: 100, Total: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.OnCalls) != 2 || resp.Total != 2 || resp.More || resp.Limit != 100 {
		t.Fatalf("answer: %+v", resp)
	}
	perm, oc := resp.OnCalls[0], resp.OnCalls[1]
	if perm.User.ID != "PU4" || perm.Schedule.ID != "" || perm.EscalationPolicy.ID != "PEP2" || perm.EscalationLevel != 2 || perm.Start != "" || perm.End != "" {
		t.Errorf("permanent: %+v", perm)
	}
	if oc.User.ID != "PU3" || oc.User.Summary != "Cat" || oc.Schedule.ID != "PS1" || oc.EscalationPolicy.ID != "PEP1" || oc.EscalationLevel != 1 ||
		oc.Start != "2026-11-01T11:00:00Z" || oc.End != "2026-11-01T12:00:00Z" {
		t.Errorf("entry: %+v", oc)
	}
}

// TestOnCallsIndex compares the index's answers with a scan of every
// entry, for spans of mixed lengths (a long one still on long after
// shorter ones ended) and ranges at and around their boundaries.
func TestOnCallsIndex(t *testing.T) {
	var ocs []*OnCall
	for i := 0; i < 40; i++ {
		oc := &OnCall{UserID: []string{"PU1", "PU2", "PU3"}[i%3], EscalationPolicyID: "PEP1", Level: 1 + i%2, ScheduleID: "PS1",
			Start: ocAt(i), End: ocAt(i + 1 + (i*7)%13)}
		switch i {
		case 5:
			oc.End = ocAt(100) // long
		case 6:
			oc.Start = time.Time{}
		case 7:
			oc.End = time.Time{}
		}
		ocs = append(ocs, oc)
	}
	_, srv := ocServer(t, ocDataset(ocs...), ocAt(0))
	for since := -2; since < 60; since += 3 {
		for _, d := range []int{0, 1, 4} {
			s, u := ocAt(since), ocAt(since+d)
			var want []string
			for _, oc := range ocs {
				if (oc.End.IsZero() || oc.End.After(s)) && (oc.Start.IsZero() || oc.Start.Before(u) || (d == 0 && !oc.Start.After(s))) {
					want = append(want, oc.UserID)
				}
			}
			got := ocUsers(t, srv, "limit=100&since="+rfc(s)+"&until="+rfc(u))
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("[%d, %d]: got %v, want %v", since, since+d, got, want)
			}
		}
	}
}

// ocCheckRotation checks that the entries of one escalation rule cover
// [from, to) without gaps or overlaps, and that no two bordering entries
// are one user's.
func ocCheckRotation(t *testing.T, name string, ocs []*OnCall, from, to time.Time) {
	t.Helper()
	at := from
	for i, oc := range ocs {
		if !oc.Start.Equal(at) || !oc.End.After(oc.Start) {
			t.Fatalf("%s: entry %d spans %s to %s, want a start at %s", name, i, oc.Start, oc.End, at)
		}
		if i > 0 && ocs[i-1].UserID == oc.UserID {
			t.Errorf("%s: entries %d and %d are both %s's: one contiguous entry in real", name, i-1, i, oc.UserID)
		}
		at = oc.End
	}
	if !at.Equal(to) {
		t.Errorf("%s: entries end at %s, want %s", name, at, to)
	}
}

func ocByRule(ocs []*OnCall, ep string, level int) []*OnCall {
	var out []*OnCall
	for _, oc := range ocs {
		if oc.EscalationPolicyID == ep && oc.Level == level {
			out = append(out, oc)
		}
	}
	return out
}

func TestDemoOnCalls(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ds := Demo(now)
	pd := &ds.PagerDuty
	start := now.Add(-DemoDays * 24 * time.Hour)
	end := now.Add((demoOnCallAhead + 1) * 24 * time.Hour)
	prod, corp := ocByRule(pd.OnCalls, "PEPPROD", 1), ocByRule(pd.OnCalls, "PEPCORP", 1)
	if len(prod)+len(corp) != len(pd.OnCalls) {
		t.Errorf("%d entries outside PEPPROD and PEPCORP level 1", len(pd.OnCalls)-len(prod)-len(corp))
	}
	ocCheckRotation(t, "PEPPROD", prod, start, end)
	ocCheckRotation(t, "PEPCORP", corp, start, end)
	// The same schedule on both: the same spans, the same people.
	if len(prod) != len(corp) {
		t.Fatalf("PEPPROD %d entries, PEPCORP %d", len(prod), len(corp))
	}
	for i := range prod {
		if prod[i].UserID != corp[i].UserID || !prod[i].Start.Equal(corp[i].Start) || prod[i].ScheduleID != "PSCHPRI" || corp[i].ScheduleID != "PSCHPRI" {
			t.Errorf("entry %d: %+v and %+v", i, prod[i], corp[i])
		}
	}
	// Shift by shift, onCallAt's rotation: the person the shift's
	// incidents page.
	g := &demoGen{start: start}
	perDay := int(24 * time.Hour / demoShift)
	for k := 0; k < (DemoDays+1+demoOnCallAhead)*perDay; k++ {
		mid := start.Add(time.Duration(k)*demoShift + demoShift/2)
		members := g.membersOn(k / perDay)
		want := members[(k/perDay+k%perDay)%len(members)].pdID
		for _, oc := range prod {
			if !oc.Start.After(mid) && oc.End.After(mid) && oc.UserID != want {
				t.Errorf("shift %d: %s on call, want %s", k, oc.UserID, want)
			}
		}
	}
	// 98 days of 3 shifts, a person's consecutive shifts being one
	// entry: every entry ends where the next starts, with someone else.
	for i := 1; i < len(prod); i++ {
		if !prod[i].Start.Equal(prod[i-1].End) || prod[i].UserID == prod[i-1].UserID {
			t.Errorf("entries %d and %d: %+v, %+v", i-1, i, prod[i-1], prod[i])
		}
	}
	if first, last := prod[0].Start, prod[len(prod)-1].End; !first.Equal(start) || !last.Equal(start.Add((DemoDays+1+demoOnCallAhead)*24*time.Hour)) {
		t.Errorf("the schedule runs from %s to %s", first, last)
	}
	if findRef(pd.Schedules, "PSCHPRI").Name != "Product Primary" {
		t.Errorf("schedules: %v", pd.Schedules)
	}
	// Served: now is in day DemoDays's shift, which ends in the future;
	// over the last 7 days the three take turns.
	_, srv := ocServer(t, ds, now)
	_, a, _ := ocGet(t, srv, "escalation_policy_ids[]=PEPPROD")
	if len(a.OnCalls) != 1 || *a.OnCalls[0].Start != ts(now) || *a.OnCalls[0].End != ts(now.Add(demoShift)) {
		t.Errorf("now: %+v", a.OnCalls)
	}
	// The last week's 21 shifts: 7 each. The range's end is the start
	// of the shift under way, which overlaps it by an instant only.
	shifts := map[string]int{}
	for _, u := range ocUsers(t, srv, "escalation_policy_ids[]=PEPPROD&since="+rfc(now.Add(-7*24*time.Hour))+"&until="+rfc(now.Add(-time.Second))) {
		shifts[u]++
	}
	if len(shifts) != 3 || shifts["PALICE1"] != 7 || shifts["PBOB001"] != 7 || shifts["PCAROL1"] != 7 {
		t.Errorf("the last week: %v", shifts)
	}
}

func TestScaleOnCalls(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	p := Large.Divide(100)
	ds := Scale(p, now)
	pd := &ds.PagerDuty
	start := now.Add(-p.Window - 3*24*time.Hour)
	end := now.Add((demoOnCallAhead) * 24 * time.Hour)
	primary, secondary := ocByRule(pd.OnCalls, "PE0001", 1), ocByRule(pd.OnCalls, "PE0001", 2)
	if len(primary) != 17 || len(secondary) != 17 || len(pd.OnCalls) != 34 {
		t.Errorf("%d primary, %d secondary, %d entries", len(primary), len(secondary), len(pd.OnCalls))
	}
	ocCheckRotation(t, "primary", primary, start, end)
	ocCheckRotation(t, "secondary", secondary, start, end)
	for i := range primary {
		if _, ok := pd.user(primary[i].UserID); !ok || primary[i].UserID == secondary[i].UserID ||
			primary[i].ScheduleID != "PSCH001" || secondary[i].ScheduleID != "PSCH002" {
			t.Errorf("day %d: primary %+v, secondary %+v", i, primary[i], secondary[i])
		}
	}
	// One person, and none: a single entry per level, or no entry.
	p.People = 1
	if ocs := Scale(p, now).PagerDuty.OnCalls; len(ocs) != 2 || !ocs[0].Start.Equal(start) || !ocs[0].End.Equal(end) {
		t.Errorf("one person: %+v", ocs)
	}
	p.People = 0
	p.Issues, p.Comments, p.Reviews, p.Incidents = 0, 0, 0, 0
	if ocs := Scale(p, now).PagerDuty.OnCalls; len(ocs) != 0 {
		t.Errorf("nobody: %d entries", len(ocs))
	}
}

// TestDemoHasNoTimeTravel: in the demo, over seven clocks, nothing happens
// to an issue before it was opened: closing, updates, comments, events
// and reviews all come at or after its creation, as on GitHub.
func TestDemoHasNoTimeTravel(t *testing.T) {
	base := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 7; i++ {
		now := base.Add(time.Duration(i)*24*time.Hour + time.Duration(i)*3*time.Hour)
		ds := Demo(now)
		for _, o := range ds.GitHub.Owners {
			for _, r := range o.Repos {
				created := map[int]time.Time{}
				for _, is := range r.Issues {
					created[is.Number] = is.CreatedAt
					if is.UpdatedAt.Before(is.CreatedAt) || !is.ClosedAt.IsZero() && is.ClosedAt.Before(is.CreatedAt) {
						t.Errorf("now %s: %s/%s#%d created %s, updated %s, closed %s", now, o.Login, r.Name, is.Number, is.CreatedAt, is.UpdatedAt, is.ClosedAt)
					}
				}
				check := func(what string, issue int, at time.Time) {
					if at.Before(created[issue]) {
						t.Errorf("now %s: %s/%s#%d: %s at %s, before its creation at %s", now, o.Login, r.Name, issue, what, at, created[issue])
					}
				}
				for _, c := range append(append([]*Comment{}, r.Comments...), r.ReviewComments...) {
					check("a comment", c.Issue, c.CreatedAt)
				}
				for _, e := range r.Events {
					check("event "+e.Event, e.Issue, e.CreatedAt)
				}
				for _, rv := range r.Reviews {
					if !rv.SubmittedAt.IsZero() {
						check("a review", rv.Issue, rv.SubmittedAt)
					}
				}
			}
		}
	}
}
