package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/report"
)

// collectOnce refreshes every source once (incrementally from the state
// files, when --storage.path has them) and returns the View. It fails when
// a source has no data at all.
func collectOnce(ctx context.Context, cfg *config.Config, storagePath string, logger *slog.Logger) (*refresh.View, error) {
	api := apiclient.NewMetrics(nil)
	sources, err := newSources(cfg, api, logger)
	if err != nil {
		return nil, err
	}
	r := refresh.NewRefresher(cfg, sources, api.Panics, logger, time.Now)
	defer r.Close()
	if storagePath != "" {
		r.UseStore(refresh.NewStore(storagePath, logger))
	}
	refreshErr := r.RefreshAll(ctx)
	v := r.View()
	for _, s := range v.Sources {
		if s.LastSuccess.IsZero() {
			return nil, errors.Join(fmt.Errorf("%s has no data", s.Name), refreshErr)
		}
	}
	if refreshErr != nil {
		logger.Warn("a source failed; reporting its last saved data", "err", refreshErr)
	}
	return v, nil
}

// printReport prints the report, or, when a source has not completed a
// refresh (a repository never read), says so on stderr and exits 1: no
// verdict without data.
func printReport(w, stderr io.Writer, v *refresh.View, format string, anonymise bool) int {
	if msg := v.Analysis.NotEnoughData(); msg != "" {
		fmt.Fprintf(stderr, "no report: %s\n", msg)
		return 1
	}
	rep := buildReport(v)
	if anonymise {
		rep.Anonymise()
	}
	if err := rep.Render(w, format); err != nil {
		return 1
	}
	return 0
}

func printClassified(w io.Writer, v *refresh.View, unclassifiedOnly bool, source string) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tITEM\tDOMAIN\tRULE\tTITLE")
	for _, it := range report.Classified(v.Config, v.Analysis, unclassifiedOnly, source) {
		rule := it.Rule
		if rule == "" {
			rule = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.Source, it.Kind, it.Key, it.Domain, rule, it.Title)
	}
	if err := tw.Flush(); err != nil {
		return 1
	}
	return 0
}

// printRecurring prints the calendar's recurring meetings as inventory
// entries, each under a comment that says what was measured.
func printRecurring(w, stderr io.Writer, cfg *config.Config, v *refresh.View) int {
	if cfg.Calendar == nil {
		fmt.Fprintln(stderr, "no calendar is configured: --recurring reads the people's calendars (calendar: and people[].calendar)")
		return 1
	}
	if msg := v.Analysis.NotEnoughData(); msg != "" {
		fmt.Fprintf(stderr, "no suggestions: %s\n", msg)
		return 1
	}
	fmt.Fprintf(w, "# The recurring meetings of the people's calendars over the window (%s),\n", cfg.Window)
	fmt.Fprintln(w, "# as inventory duties: hours are everyone's together, per week (every: 1w).")
	fmt.Fprintln(w, "# Paste those that are duties into the config's inventory. A duty that is")
	fmt.Fprintln(w, "# also a meeting in a calendar the exporter reads is then counted twice:")
	fmt.Fprintln(w, "# the inventory is planned load, and meetings are measured.")
	if cfg.Privacy.Mode() != config.PrivacyNamed {
		fmt.Fprintf(w, "# Owners are pseudonyms (privacy.people: %s): person-N is the N-th\n# person of people[]; write their names before pasting.\n", cfg.Privacy.Mode())
	}
	fmt.Fprintln(w, "inventory:")
	for _, m := range v.Analysis.Recurring(cfg) {
		// Owners as privacy.people shows them: pseudonyms are not
		// config names, so under pseudonymous each entry says so.
		owners := make([]string, len(m.Owners))
		for i, o := range m.Owners {
			owners[i] = cfg.Shown(cfg.Privacy.Mode(), o)
		}
		entry := []config.Duty{{Name: m.Name, Domain: m.Domain, Owners: owners, Every: "1w", Hours: math.Round(m.HoursPerWeek*100) / 100}}
		out, err := yaml.Marshal(entry)
		if err != nil {
			return 1
		}
		fmt.Fprintf(w, "  # %d occurrences in the window, %.2f h a week\n", m.Occurrences, m.HoursPerWeek)
		for _, line := range strings.SplitAfter(strings.TrimSuffix(string(out), "\n"), "\n") {
			fmt.Fprint(w, "  "+line)
		}
		fmt.Fprintln(w)
	}
	return 0
}

// reportWithHistory collects the history once (as backfill does), and
// prints the report at now with its history section at daily steps over
// history. The report at now is the analysis of the same collection.
func reportWithHistory(ctx context.Context, cfg *config.Config, history time.Duration, format string, anonymise bool, stdout, stderr io.Writer, logger *slog.Logger) int {
	now := time.Now().UTC().Truncate(time.Second)
	from := now.Add(-history)
	snaps, err := collectHistory(ctx, cfg, from, now, "", logger)
	if err != nil {
		fmt.Fprintf(stderr, "cannot collect: %v\n", err)
		return 1
	}
	prepared := analysis.Prepare(snaps, cfg)
	res := prepared.At(now)
	if msg := res.NotEnoughData(); msg != "" {
		fmt.Fprintf(stderr, "no report: %s\n", msg)
		return 1
	}
	var sources []report.Source
	for _, s := range snaps {
		sources = append(sources, report.NewSource(s.Source, true, now, nil))
	}
	r := report.Build(cfg, res, sources)
	r.History = report.BuildHistory(cfg, from, now, prepared.At)
	if anonymise {
		r.Anonymise()
	}
	if err := r.Render(stdout, format); err != nil {
		return 1
	}
	return 0
}
