package analysis

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// Prepared is the part of the analysis of a set of snapshots that needs no
// clock: each item's domain and deciding rule, what is open now, and each
// person's activities, attributed and sorted once, with the local day of
// each classified one and the period of each notification. At computes
// the Result at a clock from it, in time linear in the window's items and
// activities rather than in the whole history, so that a backfill of
// thousands of steps classifies and sorts once. At does not modify the
// Prepared: any number of At calls, in any order, each equal
// Analyze(snaps, cfg, now) at their clock.
type Prepared struct {
	cfg         *config.Config
	snaps       []*preparedSnap
	waiting     []string
	classified  []ClassifiedItem
	ruleMatched map[string]int
	// open counts the items open now by source, kind and domain, and
	// personOpen the open items assigned to each person: a current
	// state, the same at every clock.
	open       map[CountKey]int
	personOpen map[PersonDomain]int
	// byPerson is every activity attributed to each configured person
	// (within their span in the team), sorted by activityLess.
	byPerson [][]personActivity
	spans    [][2]int64
	// meetings are each person's meetings, from the calendar snapshot,
	// by start.
	meetings [][]meeting
	// skipped are the calendar's events that are not meetings, by reason.
	skipped map[string]int
}

// preparedSnap is one snapshot's share of a Prepared.
type preparedSnap struct {
	s       *model.Snapshot
	src     int
	domains []int32 // each item's domain index
	people  *personResolver
	// created lists the items with a creation time, closed those with
	// a closing time, each by that time: the window's are a range.
	created, closed []int32
	// base is the index in Classified of the snapshot's first item.
	base int32
}

// window is a snapshot's window as seen at the clock, [start, end].
type window struct {
	start, end int64
	ok         bool
}

