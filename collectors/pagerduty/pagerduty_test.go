package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

const pagerdutyOnly = `
pagerduty:
  token_env: UNUSED
  teams: [Platform, PTCORP1]
domains: [{name: product}]
rules: [{domain: product, source: pagerduty}]
people:
  - {name: alice, pagerduty: [Alice@Acme.Example]}
  - {name: bob, pagerduty: [PBOB001]}
`

func TestPagerDutyIncidentsAndActivities(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	pd := &ds.PagerDuty
	inc := func(id, team string, created, ack, resolved time.Time, assignees ...string) {
		pd.Incidents = append(pd.Incidents, &simulation.Incident{ID: id, Number: len(pd.Incidents) + 1, Title: "incident " + id,
			Urgency: "high", ServiceID: "PCHK001", TeamIDs: []string{team}, EscalationPolicyID: "PEP1",
			Assignees: assignees, CreatedAt: created, AcknowledgedAt: ack, ResolvedAt: resolved})
	}
	le := func(id, typ, incident string, at time.Time, agentType, agent, user, channel, notification string) {
		pd.LogEntries = append(pd.LogEntries, &simulation.LogEntry{ID: id, Type: typ, IncidentID: incident, CreatedAt: at,
			AgentType: agentType, AgentID: agent, UserID: user, ChannelType: channel, NotificationType: notification})
	}
	t1 := sourcetest.Ago(1)
	inc("Q1", "PTPLAT1", t1, t1.Add(2*time.Minute), t1.Add(30*time.Minute))
	le("R01", "trigger_log_entry", "Q1", t1, "service_reference", "PCHK001", "", "api", "")
	le("R02", "notify_log_entry", "Q1", t1.Add(5*time.Second), "service_reference", "PCHK001", "PBOB001", "sms", "")
	le("R03", "notify_log_entry", "Q1", t1.Add(10*time.Second), "service_reference", "PCHK001", "PBOB001", "email", "")
	le("R04", "notify_log_entry", "Q1", t1.Add(15*time.Second), "service_reference", "PCHK001", "PBOB001", "notification", "email_notification")
	le("R05", "notify_log_entry", "Q1", t1.Add(30*time.Second), "service_reference", "PCHK001", "PBOB001", "notification", "push_notification")
	le("R06", "acknowledgement_log_entry", "Q1", t1.Add(2*time.Minute), "user_reference", "PBOB001", "", "mobile", "")
	le("R07", "acknowledge_log_entry", "Q1", t1.Add(3*time.Minute), "user_reference", "PALICE1", "", "web_ui", "")
	le("R08", "notify_log_entry", "Q1", t1.Add(40*time.Second), "service_reference", "PCHK001", "PDAN001", "phone", "")
	le("R09", "resolve_log_entry", "Q1", t1.Add(30*time.Minute), "service_reference", "PCHK001", "", "auto", "")
	// Created before the window, resolved inside it: fetched by ID.
	inc("Q2", "PTCORP1", sourcetest.Ago(10), sourcetest.Ago(9.9), sourcetest.Ago(2))
	le("R10", "resolve_log_entry", "Q2", sourcetest.Ago(2), "user_reference", "PALICE1", "", "web_ui", "")
	// Open, older than the window, assigned to alice.
	inc("Q3", "PTPLAT1", sourcetest.Ago(20), sourcetest.Ago(19.9), time.Time{}, "PALICE1", "PDAN001")
	le("R11", "annotate_log_entry", "Q3", sourcetest.Ago(3), "user_reference", "PALICE1", "", "note", "")
	// Outside the teams scope: ignored, with its log entries.
	inc("Q4", "PTMKT01", sourcetest.Ago(1), time.Time{}, time.Time{}, "PBOB001")
	le("R12", "notify_log_entry", "Q4", sourcetest.Ago(1), "service_reference", "PWEB001", "PBOB001", "sms", "")
	// Resolved before the window: not tracked.
	inc("Q5", "PTPLAT1", sourcetest.Ago(30), sourcetest.Ago(29.9), sourcetest.Ago(29))

	run, cfg := sourcetest.Setup(t, ds, pagerdutyOnly)
	snap := fetch(t, cfg, "pagerduty")

	var keys []string
	for _, it := range snap.Items {
		keys = append(keys, it.Key)
	}
	if want := []string{"Q1", "Q2", "Q3"}; !slices.Equal(keys, want) {
		t.Errorf("tracked incidents: %v, want %v", keys, want)
	}
	if snap.Emails["alice@acme.example"] != "PALICE1" || len(snap.Emails) != 1 {
		t.Errorf("e-mail resolution: %v", snap.Emails)
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for _, tc := range []struct {
		key  string
		want []string
	}{
		{"Q1", []string{
			"PBOB001 notified " + ts(t1.Add(5*time.Second)),
			"PBOB001 notified " + ts(t1.Add(30*time.Second)),
			"PDAN001 notified " + ts(t1.Add(40*time.Second)),
			"PBOB001 acknowledged " + ts(t1.Add(2*time.Minute)),
			"PALICE1 acknowledged " + ts(t1.Add(3*time.Minute)),
		}},
		{"Q2", []string{"PALICE1 resolved " + ts(sourcetest.Ago(2))}},
		{"Q3", []string{"PALICE1 annotated " + ts(sourcetest.Ago(3))}},
	} {
		idx, _ := sourcetest.Item(t, snap, tc.key)
		if got := sourcetest.Actions(snap, idx); !slices.Equal(got, tc.want) {
			t.Errorf("%s activities:\n got %q\nwant %q", tc.key, got, tc.want)
		}
	}
	_, q1 := sourcetest.Item(t, snap, "Q1")
	if q1.FirstAcknowledgedAt != t1.Add(2*time.Minute).Unix() || q1.ResolveLoggedAt != t1.Add(30*time.Minute).Unix() || q1.Open {
		t.Errorf("Q1 times: %+v", q1)
	}
	_, q2 := sourcetest.Item(t, snap, "Q2")
	if q2.ClosedAt != sourcetest.Ago(2).Unix() || q2.Open || q2.Teams[0].Name != "Corp IT" {
		t.Errorf("Q2: %+v", q2)
	}
	_, q3 := sourcetest.Item(t, snap, "Q3")
	if !q3.Open || !slices.Equal(q3.Assignees, []string{"PALICE1", "PDAN001"}) || q3.Service.Name != "Checkout" {
		t.Errorf("Q3: %+v", q3)
	}
	if got := sourcetest.RequestsTo(run, "pagerduty", "/incidents/"); len(got) != 1 || got[0].Path != "/incidents/Q2" {
		t.Errorf("incidents fetched by ID: %+v", got)
	}
	for _, r := range sourcetest.RequestsTo(run, "pagerduty", "/log_entries") {
		if q, _ := url.ParseQuery(r.Query); q.Get("is_overview") == "true" || q.Get("limit") != "100" {
			t.Errorf("log entries must be read with is_overview=false and limit=100: %s", r.Query)
		}
	}
}

// TestPagerDutyOffsetCap lists more log entries than PagerDuty's 10,000
// offset cap allows in one range: the collector splits the time range and
// gets every entry, and never asks past the cap.
func TestPagerDutyOffsetCap(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	pd := &ds.PagerDuty
	pd.Incidents = []*simulation.Incident{{ID: "QBIG", Number: 1, Title: "flapping", Urgency: "high",
		ServiceID: "PCHK001", TeamIDs: []string{"PTPLAT1"}, CreatedAt: sourcetest.Ago(6.9), AcknowledgedAt: sourcetest.Ago(6.8)}}
	const n = 10050
	step := sourcetest.Days(6.8) / n
	for i := 0; i < n; i++ {
		pd.LogEntries = append(pd.LogEntries, &simulation.LogEntry{ID: "R" + strconv.Itoa(i), Type: "notify_log_entry",
			IncidentID: "QBIG", CreatedAt: sourcetest.Ago(6.85).Add(time.Duration(i) * step).Truncate(time.Second),
			AgentType: "service_reference", AgentID: "PCHK001", UserID: "PBOB001", ChannelType: "sms"})
	}
	run, cfg := sourcetest.Setup(t, ds, pagerdutyOnly)
	snap := fetch(t, cfg, "pagerduty")
	if got := len(snap.Activities); got != n {
		t.Errorf("notifications collected: %d, want %d", got, n)
	}
	reqs := sourcetest.RequestsTo(run, "pagerduty", "/log_entries")
	for _, r := range reqs {
		q, _ := url.ParseQuery(r.Query)
		off, _ := strconv.Atoi(q.Get("offset"))
		if r.Status != 200 || off+100 > simulation.PagerDutyMaxOffset {
			t.Errorf("request past the cap or failed: %d %s", r.Status, r.Query)
		}
	}
	// The lower bound is ceil(10050/100) = 101 pages; splitting costs a
	// few first pages more.
	if len(reqs) < 101 || len(reqs) > 110 {
		t.Errorf("log entry requests: %d, want between 101 and 110", len(reqs))
	}
	t.Logf("%d log entries in %d requests", n, len(reqs))
}

func TestPagerDutyOpenIncidentsOlderThanWindowAndScope(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	for i := 0; i < 250; i++ { // three pages of open incidents, half out of scope
		team := "PTPLAT1"
		if i%2 == 1 {
			team = "PTMKT01"
		}
		ds.PagerDuty.Incidents = append(ds.PagerDuty.Incidents, &simulation.Incident{ID: fmt.Sprintf("Q%03d", i), Number: i,
			Urgency: "low", ServiceID: "PCHK001", TeamIDs: []string{team}, CreatedAt: sourcetest.Ago(30 + float64(i)/10)})
	}
	_, cfg := sourcetest.Setup(t, ds, pagerdutyOnly)
	snap := fetch(t, cfg, "pagerduty")
	if len(snap.Items) != 125 {
		t.Errorf("open incidents in scope: %d, want 125", len(snap.Items))
	}
	for _, it := range snap.Items {
		if !it.Open || it.Kind != model.KindIncident {
			t.Errorf("%s: %+v", it.Key, it)
		}
	}
}

// TestPagerDutyWindowLongerThanSixMonths: PagerDuty's /incidents serves at
// most six months between since and until, and the simulation refuses a
// longer range as PagerDuty does. A 400-day window is listed in ranges of
// at most 180 days, and every incident created within it is tracked.
func TestPagerDutyWindowLongerThanSixMonths(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	for i := 0; i < 40; i++ { // one every 10 days, closed
		at := sourcetest.Ago(float64(i)*10 + 1)
		ds.PagerDuty.Incidents = append(ds.PagerDuty.Incidents, &simulation.Incident{ID: fmt.Sprintf("Q%02d", i), Number: i + 1,
			Urgency: "high", ServiceID: "PCHK001", TeamIDs: []string{"PTPLAT1"}, CreatedAt: at, ResolvedAt: at.Add(time.Hour)})
	}
	run, cfg := sourcetest.Setup(t, ds, "window: 400d\n"+pagerdutyOnly)
	w := collectors.Window{Start: sourcetest.End.Add(-sourcetest.Days(400)), End: sourcetest.End}
	snap, err := sourceOf(t, cfg, "pagerduty").Fetch(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Items) != 40 {
		t.Errorf("incidents tracked: %d, want 40", len(snap.Items))
	}
	ranges := 0
	for _, r := range sourcetest.RequestsTo(run, "pagerduty", "/incidents") {
		q, _ := url.ParseQuery(r.Query)
		if q.Get("date_range") == "all" {
			continue
		}
		ranges++
		since, _ := time.Parse(time.RFC3339, q.Get("since"))
		until, _ := time.Parse(time.RFC3339, q.Get("until"))
		if r.Status != 200 || until.After(since.AddDate(0, 6, 0)) {
			t.Errorf("/incidents %s: %d, a range of %v", r.Query, r.Status, until.Sub(since))
		}
	}
	if ranges != 3 { // 180 + 180 + 40 days
		t.Errorf("incident ranges asked: %d, want 3", ranges)
	}

	// The simulation refuses what the exporter never asks: a range longer
	// than six months answers PagerDuty's 400.
	req, _ := http.NewRequest(http.MethodGet, run.PagerDutyURL()+"/incidents?since=2025-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", nil)
	req.Header.Set("Authorization", "Token token="+run.PagerDutyToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a year's range: %d, want 400", resp.StatusCode)
	}
}

// TestPagerDutyRangeRefusedIsSplit: a 400 on the first page of a range is
// PagerDuty refusing the range; the exporter asks for its halves instead
// of failing the source.
func TestPagerDutyRangeRefusedIsSplit(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	ds.PagerDuty.Incidents = []*simulation.Incident{{ID: "Q1", Number: 1, Urgency: "high", ServiceID: "PCHK001",
		TeamIDs: []string{"PTPLAT1"}, CreatedAt: sourcetest.Ago(2), ResolvedAt: sourcetest.Ago(1.9)}}
	run, cfg := sourcetest.Setup(t, ds, pagerdutyOnly)
	src := sourceOf(t, cfg, "pagerduty").(*Source)
	// Only the range listing runs here, so the one 400 is its first page.
	run.SetFault(simulation.Fault{API: "pagerduty", PathPrefix: "/incidents", Status: http.StatusBadRequest, Times: 1,
		Body: `{"error":{"message":"Invalid Input Provided","code":2001,"errors":[" is invalid."]}}`})
	list, err := src.incidentsCreated(t.Context(), sourcetest.Window.Start, sourcetest.Window.End)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("incidents: %d, want 1", len(list))
	}
	if n := len(sourcetest.RequestsTo(run, "pagerduty", "/incidents")); n != 3 {
		t.Errorf("/incidents requests: %d, want 3 (the refused range, then its halves)", n)
	}
}

