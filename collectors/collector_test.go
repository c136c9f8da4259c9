package collectors

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// goldenDataset is small enough that every number in
// testdata/exposition.prom can be checked by hand.
func goldenDataset() *simulation.Dataset {
	alice := simulation.User{Login: "alice-sre"}
	bob := simulation.User{Login: "bob-ops"}
	bot := simulation.User{Login: "renovate[bot]", Bot: true}
	ds := pdBase()
	ds.GitHub.Owners = []*simulation.Owner{
		{Login: "acme", IsOrg: true, Repos: []*simulation.Repo{{
			Name: "infra",
			Issues: []*simulation.Issue{
				// product: opened and closed in the window, by alice and bob
				{Number: 1, Title: "Upgrade EKS", User: alice, CreatedAt: ago(3), UpdatedAt: ago(1), ClosedAt: ago(1)},
				// security (label): open, assigned to both
				{Number: 2, Title: "Rotate keys", Labels: []string{"Security"}, User: bob, Assignees: []string{"alice-sre", "bob-ops"}, CreatedAt: ago(2), UpdatedAt: ago(2)},
				// product PR by a bot, merged by bob
				{Number: 3, Title: "Bump x", PR: true, User: bot, CreatedAt: ago(2), UpdatedAt: ago(1), ClosedAt: ago(1), MergedAt: ago(1)},
				// product, open, older than the window, assigned to alice
				{Number: 4, Title: "Old task", User: alice, Assignees: []string{"alice-sre"}, CreatedAt: ago(60), UpdatedAt: ago(50)},
			},
			Comments: []*simulation.Comment{{ID: 1, Issue: 1, User: bob, CreatedAt: ago(2), UpdatedAt: ago(2)}},
			Events: []*simulation.Event{
				{ID: 1, Issue: 1, Actor: alice, Event: "closed", CreatedAt: ago(1)},
				{ID: 2, Issue: 3, Actor: bob, Event: "merged", CreatedAt: ago(1)},
				{ID: 3, Issue: 3, Actor: bob, Event: "closed", CreatedAt: ago(1)},
			},
		}}},
		{Login: "acme-corp", IsOrg: true, Repos: []*simulation.Repo{{
			Name:   "handbook", // no rule matches: unclassified
			Issues: []*simulation.Issue{{Number: 1, Title: "Typos", User: bob, CreatedAt: ago(1), UpdatedAt: ago(1)}},
		}}},
	}
	pd := &ds.PagerDuty
	pd.Incidents = []*simulation.Incident{
		{ID: "Q1", Number: 1, Title: "Checkout down", Urgency: "high", ServiceID: "PCHK001", TeamIDs: []string{"PTPLAT1"},
			CreatedAt: ago(1), AcknowledgedAt: ago(0.99), ResolvedAt: ago(0.9)},
		{ID: "Q2", Number: 2, Title: "GuardDuty finding", Urgency: "low", ServiceID: "PCHK001", TeamIDs: []string{"PTCORP1"},
			Assignees: []string{"PALICE1"}, CreatedAt: ago(0.5), AcknowledgedAt: ago(0.4)},
	}
	pd.LogEntries = []*simulation.LogEntry{
		{ID: "R1", Type: "notify_log_entry", IncidentID: "Q1", CreatedAt: ago(1), AgentType: "service_reference", AgentID: "PCHK001", UserID: "PBOB001", ChannelType: "sms"},
		{ID: "R2", Type: "acknowledge_log_entry", IncidentID: "Q1", CreatedAt: ago(0.99), AgentType: "user_reference", AgentID: "PBOB001", ChannelType: "mobile"},
		{ID: "R3", Type: "resolve_log_entry", IncidentID: "Q1", CreatedAt: ago(0.9), AgentType: "user_reference", AgentID: "PBOB001", ChannelType: "web_ui"},
		{ID: "R4", Type: "acknowledge_log_entry", IncidentID: "Q2", CreatedAt: ago(0.4), AgentType: "user_reference", AgentID: "PALICE1", ChannelType: "mobile"},
	}
	return ds
}

func newTestRefresher(t *testing.T, cfg *config.Config, reg *prometheus.Registry, now func() time.Time) (*Refresher, *syncBuffer) {
	t.Helper()
	api := apiclient.NewMetrics(reg)
	logger, logs := testLogger()
	sources, err := NewSources(cfg, api, logger)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRefresher(cfg, sources, api, logger, now)
	reg.MustRegister(NewCollector(r.View))
	return r, logs
}

// goldenConfig is testConfig with a duty inventory, so that the golden
// file holds every metric of the contract: one duty of 10 hours a week
// shared by alice and bob is 0.125 FTE each in security, and 0.25 for
// corporate-sre.
const goldenConfig = testConfig + `inventory:
  - {name: account vending review, domain: security, owners: [alice, bob], every: 1w, hours: 10}
`

