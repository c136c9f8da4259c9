package analysis

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// Interruption periods, in the fixed set used as the "period" label value.
const (
	PeriodBusiness = "business_hours"
	PeriodOffHours = "off_hours"
	PeriodSleep    = "sleep_hours"
)

// Periods lists the interruption periods in label order.
var Periods = []string{PeriodBusiness, PeriodOffHours, PeriodSleep}

// dedupSeconds: a notification less than this long after the last one
// counted for the same person is not counted again (PagerDuty's Responder
// Insights definition).
const dedupSeconds = 60

// PersonStats are one person's split measures within the window.
type PersonStats struct {
	// Switches counts consecutive pairs of classified activities in
	// different domains on the same local calendar date.
	Switches int
	// SwitchesPerWorkday is Switches over InTeamWorkdays; 0 when the
	// person has no workday in the team within the window.
	SwitchesPerWorkday float64
	// InTeamWorkdays are the person's workdays in the team within the
	// window: the hours of the window within their span from joined to
	// left, / 24 × 5/7. Without joined and left it is the window's
	// workdays.
	InTeamWorkdays float64
	// LeftOutOfMedian is true when InTeamWorkdays is less than one: the
	// person is not in the context_switching median.
	LeftOutOfMedian bool
	// Domains counts domains with at least one classified activity.
	Domains int
	// Classified counts the person's classified activities. FocusRatio
	// and SwitchingLoss mean nothing when it is 0.
	Classified    int
	FocusRatio    float64
	SwitchingLoss float64
}

// PersonDomainPeriod identifies an interruption series.
type PersonDomainPeriod struct {
	Person, Domain, Period string
}

// Signal is one split signal's measured value against its threshold.
type Signal struct {
	Name      string
	Value     float64
	Threshold float64
	Holds     bool
}

// personActivity is one activity of a person, packed without pointers so
// that a million of them sort and scan quickly.
type personActivity struct {
	at int64
	// order breaks ties of time: the source, then the item key's rank,
	// then the action's rank, each in byte order, packed high to low.
	order  uint64
	domain int32 // index into cfg.Domains; len(cfg.Domains) is unclassified
	// day is the local calendar day of a classified activity; period
	// the index in Periods of a notification's period.
	day    int32
	ci     int32 // the item's index in Result.Classified
	src    uint8 // index into sourceNames
	period uint8
	notify bool
}

// activityLess is the deterministic order of a person's activities: by
// time, then source name, item key and action name, in byte order.
func activityLess(a, b personActivity) int {
	return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.order, b.order))
}

// localClock turns Unix times into local days and seconds in one zone. It
// caches the zone's offset for the span in which it holds, so a sorted run
// of times costs one zone lookup per transition, not one per time.
type localClock struct {
	loc       *time.Location
	hours     *config.WorkingHours // the person's own, or nil for PagerDuty's
	from, to  int64                // the cached offset holds for from <= t < to
	offset    int64
	hasOffset bool
}

func (c *localClock) local(unix int64) int64 {
	if !c.hasOffset || unix < c.from || unix >= c.to {
		t := time.Unix(unix, 0).In(c.loc)
		_, off := t.Zone()
		start, end := t.ZoneBounds()
		c.offset, c.from, c.to, c.hasOffset = int64(off), math.MinInt64, math.MaxInt64, true
		if !start.IsZero() {
			c.from = start.Unix()
		}
		if !end.IsZero() {
			c.to = end.Unix()
		}
	}
	return unix + c.offset
}

// day is the local calendar day number (days since 1970-01-01 locally).
func (c *localClock) day(unix int64) int64 { return floorDiv(c.local(unix), 86400) }

