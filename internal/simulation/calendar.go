package simulation

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// CalendarPrefix is where the people's iCalendar feeds are served:
// CalendarPrefix + token + "/basic.ics". The token, "<person>/private-<hex>", is the credential, as
// in Google Calendar's "secret address in iCal format", which has the
// shape https://calendar.google.com/calendar/ical/<calendar id>/private-<hex>/basic.ics
// (quoted in 13Bytes/eInkCalendar#3 and derekantrican/GAS-ICS-Sync#458).
const CalendarPrefix = "/calendar/"

// Calendar is one person's published calendar.
type Calendar struct {
	Person string // the person's name in the config
	Token  string // the secret part of the feed's address
	Name   string // X-WR-CALNAME
	Zone   string // X-WR-TIMEZONE, an IANA name
	// Modified is the feed's Last-Modified; zero serves none.
	Modified time.Time
	// NoValidators serves neither ETag nor Last-Modified, as some
	// servers' iCalendar exports do (indico/indico#4784: "returns neither
	// ETag nor Last-Modified header").
	NoValidators bool
	Events       []*CalEvent
}

// CalEvent is one VEVENT: a single event, a series, or an override of
// one occurrence of a series (RecurrenceID set, same UID).
type CalEvent struct {
	UID       string
	Summary   string
	Organizer string // e-mail address
	// Attendees are e-mail addresses; Declined are those of them whose
	// PARTSTAT is DECLINED (the others ACCEPTED).
	Attendees []string
	Declined  []string
	// Zone is the TZID of the event's times (an IANA name), or "" for
	// UTC. Start is the wall-clock time in that zone.
	Zone   string
	Start  time.Time
	Length time.Duration
	AllDay bool
	// RRule is the RRULE's value, "" for none; ExDates and RDates are
	// wall-clock times in Zone.
	RRule        string
	ExDates      []time.Time
	RDates       []time.Time
	RecurrenceID time.Time
	Cancelled    bool
}

// serveCalendar answers GET CalendarPrefix + token + "/basic.ics". An
// unknown token is a 404, as with a Google Calendar secret address that
// was reset (Assumption: the closest evidence is derekantrican/GAS-ICS-Sync#458
// and anufrievroman/calcure#111, whose users report 404 answers to
// feed URLs that stopped working). A 200 is text/calendar (RFC 5545 §8.1);
// it carries an ETag and a Last-Modified, and a matching If-None-Match,
// or else an If-Modified-Since at or after Last-Modified, gets a 304
// (RFC 9110 §13.1.2 and §13.1.3, where If-None-Match takes precedence).
// Assumption: that the products send these validators; servers that do
// not are modelled by NoValidators.
func (s *Server) serveCalendar(w http.ResponseWriter, r *http.Request, p string) {
	i := strings.LastIndexByte(p, '/')
	token, file := strings.TrimPrefix(p[:max(i, 0)], "/"), p[i+1:]
	var cal *Calendar
	for _, c := range s.ds.Calendars {
		if c.Token == token {
			cal = c
		}
	}
	if cal == nil || file != "basic.ics" || r.Method != http.MethodGet {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	body := cal.Feed()
	if !cal.NoValidators {
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:12]) + `"`
		w.Header().Set("ETag", etag)
		if !cal.Modified.IsZero() {
			w.Header().Set("Last-Modified", cal.Modified.UTC().Format(http.TimeFormat))
		}
		inm := r.Header.Get("If-None-Match")
		ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
		if inm == etag || inm == "" && err == nil && !cal.Modified.IsZero() && !cal.Modified.Truncate(time.Second).After(ims) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "text/calendar; charset=UTF-8")
	_, _ = w.Write(body)
}

// Feed is the calendar's iCalendar text, as served.
func (c *Calendar) Feed() []byte { return []byte(c.serialize()) }

// serialize writes the calendar as Google Calendar's export does: its
// PRODID, X-WR-CALNAME and X-WR-TIMEZONE, UTC times for single events and
// TZID times for series (golang-ical testdata/issue97/google.ics, exported
// from Google Calendar), through golang-ical's writer.
func (c *Calendar) serialize() string {
	cal := ics.NewCalendar()
	cal.SetProductId("-//Google Inc//Google Calendar 70.9054//EN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	cal.SetXWRCalName(c.Name)
	cal.SetXWRTimezone(c.Zone)
	stamp := c.Modified.UTC().Format("20060102T150405Z")
	for _, e := range c.Events {
		ev := cal.AddEvent(e.UID)
		ev.SetProperty(ics.ComponentPropertyDtstamp, stamp)
		if e.AllDay {
			ev.SetProperty(ics.ComponentPropertyDtStart, e.Start.Format("20060102"), ics.WithValue("DATE"))
			ev.SetProperty(ics.ComponentPropertyDtEnd, e.Start.Add(e.Length).Format("20060102"), ics.WithValue("DATE"))
		} else {
			e.setTime(ev, ics.ComponentPropertyDtStart, e.Start)
			e.setTime(ev, ics.ComponentPropertyDtEnd, e.Start.Add(e.Length))
		}
		if e.RRule != "" {
			ev.AddRrule(e.RRule)
		}
		for _, d := range e.ExDates {
			e.setTime(ev, ics.ComponentPropertyExdate, d)
		}
		for _, d := range e.RDates {
			e.setTime(ev, ics.ComponentPropertyRdate, d)
		}
		if !e.RecurrenceID.IsZero() {
			e.setTime(ev, ics.ComponentPropertyRecurrenceId, e.RecurrenceID)
		}
		if e.Organizer != "" {
			ev.SetOrganizer("mailto:"+e.Organizer, ics.WithCN(e.Organizer))
		}
		declined := map[string]bool{}
		for _, a := range e.Declined {
			declined[a] = true
		}
		for _, a := range e.Attendees {
			status := ics.ParticipationStatusAccepted
			if declined[a] {
				status = ics.ParticipationStatusDeclined
			}
			ev.AddAttendee("mailto:"+a, ics.CalendarUserTypeIndividual, ics.ParticipationRoleReqParticipant, status, ics.WithCN(a))
		}
		status := ics.ObjectStatusConfirmed
		if e.Cancelled {
			status = ics.ObjectStatusCancelled
		}
		ev.SetStatus(status)
		ev.SetSummary(e.Summary)
		ev.SetProperty(ics.ComponentPropertyTransp, "OPAQUE")
	}
	return cal.Serialize()
}

// setTime writes a time property in the event's zone: TZID and the wall
// time, or UTC with Z.
func (e *CalEvent) setTime(ev *ics.VEvent, prop ics.ComponentProperty, t time.Time) {
	if e.Zone == "" {
		ev.AddProperty(prop, t.UTC().Format("20060102T150405Z"))
		return
	}
	ev.AddProperty(prop, t.Format("20060102T150405"), ics.WithTZID(e.Zone))
}

// sortEvents orders a calendar's events by UID, then series before their
// overrides, then start: the feed's bytes, and so its ETag, depend only
// on its content.
func (c *Calendar) sortEvents() {
	sort.SliceStable(c.Events, func(i, j int) bool {
		a, b := c.Events[i], c.Events[j]
		if a.UID != b.UID {
			return a.UID < b.UID
		}
		if a.RecurrenceID.IsZero() != b.RecurrenceID.IsZero() {
			return a.RecurrenceID.IsZero()
		}
		return a.Start.Before(b.Start)
	})
}
