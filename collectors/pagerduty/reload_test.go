package pagerduty

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestReloadDoesNotWaitForARefresh: a reload that changes only people
// hands the PagerDuty source its new e-mail addresses without waiting for
// a PagerDuty refresh in progress (which may be sitting out a rate limit).
func TestReloadDoesNotWaitForARefresh(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	defer r.Close()
	ctx := context.Background()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	var pd collectors.Source
	for _, s := range r.Sources() {
		if s.Name() == "pagerduty" {
			pd = s
		}
	}
	run.SetFault(simulation.Fault{API: "pagerduty", Kind: simulation.FaultSlow, Delay: 3 * time.Second, Times: 1})
	run.ResetRequests()
	refreshed := make(chan struct{})
	go func() {
		defer close(refreshed)
		_ = r.RefreshOnce(ctx, pd)
	}()
	// Wait until the refresh is under way: it holds the source's lock.
	ps := pd.(*Source)
	for ps.mu.TryLock() {
		ps.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	next, err := config.ParseWithoutSecrets([]byte(strings.Replace(sourcetest.Config, "pagerduty: [alice@acme.example]", "pagerduty: [alice@acme.example, alice2@acme.example]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	run.Configure(next)
	if err := r.Reload(next, func(string) (collectors.Source, error) { return nil, errors.New("no source should be rebuilt") }); err != nil {
		t.Fatal(err)
	}
	// The refresh still holds the source's lock: the reload did not wait.
	if ps.mu.TryLock() {
		ps.mu.Unlock()
		t.Error("the reload returned only after the PagerDuty fetch ended")
	}
	<-refreshed
}