// Prepare does the clock-free part of the analysis of snaps under cfg.
// Its cost is that of classifying every item and sorting each person's
// activities once.
func Prepare(snaps []*model.Snapshot, cfg *config.Config) *Prepared {
	nd, np := len(cfg.Domains)+1, len(cfg.People) // domain nd-1 is unclassified
	p := &Prepared{cfg: cfg, waiting: waitingFor(snaps, cfg), ruleMatched: map[string]int{},
		open: map[CountKey]int{}, personOpen: map[PersonDomain]int{}, byPerson: make([][]personActivity, np), spans: make([][2]int64, np)}
	for i := range cfg.People {
		p.spans[i][0], p.spans[i][1] = cfg.People[i].InTeam()
	}
	items := 0
	for _, s := range snaps {
		if s != nil {
			items += len(s.Items)
		}
	}
	p.classified = make([]ClassifiedItem, 0, items)
	ruleCounts := make([]int, len(cfg.Rules))
	perPerson := make([]int, np)
	type attributed struct {
		ps      *preparedSnap
		ranks   []int32
		persons []int32 // each activity's person, or -1
	}
	var work []attributed
	for _, s := range snaps {
		if s == nil {
			continue
		}
		ps := &preparedSnap{s: s, src: sourceIndex(s.Source)}
		if ps.src < 0 {
			continue
		}
		ps.people = newPersonResolver(cfg, s)
		ps.base = int32(len(p.classified))
		ps.domains = make([]int32, len(s.Items))
		openItems := make([]int, np*nd)
		seen := make([]int32, 0, 16)
		for i := range s.Items {
			it := &s.Items[i]
			domain, rule := cfg.Classify(it)
			d := cfg.DomainIndex(domain)
			ps.domains[i] = int32(d)
			ruleName := ""
			if rule >= 0 {
				ruleCounts[rule]++
				ruleName = cfg.Rules[rule].Name
			}
			p.classified = append(p.classified, ClassifiedItem{Item: it, Domain: domain, Rule: ruleName})
			if it.CreatedAt != 0 {
				ps.created = append(ps.created, int32(i))
			}
			if it.ClosedAt != 0 {
				ps.closed = append(ps.closed, int32(i))
			}
			if !it.Open {
				continue
			}
			if kindIndex(it.Kind) >= 0 { // an unknown kind is classified, not counted
				p.open[CountKey{Source: s.Source, Kind: it.Kind, Domain: domain}]++
			}
			seen = seen[:0] // an item counts once per person
			for _, a := range it.Assignees {
				pi := int32(ps.people.person(a))
				if pi < 0 || slices.Contains(seen, pi) {
					continue
				}
				seen = append(seen, pi)
				openItems[int(pi)*nd+d]++
			}
		}
		slices.SortStableFunc(ps.created, func(a, b int32) int { return cmp.Compare(s.Items[a].CreatedAt, s.Items[b].CreatedAt) })
		slices.SortStableFunc(ps.closed, func(a, b int32) int { return cmp.Compare(s.Items[a].ClosedAt, s.Items[b].ClosedAt) })
		for pi := 0; pi < np; pi++ {
			for d := 0; d < nd; d++ {
				if n := openItems[pi*nd+d]; n > 0 {
					p.personOpen[PersonDomain{cfg.People[pi].Name, domainName(cfg, d)}] += n
				}
			}
		}
		if s.Source == model.SourceCalendar {
			p.skipped = s.Skipped
			p.meetings = make([][]meeting, np)
			for _, a := range s.Activities {
				if pi := ps.people.person(a.Actor); pi >= 0 && a.Action == model.ActionMeeting {
					it := &s.Items[a.Item]
					p.meetings[pi] = append(p.meetings[pi], meeting{span{it.CreatedAt, it.EndsAt}, ps.domains[a.Item]})
				}
			}
		}
		w := attributed{ps: ps, ranks: keyRanks(s.Items), persons: make([]int32, len(s.Activities))}
		for i := range s.Activities {
			a := &s.Activities[i]
			w.persons[i] = -1
			if a.At == 0 {
				continue // in no window
			}
			// Outside the person's span in the team, an activity is
			// nobody's.
			if pi := ps.people.person(a.Actor); pi >= 0 && a.At >= p.spans[pi][0] && a.At < p.spans[pi][1] {
				w.persons[i] = int32(pi)
				perPerson[pi]++
			}
		}
		p.snaps = append(p.snaps, ps)
		work = append(work, w)
	}
	for i, n := range ruleCounts {
		if n > 0 {
			p.ruleMatched[cfg.Rules[i].Name] = n
		}
	}
	// Each person's activities, in one allocation per person.
	for pi, n := range perPerson {
		p.byPerson[pi] = make([]personActivity, 0, n)
	}
	for _, w := range work {
		s := w.ps.s
		for i := range s.Activities {
			pi := w.persons[i]
			if pi < 0 {
				continue
			}
			a := &s.Activities[i]
			p.byPerson[pi] = append(p.byPerson[pi], personActivity{
				at:     a.At,
				order:  uint64(w.ps.src)<<56 | uint64(w.ranks[a.Item])<<8 | uint64(actionRank(a.Action)),
				domain: w.ps.domains[a.Item],
				ci:     w.ps.base + a.Item,
				src:    uint8(w.ps.src),
				notify: a.Action == model.ActionNotified,
			})
		}
	}
	unclassified := int32(nd - 1)
	for pi := range cfg.People {
		acts := p.byPerson[pi]
		slices.SortFunc(acts, activityLess)
		person := &cfg.People[pi]
		clock := localClock{loc: person.Location(), hours: person.WorkingHours}
		for i := range acts {
			a := &acts[i]
			if a.domain != unclassified {
				a.day = int32(clock.day(a.at))
			}
			if a.notify {
				a.period = uint8(slices.Index(Periods, clock.period(a.at)))
			}
		}
	}
	return p
}

