package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/teambition/rrule-go"
)

// Meeting is one occurrence of an event that is a meeting of the person
// whose feed it came from.
type Meeting struct {
	UID       string // the event's UID; every occurrence of a series shares it
	Title     string // SUMMARY
	Organizer string // the ORGANIZER's address, lower case, without mailto:
	Start     time.Time
	End       time.Time
	Recurring bool // an occurrence of a series (RRULE, RDATE or RECURRENCE-ID)
}

// Skipped counts the events, or occurrences, of a feed that are not
// meetings, by reason.
type Skipped struct {
	AllDay    int // all-day events (DTSTART;VALUE=DATE)
	Cancelled int // STATUS:CANCELLED: a series, or one occurrence
	Declined  int // the person's own PARTSTAT=DECLINED
	TooLong   int // longer than MaxMeeting
	Invalid   int // unreadable dates, zones or rules, or no duration
}

// Options says whose feed it is and which part of it to expand.
type Options struct {
	// Self is the person's address, to find their own declined
	// invitations; "" finds none.
	Self string
	// From and To bound the occurrences returned: those that overlap
	// [From, To).
	From, To time.Time
	// Local is the zone of floating times (no TZID, no Z) when the feed
	// names none in X-WR-TIMEZONE; nil is UTC.
	Local *time.Location
}

// MaxMeeting is the longest event that counts as a meeting; a longer one
// (a conference, a holiday entered with times) is skipped.
const MaxMeeting = 24 * time.Hour

// maxOccurrences bounds the occurrences one event may have inside the
// window, so that a feed cannot make the exporter expand without end
// (FREQ=SECONDLY over a year is 31 million).
const maxOccurrences = 20000

// Parse reads an iCalendar (RFC 5545) feed and returns the occurrences of
// its meetings that overlap [opt.From, opt.To), in start order, and what it
// skipped. The text is read by github.com/arran4/golang-ical; recurrences
// are expanded by github.com/teambition/rrule-go. The rules, each pinned
// by a test in parse_test.go:
//
//   - An event's occurrences are its DTSTART and the dates of its RRULE and
//     RDATE, less its EXDATE (RFC 5545 §3.8.5).
//   - An event with a RECURRENCE-ID replaces the occurrence of its UID that
//     starts then, with its own time, title, status and attendees (§3.8.4.4);
//     an override whose series is not in the feed stands alone.
//   - Times are in the zone of their TZID: an IANA name, or else the feed's
//     VTIMEZONE of that name (Outlook's "W. Europe Standard Time"), whose
//     STANDARD and DAYLIGHT rules give the offset (§3.6.5). Recurrences
//     keep their wall-clock time across DST changes.
//   - All-day events (VALUE=DATE), STATUS:CANCELLED, the person's own
//     PARTSTAT=DECLINED, and events longer than MaxMeeting are not
//     meetings, and are counted in Skipped.
func Parse(feed []byte, opt Options) ([]Meeting, Skipped, error) {
	var skipped Skipped
	head := bytes.TrimLeft(bytes.TrimPrefix(feed, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(head) < 15 || !strings.EqualFold(string(head[:15]), "BEGIN:VCALENDAR") {
		return nil, skipped, errors.New("not an iCalendar feed: it does not begin with BEGIN:VCALENDAR")
	}
	cal, err := ics.ParseCalendarWithOptions(bytes.NewReader(feed), ics.WithUnknownPropertyHandler(ics.AcceptUnknownPropertyHandler))
	if err != nil {
		return nil, skipped, fmt.Errorf("not an iCalendar feed: %w", err)
	}
	p := &parser{opt: opt, zones: map[string]*zone{}, self: strings.ToLower(strings.TrimSpace(opt.Self)), skipped: &skipped}
	p.local = opt.Local
	if p.local == nil {
		p.local = time.UTC
	}
	for _, prop := range cal.CalendarProperties {
		if prop.IANAToken == "X-WR-TIMEZONE" {
			if loc, err := time.LoadLocation(strings.TrimSpace(prop.Value)); err == nil {
				p.local = loc
			}
		}
	}
	for _, tz := range cal.Timezones() {
		if id := tz.GetProperty(ics.ComponentPropertyTzid); id != nil {
			p.vzones = append(p.vzones, tz)
		}
	}

	// Group the events by UID: the series, and the overrides of its
	// occurrences.
	type group struct {
		master    *ics.VEvent
		overrides []*ics.VEvent
	}
	groups := map[string]*group{}
	var uids []string
	for _, ev := range cal.Events() {
		uid := ev.Id()
		g := groups[uid]
		if g == nil {
			g = &group{}
			groups[uid] = g
			uids = append(uids, uid)
		}
		if ev.GetProperty(ics.ComponentPropertyRecurrenceId) != nil {
			g.overrides = append(g.overrides, ev)
		} else if g.master == nil {
			g.master = ev
		}
	}

	var out []Meeting
	for _, uid := range uids {
		g := groups[uid]
		replaced := map[int64]bool{}
		for _, ov := range g.overrides {
			rid, err := p.time(ov.GetProperty(ics.ComponentPropertyRecurrenceId))
			if err != nil {
				skipped.Invalid++
				continue
			}
			replaced[rid.t.Unix()] = true
			m, why := p.instance(ov, uid)
			m.Recurring = true
			out = p.add(out, m, why, []time.Time{m.Start})
		}
		if g.master == nil {
			continue
		}
		m, why := p.instance(g.master, uid)
		if why == &skipped.Invalid {
			skipped.Invalid++
			continue
		}
		starts, recurring, err := p.occurrences(g.master)
		if err != nil {
			skipped.Invalid++
			continue
		}
		kept := starts[:0]
		for _, s := range starts {
			if !replaced[s.Unix()] {
				kept = append(kept, s)
			}
		}
		m.Recurring = recurring
		out = p.add(out, m, why, kept)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].UID < out[j].UID
	})
	return out, skipped, nil
}

