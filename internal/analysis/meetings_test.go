package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// Hand-computed tests of meeting time and uninterrupted time, on Monday
// 2026-11-23 (UTC) unless said otherwise.

func TestMeetingSecondsUnionByFirstMeeting(t *testing.T) {
	// security (1) 09:00-10:30 and product (0) 10:00-11:00 overlap: the
	// union is 2 h, 1.5 h to security, which began first, and 0.5 h to
	// product. A product meeting 10:15-10:45 inside both adds nothing; one
	// at 13:00-14:00 adds 1 h; one from before the window's start counts
	// from it.
	ms := []meeting{
		{span{at("2026-11-23T09:00:00Z"), at("2026-11-23T10:30:00Z")}, 1},
		{span{at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")}, 0},
		{span{at("2026-11-23T10:15:00Z"), at("2026-11-23T10:45:00Z")}, 0},
		{span{at("2026-11-23T13:00:00Z"), at("2026-11-23T14:00:00Z")}, 0},
		{span{at("2026-11-22T23:30:00Z"), at("2026-11-23T00:30:00Z")}, 2},
	}
	got := meetingSeconds(ms, at("2026-11-23T00:00:00Z"), at("2026-11-24T00:00:00Z"), 3)
	if want := []int64{3600 + 1800, 5400, 1800}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("meeting seconds by domain %v, want %v", got, want)
	}
	// Two meetings that begin together: the first domain in the config.
	tie := meetingSeconds([]meeting{
		{span{at("2026-11-23T09:00:00Z"), at("2026-11-23T10:00:00Z")}, 2},
		{span{at("2026-11-23T09:00:00Z"), at("2026-11-23T10:00:00Z")}, 1},
	}, at("2026-11-23T00:00:00Z"), at("2026-11-24T00:00:00Z"), 3)
	if tie[1] != 3600 || tie[2] != 0 {
		t.Errorf("tie %v", tie)
	}
}

func TestUninterruptedTime(t *testing.T) {
	cfg := peopleConfig(t, `
  - {name: utc, github: [ut]}
  - name: night
    github: [ni]
    working_hours: {days: [sun], start: "22:00", end: "06:00"}
  - {name: berlin, github: [be], timezone: Europe/Berlin, working_hours: {days: [sun], start: "00:00", end: "06:00"}}
`)
	utc, night, berlin := &cfg.People[0], &cfg.People[1], &cfg.People[2]
	day := func(h, m int) int64 { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC).Unix() }
	monday := [2]int64{day(0, 0), day(24, 0)}
	const twoHours = 2 * 3600
	// Working hours 08:00-18:00. Meetings 09:00-10:00 and 17:00-19:00,
	// across the end of working hours: the gaps are 08-09 (1 h, too
	// short) and 10-17 (7 h).
	meetings := []span{{day(9, 0), day(10, 0)}, {day(17, 0), day(19, 0)}}
	if got := uninterruptedSeconds(utc, meetings, nil, monday[0], monday[1], twoHours); got != 7*3600 {
		t.Errorf("a meeting across the end of working hours: %d s, want 7 h", got)
	}
	// A page at 13:00 splits 10-17 into 3 h and 4 h, both long enough: 7 h.
	// A page at 11:00 leaves 1 h (too short) and 6 h: 6 h.
	if got := uninterruptedSeconds(utc, meetings, []int64{day(13, 0)}, monday[0], monday[1], twoHours); got != 7*3600 {
		t.Errorf("a page at 13:00: %d s, want 7 h", got)
	}
	if got := uninterruptedSeconds(utc, meetings, []int64{day(11, 0)}, monday[0], monday[1], twoHours); got != 6*3600 {
		t.Errorf("a page at 11:00: %d s, want 6 h", got)
	}
	// No working hours on Monday for the night worker, whose shift starts
	// on Sunday 22:00 and runs into Monday 06:00: from the window's start,
	// 00:00-06:00 (6 h) with a page at 05:00: 5 h, and 1 h too short.
	if got := uninterruptedSeconds(night, nil, []int64{day(5, 0)}, monday[0], monday[1], twoHours); got != 5*3600 {
		t.Errorf("a night shift into the window: %d s, want 5 h", got)
	}
	// Berlin's spring change: Sunday 2026-03-29 00:00-06:00 local is 5
	// real hours (02:00 becomes 03:00), not 6.
	sun := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC).Add(-time.Hour).Unix() // 00:00 CET
	if got := uninterruptedSeconds(berlin, nil, nil, sun-86400, sun+2*86400, twoHours); got != 5*3600 {
		t.Errorf("the DST day: %d s, want 5 h", got)
	}
}

// TestMeetingsInTheAnalysis: a calendar snapshot's meetings are the
// person's activities (classified by title, taking part in switches),
// their meeting time by domain and their uninterrupted time, in the
// window of split_test.go (Sunday 22nd 23:00 to Sunday 29th 23:00 UTC).
func TestMeetingsInTheAnalysis(t *testing.T) {
	cfg, err := config.ParseWithoutSecrets([]byte(strings.Replace(baseConfig, "rules:\n", "rules:\n  - {domain: security, source: calendar, title: \"(?i)security\"}\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld()
	cal := model.Snapshot{Source: model.SourceCalendar, End: now.Unix()}
	meet := func(title, from, to string) {
		cal.Items = append(cal.Items, model.Item{Source: model.SourceCalendar, Kind: model.KindMeeting, Key: "utc/" + title + from, Title: title,
			CreatedAt: at(from), EndsAt: at(to)})
		cal.Activities = append(cal.Activities, model.Activity{Item: int32(len(cal.Items) - 1), Actor: "utc", Action: model.ActionMeeting, At: at(from)})
	}
	// Monday: a security sync 09:00-10:00 and another 17:00-19:00.
	meet("Security sync", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z")
	meet("Security review", "2026-11-23T17:00:00Z", "2026-11-23T19:00:00Z")
	// A page at 13:00 on Monday.
	q := w.incident("Q1", "product", "high", at("2026-11-23T12:00:00Z"), 0, 0, 0)
	w.pda(q, "PUT", "notified", "2026-11-23T13:00:00Z")
	r := Analyze([]*model.Snapshot{&w.gh, &w.pd, &cal}, cfg, now)
	if !r.HasCalendar || r.MeetingSeconds[PersonDomain{"utc", "security"}] != 3*3600 {
		t.Errorf("meeting seconds %v", r.MeetingSeconds)
	}
	// Working hours Monday to Friday 08:00-18:00 UTC: Monday's gaps are
	// 08-09 (short), 10-13 and 13-17 (3 h and 4 h, the page between),
	// Tuesday to Friday 10 h each: 7 + 40 = 47 h.
	if got := r.Uninterrupted["utc"]; got != 47*3600 {
		t.Errorf("utc uninterrupted %d s, want 47 h", got)
	}
	// Meetings are activities: two security activities for utc.
	if n := r.PersonActivities[PersonSourceDomain{"utc", model.SourceCalendar, "security"}]; n != 2 {
		t.Errorf("meeting activities %d", n)
	}
}