// At computes the Result at the clock now.
func (p *Prepared) At(now time.Time) *Result {
	cfg := p.cfg
	r := &Result{
		Now:                now,
		Waiting:            p.waiting,
		Items:              map[CountKey]Counts{},
		PersonOpenItems:    maps.Clone(p.personOpen),
		PersonActivities:   map[PersonSourceDomain]int{},
		RuleMatched:        maps.Clone(p.ruleMatched),
		Classified:         p.classified,
		People:             map[string]*PersonStats{},
		OnCall:             map[string]*OnCallStats{},
		Interruptions:      map[PersonDomainPeriod]int{},
		MTTA:               map[string]float64{},
		MTTR:               map[string]float64{},
		TimeToAcknowledge:  map[string][]float64{},
		TimeToResolve:      map[string][]float64{},
		DomainActions:      map[DomainAction]int{},
		Acknowledged:       map[string]int{},
		Resolved:           map[string]int{},
		TeamActivityRatio:  map[string]float64{},
		PlannedHours:       map[PersonDomain]float64{},
		DomainPlannedHours: map[string]float64{},
		TeamPlannedHours:   map[string]float64{},
	}
	r.plannedHours(cfg)
	for k, n := range p.open {
		r.Items[k] = Counts{Open: n}
	}
	windows := make([]window, len(sourceNames))
	// The window of the people's workdays ends where the latest
	// snapshot's does, or at now without one.
	windowEnd := int64(math.MinInt64)
	var unions [][]span // each person's on-call time, with PagerDuty
	for _, ps := range p.snaps {
		s := ps.s
		start, end := windowOf(s, cfg, now)
		windows[ps.src] = window{start: start, end: end, ok: true}
		windowEnd = max(windowEnd, end)
		count := func(list []int32, at func(*model.Item) int64, add func(*Counts, *model.Item)) {
			lo, _ := slices.BinarySearchFunc(list, start, func(i int32, t int64) int { return cmp.Compare(at(&s.Items[i]), t) })
			for _, i := range list[lo:] {
				it := &s.Items[i]
				if at(it) > end {
					break
				}
				if kindIndex(it.Kind) < 0 {
					continue
				}
				key := CountKey{Source: s.Source, Kind: it.Kind, Domain: domainName(cfg, int(ps.domains[i]))}
				c := r.Items[key]
				add(&c, it)
				r.Items[key] = c
			}
		}
		count(ps.created, func(it *model.Item) int64 { return it.CreatedAt }, func(c *Counts, _ *model.Item) { c.Opened++ })
		count(ps.closed, func(it *model.Item) int64 { return it.ClosedAt }, func(c *Counts, it *model.Item) {
			if it.MergedInto == "" {
				c.Closed++
			}
		})
		if s.Source == model.SourcePagerDuty {
			r.incidentTimes(ps, cfg, start, end)
			unions = onCallUnions(s, cfg, ps.people, p.spans, start, end)
		}
	}
	for k, c := range r.Items {
		if c == (Counts{}) {
			delete(r.Items, k)
		}
	}
	if windowEnd == math.MinInt64 {
		windowEnd = now.Unix()
	}
	r.pageTimes = make([][]int64, len(cfg.People))
	r.splitAnalysis(cfg, p.byPerson, windows, unions, windowEnd-int64(time.Duration(cfg.Window)/time.Second), windowEnd)
	if p.meetings != nil {
		w := windows[sourceIndex(model.SourceCalendar)]
		r.meetingTime(cfg, p, w)
		r.calendarWindow = w
		r.CalendarSkipped = map[string]int{}
		for _, reason := range model.SkipReasons {
			r.CalendarSkipped[reason] = p.skipped[reason]
		}
	}
	return r
}

// meetingTime computes each person's meeting seconds by domain and their
// uninterrupted time within the calendar's window, in their span in the
// team.
func (r *Result) meetingTime(cfg *config.Config, p *Prepared, w window) {
	r.HasCalendar = true
	r.MeetingSeconds, r.Uninterrupted = map[PersonDomain]int64{}, map[string]int64{}
	nd := len(cfg.Domains) + 1
	minGap := int64(time.Duration(cfg.Analysis.UninterruptedMin) / time.Second)
	for pi := range cfg.People {
		person := &cfg.People[pi]
		from, to := max(w.start, p.spans[pi][0]), min(w.end, p.spans[pi][1])
		var busy []span
		for _, m := range p.meetings[pi] {
			if m.from < to && m.to > from {
				busy = append(busy, m.span)
			}
		}
		if from < to {
			for d, secs := range meetingSeconds(p.meetings[pi], from, to, nd) {
				if secs > 0 {
					r.MeetingSeconds[PersonDomain{person.Name, domainName(cfg, d)}] = secs
				}
			}
			r.Uninterrupted[person.Name] = uninterruptedSeconds(person, busy, r.pageTimes[pi], from, to, minGap)
		} else {
			r.Uninterrupted[person.Name] = 0
		}
	}
}
