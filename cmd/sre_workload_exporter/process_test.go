package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// TestProcessNeverLeaksTokensAndStopsOnSIGTERM runs the real binary
// against the simulation, through API failures and a refused reload, then
// greps everything the process wrote and served for the tokens, and checks
// that SIGTERM stops it within 5 s.
func TestProcessNeverLeaksTokensAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	sim, err := simulation.Serve(simulation.Demo(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	cfgPath := filepath.Join(dir, "config.yml")
	writeCfg := func(s string) {
		if err := os.WriteFile(cfgPath, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeCfg(fastDemoConfig(t, sim))

	var out syncWriter
	cmd, base := startDemoBinary(t, bin, cfgPath, filepath.Join(dir, "state"), sim, &out)
	var served bytes.Buffer
	fetch := func(method, path string) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		_, _ = io.Copy(&served, resp.Body)
	}
	waitReady(t, base, &out)

	// Failures: a revoked token for a refresh, then a server error that
	// the retries sit out.
	sim.SetFault(simulation.Fault{API: "github", Status: 401})
	time.Sleep(1500 * time.Millisecond)
	sim.SetFault(simulation.Fault{API: "pagerduty", Status: 500, Times: 1})
	time.Sleep(1500 * time.Millisecond)
	sim.SetFault(simulation.Fault{API: "calendar", Status: 404})
	time.Sleep(1500 * time.Millisecond)
	sim.ClearFault()
	for _, p := range []string{"/metrics", "/", "/-/ready", "/-/healthy"} {
		fetch(http.MethodGet, p)
	}
	writeCfg("github: {token_env: DEMO_GITHUB_TOKEN, repositories: [bad]}\ndomains: [{name: d}]\n")
	fetch(http.MethodPost, "/-/reload")

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
		t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5 s after SIGTERM")
	}

	logs := out.String()
	if !strings.Contains(logs, "401 Unauthorized") || !strings.Contains(logs, "config reload refused") || !strings.Contains(logs, "calendar: feed of alice: GET: 404 Not Found") {
		t.Errorf("the failures were not logged:\n%s", logs)
	}
	var state strings.Builder
	for _, text := range stateFiles(t, filepath.Join(dir, "state")) {
		state.WriteString(text)
	}
	for _, tok := range sim.Secrets() {
		for what, text := range map[string]string{"the log": logs, "a page": served.String(), "the state files": state.String()} {
			if strings.Contains(text, tok) {
				t.Errorf("a token reached %s", what)
			}
		}
	}
}
