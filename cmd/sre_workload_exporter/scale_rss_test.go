package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// TestScaleProcessRSS measures the peak resident memory of the exporter
// process alone, with --storage.path, syncing the scale scenario from a
// simulation that runs in this (the test's) process. It runs only on demand, with SRE_SCALE=large
// (or SRE_SCALE=small) and optionally SRE_SCALE_LATENCY; BENCHMARKS.md
// quotes it.
func TestScaleProcessRSS(t *testing.T) {
	scale := os.Getenv("SRE_SCALE")
	if scale == "" {
		t.Skip("set SRE_SCALE=large or small to measure the exporter's memory")
	}
	p := simulation.Large
	if scale != "large" {
		p = p.Divide(20)
	}
	var latency time.Duration
	if v := os.Getenv("SRE_SCALE_LATENCY"); v != "" {
		latency, _ = time.ParseDuration(v)
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	now := time.Now()
	sim, err := simulation.Serve(simulation.Scale(p, now))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.SetLatency(latency)
	sim.SetRateLimit(15000, 15000, now.Add(time.Hour))
	yml := string(simulation.ScaleConfig(p))
	yml = strings.Replace(yml, "http://127.0.0.1/github/", sim.GitHubURL(), 1)
	yml = strings.Replace(yml, "http://127.0.0.1/pagerduty", sim.PagerDutyURL(), 1)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddress(t)
	cmd := exec.Command(bin, "--config.file", cfgPath, "--web.listen-address", addr, "--log.level", "warn",
		"--storage.path", filepath.Join(dir, "state"))
	cmd.Env = append(os.Environ(), sim.ScaleEnv()...)
	var stderr syncWriter
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill(); t.Log("exporter stopped:", <-exited) }()
	start := time.Now()
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the exporter exited before it was ready: %v\n%s", err, stderr.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 20*time.Minute {
			t.Fatal("never ready")
		}
		time.Sleep(200 * time.Millisecond)
	}
	ready := time.Since(start)
	// The state files are written after the first refresh: wait for both.
	for _, name := range []string{"calendar.json.gz", "github.json.gz", "pagerduty.json.gz"} {
		for {
			if _, err := os.Stat(filepath.Join(dir, "state", name)); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for i := 0; i < 5; i++ { // a few scrapes, as Prometheus would
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			resp.Body.Close()
		}
	}
	status, err := os.ReadFile(filepath.Join("/proc", itoa(cmd.Process.Pid), "status"))
	if err != nil {
		t.Fatal(err)
	}
	var hwm, rss string
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			hwm = strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
		if strings.HasPrefix(line, "VmRSS:") {
			rss = strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:"))
		}
	}
	t.Logf("scenario %s, latency %v: exporter process ready after %v; peak RSS (VmHWM) %s, RSS now %s", scale, latency, ready.Round(time.Millisecond), hwm, rss)
}

func itoa(n int) string { return strconv.Itoa(n) }
