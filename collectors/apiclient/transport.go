package apiclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// Limits of the transport that are not worth a config key.
const (
	// defaultThrottleWait is how long to wait after a rate-limit answer that
	// does not say how long.
	defaultThrottleWait = 60 * time.Second
	// maxThrottleWait caps the exponential backoff after repeated
	// rate-limit answers (but never shortens what the API asked for).
	maxThrottleWait = 15 * time.Minute
	// maxInlineWait is the longest wait sat out inside a refresh. A longer
	// one (typically a primary rate limit that resets in most of an hour)
	// fails the refresh at once; the source stays paused, and no request
	// reaches the API until the wait is over.
	maxInlineWait = 5 * time.Minute
	// maxJitter caps the random part added to a wait.
	maxJitter = 5 * time.Second
	// retryCap caps the backoff after transient errors.
	retryCap = 30 * time.Second
	// maxBody bounds a buffered response body.
	maxBody = 64 << 20
)

// RetryBase is the first backoff after a transient error; it doubles with
// each attempt. A variable so that tests can shorten it.
var RetryBase = time.Second

// ThrottledError is returned instead of sending a request while the source
// is paused for longer than a refresh should wait.
type ThrottledError struct {
	Source string
	Until  time.Time
	Reason string
}

// PausedUntil is when requests may be sent again.
func (e *ThrottledError) PausedUntil() time.Time { return e.Until }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%s: paused until %s (%s); no request is sent before then", e.Source, e.Until.UTC().Format(time.RFC3339), e.Reason)
}

// Transport is the HTTP layer of one source. It owns everything the APIs
// ask of a polite client: a cap on concurrent requests, a timeout on each,
// bounded retries with backoff for transient failures, waiting out rate
// limits as asked, a reserve of the primary rate limit for the token's
// other users, and conditional requests with ETags. Every request, retry,
// wait and 304 is counted in Metrics.
type Transport struct {
	source     string
	next       http.RoundTripper
	m          *Metrics
	logger     *slog.Logger
	sem        chan struct{}
	timeout    time.Duration
	maxRetries int
	reserve    float64
	etags      *ETags // nil: no conditional requests

	// Injectable for tests.
	now          func() time.Time
	sleep        func(context.Context, time.Duration) error
	throttleWait time.Duration // defaultThrottleWait
	retryBase    time.Duration
	inlineWait   time.Duration

	mu        sync.Mutex
	paused    [budgets]pause
	throttles int // consecutive rate-limit answers
}

// budget is one of an API's request budgets, each paused on its own.
type budget int

const (
	// coreBudget is the API's primary rate limit; its pause, which a
	// secondary limit or a 429 sets too, holds back every request.
	coreBudget budget = iota
	// searchBudget is GitHub's Search API's own budget, 30 requests a
	// minute (X-RateLimit-Resource: search,
	// https://docs.github.com/rest/search/search#rate-limit); its pause
	// holds back searches only.
	searchBudget
	budgets
)

var budgetNames = [budgets]string{"core", "search"}

// pause is how long a budget is paused, and why.
type pause struct {
	until  time.Time
	reason string
}

// budgetOf is the budget that an answer reports on.
func budgetOf(resp *http.Response) budget {
	if strings.EqualFold(resp.Header.Get("X-RateLimit-Resource"), "search") {
		return searchBudget
	}
	return coreBudget
}

// spends is the budget that a request spends.
func spends(req *http.Request) budget {
	if strings.Contains(req.URL.Path, "/search/") {
		return searchBudget
	}
	return coreBudget
}

