package exposition

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
)

// NotBackfilled are the snapshot's metrics that a backfill does not write,
// each with the reason: their value at a past time cannot be rebuilt
// exactly from what the APIs answer today, or they describe the exporter,
// not the work. Every other metric of the Collector is backfilled. The
// README lists them.
var NotBackfilled = map[string]string{
	"sre_workload_open_items":                            "what was open at a past time is not known exactly: an issue closed and reopened keeps only its last closing time",
	"sre_workload_closed_items":                          "an issue closed, reopened and closed again keeps only its last closing time, so earlier closings cannot be counted",
	"sre_workload_person_open_items":                     "the assignees of an item at a past time are not read",
	"sre_workload_rule_matched_items":                    "counts the items tracked now, not those tracked then",
	"sre_workload_source_up":                             "the exporter's health, not the work",
	"sre_workload_source_last_success_timestamp_seconds": "the exporter's health, not the work",
	"sre_workload_source_stale_repositories":             "the exporter's health, not the work",
	"sre_workload_source_refresh_duration_seconds":       "the exporter's health, not the work",
	"sre_workload_refresh_interval_seconds":              "the exporter's configuration, not the work",
}

// HistoryWriter writes the backfilled metrics of a series of analyses, in
// OpenMetrics text with the analysis clock as the timestamp of every
// sample, for promtool tsdb create-blocks-from openmetrics. OpenMetrics
// keeps each metric family's samples together, so each family is written
// to its own file in a temporary directory as the steps come, and Finish
// joins them; memory stays that of one step.
type HistoryWriter struct {
	dir      string
	families map[string]*historyFamily
	last     time.Time
}

type historyFamily struct {
	f       *os.File
	w       *bufio.Writer
	started bool // the metadata is written
}

// NewHistoryWriter writes its families' files in a new directory under
// tmp ("" for the system's).
func NewHistoryWriter(tmp string) (*HistoryWriter, error) {
	dir, err := os.MkdirTemp(tmp, "sre-workload-backfill-")
	if err != nil {
		return nil, err
	}
	return &HistoryWriter{dir: dir, families: map[string]*historyFamily{}}, nil
}

// Add writes the metrics of res, under cfg, at its clock at. Clocks must
// increase from one Add to the next.
func (h *HistoryWriter) Add(cfg *config.Config, res *analysis.Result, at time.Time) error {
	if !at.After(h.last) && !h.last.IsZero() {
		return fmt.Errorf("backfill step %s is not after %s", at.Format(time.RFC3339), h.last.Format(time.RFC3339))
	}
	h.last = at
	mfs, err := HistoryFamilies(cfg, res)
	if err != nil {
		return err
	}
	ms := at.UnixMilli()
	for _, mf := range mfs {
		for _, m := range mf.Metric {
			m.TimestampMs = &ms
		}
		fam, err := h.family(mf.GetName())
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if _, err := expfmt.MetricFamilyToOpenMetrics(&buf, mf); err != nil {
			return err
		}
		if err := fam.write(buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// family opens the file of a metric family; its first write keeps the
// family's metadata, later ones only samples.
func (h *HistoryWriter) family(name string) (*historyFamily, error) {
	if fam, ok := h.families[name]; ok {
		return fam, nil
	}
	f, err := os.Create(filepath.Join(h.dir, name+".om"))
	if err != nil {
		return nil, err
	}
	fam := &historyFamily{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	h.families[name] = fam
	return fam, nil
}

func (fam *historyFamily) write(text []byte) error {
	if fam.started {
		// HELP, TYPE and UNIT once, at the family's start: they lead
		// the text.
		for bytes.HasPrefix(text, []byte("# ")) {
			i := bytes.IndexByte(text, '\n')
			if i < 0 {
				return nil
			}
			text = text[i+1:]
		}
	}
	fam.started = true
	_, err := fam.w.Write(text)
	return err
}

// Finish writes every family, in name order, then # EOF, to w, and
// removes the temporary directory.
func (h *HistoryWriter) Finish(w io.Writer) error {
	defer h.Close()
	names := make([]string, 0, len(h.families))
	for name := range h.families {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fam := h.families[name]
		if err := fam.w.Flush(); err != nil {
			return err
		}
		if _, err := fam.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.Copy(w, fam.f); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "# EOF\n")
	return err
}

// Close removes the temporary directory; Finish calls it.
func (h *HistoryWriter) Close() error {
	for _, fam := range h.families {
		fam.f.Close()
	}
	h.families = map[string]*historyFamily{}
	return os.RemoveAll(h.dir)
}

// HistoryFamilies are the metric families a backfill writes of res under
// cfg: the Collector's, as a scrape would see them, less NotBackfilled.
func HistoryFamilies(cfg *config.Config, res *analysis.Result) ([]*dto.MetricFamily, error) {
	reg := prometheus.NewRegistry()
	view := &refresh.View{Config: cfg, Analysis: res}
	if err := reg.Register(NewCollector(func() *refresh.View { return view })); err != nil {
		return nil, err
	}
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	out := mfs[:0]
	for _, mf := range mfs {
		if _, skip := NotBackfilled[mf.GetName()]; !skip {
			out = append(out, mf)
		}
	}
	return out, nil
}
