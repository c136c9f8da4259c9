package simulation

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors/calendar"
)

// TestCalendarServing: a feed is served at its secret address as
// text/calendar with an ETag and a Last-Modified; a matching If-None-Match,
// or an If-Modified-Since at or after Last-Modified, is a 304; a wrong
// address is a 404; NoValidators serves neither validator; and the request
// log never holds the secret part.
func TestCalendarServing(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	run, err := Serve(Demo(now))
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	u := run.CalendarURL("alice")
	get := func(url string, h map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	r := get(u, nil)
	etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") || etag == "" || lm == "" {
		t.Fatalf("first GET: %d %v", r.StatusCode, r.Header)
	}
	if r := get(u, map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}
	if r := get(u, map[string]string{"If-Modified-Since": lm}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", r.StatusCode)
	}
	// If-None-Match takes precedence (RFC 9110 §13.1.3).
	if r := get(u, map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lm}); r.StatusCode != 200 {
		t.Errorf("a stale If-None-Match with a fresh If-Modified-Since: %d", r.StatusCode)
	}
	if r := get(u, map[string]string{"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}); r.StatusCode != 200 {
		t.Errorf("an old If-Modified-Since: %d", r.StatusCode)
	}
	secret := u[strings.Index(u, "/private-")+1 : strings.LastIndex(u, "/")]
	if r := get(strings.Replace(u, secret, "private-0000", 1), nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("a wrong address: %d", r.StatusCode)
	}
	run.Update(func(ds *Dataset) { ds.Calendars[0].NoValidators = true })
	if r := get(u, nil); r.Header.Get("ETag") != "" || r.Header.Get("Last-Modified") != "" {
		t.Errorf("NoValidators: %v", r.Header)
	}
	for _, req := range run.Requests() {
		if strings.Contains(req.Path, secret) {
			t.Errorf("the request log holds the secret: %q", req.Path)
		}
	}
}

// TestDemoCalendars reads the demo's feeds with the exporter's parser:
// alice's last week has a moved security sync, a cancelled incident
// review, a declined vendor pitch and an all-day offsite; carol has no
// meeting before she joins; and corporate meetings grow: each person has
// more corporate meeting time in the last 30 days than in the first 30.
func TestDemoCalendars(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	start := now.Add(-DemoDays * 24 * time.Hour)
	corporate := func(title string) bool {
		return !strings.Contains("Platform standup Incident review Deploy planning", title)
	}
	for _, c := range Demo(now).Calendars {
		feed := c.Feed()
		ms, skipped, err := calendar.Parse(feed, calendar.Options{Self: c.Name, From: start, To: now})
		if err != nil {
			t.Fatal(err)
		}
		var first, last time.Duration
		for _, m := range ms {
			switch {
			case corporate(m.Title) && m.Start.Before(start.AddDate(0, 0, 30)):
				first += m.End.Sub(m.Start)
			case corporate(m.Title) && m.Start.After(now.AddDate(0, 0, -30)):
				last += m.End.Sub(m.Start)
			}
			if c.Person == "carol" && m.Start.Before(start.AddDate(0, 0, 45)) {
				t.Errorf("carol has %q on %s, before she joined", m.Title, m.Start)
			}
		}
		if last <= first {
			t.Errorf("%s: corporate meetings %v in the first 30 days, %v in the last 30: no growth", c.Person, first, last)
		}
		if c.Person != "alice" {
			continue
		}
		if skipped.Cancelled != 1 || skipped.Declined != 1 || skipped.AllDay != 1 || skipped.Invalid != 0 {
			t.Errorf("alice skipped %+v", skipped)
		}
		moved := false
		for _, m := range ms {
			moved = moved || m.Title == "Security sync (moved)" && m.Start.In(mustZone(t, "Europe/Berlin")).Hour() == 15
		}
		if !moved {
			t.Error("alice has no moved security sync at 15:00 Berlin")
		}
		if !strings.Contains(string(feed), "TZID=Europe/Berlin") {
			t.Error("alice's feed has no TZID")
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
