package collectors

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// TestConcurrentScrapesDuringRefresh gathers the metrics from 100
// goroutines while refreshes run (run it with -race): every scrape
// succeeds and sees a complete view, and none waits for the refresh.
func TestConcurrentScrapesDuringRefresh(t *testing.T) {
	run, cfg := testSetup(t, goldenDataset(), testConfig)
	reg := prometheus.NewRegistry()
	r, _ := newTestRefresher(t, cfg, reg, fixedClock(testEnd))
	defer r.Close()
	ctx := context.Background()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	want := len(gatherNames(t, reg))

	// Make the next refreshes slow, so that scrapes overlap them.
	run.SetFault(simulation.Fault{API: "github", Kind: simulation.FaultSlow, Delay: 300 * time.Millisecond, Times: 4})
	run.Update(touch)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 2; i++ {
			_ = r.RefreshAll(ctx)
		}
	}()
	var wg sync.WaitGroup
	for g := 0; g < 100; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				mfs, err := reg.Gather()
				if err != nil {
					t.Error(err)
					return
				}
				if len(mfs) < want {
					t.Errorf("a scrape saw %d metric families, want %d", len(mfs), want)
				}
			}
		}()
	}
	wg.Wait()
	<-done

	// A scrape takes no lock that a refresh holds: with the refresher's
	// lock held, a scrape still completes.
	r.mu.Lock()
	scraped := make(chan error, 1)
	go func() {
		_, err := reg.Gather()
		scraped <- err
	}()
	select {
	case err := <-scraped:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		t.Error("a scrape blocked on the refresher's lock")
	}
	r.mu.Unlock()

	// A scrape calls no API: it reads the last snapshot.
	run.ClearFault()
	run.ResetRequests()
	for i := 0; i < 10; i++ {
		if _, err := reg.Gather(); err != nil {
			t.Fatal(err)
		}
	}
	if reqs := run.Requests(); len(reqs) != 0 {
		t.Errorf("scrapes made %d API requests, want 0: %+v", len(reqs), reqs[0])
	}
}

func gatherNames(t *testing.T, reg *prometheus.Registry) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		out = append(out, mf.GetName())
	}
	return out
}

// TestReloadDoesNotWaitForARefresh: a reload that changes only people
// hands the PagerDuty source its new e-mail addresses without waiting for
// a PagerDuty refresh in progress (which may be sitting out a rate limit).
func TestReloadDoesNotWaitForARefresh(t *testing.T) {
	run, cfg := testSetup(t, goldenDataset(), testConfig)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), fixedClock(testEnd))
	defer r.Close()
	ctx := context.Background()
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	var pd Source
	for _, s := range r.sources {
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
	ps := pd.(*PagerDutySource)
	for ps.mu.TryLock() {
		ps.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	next, err := config.ParseWithoutSecrets([]byte(strings.Replace(testConfig, "pagerduty: [alice@acme.example]", "pagerduty: [alice@acme.example, alice2@acme.example]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	run.Configure(next)
	if err := r.Reload(next, func(string) (Source, error) { return nil, errors.New("no source should be rebuilt") }); err != nil {
		t.Fatal(err)
	}
	// The refresh still holds the source's lock: the reload did not wait.
	if ps.mu.TryLock() {
		ps.mu.Unlock()
		t.Error("the reload returned only after the PagerDuty fetch ended")
	}
	<-refreshed
}
