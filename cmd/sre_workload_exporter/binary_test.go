package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// buildBinary builds the exporter into a temporary directory, for the
// tests that run it as its own process, and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sre_workload_exporter")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// fastDemoConfig is the demo's config pointed at sim, refreshing every
// second; polling, since searching that often would spend more than the
// Search API's 30 requests a minute (the config check refuses it).
func fastDemoConfig(t *testing.T, sim *simulation.Running) string {
	t.Helper()
	cfg := strings.Replace(demoConfigFor(t, sim, nil), "refresh_interval: 1m", "refresh_interval: 1s", 1)
	return strings.Replace(cfg, "  token_env: DEMO_GITHUB_TOKEN\n", "  token_env: DEMO_GITHUB_TOKEN\n  reconcile_interval: 0s\n", 1)
}

// stateFiles are what the three state files in dir hold, gunzipped, by
// name: what a grep must search, not the compressed bytes.
func stateFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"calendar.json.gz", "github.json.gz", "pagerduty.json.gz"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("state file %s: %v", name, err)
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Errorf("state file %s: %v", name, err)
			continue
		}
		plain, err := io.ReadAll(zr)
		if err != nil || len(plain) == 0 {
			t.Errorf("state file %s: %d bytes after gunzip, %v", name, len(plain), err)
		}
		out[name] = string(plain)
	}
	return out
}

// startDemoBinary runs bin on the config at cfgPath against sim, with the
// log at debug into out and the state files in state, until the test
// ends; it returns the process and its base URL.
func startDemoBinary(t *testing.T, bin, cfgPath, state string, sim *simulation.Running, out *syncWriter) (*exec.Cmd, string) {
	t.Helper()
	addr := freeAddress(t)
	cmd := exec.Command(bin, "--config.file", cfgPath, "--web.listen-address", addr, "--log.level", "debug", "--storage.path", state)
	cmd.Env = append(os.Environ(), sim.DemoEnv()...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, "http://" + addr
}