// TestExposition compares the whole /metrics output of a refresh with a
// golden file, and lints it.
func TestExposition(t *testing.T) {
	run, cfg := testSetup(t, goldenDataset(), goldenConfig)
	reg := prometheus.NewRegistry()
	r, _ := newTestRefresher(t, cfg, reg, fixedClock(testEnd))
	if r.Ready() {
		t.Error("ready before the first refresh")
	}
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !r.Ready() {
		t.Error("not ready after every source refreshed")
	}
	golden, err := os.ReadFile("testdata/exposition.prom")
	if err != nil {
		t.Fatal(err)
	}
	// The golden file holds every metric but the rate-limit gauges, whose
	// reset time follows the clock; TestRateLimitMetrics covers those.
	var names []string
	for _, line := range strings.Split(string(golden), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			names = append(names, f[2])
		}
	}
	if err := testutil.GatherAndCompare(reg, bytes.NewReader(golden), names...); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	_ = run
}

// TestAPIFailuresKeepLastGoodData: 401, 403, 5xx and malformed JSON turn
// source_up to 0, log the status and endpoint once, never the token, and
// keep serving the last good data.
func TestAPIFailuresKeepLastGoodData(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fault    simulation.Fault
		source   string
		wantLog  string
		wantKind Kind
	}{
		{"github 401", simulation.Fault{API: "github", Status: 401}, "github", "401 Unauthorized", KindUnauthorized},
		// One repository's 403: a partial refresh.
		{"github 403", simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues/events", Status: 403}, "github", "issues/events?per_page=100: 403 Forbidden", KindPartial},
		{"github 502", simulation.Fault{API: "github", PathPrefix: "/repos/", Status: 502}, "github", "502", KindTransient},
		{"github malformed JSON", simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues", Status: 200, Body: `[{"number": 1, "title": `}, "github", "unexpected EOF", KindPartial},
		{"pagerduty 401", simulation.Fault{API: "pagerduty", Status: 401}, "pagerduty", "HTTP response failed with status code 401", KindUnauthorized},
		{"pagerduty 500", simulation.Fault{API: "pagerduty", PathPrefix: "/log_entries", Status: 500}, "pagerduty", "GET /log_entries: 500", KindTransient},
		{"pagerduty malformed JSON", simulation.Fault{API: "pagerduty", PathPrefix: "/incidents", Status: 200, Body: `{"incidents": [{"id": 5}]}`}, "pagerduty", "GET /incidents", KindOther},
		{"pagerduty non-string channel type", simulation.Fault{API: "pagerduty", PathPrefix: "/log_entries", Status: 200, Body: `{"log_entries": [{"id": "R1", "channel": {"type": 5}}], "more": false}`}, "pagerduty", "panic", KindOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, cfg := testSetup(t, goldenDataset(), testConfig)
			reg := prometheus.NewRegistry()
			r, logs := newTestRefresher(t, cfg, reg, fixedClock(testEnd))
			if err := r.RefreshAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			before := r.View().Analysis

			run.SetFault(tc.fault)
			if err := r.RefreshAll(context.Background()); err == nil {
				t.Fatal("the refresh should fail")
			}
			v := r.View()
			for _, s := range v.Sources {
				if want := s.Name != tc.source; s.Up != want {
					t.Errorf("%s up = %v, want %v", s.Name, s.Up, want)
				}
				if s.LastSuccess.IsZero() {
					t.Errorf("%s lost its last success time", s.Name)
				}
			}
			if got := v.Analysis.Items; len(got) != len(before.Items) {
				t.Errorf("the last good data was not kept: %v vs %v", got, before.Items)
			}
			for k, c := range before.Items {
				if v.Analysis.Items[k] != c {
					t.Errorf("%v changed from %v to %v", k, c, v.Analysis.Items[k])
				}
			}
			if got := gathered(t, reg, "sre_workload_source_up", tc.source); got != 0 {
				t.Errorf("sre_workload_source_up{source=%q} = %v", tc.source, got)
			}
			out := logs.String()
			// One repository failing is a partial refresh: the others'
			// data is published, and the line says so.
			if n := strings.Count(out, "refresh failed") + strings.Count(out, "refresh partly failed"); n != 1 {
				t.Errorf("want one line for the failed refresh, got:\n%s", out)
			}
			if !strings.Contains(out, tc.wantLog) {
				t.Errorf("log lacks %q:\n%s", tc.wantLog, out)
			}
			if want := "kind=" + string(tc.wantKind); !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
			for _, tok := range []string{run.GitHubToken, run.PagerDutyToken} {
				if strings.Contains(out, tok) {
					t.Errorf("a token reached the log:\n%s", out)
				}
			}

			run.ClearFault()
			if err := r.RefreshAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, s := range r.View().Sources {
				if !s.Up {
					t.Errorf("%s still down after the fault cleared", s.Name)
				}
			}
		})
	}
}

// gathered returns the value of the gauge with the given name and source
// label, as a scrape would see it.
func gathered(t *testing.T, reg *prometheus.Registry, name, source string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "source" && l.GetValue() == source {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{source=%q}", name, source)
	return 0
}
