package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// TestBackfillScale measures a backfill of the scale scenario, on demand
// (SRE_SCALE=large or small): the scenario's counts spread over 97 days,
// the analysis window 7 days, 90 days at 1 h steps (2,161 steps), the
// exporter's process alone on one core (GOMAXPROCS=1), its peak resident
// memory, and the analysis's time from its log. BENCHMARKS.md quotes it.
func TestBackfillScale(t *testing.T) {
	scale := os.Getenv("SRE_SCALE")
	if scale == "" {
		t.Skip("set SRE_SCALE=large or small to measure a backfill of the scale scenario")
	}
	p := simulation.Large
	if scale != "large" {
		p = p.Divide(20)
	}
	p.Window = 97 * 24 * time.Hour
	dir := t.TempDir()
	bin := buildBinary(t)
	now := time.Now()
	sim, err := simulation.Serve(simulation.Scale(p, now))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.SetRateLimit(50000, 50000, now.Add(time.Hour))
	yml := string(simulation.ScaleConfig(p))
	yml = strings.Replace(yml, "window: 97d", "window: 7d", 1)
	yml = strings.Replace(yml, "http://127.0.0.1/github/", sim.GitHubURL(), 1)
	yml = strings.Replace(yml, "http://127.0.0.1/pagerduty", sim.PagerDutyURL(), 1)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "history.om")
	cmd := exec.Command(bin, "--config.file", cfgPath, "backfill", "--from=-90d", "--step=1h", "--output="+out)
	cmd.Env = append(append(os.Environ(), "GOMAXPROCS=1"), sim.ScaleEnv()...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	began := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("backfill: %v\n%s", err, logs.String())
	}
	took := time.Since(began)
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "backfill: collected") || strings.Contains(line, "steps=2161") {
			t.Log(line)
		}
	}
	analysed := regexp.MustCompile(`steps=2161 from=\S+ to=\S+ step=\S+ took=(\S+)`).FindStringSubmatch(logs.String())
	if analysed == nil {
		t.Fatalf("no analysis time in the log:\n%s", logs.String())
	}
	t.Logf("%s: 90 days at 1 h steps on one core: the analysis and writing took %s; the whole command %s; peak RSS %.0f MB; output %.0f MB",
		scale, analysed[1], took.Round(time.Millisecond), float64(rss)/1024*1.048576, float64(st.Size())/1e6)
	// promtool's part, when it is installed.
	if promtool, err := exec.LookPath("promtool"); err == nil {
		began := time.Now()
		c := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=2160h", out, filepath.Join(dir, "blocks"))
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("promtool: %v\n%.2000s", err, b)
		}
		t.Logf("promtool tsdb create-blocks-from openmetrics: %s, peak RSS %.0f MB", time.Since(began).Round(time.Millisecond),
			float64(c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)/1024*1.048576)
	}
}