type parser struct {
	opt     Options
	self    string
	skipped *Skipped
	local   *time.Location
	vzones  []*ics.VTimezone
	zones   map[string]*zone
}

// add appends the occurrences of m at starts that overlap [From, To).
// When the event is not a meeting (why names the count), it counts once
// if any of its occurrences overlaps the window, and adds nothing.
func (p *parser) add(out []Meeting, m Meeting, why *int, starts []time.Time) []Meeting {
	if why == &p.skipped.Invalid {
		p.skipped.Invalid++
		return out
	}
	length := m.End.Sub(m.Start)
	counted := false
	for _, s := range starts {
		e := s.Add(length)
		if !e.After(p.opt.From) || !s.Before(p.opt.To) {
			continue
		}
		if why != nil {
			if !counted {
				*why++
				counted = true
			}
			continue
		}
		o := m
		o.Start, o.End = s, e
		out = append(out, o)
	}
	return out
}

// instance reads what an event's occurrences share, its first occurrence
// in m.Start and m.End, and why it is not a meeting: a pointer to the
// count of p.skipped it belongs to (Invalid for one it cannot read), or
// nil for a meeting.
func (p *parser) instance(ev *ics.VEvent, uid string) (Meeting, *int) {
	s := p.skipped
	dtstart := ev.GetProperty(ics.ComponentPropertyDtStart)
	start, err := p.time(dtstart)
	if err != nil {
		return Meeting{}, &s.Invalid
	}
	allDay := isDate(dtstart)
	end, err := p.end(ev, start.t)
	if allDay && (err != nil || !end.After(start.t)) {
		end, err = start.t.Add(24*time.Hour), nil // §3.6.1: one day
	}
	if err != nil || !end.After(start.t) {
		return Meeting{}, &s.Invalid
	}
	m := Meeting{UID: uid, Start: start.t, End: end}
	if v := ev.GetProperty(ics.ComponentPropertySummary); v != nil {
		m.Title = strings.TrimSpace(v.Value)
	}
	if o := ev.GetProperty(ics.ComponentPropertyOrganizer); o != nil {
		m.Organizer = address(o.Value)
	}
	switch {
	case allDay:
		return m, &s.AllDay
	case isCancelled(ev):
		return m, &s.Cancelled
	case p.declined(ev):
		return m, &s.Declined
	case end.Sub(start.t) > MaxMeeting:
		return m, &s.TooLong
	}
	return m, nil
}

// isCancelled reports STATUS:CANCELLED (§3.8.1.11).
func isCancelled(ev *ics.VEvent) bool {
	st := ev.GetProperty(ics.ComponentPropertyStatus)
	return st != nil && strings.EqualFold(strings.TrimSpace(st.Value), "CANCELLED")
}

// declined reports whether the person's own attendee is PARTSTAT=DECLINED.
func (p *parser) declined(ev *ics.VEvent) bool {
	if p.self == "" {
		return false
	}
	for _, a := range ev.Attendees() {
		if address(a.Value) == p.self && strings.EqualFold(string(a.ParticipationStatus()), string(ics.ParticipationStatusDeclined)) {
			return true
		}
	}
	return false
}

// address is a CAL-ADDRESS without its mailto: scheme, in lower case.
func address(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	return strings.ToLower(v)
}