// TestPagerDutyErrorsKeepTheirType: go-pagerduty formats a transport
// error with %v; the exporter puts the cause back, so that a pause for a
// rate limit and a cancelled refresh are told apart from an outage.
func TestPagerDutyErrorsKeepTheirType(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.PagerDutyBase(), pagerdutyOnly)
	src := sourceOf(t, cfg, "pagerduty")
	// A 429 asking for ten minutes: longer than a refresh waits inline.
	run.SetFault(simulation.Fault{API: "pagerduty", Status: http.StatusTooManyRequests, Header: map[string]string{"ratelimit-reset": "600"}})
	_, err := src.Fetch(t.Context(), sourcetest.Window)
	var te *apiclient.ThrottledError
	if !errors.As(err, &te) {
		t.Errorf("rate limited: %v (%T), want a *apiclient.ThrottledError in the chain", err, err)
	}
	run.ClearFault()

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = sourceOf(t, cfg, "pagerduty").Fetch(ctx, sourcetest.Window)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v (%T), want context.Canceled in the chain", err, err)
	}
}

// TestResolveErrorsQuoteNoAddress: a users request that fails, with the
// address in its query, gives an error that quotes no address, as text or
// URL-escaped (issue 17): an answer with an error status, and no answer at
// all, whose error (a *url.Error) quotes the request's URL.
func TestResolveErrorsQuoteNoAddress(t *testing.T) {
	for _, refused := range []bool{false, true} {
		run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
		run.SetFault(simulation.Fault{API: "pagerduty", PathPrefix: "/users", Status: 500})
		if refused {
			cfg.SetEndpoint("pagerduty", "http://127.0.0.1:1/pagerduty", config.Secret(run.PagerDutyToken))
		}
		_, err := sourceOf(t, cfg, model.SourcePagerDuty).Fetch(context.Background(), collectors.Window{Start: sourcetest.Ago(7), End: sourcetest.End})
		if err == nil {
			t.Fatalf("refused %v: no error", refused)
		}
		if refused && !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("the refused request's error does not quote its URL, so this proves nothing: %v", err)
		}
		if strings.Contains(err.Error(), "alice@acme.example") || strings.Contains(err.Error(), "alice%40acme.example") {
			t.Errorf("refused %v: %v", refused, err)
		}
	}
}
