// Package examples checks the example systemd unit and Prometheus config
// with the tools that will read them: systemd-analyze and promtool.
package examples

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sre-workload/sre_workload_exporter/internal/testenv"
)

const (
	unitFile      = "sre_workload_exporter.service"
	installedPath = "/usr/local/bin/sre_workload_exporter"
)

// buildExporter builds the exporter into a temporary directory.
func buildExporter(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sre_workload_exporter")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/sre_workload_exporter")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSystemdUnit verifies the unit with systemd-analyze, and runs the
// binary with the unit's ExecStart flags and the example config, given its
// tokens as the README says.
func TestSystemdUnit(t *testing.T) {
	analyze := testenv.Tool(t, "Debian's systemd package", "systemd-analyze")
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(unit, []byte("ExecStart="+installedPath+" ")) {
		t.Fatalf("%s: ExecStart does not run %s", unitFile, installedPath)
	}
	bin := buildExporter(t)

	// verify wants ExecStart's binary to exist and be executable: point
	// a copy of the unit, under the same name, at the one just built.
	dir := t.TempDir()
	copied := filepath.Join(dir, unitFile)
	if err := os.WriteFile(copied, bytes.ReplaceAll(unit, []byte(installedPath), []byte(bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", copied).CombinedOutput()
	// verify exits 0 after an unknown key, an unparsable value or an
	// unknown section; it only prints "<file>:<line>: ..." and ignores the
	// line. Any line naming this unit is therefore an error. Other lines
	// come from the machine (its own units, a container without a running
	// systemd) and are only logged.
	var problems []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		switch {
		case line == "":
		case strings.Contains(line, unitFile):
			problems = append(problems, line)
		default:
			t.Logf("systemd-analyze verify (not about this unit): %s", line)
		}
	}
	if err != nil {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unitFile, err, out)
	} else if len(problems) > 0 {
		t.Errorf("systemd-analyze verify %s exits 0 but ignores lines of the unit:\n%s", unitFile, strings.Join(problems, "\n"))
	}

	// The flags of ExecStart must exist: run them, with the example
	// config in place of /etc/sre_workload_exporter/config.yml.
	args := execStart(t, string(unit))
	example, err := filepath.Abs(filepath.Join("..", "config", "example.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		a = strings.Replace(a, "/etc/sre_workload_exporter/config.yml", example, 1)
		args[i] = strings.Replace(a, "/var/lib/sre_workload_exporter", t.TempDir(), 1)
	}
	cmd := exec.Command(bin, append(args, "--config.check")...)
	cmd.Env = append(cleanEnv(), "GITHUB_TOKEN=unused", "PAGERDUTY_TOKEN=unused")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s %s --config.check: %v\n%s", installedPath, strings.Join(args, " "), err, out)
	}
}

// execStart returns the arguments of the unit's ExecStart, its line
// continuations joined.
func execStart(t *testing.T, unit string) []string {
	t.Helper()
	joined := strings.ReplaceAll(unit, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="+installedPath); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatalf("%s: no ExecStart=%s", unitFile, installedPath)
	return nil
}

// cleanEnv is the test's environment without the tokens, so that only the
// ones the test sets count.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITHUB_TOKEN=") && !strings.HasPrefix(kv, "PAGERDUTY_TOKEN=") {
			env = append(env, kv)
		}
	}
	return env
}

// TestPrometheusConfig checks the example scrape config with promtool, from
// a temporary directory that holds it and a copy of dashboards/rules.yml
// where its rule_files entry says.
func TestPrometheusConfig(t *testing.T) {
	promtool := testenv.Tool(t, "Debian's prometheus package", "promtool")
	data, err := os.ReadFile("prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.RuleFiles) != 1 || filepath.IsAbs(cfg.RuleFiles[0]) {
		t.Fatalf("rule_files = %q, want one path relative to prometheus.yml", cfg.RuleFiles)
	}
	if len(cfg.ScrapeConfigs) != 1 || cfg.ScrapeConfigs[0].JobName != "sre_workload" ||
		len(cfg.ScrapeConfigs[0].StaticConfigs) != 1 ||
		strings.Join(cfg.ScrapeConfigs[0].StaticConfigs[0].Targets, ",") != "localhost:9866" {
		t.Errorf("scrape_configs = %+v, want one job sre_workload with the target localhost:9866", cfg.ScrapeConfigs)
	}

	dir := t.TempDir()
	rules, err := os.ReadFile(filepath.Join("..", "dashboards", "rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	rulesCopy := filepath.Join(dir, cfg.RuleFiles[0])
	if err := os.MkdirAll(filepath.Dir(rulesCopy), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rulesCopy, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// check config also checks every rule file it names.
	out, err := exec.Command(promtool, "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput()
	if err != nil {
		t.Errorf("promtool check config: %v\n%s", err, out)
	}
}
