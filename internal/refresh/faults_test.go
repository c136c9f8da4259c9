package refresh_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"

	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/exposition"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// faultConfig is sourcetest.Config with a short request timeout.
var faultConfig = strings.Replace(strings.Replace(sourcetest.Config,
	"github:\n  token_env: UNUSED", "github:\n  token_env: UNUSED\n  request_timeout: 1s", 1),
	"pagerduty:\n  token_env: UNUSED", "pagerduty:\n  token_env: UNUSED\n  request_timeout: 1s", 1)

type faultCase struct {
	name  string
	fault simulation.Fault
	// prepare changes the data before the fault, so that the faulty
	// endpoint is asked for data rather than answered with a 304.
	prepare func(*simulation.Dataset)
	// outlasts is true when the fault outlasts the bounded retries, so
	// that the refresh fails; false when the refresh sits it out.
	outlasts bool
	// minWait is the least time the client must leave between the
	// faulty answer and its next request to that API.
	minWait time.Duration
}

// touch makes acme/infra#2 change, so that its issues are read again.
func touch(ds *simulation.Dataset) {
	ds.GitHub.Owners[0].Repos[0].Issues[1].UpdatedAt = sourcetest.Ago(0.02)
}

// manyIssues adds 150 issues to acme/infra: two pages.
func manyIssues(ds *simulation.Dataset) {
	repo := ds.GitHub.Owners[0].Repos[0]
	for n := 100; n < 250; n++ {
		repo.Issues = append(repo.Issues, &simulation.Issue{Number: n, Title: "filler", User: simulation.User{Login: "dev-dan"},
			CreatedAt: sourcetest.Ago(0.1), UpdatedAt: sourcetest.Ago(0.03)})
	}
}

// manyEntries adds 150 notifications to an incident, in the last 100 s
// before the refresh (after the log cursor): two pages.
func manyEntries(ds *simulation.Dataset) {
	for i := 0; i < 150; i++ {
		ds.PagerDuty.LogEntries = append(ds.PagerDuty.LogEntries, &simulation.LogEntry{ID: fmt.Sprintf("RX%03d", i),
			Type: "notify_log_entry", IncidentID: "Q1", CreatedAt: sourcetest.End.Add(-100*time.Second + time.Duration(i)*500*time.Millisecond).Truncate(time.Second),
			AgentType: "service_reference", AgentID: "PCHK001", UserID: "PBOB001", ChannelType: "sms"})
	}
}

