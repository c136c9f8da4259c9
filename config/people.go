package config

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// identities maps account identities to indexes in Config.People.
type identities struct {
	github    map[string]int // lower-case login
	pagerduty map[string]int // user ID
	emails    map[string]int // lower-case e-mail address
}

func newIdentities() identities {
	return identities{github: map[string]int{}, pagerduty: map[string]int{}, emails: map[string]int{}}
}

func (ids identities) addGitHub(p, login string, person int, errs *Errors) {
	k := strings.ToLower(strings.TrimSpace(login))
	if k == "" {
		errs.add(p, "must not be empty")
		return
	}
	if _, dup := ids.github[k]; dup {
		errs.add(p, "GitHub login %q is given more than once", login)
		return
	}
	ids.github[k] = person
}

func (ids identities) addPagerDuty(p, v string, person int, errs *Errors) {
	v = strings.TrimSpace(v)
	if v == "" {
		errs.add(p, "must not be empty")
		return
	}
	m, k := ids.pagerduty, v
	if strings.Contains(v, "@") {
		m, k = ids.emails, strings.ToLower(v)
	}
	if _, dup := m[k]; dup {
		errs.add(p, "PagerDuty user %q is given more than once", v)
		return
	}
	m[k] = person
}

// GitHubPerson returns the index in People of the person with this GitHub
// login, or -1.
func (c *Config) GitHubPerson(login string) int {
	if i, ok := c.people.github[strings.ToLower(login)]; ok {
		return i
	}
	return -1
}

// PagerDutyUserPerson returns the index in People of the person given by
// this PagerDuty user ID, or -1.
func (c *Config) PagerDutyUserPerson(userID string) int {
	if i, ok := c.people.pagerduty[userID]; ok {
		return i
	}
	return -1
}

// PagerDutyEmailPerson returns the index in People of the person given by
// this e-mail address, or -1.
func (c *Config) PagerDutyEmailPerson(email string) int {
	if i, ok := c.people.emails[strings.ToLower(email)]; ok {
		return i
	}
	return -1
}

// PagerDutyEmails lists the lower-case e-mail addresses by which people are
// given, for the collector to resolve through the users API.
func (c *Config) PagerDutyEmails() []string {
	out := make([]string, 0, len(c.people.emails))
	for e := range c.people.emails {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// PagerDutyUserIDs lists the PagerDuty user IDs by which people are
// given, sorted.
func (c *Config) PagerDutyUserIDs() []string {
	out := make([]string, 0, len(c.people.pagerduty))
	for id := range c.people.pagerduty {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// date is a calendar date without a zone; the zero value is no date.
type date struct {
	year  int
	month time.Month
	day   int
}

func parseDate(s string) (date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return date{}, err
	}
	return date{t.Year(), t.Month(), t.Day()}, nil
}

func (d date) isZero() bool { return d == date{} }

func (d date) before(e date) bool {
	return d.year < e.year || d.year == e.year && (d.month < e.month || d.month == e.month && d.day < e.day)
}

// start is 00:00 of the date in loc.
func (d date) start(loc *time.Location) time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, loc)
}

func (pe *Person) validateSpan(p string, errs *Errors) {
	parse := func(key, v string) date {
		if v == "" {
			return date{}
		}
		d, err := parseDate(v)
		if err != nil {
			errs.add(p+"."+key, "%q is not a date (YYYY-MM-DD)", v)
			return date{}
		}
		return d
	}
	pe.joined, pe.left = parse("joined", pe.Joined), parse("left", pe.Left)
	if !pe.joined.isZero() && !pe.left.isZero() && pe.left.before(pe.joined) {
		errs.add(p+".left", "%s is before joined (%s)", pe.Left, pe.Joined)
	}
}

// InTeam is the span in which the person is in the team, as Unix seconds,
// from <= t < to: from 00:00 on Joined up to 00:00 on the day after Left,
// both in the person's time zone, so that Left is their last day. An
// unset bound is math.MinInt64 or math.MaxInt64.
func (pe *Person) InTeam() (from, to int64) {
	from, to = math.MinInt64, math.MaxInt64
	loc := pe.Location()
	if loc == nil {
		loc = time.UTC
	}
	if !pe.joined.isZero() {
		from = pe.joined.start(loc).Unix()
	}
	if !pe.left.isZero() {
		to = time.Date(pe.left.year, pe.left.month, pe.left.day+1, 0, 0, 0, 0, loc).Unix()
	}
	return from, to
}

// SetJoined sets the person's first day in the team, as Joined in the
// config would. The demo uses it: its new member's first day moves with
// the clock.
func (pe *Person) SetJoined(d time.Time) {
	pe.Joined = d.Format(time.DateOnly)
	pe.joined = date{d.Year(), d.Month(), d.Day()}
}

// WorkingHours are a person's own working week: each of Days from Start up
// to (not including) End, in the person's time zone. End at or before
// Start means the working day ends on the next calendar day (a night
// shift, 22:00 to 06:00).
type WorkingHours struct {
	Days  []string `yaml:"days"`
	Start string   `yaml:"start"`
	End   string   `yaml:"end"`

	days       [7]bool // by time.Weekday
	start, end int     // seconds since local midnight
}

// DefaultWorkingDays are the days of working_hours when it gives none.
var DefaultWorkingDays = []string{"mon", "tue", "wed", "thu", "fri"}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (w *WorkingHours) validate(p string, errs *Errors) {
	if len(w.Days) == 0 {
		w.Days = slices.Clone(DefaultWorkingDays)
	}
	w.days = [7]bool{}
	for i, d := range w.Days {
		wd, ok := weekdays[strings.ToLower(d)]
		switch {
		case !ok:
			errs.add(index(p+".days", i), "%q is not a day: want one of mon, tue, wed, thu, fri, sat, sun", d)
		case w.days[wd]:
			errs.add(index(p+".days", i), "day %q is given more than once", d)
		default:
			w.days[wd] = true
		}
	}
	var okStart, okEnd bool
	w.start, okStart = clockTime(p+".start", w.Start, errs)
	w.end, okEnd = clockTime(p+".end", w.End, errs)
	if okStart && okEnd && w.start == w.end {
		errs.add(p+".end", "must differ from start (%s)", w.Start)
	}
}

// clockTime parses "HH:MM", 00:00 to 23:59, into seconds since midnight.
func clockTime(p, v string, errs *Errors) (int, bool) {
	if v == "" {
		errs.add(p, "is required (HH:MM)")
		return 0, false
	}
	t, err := time.Parse("15:04", v)
	if err != nil || len(v) != 5 {
		errs.add(p, "%q is not a time of day (HH:MM, 00:00 to 23:59)", v)
		return 0, false
	}
	return t.Hour()*3600 + t.Minute()*60, true
}

// Bounds are the start and end of the working day, in seconds since local
// midnight; end is at or before start when the day crosses midnight.
func (w *WorkingHours) Bounds() (start, end int) { return w.start, w.end }

// Contains reports whether a local time, given as its weekday and seconds
// since local midnight, is within the working hours. A working day that
// crosses midnight belongs to the day it starts on.
func (w *WorkingHours) Contains(wd time.Weekday, secs int) bool {
	if w.start < w.end {
		return w.days[wd] && secs >= w.start && secs < w.end
	}
	// Crosses midnight: the evening of a working day, or the morning
	// after one.
	return w.days[wd] && secs >= w.start || w.days[(wd+6)%7] && secs < w.end
}
