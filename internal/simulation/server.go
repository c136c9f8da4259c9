package simulation

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Path prefixes under which the two APIs are served.
const (
	GitHubPrefix    = "/github/"
	PagerDutyPrefix = "/pagerduty"
)

// Request is one request the simulation served, for tests to inspect.
type Request struct {
	Time   time.Time
	API    string // "github", "pagerduty" or "calendar"
	Method string
	Path   string // without the API prefix
	Query  string
	Status int
}

// Server serves a Dataset over HTTP as the GitHub and PagerDuty APIs.
type Server struct {
	GitHubToken    string
	PagerDutyToken string

	mu       sync.Mutex
	ds       *Dataset
	requests []Request
	now      func() time.Time
	fault    *Fault
	cur      *Fault   // the fault of the request being served
	index    *pdIndex // sorted views of the PagerDuty data; nil after Update

	// Latency delays every answer, as a distant API would.
	Latency time.Duration

	// GitHub's primary rate limit, per the X-RateLimit-* headers: 5,000
	// an hour by default for a token or an installation ("All of these
	// requests count towards your personal rate limit of 5,000 requests per
	// hour", https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api).
	rateLimit     int
	rateRemaining int
	rateReset     time.Time
	minRemaining  int
	// The Search API's own budget: 30 requests a minute.
	searchRemaining int
	searchReset     time.Time
	searches        int

	// maxPage is the deepest page number a GitHub listing serves
	// (paging.go); 0 serves every page.
	maxPage int

	// A GitHub App, when SetApp made one.
	appID, installationID int64
	appKey                *rsa.PublicKey
	installationTokens    map[string]time.Time
	tokensIssued          int
	jwtFailures           int
}

// NewServer serves ds. The tokens are the ones a client must present.
func NewServer(ds *Dataset, githubToken, pagerdutyToken string) *Server {
	return &Server{
		GitHubToken:    githubToken,
		PagerDutyToken: pagerdutyToken,
		ds:             ds,
		now:            time.Now,
		rateLimit:      5000,
		rateRemaining:  5000,
		minRemaining:   5000,
		maxPage:        DefaultMaxPage,
	}
}

// Update changes the dataset under the server's lock, for example to add
// data between two refreshes.
func (s *Server) Update(f func(*Dataset)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.ds)
	s.index = nil
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Latency = d
}

// Count returns how many requests each API was sent, by status.
func (s *Server) Count() map[string]map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[int]int{}
	for _, r := range s.requests {
		if out[r.API] == nil {
			out[r.API] = map[int]int{}
		}
		out[r.API][r.Status]++
	}
	return out
}

// Requests returns a copy of the requests served so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the requests served so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Start serves on a loopback port until Close. GitHub's API is at
// URL+GitHubPrefix and PagerDuty's at URL+PagerDutyPrefix.
func (s *Server) Start() *httptest.Server {
	return httptest.NewServer(s)
}

