// Package sourcetest is what the tests of the sources, the refresh and the
// exposition share: a small world served by the simulation (Golden, whose
// every number in the golden exposition can be checked by hand), its
// config, a fixed clock, a log sink, and a refresher over sources that the
// caller builds. Only tests import it.
package sourcetest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// End is the end of the window in these tests; the window is 7 days.
var End = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var Window = collectors.Window{Start: End.Add(-7 * 24 * time.Hour), End: End}

func Days(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

// ago is a time n days before the end of the test window.
func Ago(n float64) time.Time { return End.Add(-Days(n)) }

const Config = `
window: 7d
github:
  token_env: UNUSED
  repositories: [acme/infra, acme-corp/*]
  exclude_repositories: ["acme-corp/*-old"]
  reconcile_interval: 0   # poll every repository at every refresh
pagerduty:
  token_env: UNUSED
  teams: [Platform, PTCORP1]
domains:
  - {name: product, proposed_team: product-sre}
  - {name: security, proposed_team: corporate-sre}
rules:
  - {name: security-labels, domain: security, labels: [security]}
  - {name: corp-incidents, domain: security, pagerduty_teams: [Corp IT]}
  - {name: infra, domain: product, repositories: ["acme/*"]}
  - {name: product-incidents, domain: product, source: pagerduty}
people:
  - {name: alice, github: [Alice-SRE], pagerduty: [alice@acme.example]}
  - {name: bob, github: [bob-ops], pagerduty: [PBOB001]}
`

// testSetup serves ds and returns a config pointed at it.
func Setup(t *testing.T, ds *simulation.Dataset, yml string) (*simulation.Running, *config.Config) {
	t.Helper()
	cfg, err := config.ParseWithoutSecrets([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	run, err := simulation.Serve(ds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	run.Configure(cfg)
	return run, cfg
}

func Item(t *testing.T, s *model.Snapshot, key string) (int32, *model.Item) {
	t.Helper()
	for i := range s.Items {
		if s.Items[i].Key == key {
			return int32(i), &s.Items[i]
		}
	}
	return -1, nil
}

// actions lists "actor action at" for the activities on one item.
func Actions(s *model.Snapshot, idx int32) []string {
	var out []string
	for _, a := range s.Activities {
		if a.Item == idx {
			out = append(out, a.Actor+" "+a.Action+" "+time.Unix(a.At, 0).UTC().Format(time.RFC3339))
		}
	}
	return out
}

// LogSink is a log sink that tests can read while the code writes.
type LogSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *LogSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *LogSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func Logger() (*slog.Logger, *LogSink) {
	buf := &LogSink{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func FixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func RequestsTo(run *simulation.Running, api, path string) []simulation.Request {
	var out []simulation.Request
	for _, r := range run.Requests() {
		if r.API == api && strings.HasPrefix(r.Path, path) {
			out = append(out, r)
		}
	}
	return out
}

// goldenDataset is small enough that every number in
// testdata/exposition.prom can be checked by hand.
func Golden() *simulation.Dataset {
	alice := simulation.User{Login: "alice-sre"}
	bob := simulation.User{Login: "bob-ops"}
	bot := simulation.User{Login: "renovate[bot]", Bot: true}
	ds := PagerDutyBase()
	ds.GitHub.Owners = []*simulation.Owner{
		{Login: "acme", IsOrg: true, Repos: []*simulation.Repo{{
			Name: "infra",
			Issues: []*simulation.Issue{
				// product: opened and closed in the window, by alice and bob
				{Number: 1, Title: "Upgrade EKS", User: alice, CreatedAt: Ago(3), UpdatedAt: Ago(1), ClosedAt: Ago(1)},
				// security (label): open, assigned to both
				{Number: 2, Title: "Rotate keys", Labels: []string{"Security"}, User: bob, Assignees: []string{"alice-sre", "bob-ops"}, CreatedAt: Ago(2), UpdatedAt: Ago(2)},
				// product PR by a bot, merged by bob
				{Number: 3, Title: "Bump x", PR: true, User: bot, CreatedAt: Ago(2), UpdatedAt: Ago(1), ClosedAt: Ago(1), MergedAt: Ago(1)},
				// product, open, older than the window, assigned to alice
				{Number: 4, Title: "Old task", User: alice, Assignees: []string{"alice-sre"}, CreatedAt: Ago(60), UpdatedAt: Ago(50)},
			},
			Comments: []*simulation.Comment{{ID: 1, Issue: 1, User: bob, CreatedAt: Ago(2), UpdatedAt: Ago(2)}},
			Events: []*simulation.Event{
				{ID: 1, Issue: 1, Actor: alice, Event: "closed", CreatedAt: Ago(1)},
				{ID: 2, Issue: 3, Actor: bob, Event: "merged", CreatedAt: Ago(1)},
				{ID: 3, Issue: 3, Actor: bob, Event: "closed", CreatedAt: Ago(1)},
			},
		}}},
		{Login: "acme-corp", IsOrg: true, Repos: []*simulation.Repo{{
			Name:   "handbook", // no rule matches: unclassified
			Issues: []*simulation.Issue{{Number: 1, Title: "Typos", User: bob, CreatedAt: Ago(1), UpdatedAt: Ago(1)}},
		}}},
	}
	pd := &ds.PagerDuty
	pd.Incidents = []*simulation.Incident{
		{ID: "Q1", Number: 1, Title: "Checkout down", Urgency: "high", ServiceID: "PCHK001", TeamIDs: []string{"PTPLAT1"},
			CreatedAt: Ago(1), AcknowledgedAt: Ago(0.99), ResolvedAt: Ago(0.9)},
		{ID: "Q2", Number: 2, Title: "GuardDuty finding", Urgency: "low", ServiceID: "PCHK001", TeamIDs: []string{"PTCORP1"},
			Assignees: []string{"PALICE1"}, CreatedAt: Ago(0.5), AcknowledgedAt: Ago(0.4)},
		// product, acknowledged after 0.05 days (4320 s) by dan, who is
		// nobody's account, then merged into Q1 while Q1 was open: opened
		// but not closed, in the time to acknowledge (product: 864 and
		// 4320 s, mean 2592, p50 864, p90 4320) but not in the time to
		// resolve.
		{ID: "Q3", Number: 3, Title: "Checkout latency", Urgency: "low", ServiceID: "PCHK001", TeamIDs: []string{"PTPLAT1"},
			CreatedAt: Ago(1), AcknowledgedAt: Ago(0.95), ResolvedAt: Ago(0.92), MergedInto: "Q1"},
	}
	pd.LogEntries = []*simulation.LogEntry{
		{ID: "R1", Type: "notify_log_entry", IncidentID: "Q1", CreatedAt: Ago(1), AgentType: "service_reference", AgentID: "PCHK001", UserID: "PBOB001", ChannelType: "sms"},
		{ID: "R2", Type: "acknowledge_log_entry", IncidentID: "Q1", CreatedAt: Ago(0.99), AgentType: "user_reference", AgentID: "PBOB001", ChannelType: "mobile"},
		{ID: "R3", Type: "resolve_log_entry", IncidentID: "Q1", CreatedAt: Ago(0.9), AgentType: "user_reference", AgentID: "PBOB001", ChannelType: "web_ui"},
		{ID: "R4", Type: "acknowledge_log_entry", IncidentID: "Q2", CreatedAt: Ago(0.4), AgentType: "user_reference", AgentID: "PALICE1", ChannelType: "mobile"},
		{ID: "R5", Type: "acknowledge_log_entry", IncidentID: "Q3", CreatedAt: Ago(0.95), AgentType: "user_reference", AgentID: "PDAN001", ChannelType: "mobile"},
		{ID: "R6", Type: "resolve_log_entry", IncidentID: "Q3", CreatedAt: Ago(0.92), AgentType: "user_reference", AgentID: "PDAN001", ChannelType: "web_ui"},
	}
	// On call: alice for the first half of the window (from before it),
	// bob for the second (on past its end), 84 hours each, a ratio of
	// 0.5; bob's day at level 2 within his half counts once, one shift.
	// Q1's page to bob, a day before the end, is a page on call.
	// alice's calendar (GoldenConfig reads it): a weekly security sync
	// from Tuesday 17 November 09:00 UTC, whose 24 November occurrence is
	// in the window; an all-day offsite and a vendor pitch she declined,
	// which are not meetings.
	ds.Calendars = []*simulation.Calendar{{Person: "alice", Name: "alice@acme.example", Zone: "UTC", Modified: Ago(10), Events: []*simulation.CalEvent{
		{UID: "sync@acme.example", Summary: "Security sync", Organizer: "security@acme.example", Attendees: []string{"alice@acme.example"},
			Start: time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC), Length: time.Hour, RRule: "FREQ=WEEKLY"},
		{UID: "offsite@acme.example", Summary: "Offsite", AllDay: true, Start: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Length: 24 * time.Hour},
		{UID: "pitch@acme.example", Summary: "Vendor pitch", Organizer: "vendors@acme.example", Attendees: []string{"alice@acme.example"},
			Declined: []string{"alice@acme.example"}, Start: time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC), Length: time.Hour},
	}}}
	pd.Schedules = []simulation.PDRef{{ID: "PSCH1", Name: "Primary rotation"}}
	pd.OnCalls = []*simulation.OnCall{
		{UserID: "PALICE1", EscalationPolicyID: "PEP1", Level: 1, ScheduleID: "PSCH1", Start: Ago(7.5), End: Ago(3.5)},
		{UserID: "PBOB001", EscalationPolicyID: "PEP1", Level: 1, ScheduleID: "PSCH1", Start: Ago(3.5), End: Ago(-0.5)},
		{UserID: "PBOB001", EscalationPolicyID: "PEP1", Level: 2, ScheduleID: "PSCH1", Start: Ago(2), End: Ago(1)},
	}
	return ds
}

// GoldenConfig is Config with a duty inventory and alice's calendar, so
// that the golden file holds every metric of the contract: one duty of 10
// hours a week shared by alice and bob is 0.125 FTE each in security, and
// 0.25 for corporate-sre; alice's security sync is a security meeting.
var GoldenConfig = strings.NewReplacer(
	"rules:\n", "rules:\n  - {name: security-meetings, domain: security, organizers: [\"security@*\"]}\n",
	"pagerduty: [alice@acme.example]}", "pagerduty: [alice@acme.example], calendar: {url_env: UNUSED}}",
).Replace(Config) + `calendar: {}
inventory:
  - {name: account vending review, domain: security, owners: [alice, bob], every: 1w, hours: 10}
`

// GoldenIdentities are the configured people's names, logins and e-mail
// addresses of Config and GoldenConfig: what a privacy mode must keep out
// of everything the process writes.
func GoldenIdentities() []string {
	return []string{`"alice"`, `"bob"`, "alice-sre", "bob-ops", "alice@acme.example", "bob@acme.example"}
}

func PagerDutyBase() *simulation.Dataset {
	return &simulation.Dataset{PagerDuty: simulation.PagerDutyData{
		Users: []simulation.PDUser{
			{ID: "PALICE1", Name: "Alice", Email: "alice@acme.example"},
			{ID: "PALICE2", Name: "Alice Other", Email: "alice@acme.example.org"},
			{ID: "PBOB001", Name: "Bob", Email: "bob@acme.example"},
			{ID: "PDAN001", Name: "Dan", Email: "dan@acme.example"},
		},
		Services:           []simulation.PDRef{{ID: "PCHK001", Name: "Checkout"}, {ID: "PWEB001", Name: "Website"}},
		Teams:              []simulation.PDRef{{ID: "PTPLAT1", Name: "Platform"}, {ID: "PTCORP1", Name: "Corp IT"}, {ID: "PTMKT01", Name: "Marketing"}},
		EscalationPolicies: []simulation.PDRef{{ID: "PEP1", Name: "Primary"}},
	}}
}

// gathered returns the value of the gauge with the given name and source
// label, as a scrape would see it.
func Gathered(t *testing.T, reg *prometheus.Registry, name, source string) float64 {
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

// Build builds the sources of a config; each test package passes its own.
type Build func(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) ([]collectors.Source, error)

// Constructor builds one source of a config, as github.New and
// pagerduty.New do.
type Constructor func(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) (collectors.Source, error)

// Sources is the Build that makes, of each source a config configures, the
// source its constructor builds, in config order. The sources' own tests
// cannot import cmd's list (nor sourcetest/sources, which imports them),
// so they pass their constructors here.
func Sources(kinds map[string]Constructor) Build {
	return func(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) ([]collectors.Source, error) {
		var out []collectors.Source
		for _, name := range cfg.Sources() {
			build, ok := kinds[name]
			if !ok {
				return nil, fmt.Errorf("no constructor for source %q", name)
			}
			s, err := build(cfg, api, logger)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
}

// SourceOf is the named source that build makes of cfg.
func SourceOf(t *testing.T, cfg *config.Config, name string, build Build) collectors.Source {
	t.Helper()
	all, err := build(cfg, apiclient.NewMetrics(nil), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Name() == name {
			return s
		}
	}
	t.Fatalf("no source %s", name)
	return nil
}

// Fetch is the snapshot of one fetch of the named source over Window.
func Fetch(t *testing.T, cfg *config.Config, name string, build Build) *model.Snapshot {
	t.Helper()
	snap, err := SourceOf(t, cfg, name, build).Fetch(context.Background(), Window)
	if err != nil {
		t.Fatalf("fetch %s: %v", name, err)
	}
	return snap
}

// Refresher is a refresher over the sources that build makes of cfg, with
// its API metrics registered in reg, and the log it writes.
func Refresher(t *testing.T, cfg *config.Config, reg *prometheus.Registry, now func() time.Time, build Build) (*refresh.Refresher, *LogSink) {
	t.Helper()
	api := apiclient.NewMetrics(reg)
	logger, logs := Logger()
	sources, err := build(cfg, api, logger)
	if err != nil {
		t.Fatal(err)
	}
	return refresh.NewRefresher(cfg, sources, api.Panics, logger, now), logs
}
