package refresh

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
)

// HistoryDays is how many UTC days of records a running exporter keeps.
const HistoryDays = 90

// keepRecord puts rec into records, sorted by time, as its UTC day's
// record (the latest of a day wins), and drops those more than
// HistoryDays days before it.
func keepRecord(records []analysis.Record, rec analysis.Record) []analysis.Record {
	day := rec.At.UTC().Format(time.DateOnly)
	out := records[:0:0]
	oldest := rec.At.Add(-HistoryDays * 24 * time.Hour)
	for _, r := range records {
		if r.At.UTC().Format(time.DateOnly) != day && !r.At.Before(oldest) && r.At.Before(rec.At) {
			out = append(out, r)
		}
	}
	out = append(out, rec)
	slices.SortFunc(out, func(a, b analysis.Record) int { return a.At.Compare(b.At) })
	return out
}

// historyFingerprint identifies the sources a history was kept for: a
// history of other repositories or services is not restored.
func historyFingerprint(cfg *config.Config) string {
	var scopes []string
	for _, s := range cfg.Sources() {
		scopes = append(scopes, s+"\x00"+cfg.Scope(s))
	}
	sum := sha256.Sum256([]byte(strings.Join(scopes, "\x01")))
	return hex.EncodeToString(sum[:])
}

type historyFile struct {
	Fingerprint string            `json:"fingerprint"`
	Records     []analysis.Record `json:"records"`
}

func (s *Store) historyPath() string { return filepath.Join(s.dir, "history.json") }

// SaveHistory writes the kept records atomically.
func (s *Store) SaveHistory(records []analysis.Record, fingerprint string) error {
	data, err := json.Marshal(historyFile{Fingerprint: fingerprint, Records: records})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, ".history-*")
	if err != nil {
		return fmt.Errorf("writing the history file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.historyPath())
	}
	return err
}

// RestoreHistory reads the kept records, when there are some for the
// same sources.
func (s *Store) RestoreHistory(fingerprint string) []analysis.Record {
	data, err := os.ReadFile(s.historyPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var h historyFile
	if err == nil {
		err = json.Unmarshal(data, &h)
	}
	if err != nil {
		s.logger.Warn("the history file is corrupt; the history starts again", "path", s.historyPath(), "err", err)
		return nil
	}
	if h.Fingerprint != fingerprint {
		s.logger.Info("the kept history is of other sources; the history starts again", "path", s.historyPath())
		return nil
	}
	return h.Records
}
