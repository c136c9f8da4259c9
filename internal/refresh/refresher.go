// Package refresh runs every source in the background, each on its own
// schedule and never twice at once, and publishes Views: the config, the
// analysis of the last good snapshots and the sources' statuses. A
// refresh swaps its source's snapshot in whole (or, for a partial refresh,
// its new parts with the last good data of the rest); a failed one keeps
// the last good snapshot. It saves and restores the sources' state files
// (Store), and hands a source's state over across a config reload.
package refresh

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// SourceStatus is how a source's refreshes are going.
type SourceStatus struct {
	Name string
	// Up is true when the last refresh succeeded.
	Up bool
	// LastSuccess is when the last successful refresh finished; zero before
	// the first one.
	LastSuccess time.Time
	// Duration is how long the last refresh took, successful or not.
	Duration time.Duration
	// Refreshed is true once any refresh, good or bad, has finished.
	Refreshed bool
	// Stale names the parts (GitHub repositories) that the last refresh
	// that published could not read (a *collectors.PartialError's), and that keep
	// older data, or none.
	Stale []string
}

// View is one published, immutable state of the exporter: the config, the
// analysis of the last good snapshots, and the sources' statuses. Scrapes
// read the current View and nothing else.
type View struct {
	Config   *config.Config
	Analysis *analysis.Result
	Sources  []SourceStatus
	// History is the kept analysis of each UTC day, oldest first, the
	// current one last; empty until the data is whole.
	History []analysis.Record
}

// Refresher runs the background refresh of every source. Each source
// refreshes on its own schedule, never twice at once; a successful refresh
// swaps that source's complete snapshot in, and a failed one keeps the last
// good snapshot.
type Refresher struct {
	logger *slog.Logger
	now    func() time.Time
	panics *prometheus.CounterVec // by source; may be nil

	mu      sync.Mutex // guards everything below; held while publishing, never by scrapes
	cfg     *config.Config
	sources []collectors.Source
	snaps   map[string]*model.Snapshot
	status  map[string]*SourceStatus
	store   *Store                        // nil without --storage.path
	history []analysis.Record             // the last record of each UTC day
	runCtx  context.Context               // set by Run
	cancel  map[string]context.CancelFunc // stops a source's loop
	loops   sync.WaitGroup

	view      atomic.Pointer[View]
	onPublish []func(*View)
}

// OnPublish calls f with every View published from now on, in the
// goroutine that publishes it.
func (r *Refresher) OnPublish(f func(*View)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onPublish = append(r.onPublish, f)
}

// NewRefresher prepares a refresher for cfg's sources. Nothing is fetched
// until Run or RefreshOnce.
func NewRefresher(cfg *config.Config, sources []collectors.Source, panics *prometheus.CounterVec, logger *slog.Logger, now func() time.Time) *Refresher {
	if now == nil {
		now = time.Now
	}
	r := &Refresher{
		logger:  logger,
		now:     now,
		panics:  panics,
		cfg:     cfg,
		sources: sources,
		snaps:   map[string]*model.Snapshot{},
		status:  map[string]*SourceStatus{},
		cancel:  map[string]context.CancelFunc{},
	}
	for _, s := range sources {
		r.status[s.Name()] = &SourceStatus{Name: s.Name()}
	}
	r.mu.Lock()
	r.publishLocked()
	r.mu.Unlock()
	return r
}

// UseStore restores the sources' saved state from store, and saves it
// there after every successful refresh.
func (r *Refresher) UseStore(store *Store) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.store = store
	for _, s := range r.sources {
		store.Restore(s, Fingerprint(r.cfg, s.Name()))
	}
	r.history = store.RestoreHistory(historyFingerprint(r.cfg))
}

// View returns the current published state. It never blocks on a refresh.
func (r *Refresher) View() *View { return r.view.Load() }

// Ready reports whether every source's data is whole: the analysis waits
// for none (analysis.Result.Waiting), so that /-/ready and the verdict
// share one definition.
func (r *Refresher) Ready() bool { return len(r.View().Analysis.Waiting) == 0 }

// Run refreshes every source at once, then every refresh_interval, until
// ctx ends. Reload may replace sources while it runs.
func (r *Refresher) Run(ctx context.Context) {
	r.mu.Lock()
	r.runCtx = ctx
	for _, s := range r.sources {
		r.startLocked(s)
	}
	r.mu.Unlock()
	<-ctx.Done()
	r.loops.Wait()
}