var faultCases = []faultCase{
	{name: "github 503 burst within the retries", fault: simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues", Status: 503, Times: 3}, prepare: touch, minWait: 20 * time.Millisecond},
	{name: "github 502 outlasting the retries", fault: simulation.Fault{API: "github", PathPrefix: "/repos/", Status: 502}, prepare: touch, outlasts: true, minWait: 20 * time.Millisecond},
	{name: "pagerduty 500 outlasting the retries", fault: simulation.Fault{API: "pagerduty", Status: 500}, outlasts: true, minWait: 20 * time.Millisecond},
	{name: "connection reset", fault: simulation.Fault{API: "github", PathPrefix: "/repos/", Kind: simulation.FaultReset}, prepare: touch, outlasts: true},
	{name: "slower than the timeout", fault: simulation.Fault{API: "pagerduty", PathPrefix: "/log_entries", Kind: simulation.FaultSlow, Delay: 1500 * time.Millisecond}, outlasts: true},
	{name: "malformed JSON", fault: simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues", Status: 200, Body: `[{"number": 1, "title": `}, prepare: touch, outlasts: true},
	{name: "truncated body", fault: simulation.Fault{API: "pagerduty", PathPrefix: "/incidents", Kind: simulation.FaultTruncate}, outlasts: true},
	{name: "revoked token", fault: simulation.Fault{API: "github", Status: 401}, outlasts: true},
	{name: "github primary rate limit exhausted", fault: simulation.Fault{API: "github", Kind: simulation.FaultPrimaryExhausted, Delay: 2 * time.Second}, prepare: touch, minWait: time.Second},
	{name: "github secondary rate limit", fault: simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues", Status: 403, Header: map[string]string{"Retry-After": "2"}, Times: 1}, prepare: touch, minWait: 2 * time.Second},
	{name: "pagerduty 429 with ratelimit-reset", fault: simulation.Fault{API: "pagerduty", Status: 429, Header: map[string]string{"Ratelimit-Reset": "2"}, Times: 1}, minWait: 2 * time.Second},
	{name: "pagination loop", fault: simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues", Kind: simulation.FaultLoop}, prepare: manyIssues, outlasts: true},
	{name: "pagerduty 400 past the offset cap", fault: simulation.Fault{API: "pagerduty", PathPrefix: "/log_entries", Kind: simulation.FaultOffsetCap, Cap: 100}, prepare: manyEntries, outlasts: true},
}

// TestFaults injects each fault after a good refresh and checks that the
// last good values are served during it, that source_up says whether the
// refresh survived it, that the waits the API asked for were honoured,
// that data added after it appears within two refreshes, and that no
// goroutine leaks.
func TestFaults(t *testing.T) {
	for _, tc := range faultCases {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			run, cfg := sourcetest.Setup(t, sourcetest.Golden(), faultConfig)
			reg := prometheus.NewRegistry()
			defer run.Close()
			r, logs := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
			defer r.Close()
			ctx := context.Background()
			if err := r.RefreshAll(ctx); err != nil {
				t.Fatal(err)
			}
			good := r.View().Analysis.Items
			src := tc.fault.API

			if tc.prepare != nil {
				run.Update(tc.prepare)
			}
			run.ResetRequests()
			run.SetFault(tc.fault)
			err := r.RefreshAll(ctx)
			if tc.outlasts != (err != nil) {
				t.Fatalf("refresh during the fault: err = %v, want failure %v\n%s", err, tc.outlasts, logs)
			}
			up := sourcetest.Gathered(t, reg, "sre_workload_source_up", src)
			if want := map[bool]float64{true: 0, false: 1}[tc.outlasts]; up != want {
				t.Errorf("source_up{source=%q} = %v during the fault, want %v", src, up, want)
			}
			if tc.outlasts {
				for k, c := range good {
					if got := r.View().Analysis.Items[k]; got != c {
						t.Errorf("the last good value of %v changed during the fault: %v -> %v", k, c, got)
					}
				}
				if testutil.CollectAndCount(exposition.NewCollector(r.View), "sre_workload_open_items") == 0 {
					t.Error("no open_items served during the fault")
				}
			}
			checkWaits(t, run.Requests(), src, tc.minWait, tc.minWait >= time.Second)

			// After the fault: new data appears within two refreshes. It is
			// dated after the last refresh's cursors, as new data is.
			run.ClearFault()
			recent := sourcetest.End.Add(-30 * time.Second)
			run.Update(func(ds *simulation.Dataset) {
				repo := ds.GitHub.Owners[0].Repos[0]
				repo.Comments = append(repo.Comments, &simulation.Comment{ID: 500, Issue: 1,
					User: simulation.User{Login: "alice-sre"}, CreatedAt: recent, UpdatedAt: recent})
				repo.Issues[0].UpdatedAt = recent
				ds.PagerDuty.LogEntries = append(ds.PagerDuty.LogEntries, &simulation.LogEntry{ID: "RNEW", Type: "annotate_log_entry",
					IncidentID: "Q2", CreatedAt: recent, AgentType: "user_reference", AgentID: "PBOB001", ChannelType: "note"})
			})
			found := false
			for i := 0; i < 2 && !found; i++ {
				_ = r.RefreshAll(ctx)
				acts := r.View().Analysis.PersonActivities
				found = acts[analysis.PersonSourceDomain{Person: "alice", Source: "github", Domain: "product"}] >= 3 &&
					acts[analysis.PersonSourceDomain{Person: "bob", Source: "pagerduty", Domain: "security"}] >= 1
			}
			if !found {
				t.Errorf("data added after the fault did not appear within two refreshes:\n%s", logs)
			}
			if sourcetest.Gathered(t, reg, "sre_workload_source_up", src) != 1 {
				t.Errorf("source_up{source=%q} is not 1 after the fault", src)
			}
			for _, tok := range []string{run.GitHubToken, run.PagerDutyToken} {
				if strings.Contains(logs.String(), tok) {
					t.Error("a token reached the log")
				}
			}
		})
	}
}

// checkWaits verifies from the simulation's request log that each faulty
// answer (an error status, or none) was retried no sooner than minWait.
// For rate limits (blocks), no other request reached the API during the
// wait either, but for those already in flight.
func checkWaits(t *testing.T, reqs []simulation.Request, api string, minWait time.Duration, blocks bool) {
	t.Helper()
	if minWait == 0 {
		return
	}
	checked := 0
	for i := range reqs {
		bad := &reqs[i]
		if bad.API != api || (bad.Status < 400 && bad.Status != 0) {
			continue
		}
		for j := i + 1; j < len(reqs); j++ {
			r := &reqs[j]
			if r.API != api {
				continue
			}
			gap := r.Time.Sub(bad.Time)
			if sameQuery(bad, r) {
				checked++
				if gap < minWait {
					t.Errorf("%s was retried %v after a %d, want at least %v", r.Path, gap, bad.Status, minWait)
				}
				break
			}
			if blocks && gap > 200*time.Millisecond && gap < minWait {
				t.Errorf("%s reached the API %v after a rate-limit answer, before the %v wait was over", r.Path, gap, minWait)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no retry of a faulty %s answer was seen", api)
	}
}

// sameQuery reports whether b retries a's request.
func sameQuery(a, b *simulation.Request) bool {
	qa, _ := url.ParseQuery(a.Query)
	qb, _ := url.ParseQuery(b.Query)
	return a.Path == b.Path && qa.Encode() == qb.Encode()
}
