package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/internal/testenv"
)

// emptyInDemo lists the panels that show nothing on the demo by design,
// with why. Each must say so in its description too.
var emptyInDemo = map[string]string{
	// The demo's first refresh polls every repository; it searches only
	// between reconciles, after the test has ended.
	"Search API budget remaining": "Empty until the first search",
}

// TestDashboardsAgainstRealPrometheus starts the exporter in --demo mode
// and a real Prometheus server that scrapes it and loads rules.yml, then
// checks that every panel query returns data, that every rule evaluates
// without error, and that the demo makes the split and context-switching
// alerts' expressions true.
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
	exporterAddr := freeAddress(t)
	startProcess(t, filepath.Join(dir, "exporter.log"), exporter, "--demo", "--web.listen-address="+exporterAddr)
	waitFor(t, "the exporter to be ready", 30*time.Second, func() bool {
		resp, err := http.Get("http://" + exporterAddr + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	rules, err := filepath.Abs("rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	promCfg := filepath.Join(dir, "prometheus.yml")
	cfg := fmt.Sprintf(`global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files: [%q]
scrape_configs:
  - job_name: sre_workload
    static_configs:
      - targets: [%q]
`, rules, exporterAddr)
	if err := os.WriteFile(promCfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	promAddr := freeAddress(t)
	startProcess(t, filepath.Join(dir, "prometheus.log"), promBin,
		"--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	api := "http://" + promAddr + "/api/v1/"

	waitFor(t, "two scrapes of the exporter", 60*time.Second, func() bool {
		r, err := query(api, `count_over_time(sre_workload_split_recommended[1m])`)
		return err == nil && len(r) == 1 && r[0].Value[1] != "1"
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
		if n != 12 {
			t.Errorf("%d rules loaded, want 12", n)
		}
	})

	t.Run("every panel query returns data", func(t *testing.T) {
		for file, d := range loadDashboards(t) {
			for _, p := range flatPanels(d.Panels) {
				for _, tg := range p.Targets {
					expr := substitute(tg.Expr)
					res, err := query(api, expr)
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
			for _, v := range []string{"person", "domain"} {
				vals, err := labelValues(api, v)
				if err != nil || len(vals) == 0 {
					t.Errorf("%s: variable %s has no values: %v", file, v, err)
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
				res, err := query(api, r.Expr)
				if err != nil || len(res) == 0 {
					t.Errorf("%s: %s is not true on the demo (%v)", r.Alert, r.Expr, err)
				} else {
					t.Logf("%s holds for %d series", r.Alert, len(res))
				}
			}
		}
	})
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

func query(api, expr string) ([]sample, error) {
	var data struct {
		ResultType string   `json:"resultType"`
		Result     []sample `json:"result"`
	}
	if err := get(api+"query?query="+url.QueryEscape(expr), &data); err != nil {
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

func labelValues(api, label string) ([]string, error) {
	var vals []string
	err := get(api+"label/"+label+"/values", &vals)
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
