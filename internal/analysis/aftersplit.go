package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// Rotation models, in the fixed set used as the "model" label value.
const (
	ModelPerTeam = "per_team"
	ModelShared  = "shared"
)

// Models lists the rotation models in label order.
var Models = []string{ModelPerTeam, ModelShared}

// AfterSplit is what the split would mean for the people and the on-call:
// who would go where, which domains rest on one person, the rotations
// each team would run, and what each team would lack. README, "After the
// split", has every definition.
type AfterSplit struct {
	// Assignment is the suggested team of each person in the team within
	// the window, in config order.
	Assignment []Assignment
	// BusFactor is, per domain with classified activity, the smallest
	// number of people whose activities make up at least half of it.
	BusFactor map[string]int
	// Rotations are each proposed team's rotation under each model, in
	// config order of the teams, per_team first.
	Rotations []TeamRotation
	// Recommendation says plainly which model each team can run.
	Recommendation string
	// Staffing is each proposed team's demand against its people.
	Staffing []Staffing
}

// Assignment is one person's suggested team.
type Assignment struct {
	Person, Team string
	// Classified counts the person's classified activities; Stays is the
	// share of them in the team's domains (0 without any).
	Classified int
	Stays      float64
}

// TeamRotation is one proposed team's on-call rotation under one model.
type TeamRotation struct {
	Team, Model string
	// Members are the people in the rotation, in config order.
	Members []string
	// Ratio is each member's share of time on call, 1 / len(Members); 0
	// for a rotation of nobody.
	Ratio float64
	// IncidentsPerShift are the rotation's replayed high-urgency
	// incidents created within the window per 12-hour shift.
	IncidentsPerShift float64
	// SleepPagesPerWeek is, per member, the rotation's replayed pages
	// that fall in the member's sleep hours, over the members, per week
	// of the window.
	SleepPagesPerWeek map[string]float64
	// Sites and Minimum are the members' UTC offsets and the SRE book's
	// minimum rotation for them (RotationMinimum).
	Sites, Minimum int
	// WithinCap and WithinLoad say whether Ratio is at most
	// split.oncall_time_ratio and IncidentsPerShift at most
	// split.oncall_incidents_per_shift (or that limit is disabled).
	WithinCap, WithinLoad bool
}

// CanRun reports whether the rotation has someone and stays within the
// book's cap and load.
func (t *TeamRotation) CanRun() bool { return len(t.Members) > 0 && t.WithinCap && t.WithinLoad }

// Staffing is a proposed team's demand, in people, against the people the
// suggested assignment gives it.
type Staffing struct {
	Team string
	// Work is the team's equivalent headcount; Duties its planned duties
	// in FTE; OnCall the people its own rotation would still need beyond
	// those (0 under split.rotation: shared). Demand is their sum.
	Work, Duties, OnCall, Demand float64
	People                       int
	// Gap is Demand − People: negative is spare.
	Gap float64
}

// PeopleInTeam is the number of configured people in the team within the
// window: those whose span in the team (joined to left) overlaps it, by
// any amount (a person with more than 0 workdays in the team).
func (r *Result) PeopleInTeam() int {
	n := 0
	for _, ps := range r.People {
		if ps.InTeamWorkdays > 0 {
			n++
		}
	}
	return n
}

// EquivalentHeadcount is a proposed team's share of all classified
// activity × PeopleInTeam: a proportion of today's work, not hours.
func (r *Result) EquivalentHeadcount(share float64) float64 {
	return share * float64(r.PeopleInTeam())
}

// page is a replayed page: a high-urgency incident created within the
// window, at its creation, in its domain.
type page struct {
	at     int64
	domain int32
}

