package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/sre-workload/sre_workload_exporter/internal/testenv"
)

// emptyInDemo lists the panels that show nothing on the demo by design,
// with why. Each must say so in its description too.
var emptyInDemo = map[string]string{
	// The demo's first refresh polls every repository; it searches only
	// between reconciles, after the test has ended.
	"Search API budget remaining": "Empty until the first search",
}

// TestDashboardsAgainstRealPrometheus starts two exporters in --demo mode
// and a real Prometheus server that scrapes both and loads rules.yml, then
// checks that every panel query returns data, that with the job and
// instance variables set to one exporter no panel shows the other's data,
// that every rule evaluates without error and keeps exporters apart, and
// that the demo makes the split and context-switching alerts' expressions
// true.
func TestDashboardsAgainstRealPrometheus(t *testing.T) {
	promBin := testenv.Tool(t, "Debian's prometheus package", "prometheus")
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()

	exporter := filepath.Join(dir, "sre_workload_exporter")
	build := exec.Command("go", "build", "-o", exporter, "./cmd/sre_workload_exporter")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the exporter: %v\n%s", err, out)
	}
	// Two exporters with different data: the demo's story, and the small
	// synthetic organisation (other domains, people and numbers).
	storyAddr, smallAddr := freeAddress(t), freeAddress(t)
	startProcess(t, filepath.Join(dir, "exporter-story.log"), exporter, "--demo", "--web.listen-address="+storyAddr)
	startProcess(t, filepath.Join(dir, "exporter-small.log"), exporter, "--demo", "--demo.scale=small", "--web.listen-address="+smallAddr)
	for _, addr := range []string{storyAddr, smallAddr} {
		waitFor(t, "the exporter at "+addr+" to be ready", 30*time.Second, func() bool {
			resp, err := http.Get("http://" + addr + "/-/ready")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
	}

	rules, err := filepath.Abs("rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	// Prometheus scrapes the story as story and the small exporter twice,
	// as small and as smallAgain: so leaving out the instance matcher
	// (story and small share a job) or the job matcher (story and
	// smallAgain share an instance name) mixes in another exporter.
	promCfg := filepath.Join(dir, "prometheus.yml")
	cfg := fmt.Sprintf(`global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files: [%q]
scrape_configs:
  - job_name: %s
    static_configs:
      - targets: [%q]
        labels: {instance: %s}
      - targets: [%q]
        labels: {instance: %s}
  - job_name: %s
    static_configs:
      - targets: [%q]
        labels: {instance: %s}
`, rules, story.job, storyAddr, story.instance, smallAddr, small.instance,
		smallAgain.job, smallAddr, smallAgain.instance)
	if err := os.WriteFile(promCfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	promAddr := freeAddress(t)
	startProcess(t, filepath.Join(dir, "prometheus.log"), promBin,
		"--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	api := "http://" + promAddr + "/api/v1/"

	waitFor(t, "two scrapes of every target", 60*time.Second, func() bool {
		r, err := query(api, `count_over_time(sre_workload_split_recommended[1m]) > 1`, "")
		return err == nil && len(r) == len(targets)
	})
	waitFor(t, "every rule group to evaluate", 30*time.Second, func() bool {
		groups, err := ruleGroups(api)
		if err != nil || len(groups) == 0 {
			return false
		}
		for _, g := range groups {
			if g.LastEvaluation.IsZero() || g.LastEvaluation.Year() < 2000 {
				return false
			}
		}
		return true
	})
	// One more evaluation, so that recording rules have samples.
	time.Sleep(3 * time.Second)
	// Every query below is evaluated at this one instant, so that a query
	// and its rewritings see the same samples.
	at := strconv.FormatFloat(float64(time.Now().UnixMilli())/1000, 'f', 3, 64)

	t.Run("every rule loaded and evaluates cleanly", func(t *testing.T) {
		groups, err := ruleGroups(api)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, g := range groups {
			for _, r := range g.Rules {
				n++
				if r.Health != "ok" || r.LastError != "" {
					t.Errorf("rule %s%s: health %q, error %q", r.Name, g.Name, r.Health, r.LastError)
				}
			}
		}
		if n != 14 {
			t.Errorf("%d rules loaded, want 14", n)
		}
	})

	t.Run("every panel query returns data", func(t *testing.T) {
		for file, d := range loadDashboards(t) {
			for _, p := range flatPanels(d.Panels) {
				for _, tg := range p.Targets {
					expr := substituteFor(tg.Expr, story.job, story.instance)
					res, err := query(api, expr, at)
					if err != nil {
						t.Errorf("%s %q: %s: %v", file, p.Title, expr, err)
						continue
					}
					if why, ok := emptyInDemo[p.Title]; ok {
						if !strings.Contains(p.Description, why) {
							t.Errorf("%s %q is empty in the demo by design but does not say so", file, p.Title)
						}
						continue
					}
					if len(res) == 0 {
						t.Errorf("%s %q: %s returns no series on the demo", file, p.Title, expr)
					}
				}
			}
		}
	})

	// With the variables set to one exporter, a panel query must return
	// only that exporter's series, each labelled with its job and instance,
	// and exactly what the query returns when every selector is pinned to
	// that exporter (as if Prometheus held nothing else). Then the same
	// query without its job, or without its instance matchers, must fail
	// that check for at least one of the three targets: otherwise the two
	// exporters' data would not tell a lost selector apart.
	t.Run("every panel query keeps the exporters apart", func(t *testing.T) {
		for file, d := range loadDashboards(t) {
			for _, p := range flatPanels(d.Panels) {
				for _, tg := range p.Targets {
					where := fmt.Sprintf("%s %q: %s", file, p.Title, tg.Expr)
					labelled := namesExporterMetric(t, tg.Expr)
					noticed := map[string]bool{}
					for _, sel := range targets {
						res, err := query(api, substituteFor(tg.Expr, sel.job, sel.instance), at)
						if err != nil {
							t.Errorf("%s: %v", where, err)
							continue
						}
						if why := mixes(res, sel, labelled); why != "" {
							t.Errorf("%s with %v: %s", where, sel, why)
						}
						pinned, err := query(api, substituteFor(pin(t, tg.Expr, sel), sel.job, sel.instance), at)
						if err != nil {
							t.Errorf("%s pinned to %v: %v", where, sel, err)
						} else if !sameResult(res, pinned) {
							t.Errorf("%s with %v: %v, but pinned to that exporter: %v", where, sel, res, pinned)
						}
						for _, drop := range []string{"job", "instance"} {
							lost, err := query(api, substituteFor(without(t, tg.Expr, drop), sel.job, sel.instance), at)
							if err != nil {
								t.Errorf("%s without %s: %v", where, drop, err)
								continue
							}
							if mixes(lost, sel, labelled) != "" || !sameResult(lost, res) {
								noticed[drop] = true
							}
						}
					}
					if _, empty := emptyInDemo[p.Title]; empty || !labelled {
						continue // no data, or only the global: thresholds
					}
					for _, drop := range []string{"job", "instance"} {
						if !noticed[drop] {
							t.Errorf("%s: this test would not notice the query losing its %s matcher", where, drop)
						}
					}
				}
			}
		}
	})

	t.Run("the variables offer the exporters and filter by them", func(t *testing.T) {
		d := loadDashboards(t)["sre-workload-overview.json"]
		for _, v := range d.Templating.List {
			m := regexp.MustCompile(`^label_values\((.+), (\w+)\)$`).FindStringSubmatch(v.Definition)
			if m == nil {
				continue
			}
			selector, label := m[1], m[2]
			switch label {
			case "job":
				vals, err := labelValues(api, label, selector)
				if want := []string{story.job, smallAgain.job}; err != nil || !slices.Equal(vals, want) {
					t.Errorf("variable job: %v %v, want %v", vals, err, want)
				}
			case "instance":
				for job, want := range map[string][]string{story.job: {story.instance, small.instance}, smallAgain.job: {smallAgain.instance}} {
					vals, err := labelValues(api, label, substituteFor(selector, job, ""))
					if err != nil || !slices.Equal(vals, want) {
						t.Errorf("variable instance with job %s: %v %v, want %v", job, vals, err, want)
					}
				}
			default:
				for _, sel := range targets {
					vals, err := labelValues(api, label, substituteFor(selector, sel.job, sel.instance))
					pinned, err2 := labelValues(api, label, substituteFor(pin(t, selector, sel), sel.job, sel.instance))
					if err != nil || err2 != nil || len(vals) == 0 || !slices.Equal(vals, pinned) {
						t.Errorf("variable %s with %v: %v (%v), want that exporter's %v (%v)", label, sel, vals, err, pinned, err2)
					}
				}
				a, _ := labelValues(api, label, substituteFor(selector, story.job, story.instance))
				b, _ := labelValues(api, label, substituteFor(selector, small.job, small.instance))
				if slices.Equal(a, b) {
					t.Errorf("variable %s: both exporters have the values %v, so the check above proves nothing", label, a)
				}
			}
		}
	})

	t.Run("the recording rules keep the exporters apart", func(t *testing.T) {
		for _, g := range loadRules(t).Groups {
			for _, r := range g.Rules {
				if r.Record == "" || strings.HasPrefix(r.Record, "global:") {
					continue
				}
				for _, sel := range targets {
					recorded := fmt.Sprintf(`%s{job=%q, instance=%q}`, r.Record, sel.job, sel.instance)
					// The recorded samples may be one evaluation older than
					// the expression's: retry until a refresh is not between.
					var got, want []sample
					var err error
					deadline := time.Now().Add(10 * time.Second)
					for {
						if got, err = query(api, recorded, ""); err == nil {
							want, err = query(api, pin(t, r.Expr, sel), "")
						}
						if err != nil || (len(got) > 0 && sameResult(dropName(got), want)) || time.Now().After(deadline) {
							break
						}
						time.Sleep(500 * time.Millisecond)
					}
					if err != nil || len(got) == 0 || !sameResult(dropName(got), want) {
						t.Errorf("%s for %v: recorded %v, but its expression on that exporter alone gives %v (%v)", r.Record, sel, got, want, err)
					}
				}
			}
		}
	})

	t.Run("the demo makes the split and context-switching alerts true", func(t *testing.T) {
		rf := loadRules(t)
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Alert != "SRETeamSplitRecommended" && r.Alert != "SREContextSwitchingHigh" {
					continue
				}
				res, err := query(api, r.Expr, "")
				if err != nil || len(res) == 0 {
					t.Errorf("%s: %s is not true on the demo (%v)", r.Alert, r.Expr, err)
				} else {
					t.Logf("%s holds for %d series", r.Alert, len(res))
				}
			}
		}
	})
}

// target is one scrape target of the end-to-end test: the job and
// instance labels that the dashboards' variables pick.
type target struct{ job, instance string }

func (s target) String() string { return fmt.Sprintf("job=%s instance=%s", s.job, s.instance) }

// The end-to-end test's targets: two exporters, the second scraped twice.
var (
	story      = target{"team-a", "exporter-1"} // --demo
	small      = target{"team-a", "exporter-2"} // --demo --demo.scale=small
	smallAgain = target{"team-b", "exporter-1"} // the small exporter again
	targets    = []target{story, small, smallAgain}
)

// mixes says why a query's result holds series of another target than
// sel, or returns "". A query that names an exporter's metric must return
// series labelled with sel's job and instance only (aggregations keep
// them, as the lint checks).
func mixes(res []sample, sel target, labelled bool) string {
	for _, s := range res {
		if !labelled && s.Metric["job"] == "" && s.Metric["instance"] == "" {
			continue
		}
		if s.Metric["job"] != sel.job || s.Metric["instance"] != sel.instance {
			return fmt.Sprintf("a series of another exporter, or of none: %v", s.Metric)
		}
	}
	return ""
}

// namesExporterMetric says whether an expression reads an exporter's
// series, not only the global: thresholds.
func namesExporterMetric(t *testing.T, expr string) bool {
	for _, name := range metricNames(t, expr, expr) {
		if !strings.HasPrefix(name, "global:") {
			return true
		}
	}
	return false
}

// rewriteSelectors parses expr and applies edit to every metric selector
// but the global: thresholds', then prints the expression again.
func rewriteSelectors(t *testing.T, expr string, edit func(*parser.VectorSelector)) string {
	t.Helper()
	e, err := parseRaw(expr)
	if err != nil {
		t.Fatalf("%q does not parse: %v", expr, err)
	}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && !strings.HasPrefix(vs.Name, "global:") {
			edit(vs)
		}
		return nil
	})
	return e.String()
}

