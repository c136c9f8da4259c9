package main

import (
	"io"
	"net/http"
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

// word matches an identity as a whole word, case-insensitive: not inside
// a longer run of letters and digits. The demo's PagerDuty user IDs
// (PALICE1, PBOB001) are opaque IDs, which the state keeps, that happen
// to hold the names.
func word(id string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[^a-z0-9])` + regexp.QuoteMeta(id) + `($|[^a-z0-9])`)
}

// TestPrivacyModesWriteNoName runs the binary on the demo's config under
// privacy.people: pseudonymous and aggregate, through a failing calendar
// feed (whose error names its person) and a refused GitHub token, with
// the log at debug, then greps everything it wrote for the people's names,
// logins and e-mail addresses: the log, /metrics, every format of
// /report, the landing page, the state files, classify's output, and a
// backfill's OpenMetrics and log.
func TestPrivacyModesWriteNoName(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	for _, mode := range []string{"pseudonymous", "aggregate"} {
		t.Run(mode, func(t *testing.T) {
			sim, err := simulation.Serve(simulation.Demo(time.Now()))
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			cfgText := fastDemoConfig(t, sim) + "\nprivacy: {people: " + mode + "}\n"
			cfgPath := filepath.Join(dir, mode+".yml")
			if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
				t.Fatal(err)
			}
			state := filepath.Join(dir, mode+"-state")
			var out syncWriter
			cmd, base := startDemoBinary(t, bin, cfgPath, state, sim, &out)
			waitReady(t, base, &out)
			sim.SetFault(simulation.Fault{API: "calendar", Status: 404})
			time.Sleep(1500 * time.Millisecond)
			sim.SetFault(simulation.Fault{API: "github", Status: 401})
			time.Sleep(1500 * time.Millisecond)
			sim.ClearFault()
			time.Sleep(1500 * time.Millisecond)
			written := map[string]string{}
			for _, p := range []string{"/metrics", "/", "/report?format=html", "/report?format=markdown", "/report?format=json"} {
				resp, err := http.Get(base + p)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				written[p] = string(b)
			}
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			written["the log"] = out.String()
			if !strings.Contains(out.String(), "feed of person-1") {
				t.Errorf("the log does not name the failing feed by its pseudonym:\n%.2000s", out.String())
			}
			for name, text := range stateFiles(t, state) {
				written["state file "+name] = text
			}
			classify := exec.Command(bin, "classify", "--config.file", cfgPath)
			classify.Env = cmd.Env
			text, err := classify.CombinedOutput()
			if err != nil {
				t.Fatalf("classify: %v\n%s", err, text)
			}
			written["classify"] = string(text)
			backfilled := filepath.Join(dir, mode+".om")
			backfill := exec.Command(bin, "backfill", "--config.file", cfgPath, "--output", backfilled, "--from=-1d", "--step=6h")
			backfill.Env = cmd.Env
			if text, err := backfill.CombinedOutput(); err != nil {
				t.Fatalf("backfill: %v\n%s", err, text)
			} else {
				written["backfill's log"] = string(text)
			}
			om, err := os.ReadFile(backfilled)
			if err != nil || len(om) == 0 {
				t.Fatalf("backfill output: %v", err)
			}
			written["backfill's OpenMetrics"] = string(om)
			for what, text := range written {
				for _, id := range simulation.DemoIdentities() {
					if loc := word(id).FindStringIndex(text); loc != nil {
						t.Errorf("%s holds %q: ...%s...", what, id, text[max(0, loc[0]-80):min(len(text), loc[1]+80)])
					}
				}
			}
			if mode == "aggregate" && strings.Contains(written["/metrics"], `person="`) {
				t.Error("aggregate /metrics has per-person series")
			}
		})
	}
}
