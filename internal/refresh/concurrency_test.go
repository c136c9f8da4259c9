package refresh_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestConcurrentScrapesDuringRefresh gathers the metrics from 100
// goroutines while refreshes run (run it with -race): every scrape
// succeeds and sees a complete view, and none waits for the refresh.
func TestConcurrentScrapesDuringRefresh(t *testing.T) {
	run, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	reg := prometheus.NewRegistry()
	r, _ := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
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
	release := refresh.HoldLock(r)
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
	release()

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
