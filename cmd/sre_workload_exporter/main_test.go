package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/exposition"
	imodel "github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/report"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// contractMetrics is every metric of the README's metrics contract.
var contractMetrics = []string{
	"sre_workload_open_items",
	"sre_workload_opened_items",
	"sre_workload_closed_items",
	"sre_workload_person_open_items",
	"sre_workload_person_activities",
	"sre_workload_domain_info",
	"sre_workload_rule_matched_items",
	"sre_workload_source_up",
	"sre_workload_source_last_success_timestamp_seconds",
	"sre_workload_source_refresh_duration_seconds",
	"sre_workload_source_api_requests_total",
	"sre_workload_exporter_build_info",
	"sre_workload_person_context_switches",
	"sre_workload_person_context_switches_per_workday",
	"sre_workload_person_domains",
	"sre_workload_person_focus_ratio",
	"sre_workload_person_estimated_switching_loss_ratio",
	"sre_workload_person_interruptions",
	"sre_workload_incident_mean_time_to_acknowledge_seconds",
	"sre_workload_incident_mean_time_to_resolve_seconds",
	"sre_workload_oncall_incidents_per_shift",
	"sre_workload_person_oncall_seconds",
	"sre_workload_person_oncall_ratio",
	"sre_workload_oncall_sustainable_ratio",
	"sre_workload_split_rotation_size",
	"sre_workload_split_rotation_oncall_ratio",
	"sre_workload_split_rotation_incidents_per_shift",
	"sre_workload_domain_bus_factor",
	"sre_workload_person_suggested_team_info",
	"sre_workload_proposed_team_staffing_gap",
	"sre_workload_proposed_team_activity_ratio",
	"sre_workload_split_cross_team_switch_ratio",
	"sre_workload_split_signal",
	"sre_workload_split_signal_value",
	"sre_workload_split_signal_threshold",
	"sre_workload_split_recommended",
	"sre_workload_split_suggested_cross_team_switch_ratio",
	"sre_workload_person_planned_fte_ratio",
	"sre_workload_proposed_team_planned_fte_ratio",
	"promhttp_metric_handler_requests_total",
	"promhttp_metric_handler_requests_in_flight",
}

func TestConfigCheck(t *testing.T) {
	files, err := filepath.Glob("../../config/testdata/bad-*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad configs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"--config.check", "--config.file", f}, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			// One line per problem, each with its field path, after a header.
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if len(lines) < 2 || !strings.HasPrefix(lines[0], "invalid config file ") {
				t.Errorf("stderr:\n%s", stderr.String())
			}
		})
	}
	t.Setenv("TEST_GITHUB_TOKEN", "ghp_secretvalue")
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--config.check", "--config.file", "../../config/testdata/good.yml"}, &stdout, &stderr); code != 0 {
		t.Fatalf("good.yml: exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"sources: [github pagerduty]", "domains: 2 [product security]", "rules: 2", "people: 2"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), "secret") {
		t.Error("the summary shows a token")
	}
	// good.yml lists bob with no account yet.
	if !strings.Contains(stdout.String(), "  warnings: 1\n    people[1] (bob): no account in any configured source (github, pagerduty)") {
		t.Errorf("good.yml: no warning about bob:\n%s", stdout.String())
	}

	// A person with no account: valid, with a warning in the summary.
	noAccount := filepath.Join(t.TempDir(), "no-account.yml")
	if err := os.WriteFile(noAccount, []byte("pagerduty: {token_env: TEST_GITHUB_TOKEN}\ndomains: [{name: product, proposed_team: product-sre}]\npeople: [{name: alice, pagerduty: [PALICE1]}, {name: dana}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := run(t.Context(), []string{"--config.check", "--config.file", noAccount}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "  warnings: 1\n    people[1] (dana): no account in any configured source (pagerduty)") {
		t.Errorf("a person with no account: exit %d:\n%s", code, stdout.String())
	}

	t.Setenv("TEST_GITHUB_TOKEN", "")
	stderr.Reset()
	if code := run(t.Context(), []string{"--config.check", "--config.file", "../../config/testdata/good.yml"}, io.Discard, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "github.token_env: environment variable TEST_GITHUB_TOKEN is unset or empty") {
		t.Errorf("unset token: exit %d:\n%s", code, stderr.String())
	}
}

