package analysis

import (
	"cmp"
	"slices"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// The definitions of meeting time and uninterrupted time (issue 16, the
// calendar source). They are pure functions over spans, pinned by the
// hand-computed tests in meetings_test.go; the calendar source feeds them.

// meeting is one meeting of a person: its span and its domain's index.
type meeting struct {
	span
	domain int32
}

// meetingSeconds is, by domain index, the person's meeting time within
// [start, end): the union of their meetings, so that overlapping meetings
// count once, each instant going to the domain of the meeting that began
// first among those covering it (a tie: the domain first in the config).
// The domains' times add up to the union.
func meetingSeconds(meetings []meeting, start, end int64, domains int) []int64 {
	out := make([]int64, domains)
	ms := slices.Clone(meetings)
	slices.SortFunc(ms, func(a, b meeting) int { return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.domain, b.domain)) })
	covered := start // everything before it is counted
	for _, m := range ms {
		from, to := max(m.from, covered), min(m.to, end)
		if from < to {
			out[m.domain] += to - from
			covered = to
		}
	}
	return out
}

// workingSpans are the person's working hours that overlap [start, end),
// clipped to it: each of their working_hours days from start up to end
// (a day that ends at or before it starts ends the next day), or, without
// working_hours, PagerDuty's business hours, Monday to Friday 08:00 up to
// 18:00, all in the person's time zone, so that a DST day has its real
// length.
func workingSpans(p *config.Person, start, end int64) []span {
	loc := p.Location()
	if loc == nil {
		loc = time.UTC
	}
	days := [7]bool{false, true, true, true, true, true, false}
	from, to := 8*3600, 18*3600
	if w := p.WorkingHours; w != nil {
		from, to = w.Bounds()
		for d := range days {
			days[d] = w.Contains(time.Weekday(d), from) // the day's start is within it when it is a working day
		}
	}
	var out []span
	first := time.Unix(start, 0).In(loc)
	day := time.Date(first.Year(), first.Month(), first.Day()-1, 0, 0, 0, 0, loc) // the day before: a night shift reaches in
	for ; day.Unix() < end; day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		if !days[day.Weekday()] {
			continue
		}
		a := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, from, 0, loc)
		b := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, to, 0, loc)
		if to <= from {
			b = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, to, 0, loc)
		}
		if lo, hi := max(a.Unix(), start), min(b.Unix(), end); lo < hi {
			out = append(out, span{lo, hi})
		}
	}
	return out
}