// startLocked starts the refresh loop of one source. r.mu must be held.
func (r *Refresher) startLocked(s collectors.Source) {
	ctx, cancel := context.WithCancel(r.runCtx)
	r.cancel[s.Name()] = cancel
	r.loops.Add(1)
	go func() {
		defer r.loops.Done()
		for {
			_ = r.RefreshOnce(ctx, s)
			r.mu.Lock()
			interval := time.Duration(r.cfg.RefreshInterval)
			r.mu.Unlock()
			t := time.NewTimer(interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
}

// Reload swaps in a new config. A source whose config section is unchanged
// keeps its state and its snapshot, so a change of rules, domains or people
// re-classifies the same data at once, without an API sync. A changed or
// new section gets a new source from build. When the change leaves what
// the source reads alone (a rotated token, other limits or timeouts: the
// same Fingerprint), the new source takes over the old one's state and the
// last snapshot stays served, so it resumes incrementally; otherwise it
// starts from the state file, if any, or syncs from scratch. The source of
// a removed section stops, and its data goes.
func (r *Refresher) Reload(cfg *config.Config, build func(source string) (collectors.Source, error)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var next []collectors.Source
	replaced := map[string]bool{}
	for _, name := range cfg.Sources() {
		old := r.source(name)
		if old != nil && config.SameSource(r.cfg, cfg, name) {
			if rc, ok := old.(collectors.Reconfigurer); ok {
				rc.Reconfigure(cfg)
			}
			next = append(next, old)
			continue
		}
		s, err := build(name)
		if err != nil {
			return err
		}
		next = append(next, s)
		replaced[name] = true
	}
	// Every new source is built: stop the old ones, and hand over state.
	kept := map[string]bool{}
	for _, old := range r.sources {
		name := old.Name()
		if !replaced[name] && slices.Contains(cfg.Sources(), name) {
			continue
		}
		if cancel := r.cancel[name]; cancel != nil {
			cancel()
		}
		if replaced[name] && Fingerprint(r.cfg, name) == Fingerprint(cfg, name) {
			kept[name] = handOver(old, sourceNamed(next, name), r.logger)
		}
		if !kept[name] {
			delete(r.snaps, name)
			delete(r.status, name)
		}
	}
	if historyFingerprint(r.cfg) != historyFingerprint(cfg) {
		r.history = nil // other sources: the kept history is not theirs
	}
	r.cfg, r.sources = cfg, next
	for _, s := range next {
		if !replaced[s.Name()] {
			continue
		}
		if !kept[s.Name()] {
			if r.store != nil {
				r.store.Restore(s, Fingerprint(cfg, s.Name()))
			}
			r.status[s.Name()] = &SourceStatus{Name: s.Name()}
		}
		if r.runCtx != nil {
			r.startLocked(s)
		}
	}
	r.publishLocked()
	return nil
}

// handOver moves a replaced source's state (tracked items, cursors, ETags)
// to its successor, through the same encoding as the state file. The old
// source's loop is already cancelled, so a fetch in progress ends soon.
func handOver(old, next collectors.Source, logger *slog.Logger) bool {
	from, ok1 := old.(collectors.Stateful)
	to, ok2 := next.(collectors.Stateful)
	if !ok1 || !ok2 {
		return false
	}
	var buf bytes.Buffer
	if err := from.SaveState(&buf); err != nil {
		logger.Warn("cannot hand the state over to the reloaded source; it syncs again", "api", old.Name(), "err", err)
		return false
	}
	if err := to.RestoreState(&buf); err != nil {
		logger.Warn("cannot hand the state over to the reloaded source; it syncs again", "api", old.Name(), "err", err)
		return false
	}
	return true
}

func sourceNamed(sources []collectors.Source, name string) collectors.Source {
	for _, s := range sources {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

// source returns the current source with that name, or nil. r.mu must be
// held.
// Sources are the sources the refresher runs now, in config order.
func (r *Refresher) Sources() []collectors.Source {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sources)
}

func (r *Refresher) source(name string) collectors.Source { return sourceNamed(r.sources, name) }

// Close releases the sources' idle connections.
func (r *Refresher) Close() {
	for _, s := range r.sources {
		if c, ok := s.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
}

// RefreshAll refreshes every source once, one after the other, and returns
// the first error.
func (r *Refresher) RefreshAll(ctx context.Context) error {
	var first error
	for _, s := range r.sources {
		if err := r.RefreshOnce(ctx, s); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// RefreshOnce fetches one source and, when the fetch is complete, swaps its
// snapshot in and publishes a new View.
func (r *Refresher) RefreshOnce(ctx context.Context, s collectors.Source) (err error) {
	start := r.now()
	r.mu.Lock()
	window := time.Duration(r.cfg.Window)
	r.mu.Unlock()
	w := collectors.Window{Start: start.Add(-window), End: start}

	snap, err := safeFetch(ctx, s, w)
	took := r.now().Sub(start)
	if ctx.Err() != nil && err != nil {
		return err // shutting down: not a source failure
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.source(s.Name()) != s {
		return err // replaced by a reload while it ran
	}
	st := r.status[s.Name()]
	st.Refreshed, st.Duration = true, took
	st.Up = err == nil
	var partial *collectors.PartialError
	if snap != nil {
		st.Stale = nil
		if errors.As(err, &partial) {
			st.Stale = partial.Names()
		}
	}
	var pe *collectors.PanicError
	if errors.As(err, &pe) && r.panics != nil {
		r.panics.WithLabelValues(s.Name()).Inc()
	}
	var te collectors.Throttled
	switch {
	case err == nil:
	case snap != nil:
		r.logger.Warn("refresh partly failed; what it could not read keeps its last good data", "api", s.Name(), "kind", collectors.KindOf(err), "stale", st.Stale, "err", err, "duration", took)
	case errors.As(err, &te):
		r.logger.Warn("refresh paused by the API's rate limit; serving the last good data", "api", s.Name(), "kind", collectors.KindThrottled, "until", te.PausedUntil().UTC().Format(time.RFC3339), "err", err, "duration", took)
	default:
		r.logger.Error("refresh failed; serving the last good data", "api", s.Name(), "kind", collectors.KindOf(err), "err", err, "duration", took)
	}
	if snap != nil {
		// Complete, or partial: a partial snapshot holds the new data of
		// what was read and the last good data of the rest.
		st.LastSuccess = r.now()
		r.snaps[s.Name()] = snap
		if err == nil {
			r.logger.Info("refresh complete", "api", s.Name(), "items", len(snap.Items), "activities", len(snap.Activities), "duration", took)
		}
		if r.store != nil {
			// The source's refreshes never overlap, so its state is
			// quiet while it is written.
			if serr := r.store.Save(s, Fingerprint(r.cfg, s.Name())); serr != nil {
				r.logger.Warn("cannot save the state file", "err", serr)
			}
		}
	}
	r.publishLocked()
	return err
}

// safeFetch turns a panic in a source into an error, so that one bad API
// answer can never take the exporter down. A snapshot with an error is a
// partial refresh (*collectors.PartialError).
func safeFetch(ctx context.Context, s collectors.Source, w collectors.Window) (snap *model.Snapshot, err error) {
	err = collectors.Safely(ctx, func(ctx context.Context, w collectors.Window) error {
		snap, err = s.Fetch(ctx, w)
		return err
	}, w)
	if snap == nil && err == nil {
		return nil, errors.New(s.Name() + ": no snapshot and no error")
	}
	return snap, err
}

// publishLocked recomputes the analysis from the current snapshots and
// publishes a new View. r.mu must be held.
func (r *Refresher) publishLocked() {
	snaps := make([]*model.Snapshot, 0, len(r.sources))
	statuses := make([]SourceStatus, 0, len(r.sources))
	for _, s := range r.sources {
		if snap := r.snaps[s.Name()]; snap != nil {
			snaps = append(snaps, snap)
		}
		statuses = append(statuses, *r.status[s.Name()])
	}
	v := &View{
		Config:   r.cfg,
		Analysis: analysis.Analyze(snaps, r.cfg, r.now()),
		Sources:  statuses,
	}
	if rec, ok := v.Analysis.Record(); ok {
		r.history = keepRecord(r.history, rec)
		if r.store != nil {
			if err := r.store.SaveHistory(r.history, historyFingerprint(r.cfg)); err != nil {
				r.logger.Warn("cannot save the history", "err", err)
			}
		}
	}
	v.History = slices.Clone(r.history)
	r.view.Store(v)
	for _, f := range r.onPublish {
		f(v)
	}
}
