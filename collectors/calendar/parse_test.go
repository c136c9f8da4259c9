package calendar

import (
	"os"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

// occurrence is a meeting as the tests write it: its UTC start and end,
// and its title.
type occurrence struct {
	start, end string // 2006-01-02T15:04Z
	title      string
}

func utc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02T15:04Z07:00", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func parseFile(t *testing.T, name string, opt Options) ([]Meeting, Skipped) {
	t.Helper()
	feed, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	got, skipped, err := Parse(feed, opt)
	if err != nil {
		t.Fatal(err)
	}
	return got, skipped
}

func checkMeetings(t *testing.T, got []Meeting, want []occurrence) {
	t.Helper()
	var g, w []string
	for _, m := range got {
		g = append(g, m.Start.UTC().Format("2006-01-02T15:04Z")+" "+m.End.UTC().Format("2006-01-02T15:04Z")+" "+m.Title)
	}
	for _, o := range want {
		w = append(w, o.start+" "+o.end+" "+o.title)
	}
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Errorf("meetings:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
}

// TestParseGoogle reads a feed in the shape of Google Calendar's "secret
// address in iCal format": its PRODID, X-WR-TIMEZONE, UIDs and ATTENDEE
// parameters as in golang-ical's testdata/issue97/google.ics (exported from
// Google Calendar for that project's issue 97). Every expected time below
// is worked out by hand: Europe/Berlin is UTC+1 until 2026-03-29 01:00Z and
// UTC+2 from then on.
func TestParseGoogle(t *testing.T) {
	got, skipped := parseFile(t, "google.ics", Options{
		Self: "alice@example.com",
		From: utc(t, "2026-03-16T00:00Z"), To: utc(t, "2026-04-13T00:00Z"),
	})
	checkMeetings(t, got, []occurrence{
		// RRULE weekly on Mondays at 10:00 Berlin: 09:00Z in winter time.
		{"2026-03-16T09:00Z", "2026-03-16T09:30Z", "Infra sync"},
		// RDATE's first is DTSTART itself.
		{"2026-03-17T08:00Z", "2026-03-17T08:30Z", "AWS account change board"},
		{"2026-03-19T14:00Z", "2026-03-19T15:00Z", "Access review"},
		// DURATION:PT45M instead of DTEND.
		{"2026-03-19T16:00Z", "2026-03-19T16:45Z", "Incident review"},
		// A floating time (no TZID, no Z) is in X-WR-TIMEZONE.
		{"2026-03-25T11:00Z", "2026-03-25T12:00Z", "Lunch and learn"},
		// RECURRENCE-ID 2026-03-26 15:00 moved to Friday 11:00 with a new
		// title; the Thursday occurrence is gone.
		{"2026-03-27T10:00Z", "2026-03-27T11:00Z", "Access review (moved)"},
		// EXDATE removed 2026-03-23. After the DST change the wall time
		// stays 10:00 Berlin, now 08:00Z.
		{"2026-03-30T08:00Z", "2026-03-30T08:30Z", "Infra sync"},
		// RDATE;TZID=Europe/Berlin 09:00 in summer time.
		{"2026-03-31T07:00Z", "2026-03-31T07:30Z", "AWS account change board"},
		// UNTIL=20260406T075959Z ends Infra sync before 2026-04-06 08:00Z.
		{"2026-04-07T07:00Z", "2026-04-07T07:30Z", "AWS account change board"},
		// RECURRENCE-ID 2026-04-02 is STATUS:CANCELLED: no occurrence then.
		{"2026-04-09T13:00Z", "2026-04-09T14:00Z", "Access review"},
	})
	want := Skipped{
		AllDay:    1, // Team offsite, DTSTART;VALUE=DATE
		Cancelled: 2, // Audit walkthrough, and the 2026-04-02 Access review
		Declined:  1, // Vendor review: Okta, MAILTO:Alice@Example.com DECLINED
		TooLong:   1, // KubeCon EU, 57 hours
	}
	if skipped != want {
		t.Errorf("skipped %+v, want %+v", skipped, want)
	}
	for _, m := range got {
		switch m.Title {
		case "Access review", "Access review (moved)":
			if m.Organizer != "security-lead@example.com" || !m.Recurring {
				t.Errorf("%s: organizer %q recurring %v, want security-lead@example.com and true", m.Title, m.Organizer, m.Recurring)
			}
			if m.UID != "7b3oq1n0d6a9c4hq2u5jv8s1ke@google.com" {
				t.Errorf("%s: UID %q", m.Title, m.UID)
			}
		case "Incident review", "Lunch and learn":
			if m.Recurring {
				t.Errorf("%s: recurring, want a single event", m.Title)
			}
		}
	}
}

// TestParseGoogleNotSelf: another attendee's decline is not the person's,
// so without Self the declined invitation is a meeting.
func TestParseGoogleNotSelf(t *testing.T) {
	got, skipped := parseFile(t, "google.ics", Options{
		Self: "bob@example.com",
		From: utc(t, "2026-03-18T00:00Z"), To: utc(t, "2026-03-19T00:00Z"),
	})
	checkMeetings(t, got, []occurrence{{"2026-03-18T13:00Z", "2026-03-18T14:00Z", "Vendor review: Okta"}})
	if skipped != (Skipped{}) {
		t.Errorf("skipped %+v, want none in this day", skipped)
	}
}

// TestParseOutlook reads a feed in the shape of an Outlook published
// calendar (PRODID Microsoft Exchange Server 2010, a VTIMEZONE with the
// Windows name "W. Europe Standard Time" whose observances start in 1601,
// X-MICROSOFT-CDO properties), as in the example answer of Microsoft
// Graph's "Get attachment" documentation
// (microsoftgraph/microsoft-graph-docs, api-reference/beta/api/attachment-get.md).
// No time-zone database knows that name, so its offsets come from the
// VTIMEZONE: the last Sunday of March at 02:00 to +0200, the last Sunday
// of October at 03:00 back to +0100.
func TestParseOutlook(t *testing.T) {
	got, skipped := parseFile(t, "outlook.ics", Options{
		From: utc(t, "2026-03-16T00:00Z"), To: utc(t, "2026-11-01T00:00Z"),
	})
	checkMeetings(t, got, []occurrence{
		{"2026-03-17T08:00Z", "2026-03-17T09:00Z", "Security sync"},
		// 2026-03-24 is in EXDATE;TZID=W. Europe Standard Time.
		{"2026-03-31T07:00Z", "2026-03-31T08:00Z", "Security sync"},
		{"2026-04-07T07:00Z", "2026-04-07T08:00Z", "Security sync"},
		{"2026-04-14T07:00Z", "2026-04-14T08:00Z", "Security sync"},
		{"2026-04-21T07:00Z", "2026-04-21T08:00Z", "Security sync"},
		// UNTIL=20260430T070000Z includes the occurrence at 07:00Z.
		{"2026-04-28T07:00Z", "2026-04-28T08:00Z", "Security sync"},
		// 02:30 on 2026-10-25 happens twice; RFC 5545 §3.3.5 takes the
		// first (+0200, 00:30Z). 03:30 is after the change (+0100, 02:30Z).
		{"2026-10-25T00:30Z", "2026-10-25T02:30Z", "SOC 2 evidence review"},
	})
	if want := (Skipped{AllDay: 1}); skipped != want {
		t.Errorf("skipped %+v, want %+v", skipped, want)
	}
}

// TestParseSkipsOutsideWindow: what is skipped is counted only when it
// would have overlapped the window, as meetings are.
func TestParseSkipsOutsideWindow(t *testing.T) {
	got, skipped := parseFile(t, "google.ics", Options{
		Self: "alice@example.com",
		From: utc(t, "2026-01-01T00:00Z"), To: utc(t, "2026-01-31T00:00Z"),
	})
	checkMeetings(t, got, []occurrence{{"2026-01-05T09:00Z", "2026-01-05T10:00Z", "Planning (before the window)"}})
	if skipped != (Skipped{}) {
		t.Errorf("skipped %+v, want none in January", skipped)
	}
}

// feed wraps events in a minimal VCALENDAR.
func feed(events ...string) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
	for i, e := range events {
		b.WriteString("BEGIN:VEVENT\r\nUID:e" + string(rune('a'+i)) + "\r\nDTSTAMP:20260101T000000Z\r\n")
		b.WriteString(strings.ReplaceAll(strings.TrimSpace(e), "\n", "\r\n") + "\r\n")
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

func TestParseRules(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		name    string
		feed    []byte
		opt     Options
		want    []occurrence
		skipped Skipped
	}{
		{
			name: "daily across the US DST change keeps 09:00 New York",
			feed: feed("SUMMARY:Standup\nDTSTART;TZID=America/New_York:20260306T090000\nDTEND;TZID=America/New_York:20260306T091500\nRRULE:FREQ=DAILY;COUNT=4"),
			want: []occurrence{
				{"2026-03-06T14:00Z", "2026-03-06T14:15Z", "Standup"},
				{"2026-03-07T14:00Z", "2026-03-07T14:15Z", "Standup"},
				{"2026-03-08T13:00Z", "2026-03-08T13:15Z", "Standup"},
				{"2026-03-09T13:00Z", "2026-03-09T13:15Z", "Standup"},
			},
		},
		{
			name: "a quoted TZID with a leading slash (Mozilla's old form)",
			feed: feed(`SUMMARY:Sync` + "\n" + `DTSTART;TZID="/Asia/Tokyo":20260310T100000` + "\n" + `DTEND;TZID="/Asia/Tokyo":20260310T110000`),
			want: []occurrence{{"2026-03-10T01:00Z", "2026-03-10T02:00Z", "Sync"}},
		},
		{
			name: "floating time without X-WR-TIMEZONE is in Options.Local",
			feed: feed("SUMMARY:Floating\nDTSTART:20260310T100000\nDTEND:20260310T110000"),
			opt:  Options{Local: ny},
			want: []occurrence{{"2026-03-10T14:00Z", "2026-03-10T15:00Z", "Floating"}},
		},
		{
			name:    "an all-day series is skipped once, not per day",
			feed:    feed("SUMMARY:On leave\nDTSTART;VALUE=DATE:20260309\nRRULE:FREQ=DAILY;COUNT=5"),
			skipped: Skipped{AllDay: 1},
		},
		{
			name:    "eight digits without VALUE=DATE are a date too",
			feed:    feed("SUMMARY:Holiday\nDTSTART:20260310\nDTEND:20260311"),
			skipped: Skipped{AllDay: 1},
		},
		{
			name:    "exactly a day is a meeting; a minute more is not",
			feed:    feed("SUMMARY:Game day\nDTSTART:20260310T000000Z\nDURATION:P1D", "SUMMARY:Hackathon\nDTSTART:20260311T000000Z\nDURATION:P1DT1M"),
			want:    []occurrence{{"2026-03-10T00:00Z", "2026-03-11T00:00Z", "Game day"}},
			skipped: Skipped{TooLong: 1},
		},
		{
			name:    "no DTEND and no DURATION has no length",
			feed:    feed("SUMMARY:Reminder\nDTSTART:20260310T090000Z"),
			skipped: Skipped{Invalid: 1},
		},
		{
			name:    "an unknown TZID without a VTIMEZONE",
			feed:    feed("SUMMARY:Lost\nDTSTART;TZID=Mars/Olympus:20260310T090000\nDTEND;TZID=Mars/Olympus:20260310T100000"),
			skipped: Skipped{Invalid: 1},
		},
		{
			name:    "FREQ=MINUTELY is refused",
			feed:    feed("SUMMARY:Spam\nDTSTART:20260310T090000Z\nDTEND:20260310T090100Z\nRRULE:FREQ=MINUTELY"),
			skipped: Skipped{Invalid: 1},
		},
		{
			name: "EXDATE in UTC removes the occurrence at that instant",
			feed: feed("SUMMARY:1:1\nDTSTART;TZID=Europe/Berlin:20260302T160000\nDTEND;TZID=Europe/Berlin:20260302T163000\nRRULE:FREQ=WEEKLY;COUNT=3\nEXDATE:20260309T150000Z"),
			want: []occurrence{
				{"2026-03-02T15:00Z", "2026-03-02T15:30Z", "1:1"},
				{"2026-03-16T15:00Z", "2026-03-16T15:30Z", "1:1"},
			},
		},
		{
			name: "UNTIL as a DATE includes that day",
			feed: feed("SUMMARY:Triage\nDTSTART:20260310T150000Z\nDTEND:20260310T153000Z\nRRULE:FREQ=DAILY;UNTIL=20260311"),
			want: []occurrence{
				{"2026-03-10T15:00Z", "2026-03-10T15:30Z", "Triage"},
				{"2026-03-11T15:00Z", "2026-03-11T15:30Z", "Triage"},
			},
		},
		{
			name: "an override whose series is not in the feed stands alone",
			feed: feed("SUMMARY:Moved\nRECURRENCE-ID:20260310T090000Z\nDTSTART:20260310T130000Z\nDTEND:20260310T140000Z"),
			want: []occurrence{{"2026-03-10T13:00Z", "2026-03-10T14:00Z", "Moved"}},
		},
		{
			name: "a meeting that started before the window overlaps it",
			feed: feed("SUMMARY:Late\nDTSTART:20260309T233000Z\nDTEND:20260310T003000Z"),
			want: []occurrence{{"2026-03-09T23:30Z", "2026-03-10T00:30Z", "Late"}},
		},
		{
			name: "an event ending at the window's start does not",
			feed: feed("SUMMARY:Done\nDTSTART:20260309T230000Z\nDTEND:20260310T000000Z"),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := c.opt
			opt.From, opt.To = utc(t, "2026-03-01T00:00Z"), utc(t, "2026-04-01T00:00Z")
			if strings.Contains(c.name, "window") {
				opt.From = utc(t, "2026-03-10T00:00Z")
			}
			got, skipped, err := Parse(c.feed, opt)
			if err != nil {
				t.Fatal(err)
			}
			checkMeetings(t, got, c.want)
			if skipped != c.skipped {
				t.Errorf("skipped %+v, want %+v", skipped, c.skipped)
			}
		})
	}
}

