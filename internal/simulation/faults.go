package simulation

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kinds of fault beyond a plain error status.
const (
	// FaultReset closes the connection with a TCP reset, answering nothing.
	FaultReset = "reset"
	// FaultSlow answers correctly, but only after Delay.
	FaultSlow = "slow"
	// FaultTruncate sends the first half of a correct body, with the
	// whole body's Content-Length.
	FaultTruncate = "truncate"
	// FaultLoop makes GitHub's Link header point from page 2 back to page 1.
	FaultLoop = "loop"
	// FaultCursorExpired refuses every after= cursor with 422, as an
	// expired cursor would be.
	FaultCursorExpired = "cursor-expired"
	// FaultOffsetCap lowers PagerDuty's offset+limit cap to Cap.
	FaultOffsetCap = "offset-cap"
	// FaultPrimaryExhausted answers every GitHub request with 403 and
	// X-RateLimit-Remaining: 0 until Delay after the fault is set, as
	// GitHub does when the primary rate limit is spent.
	FaultPrimaryExhausted = "primary-exhausted"
)

// Fault makes the simulation misbehave the way the real APIs do.
type Fault struct {
	// API is "github" or "pagerduty".
	API string
	// PathPrefix limits the fault to paths that start with it; empty
	// means every path of the API.
	PathPrefix string
	// Kind is one of the Fault* kinds, or "" for an answer with Status.
	Kind string
	// Status is the HTTP status to answer with, for Kind "".
	Status int
	// Body is sent as is; when empty, the API's usual error body for
	// Status is sent. Set it to, for example, `[{"id":` for malformed JSON.
	Body string
	// Header is added to the answer, for example Retry-After.
	Header map[string]string
	// Delay is the slowness of FaultSlow, and the time until the primary
	// rate limit resets for FaultPrimaryExhausted.
	Delay time.Duration
	// Cap is PagerDuty's offset+limit cap for FaultOffsetCap.
	Cap int
	// Times is how many requests the fault answers; 0 means until cleared.
	Times int

	until time.Time
}

// SetFault installs a fault, replacing any other.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Kind == FaultPrimaryExhausted {
		f.until = s.now().Add(f.Delay)
		s.rateRemaining, s.rateReset = 0, f.until.Truncate(time.Second).Add(time.Second)
	}
	s.fault = &f
}

// ClearFault removes the fault.
func (s *Server) ClearFault() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = nil
}

// takeFault returns the fault that applies to a request, counting it
// down. s.mu is held.
func (s *Server) takeFault(api, p string, now time.Time) *Fault {
	f := s.fault
	if f == nil || f.API != api || !strings.HasPrefix(p, f.PathPrefix) {
		return nil
	}
	if f.Kind == FaultPrimaryExhausted && !now.Before(f.until) {
		s.fault = nil
		return nil
	}
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			s.fault = nil
		}
	}
	c := *f
	return &c
}

// answerFault answers a request with a fault of Kind "" (a status), or
// resets the connection. It returns false for the kinds that change a
// correct answer instead. s.mu is not held.
func answerFault(w http.ResponseWriter, f *Fault) bool {
	switch f.Kind {
	case FaultReset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				conn.Close()
				return true
			}
		}
		http.Error(w, "reset", http.StatusInternalServerError)
		return true
	case "":
		for k, v := range f.Header {
			w.Header().Set(k, v)
		}
		if f.Body != "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			return true
		}
		msg := http.StatusText(f.Status)
		if f.API == "github" {
			if f.Status == http.StatusForbidden && f.Header["Retry-After"] != "" {
				writeJSON(w, f.Status, map[string]any{
					"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
					"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
				})
				return true
			}
			githubError(w, f.Status, msg)
		} else {
			pagerdutyError(w, f.Status, 2000+f.Status, msg)
		}
		return true
	}
	return false
}

// truncatingWriter sends half of each body with the whole body's length.
type truncatingWriter struct {
	http.ResponseWriter
	status int
}

func (t *truncatingWriter) WriteHeader(code int) { t.status = code }

func (t *truncatingWriter) Write(b []byte) (int, error) {
	t.ResponseWriter.Header().Set("Content-Length", strconv.Itoa(len(b)))
	t.ResponseWriter.WriteHeader(t.status)
	_, err := t.ResponseWriter.Write(b[:len(b)/2])
	return len(b), err
}
