package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// demoConfigFor writes the demo's config, pointed at a running simulation,
// to a file whose tokens come from the environment.
func demoConfigFor(t *testing.T, sim *simulation.Running, edit func(string) string) string {
	t.Helper()
	yml := string(config.DemoYAML)
	yml = strings.Replace(yml, "http://127.0.0.1/github/", sim.GitHubURL(), 1)
	yml = strings.Replace(yml, "http://127.0.0.1/pagerduty", sim.PagerDutyURL(), 1)
	if edit != nil {
		yml = edit(yml)
	}
	return yml
}

func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for name, mf := range families {
		for _, m := range mf.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			if m.GetGauge() != nil {
				out[key] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// waitReady waits until base/-/ready answers 200, and fails with the
// process's output after 20 s.
func waitReady(t *testing.T, base string, output fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("never ready:\n%s", output.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReload: POST /-/reload and SIGHUP reload the config; a change of
// rules re-classifies the collected data without an API request; an
// invalid config is refused and the old one keeps running.
func TestReload(t *testing.T) {
	sim, err := simulation.Serve(simulation.Demo(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, kv := range sim.DemoEnv() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	path := filepath.Join(t.TempDir(), "config.yml")
	write := func(yml string) {
		if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(demoConfigFor(t, sim, nil))

	addr := freeAddress(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr syncWriter
	go func() {
		done <- run(ctx, []string{"--config.file", path, "--web.listen-address", addr}, io.Discard, &stderr)
	}()
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + addr
	waitReady(t, base, &stderr)

	before := scrape(t, base)
	const rule = "sre_workload_rule_matched_items,rule=product-repos"
	if before[rule] == 0 {
		t.Fatalf("%s = 0 before the reload", rule)
	}
	if before["sre_workload_config_last_reload_successful"] != 1 {
		t.Error("config_last_reload_successful is not 1 at start")
	}
	post := func() (int, string) {
		resp, err := http.Post(base+"/-/reload", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	// Rename the rule: the same data is re-classified at once, with no
	// request to either API.
	requests := len(sim.Requests())
	write(demoConfigFor(t, sim, func(y string) string {
		return strings.Replace(y, "name: product-repos", "name: product-repositories", 1)
	}))
	if code, body := post(); code != http.StatusOK {
		t.Fatalf("reload: %d %s", code, body)
	}
	after := scrape(t, base)
	if _, ok := after[rule]; ok {
		t.Errorf("%s is still served after the rule was renamed", rule)
	}
	if got := after["sre_workload_rule_matched_items,rule=product-repositories"]; got != before[rule] {
		t.Errorf("renamed rule matches %v items, want %v", got, before[rule])
	}
	if n := len(sim.Requests()); n != requests {
		t.Errorf("a rules-only reload made %d API requests, want 0", n-requests)
	}

	// An invalid config is refused; the old one keeps running.
	write("domains: [{name: Bad Name}]\n")
	code, body := post()
	if code != http.StatusInternalServerError || !strings.Contains(body, `domains[0].name: "Bad Name" must match`) {
		t.Errorf("invalid reload: %d %s", code, body)
	}
	after = scrape(t, base)
	if after["sre_workload_config_last_reload_successful"] != 0 {
		t.Error("config_last_reload_successful is not 0 after a refused reload")
	}
	if after["sre_workload_rule_matched_items,rule=product-repositories"] == 0 {
		t.Error("the old config stopped running after a refused reload")
	}

	// SIGHUP reloads too.
	write(demoConfigFor(t, sim, nil))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		m := scrape(t, base)
		if m["sre_workload_config_last_reload_successful"] == 1 && m[rule] == before[rule] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload the config:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if slices.ContainsFunc(sim.Secrets(), func(s string) bool { return strings.Contains(stderr.String(), s) }) {
		t.Error("a token reached the log")
	}
}
