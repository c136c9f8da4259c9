package github

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/model"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/exposition"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// scaleScenario reads the scenario from the environment: SRE_SCALE=large
// for the reference size, else 1/20 of it (what CI runs), and
// SRE_SCALE_LATENCY for the simulated API latency (default 0 here; the
// documented measurements use 20ms).
func scaleScenario(t *testing.T) (simulation.ScaleParams, time.Duration, string) {
	p, name := simulation.Large.Divide(20), "1/20 of large"
	if os.Getenv("SRE_SCALE") == "large" {
		p, name = simulation.Large, "large"
	}
	var latency time.Duration
	if v := os.Getenv("SRE_SCALE_LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		latency = d
	}
	return p, latency, name
}

// lowerBound is the fewest requests a first sync can make: over every list
// endpoint, ceil(items / 100), and 1 for a list call that returns nothing;
// for reviews, the listing of each pull request that a team member
// reviewed, and the searches that find them.
func lowerBound(ds *simulation.Dataset, cfg *config.Config, start, end time.Time) (github, pagerduty int) {
	pages := func(n int) int { return max(1, (n+99)/100) }
	team := map[string]bool{}
	for _, p := range cfg.People {
		for _, l := range p.GitHub {
			team[strings.ToLower(l)] = true
		}
	}
	reviewedPulls := 0
	for _, o := range ds.GitHub.Owners {
		github += pages(len(o.Repos))
		for _, r := range o.Repos {
			open, updated, events := 0, 0, 0
			for _, is := range r.Issues {
				if is.Open() {
					open++
				}
				if !is.UpdatedAt.Before(start) {
					updated++
				}
			}
			for _, e := range r.Events {
				if !e.CreatedAt.Before(start) {
					events++
				}
			}
			github += pages(open) + pages(updated) + pages(len(r.Comments)) + pages(len(r.ReviewComments)) + pages(events)
			// The reviews of each pull request that a team member
			// reviewed within the window, 100 a page.
			perPull := map[int]int{}
			reviewed := map[int]bool{}
			for _, rv := range r.Reviews {
				perPull[rv.Issue]++
				if team[strings.ToLower(rv.User.Login)] && rv.State != "PENDING" && !rv.SubmittedAt.Before(start) {
					reviewed[rv.Issue] = true
				}
			}
			for n := range reviewed {
				github += pages(perPull[n])
			}
			reviewedPulls += len(reviewed)
		}
	}
	// Finding those pull requests: at least one search per group of six
	// logins (GitHub allows five OR operators in a query), and at least a
	// page per 100 pull requests found.
	if len(team) > 0 {
		github += max((len(team)+5)/6, (reviewedPulls+99)/100)
	}
	created, open, logs := 0, 0, 0
	for _, in := range ds.PagerDuty.Incidents {
		if !in.CreatedAt.Before(start) && !in.CreatedAt.After(end) {
			created++
		}
		if in.ResolvedAt.IsZero() {
			open++
		}
	}
	for _, le := range ds.PagerDuty.LogEntries {
		if !le.CreatedAt.Before(start) && !le.CreatedAt.After(end) {
			logs++
		}
	}
	pagerduty = pages(created) + pages(open) + pages(logs) + len(cfg.PagerDutyEmails())
	// On-call entries: a listing, of at least one page, per 25 people,
	// of their entries that overlap the window.
	users := cfg.PagerDutyUserIDs()
	for _, email := range cfg.PagerDutyEmails() {
		for _, u := range ds.PagerDuty.Users {
			if strings.EqualFold(u.Email, email) {
				users = append(users, u.ID)
			}
		}
	}
	slices.Sort(users)
	for chunk := range slices.Chunk(slices.Compact(users), 25) {
		n := 0
		for _, e := range ds.PagerDuty.OnCalls {
			if slices.Contains(chunk, e.UserID) && (e.Start.IsZero() || !e.Start.After(end)) && (e.End.IsZero() || !e.End.Before(start)) {
				n++
			}
		}
		pagerduty += pages(n)
	}
	return github, pagerduty
}