func NewTransport(source string, api *config.APIConfig, m *Metrics, logger *slog.Logger, etags *ETags) *Transport {
	m.initSource(source)
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = api.Concurrency
	base.ResponseHeaderTimeout = time.Duration(api.RequestTimeout)
	return &Transport{
		source:       source,
		next:         base,
		m:            m,
		logger:       logger,
		sem:          make(chan struct{}, api.Concurrency),
		timeout:      time.Duration(api.RequestTimeout),
		maxRetries:   api.MaxRetries,
		reserve:      api.RateLimitReserve,
		etags:        etags,
		now:          time.Now,
		sleep:        sleepCtx,
		throttleWait: defaultThrottleWait,
		retryBase:    RetryBase,
		inlineWait:   maxInlineWait,
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jitter adds up to 10% to d, and at most maxJitter, so that clients that
// were limited together do not come back together.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(min(d/10, maxJitter))+1))
}

// block pauses a budget until t, counting the new waiting time once.
func (t *Transport) block(b budget, until time.Time, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	from := t.paused[b].until
	if from.Before(now) {
		from = now
	}
	if !until.After(from) {
		return
	}
	t.m.Throttled.WithLabelValues(t.source).Add(until.Sub(from).Seconds())
	t.paused[b] = pause{until: until, reason: reason}
	t.logger.Warn("pausing API requests", "api", t.source, "budget", budgetNames[b], "until", until.UTC().Format(time.RFC3339), "reason", reason)
}

// waitTurn waits until the budget that a request spends is not paused,
// nor the core one, or fails at once when the pause is longer than a
// refresh should wait.
func (t *Transport) waitTurn(ctx context.Context, b budget) error {
	t.mu.Lock()
	p := t.paused[coreBudget]
	if t.paused[b].until.After(p.until) {
		p = t.paused[b]
	}
	t.mu.Unlock()
	until, reason := p.until, p.reason
	d := until.Sub(t.now())
	if d <= 0 {
		return nil
	}
	if d > t.inlineWait {
		return &ThrottledError{Source: t.source, Until: until, Reason: reason}
	}
	return t.sleep(ctx, d)
}

// CloseIdleConnections closes the keep-alive connections not in use.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RoundTrip sends a request, retrying and waiting as the API asks.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		resp, err := t.send(req)
		retry, wait := t.classify(resp, err, attempt)
		if !retry || attempt >= t.maxRetries || ctx.Err() != nil {
			recordTransportError(ctx, err)
			return resp, err
		}
		t.m.Retries.WithLabelValues(t.source).Inc()
		if resp != nil {
			resp.Body.Close()
		}
		if wait > 0 {
			if err := t.sleep(ctx, wait); err != nil {
				recordTransportError(ctx, err)
				return nil, err
			}
		}
	}
}

// send makes one attempt: it takes a concurrency slot, applies the timeout
// to the whole exchange, and buffers the body so that a truncated body is
// an error here, where it can be retried.
func (t *Transport) send(req *http.Request) (*http.Response, error) {
	select {
	case t.sem <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	defer func() { <-t.sem }()
	// Wait out a pause only now, holding a slot: a request that queued
	// for a slot before the pause began must not slip through.
	if err := t.waitTurn(req.Context(), spends(req)); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	r := req.Clone(ctx)
	if t.etags != nil && !unconditional(req.Context()) {
		if etag := t.etags.get(r.URL.String()); etag != "" {
			r.Header.Set("If-None-Match", etag)
		}
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		t.m.Requests.WithLabelValues(t.source, "error").Inc()
		return nil, redactedURLError(err)
	}
	t.m.Requests.WithLabelValues(t.source, codeLabel(resp.StatusCode)).Inc()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the response body of %s: %w", redactURL(r.URL.String()), err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	t.observeRateLimit(resp)
	switch {
	case resp.StatusCode == http.StatusNotModified:
		t.m.NotModified.WithLabelValues(t.source).Inc()
	case resp.StatusCode == http.StatusOK && t.etags != nil && !unconditional(req.Context()):
		// An ETag is kept only for a request that will be asked again
		// with it, so the store holds one entry per stable URL.
		t.etags.put(r.URL.String(), resp.Header.Get("ETag"))
	}
	return resp, nil
}

// classify decides whether an attempt is retried, and after how long.
func (t *Transport) classify(resp *http.Response, err error, attempt int) (retry bool, wait time.Duration) {
	backoff := func() time.Duration {
		return jitter(min(retryCap, t.retryBase*time.Duration(math.Pow(2, float64(attempt)))))
	}
	if err != nil {
		var te *ThrottledError
		if errors.As(err, &te) || errors.Is(err, context.Canceled) {
			return false, 0
		}
		return transient(err), backoff()
	}
	if until, reason, ok := t.rateLimited(resp); ok {
		t.mu.Lock()
		t.throttles++
		n := t.throttles
		t.mu.Unlock()
		// At least as long as asked, else at least throttleWait; doubling
		// on repeated limits, capped, but never shorter than asked.
		asked := until.Sub(t.now())
		wait := t.throttleWait
		if asked > 0 {
			wait = asked
		}
		wait = max(asked, min(maxThrottleWait, wait*time.Duration(math.Pow(2, float64(n-1)))))
		// A spent budget pauses itself (a spent search budget, searches
		// only); a secondary limit, a Retry-After or a 429 pauses all.
		b := coreBudget
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			b = budgetOf(resp)
		}
		t.block(b, t.now().Add(jitter(wait)), reason)
		return true, 0 // waitTurn sits out the block, or fails when it is long
	}
	t.mu.Lock()
	t.throttles = 0
	t.mu.Unlock()
	if resp.StatusCode >= 500 {
		return true, backoff()
	}
	return false, 0
}

