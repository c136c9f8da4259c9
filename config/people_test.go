package config

import (
	"math"
	"testing"
	"time"
)

// TestPersonSpanAndWorkingHours pins the span of joined and left in the
// person's zone, across a DST change, and working hours that cross
// midnight.
func TestPersonSpanAndWorkingHours(t *testing.T) {
	c, err := ParseWithoutSecrets([]byte(`pagerduty: {token_env: T}
domains: [{name: d}]
people:
  - {name: alice, timezone: Europe/Berlin, joined: 2026-10-25, left: 2026-10-26}
  - {name: bob, working_hours: {days: [sat], start: "22:00", end: "06:00"}}
  - {name: carol}
`))
	if err != nil {
		t.Fatal(err)
	}
	// 2026-10-25 is the last Sunday of October: Berlin leaves CEST (+2)
	// for CET (+1) at 03:00. Its midnight is 2026-10-24 22:00 UTC; the day
	// after left, 2026-10-27, starts at 2026-10-26 23:00 UTC.
	from, to := c.People[0].InTeam()
	if want := time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC).Unix(); from != want {
		t.Errorf("alice from %v, want %v", time.Unix(from, 0).UTC(), time.Unix(want, 0).UTC())
	}
	if want := time.Date(2026, 10, 26, 23, 0, 0, 0, time.UTC).Unix(); to != want {
		t.Errorf("alice to %v, want %v", time.Unix(to, 0).UTC(), time.Unix(want, 0).UTC())
	}
	if from, to := c.People[2].InTeam(); from != math.MinInt64 || to != math.MaxInt64 {
		t.Errorf("carol: %d, %d, want no bounds", from, to)
	}
	w := c.People[1].WorkingHours
	for _, tc := range []struct {
		wd   time.Weekday
		hhmm int
		want bool
	}{
		{time.Saturday, 2159, false},
		{time.Saturday, 2200, true},
		{time.Sunday, 559, true}, // the morning after a working Saturday
		{time.Sunday, 600, false},
		{time.Saturday, 300, false}, // Friday is not a working day
		{time.Sunday, 2300, false},
	} {
		secs := tc.hhmm/100*3600 + tc.hhmm%100*60
		if got := w.Contains(tc.wd, secs); got != tc.want {
			t.Errorf("%s %04d: %v, want %v", tc.wd, tc.hhmm, got, tc.want)
		}
	}
	if len(c.People[1].WorkingHours.Days) != 1 {
		t.Errorf("days %v", c.People[1].WorkingHours.Days)
	}
}
