package apiclient

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// scripted answers requests from a list, and records when each came.
type scripted struct {
	answers []func(now time.Time) *http.Response
	calls   []time.Time
	clock   *fakeClock
}

func (s *scripted) RoundTrip(r *http.Request) (*http.Response, error) {
	s.calls = append(s.calls, s.clock.now)
	a := s.answers[0]
	if len(s.answers) > 1 {
		s.answers = s.answers[1:]
	}
	resp := a(s.clock.now)
	resp.Request = r
	return resp, nil
}

type fakeClock struct {
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func answer(code int, headers ...string) func(time.Time) *http.Response {
	return func(time.Time) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(headers); i += 2 {
			h.Set(headers[i], headers[i+1])
		}
		return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader("{}"))}
	}
}

func testTransport(t *testing.T, answers ...func(time.Time) *http.Response) (*Transport, *scripted, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	next := &scripted{answers: answers, clock: clock}
	api := &config.APIConfig{Concurrency: 2, RequestTimeout: config.DefaultRequestTimeout, MaxRetries: 3, RateLimitReserve: 0.1}
	tr := NewTransport("github", api, NewMetrics(nil), slog.New(slog.DiscardHandler), nil)
	tr.next, tr.now, tr.sleep, tr.retryBase = next, func() time.Time { return clock.now }, clock.sleep, time.Second
	return tr, next, clock
}

func get(t *testing.T, tr *Transport) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "https://api.example/repos/a/b/issues", nil)
	return tr.RoundTrip(req)
}

func within(d, lo time.Duration) bool { return d >= lo && d <= lo+lo/10+time.Millisecond }

func TestRateLimitWithoutRetryAfterWaits60sThenBacksOff(t *testing.T) {
	tr, next, clock := testTransport(t, answer(429), answer(429), answer(200))
	resp, err := get(t, tr)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v %v", resp, err)
	}
	if len(clock.sleeps) != 2 || !within(clock.sleeps[0], 60*time.Second) || !within(clock.sleeps[1], 120*time.Second) {
		t.Errorf("waits %v, want 60s then 120s (plus up to 10%% jitter)", clock.sleeps)
	}
	if gap := next.calls[1].Sub(next.calls[0]); gap < 60*time.Second {
		t.Errorf("the retry came %v after the 429", gap)
	}
	throttled := testutil.ToFloat64(tr.m.Throttled.WithLabelValues("github"))
	if throttled < 180 || throttled > 198 {
		t.Errorf("throttled seconds %v, want about 180", throttled)
	}
	if got := testutil.ToFloat64(tr.m.Retries.WithLabelValues("github")); got != 2 {
		t.Errorf("retries %v, want 2", got)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	tr, _, clock := testTransport(t, answer(403, "Retry-After", "5"), answer(200))
	if resp, err := get(t, tr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v %v", resp, err)
	}
	if len(clock.sleeps) != 1 || !within(clock.sleeps[0], 5*time.Second) {
		t.Errorf("waits %v, want 5s", clock.sleeps)
	}
}

func TestPagerDutyRatelimitReset(t *testing.T) {
	tr, _, clock := testTransport(t, answer(429, "Ratelimit-Reset", "7"), answer(200))
	if resp, err := get(t, tr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v %v", resp, err)
	}
	if len(clock.sleeps) != 1 || !within(clock.sleeps[0], 7*time.Second) {
		t.Errorf("waits %v, want 7s", clock.sleeps)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 422} {
		tr, next, _ := testTransport(t, answer(code), answer(200))
		resp, err := get(t, tr)
		if err != nil || resp.StatusCode != code || len(next.calls) != 1 {
			t.Errorf("%d: %d calls, got %v %v", code, len(next.calls), resp.StatusCode, err)
		}
	}
}

func TestServerErrorsAreRetriedBoundedWithBackoff(t *testing.T) {
	tr, next, clock := testTransport(t, answer(502))
	resp, err := get(t, tr)
	if err != nil || resp.StatusCode != 502 {
		t.Fatalf("got %v %v", resp, err)
	}
	if len(next.calls) != 4 {
		t.Errorf("%d calls, want 1 + 3 retries", len(next.calls))
	}
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if i >= len(clock.sleeps) || !within(clock.sleeps[i], want) {
			t.Errorf("backoff %d: %v, want %v", i, clock.sleeps, want)
		}
	}
}

// TestLongWaitFailsFastAndSendsNothing: a primary limit that resets in an
// hour fails the request at once, and no request reaches the API before
// the reset.
func TestLongWaitFailsFastAndSendsNothing(t *testing.T) {
	var reset string
	tr, next, clock := testTransport(t, func(now time.Time) *http.Response {
		reset = strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
		return answer(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Limit", "5000", "X-RateLimit-Reset", reset)(now)
	}, answer(200))
	_, err := get(t, tr)
	var te *ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a ThrottledError", err)
	}
	clock.now = clock.now.Add(30 * time.Minute)
	if _, err := get(t, tr); !errors.As(err, &te) || len(next.calls) != 1 {
		t.Errorf("half an hour later: %v after %d calls; want no request before the reset", err, len(next.calls))
	}
	clock.now = clock.now.Add(31 * time.Minute)
	if resp, err := get(t, tr); err != nil || resp.StatusCode != 200 {
		t.Errorf("after the reset: %v %v", resp, err)
	}
}

