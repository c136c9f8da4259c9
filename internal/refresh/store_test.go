package refresh_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestStateFileResumesIncrementally: a restarted exporter with the state
// file gets 304s for every GitHub request of its first refresh, and serves
// the same numbers.
func TestStateFileResumesIncrementally(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	path := filepath.Join(t.TempDir(), "state")
	ctx := context.Background()

	first, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	logger, logs := sourcetest.Logger()
	first.UseStore(refresh.NewStore(path, logger))
	if err := first.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	first.Close()
	want := first.View().Analysis

	// A new process: new sources, the same file.
	second, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	defer second.Close()
	second.UseStore(refresh.NewStore(path, logger))
	run.ResetRequests()
	remaining := run.RateRemaining()
	if err := second.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, req := range run.Requests() {
		if req.API == "github" && req.Status != 304 {
			t.Errorf("first refresh after restart: GET %s?%s: %d, want 304", req.Path, req.Query, req.Status)
		}
	}
	if run.RateRemaining() != remaining {
		t.Error("the first refresh after a restart consumed primary rate limit")
	}
	got := second.View().Analysis
	for k, v := range want.Items {
		if got.Items[k] != v {
			t.Errorf("%v: %v after restart, %v before", k, got.Items[k], v)
		}
	}
	for k, v := range want.PersonActivities {
		if got.PersonActivities[k] != v {
			t.Errorf("%v: %v after restart, %v before", k, got.PersonActivities[k], v)
		}
	}
	if !strings.Contains(logs.String(), "state restored") {
		t.Errorf("no restore logged:\n%s", logs)
	}
}

// TestCorruptStateFileIsIgnored: a corrupt or truncated state file is
// logged and ignored, and the exporter does a full sync.
func TestCorruptStateFileIsIgnored(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":   "this is not gzip",
		"empty":     "",
		"truncated": "\x1f\x8b\x08\x00\x00\x00\x00\x00",
	} {
		t.Run(name, func(t *testing.T) {
			_, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
			path := t.TempDir()
			for _, f := range []string{"github.json.gz", "pagerduty.json.gz"} {
				if err := os.WriteFile(filepath.Join(path, f), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
			defer r.Close()
			logger, logs := sourcetest.Logger()
			r.UseStore(refresh.NewStore(path, logger))
			if err := r.RefreshAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !r.Ready() {
				t.Error("not ready after a full sync")
			}
			if !strings.Contains(logs.String(), "corrupt") {
				t.Errorf("the corrupt file was not logged:\n%s", logs)
			}
			// The files were replaced by good ones.
			r2, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
			defer r2.Close()
			logger2, logs2 := sourcetest.Logger()
			r2.UseStore(refresh.NewStore(path, logger2))
			if n := strings.Count(logs2.String(), "state restored"); n != 2 {
				t.Errorf("%d sources restored from the rewritten files, want 2:\n%s", n, logs2)
			}
		})
	}
}

// TestStateOfAnotherConfigIsNotRestored: a state saved for other
// repositories starts a full sync.
func TestStateOfAnotherConfigIsNotRestored(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	path := t.TempDir()
	logger, logs := sourcetest.Logger()
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	r.UseStore(refresh.NewStore(path, logger))
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Close()
	other := strings.Replace(sourcetest.Config, "repositories: [acme/infra, acme-corp/*]", "repositories: [acme/infra]", 1)
	_, cfg2 := sourcetest.Setup(t, sourcetest.Golden(), other)
	run.Configure(cfg2)
	r2, _ := newTestRefresher(t, cfg2, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	defer r2.Close()
	r2.UseStore(refresh.NewStore(path, logger))
	if !strings.Contains(logs.String(), "another config") {
		t.Errorf("a foreign state was not refused:\n%s", logs)
	}
}
