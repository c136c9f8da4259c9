package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/exposition"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/testenv"
)

// demoHistory starts the demo at now and collects its history for a
// backfill from from.
func demoHistory(t *testing.T, now, from time.Time) (*config.Config, []*model.Snapshot) {
	t.Helper()
	sim, cfg, err := simulation.StartDemo(now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	snaps, err := collectHistory(context.Background(), cfg, from, now, "", testLogger())
	if err != nil {
		t.Fatal(err)
	}
	return cfg, snaps
}

// TestBackfillThroughPrometheus: the demo's 90 days, backfilled at 1 h
// steps, turned into TSDB blocks by Debian's promtool and served by
// Debian's Prometheus, give, at sampled steps, exactly the values of the
// exporter's own analysis at those clocks, and tell the demo's story: no
// signal holds on day 30, the split is recommended on day 90.
func TestBackfillThroughPrometheus(t *testing.T) {
	promtool := testenv.Tool(t, "Debian's prometheus package", "promtool")
	promBin := testenv.Tool(t, "Debian's prometheus package", "prometheus")
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	b := backfillRange{From: now.Add(-90 * 24 * time.Hour), To: now, Step: time.Hour}
	cfg, snaps := demoHistory(t, now, b.From)
	dir := t.TempDir()
	om := filepath.Join(dir, "demo.om")
	f, err := os.Create(om)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeBackfill(f, cfg, snaps, b, dir, testLogger()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tsdb := filepath.Join(dir, "tsdb")
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=2160h", om, tsdb).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	addr := freeAddress(t)
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte("global: {scrape_interval: 1m}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	prom := exec.CommandContext(ctx, promBin, "--config.file="+cfgFile, "--storage.tsdb.path="+tsdb,
		"--storage.tsdb.retention.time=100y", "--web.listen-address="+addr, "--log.level=warn")
	prom.Stdout, prom.Stderr = &logs, &logs
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = prom.Wait() })
	api := "http://" + addr + "/api/v1/"
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus not ready:\n%s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}

	// query_range at the backfill's own steps: each evaluation finds the
	// sample written at that step.
	series := func(expr string) map[string]map[int64]string {
		q := url.Values{"query": {expr}, "start": {strconv.FormatInt(b.From.Unix(), 10)}, "end": {strconv.FormatInt(b.To.Unix(), 10)}, "step": {"3600"}}
		resp, err := http.Get(api + "query_range?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Status string
			Error  string
			Data   struct {
				Result []struct {
					Metric map[string]string
					Values [][2]any
				}
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
			t.Fatalf("%s: %v %s", expr, err, body.Error)
		}
		out := map[string]map[int64]string{}
		for _, r := range body.Data.Result {
			key := r.Metric["person"] + r.Metric["signal"] + r.Metric["proposed_team"]
			out[key] = map[int64]string{}
			for _, v := range r.Values {
				out[key][int64(v[0].(float64))] = v[1].(string)
			}
		}
		return out
	}
	signals := series("sre_workload_split_signal_value")
	switches := series("sre_workload_person_context_switches_per_workday")
	teams := series("sre_workload_proposed_team_activity_ratio")
	recommended := series("sre_workload_split_recommended")
	held := series("sre_workload_split_signal")
	if len(signals) == 0 || len(switches) == 0 || len(teams) == 0 {
		t.Fatalf("no backfilled series: %d signals, %d people, %d teams\n%s", len(signals), len(switches), len(teams), logs.String())
	}
	format := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	steps := b.steps()
	checked := 0
	for i := 0; i < len(steps); i += 97 { // a sample of the steps, including the first
		at := steps[i]
		res := analysis.Analyze(snaps, cfg, at)
		ts := at.Unix()
		for _, s := range res.Signals {
			if got := signals[s.Name][ts]; got != format(s.Value) {
				t.Errorf("%s: signal %s: Prometheus %q, the analysis %s", at.Format(time.RFC3339), s.Name, got, format(s.Value))
			}
		}
		for name, p := range res.People {
			if p.LeftOutOfMedian {
				if got, ok := switches[name][ts]; ok {
					t.Errorf("%s: %s is left out of the median, but Prometheus has %s", at.Format(time.RFC3339), name, got)
				}
				continue
			}
			if got := switches[name][ts]; got != format(p.SwitchesPerWorkday) {
				t.Errorf("%s: %s's switches per workday: Prometheus %q, the analysis %s", at.Format(time.RFC3339), name, got, format(p.SwitchesPerWorkday))
			}
		}
		for team, v := range res.TeamActivityRatio {
			if got := teams[team][ts]; got != format(v) {
				t.Errorf("%s: %s's activity ratio: Prometheus %q, the analysis %s", at.Format(time.RFC3339), team, got, format(v))
			}
		}
		checked++
	}
	t.Logf("%d steps compared with the analysis at their clocks", checked)

	// The story: on day 30 no signal holds; on day 90 (now) the split is
	// recommended.
	day30 := now.Add(-60 * 24 * time.Hour).Unix()
	for name, s := range held {
		if s[day30] != "0" {
			t.Errorf("day 30: signal %s is %q, want 0", name, s[day30])
		}
	}
	if got := recommended[""][now.Unix()]; got != "1" {
		t.Errorf("day 90: split recommended %q, want 1", got)
	}
	if got := recommended[""][day30]; got != "0" {
		t.Errorf("day 30: split recommended %q, want 0", got)
	}
}

