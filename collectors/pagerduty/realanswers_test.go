package pagerduty

// The documented example responses of every endpoint the exporter reads
// (testdata/api, sources in testdata/api/README.md), served as they are
// documented and decoded by the client libraries the exporter uses, then
// turned into the exporter's own values. A test fails when a library or a
// conversion stops reading what the APIs document.

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

func realAnswerPagerDuty(t *testing.T, yml string, answers ...sourcetest.Answer) (*Source, func(string) int) {
	t.Helper()
	srv, count := sourcetest.AnswerServer(t, "application/json", answers...)
	cfg, err := config.ParseWithoutSecrets([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	c := pagerduty.NewClient("tok", pagerduty.WithAPIEndpoint(srv.URL))
	return &Source{cfg: cfg.PagerDuty, client: c, hc: http.DefaultClient, maxOffset: pagerdutyMaxOffset, state: newState()}, count
}

const realAnswerPDConfig = "pagerduty: {token_env: T, teams: [Engineering]}\ndomains: [{name: d}]\n"

func TestRealAnswersPagerDutyIncidents(t *testing.T) {
	ctx := context.Background()
	s, _ := realAnswerPagerDuty(t, realAnswerPDConfig, sourcetest.AnswerOK("GET", "/incidents", "pagerduty/list-incidents.json"))
	resp, err := s.client.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
		DateRange: "all", Statuses: []string{"triggered", "acknowledged"}, Limit: pagerdutyLimit, TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.More || resp.Limit != 1 || resp.Offset != 0 || len(resp.Incidents) != 1 {
		t.Fatalf("more %v limit %d offset %d, %d incidents; want true 1 0, 1", resp.More, resp.Limit, resp.Offset, len(resp.Incidents))
	}
	recs := s.records(resp.Incidents)
	want := incidentRec{id: "PT4KHLK", inScope: true, item: &model.Item{
		Source:           model.SourcePagerDuty,
		Kind:             model.KindIncident,
		Key:              "PT4KHLK",
		Title:            "The server is on fire.",
		URL:              "https://subdomain.pagerduty.com/incidents/PT4KHLK",
		Open:             false,      // status resolved
		CreatedAt:        1444167042, // 2015-10-06T21:30:42Z
		UpdatedAt:        1444167623, // 2015-10-06T21:40:23Z
		ClosedAt:         1444167503, // resolved_at 2015-10-06T21:38:23Z
		Service:          model.Ref{ID: "PIJ90N7", Name: "My Mail Service"},
		EscalationPolicy: model.Ref{ID: "PT20YPA", Name: "Another Escalation Policy"},
		Urgency:          "high",
		// The example's priority reference has a summary and no name;
		// its resolve_reason is null.
		Priority: model.Ref{ID: "P53ZZH5", Name: "P2"},
		Teams:    []model.Ref{{ID: "PQ9K7I8", Name: "Engineering"}},
	}}
	if len(recs) != 1 || !reflect.DeepEqual(recs[0], want) {
		t.Errorf("record:\n got %+v %+v\nwant %+v %+v", recs[0], recs[0].item, want, want.item)
	}

	// Out of the services scope: kept as an ID only.
	other, _ := realAnswerPagerDuty(t, "pagerduty: {token_env: T, services: [Other Service]}\ndomains: [{name: d}]\n")
	if r := other.record(&resp.Incidents[0]); r.inScope || r.item != nil || r.id != "PT4KHLK" {
		t.Errorf("out of scope: %+v", r)
	}
}

func TestRealAnswersPagerDutyIncident(t *testing.T) {
	ctx := context.Background()
	s, _ := realAnswerPagerDuty(t, realAnswerPDConfig, sourcetest.AnswerOK("GET", "/incidents/PT4KHLK", "pagerduty/get-incident.json"))
	in, err := s.client.GetIncidentWithContext(ctx, "PT4KHLK")
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != "acknowledged" || in.ResolvedAt != "" || in.IncidentNumber != 1234 {
		t.Errorf("status %q resolved_at %q number %d", in.Status, in.ResolvedAt, in.IncidentNumber)
	}
	if len(in.Acknowledgements) != 1 || in.Acknowledgements[0].Acknowledger.ID != "PXPGF42" {
		t.Errorf("acknowledgements %+v", in.Acknowledgements)
	}
	if len(in.IncidentResponders) != 1 || len(in.ResponderRequests) != 1 {
		t.Errorf("%d responders, %d responder requests; want 1 and 1", len(in.IncidentResponders), len(in.ResponderRequests))
	}
	st := newState()
	s.keep(st, in)
	it := st.Incidents["PT4KHLK"]
	if it == nil {
		t.Fatalf("incident not kept: %+v", st)
	}
	want := model.Item{
		Source:           model.SourcePagerDuty,
		Kind:             model.KindIncident,
		Key:              "PT4KHLK",
		Title:            "The server is on fire.",
		URL:              "https://subdomain.pagerduty.com/incidents/PT4KHLK",
		Open:             true, // acknowledged
		CreatedAt:        1444167042,
		UpdatedAt:        1444167623,
		Service:          model.Ref{ID: "PIJ90N7", Name: "My Mail Service"},
		EscalationPolicy: model.Ref{ID: "PT20YPA", Name: "Another Escalation Policy"},
		Urgency:          "high",
		// The example's priority reference has a summary and no name;
		// its resolve_reason is null.
		Priority:  model.Ref{ID: "P53ZZH5", Name: "P2"},
		Teams:     []model.Ref{{ID: "PQ9K7I8", Name: "Engineering"}},
		Assignees: []string{"PXPGF42"},
	}
	if !reflect.DeepEqual(*it, want) {
		t.Errorf("incident:\n got %+v\nwant %+v", *it, want)
	}
}

func TestRealAnswersPagerDutyLogEntries(t *testing.T) {
	ctx := context.Background()
	s, _ := realAnswerPagerDuty(t, realAnswerPDConfig, sourcetest.AnswerOK("GET", "/log_entries", "pagerduty/list-log-entries.json"))
	resp, err := s.client.ListLogEntriesWithContext(ctx, pagerduty.ListLogEntriesOptions{
		Since: "2015-11-01T00:00:00Z", Until: "2015-11-08T00:00:00Z", Limit: pagerdutyLimit, Total: true, TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	// No total in the example, although asked for: it decodes as 0.
	if !resp.More || resp.Total != 0 || len(resp.LogEntries) != 1 {
		t.Fatalf("more %v total %d, %d entries; want true 0, 1", resp.More, resp.Total, len(resp.LogEntries))
	}
	e := &resp.LogEntries[0]
	if e.ID != "Q02JTSNZWHSEKV" || e.Channel.Type != "api" {
		t.Errorf("entry %q channel %q", e.ID, e.Channel.Type)
	}
	// A trigger by a service: no user acted.
	want := LogEntry{Incident: "PT4KHLK", Type: "trigger_log_entry", At: 1446855260} // 2015-11-07T00:14:20Z
	if got := logEntry(e); got != want {
		t.Errorf("logEntry %+v, want %+v", got, want)
	}
}

func TestRealAnswersPagerDutyUsers(t *testing.T) {
	ctx := context.Background()
	s, count := realAnswerPagerDuty(t, realAnswerPDConfig, sourcetest.AnswerOK("GET", "/users", "pagerduty/list-users.json"))
	resp, err := s.client.ListUsersWithContext(ctx, pagerduty.ListUsersOptions{Query: "greenholt", Limit: pagerdutyLimit})
	if err != nil {
		t.Fatal(err)
	}
	// total: null decodes as 0.
	if resp.More || resp.Limit != 25 || resp.Total != 0 || len(resp.Users) != 2 {
		t.Fatalf("more %v limit %d total %d, %d users", resp.More, resp.Limit, resp.Total, len(resp.Users))
	}
	if u := resp.Users[1]; u.ID != "PAM4FGS" || u.Email != "126_dvm_kyler_kuhn@beahan.name" || u.Name != "Kyler Kuhn" {
		t.Errorf("user %+v", u)
	}
	// The exporter's resolution of addresses, case-insensitive.
	emails, err := s.resolveEmails(ctx, []string{"125.Greenholt.Earline@graham.name", "nobody@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"125.Greenholt.Earline@graham.name": "PXPGF42"}; !reflect.DeepEqual(emails, want) {
		t.Errorf("emails %v, want %v", emails, want)
	}
	if n := count("/users"); n != 3 {
		t.Errorf("%d requests to /users, want 3", n)
	}
}

// PagerDuty documents one error example for these endpoints: the error
// member of the generic error response (components/responses/Conflict),
// which their 400, 401, 402, 403, 404 and 429 answers all refer to. It is
// served here as the body the schema describes: {"error": <example>}.
func TestRealAnswersPagerDutyErrors(t *testing.T) {
	ctx := context.Background()
	wrap := func(b []byte) []byte { return []byte(`{"error":` + string(b) + `}`) }
	notFoundAnswer := sourcetest.Answer{Method: "GET", Path: "/incidents/PGONE", Status: http.StatusNotFound, File: "pagerduty/error-object.json", Body: wrap}
	limited := sourcetest.Answer{Method: "GET", Path: "/log_entries", Status: http.StatusTooManyRequests, File: "pagerduty/error-object.json", Body: wrap}
	s, _ := realAnswerPagerDuty(t, realAnswerPDConfig, notFoundAnswer, limited)

	_, err := s.client.GetIncidentWithContext(ctx, "PGONE")
	var apiErr pagerduty.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %v (%T), want a pagerduty.APIError", err, err)
	}
	if apiErr.StatusCode != 404 || !apiErr.APIError.Valid || apiErr.APIError.ErrorObject.Code != 2100 || apiErr.APIError.ErrorObject.Message != "Not Found" {
		t.Errorf("APIError %+v", apiErr)
	}
	if !notFound(err) {
		t.Error("notFound: false for the documented 404")
	}

	_, err = s.client.ListLogEntriesWithContext(ctx, pagerduty.ListLogEntriesOptions{Limit: pagerdutyLimit})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.APIError.ErrorObject.Code != 2100 {
		t.Fatalf("err %v, want APIError 429 code 2100", err)
	}
	// go-pagerduty's NotFound is true for error code 2100 whatever the
	// status, and PagerDuty documents that very body (Not Found, 2100) for
	// its 400, 401, 402, 403 and 429 answers too. The exporter's notFound
	// goes by the status, so a 429 with it is not a deleted incident.
	if notFound(err) {
		t.Error("notFound: true for the documented body on a 429; it would drop the incident as deleted")
	}
	if !apiErr.RateLimited() {
		t.Error("RateLimited: false for a 429")
	}
	if msg := s.wrap(err, "/log_entries").Error(); !strings.Contains(msg, "429") || !strings.Contains(msg, "Not Found") || !strings.Contains(msg, "2100") {
		t.Errorf("wrapped error %q", msg)
	}
}
