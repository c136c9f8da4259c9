package collectors

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// stateVersion changes when the state file's format does; an older file
// is ignored.
const stateVersion = 1

// Stateful is a source whose sync state can be saved and restored, so that
// a restart resumes incrementally instead of reading the whole window.
type Stateful interface {
	SaveState() (json.RawMessage, error)
	RestoreState(json.RawMessage) error
}

// Store is the optional state file (--storage.path): the tracked items,
// ETags and sync cursors of every source, gzipped JSON, replaced
// atomically after each successful refresh. A corrupt or unreadable file
// is logged and ignored: it never blocks start-up.
type Store struct {
	path   string
	logger *slog.Logger

	mu      sync.Mutex
	sources map[string]storedSource
}

type stateFile struct {
	Version int                     `json:"version"`
	SavedAt time.Time               `json:"saved_at"`
	Sources map[string]storedSource `json:"sources"`
}

type storedSource struct {
	// Fingerprint identifies the config section the state belongs to;
	// a state for another API, or other repositories, is not restored.
	Fingerprint string          `json:"fingerprint"`
	State       json.RawMessage `json:"state"`
}

// NewStore opens the state file at path and reads what it holds.
func NewStore(path string, logger *slog.Logger) *Store {
	s := &Store{path: path, logger: logger, sources: map[string]storedSource{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		logger.Info("no state file yet; the first refresh is a full sync", "path", path)
		return s
	}
	if err != nil {
		logger.Warn("cannot read the state file; starting with a full sync", "path", path, "err", err)
		return s
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		logger.Warn("the state file is corrupt; starting with a full sync", "path", path, "err", err)
		return s
	}
	var sf stateFile
	if err := json.NewDecoder(zr).Decode(&sf); err != nil || sf.Version != stateVersion {
		logger.Warn("the state file is corrupt or of another version; starting with a full sync", "path", path, "err", err, "version", sf.Version)
		return s
	}
	s.sources = sf.Sources
	if s.sources == nil {
		s.sources = map[string]storedSource{}
	}
	logger.Info("state file read", "path", path, "saved_at", sf.SavedAt, "sources", len(sf.Sources))
	return s
}

// Fingerprint identifies a source's config section: its API and what it
// reads, not its token.
func Fingerprint(cfg *config.Config, source string) string {
	var parts []string
	switch source {
	case "github":
		if g := cfg.GitHub; g != nil {
			parts = append(parts, g.APIURL, strings.Join(g.Repositories, ","), strings.Join(g.ExcludeRepositories, ","))
		}
	case "pagerduty":
		if p := cfg.PagerDuty; p != nil {
			parts = append(parts, p.APIURL, strings.Join(p.Services, ","), strings.Join(p.Teams, ","))
		}
	}
	sum := sha256.Sum256([]byte(source + "\x00" + strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// Restore gives a source its saved state, when there is one for the same
// config section.
func (s *Store) Restore(src Source, fingerprint string) {
	st, ok := src.(Stateful)
	if !ok {
		return
	}
	s.mu.Lock()
	saved, found := s.sources[src.Name()]
	s.mu.Unlock()
	if !found {
		return
	}
	if saved.Fingerprint != fingerprint {
		s.logger.Info("the saved state is for another config of this source; starting with a full sync", "api", src.Name())
		return
	}
	if err := st.RestoreState(saved.State); err != nil {
		s.logger.Warn("cannot restore the saved state; starting with a full sync", "api", src.Name(), "err", err)
		return
	}
	s.logger.Info("state restored; the first refresh is incremental", "api", src.Name())
}

// Save records a source's state and rewrites the file atomically: a temp
// file in the same directory, synced, then renamed over the old one.
func (s *Store) Save(src Source, fingerprint string) error {
	st, ok := src.(Stateful)
	if !ok {
		return nil
	}
	state, err := st.SaveState()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources[src.Name()] = storedSource{Fingerprint: fingerprint, State: state}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".state-*")
	if err != nil {
		return fmt.Errorf("writing the state file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	bw := bufio.NewWriterSize(tmp, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	err = json.NewEncoder(zw).Encode(stateFile{Version: stateVersion, SavedAt: time.Now().UTC(), Sources: s.sources})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		return fmt.Errorf("writing the state file: %w", err)
	}
	return nil
}