// TestBackfillContinuity: the backfill's last step, at now, equals what a
// running exporter exposes for the same data, for every backfilled
// metric; and the file holds that step, sample for sample.
func TestBackfillContinuity(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	b := backfillRange{From: now.Add(-2 * 24 * time.Hour), To: now, Step: 24 * time.Hour}
	cfg, snaps := demoHistory(t, now, b.From)
	var out bytes.Buffer
	if err := writeBackfill(&out, cfg, snaps, b, t.TempDir(), testLogger()); err != nil {
		t.Fatal(err)
	}
	// The backfill's last step, as HistoryWriter writes it.
	families, err := exposition.HistoryFamilies(cfg, analysis.Prepare(snaps, cfg).At(now))
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	var names []string
	samples := 0
	for _, mf := range families {
		names = append(names, mf.GetName())
		if _, err := expfmt.MetricFamilyToText(&text, mf); err != nil {
			t.Fatal(err)
		}
		samples += len(mf.Metric)
		if mf.GetType() == dto.MetricType_SUMMARY {
			samples += len(mf.Metric) * (len(analysis.IncidentQuantiles) + 1) // quantiles, _sum and _count
		}
	}
	// The running exporter: the demo at the same clock, refreshed once,
	// served by the exposition's collector.
	sim, live, err := simulation.StartDemo(now)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	api := apiclient.NewMetrics(nil)
	sources, err := newSources(live, api, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	r := refresh.NewRefresher(live, sources, api.Panics, testLogger(), func() time.Time { return now })
	defer r.Close()
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(exposition.NewCollector(r.View))
	if err := testutil.GatherAndCompare(reg, &text, names...); err != nil {
		t.Errorf("the backfill at now differs from the running exporter's /metrics:\n%v", err)
	}
	if len(names) < 20 {
		t.Errorf("only %d backfilled metrics compared: %v", len(names), names)
	}
	// The file's samples at now: as many as the step has.
	atNow := 0
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || strings.HasPrefix(line, "#") {
			continue
		}
		if ts, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil && ts == float64(now.Unix()) {
			atNow++
		}
	}
	if atNow != samples {
		t.Errorf("the file has %d samples at now, want %d", atNow, samples)
	}
	if !strings.HasSuffix(out.String(), "# EOF\n") {
		t.Error("the file does not end with # EOF")
	}
	t.Logf("%d metric families, %d samples at now, compared", len(names), samples)
}

// TestBackfillCommand runs the command as a user would, on the demo, at
// daily steps.
func TestBackfillCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo.om")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"backfill", "--demo", "--from=-10d", "--step=24h", "--output=" + out}, &stdout, &stderr); code != 0 {
		t.Fatalf("backfill exited %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(data, []byte("# EOF\n")) || !bytes.Contains(data, []byte("# TYPE sre_workload_split_signal_value gauge")) || bytes.Contains(data, []byte("sre_workload_open_items")) {
		t.Errorf("backfill output:\n%.500s", data)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("the output's mode: %v %v", st.Mode(), err)
	}
	for _, args := range [][]string{
		{"backfill", "--demo", "--from=-1x", "--output=" + out},
		{"backfill", "--demo", "--from=now", "--to=-1d", "--output=" + out},
		{"backfill", "--demo", "--step=0s", "--output=" + out},
	} {
		stderr.Reset()
		if code := run(context.Background(), args, &stdout, &stderr); code != 1 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, %q", args, code, stderr.String())
		}
	}
}

// TestBackfillResumesFromStoragePath: with --storage.path, a second
// backfill of the same history resumes from the first's state files
// (in storage.path/backfill) and asks only for what changed, a few
// requests instead of the first's full sync, for the same values.
func TestBackfillResumesFromStoragePath(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sim, cfg, err := simulation.StartDemo(now)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	from := now.Add(-30 * 24 * time.Hour)
	first, err := collectHistory(context.Background(), cfg, from, now, dir, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	n1 := len(sim.Requests())
	sim.ResetRequests()
	second, err := collectHistory(context.Background(), cfg, from, now.Add(time.Minute), dir, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	n2 := len(sim.Requests())
	if _, err := os.Stat(filepath.Join(dir, "backfill", "github.json.gz")); err != nil {
		t.Errorf("no backfill state file: %v", err)
	}
	if n2*5 > n1 {
		t.Errorf("the resumed backfill made %d requests, the first %d: want a fraction", n2, n1)
	}
	a, b := analysis.Analyze(first, cfg, now), analysis.Analyze(second, cfg, now)
	if fmt.Sprint(a.Signals) != fmt.Sprint(b.Signals) {
		t.Errorf("resumed: signals %v, first %v", b.Signals, a.Signals)
	}
	t.Logf("first collection %d requests, resumed %d", n1, n2)
}
