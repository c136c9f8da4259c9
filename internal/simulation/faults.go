package simulation

import (
	"net/http"
	"strings"
)

// Fault makes the simulation answer requests with an error instead of data.
type Fault struct {
	// API is "github" or "pagerduty".
	API string
	// PathPrefix limits the fault to paths that start with it; empty
	// means every path of the API.
	PathPrefix string
	// Status is the HTTP status to answer with.
	Status int
	// Body is sent as is; when empty, the API's usual error body for
	// Status is sent. Set it to, for example, `[{"id":` for malformed JSON.
	Body string
	// Times is how many requests the fault answers; 0 means until cleared.
	Times int
}

// SetFault installs a fault, replacing any other.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = &f
}

// ClearFault removes the fault.
func (s *Server) ClearFault() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = nil
}

// applyFault answers the request with the fault when one applies. s.mu is
// held.
func (s *Server) applyFault(w http.ResponseWriter, api, p string) bool {
	f := s.fault
	if f == nil || f.API != api || !strings.HasPrefix(p, f.PathPrefix) {
		return false
	}
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			s.fault = nil
		}
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return true
	}
	msg := http.StatusText(f.Status)
	if api == "github" {
		githubError(w, f.Status, msg)
	} else {
		pagerdutyError(w, f.Status, 2000+f.Status, msg)
	}
	return true
}
