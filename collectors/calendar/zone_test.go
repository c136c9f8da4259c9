package calendar

import (
	"bytes"
	"os"
	"testing"

	ics "github.com/arran4/golang-ical"
)

// TestVZone reads Outlook's "W. Europe Standard Time" VTIMEZONE (observances
// from 1601, yearly on the last Sundays of March and October) and turns
// wall times of 2026 into instants by hand-checked offsets.
func TestVZone(t *testing.T) {
	b, err := os.ReadFile("testdata/outlook.ics")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	z, err := newVZone(cal.Timezones()[0], utc(t, "2026-01-01T00:00Z"), utc(t, "2026-12-31T00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	for wall, want := range map[string]string{
		"2026-01-15T12:00Z": "2026-01-15T11:00Z", // +0100
		"2026-03-29T01:59Z": "2026-03-29T00:59Z", // just before the change
		"2026-03-29T02:30Z": "2026-03-29T01:30Z", // in the gap: the offset before it (§3.3.5)
		"2026-03-29T03:00Z": "2026-03-29T01:00Z", // +0200
		"2026-07-01T09:00Z": "2026-07-01T07:00Z",
		"2026-10-25T02:30Z": "2026-10-25T00:30Z", // twice: the first
		"2026-10-25T03:00Z": "2026-10-25T02:00Z", // +0100 again
		"2026-12-24T18:00Z": "2026-12-24T17:00Z",
	} {
		if got := z.instant(utc(t, wall)).Format("2006-01-02T15:04Z"); got != want {
			t.Errorf("instant(%s) = %s, want %s", wall, got, want)
		}
	}
	if got := z.wall(utc(t, "2026-07-01T07:00Z")).Format("2006-01-02T15:04Z"); got != "2026-07-01T09:00Z" {
		t.Errorf("wall(2026-07-01T07:00Z) = %s, want 09:00", got)
	}
}
