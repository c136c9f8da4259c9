package refresh

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/config"
)

// stateVersion changes when the state files' format does; an older file
// is ignored.
const stateVersion = 5

// Store is the optional state directory (--storage.path): one file per
// source, SOURCE.json.gz, with its tracked items, ETags and sync cursors,
// replaced atomically after each successful refresh (written to a temp
// file, synced, renamed). A corrupt or unreadable file is logged and
// ignored: it never blocks start-up.
type Store struct {
	dir    string
	logger *slog.Logger
}

// stateHeader is the first JSON value of a state file.
type stateHeader struct {
	Version int       `json:"version"`
	SavedAt time.Time `json:"saved_at"`
	// Fingerprint identifies the config section the state belongs to; a
	// state for another API, or other repositories, is not restored.
	Fingerprint string `json:"fingerprint"`
}

// NewStore uses dir for state files, creating it when it is missing.
func NewStore(dir string, logger *slog.Logger) *Store {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		logger.Warn("cannot create the state directory; state will not be saved", "path", dir, "err", err)
	}
	return &Store{dir: dir, logger: logger}
}

func (s *Store) file(source string) string { return filepath.Join(s.dir, source+".json.gz") }

// Fingerprint identifies a source's config section: a hash of its scope
// (config's Scope), what it reads and not how, so not its token.
func Fingerprint(cfg *config.Config, source string) string {
	sum := sha256.Sum256([]byte(source + "\x00" + cfg.Scope(source)))
	return hex.EncodeToString(sum[:])
}

// Restore gives a source its saved state, when there is one for the same
// config section.
func (s *Store) Restore(src collectors.Source, fingerprint string) {
	st, ok := src.(collectors.Stateful)
	if !ok {
		return
	}
	path := s.file(src.Name())
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		s.logger.Info("no saved state yet; the first refresh is a full sync", "api", src.Name(), "path", path)
		return
	}
	if err != nil {
		s.logger.Warn("cannot read the state file; starting with a full sync", "api", src.Name(), "path", path, "err", err)
		return
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		s.logger.Warn("the state file is corrupt; starting with a full sync", "api", src.Name(), "path", path, "err", err)
		return
	}
	dec := json.NewDecoder(zr)
	var h stateHeader
	if err := dec.Decode(&h); err != nil || h.Version != stateVersion {
		s.logger.Warn("the state file is corrupt or of another version; starting with a full sync", "api", src.Name(), "path", path, "err", err, "version", h.Version)
		return
	}
	if h.Fingerprint != fingerprint {
		s.logger.Info("the saved state is for another config of this source; starting with a full sync", "api", src.Name())
		return
	}
	if err := st.RestoreState(io.MultiReader(dec.Buffered(), zr)); err != nil {
		s.logger.Warn("the state file is corrupt; starting with a full sync", "api", src.Name(), "path", path, "err", err)
		return
	}
	s.logger.Info("state restored; the first refresh is incremental", "api", src.Name(), "saved_at", h.SavedAt)
}

// Save writes a source's state atomically: a temp file in the same
// directory, synced, then renamed over the old one.
func (s *Store) Save(src collectors.Source, fingerprint string) error {
	st, ok := src.(collectors.Stateful)
	if !ok {
		return nil
	}
	tmp, err := os.CreateTemp(s.dir, ".state-*")
	if err != nil {
		return fmt.Errorf("writing the state file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	bw := bufio.NewWriterSize(tmp, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	err = json.NewEncoder(zw).Encode(stateHeader{Version: stateVersion, SavedAt: time.Now().UTC(), Fingerprint: fingerprint})
	if err == nil {
		err = st.SaveState(zw)
	}
	for _, step := range []func() error{zw.Close, bw.Flush, tmp.Sync} {
		if err == nil {
			err = step()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.file(src.Name()))
	}
	if err != nil {
		return fmt.Errorf("writing the state file: %w", err)
	}
	return nil
}