// pin makes every selector of expr select sel's job and instance exactly,
// in place of any job and instance matchers it has.
func pin(t *testing.T, expr string, sel target) string {
	return rewriteSelectors(t, expr, func(vs *parser.VectorSelector) {
		vs.LabelMatchers = slices.DeleteFunc(vs.LabelMatchers, func(m *labels.Matcher) bool {
			return m.Name == "job" || m.Name == "instance"
		})
		vs.LabelMatchers = append(vs.LabelMatchers,
			labels.MustNewMatcher(labels.MatchEqual, "job", sel.job),
			labels.MustNewMatcher(labels.MatchEqual, "instance", sel.instance))
	})
}

// without removes the matchers of one label from every selector of expr:
// the query as it would be had a panel lost that selector.
func without(t *testing.T, expr, label string) string {
	return rewriteSelectors(t, expr, func(vs *parser.VectorSelector) {
		vs.LabelMatchers = slices.DeleteFunc(vs.LabelMatchers, func(m *labels.Matcher) bool { return m.Name == label })
	})
}

// sameResult says whether two instant-query results hold the same series
// with the same values.
func sameResult(a, b []sample) bool {
	key := func(res []sample) map[string]any {
		out := map[string]any{}
		for _, s := range res {
			out[fmt.Sprint(s.Metric)] = s.Value[1]
		}
		return out
	}
	return len(a) == len(b) && fmt.Sprint(key(a)) == fmt.Sprint(key(b))
}

