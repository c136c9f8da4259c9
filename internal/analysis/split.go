package analysis

import (
	"cmp"
	"slices"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
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
	// SwitchesPerWorkday is Switches over the workdays in the window.
	SwitchesPerWorkday float64
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

// personActivity is one classified or unclassified activity of a person,
// with what the ordering and the definitions need.
type personActivity struct {
	at     int64
	source string
	key    string
	action string
	domain int // index into cfg.Domains; unclassified is len(cfg.Domains)
}

// activityLess is the deterministic order of a person's activities: by
// time, then source name, item key and action name, in byte order.
func activityLess(a, b personActivity) int {
	return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.source, b.source), cmp.Compare(a.key, b.key), cmp.Compare(a.action, b.action))
}

// workdays is window_days × 5/7.
func workdays(cfg *config.Config) float64 {
	return time.Duration(cfg.Window).Hours() / 24 * 5 / 7
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

// periodOf places a time in the person's zone into its interruption period.
func periodOf(unix int64, loc *time.Location) string {
	t := time.Unix(unix, 0).In(loc)
	h := t.Hour()
	switch {
	case h >= 22 || h < 8:
		return PeriodSleep
	case t.Weekday() == time.Saturday || t.Weekday() == time.Sunday || h >= 18:
		return PeriodOffHours
	}
	return PeriodBusiness
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

// splitAnalysis computes the people measures, interruptions and split
// signals from each person's activities.
func (r *Result) splitAnalysis(cfg *config.Config, byPerson [][]personActivity) {
	nd := len(cfg.Domains)
	team := func(d int) string { return cfg.Domains[d].ProposedTeam }
	wd := workdays(cfg)
	var switches, crossTeam, classifiedTotal int
	teamActivities := map[string]int{}
	perWorkday := make([]float64, 0, len(cfg.People))

	for pi := range cfg.People {
		p := &cfg.People[pi]
		acts := byPerson[pi]
		slices.SortFunc(acts, activityLess)
		ps := &PersonStats{}
		perDomain := make([]int, nd)
		var prev *personActivity
		lastNotified := int64(-1 << 62)
		for i := range acts {
			a := &acts[i]
			if a.action == model.ActionNotified && a.at-lastNotified >= dedupSeconds {
				lastNotified = a.at
				r.Interruptions[PersonDomainPeriod{p.Name, r.domainName(cfg, a.domain), periodOf(a.at, p.Location())}]++
			}
			if a.domain == nd {
				continue // unclassified
			}
			ps.Classified++
			perDomain[a.domain]++
			teamActivities[team(a.domain)]++
			if prev != nil && prev.domain != a.domain && sameDate(prev.at, a.at, p.Location()) {
				ps.Switches++
				if team(prev.domain) != team(a.domain) {
					crossTeam++
				}
			}
			prev = a
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
		ps.SwitchesPerWorkday = float64(ps.Switches) / wd
		perWorkday = append(perWorkday, ps.SwitchesPerWorkday)
		switches += ps.Switches
		classifiedTotal += ps.Classified
		r.People[p.Name] = ps
	}

	if classifiedTotal > 0 {
		for _, t := range proposedTeams(cfg) {
			r.TeamActivityRatio[t] = float64(teamActivities[t]) / float64(classifiedTotal)
		}
	}
	if switches > 0 {
		r.CrossTeamSwitchRatio = float64(crossTeam) / float64(switches)
	}
	r.signals(cfg, perWorkday)
}

func sameDate(a, b int64, loc *time.Location) bool {
	ta, tb := time.Unix(a, 0).In(loc), time.Unix(b, 0).In(loc)
	return ta.YearDay() == tb.YearDay() && ta.Year() == tb.Year()
}

func (r *Result) domainName(cfg *config.Config, d int) string {
	if d == len(cfg.Domains) {
		return config.Unclassified
	}
	return cfg.Domains[d].Name
}

// proposedTeams lists the distinct proposed teams, in config order.
func proposedTeams(cfg *config.Config) []string {
	var out []string
	for _, d := range cfg.Domains {
		if !slices.Contains(out, d.ProposedTeam) {
			out = append(out, d.ProposedTeam)
		}
	}
	return out
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
	r.SplitRecommended = held >= *s.MinSignals
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

// incidentTimes computes MTTA, MTTR and the on-call load from the incidents
// of a PagerDuty snapshot, over the incidents created within the window.
func (r *Result) incidentTimes(s *model.Snapshot, domains []int, cfg *config.Config, start, end int64) {
	type sum struct {
		total float64
		n     int
	}
	ack, res := map[int]*sum{}, map[int]*sum{}
	add := func(m map[int]*sum, d int, v int64) {
		if m[d] == nil {
			m[d] = &sum{}
		}
		m[d].total += float64(v)
		m[d].n++
	}
	high := 0
	for i := range s.Items {
		it := &s.Items[i]
		if it.Kind != model.KindIncident || !inWindow(it.CreatedAt, start, end) {
			continue
		}
		if it.Urgency == "high" {
			high++
		}
		if it.FirstAcknowledgedAt != 0 {
			add(ack, domains[i], it.FirstAcknowledgedAt-it.CreatedAt)
		}
		if resolved := cmp.Or(it.ResolveLoggedAt, it.ClosedAt); resolved != 0 {
			add(res, domains[i], resolved-it.CreatedAt)
		}
	}
	for d, s := range ack {
		r.MTTA[r.domainName(cfg, d)] = s.total / float64(s.n)
	}
	for d, s := range res {
		r.MTTR[r.domainName(cfg, d)] = s.total / float64(s.n)
	}
	r.HasOnCall = true
	r.OnCallIncidentsPerShift = float64(high) / shifts(cfg)
}
