package calendar

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

func TestMain(m *testing.M) {
	apiclient.RetryBase = 10 * time.Millisecond
	os.Exit(m.Run())
}

// feedServer serves google.ics at a secret path with an ETag, answering
// 304 to a matching If-None-Match, and fails while fail is set.
type feedServer struct {
	mu   sync.Mutex
	fail bool
	// failOnly, when set, is the one path that fails while fail is set.
	failOnly string
	body     []byte
	headers  []http.Header
}

const (
	secretPath  = "/calendar/ical/alice%40example.com/private-5f2a9c01d7e4b3a8/basic.ics"
	secretPath2 = "/calendar/ical/bob%40example.com/private-9d1e7a3c5b0f2468/basic.ics"
)

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.headers = append(f.headers, r.Header.Clone())
	if r.URL.EscapedPath() != secretPath && r.URL.EscapedPath() != secretPath2 {
		http.NotFound(w, r)
		return
	}
	if f.fail && (f.failOnly == "" || f.failOnly == r.URL.EscapedPath()) {
		http.Error(w, "backend error", http.StatusServiceUnavailable)
		return
	}
	etag := `"v1"`
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "text/calendar; charset=UTF-8")
	_, _ = w.Write(f.body)
}

func calendarConfig(t *testing.T, urls map[string]string) *config.Config {
	t.Helper()
	yml := `
calendar: {max_retries: 1}
domains: [{name: security}, {name: product}]
people:
  - {name: alice, calendar: {url_env: ALICE, self: alice@example.com}}
  - {name: bob, calendar: {url_env: BOB}}
`
	cfg, err := config.Parse([]byte(yml), config.Environment{Getenv: func(k string) string { return urls[k] }})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newTestSource(t *testing.T, cfg *config.Config) *Source {
	t.Helper()
	logger, _ := sourcetest.Logger()
	s, err := New(cfg, apiclient.NewMetrics(prometheus.NewRegistry()), logger)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Source)
}

// TestSource reads two feeds over HTTP through the shared transport: the
// meetings of alice's, as items and activities; bob's, never readable,
// unread; a second refresh asks with If-None-Match and reuses the feed on
// 304; a failing feed keeps its last good meetings; and no error quotes
// the secret URL.
func TestSource(t *testing.T) {
	body, err := os.ReadFile("testdata/google.ics")
	if err != nil {
		t.Fatal(err)
	}
	fs := &feedServer{body: body}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	aliceURL := srv.URL + secretPath
	bobURL := srv.URL + "/calendar/ical/bob/private-0000/basic.ics"
	cfg := calendarConfig(t, map[string]string{"ALICE": aliceURL, "BOB": bobURL})
	s := newTestSource(t, cfg)
	w := collectors.Window{Start: utc(t, "2026-03-16T00:00Z"), End: utc(t, "2026-04-13T00:00Z")}

	snap, err := s.Fetch(context.Background(), w)
	var partial *collectors.PartialError
	if !errors.As(err, &partial) || len(partial.Failures) != 1 || partial.Failures[0].Repo != "bob" {
		t.Fatalf("first fetch: %v", err)
	}
	checkSecret(t, err.Error(), bobURL)
	if len(snap.Unread) != 1 || snap.Unread[0] != "bob" {
		t.Errorf("unread %v, want bob", snap.Unread)
	}
	// The ten meetings of TestParseGoogle, the last (2026-04-09) too.
	if len(snap.Items) != 10 || len(snap.Activities) != 10 {
		t.Fatalf("%d items, %d activities; want 10 each", len(snap.Items), len(snap.Activities))
	}
	it := snap.Items[2]
	if it.Source != model.SourceCalendar || it.Kind != model.KindMeeting || it.Title != "Access review" ||
		it.Organizer != "security-lead@example.com" || !it.Recurring || it.CreatedAt != utc(t, "2026-03-19T14:00Z").Unix() ||
		it.EndsAt != utc(t, "2026-03-19T15:00Z").Unix() || it.URL != "" ||
		it.Key != "alice/7b3oq1n0d6a9c4hq2u5jv8s1ke@google.com/"+itoa(utc(t, "2026-03-19T14:00Z").Unix()) {
		t.Errorf("item %+v", it)
	}
	if a := snap.Activities[2]; a.Actor != "alice" || a.Action != model.ActionMeeting || a.At != it.CreatedAt || a.Item != 2 {
		t.Errorf("activity %+v", a)
	}
	if snap.Skipped["all_day"] != 1 || snap.Skipped["cancelled"] != 2 || snap.Skipped["declined"] != 1 || snap.Skipped["too_long"] != 1 {
		t.Errorf("skipped %v", snap.Skipped)
	}

	// A day later: a conditional request, 304, the same meetings less
	// none (the window moved a day, all still overlap but the first).
	w2 := collectors.Window{Start: w.Start.Add(24 * time.Hour), End: w.End.Add(time.Hour)}
	snap2, _ := s.Fetch(context.Background(), w2)
	last := fs.headers[len(fs.headers)-1]
	if fs.headers[len(fs.headers)-2].Get("If-None-Match") != `"v1"` && last.Get("If-None-Match") != `"v1"` {
		t.Errorf("no conditional request: %v", fs.headers)
	}
	if len(snap2.Items) != 9 {
		t.Errorf("after 304: %d items, want 9 (the 16 March one left the window)", len(snap2.Items))
	}

	// The feed fails: its last good meetings stay, and the error says
	// whose feed, never where.
	fs.mu.Lock()
	fs.fail = true
	fs.mu.Unlock()
	// Every feed fails: nothing new to publish (the refresh keeps the
	// last snapshot), and the error says whose feed, never where.
	snap3, err := s.Fetch(context.Background(), w2)
	if err == nil || snap3 != nil {
		t.Fatalf("failing fetch: %v, %v", snap3, err)
	}
	checkSecret(t, err.Error(), aliceURL, bobURL)
	if !strings.Contains(err.Error(), "feed of alice") || !strings.Contains(err.Error(), "503") {
		t.Errorf("error does not say whose feed and what: %v", err)
	}
	if got := collectors.KindOf(err); got == "" {
		t.Errorf("kind of %v is empty", err)
	}
	// bob's feed now has an address that works and alice's still fails:
	// alice keeps her last good meetings, within the new window.
	fs.mu.Lock()
	fs.failOnly = secretPath
	fs.mu.Unlock()
	cfg2 := calendarConfig(t, map[string]string{"ALICE": aliceURL, "BOB": srv.URL + secretPath2})
	s.Reconfigure(cfg2)
	snap4, err := s.Fetch(context.Background(), w2)
	if !errors.As(err, &partial) || len(partial.Failures) != 1 || partial.Failures[0].Repo != "alice" {
		t.Fatalf("partial fetch: %v", err)
	}
	if len(snap4.Items) != 9+10 || len(snap4.Unread) != 0 {
		t.Errorf("last good data: %d items, unread %v", len(snap4.Items), snap4.Unread)
	}
}