// ServeHTTP routes a request to the GitHub or PagerDuty simulation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	var api, p string
	switch {
	case strings.HasPrefix(r.URL.Path, GitHubPrefix):
		api, p = "github", "/"+strings.TrimPrefix(r.URL.Path, GitHubPrefix)
	case strings.HasPrefix(r.URL.Path, PagerDutyPrefix+"/"):
		api, p = "pagerduty", strings.TrimPrefix(r.URL.Path, PagerDutyPrefix)
	case strings.HasPrefix(r.URL.Path, CalendarPrefix):
		api, p = "calendar", "/"+strings.TrimPrefix(r.URL.Path, CalendarPrefix)
	default:
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	now := s.now()
	f := s.takeFault(api, p, now)
	latency := s.Latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	defer func() {
		s.mu.Lock()
		path := p
		if api == "calendar" { // the path is the feed's credential
			path = "/REDACTED/" + p[strings.LastIndexByte(p, '/')+1:]
		}
		s.requests = append(s.requests, Request{Time: now, API: api, Method: r.Method, Path: path, Query: r.URL.RawQuery, Status: rec.status})
		s.mu.Unlock()
	}()

	if f != nil {
		if f.Kind == FaultSlow {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				rec.status = 0
				return
			}
		}
		if answerFault(rec, f) {
			if f.Kind == FaultReset {
				rec.status = 0
			}
			return
		}
	}
	var out http.ResponseWriter = rec
	if f != nil && f.Kind == FaultTruncate {
		out = &truncatingWriter{ResponseWriter: rec, status: http.StatusOK}
	}
	// Choose the answer under the lock; encode it outside, so that
	// concurrent requests are not serialised on JSON encoding.
	resp := &deferred{header: http.Header{}, status: http.StatusOK}
	s.mu.Lock()
	s.cur = f
	github := api == "github"
	counted := false
	switch api {
	case "github":
		counted = s.serveGitHub(resp, r, p, now)
	case "calendar":
		s.serveCalendar(resp, r, p)
	default:
		s.servePagerDuty(resp, r, p, now)
	}
	s.cur = nil
	s.mu.Unlock()

	body := resp.bytes()
	if github && counted {
		// A 200 gets an ETag, and a request whose If-None-Match matches
		// it gets a 304, which costs no rate limit
		// (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate).
		// An ETag belongs to the token that received it: GitHub Support,
		// quoted in eclipse-csi/otterdog#201, "It's currently expected for
		// ETags to be auth token specific" (also github/docs#34689). So the
		// same body asked for with another token is a 200, and charged.
		// A 304 keeps the X-RateLimit-* headers, as recorded answers do
		// (PyGithub tests/ReplayData/Environment.testEnvironmentSecrets.txt,
		// ConditionalRequestUpdate.testDidNotUpdate.txt). The ETag is weak,
		// W/"...", like those of recorded list answers (PyGithub
		// tests/ReplayData); Assumption: how it is computed (any opaque
		// value would do).
		notModified := false
		search := strings.HasPrefix(p, "/search/")
		if search {
			// Recorded search answers carry no ETag and say
			// Cache-Control: no-cache (PyGithub tests/ReplayData, every
			// Search* recording; octokit/fixtures search-issues).
			resp.header.Set("Cache-Control", "no-cache")
		}
		if resp.status == http.StatusOK && !search {
			h := sha256.New()
			h.Write([]byte(r.Header.Get("Authorization")))
			h.Write([]byte{0})
			h.Write(body)
			sum := h.Sum(nil)
			etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
			resp.header.Set("ETag", etag)
			notModified = r.Header.Get("If-None-Match") == etag
		}
		s.mu.Lock()
		switch {
		case search:
			s.searches++
			s.searchHeaders(resp.header, now)
		case !notModified:
			s.rateRemaining--
			s.minRemaining = min(s.minRemaining, s.rateRemaining)
			s.rateHeaders(resp.header)
		default:
			s.rateHeaders(resp.header)
		}
		s.mu.Unlock()
		if notModified {
			resp.status, body = http.StatusNotModified, nil
			resp.header.Del("Content-Type")
		}
	}
	for k, v := range resp.header {
		out.Header()[k] = v
	}
	out.WriteHeader(resp.status)
	_, _ = out.Write(body)
}

// deferred holds an answer until it is written: writeJSON stores the value
// instead of encoding it while the server's lock is held.
type deferred struct {
	header http.Header
	status int
	value  any
	set    bool
	body   bytes.Buffer
}

func (d *deferred) Header() http.Header         { return d.header }
func (d *deferred) Write(p []byte) (int, error) { return d.body.Write(p) }
func (d *deferred) WriteHeader(code int)        { d.status = code }

func (d *deferred) bytes() []byte {
	if d.set {
		var b bytes.Buffer
		_ = json.NewEncoder(&b).Encode(d.value)
		return b.Bytes()
	}
	return d.body.Bytes()
}

// faultKind is the kind of the fault being served, or "". s.mu is held.
func (s *Server) faultKind() string {
	if s.cur == nil {
		return ""
	}
	return s.cur.Kind
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// writeJSON sends v as JSON. The Content-Type is GitHub's (octokit/fixtures
// scenarios/api.github.com/errors and paginate-issues: "application/json;
// charset=utf-8"); Assumption: PagerDuty's is the same.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if d, ok := w.(*deferred); ok {
		d.status, d.value, d.set = status, v, true
		return
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// baseURL is the scheme and host the request reached, for self links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// intParam reads a positive integer parameter. Assumption: a missing,
// non-numeric or non-positive value gets the default. A value above max is
// clamped: GitHub's per_page=101 behaves as 100 (brekkylab/backlot#144,
// github-tools/github#25); for PagerDuty's limit, clamping rather than a
// 400 is an Assumption (its docs only say it "cannot exceed 100",
// PagerDuty/developer-docs docs/REST-API/09-Pagination.md).
func intParam(r *http.Request, name string, def, max int) int {
	v, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || v <= 0 {
		return def
	}
	if max > 0 && v > max {
		return max
	}
	return v
}

// timeParam reads an RFC 3339 time. Assumption: an unparsable value is
// ignored, as if absent; PagerDuty probably answers 400, code 2004 "Invalid
// time values in 'since' and/or 'until' parameters"
// (PagerDuty/developer-docs docs/REST-API/14-Errors.md).
func timeParam(r *http.Request, name string) (time.Time, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// ts renders a time as both APIs do, YYYY-MM-DDTHH:MM:SSZ in UTC (PyGithub
// tests/ReplayData bodies, "created_at": "2012-05-27T05:40:15Z";
// PagerDuty/api-schema reference/REST/openapiv3.json examples,
// "created_at": "2015-10-06T21:30:42Z"), and a zero time as null.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