// transient reports whether a transport error is worth another try:
// timeouts, resets, refused connections and truncated bodies.
func transient(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// rateLimited recognises the rate-limit answers of GitHub and PagerDuty
// and returns until when the API asks the client to wait (zero when it
// does not say).
func (t *Transport) rateLimited(resp *http.Response) (time.Time, string, bool) {
	code := resp.StatusCode
	if code != http.StatusTooManyRequests && code != http.StatusForbidden {
		return time.Time{}, "", false
	}
	now := t.now()
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil {
			return now.Add(time.Duration(s) * time.Second), fmt.Sprintf("%d with Retry-After: %s", code, ra), true
		}
		if at, err := http.ParseTime(ra); err == nil {
			return at, fmt.Sprintf("%d with Retry-After: %s", code, ra), true
		}
	}
	if r := resp.Header.Get("Ratelimit-Reset"); r != "" && code == http.StatusTooManyRequests {
		if s, err := strconv.ParseInt(strings.TrimSpace(r), 10, 64); err == nil {
			return resetTime(now, s), "429 with ratelimit-reset: " + r, true
		}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return time.Unix(s, 0), "primary rate limit exhausted", true
		}
	}
	if code == http.StatusTooManyRequests {
		return time.Time{}, "429 without a reset time", true
	}
	// GitHub's secondary rate limits: 403 with a documentation_url or
	// message that says so.
	body, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if lower := strings.ToLower(string(body)); strings.Contains(lower, "secondary rate limit") || strings.Contains(lower, "secondary-rate-limits") || strings.Contains(lower, "abuse") {
		return time.Time{}, "403 secondary rate limit", true
	}
	return time.Time{}, "", false
}

// resetTime reads a reset header that is either seconds from now (as
// PagerDuty sends) or a Unix time.
func resetTime(now time.Time, v int64) time.Time {
	if v > 1e9 {
		return time.Unix(v, 0)
	}
	return now.Add(time.Duration(v) * time.Second)
}

// observeRateLimit records the budget that an answer reports (the
// primary rate limit, or GitHub's search budget), and pauses that budget
// when what remains of it reaches the reserve.
func (t *Transport) observeRateLimit(resp *http.Response) {
	h := resp.Header
	b := budgetOf(resp)
	if res := h.Get("X-RateLimit-Resource"); res != "" && res != "core" && b != searchBudget {
		return // another budget of GitHub's, which the exporter does not spend
	}
	remaining, limit, reset := h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Limit"), h.Get("X-RateLimit-Reset")
	if remaining == "" {
		remaining, limit, reset = h.Get("Ratelimit-Remaining"), h.Get("Ratelimit-Limit"), h.Get("Ratelimit-Reset")
	}
	rem, err := strconv.ParseFloat(remaining, 64)
	if err != nil {
		return
	}
	var resetAt time.Time
	if s, err := strconv.ParseInt(reset, 10, 64); err == nil {
		resetAt = resetTime(t.now(), s)
	}
	if b == searchBudget {
		t.m.SearchRemaining.WithLabelValues(t.source).Set(rem)
	} else {
		t.m.RateLimitRemaining.WithLabelValues(t.source).Set(rem)
		if !resetAt.IsZero() {
			t.m.RateLimitReset.WithLabelValues(t.source).Set(float64(resetAt.Unix()))
		}
	}
	lim, err := strconv.ParseFloat(limit, 64)
	if err != nil || resetAt.IsZero() {
		return
	}
	// Pause early enough that the requests still in flight cannot take
	// the budget below the reserve.
	floor := math.Ceil(lim * t.reserve)
	if t.reserve > 0 && rem <= floor+float64(cap(t.sem)) {
		t.block(b, resetAt, fmt.Sprintf("rate limit reserve: %.0f of %.0f left, keeping %.0f for the token's other users", rem, lim, floor))
	}
}

type unconditionalKey struct{}

// WithUnconditional marks requests that are never conditional: their
// ETags are neither sent nor kept.
func WithUnconditional(ctx context.Context) context.Context {
	return context.WithValue(ctx, unconditionalKey{}, true)
}

func unconditional(ctx context.Context) bool { return ctx.Value(unconditionalKey{}) != nil }

// redactURL removes credentials from a URL before it reaches a log or an
// error: GitHub Enterprise accepts tokens in query strings.
func redactURL(u string) string { return Redact(u) }

// redactedURLError scrubs the URL inside a transport error.
func redactedURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redactURL(ue.URL)
	}
	return err
}
