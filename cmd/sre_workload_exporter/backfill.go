package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/exposition"
	wmodel "github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
)

// backfillRange is what a backfill computes: every step from From to To,
// both included when To falls on a step.
type backfillRange struct {
	From, To time.Time
	Step     time.Duration
}

// parseBackfillTime reads "now", a negative duration before now in
// Prometheus's units ("-90d", "-12h"), or an RFC 3339 time.
func parseBackfillTime(flag, v string, now time.Time) (time.Time, error) {
	switch {
	case v == "now":
		return now, nil
	case strings.HasPrefix(v, "-"):
		d, err := model.ParseDuration(v[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("--%s: %q is not a duration before now (-90d, -12h): %v", flag, v, err)
		}
		return now.Add(-time.Duration(d)), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s: %q is not now, -DURATION or an RFC 3339 time", flag, v)
	}
	return t, nil
}

// steps lists the backfill's clocks.
func (b backfillRange) steps() []time.Time {
	var out []time.Time
	for t := b.From; !t.After(b.To); t = t.Add(b.Step) {
		out = append(out, t)
	}
	return out
}

// collectHistory fetches, once, everything that the analysis at each step
// needs: each source's window from the range's start less the analysis
// window, up to now. A source that fails, or whose snapshot has parts it
// could not read, fails the backfill: a history with holes would be
// computed from less than the exporter would have seen.
//
// With storagePath, the collection resumes from, and saves to, its own
// state files in storagePath/backfill (not the exporter's: their window is
// shorter), so that a second backfill reads only what changed since.
func collectHistory(ctx context.Context, cfg *config.Config, from, now time.Time, storagePath string, logger *slog.Logger) ([]*wmodel.Snapshot, error) {
	api := apiclient.NewMetrics(nil)
	sources, err := newSources(cfg, api, logger)
	if err != nil {
		return nil, err
	}
	var store *refresh.Store
	if storagePath != "" {
		dir := filepath.Join(storagePath, "backfill")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		store = refresh.NewStore(dir, logger)
	}
	w := collectors.Window{Start: from.Add(-time.Duration(cfg.Window)), End: now}
	var snaps []*wmodel.Snapshot
	for _, src := range sources {
		if store != nil {
			store.Restore(src, refresh.Fingerprint(cfg, src.Name()))
		}
		began := time.Now()
		var snap *wmodel.Snapshot
		err := collectors.Safely(ctx, func(ctx context.Context, src collectors.Source) (err error) {
			snap, err = src.Fetch(ctx, w)
			return err
		}, src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.Name(), err)
		}
		if len(snap.Unread) > 0 {
			return nil, fmt.Errorf("%s: could not read %s", src.Name(), strings.Join(snap.Unread, ", "))
		}
		if store != nil {
			if err := store.Save(src, refresh.Fingerprint(cfg, src.Name())); err != nil {
				logger.Warn("backfill: cannot save the state", "api", src.Name(), "err", err)
			}
		}
		logger.Info("backfill: collected", "api", src.Name(), "items", len(snap.Items), "activities", len(snap.Activities),
			"since", w.Start.Format(time.RFC3339), "took", time.Since(began).Round(time.Millisecond))
		snaps = append(snaps, snap)
	}
	return snaps, nil
}

// writeBackfill analyses snaps at every step of b and writes the
// backfilled metrics to w in OpenMetrics text. The analysis is prepared
// once (classification, each person's sorted activities); each step costs
// the window's activities.
func writeBackfill(w io.Writer, cfg *config.Config, snaps []*wmodel.Snapshot, b backfillRange, tmp string, logger *slog.Logger) error {
	prepared := analysis.Prepare(snaps, cfg)
	if waiting := prepared.At(b.To).NotEnoughData(); waiting != "" {
		return errors.New(waiting)
	}
	hw, err := exposition.NewHistoryWriter(tmp)
	if err != nil {
		return err
	}
	defer hw.Close()
	steps := b.steps()
	began := time.Now()
	for i, t := range steps {
		if err := hw.Add(cfg, prepared.At(t), t); err != nil {
			return err
		}
		if (i+1)%500 == 0 {
			logger.Info("backfill: analysed", "steps", i+1, "of", len(steps))
		}
	}
	logger.Info("backfill: analysed", "steps", len(steps), "from", b.From.Format(time.RFC3339), "to", b.To.Format(time.RFC3339),
		"step", b.Step, "took", time.Since(began).Round(time.Millisecond))
	return hw.Finish(w)
}

// backfill collects the history and writes the file, atomically: a
// temporary file in the output's directory, renamed at the end.
func backfill(ctx context.Context, cfg *config.Config, b backfillRange, now time.Time, output, storagePath string, stdout io.Writer, logger *slog.Logger) error {
	if b.Step <= 0 {
		return errors.New("--step must be positive")
	}
	if !b.From.Before(b.To) {
		return fmt.Errorf("--from (%s) must be before --to (%s)", b.From.Format(time.RFC3339), b.To.Format(time.RFC3339))
	}
	if b.To.After(now) {
		return fmt.Errorf("--to (%s) is in the future", b.To.Format(time.RFC3339))
	}
	snaps, err := collectHistory(ctx, cfg, b.From, now, storagePath, logger)
	if err != nil {
		return fmt.Errorf("cannot collect the history: %w", err)
	}
	if output == "-" {
		return writeBackfill(stdout, cfg, snaps, b, "", logger)
	}
	f, err := os.CreateTemp(filepath.Dir(output), filepath.Base(output)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // a no-op after the rename
	if err := writeBackfill(f, cfg, snaps, b, "", logger); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private; the output is for promtool
	// and whoever runs it, like any file written by hand.
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), output)
}
