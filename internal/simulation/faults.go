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
	// Assumption: a network failure (a proxy or load balancer dropping
	// the connection), not an answer either API documents.
	FaultReset = "reset"
	// FaultSlow answers correctly, but only after Delay. Assumption: a
	// slow network or API; no documented behaviour.
	FaultSlow = "slow"
	// FaultTruncate sends the first half of a correct body, with the
	// whole body's Content-Length. Assumption: a connection cut mid-body;
	// no documented behaviour.
	FaultTruncate = "truncate"
	// FaultLoop makes GitHub's Link header point from page 2 back to page 1.
	// Assumption: a defensive test; no public record of GitHub doing so.
	FaultLoop = "loop"
	// FaultCursorExpired refuses every after= cursor with 422, as an
	// expired cursor would be. Assumption: the real answer to an expired
	// cursor is not recorded publicly (see msgBadCursor in paging.go).
	FaultCursorExpired = "cursor-expired"
	// FaultOffsetCap lowers PagerDuty's offset+limit cap to Cap, so that
	// tests reach the documented 10,000 cap (PagerDutyMaxOffset) cheaply.
	// The 400's text still says 10000 whatever Cap is.
	FaultOffsetCap = "offset-cap"
	// FaultPrimaryExhausted answers every GitHub request with 403 and
	// X-RateLimit-Remaining: 0 until Delay after the fault is set, as
	// GitHub does when the primary rate limit is spent: "you will receive a
	// 403 or 429 response, and the x-ratelimit-remaining header will be 0"
	// (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
	// The simulation never uses the 429 that real may send.
	FaultPrimaryExhausted = "primary-exhausted"
)

// Fault makes the simulation misbehave the way the real APIs do.
type Fault struct {
	// API is "github", "pagerduty" or "calendar".
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
//
// A fault answer carries no rate-limit headers and is not counted. For
// GitHub that differs from real error answers, which carry the five
// x-ratelimit-* headers (brekkylab/backlot#168); for PagerDuty's 429 it
// differs too: real sends ratelimit-limit, ratelimit-remaining and
// ratelimit-reset (PagerDuty/developer-docs docs/REST-API/04-Rate-Limits.md).
// Tests add them with Fault.Header.
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
		switch f.API {
		case "github":
			// A 403 with Retry-After is GitHub's secondary rate limit:
			// "If you exceed a secondary rate limit, you will receive a 403
			// or 429 response ... If the retry-after response header is
			// present, you should not retry your request until after that
			// many seconds"
			// (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit;
			// recorded: PyGithub
			// tests/ReplayData/SpecificExceptions.testAuthenticatedRateLimitExceeded.txt,
			// 403 with Retry-After: 60). The message is the one quoted in
			// KnpLabs/php-github-api#1070 (current answers append the
			// request-ID sentence); Assumption: the documentation_url,
			// which has changed over time.
			if f.Status == http.StatusForbidden && f.Header["Retry-After"] != "" {
				writeJSON(w, f.Status, map[string]any{
					"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
					"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
				})
				return true
			}
			githubError(w, f.Status, http.StatusText(f.Status))
		case "calendar":
			// Assumption: a calendar server's error is plain text.
			http.Error(w, http.StatusText(f.Status), f.Status)
		default:
			code, msg := pagerdutyCode(f.Status)
			pagerdutyError(w, f.Status, code, msg)
		}
		return true
	}
	return false
}

// pagerdutyCode is PagerDuty's documented error code and message for an
// HTTP status (PagerDuty/developer-docs docs/REST-API/14-Errors.md; 2020
// "Rate Limit Exceeded" from docs/REST-API/04-Rate-Limits.md). Statuses
// without a code of their own get 2000, the internal error.
func pagerdutyCode(status int) (int, string) {
	switch status {
	case http.StatusBadRequest:
		return 2001, "Invalid Input Provided"
	case http.StatusUnauthorized:
		return 2006, "Authentication Failed"
	case http.StatusForbidden:
		return 2010, "Access Denied"
	case http.StatusNotFound:
		return 2100, "Not Found"
	case http.StatusTooManyRequests:
		return 2020, "Rate Limit Exceeded"
	}
	return 2000, "Internal Error"
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
