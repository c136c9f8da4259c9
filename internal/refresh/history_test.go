package refresh_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestKeepRecord: one record per UTC day, the latest of the day winning,
// oldest first, none more than 90 days before the newest.
func TestKeepRecord(t *testing.T) {
	at := func(s string) analysis.Record {
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return analysis.Record{At: ts}
	}
	var recs []analysis.Record
	for _, s := range []string{"2026-08-01T10:00:00Z", "2026-11-20T08:00:00Z", "2026-11-20T23:59:59Z", "2026-11-21T00:00:00Z", "2026-11-21T12:00:00Z"} {
		recs = refresh.KeepRecord(recs, at(s))
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.At.Format(time.RFC3339))
	}
	// 2026-08-01 is 112 days before the newest: dropped.
	want := []string{"2026-11-20T23:59:59Z", "2026-11-21T12:00:00Z"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("records %v, want %v", got, want)
	}
}

// TestHistoryIsKeptAndRestored: each refresh with whole data keeps its
// day's record in the View; with --storage.path a restarted exporter has
// the days it kept before; a history of other sources is not restored.
func TestHistoryIsKeptAndRestored(t *testing.T) {
	_, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	dir := t.TempDir()
	clock := sourcetest.End
	now := func() time.Time { return clock }
	ctx := context.Background()
	logger, _ := sourcetest.Logger()

	first, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), now)
	first.UseStore(refresh.NewStore(dir, logger))
	if len(first.View().History) != 0 {
		t.Error("a history before any refresh")
	}
	if err := first.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour) // the same day
	if err := first.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(24 * time.Hour) // the next day
	if err := first.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	h := first.View().History
	if len(h) != 2 || !h[0].At.Equal(sourcetest.End.Add(time.Hour)) || !h[1].At.Equal(clock) || len(h[1].Signals) == 0 {
		t.Fatalf("kept %+v", h)
	}
	first.Close()

	second, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), now)
	defer second.Close()
	second.UseStore(refresh.NewStore(dir, logger))
	clock = clock.Add(24 * time.Hour)
	if err := second.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if h := second.View().History; len(h) != 3 {
		t.Errorf("after a restart: %d days, want 3", len(h))
	}

	// Another config's sources: the history is not theirs.
	other := *cfg
	gh := *cfg.GitHub
	gh.Repositories = []string{"acme/other"}
	other.GitHub = &gh
	if recs := refresh.NewStore(dir, logger).RestoreHistory(refresh.HistoryFingerprintForTest(&other)); len(recs) != 0 {
		t.Errorf("restored %d records for other repositories", len(recs))
	}
	if _, err := os.Stat(filepath.Join(dir, "history.json")); err != nil {
		t.Error(err)
	}
}