// end is the event's end: DTEND, or DTSTART + DURATION (§3.6.1). Without
// either a DATE-TIME event has no length.
func (p *parser) end(ev *ics.VEvent, start time.Time) (time.Time, error) {
	if e := ev.GetProperty(ics.ComponentPropertyDtEnd); e != nil {
		t, err := p.time(e)
		return t.t, err
	}
	if d := ev.GetProperty(ics.ComponentPropertyDuration); d != nil {
		dur, err := parseDuration(d.Value)
		if err != nil {
			return time.Time{}, err
		}
		return start.Add(dur), nil
	}
	return start, nil
}

var durationRE = regexp.MustCompile(`^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// parseDuration reads an RFC 5545 §3.3.6 duration, such as PT1H30M.
func parseDuration(v string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil || v == "P" || strings.HasSuffix(v, "T") {
		return 0, fmt.Errorf("bad duration %q", v)
	}
	var d time.Duration
	for i, unit := range []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second} {
		if s := m[i+2]; s != "" {
			var n int64
			if _, err := fmt.Sscan(s, &n); err != nil || n > 1e6 {
				return 0, fmt.Errorf("bad duration %q", v)
			}
			d += time.Duration(n) * unit
		}
	}
	if m[1] == "-" {
		d = -d
	}
	return d, nil
}

// isDate reports whether a date property holds a DATE, not a DATE-TIME:
// VALUE=DATE, or eight digits.
func isDate(prop *ics.IANAProperty) bool {
	if v, ok := prop.ICalParameters["VALUE"]; ok && len(v) > 0 && strings.EqualFold(v[0], "DATE") {
		return true
	}
	return len(strings.TrimSpace(prop.Value)) == 8
}

// stamp is a time as written, and the zone that gives it an instant.
type stamp struct {
	t    time.Time // the instant
	wall time.Time // the wall-clock time, written as UTC
	zone timeZone  // how wall times of this property become instants
}

// timeZone turns wall-clock times (held as UTC) into instants and back.
type timeZone interface {
	instant(wall time.Time) time.Time
	wall(t time.Time) time.Time
}

// utcZone is the zone of a time written with Z.
type utcZone struct{}

func (utcZone) instant(w time.Time) time.Time { return w }
func (utcZone) wall(t time.Time) time.Time    { return t.UTC() }

// goZone is an IANA zone from the time-zone database.
type goZone struct{ loc *time.Location }

func (z goZone) instant(w time.Time) time.Time {
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, z.loc).UTC()
}

func (z goZone) wall(t time.Time) time.Time {
	l := t.In(z.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

var (
	errZone = errors.New("unknown time zone")
	errTime = errors.New("bad date-time")
)

// time reads a DATE-TIME (or DATE) property in its zone.
func (p *parser) time(prop *ics.IANAProperty) (stamp, error) {
	if prop == nil {
		return stamp{}, errTime
	}
	v := strings.TrimSpace(prop.Value)
	if i := strings.IndexByte(v, ','); i >= 0 { // a list: the first
		v = v[:i]
	}
	return p.timeValue(v, prop.ICalParameters["TZID"])
}

// timeValue reads one DATE-TIME or DATE value with its TZID parameter.
func (p *parser) timeValue(v string, tzid []string) (stamp, error) {
	var z timeZone
	utc := strings.HasSuffix(v, "Z")
	v = strings.TrimSuffix(v, "Z")
	var wall time.Time
	var err error
	switch len(v) {
	case 15:
		wall, err = time.Parse("20060102T150405", v)
	case 8:
		wall, err = time.Parse("20060102", v)
	default:
		err = errTime
	}
	if err != nil {
		return stamp{}, errTime
	}
	switch {
	case utc:
		z = utcZone{}
	case len(tzid) > 0 && tzid[0] != "":
		z, err = p.zone(tzid[0])
		if err != nil {
			return stamp{}, err
		}
	default:
		z = goZone{p.local}
	}
	return stamp{t: z.instant(wall), wall: wall, zone: z}, nil
}

// zone resolves a TZID: an IANA name, else the feed's VTIMEZONE.
func (p *parser) zone(id string) (timeZone, error) {
	id = strings.Trim(strings.TrimSpace(id), `"`)
	if z, ok := p.zones[id]; ok {
		if z == nil {
			return nil, errZone
		}
		return z, nil
	}
	if loc, err := time.LoadLocation(strings.TrimPrefix(id, "/")); err == nil && id != "" && id != "Local" {
		z := &zone{loc: loc}
		p.zones[id] = z
		return z, nil
	}
	for _, vt := range p.vzones {
		if tzid := vt.GetProperty(ics.ComponentPropertyTzid); tzid != nil && strings.TrimSpace(tzid.Value) == id {
			z, err := newVZone(vt, p.opt.From, p.opt.To)
			if err == nil {
				p.zones[id] = z
				return z, nil
			}
		}
	}
	p.zones[id] = nil
	return nil, errZone
}

