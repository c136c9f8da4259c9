package github

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestReserveOverHTTP: against the simulated GitHub with 14 of 100
// requests left, the exporter stops at the 10% reserve, waits for the
// reset, and finishes; the token never goes below the reserve.
func TestReserveOverHTTP(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	r, logs := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	defer r.Close()
	reset := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	run.SetRateLimit(100, 14, reset)
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if low := run.MinRateRemaining(); low < 10 {
		t.Errorf("the remaining budget fell to %d, below the reserve of 10", low)
	}
	var before, after int
	for _, req := range run.Requests() {
		if req.API != "github" {
			continue
		}
		if req.Time.Before(reset) {
			before++
		} else {
			after++
		}
	}
	if before > 4 || after == 0 {
		t.Errorf("%d requests before the reset, %d after; want at most 4 (14 - 10), then the rest", before, after)
	}
	if !strings.Contains(logs.String(), "rate limit reserve") {
		t.Errorf("the pause was not logged:\n%s", logs)
	}
}