func TestParseNotICalendar(t *testing.T) {
	for _, in := range []string{"", "<html>sign in</html>", "BEGIN:VCALENDAR\r\nEND:VCARD\r\n"} {
		if _, _, err := Parse([]byte(in), Options{}); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT1H30M": 90 * time.Minute, "P1D": 24 * time.Hour, "P1W": 7 * 24 * time.Hour,
		"PT45M": 45 * time.Minute, "P1DT2H": 26 * time.Hour, "PT10S": 10 * time.Second, "-PT5M": -5 * time.Minute,
	} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P", "PT", "1H", "PT1H30", "P1Y"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q): no error", in)
		}
	}
}

func TestUTCOffset(t *testing.T) {
	for in, want := range map[string]time.Duration{"+0100": time.Hour, "-0500": -5 * time.Hour, "+0530": 5*time.Hour + 30*time.Minute, "+053000": 5*time.Hour + 30*time.Minute, "-0000": 0} {
		if got, err := utcOffset(prop(in)); err != nil || got != want {
			t.Errorf("utcOffset(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0100", "+01", "+2400", "+01a0"} {
		if _, err := utcOffset(prop(in)); err == nil {
			t.Errorf("utcOffset(%q): no error", in)
		}
	}
}

func prop(v string) *ics.IANAProperty {
	return &ics.IANAProperty{BaseProperty: ics.BaseProperty{Value: v}}
}