// dropName removes the metric name, which a recording rule adds and its
// expression's result lacks.
func dropName(res []sample) []sample {
	out := make([]sample, len(res))
	for i, s := range res {
		m := maps.Clone(s.Metric)
		delete(m, "__name__")
		out[i] = sample{Metric: m, Value: s.Value}
	}
	return out
}

type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func get(u string, out any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%s: %s", resp.Status, body)
	}
	if env.Status != "success" {
		return fmt.Errorf("%s", env.Error)
	}
	return json.Unmarshal(env.Data, out)
}

// query runs an instant query at a time in seconds, or now if at is "".
func query(api, expr, at string) ([]sample, error) {
	var data struct {
		ResultType string   `json:"resultType"`
		Result     []sample `json:"result"`
	}
	u := api + "query?query=" + url.QueryEscape(expr)
	if at != "" {
		u += "&time=" + at
	}
	if err := get(u, &data); err != nil {
		return nil, err
	}
	if data.ResultType == "scalar" {
		return []sample{{}}, nil
	}
	return data.Result, nil
}

type ruleGroup struct {
	Name           string    `json:"name"`
	LastEvaluation time.Time `json:"lastEvaluation"`
	Rules          []struct {
		Name      string `json:"name"`
		Health    string `json:"health"`
		LastError string `json:"lastError"`
	} `json:"rules"`
}

func ruleGroups(api string) ([]ruleGroup, error) {
	var data struct {
		Groups []ruleGroup `json:"groups"`
	}
	err := get(api+"rules", &data)
	return data.Groups, err
}

// labelValues asks for a label's values on the series that match a
// selector, as Grafana's label_values(selector, label) does.
func labelValues(api, label, selector string) ([]string, error) {
	var vals []string
	err := get(api+"label/"+label+"/values?match[]="+url.QueryEscape(selector), &vals)
	return vals, err
}

func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startProcess runs a command until the test ends, logging to logPath,
// whose content the test prints when it fails.
func startProcess(t *testing.T, logPath, name string, args ...string) {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			t.Logf("%s log:\n%s", filepath.Base(name), out)
		}
	})
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
