package analysis

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// RotationMinimum is the minimum number of people in a rotation across
// sites sites: split.rotation_minimum_single_site (the SRE book's 8) for
// one, split.rotation_minimum_per_site (the book's 6) per site for more;
// 0 for none.
func RotationMinimum(cfg *config.Config, sites int) int {
	switch {
	case sites <= 0:
		return 0
	case sites == 1:
		return cfg.Split.RotationSingleSite
	}
	return cfg.Split.RotationPerSite * sites
}

// OnCallStats are one person's on-call measures within the window.
type OnCallStats struct {
	// Seconds is the person's on-call time by period, every period
	// present: the union of their on-call entries within the window and
	// their span in the team, each second placed in its period as
	// interruptions are.
	Seconds map[string]int64
	// Total is the sum of Seconds.
	Total int64
	// Ratio is Total over the window's length.
	Ratio float64
	// Shifts counts the maximal spans of that union: entries that
	// overlap or touch are one shift, and a shift that the window cuts
	// counts once.
	Shifts int
	// Pages counts the person's interruptions (deduplicated
	// notifications, as in Interruptions) within the union.
	Pages int
}

// PagesPerShift is Pages over Shifts; 0 without shifts.
func (s *OnCallStats) PagesPerShift() float64 { return perShift(s.Pages, s.Shifts) }

// Rotation is the team's on-call rotation within the window.
type Rotation struct {
	// People are the configured people with on-call time, in config
	// order.
	People []string
	// Sites counts the distinct UTC offsets of People's time zones at
	// the window's end: people an ocean apart are on different sites,
	// neighbours in one offset on one.
	Sites int
	// Minimum is RotationMinimum(Sites).
	Minimum int
	// Shifts and Pages are the people's, summed.
	Shifts, Pages int
}

// PagesPerShift is the rotation's pages over its shifts; 0 without
// shifts.
func (r *Rotation) PagesPerShift() float64 { return perShift(r.Pages, r.Shifts) }

func perShift(pages, shifts int) float64 {
	if shifts == 0 {
		return 0
	}
	return float64(pages) / float64(shifts)
}

// span is a half-open span of Unix seconds, from <= t < to.
type span struct{ from, to int64 }

// onCallUnions is, for each configured person, the union of their
// on-call entries in the PagerDuty snapshot s, sorted and merged: each
// entry from its start (a null start is the window's) to its end (a
// null end is the window's), within [start, end] and the person's span
// in the team. With pagerduty.oncall_escalation_policies, only the
// entries of those policies (by ID or name) count.
func onCallUnions(s *model.Snapshot, cfg *config.Config, people *personResolver, spans [][2]int64, start, end int64) [][]span {
	out := make([][]span, len(cfg.People))
	var policies []string
	if cfg.PagerDuty != nil {
		policies = cfg.PagerDuty.OnCallEscalationPolicies
	}
	for i := range s.OnCalls {
		e := &s.OnCalls[i]
		p := people.person(e.User)
		if p < 0 || len(policies) > 0 && !matchesRef(policies, e.EscalationPolicy) {
			continue
		}
		from, to := int64(math.MinInt64), int64(math.MaxInt64)
		if e.Start != 0 {
			from = e.Start
		}
		if e.End != 0 {
			to = e.End
		}
		from, to = max(from, start, spans[p][0]), min(to, end, spans[p][1])
		if from < to {
			out[p] = append(out[p], span{from, to})
		}
	}
	for p, list := range out {
		slices.SortFunc(list, func(a, b span) int { return cmp.Compare(a.from, b.from) })
		merged := list[:0]
		for _, sp := range list {
			if n := len(merged); n > 0 && sp.from <= merged[n-1].to {
				merged[n-1].to = max(merged[n-1].to, sp.to)
				continue
			}
			merged = append(merged, sp)
		}
		out[p] = merged
	}
	return out
}

// matchesRef reports whether a reference is one of want, by ID or by
// name, ignoring case, as rules match escalation policies.
func matchesRef(want []string, r model.Ref) bool {
	for _, w := range want {
		if r.ID != "" && strings.EqualFold(w, r.ID) || r.Name != "" && strings.EqualFold(w, r.Name) {
			return true
		}
	}
	return false
}

// onCallAt reports whether t is within a sorted, merged union.
func onCallAt(union []span, t int64) bool {
	i, _ := slices.BinarySearchFunc(union, t, func(sp span, t int64) int { return cmp.Compare(sp.to-1, t) })
	return i < len(union) && union[i].from <= t
}

// onCallTime turns the unions and the pages within them into each
// person's OnCallStats and the Rotation. windowSeconds is the window's
// length; end is its end, for the people's UTC offsets.
func (r *Result) onCallTime(cfg *config.Config, unions [][]span, pages []int, windowSeconds, end int64) {
	offsets := map[int]bool{}
	for pi := range cfg.People {
		p := &cfg.People[pi]
		clock := localClock{loc: p.Location(), hours: p.WorkingHours}
		st := &OnCallStats{Seconds: map[string]int64{}, Shifts: len(unions[pi]), Pages: pages[pi]}
		var secs [3]int64
		for _, sp := range unions[pi] {
			clock.addPeriodSeconds(&secs, sp.from, sp.to)
		}
		for k, period := range Periods {
			st.Seconds[period] = secs[k]
			st.Total += secs[k]
		}
		st.Ratio = float64(st.Total) / float64(windowSeconds)
		r.OnCall[p.Name] = st
		if st.Total > 0 {
			r.Rotation.People = append(r.Rotation.People, p.Name)
			r.Rotation.Shifts += st.Shifts
			r.Rotation.Pages += st.Pages
			_, off := time.Unix(end, 0).In(clock.loc).Zone()
			offsets[off] = true
		}
	}
	r.Rotation.Sites = len(offsets)
	r.Rotation.Minimum = RotationMinimum(cfg, r.Rotation.Sites)
}

// addPeriodSeconds adds the seconds of [from, to) to secs, by period in
// Periods' order. It walks from one possible change of period to the
// next: a local midnight (a new weekday), 08:00, 18:00, 22:00, the
// person's own working hours' start and end, and the zone's transitions,
// so that a day with a DST change has its real length.
func (c *localClock) addPeriodSeconds(secs *[3]int64, from, to int64) {
	marks := []int{0, 8 * 3600, 18 * 3600, 22 * 3600}
	if c.hours != nil {
		s, e := c.hours.Bounds()
		marks = append(marks, s, e)
	}
	slices.Sort(marks)
	for t := from; t < to; {
		local := c.local(t)
		day := floorDiv(local, 86400)
		sec := int(local - day*86400)
		next := (day + 1) * 86400 // the next local midnight
		for _, m := range marks {
			if m > sec {
				next = day*86400 + int64(m)
				break
			}
		}
		stop := min(next-c.offset, c.to, to) // back to Unix in this offset
		secs[slices.Index(Periods, c.period(t))] += stop - t
		t = stop
	}
}
