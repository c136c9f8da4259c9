package exposition

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestExposition compares the whole /metrics output of a refresh with a
// golden file, and lints it.
func TestExposition(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.GoldenConfig)
	reg := prometheus.NewRegistry()
	r, _ := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
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
	compareAndLint(t, reg, string(golden))
	_ = run
}

// compareAndLint compares what reg gathers with want, a golden
// exposition, for the families want has, and lints it. The golden file
// holds every metric but the rate-limit gauges, whose reset time follows
// the clock; TestRateLimitMetrics covers those.
func compareAndLint(t *testing.T, reg *prometheus.Registry, want string) {
	t.Helper()
	var names []string
	for _, line := range strings.Split(want, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			names = append(names, f[2])
		}
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
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
		wantKind collectors.Kind
	}{
		{"github 401", simulation.Fault{API: "github", Status: 401}, "github", "401 Unauthorized", collectors.KindUnauthorized},
		// One repository's 403: a partial refresh.
		{"github 403", simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues/events", Status: 403}, "github", "issues/events?per_page=100: 403 Forbidden", collectors.KindPartial},
		{"github 502", simulation.Fault{API: "github", PathPrefix: "/repos/", Status: 502}, "github", "502", collectors.KindTransient},
		{"github malformed JSON", simulation.Fault{API: "github", PathPrefix: "/repos/acme/infra/issues", Status: 200, Body: `[{"number": 1, "title": `}, "github", "unexpected EOF", collectors.KindPartial},
		{"pagerduty 401", simulation.Fault{API: "pagerduty", Status: 401}, "pagerduty", "HTTP response failed with status code 401", collectors.KindUnauthorized},
		{"pagerduty 500", simulation.Fault{API: "pagerduty", PathPrefix: "/log_entries", Status: 500}, "pagerduty", "GET /log_entries: 500", collectors.KindTransient},
		{"pagerduty malformed JSON", simulation.Fault{API: "pagerduty", PathPrefix: "/incidents", Status: 200, Body: `{"incidents": [{"id": 5}]}`}, "pagerduty", "GET /incidents", collectors.KindOther},
		{"pagerduty non-string channel type", simulation.Fault{API: "pagerduty", PathPrefix: "/log_entries", Status: 200, Body: `{"log_entries": [{"id": "R1", "channel": {"type": 5}}], "more": false}`}, "pagerduty", "panic", collectors.KindOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
			reg := prometheus.NewRegistry()
			r, logs := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
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
			if got := sourcetest.Gathered(t, reg, "sre_workload_source_up", tc.source); got != 0 {
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
