package apiclient

import (
	"net/url"
	"sync"
)

// ETags remembers the ETag of the last 200 answer per request, for
// conditional requests. It keeps one entry per URL without its since
// parameter, so it stays bounded however often the cursors move.
type ETags struct {
	mu sync.Mutex
	m  map[string]ETagEntry
}

// ETagEntry is one remembered answer: its URL and its ETag. State files
// save them.
type ETagEntry struct {
	URL  string `json:"url"`
	ETag string `json:"etag"`
}

// NewETags is an empty store.
func NewETags() *ETags { return &ETags{m: map[string]ETagEntry{}} }

func etagKey(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	q.Del("since")
	return u.Path + "?" + q.Encode()
}

func (s *ETags) get(rawURL string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[etagKey(rawURL)]; ok && e.URL == rawURL {
		return e.ETag
	}
	return ""
}

func (s *ETags) put(rawURL, etag string) {
	if etag == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[etagKey(rawURL)] = ETagEntry{URL: rawURL, ETag: etag}
}

// Entries is a copy of what the store remembers, for a state file.
func (s *ETags) Entries() map[string]ETagEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]ETagEntry, len(s.m))
	for k, e := range s.m {
		out[k] = e
	}
	return out
}

// Restore replaces what the store remembers with entries from a state
// file.
func (s *ETags) Restore(entries map[string]ETagEntry) {
	if entries == nil {
		entries = map[string]ETagEntry{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = entries
}

// Len is the number of remembered answers.
func (s *ETags) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