// TestReserveIsKept: when the remaining budget falls to 10% of the limit
// (plus the concurrency, for the requests in flight), the source pauses
// until the reset, so the token never reaches 0 through the exporter.
func TestReserveIsKept(t *testing.T) {
	tr, next, _ := testTransport(t, func(now time.Time) *http.Response {
		return answer(200, "X-RateLimit-Remaining", "502", "X-RateLimit-Limit", "5000",
			"X-RateLimit-Reset", strconv.FormatInt(now.Add(40*time.Second).Unix(), 10))(now)
	}, answer(200))
	if _, err := get(t, tr); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(tr.m.RateLimitRemaining.WithLabelValues("github")); got != 502 {
		t.Errorf("rate_limit_remaining %v", got)
	}
	if _, err := get(t, tr); err != nil {
		t.Fatal(err)
	}
	if gap := next.calls[1].Sub(next.calls[0]); gap < 40*time.Second {
		t.Errorf("the request after reaching the reserve came %v later, want after the reset (40s)", gap)
	}
}

func TestTokensAreRedactedFromURLs(t *testing.T) {
	for in, want := range map[string]string{
		"https://ghe.example/api/v3/repos/a/b?access_token=ghp_abc123&page=2": "https://ghe.example/api/v3/repos/a/b?access_token=REDACTED&page=2",
		`Get "https://x/?token=abc": EOF`:                                     `Get "https://x/?token=REDACTED": EOF`,
		"Authorization: Token token=pd_secret ok":                             "Authorization: Token token=REDACTED ok",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Redact("the secret is s3cr3tvalue", "s3cr3tvalue"); strings.Contains(got, "s3cr3t") {
		t.Errorf("a known secret was not redacted: %q", got)
	}
}

// TestSearchBudgetIsItsOwn: GitHub's Search API has its own budget of 30
// requests a minute. When what remains of it reaches the reserve, the
// next search waits for its reset, while other requests go on; and a
// search refused for the spent budget pauses searches only.
func TestSearchBudgetIsItsOwn(t *testing.T) {
	search := func(tr *Transport) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, "https://api.example/search/issues?q=x", nil)
		return tr.RoundTrip(req)
	}
	reset := func(now time.Time) string { return strconv.FormatInt(now.Add(40*time.Second).Unix(), 10) }
	low := func(now time.Time) *http.Response {
		return answer(200, "X-RateLimit-Resource", "search", "X-RateLimit-Limit", "30", "X-RateLimit-Remaining", "5", "X-RateLimit-Reset", reset(now))(now)
	}
	tr, next, clock := testTransport(t, low, answer(200), answer(200))
	if _, err := search(tr); err != nil {
		t.Fatal(err)
	}
	// 5 left is the reserve (ceil(30 x 0.1) = 3, plus 2 in flight):
	// a core request goes at once, the next search waits for the reset.
	if _, err := get(t, tr); err != nil || len(clock.sleeps) != 0 {
		t.Fatalf("a core request waited %v (%v)", clock.sleeps, err)
	}
	if _, err := search(tr); err != nil {
		t.Fatal(err)
	}
	if len(clock.sleeps) != 1 || clock.sleeps[0] < 40*time.Second || clock.sleeps[0] > 42*time.Second {
		t.Errorf("the search waited %v, want the 40 s until the budget resets", clock.sleeps)
	}
	if len(next.calls) != 3 {
		t.Errorf("requests sent: %d, want 3", len(next.calls))
	}
	if got := testutil.ToFloat64(tr.m.SearchRemaining.WithLabelValues("github")); got != 5 {
		t.Errorf("search budget remaining: %v, want 5", got)
	}

	// Spent by another user of the token: 403 with the search resource.
	spent := func(now time.Time) *http.Response {
		return answer(403, "X-RateLimit-Resource", "search", "X-RateLimit-Limit", "30", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset(now))(now)
	}
	tr, _, clock = testTransport(t, spent, answer(200), answer(200))
	if resp, err := search(tr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the search after the reset: %v %v", resp, err)
	}
	if len(clock.sleeps) != 1 || clock.sleeps[0] < 40*time.Second {
		t.Errorf("waits %v, want one until the search budget resets", clock.sleeps)
	}
	tr.mu.Lock()
	paused := tr.paused[coreBudget].until.After(clock.now)
	tr.mu.Unlock()
	if paused {
		t.Error("a spent search budget paused every request of the source")
	}
}