// afterSplit computes the AfterSplit from the Result's people measures,
// activities and replayed pages, over the window [start, end].
func (r *Result) afterSplit(cfg *config.Config, pages []page, start, end int64) {
	teams := cfg.ProposedTeams()
	teamOf := map[string]string{}
	for _, d := range cfg.Domains {
		teamOf[d.Name] = d.ProposedTeam
	}
	a := &AfterSplit{BusFactor: map[string]int{}}
	// Each person's classified activities by team and by domain.
	byTeam := map[string]map[string]int{}
	byDomain := map[string]map[string]int{} // domain -> person -> n
	for k, n := range r.PersonActivities {
		if k.Domain == config.Unclassified {
			continue
		}
		if byTeam[k.Person] == nil {
			byTeam[k.Person] = map[string]int{}
		}
		byTeam[k.Person][teamOf[k.Domain]] += n
		if byDomain[k.Domain] == nil {
			byDomain[k.Domain] = map[string]int{}
		}
		byDomain[k.Domain][k.Person] += n
	}
	// The assignment, in config order: the team holding most of the
	// person's classified activity; ties to the team with fewer people so
	// far, then to the team first in config order.
	members := map[string][]string{}
	var people []*config.Person
	for i := range cfg.People {
		if ps := r.People[cfg.People[i].Name]; ps != nil && ps.InTeamWorkdays > 0 {
			people = append(people, &cfg.People[i])
		}
	}
	for _, p := range people {
		best := ""
		for _, t := range teams {
			switch n, m := byTeam[p.Name][t], byTeam[p.Name][best]; {
			case best == "", n > m, n == m && len(members[t]) < len(members[best]):
				best = t
			}
		}
		members[best] = append(members[best], p.Name)
	}
	// Every team gets someone when there are at least two people: an
	// empty team, in config order, takes the person with the largest
	// share of their work in it from a team that keeps someone; ties to
	// config order of the people.
	if len(people) >= 2 {
		for _, t := range teams {
			if len(members[t]) > 0 {
				continue
			}
			var pick string
			pickShare := -1.0
			for _, p := range people {
				from := teamOfPerson(members, p.Name)
				if len(members[from]) < 2 {
					continue
				}
				if s := share(byTeam[p.Name], t); s > pickShare {
					pick, pickShare = p.Name, s
				}
			}
			if pick != "" {
				from := teamOfPerson(members, pick)
				members[from] = slices.DeleteFunc(members[from], func(n string) bool { return n == pick })
				members[t] = append(members[t], pick)
			}
		}
	}
	for _, p := range people {
		t := teamOfPerson(members, p.Name)
		total := 0
		for _, n := range byTeam[p.Name] {
			total += n
		}
		as := Assignment{Person: p.Name, Team: t, Classified: total}
		if total > 0 {
			as.Stays = float64(byTeam[p.Name][t]) / float64(total)
		}
		a.Assignment = append(a.Assignment, as)
	}
	for _, t := range teams { // members in config order
		slices.SortStableFunc(members[t], func(x, y string) int { return cmp.Compare(personIndex(cfg, x), personIndex(cfg, y)) })
	}
	// Bus factors.
	for d, byPerson := range byDomain {
		a.BusFactor[d] = busFactor(byPerson)
	}
	// The rotations, replayed.
	var everyone []string
	for _, p := range people {
		everyone = append(everyone, p.Name)
	}
	weeks := float64(end-start) / (7 * 86400)
	for _, t := range teams {
		for _, model := range Models {
			rot := TeamRotation{Team: t, Model: model, Members: members[t], SleepPagesPerWeek: map[string]float64{}}
			if model == ModelShared {
				rot.Members = everyone
			}
			var team []page
			for _, pg := range pages {
				if model == ModelShared || teamOf[domainName(cfg, int(pg.domain))] == t {
					team = append(team, pg)
				}
			}
			n := len(rot.Members)
			if n > 0 {
				rot.Ratio = 1 / float64(n)
			}
			rot.IncidentsPerShift = float64(len(team)) / shifts(cfg)
			offsets := map[int]bool{}
			for _, name := range rot.Members {
				p := &cfg.People[personIndex(cfg, name)]
				asleep := 0
				for _, pg := range team {
					if periodFor(pg.at, p) == PeriodSleep {
						asleep++
					}
				}
				if weeks > 0 {
					rot.SleepPagesPerWeek[name] = float64(asleep) / float64(n) / weeks
				}
				_, off := time.Unix(end, 0).In(p.Location()).Zone()
				offsets[off] = true
			}
			rot.Sites = max(1, len(offsets))
			rot.Minimum = RotationMinimum(cfg, rot.Sites)
			rot.WithinCap = n > 0 && rot.Ratio <= cfg.Split.OnCallTimeRatio
			rot.WithinLoad = cfg.Split.OnCallIncidentsPerShift == 0 || rot.IncidentsPerShift <= cfg.Split.OnCallIncidentsPerShift
			a.Rotations = append(a.Rotations, rot)
		}
	}
	a.Recommendation = recommend(cfg, a.Rotations)
	// Staffing.
	for _, t := range teams {
		st := Staffing{Team: t, Work: r.EquivalentHeadcount(r.TeamActivityRatio[t]), Duties: FTE(r.TeamPlannedHours[t]), People: len(members[t])}
		if cfg.Split.Rotation == config.RotationPerTeam {
			for _, rot := range a.Rotations {
				if rot.Team == t && rot.Model == ModelPerTeam {
					st.OnCall = max(0, float64(rot.Minimum)-st.Work-st.Duties)
				}
			}
		}
		st.Demand = st.Work + st.Duties + st.OnCall
		st.Gap = st.Demand - float64(st.People)
		a.Staffing = append(a.Staffing, st)
	}
	r.AfterSplit = a
}