// TestScale runs the scale scenario: the first sync's requests against
// their lower bound, its time against the limit set by the API, the
// steady state, a refresh with a few changes, the exporter's memory per
// tracked item, and scrapes under 20 concurrent scrapers. It asserts the
// request counts; times are measured and logged, never asserted.
// BENCHMARKS.md quotes its log; the full size runs with
// SRE_SCALE=large SRE_SCALE_LATENCY=20ms go test -run TestScale -v -timeout 30m ./collectors
func TestScale(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	p, latency, name := scaleScenario(t)
	now := time.Now().UTC().Truncate(time.Second)
	t.Logf("scenario %s: %+v, latency %v, GOMAXPROCS %d", name, p, latency, runtime.GOMAXPROCS(0))
	ds := simulation.Scale(p, now)
	run, err := simulation.Serve(ds)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	run.SetLatency(latency)
	// The large first sync needs more requests than a user token's 5,000
	// an hour; a GitHub App installation on Enterprise Cloud has 15,000.
	run.SetRateLimit(15000, 15000, time.Now().Add(time.Hour))
	cfg, err := config.ParseWithoutSecrets(simulation.ScaleConfig(p))
	if err != nil {
		t.Fatal(err)
	}
	// SRE_SCALE_POLL=1 measures plain polling (reconcile_interval: 0)
	// instead of change detection through the Search API.
	polling := os.Getenv("SRE_SCALE_POLL") == "1"
	if polling {
		cfg.GitHub.ReconcileInterval = model.Duration(0)
		t.Log("polling every repository at every refresh (reconcile_interval: 0)")
	}
	run.Configure(cfg)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	api := apiclient.NewMetrics(nil)
	logger := slog.New(slog.DiscardHandler)
	all, err := sources(cfg, api, logger)
	if err != nil {
		t.Fatal(err)
	}
	// The clock of the refreshes: the data was made before now, and each
	// later refresh comes 5 minutes after the one before, as it would
	// with refresh_interval: 5m.
	var clockMu sync.Mutex
	current := now
	clock := func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		return current
	}
	tick := func() {
		clockMu.Lock()
		current = current.Add(5 * time.Minute)
		clockMu.Unlock()
	}
	r := refresh.NewRefresher(cfg, all, api.Panics, logger, clock)
	defer r.Close()
	// What /metrics serves: the live registry and the cached snapshot.
	live, rt := prometheus.NewRegistry(), prometheus.NewRegistry()
	live.MustRegister(api.Requests, api.RateLimitRemaining, api.RateLimitReset, api.Throttled, api.Retries, api.NotModified, api.Panics)
	rt.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	snapshot := exposition.NewSnapshotGatherer(r.View)
	handler := &exposition.MetricsHandler{Live: live, Runtime: rt, Snapshot: snapshot, RuntimeTTL: time.Second}
	handler.Attach(r)

	// Both sources refresh at once, as Run does.
	refreshBoth := func() (time.Duration, map[string]time.Duration) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		took := map[string]time.Duration{}
		start := time.Now()
		for _, s := range all {
			wg.Add(1)
			go func() {
				defer wg.Done()
				began := time.Now()
				if err := r.RefreshOnce(context.Background(), s); err != nil {
					t.Error(err)
				}
				mu.Lock()
				took[s.Name()] = time.Since(began)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return time.Since(start), took
	}
	// Requests, and those charged to the primary rate limit (neither a
	// 304 nor a search, which has its own budget).
	count := func() (gh, ghCharged, pd int) {
		for _, req := range run.Requests() {
			switch req.API {
			case "github":
				gh++
				if req.Status != 304 && !strings.HasPrefix(req.Path, "/search/") {
					ghCharged++
				}
			case "pagerduty":
				pd++
			}
		}
		return
	}

	// 1 and 2: the first sync.
	took, per := refreshBoth()
	gh, _, pd := count()
	lbGH, lbPD := lowerBound(ds, cfg, now.Add(-p.Window), now)
	reviewLists, reviewSearches := 0, 0
	for _, req := range run.Requests() {
		switch {
		case req.API == "github" && strings.HasSuffix(req.Path, "/reviews"):
			reviewLists++
		case req.API == "github" && strings.HasPrefix(req.Path, "/search/"):
			reviewSearches++
		}
	}
	t.Logf("first sync: reviews: %d reviewed-by searches, %d pull requests' reviews listed", reviewSearches, reviewLists)
	ratio := float64(gh+pd) / float64(lbGH+lbPD)
	t.Logf("first sync: %d requests (GitHub %d, PagerDuty %d); lower bound %d (GitHub %d, PagerDuty %d); ratio %.3f",
		gh+pd, gh, pd, lbGH+lbPD, lbGH, lbPD, ratio)
	if ratio > 1.05 {
		t.Errorf("the first sync made %.3f times the lower bound of requests, want at most 1.05", ratio)
	}
	if latency > 0 {
		limit := time.Duration(math.Max(float64(gh)*float64(latency)/float64(cfg.GitHub.Concurrency),
			float64(pd)*float64(latency)/float64(cfg.PagerDuty.Concurrency)))
		t.Logf("first sync took %v (GitHub %v, PagerDuty %v); the API's limit is %v; ratio %.2f",
			took.Round(time.Millisecond), per["github"].Round(time.Millisecond), per["pagerduty"].Round(time.Millisecond),
			limit.Round(time.Millisecond), float64(took)/float64(limit))
	} else {
		t.Logf("first sync took %v with no latency", took.Round(time.Millisecond))
	}
	items, activities := 0, 0
	for _, c := range r.View().Analysis.Classified {
		_ = c
		items++
	}
	for _, n := range r.View().Analysis.PersonActivities {
		activities += n
	}

	// 7: memory retained by the exporter (the simulation's data was
	// allocated before the first measurement).
	runtime.GC()
	if path := os.Getenv("SRE_SCALE_HEAPPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		_ = pprof.WriteHeapProfile(f)
		f.Close()
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	retained := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("memory: %d tracked items, %d activities of people; heap retained by the exporter %.1f MiB, %d bytes per tracked item",
		items, activities, float64(retained)/(1<<20), retained/int64(max(1, items)))

	// 3: the steady state: the next refresh, with nothing changed.
	tick()
	run.ResetRequests()
	took, per = refreshBoth()
	gh, charged, pd := count()
	t.Logf("steady state: %d GitHub requests (%d searches), %d charged to the primary rate limit; %d PagerDuty; took %v (GitHub %v, PagerDuty %v)",
		gh, run.Searches(), charged, pd, took.Round(time.Millisecond), per["github"].Round(time.Millisecond), per["pagerduty"].Round(time.Millisecond))
	// Two searches: the organisations' qualifiers with is:issue, and
	// with is:pull-request.
	// PagerDuty: open incidents, new log entries, and the on-call
	// entries since the last refresh, one request per 25 people.
	pdSteady := 2 + (p.People+24)/25
	if charged != 0 || !polling && gh != 2 || pd != pdSteady {
		t.Errorf("steady state: %d GitHub requests, %d charged, %d PagerDuty; want 2 searches, 0 charged, %d PagerDuty", gh, charged, pd, pdSteady)
	}

	// 4: 10 new comments in 5 repositories, before the next refresh; twice,
	// because the first change in a repository after its first sync reads
	// that listing's window once more (its cursor had no reason to move
	// before), and later changes read only what is new.
	var ghSource *Source
	for _, s := range all {
		if g, ok := s.(*Source); ok {
			ghSource = g
		}
	}
	newComments := func(round int) (n int) {
		ghSource.mu.Lock()
		defer ghSource.mu.Unlock()
		for _, st := range ghSource.state.Repos {
			for i := range 10 {
				if _, ok := st.Comments[int64(1e9+100*round+i)]; ok {
					n++
				}
			}
		}
		return n
	}
	for round := range 2 {
		tick()
		searches := run.Searches()
		run.Update(func(ds *simulation.Dataset) {
			for i := 0; i < 10; i++ {
				repo := ds.GitHub.Owners[0].Repos[i%5]
				is := repo.Issues[0]
				at := clock().Add(-30 * time.Second)
				repo.Comments = append(repo.Comments, &simulation.Comment{ID: int64(1e9 + 100*round + i), Issue: is.Number,
					User: simulation.User{Login: "user1"}, CreatedAt: at, UpdatedAt: at})
				is.UpdatedAt = at
			}
			// And one approval, of a pull request in the first of them.
			repo := ds.GitHub.Owners[0].Repos[0]
			for _, is := range repo.Issues {
				if is.PR {
					at := clock().Add(-20 * time.Second)
					repo.Reviews = append(repo.Reviews, &simulation.Review{ID: int64(2e9 + round), Issue: is.Number,
						User: simulation.User{Login: "user2"}, State: "APPROVED", SubmittedAt: at})
					is.UpdatedAt = at
					break
				}
			}
		})
		run.ResetRequests()
		took, _ = refreshBoth()
		gh, charged, pd = count()
		t.Logf("10 new comments in 5 repositories (round %d): %d GitHub requests, %d charged; %d PagerDuty; took %v",
			round+1, gh, charged, pd, took.Round(time.Millisecond))
		if got := newComments(round); got != 10 {
			t.Errorf("round %d: %d of the 10 new comments tracked", round+1, got)
		}
		reviewLists := 0
		for _, req := range run.Requests() {
			if req.API == "github" && strings.HasSuffix(req.Path, "/reviews") {
				reviewLists++
			}
		}
		ghSource.mu.Lock()
		_, approved := ghSource.state.Repos[strings.ToLower(simulation.RepoName(p, 0))].Submitted[int64(2e9+round)]
		ghSource.mu.Unlock()
		t.Logf("round %d: %d pull requests' reviews listed (the changed pull requests only); the new approval tracked: %v", round+1, reviewLists, approved)
		if !approved {
			t.Errorf("round %d: the new approval is not tracked", round+1)
		}
		// Requests scale with the changes: one search, then only the five
		// repositories that changed.
		polled := map[string]bool{}
		for _, req := range run.Requests() {
			if req.API == "github" && strings.HasPrefix(req.Path, "/repos/") {
				polled[strings.Join(strings.SplitN(req.Path, "/", 5)[2:4], "/")] = true
			}
		}
		if n := run.Searches() - searches; !polling && (n != 2 || len(polled) != 5) {
			t.Errorf("round %d: %d searches, repositories polled %v; want 2 searches and the 5 that changed", round+1, n, slices.Sorted(maps.Keys(polled)))
		}
	}

	// 8: a restart with the state file: ready after one refresh, which
	// consumes no primary rate limit when nothing changed. The steps above
	// run back to back within a wall-clock minute, where a real restart
	// comes later: when they spent the Search API's budget of the minute
	// (30; the first sync's review searches take most of it), wait for its
	// reset first, as a restart a minute later would find it.
	if remaining, reset := run.SearchBudget(); remaining < 10 {
		t.Logf("restart: waiting %v for the Search API budget's reset (%d of 30 left)", time.Until(reset).Round(time.Second), remaining)
		time.Sleep(time.Until(reset) + 100*time.Millisecond)
	}
	tick()
	path := t.TempDir()
	began := time.Now()
	store := refresh.NewStore(path, logger)
	for _, s := range all {
		if err := store.Save(s, refresh.Fingerprint(cfg, s.Name())); err != nil {
			t.Fatal(err)
		}
	}
	saved := time.Since(began)
	var size int64
	for _, name := range []string{"github.json.gz", "pagerduty.json.gz"} {
		fi, err := os.Stat(filepath.Join(path, name))
		if err != nil {
			t.Fatal(err)
		}
		size += fi.Size()
	}
	began = time.Now()
	sources2, err := sources(cfg, api, logger)
	if err != nil {
		t.Fatal(err)
	}
	r2 := refresh.NewRefresher(cfg, sources2, api.Panics, logger, clock)
	defer r2.Close()
	r2.UseStore(refresh.NewStore(path, logger))
	restored := time.Since(began)
	run.ResetRequests()
	remaining := run.RateRemaining()
	var wg2 sync.WaitGroup
	for _, s := range sources2 {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			if err := r2.RefreshOnce(context.Background(), s); err != nil {
				t.Error(err)
			}
		}()
	}
	wg2.Wait()
	ready := time.Since(began)
	if !r2.Ready() {
		t.Error("not ready after the first refresh from the state file")
	}
	// (Polling, the cursors that the last changes moved settle now: one
	// 200 per endpoint that changed, as the README says.)
	if used := remaining - run.RateRemaining(); used != 0 && !polling {
		t.Errorf("the first refresh after a restart consumed %d of the primary rate limit", used)
	}
	gh, _, pd = count()
	// The state file keeps no e-mail address (issue 17): the restart
	// resolves each of the config's addresses again, one request each.
	emails := len(cfg.PagerDutyEmails())
	if !polling && gh != 2 || pd != pdSteady+emails {
		t.Errorf("the first refresh after a restart: %d GitHub requests, %d PagerDuty; want 2 searches and %d + %d addresses", gh, pd, pdSteady, emails)
	}
	t.Logf("restart: state files %.1f MiB written in %v; read and restored in %v; ready %v after start (first refresh: %d GitHub requests, %d PagerDuty, 0 primary rate limit)",
		float64(size)/(1<<20), saved.Round(time.Millisecond), restored.Round(time.Millisecond), ready.Round(time.Millisecond), gh, pd)

	// 6: scrapes under 20 concurrent scrapers, through the /metrics handler.
	series := 0
	mfs, _ := prometheus.Gatherers{live, rt, snapshot}.Gather()
	for _, mf := range mfs {
		series += len(mf.GetMetric())
	}
	var p50, p99 time.Duration
	var n int
	for _, encoding := range []string{"", "gzip"} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		var size int64
		p50, p99, n = scrapeConcurrently(t, func() error {
			w := &countingWriter{header: http.Header{}}
			handler.ServeHTTP(w, req)
			if w.code != 0 || w.n < 10_000 || w.header.Get("Content-Encoding") != encoding {
				return fmt.Errorf("scrape: status %d, %d bytes, Content-Encoding %q", w.code, w.n, w.header.Get("Content-Encoding"))
			}
			atomic.StoreInt64(&size, int64(w.n))
			return nil
		})
		t.Logf("scrape: %d series; the /metrics handler alone (Accept-Encoding %q, %d bytes sent) under 20 concurrent scrapers, %d scrapes: p50 %v, p99 %v",
			series, encoding, size, n, p50, p99)
	}

	// The same over HTTP on loopback, client included: with gzip, as
	// Prometheus asks (Go's client asks too, and decompresses), and
	// without.
	srv := httptest.NewServer(handler)
	defer srv.Close()
	for _, gzip := range []bool{true, false} {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 20, DisableCompression: !gzip}}
		var body int64
		p50, p99, n = scrapeConcurrently(t, func() error {
			resp, err := client.Get(srv.URL)
			if err != nil {
				return err
			}
			got, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Uncompressed != gzip {
				return fmt.Errorf("scrape over HTTP: %s, decompressed %v", resp.Status, resp.Uncompressed)
			}
			atomic.StoreInt64(&body, got)
			return nil
		})
		client.CloseIdleConnections()
		t.Logf("scrape over HTTP on loopback (gzip %v, %d bytes decoded), 20 concurrent scrapers, %d scrapes: p50 %v, p99 %v", gzip, body, n, p50, p99)
	}
}

// scrapeConcurrently runs scrape 50 times in each of 20 goroutines and
// returns the median and 99th percentile of its durations, and how many
// succeeded. The first error of a goroutine fails the test and stops it.
func scrapeConcurrently(t *testing.T, scrape func() error) (p50, p99 time.Duration, n int) {
	t.Helper()
	var mu sync.Mutex
	var durations []time.Duration
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				start := time.Now()
				if err := scrape(); err != nil {
					t.Error(err)
					return
				}
				d := time.Since(start)
				mu.Lock()
				durations = append(durations, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(durations) == 0 {
		t.Fatal("no scrape succeeded")
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	return durations[len(durations)/2].Round(time.Microsecond), durations[len(durations)*99/100].Round(time.Microsecond), len(durations)
}

// countingWriter is a ResponseWriter that counts and discards the body, as
// a socket would take it.
type countingWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}
func (w *countingWriter) WriteHeader(code int) { w.code = code }