func TestInvalidConfigNeverListens(t *testing.T) {
	addr := freeAddress(t)
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"--config.file", "../../config/testdata/bad-regexp.yml", "--web.listen-address", addr}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "rules[3].title: invalid regular expression") {
		t.Errorf("exit %d:\n%s", code, stderr.String())
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("something listens after an invalid config")
	}
}

// demoHandler is the exporter's handler over the demo's sources, which
// have not refreshed yet.
func demoHandler(t *testing.T) (http.Handler, *refresh.Refresher, []collectors.Source) {
	t.Helper()
	run, cfg, err := simulation.StartDemo(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	sources, err := newSources(cfg, apiclient.NewMetrics(nil), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	r := refresh.NewRefresher(cfg, sources, nil, testLogger(), time.Now)
	t.Cleanup(r.Close)
	h, err := newHandler(prometheus.NewRegistry(), prometheus.NewRegistry(), exposition.NewSnapshotGatherer(r.View), r, http.NotFoundHandler(), "/metrics", 40, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	return h, r, sources
}

func TestReadyOnlyAfterEveryFirstRefresh(t *testing.T) {
	h, r, sources := demoHandler(t)
	status := func(path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	if got := status("/-/ready"); got != http.StatusServiceUnavailable {
		t.Errorf("ready before any refresh: %d", got)
	}
	if got := status("/-/healthy"); got != http.StatusOK {
		t.Errorf("healthy: %d", got)
	}
	_ = r.RefreshOnce(t.Context(), sources[0])
	if got := status("/-/ready"); got != http.StatusServiceUnavailable {
		t.Errorf("ready after only %s refreshed: %d", sources[0].Name(), got)
	}
	// No verdict in any format of /report, nor in /metrics, while a source
	// has not refreshed.
	body := func(path string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Body.String()
	}
	var waiting []string
	for _, s := range sources[1:] {
		waiting = append(waiting, s.Name())
	}
	reason := "not enough data: " + strings.Join(waiting, " and ") + " have not completed a refresh"
	if len(waiting) == 1 {
		reason = "not enough data: " + waiting[0] + " has not completed a refresh"
	}
	for _, format := range report.Formats {
		out := body("/report?format=" + format)
		if !strings.Contains(strings.ToLower(out), reason) || strings.Contains(out, "split recommended") || strings.Contains(out, "split_recommended") {
			t.Errorf("/report?format=%s with %s not refreshed:\n%s", format, sources[1].Name(), out)
		}
	}
	if out := body("/metrics"); strings.Contains(out, "sre_workload_split_recommended") || strings.Contains(out, "sre_workload_person_oncall_seconds") ||
		!strings.Contains(out, "sre_workload_open_items") || !strings.Contains(out, "sre_workload_oncall_sustainable_ratio 0.25") {
		t.Errorf("/metrics with %s not refreshed: split_recommended or on-call time present, or the counts or the config's cap missing", sources[1].Name())
	}
	for _, s := range sources[1:] {
		_ = r.RefreshOnce(t.Context(), s)
	}
	if got := status("/-/ready"); got != http.StatusOK {
		t.Errorf("ready after every source refreshed: %d", got)
	}
	if out := body("/report?format=json"); !strings.Contains(out, `"split_recommended"`) {
		t.Errorf("/report after every source refreshed has no verdict:\n%.300s", out)
	}
}

// TestDemoEndToEnd runs the binary's main path in demo mode and checks that
// every contract metric is served, with activity in every demo domain.
func TestDemoEndToEnd(t *testing.T) {
	addr := freeAddress(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var stderr syncWriter
	go func() { done <- run(ctx, []string{"--demo", "--web.listen-address", addr}, io.Discard, &stderr) }()

	base := "http://" + addr
	waitReady(t, base, &stderr)

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range contractMetrics {
		if _, ok := families[name]; !ok {
			t.Errorf("the demo does not serve %s", name)
		}
	}
	cfg, _ := config.ParseWithoutSecrets(config.DemoYAML)
	// Each of the three is on call about a third of the week (the demo's
	// window slides past shift boundaries as it runs).
	for _, m := range families["sre_workload_person_oncall_ratio"].GetMetric() {
		if v := m.GetGauge().GetValue(); v < 0.3 || v > 0.37 {
			t.Errorf("the demo's on-call ratio %v: %v, want about a third", m.GetLabel(), v)
		}
	}
	if n := len(families["sre_workload_person_oncall_ratio"].GetMetric()); n != len(cfg.People) {
		t.Errorf("on-call ratios of %d people, want %d", n, len(cfg.People))
	}
	perDomain := map[string]float64{}
	for _, m := range families["sre_workload_person_activities"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "domain" {
				perDomain[l.GetValue()] += m.GetGauge().GetValue()
			}
		}
	}
	for _, d := range cfg.DomainNames() {
		if perDomain[d] == 0 {
			t.Errorf("no activity in demo domain %s", d)
		}
	}
	// Bounded cardinality: every label value of our metrics comes from the
	// config or from a fixed set, never from API data (titles, logins of
	// non-members, label names).
	allowed := map[string]bool{"github": true, "pagerduty": true, "calendar": true, "issue": true, "pull_request": true, "incident": true, "meeting": true,
		"business_hours": true, "off_hours": true, "sleep_hours": true, "unclassified": true,
		"context_switching": true, "secondary_team_share": true, "oncall_load": true, "org_ratio": true}
	for _, m := range analysis.Models {
		allowed[m] = true // the rotations' model label
	}
	for _, r := range imodel.SkipReasons {
		allowed[r] = true // the calendar's skipped events' reason label
	}
	for _, q := range analysis.IncidentQuantiles {
		allowed[strconv.FormatFloat(q, 'g', -1, 64)] = true // the summaries' quantile label
	}
	for _, d := range cfg.Domains {
		allowed[d.Name], allowed[d.ProposedTeam] = true, true
	}
	for _, r := range cfg.Rules {
		allowed[r.Name] = true
	}
	for _, p := range cfg.People {
		allowed[p.Name] = true
	}
	for name, mf := range families {
		if !strings.HasPrefix(name, "sre_workload_") || name == "sre_workload_exporter_build_info" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "code" {
					continue // HTTP status codes, checked below
				}
				if !allowed[l.GetValue()] {
					t.Errorf("%s{%s=%q}: a label value that is neither config nor a fixed set", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
	for _, m := range families["sre_workload_source_api_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if v := l.GetValue(); l.GetName() == "code" && v != "error" && v != "other" && (len(v) != 3 || v[0] < '1' || v[0] > '5') {
				t.Errorf("code label %q", v)
			}
		}
	}

	for _, m := range families["sre_workload_source_up"].GetMetric() {
		if m.GetGauge().GetValue() != 1 {
			t.Errorf("source down in the demo: %v", m)
		}
	}

	resp, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `href="/metrics"`) || !strings.Contains(string(page), `href="/report"`) {
		t.Errorf("the landing page does not link to /metrics and /report:\n%s", page)
	}
	resp, err = http.Get(base + "/report")
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "A split is recommended.") {
		t.Errorf("/report: %d\n%.300s", resp.StatusCode, page)
	}
	for _, tc := range []struct {
		query, contentType, contains string
		code                         int
	}{
		{"?format=json", "application/json", `"split_recommended": true`, http.StatusOK},
		{"?format=markdown", "text/markdown", "# Should the SRE team split?", http.StatusOK},
		{"?format=html", "text/html", "A split is recommended.", http.StatusOK},
		{"?format=pdf", "text/plain", `unknown format "pdf"`, http.StatusBadRequest},
	} {
		resp, err := http.Get(base + "/report" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) || !strings.Contains(string(page), tc.contains) {
			t.Errorf("/report%s: %d %s\n%.300s", tc.query, resp.StatusCode, resp.Header.Get("Content-Type"), page)
		}
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no shutdown within 5s")
	}
}

func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// syncWriter is a log sink that the test reads while the program writes.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func testLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestReportAndClassifyCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"report", "--demo", "--format", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut.String())
	}
	var rep struct {
		Verdict struct {
			SplitRecommended bool `json:"split_recommended"`
		} `json:"verdict"`
		People []struct {
			Name string `json:"name"`
		} `json:"people"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !rep.Verdict.SplitRecommended || len(rep.People) != 3 {
		t.Errorf("report --format json: %v %+v", err, rep)
	}
	out.Reset()
	if code := run(t.Context(), []string{"report", "--demo"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "# Should the SRE team split?") {
		t.Errorf("report (markdown): exit %d:\n%.200s", code, out.String())
	}
	out.Reset()
	if code := run(t.Context(), []string{"classify", "--demo", "--unclassified"}, &out, &errOut); code != 0 {
		t.Fatalf("classify: exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "SOURCE") {
		t.Fatalf("classify --unclassified:\n%s", out.String())
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) < 5 || f[3] != "unclassified" || f[4] != "-" {
			t.Errorf("classify --unclassified listed a classified item: %q", l)
		}
	}
}

// TestClassifyRecurring: classify --source=calendar --recurring on the
// demo prints inventory entries that the config takes as they are, with
// the demo's recurring meetings; without --source=calendar it refuses.
func TestClassifyRecurring(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"classify", "--demo", "--source=calendar", "--recurring"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	text := out.String()
	// Pasted in place of the demo's own inventory.
	yml := string(config.DemoYAML)
	i, j := strings.Index(yml, "\ninventory:\n"), strings.Index(yml, "\npeople:\n")
	pasted := yml[:i+1] + text + yml[j:]
	cfg, err := config.ParseWithoutSecrets([]byte(pasted))
	if err != nil {
		t.Fatalf("the suggestions do not paste: %v\n%s", err, text)
	}
	names := map[string]config.Duty{}
	for _, d := range cfg.Inventory {
		names[d.Name] = d
	}
	// The standup is on five workdays for all three, 15 minutes: 3.75 h
	// a week; the security sync was moved, and keeps its name.
	if d, ok := names["Platform standup"]; !ok || d.Domain != "product" || d.Hours != 3.75 || d.Every != "1w" || len(d.Owners) != 3 {
		t.Errorf("Platform standup: %+v\n%s", d, text)
	}
	if d, ok := names["Okta SSO office hours"]; !ok || d.Domain != "saas-admin" {
		t.Errorf("Okta SSO office hours: %+v", d)
	}
	if _, ok := names["Security sync (moved)"]; ok {
		t.Errorf("a moved occurrence is its own suggestion:\n%s", text)
	}
	if !strings.Contains(text, "counted twice") {
		t.Errorf("no warning about counting duties and meetings both:\n%s", text)
	}
	out.Reset()
	errOut.Reset()
	if code := run(t.Context(), []string{"classify", "--demo", "--recurring"}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "--source=calendar") {
		t.Errorf("--recurring without --source=calendar: exit %d, %q", code, errOut.String())
	}
}

// TestLandingPage: every link of the landing page answers 200 (the
// 60-second CPU profile is asked for 1 second), and the page shows a
// version, here from the test binary's build information.
func TestLandingPage(t *testing.T) {
	fillVersion()
	h, r, _ := demoHandler(t)
	if err := r.RefreshAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/: %s", resp.Status)
	}
	if m := regexp.MustCompile(`version=([^,]*),`).FindSubmatch(page); m == nil || len(m[1]) == 0 {
		t.Errorf("the landing page shows no version:\n%s", page)
	}
	links := regexp.MustCompile(`href="([^"]+)"`).FindAllSubmatch(page, -1)
	local := 0
	for _, l := range links {
		href := html.UnescapeString(string(l[1]))
		if strings.HasPrefix(href, "https://") {
			continue // outside the exporter
		}
		local++
		href = strings.Replace(href, "seconds=60", "seconds=1", 1)
		resp, err := http.Get(srv.URL + "/" + strings.TrimPrefix(href, "/"))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the landing page's link %s answers %s", href, resp.Status)
		}
	}
	if local < 6 {
		t.Errorf("%d local links on the landing page, want at least 6 (metrics, report, ready, healthy, two profiles):\n%s", local, page)
	}
}