// uninterruptedSeconds is the person's uninterrupted time within
// [start, end): within their working hours (workingSpans), the total
// length of the gaps of at least minGap with no meeting and no page. A
// meeting removes its span; a page, an instant, splits the gap it falls
// in. A gap ends where working hours do.
func uninterruptedSeconds(p *config.Person, meetings []span, pages []int64, start, end, minGap int64) int64 {
	busy := slices.Clone(meetings)
	slices.SortFunc(busy, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	cuts := slices.Clone(pages)
	slices.Sort(cuts)
	var total int64
	for _, w := range workingSpans(p, start, end) {
		// Walk the working span, from one obstacle to the next.
		gapFrom := w.from
		closeGap := func(at int64) {
			if at-gapFrom >= minGap {
				total += at - gapFrom
			}
		}
		for _, m := range busy {
			if m.to <= gapFrom || m.from >= w.to {
				continue
			}
			for _, c := range cuts {
				if c > gapFrom && c < min(m.from, w.to) {
					closeGap(c)
					gapFrom = c
				}
			}
			closeGap(max(gapFrom, m.from))
			gapFrom = max(gapFrom, m.to)
		}
		for _, c := range cuts {
			if c > gapFrom && c < w.to {
				closeGap(c)
				gapFrom = c
			}
		}
		if gapFrom < w.to {
			closeGap(w.to)
		}
	}
	return total
}

// RecurringMeeting is one recurring meeting of the people's calendars,
// described as an inventory duty would be (config.Duty): the talk's first
// step, listing the team's duties, from data.
type RecurringMeeting struct {
	Name   string // the title most of its occurrences have
	Domain string
	// Owners are the people whose calendars hold it, in config order.
	Owners []string
	// HoursPerWeek is the people's time in it per week: every owner's
	// occurrences within the window, clipped to it, over the window's
	// length in weeks. An inventory duty's hours are for all its owners
	// together, so this is its hours with every: 1w.
	HoursPerWeek float64
	// Occurrences counts the occurrences within the window, in all the
	// owners' calendars.
	Occurrences int
}

// Recurring are the calendar's recurring meetings within its window, as
// inventory suggestions (RecurringMeetings); none without a calendar. It
// is computed when asked (classify --recurring), not at every analysis.
func (r *Result) Recurring(cfg *config.Config) []RecurringMeeting {
	if !r.HasCalendar {
		return nil
	}
	return RecurringMeetings(cfg, r.Classified, r.calendarWindow.start, r.calendarWindow.end)
}

// RecurringMeetings is the definition of the calendar's inventory
// suggestions. A recurring meeting is the occurrences of recurring events
// (an RRULE, RDATE or RECURRENCE-ID) that share a UID, in the calendars of
// the configured people, within the window [start, end]. Its domain is the
// domain that most of its meeting time has (ties: the first in the
// config's domains, then unclassified); its name, the title that most of
// its occurrences have (ties: the first in byte order). They are sorted by
// hours per week, the most first, then by name.
func RecurringMeetings(cfg *config.Config, classified []ClassifiedItem, start, end int64) []RecurringMeeting {
	type series struct {
		titles  map[string]int
		domains map[string]int64
		owners  map[string]bool
		seconds int64
		n       int
	}
	byUID := map[string]*series{}
	var order []string
	for _, c := range classified {
		it := c.Item
		if it.Source != model.SourceCalendar || !it.Recurring {
			continue
		}
		person, uid := model.MeetingSeries(it.Key)
		from, to := max(it.CreatedAt, start), min(it.EndsAt, end)
		if to <= from || personIndex(cfg, person) < 0 {
			continue
		}
		s := byUID[uid]
		if s == nil {
			s = &series{titles: map[string]int{}, domains: map[string]int64{}, owners: map[string]bool{}}
			byUID[uid] = s
			order = append(order, uid)
		}
		s.titles[it.Title]++
		s.domains[c.Domain] += to - from
		s.owners[person] = true
		s.seconds += to - from
		s.n++
	}
	weeks := float64(end-start) / (7 * 24 * 3600)
	out := make([]RecurringMeeting, 0, len(order))
	for _, uid := range order {
		s := byUID[uid]
		m := RecurringMeeting{HoursPerWeek: float64(s.seconds) / 3600 / weeks, Occurrences: s.n}
		for title, n := range s.titles {
			if n > s.titles[m.Name] || n == s.titles[m.Name] && (m.Name == "" || title < m.Name) {
				m.Name = title
			}
		}
		best := int64(-1)
		for d := range len(cfg.Domains) + 1 {
			if t, ok := s.domains[domainName(cfg, d)]; ok && t > best {
				m.Domain, best = domainName(cfg, d), t
			}
		}
		for _, p := range cfg.People {
			if s.owners[p.Name] {
				m.Owners = append(m.Owners, p.Name)
			}
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b RecurringMeeting) int {
		return cmp.Or(cmp.Compare(b.HoursPerWeek, a.HoursPerWeek), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// MeetingShare is the definition of the share of a proposed team's work
// that is meetings: of the team's activities (every person's, in the
// team's domains), the share that are meetings. Meetings count as one
// activity each, as everywhere else, so this is a share of the counted
// work, not of hours. It is 0 for a team without activities.
func (r *Result) MeetingShare(domains []string) float64 {
	var all, meetings int
	for k, n := range r.PersonActivities {
		if !slices.Contains(domains, k.Domain) {
			continue
		}
		all += n
		if k.Source == model.SourceCalendar {
			meetings += n
		}
	}
	if all == 0 {
		return 0
	}
	return float64(meetings) / float64(all)
}
