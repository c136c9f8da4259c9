package simulation

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// demoSeries is one recurring meeting of the demo's calendars: weekly on
// its days (every Every weeks) at a local time, in every member's own
// calendar from the day it starts (or the day they join).
type demoSeries struct {
	title     string
	organizer string
	days      string // RRULE BYDAY: "MO,WE"
	every     int    // weeks
	at        string // local "15:04"
	length    time.Duration
	fromDay   int // the story's day from which it runs
	people    []string
}

// demoMeetings are the story's recurring meetings. The product ones run
// from the start; the corporate ones start later and later, so that, as
// the rest of the story, corporate meetings grow over the 90 days. The
// config's rules (config/demo.yml) give them their domains by organizer
// and title.
var demoMeetings = []demoSeries{
	{title: "Platform standup", organizer: "sre-lead@acme.example", days: "MO,TU,WE,TH,FR", every: 1, at: "09:30", length: 15 * time.Minute, people: []string{"alice", "bob", "carol"}},
	{title: "Incident review", organizer: "sre-lead@acme.example", days: "WE", every: 1, at: "14:00", length: time.Hour, people: []string{"alice", "bob", "carol"}},
	{title: "Deploy planning", organizer: "bob@acme.example", days: "MO", every: 2, at: "16:00", length: 45 * time.Minute, people: []string{"bob", "carol"}},
	{title: "Security sync", organizer: "security@acme.example", days: "TU", every: 1, at: "11:00", length: 45 * time.Minute, fromDay: 10, people: []string{"alice", "bob"}},
	{title: "AWS account change board", organizer: "cloud-org@acme.example", days: "TH", every: 1, at: "13:00", length: time.Hour, fromDay: 25, people: []string{"alice", "carol"}},
	{title: "SaaS vendor review", organizer: "it@acme.example", days: "FR", every: 2, at: "10:00", length: time.Hour, fromDay: 40, people: []string{"alice", "bob"}},
	{title: "SOC 2 audit walkthrough", organizer: "security@acme.example", days: "TH", every: 1, at: "15:00", length: 90 * time.Minute, fromDay: 55, people: []string{"bob", "carol"}},
	{title: "Okta SSO office hours", organizer: "it@acme.example", days: "WE", every: 1, at: "16:00", length: time.Hour, fromDay: 65, people: []string{"alice", "bob", "carol"}},
	{title: "AWS SCP change window", organizer: "cloud-org@acme.example", days: "MO", every: 1, at: "11:00", length: time.Hour, fromDay: 75, people: []string{"alice", "carol"}},
}

// demoCalendars makes the demo people's feeds: the series above, and in
// alice's, in the last week, one occurrence of the security sync moved to
// the next day, one incident review cancelled, a vendor pitch she
// declined, and an all-day offsite, none of which is a meeting of hers as
// it was first planned. Its own random source keeps the GitHub and
// PagerDuty data as they were.
func (g *demoGen) demoCalendars() {
	rnd := rand.New(rand.NewPCG(demoSeed, 3))
	modified := g.now.Add(-time.Duration(1+rnd.IntN(120)) * time.Minute)
	for _, p := range demoPeople {
		loc, _ := time.LoadLocation(p.tz)
		cal := &Calendar{Person: p.name, Name: p.email, Zone: p.tz, Modified: modified}
		for i, s := range demoMeetings {
			if !slices.Contains(s.people, p.name) {
				continue
			}
			first := g.firstWeekday(p, max(s.fromDay, p.joinDay), s.days, s.at)
			var attendees []string
			for _, dp := range demoPeople {
				if slices.Contains(s.people, dp.name) {
					attendees = append(attendees, dp.email)
				}
			}
			cal.Events = append(cal.Events, &CalEvent{
				UID:     fmt.Sprintf("%s-%02d@acme.example", strings.ToLower(strings.ReplaceAll(s.title, " ", "-")), i),
				Summary: s.title, Organizer: s.organizer, Attendees: attendees,
				Zone: p.tz, Start: first, Length: s.length,
				RRule: fmt.Sprintf("FREQ=WEEKLY;INTERVAL=%d;BYDAY=%s", s.every, s.days),
			})
		}
		if p.name == "alice" {
			g.aliceSpecials(cal, loc)
		}
		cal.sortEvents()
		g.ds.Calendars = append(g.ds.Calendars, cal)
	}
}

// aliceSpecials adds what only alice's calendar has, in the last week.
func (g *demoGen) aliceSpecials(cal *Calendar, loc *time.Location) {
	alice := demoPeople[0]
	for _, e := range cal.Events {
		switch e.Summary {
		case "Security sync": // this week's moved a day later, to 15:00
			occ := g.lastOccurrence(e, loc)
			moved := *e
			moved.RRule, moved.RecurrenceID = "", occ
			moved.Start = time.Date(occ.Year(), occ.Month(), occ.Day()+1, 15, 0, 0, 0, loc)
			moved.Summary = "Security sync (moved)"
			cal.Events = append(cal.Events, &moved)
		case "Incident review": // this week's cancelled
			occ := g.lastOccurrence(e, loc)
			cancelled := *e
			cancelled.RRule, cancelled.RecurrenceID, cancelled.Start, cancelled.Cancelled = "", occ, occ, true
			cal.Events = append(cal.Events, &cancelled)
		}
	}
	pitch := g.localDay(alice, DemoDays-3).Add(13 * time.Hour)
	cal.Events = append(cal.Events,
		&CalEvent{UID: "vendor-pitch-cspm@acme.example", Summary: "Vendor pitch: CSPM tool", Organizer: "vendors@acme.example",
			Attendees: []string{alice.email, "bob@acme.example"}, Declined: []string{alice.email}, Zone: alice.tz, Start: pitch, Length: time.Hour},
		&CalEvent{UID: "company-offsite@acme.example", Summary: "Company offsite", AllDay: true,
			Start: g.localDay(alice, DemoDays-2), Length: 24 * time.Hour},
	)
}

// firstWeekday is the first of the days (RRULE BYDAY) at or after the
// person's local day number day, at the local time at ("15:04").
func (g *demoGen) firstWeekday(p demoPerson, day int, days, at string) time.Time {
	var hh, mm int
	_, _ = fmt.Sscanf(at, "%d:%d", &hh, &mm)
	for d := day; ; d++ {
		t := g.localDay(p, d)
		if strings.Contains(days, strings.ToUpper(t.Weekday().String()[:2])) {
			return t.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
		}
	}
}

// lastOccurrence is the last weekly occurrence of a series that starts
// more than two days before now (so that the next day is past too), in
// wall-clock time.
func (g *demoGen) lastOccurrence(e *CalEvent, loc *time.Location) time.Time {
	t := e.Start
	for {
		next := time.Date(t.Year(), t.Month(), t.Day()+7, t.Hour(), t.Minute(), 0, 0, loc)
		if next.After(g.now.Add(-48 * time.Hour)) {
			return t
		}
		t = next
	}
}