// TestSourceAllFail: when no feed can be read, there is nothing new to
// publish, and the error still quotes no URL.
func TestSourceAllFail(t *testing.T) {
	u := "http://127.0.0.1:1/calendar/ical/x/private-deadbeefcafe/basic.ics?token=abc"
	cfg := calendarConfig(t, map[string]string{"ALICE": u, "BOB": u})
	s := newTestSource(t, cfg)
	snap, err := s.Fetch(context.Background(), collectors.Window{Start: time.Now().Add(-time.Hour), End: time.Now()})
	if err == nil || snap != nil {
		t.Fatalf("snapshot %v, error %v", snap, err)
	}
	checkSecret(t, err.Error(), u)
}

// TestSourceState: a saved state restores the feeds without their URLs,
// and a restored source asks conditionally.
func TestSourceState(t *testing.T) {
	body, _ := os.ReadFile("testdata/google.ics")
	fs := &feedServer{body: body}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	u := srv.URL + secretPath
	cfg := calendarConfig(t, map[string]string{"ALICE": u, "BOB": u})
	s := newTestSource(t, cfg)
	w := collectors.Window{Start: utc(t, "2026-03-16T00:00Z"), End: utc(t, "2026-04-13T00:00Z")}
	if _, err := s.Fetch(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	var saved strings.Builder
	if err := s.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	checkSecret(t, saved.String(), u)
	for _, who := range []string{"alice", "bob"} {
		if strings.Contains(saved.String(), `"`+who) {
			t.Errorf("the saved state names %s: %.300s", who, saved.String())
		}
	}
	s2 := newTestSource(t, cfg)
	if err := s2.RestoreState(strings.NewReader(saved.String())); err != nil {
		t.Fatal(err)
	}
	n := len(fs.headers)
	snap, err := s2.Fetch(context.Background(), w)
	// alice's ten, and bob's eleven: alice's decline is not his.
	if err != nil || len(snap.Items) != 21 {
		t.Fatalf("restored fetch: %v, %d items", err, len(snap.Items))
	}
	for _, h := range fs.headers[n:] {
		if h.Get("If-None-Match") != `"v1"` {
			t.Errorf("restored source asked unconditionally: %v", h)
		}
	}
	// alice's own address, saved as a hash, is hers again for the rules.
	if it := snap.Items[0]; it.Title != "Infra sync" || it.Organizer != "alice@example.com" {
		t.Errorf("restored organizer: %+v", it)
	}
	if err := s2.RestoreState(strings.NewReader(`{"feeds":{"alice":null}}`)); err == nil {
		t.Error("an incomplete state was restored")
	}
}

// checkSecret fails when text holds a URL or its secret path.
func checkSecret(t *testing.T, text string, urls ...string) {
	t.Helper()
	for _, u := range urls {
		for _, part := range []string{u, "private-5f2a9c01d7e4b3a8", "private-0000", "private-deadbeefcafe", "abc"} {
			if strings.Contains(u, part) && strings.Contains(text, part) {
				t.Errorf("%q leaks %q", text, part)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestSkipReasons: the skipped counts' labels are the metric's fixed set.
func TestSkipReasons(t *testing.T) {
	got := slices.Sorted(maps.Keys(Skipped{}.byReason()))
	if want := slices.Sorted(slices.Values(model.SkipReasons)); !slices.Equal(got, want) {
		t.Errorf("byReason's labels %v, model.SkipReasons %v", got, want)
	}
}