// occurrences are the starts of a series' occurrences that may overlap the
// window, and whether it is a series at all.
func (p *parser) occurrences(ev *ics.VEvent) ([]time.Time, bool, error) {
	start, err := p.time(ev.GetProperty(ics.ComponentPropertyDtStart))
	if err != nil {
		return nil, false, err
	}
	rrules := ev.GetProperties(ics.ComponentPropertyRrule)
	rdates := ev.GetProperties(ics.ComponentPropertyRdate)
	if len(rrules) == 0 && len(rdates) == 0 {
		return []time.Time{start.t}, false, nil
	}
	// Expand in wall-clock time, held as UTC, so that a 09:00 meeting is
	// at 09:00 on both sides of a DST change; then give each its instant.
	set := &rrule.Set{}
	set.DTStart(start.wall)
	// RFC 5545 §3.8.5.3: an RRULE "SHOULD NOT occur more than once"; the
	// first is read.
	if len(rrules) > 0 {
		rule, err := p.rule(rrules[0].Value, start)
		if err != nil {
			return nil, false, err
		}
		set.RRule(rule)
	}
	if err := p.dates(rdates, start, set.RDate); err != nil {
		return nil, false, err
	}
	set.RDate(start.wall) // DTSTART is the first occurrence (§3.8.5.3)
	if err := p.dates(ev.GetProperties(ics.ComponentPropertyExdate), start, set.ExDate); err != nil {
		return nil, false, err
	}
	// Wall times of the window, a day wider each side for the zones'
	// offsets, less the longest meeting for those that started before.
	from := start.zone.wall(p.opt.From).Add(-MaxMeeting - 26*time.Hour)
	to := start.zone.wall(p.opt.To).Add(26 * time.Hour)
	var out []time.Time
	next := set.Iterator()
	for {
		w, ok := next()
		if !ok || w.After(to) {
			break
		}
		if w.Before(from) {
			continue
		}
		if len(out) == maxOccurrences {
			return nil, true, fmt.Errorf("more than %d occurrences in the window", maxOccurrences)
		}
		out = append(out, start.zone.instant(w))
	}
	return out, true, nil
}

// rule reads an RRULE whose DTSTART is start. UNTIL, in UTC when DTSTART
// has a zone (§3.3.10), becomes the wall time of DTSTART's zone.
func (p *parser) rule(v string, start stamp) (*rrule.RRule, error) {
	opt, err := rrule.StrToROptionInLocation(v, time.UTC)
	if err != nil {
		return nil, err
	}
	switch opt.Freq {
	case rrule.SECONDLY, rrule.MINUTELY:
		return nil, fmt.Errorf("FREQ=%v is not a meeting's", opt.Freq)
	}
	if !opt.Until.IsZero() {
		if u := untilValue(v); strings.HasSuffix(u, "Z") {
			opt.Until = start.zone.wall(opt.Until)
		} else if len(u) == 8 { // a DATE: the whole day
			opt.Until = opt.Until.Add(24*time.Hour - time.Second)
		}
	}
	opt.Dtstart = start.wall
	return rrule.NewRRule(*opt)
}

// untilValue is the UNTIL part of an RRULE, as written.
func untilValue(rule string) string {
	for _, part := range strings.Split(strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:"), ";") {
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(k, "UNTIL") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// dates adds each date of RDATE or EXDATE properties, in the wall time of
// the series' zone.
func (p *parser) dates(props []*ics.IANAProperty, start stamp, add func(time.Time)) error {
	for _, prop := range props {
		for _, v := range strings.Split(prop.Value, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if i := strings.IndexByte(v, '/'); i >= 0 { // a PERIOD: its start
				v = v[:i]
			}
			s, err := p.timeValue(v, prop.ICalParameters["TZID"])
			if err != nil {
				return err
			}
			if len(strings.TrimSuffix(v, "Z")) == 8 { // a DATE: at DTSTART's time of day
				s.wall = s.wall.Add(time.Duration(start.wall.Hour())*time.Hour + time.Duration(start.wall.Minute())*time.Minute + time.Duration(start.wall.Second())*time.Second)
				add(s.wall)
				continue
			}
			add(start.zone.wall(s.t))
		}
	}
	return nil
}