// period places a time into its interruption period. The person's own
// working hours, when set, are their business hours and win over sleep
// hours; the rest of sleep hours is sleep, and all else off hours.
func (c *localClock) period(unix int64) string {
	local := c.local(unix)
	day := floorDiv(local, 86400)
	secs := local - day*86400
	hour := secs / 3600
	weekday := time.Weekday(((day+4)%7 + 7) % 7) // 1970-01-01 was a Thursday
	if c.hours != nil {
		switch {
		case c.hours.Contains(weekday, int(secs)):
			return PeriodBusiness
		case hour >= 22 || hour < 8:
			return PeriodSleep
		}
		return PeriodOffHours
	}
	switch {
	case hour >= 22 || hour < 8:
		return PeriodSleep
	case weekday == time.Saturday || weekday == time.Sunday || hour >= 18:
		return PeriodOffHours
	}
	return PeriodBusiness
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// workdays is days × 5/7, for a span of seconds.
func workdays(seconds int64) float64 {
	return float64(seconds) / 86400 * 5 / 7
}

// inTeamSeconds is how much of the window [start, end] falls within the
// person's span in the team.
func inTeamSeconds(p *config.Person, start, end int64) int64 {
	from, to := p.InTeam()
	return max(0, min(end, to)-max(start, from))
}

// shifts is the number of 12-hour shifts in the window.
func shifts(cfg *config.Config) float64 {
	return time.Duration(cfg.Window).Hours() / 12
}

// weinbergLoss is Weinberg's rule of thumb (Quality Software Management,
// vol. 1, 1992) for the share of time lost to switching between n
// simultaneous projects.
func weinbergLoss(n int) float64 {
	table := []float64{0, 0, 0.20, 0.40, 0.60, 0.75}
	if n >= len(table) || n < 1 {
		// With more than ten domains none may reach 10%: the person is
		// spread over at least five of them.
		return 0.75
	}
	return table[n]
}

// periodOf places a time in a zone into its interruption period, by
// PagerDuty's business hours.
func periodOf(unix int64, loc *time.Location) string {
	c := localClock{loc: loc}
	return c.period(unix)
}

// periodFor places a time into the person's interruption period.
func periodFor(unix int64, p *config.Person) string {
	c := localClock{loc: p.Location(), hours: p.WorkingHours}
	return c.period(unix)
}

// median of values; the mean of the middle two for an even count.
func median(values []float64) float64 {
	v := slices.Clone(values)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// splitAnalysis computes each person's activity counts, the people
// measures, interruptions and split signals from each person's sorted
// activities within their source's window, and with PagerDuty's on-call
// unions (nil without) each person's on-call time and the pages within
// it. The window is [start, end], for the people's workdays in the team.
func (r *Result) splitAnalysis(cfg *config.Config, byPerson [][]personActivity, windows []window, unions [][]span, start, end int64) {
	nd := len(cfg.Domains)
	team := func(d int) string { return cfg.Domains[d].ProposedTeam }
	var switches, crossTeam, classifiedTotal int
	teamActivities := map[string]int{}
	perWorkday := make([]float64, 0, len(cfg.People))

	interruptions := make([]int, len(cfg.People)*(nd+1)*len(Periods))
	pairs := make([][]int, nd) // context switches between two domains
	for i := range pairs {
		pairs[i] = make([]int, nd)
	}
	domainActs := make([]int, nd)
	pages := make([]int, len(cfg.People)) // interruptions while on call
	ns := len(sourceNames)
	activities := make([]int, len(cfg.People)*ns*(nd+1))
	// The activities within some source's window: each is then checked
	// against its own source's.
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	same := true
	for _, w := range windows {
		if w.ok {
			first, last = min(first, w.start), max(last, w.end)
			same = same && w.start == first && w.end == last
		}
	}
	perDomain := make([]int, nd)
	r.ItemActivities = make([]int32, len(r.Classified))
	actions := make([]int, (nd+1)*len(actionNames))
	for pi := range cfg.People {
		p := &cfg.People[pi]
		acts := byPerson[pi]
		lo, _ := slices.BinarySearchFunc(acts, first, func(a personActivity, t int64) int { return cmp.Compare(a.at, t) })
		hi, _ := slices.BinarySearchFunc(acts, last+1, func(a personActivity, t int64) int { return cmp.Compare(a.at, t) })
		ps := &PersonStats{}
		clear(perDomain)
		prev, prevDay := int32(-1), int32(0)
		lastNotified := int64(math.MinInt64 / 2)
		for i := lo; i < hi; i++ {
			a := &acts[i]
			if w := windows[a.src]; !same && (!w.ok || a.at < w.start || a.at > w.end) {
				continue
			}
			activities[(pi*ns+int(a.src))*(nd+1)+int(a.domain)]++
			r.ItemActivities[a.ci]++
			if k := int(a.order & 0xff); k < len(actionNames) { // an unknown action has no count
				actions[int(a.domain)*len(actionNames)+k]++
			}
			if a.notify && a.at-lastNotified >= dedupSeconds {
				lastNotified = a.at
				interruptions[(pi*(nd+1)+int(a.domain))*len(Periods)+int(a.period)]++
				if unions != nil && onCallAt(unions[pi], a.at) {
					pages[pi]++
				}
				if r.pageTimes != nil {
					r.pageTimes[pi] = append(r.pageTimes[pi], a.at)
				}
			}
			if int(a.domain) == nd {
				continue // unclassified
			}
			ps.Classified++
			perDomain[a.domain]++
			domainActs[a.domain]++
			teamActivities[team(int(a.domain))]++
			day := a.day
			if prev >= 0 && prev != a.domain && day == prevDay {
				ps.Switches++
				pairs[prev][a.domain]++
				pairs[a.domain][prev]++
				if team(int(prev)) != team(int(a.domain)) {
					crossTeam++
				}
			}
			prev, prevDay = a.domain, day
		}
		if ps.Classified > 0 {
			most, significant := 0, 0
			for _, n := range perDomain {
				if n > 0 {
					ps.Domains++
				}
				most = max(most, n)
				if n*10 >= ps.Classified { // at least 10%, in integers
					significant++
				}
			}
			ps.FocusRatio = float64(most) / float64(ps.Classified)
			ps.SwitchingLoss = weinbergLoss(significant)
		}
		ps.InTeamWorkdays = workdays(inTeamSeconds(p, start, end))
		if ps.InTeamWorkdays > 0 {
			ps.SwitchesPerWorkday = float64(ps.Switches) / ps.InTeamWorkdays
		}
		ps.LeftOutOfMedian = ps.InTeamWorkdays < 1
		if !ps.LeftOutOfMedian {
			perWorkday = append(perWorkday, ps.SwitchesPerWorkday)
		}
		switches += ps.Switches
		classifiedTotal += ps.Classified
		r.People[p.Name] = ps
	}
	for pi := range cfg.People {
		for src, name := range sourceNames {
			for d := 0; d <= nd; d++ {
				if n := activities[(pi*ns+src)*(nd+1)+d]; n > 0 {
					r.PersonActivities[PersonSourceDomain{cfg.People[pi].Name, name, domainName(cfg, d)}] = n
				}
			}
		}
		for d := 0; d <= nd; d++ {
			for k, period := range Periods {
				if n := interruptions[(pi*(nd+1)+d)*len(Periods)+k]; n > 0 {
					r.Interruptions[PersonDomainPeriod{cfg.People[pi].Name, domainName(cfg, d), period}] = n
				}
			}
		}
	}

	if unions != nil {
		r.onCallTime(cfg, unions, pages, int64(time.Duration(cfg.Window)/time.Second), end)
	}

	for d := 0; d <= nd; d++ {
		for k, action := range actionNames {
			if n := actions[d*len(actionNames)+k]; n > 0 {
				r.DomainActions[DomainAction{Domain: domainName(cfg, d), Action: action}] = n
			}
		}
	}
	if classifiedTotal > 0 {
		for _, t := range cfg.ProposedTeams() {
			r.TeamActivityRatio[t] = float64(teamActivities[t]) / float64(classifiedTotal)
		}
	}
	if switches > 0 {
		r.CrossTeamSwitchRatio = float64(crossTeam) / float64(switches)
	}
	if len(r.Waiting) > 0 {
		// No verdict from data that is not whole: the measures above
		// are of what has been read, and say so only with it.
		r.SuggestedReason = r.NotEnoughData()
		return
	}
	r.signals(cfg, perWorkday)
	r.afterSplit(cfg, r.pages, start, end)
	// pairs is symmetric: each switch is in pairs[i][j] and pairs[j][i].
	r.Suggested, r.SuggestedReason, _ = suggestSplit(cfg, pairs, domainActs, cfg.Split.SecondaryTeamShare)
}

// domainName is the name of domain index d, where len(cfg.Domains) is
// unclassified.
func domainName(cfg *config.Config, d int) string {
	if d >= len(cfg.Domains) {
		return config.Unclassified
	}
	return cfg.Domains[d].Name
}

// signals evaluates every enabled signal whose value can be computed.
func (r *Result) signals(cfg *config.Config, perWorkday []float64) {
	s := &cfg.Split
	held := 0
	for _, t := range s.Thresholds() {
		if t.Threshold == 0 {
			continue // disabled
		}
		var v float64
		switch t.Signal {
		case config.SignalContextSwitching:
			if len(perWorkday) == 0 {
				continue
			}
			v = median(perWorkday)
		case config.SignalSecondaryTeamShare:
			if len(r.TeamActivityRatio) < 2 {
				continue
			}
			v = 1
			for _, ratio := range r.TeamActivityRatio {
				v = min(v, ratio)
			}
		case config.SignalOnCallLoad:
			if !r.HasOnCall {
				continue
			}
			v = r.OnCallIncidentsPerShift
		case config.SignalOrgRatio:
			if s.OrgHeadcount == nil || len(cfg.People) == 0 {
				continue
			}
			v = float64(*s.OrgHeadcount) / float64(len(cfg.People))
		}
		sig := Signal{Name: t.Signal, Value: v, Threshold: t.Threshold, Holds: v >= t.Threshold}
		if sig.Holds {
			held++
		}
		r.Signals = append(r.Signals, sig)
	}
	r.SplitRecommended = held >= s.MinSignals
}

// signal returns the named signal, or nil when it is absent.
func (r *Result) signal(name string) *Signal {
	for i := range r.Signals {
		if r.Signals[i].Name == name {
			return &r.Signals[i]
		}
	}
	return nil
}