// TestConfigCheckCalendar: --config.check names whose feeds there are,
// never where they are.
func TestConfigCheckCalendar(t *testing.T) {
	const secret = "https://calendar.example/calendar/ical/alice/private-7e3f09c2/basic.ics"
	f := filepath.Join(t.TempDir(), "c.yml")
	if err := os.WriteFile(f, []byte("calendar: {}\ndomains: [{name: d}]\npeople:\n  - {name: alice, calendar: {url_env: SRE_TEST_CAL}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SRE_TEST_CAL", secret)
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--config.check", "--config.file", f}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if out := stdout.String() + stderr.String(); !strings.Contains(out, "calendar: 1 feeds [alice]") || strings.Contains(out, "private-7e3f09c2") {
		t.Errorf("--config.check:\n%s", out)
	}
	// Under pseudonymous, the summary names alice by her pseudonym.
	if err := os.WriteFile(f, []byte("calendar: {}\ndomains: [{name: d}]\nprivacy: {people: pseudonymous}\npeople:\n  - {name: alice, calendar: {url_env: SRE_TEST_CAL}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := run(t.Context(), []string{"--config.check", "--config.file", f}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "calendar: 1 feeds [person-1]") || strings.Contains(stdout.String(), "alice") {
		t.Errorf("--config.check under pseudonymous: exit %d\n%s", code, stdout.String())
	}
}

// TestReportAnonymise: /report?anonymise=1 in every format and report
// --anonymise hold no configured name, login or e-mail address of the
// demo's people; a bad anonymise value is a 400.
func TestReportAnonymise(t *testing.T) {
	leaks := func(what, text string) {
		t.Helper()
		for _, id := range simulation.DemoIdentities() {
			if word(id).MatchString(text) {
				t.Errorf("%s holds %q", what, id)
			}
		}
		if !strings.Contains(text, "person-1") {
			t.Errorf("%s has no person-1", what)
		}
	}
	h, r, sources := demoHandler(t)
	for _, s := range sources {
		_ = r.RefreshOnce(t.Context(), s)
	}
	for _, format := range report.Formats {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/report?anonymise=1&format="+format, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", format, rec.Code)
		}
		leaks("/report?anonymise=1&format="+format, rec.Body.String())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/report?anonymise=yes", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("anonymise=yes: %d", rec.Code)
	}
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"report", "--demo", "--anonymise", "--history=0s"}, &out, &errOut); code != 0 {
		t.Fatalf("report --anonymise: exit %d: %s", code, errOut.String())
	}
	leaks("report --anonymise", out.String())
	out.Reset()
	if code := run(t.Context(), []string{"report", "--demo", "--demo.privacy=aggregate", "--history=0s"}, &out, &errOut); code != 0 ||
		strings.Contains(out.String(), "person-1") || !strings.Contains(out.String(), "`privacy.people` is `aggregate`") {
		t.Errorf("report --demo.privacy=aggregate: exit %d:\n%.3000s", code, out.String())
	}
	for _, id := range simulation.DemoIdentities() {
		if word(id).MatchString(out.String()) {
			t.Errorf("report --demo.privacy=aggregate holds %q", id)
		}
	}
}