func teamOfPerson(members map[string][]string, person string) string {
	for t, list := range members {
		if slices.Contains(list, person) {
			return t
		}
	}
	return ""
}

func share(byTeam map[string]int, team string) float64 {
	total := 0
	for _, n := range byTeam {
		total += n
	}
	if total == 0 {
		return 0
	}
	return float64(byTeam[team]) / float64(total)
}

func personIndex(cfg *config.Config, name string) int {
	return slices.IndexFunc(cfg.People, func(p config.Person) bool { return p.Name == name })
}

// busFactor is the smallest number of people whose activities make up at
// least half of the total: the largest first.
func busFactor(byPerson map[string]int) int {
	var counts []int
	total := 0
	for _, n := range byPerson {
		counts = append(counts, n)
		total += n
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	sum := 0
	for i, n := range counts {
		sum += n
		if 2*sum >= total {
			return i + 1
		}
	}
	return len(counts)
}

// recommend is the recommendation in one sentence per team that cannot
// run its own rotation, or one for all.
func recommend(cfg *config.Config, rotations []TeamRotation) string {
	cap := cfg.Split.OnCallTimeRatio
	need := int(math.Ceil(1/cap - 1e-9)) // members for a share within the cap
	var cannot []string
	var shared *TeamRotation
	for i := range rotations {
		rot := &rotations[i]
		if rot.Model == ModelShared {
			shared = rot
			continue
		}
		if rot.CanRun() {
			continue
		}
		var why []string
		switch {
		case len(rot.Members) == 0:
			why = append(why, "nobody would be in it")
		case !rot.WithinCap:
			why = append(why, fmt.Sprintf("%.0f%% on call against the book's %.0f%%", rot.Ratio*100, cap*100))
		}
		if !rot.WithinLoad {
			why = append(why, fmt.Sprintf("%.2f incidents per 12-hour shift against %g", rot.IncidentsPerShift, cfg.Split.OnCallIncidentsPerShift))
		}
		cannot = append(cannot, fmt.Sprintf("%s cannot run its own rotation with %d %s: %s; keep one shared rotation until it has %d",
			rot.Team, len(rot.Members), plural(len(rot.Members)), strings.Join(why, ", and "), need))
	}
	if len(cannot) == 0 {
		return "Each team can run its own rotation within the SRE book's limits."
	}
	out := strings.Join(cannot, ". ") + "."
	if shared != nil && !shared.WithinCap && len(shared.Members) > 0 {
		out += fmt.Sprintf(" The shared rotation of %d is itself at %.0f%% on call, above the cap, until it has %d.", len(shared.Members), shared.Ratio*100, need)
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return "person"
	}
	return "people"
}
