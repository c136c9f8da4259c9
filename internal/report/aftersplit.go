package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// AfterSplit is the report's "After the split" section
// (analysis.AfterSplit, README "After the split").
type AfterSplit struct {
	Recommendation string `json:"recommendation"`
	// Model is split.rotation, the model the staffing gap assumes.
	Model      string          `json:"model"`
	Rotations  []RotationRow   `json:"rotations"`
	Assignment []AssignmentRow `json:"assignment"`
	BusFactors []BusFactorRow  `json:"bus_factors"`
	Staffing   []StaffingRow   `json:"staffing"`
	Profiles   []RoleProfile   `json:"role_profiles"`
}

// RotationRow is one team's rotation under one model.
type RotationRow struct {
	Team    string   `json:"proposed_team"`
	Model   string   `json:"model"`
	Members []string `json:"members"`
	// Size is the number of members, also under privacy.people:
	// aggregate, which leaves Members and SleepPagesPerWeek out.
	Size int `json:"size"`
	// MostSleepPagesPerWeek is the most sleep-hour pages per week of any
	// member: the team-level figure of the column.
	MostSleepPagesPerWeek float64 `json:"most_sleep_pages_per_week"`
	// OnCallRatio is absent for a rotation of nobody.
	OnCallRatio       *float64           `json:"oncall_ratio,omitempty"`
	IncidentsPerShift float64            `json:"incidents_per_shift"`
	SleepPagesPerWeek map[string]float64 `json:"sleep_pages_per_week"`
	Sites             int                `json:"sites"`
	Minimum           int                `json:"minimum"`
	CanRun            bool               `json:"can_run"`
}

// AssignmentRow is one person's suggested team.
type AssignmentRow struct {
	Person string  `json:"person"`
	Team   string  `json:"proposed_team"`
	Stays  float64 `json:"work_that_stays"`
	// Classified counts the person's classified activities.
	Classified int `json:"classified_activities"`
}

// BusFactorRow is one domain's bus factor.
type BusFactorRow struct {
	Domain    string `json:"domain"`
	BusFactor int    `json:"bus_factor"`
	// OnePerson is true for a bus factor of 1.
	OnePerson bool `json:"one_person"`
}

// StaffingRow is one team's demand against its people.
type StaffingRow struct {
	Team   string  `json:"proposed_team"`
	Work   float64 `json:"work"`
	Duties float64 `json:"duties"`
	OnCall float64 `json:"oncall"`
	Demand float64 `json:"demand"`
	People int     `json:"people"`
	Gap    float64 `json:"gap"`
}

// RoleProfile is the facts for a team's job description, from the data.
type RoleProfile struct {
	Team string `json:"proposed_team"`
	// Domains are the team's domains with their share of its classified
	// activity.
	Domains []DomainShare `json:"domains"`
	// Repositories and Services are the team's five busiest, by the
	// window's activities on their items.
	Repositories []Named `json:"repositories"`
	Services     []Named `json:"services"`
	Duties       []Duty  `json:"duties"`
	// OnCall is the on-call expectation under the recommended model.
	OnCall        string         `json:"oncall"`
	Interruptions map[string]int `json:"interruptions"`
	// Activities counts the team's activities by kind: reviews
	// (submitted reviews and review comments), incident response
	// (acknowledgements, resolutions, notes, pages) and issues and pull
	// requests (opening, comments, closing, merging, reopening).
	Activities map[string]int `json:"activities"`
}

// Named is a repository's or a service's name and its activities.
type Named struct {
	Name       string `json:"name"`
	Activities int    `json:"activities"`
}

// Duty is one recurring duty of the inventory.
type Duty struct {
	Name         string  `json:"name"`
	Domain       string  `json:"domain"`
	HoursPerWeek float64 `json:"hours_per_week"`
}

// Activity kinds of the role profile.
const (
	KindReviews  = "reviews"
	KindIncident = "incident response"
	KindWork     = "issues and pull requests"
)

func activityKind(action string) string {
	switch action {
	case model.ActionReviewed, model.ActionReviewComment:
		return KindReviews
	case model.ActionAcknowledged, model.ActionResolved, model.ActionAnnotated, model.ActionNotified:
		return KindIncident
	}
	return KindWork
}

// buildAfterSplit turns the analysis's AfterSplit into the section.
func buildAfterSplit(cfg *config.Config, res *analysis.Result) *AfterSplit {
	a := res.AfterSplit
	if a == nil {
		return nil
	}
	out := &AfterSplit{Recommendation: a.Recommendation, Model: cfg.Split.Rotation}
	canRun := map[string]bool{}
	shared := map[string]analysis.TeamRotation{}
	own := map[string]analysis.TeamRotation{}
	for _, rot := range a.Rotations {
		row := RotationRow{Team: rot.Team, Model: rot.Model, Members: rot.Members, Size: len(rot.Members), IncidentsPerShift: rot.IncidentsPerShift,
			SleepPagesPerWeek: rot.SleepPagesPerWeek, Sites: rot.Sites, Minimum: rot.Minimum, CanRun: rot.CanRun()}
		for _, v := range rot.SleepPagesPerWeek {
			row.MostSleepPagesPerWeek = max(row.MostSleepPagesPerWeek, v)
		}
		if len(rot.Members) > 0 {
			row.OnCallRatio = ptr(rot.Ratio)
		}
		out.Rotations = append(out.Rotations, row)
		if rot.Model == analysis.ModelPerTeam {
			canRun[rot.Team], own[rot.Team] = rot.CanRun(), rot
		} else {
			shared[rot.Team] = rot
		}
	}
	for _, as := range a.Assignment {
		out.Assignment = append(out.Assignment, AssignmentRow{Person: as.Person, Team: as.Team, Stays: as.Stays, Classified: as.Classified})
	}
	for _, d := range cfg.Domains {
		if n, ok := a.BusFactor[d.Name]; ok {
			out.BusFactors = append(out.BusFactors, BusFactorRow{Domain: d.Name, BusFactor: n, OnePerson: n == 1})
		}
	}
	for _, st := range a.Staffing {
		out.Staffing = append(out.Staffing, StaffingRow{Team: st.Team, Work: st.Work, Duties: st.Duties, OnCall: st.OnCall, Demand: st.Demand, People: st.People, Gap: st.Gap})
	}
	for _, team := range cfg.ProposedTeams() {
		rot := shared[team]
		how := "one shared rotation"
		if canRun[team] {
			rot, how = own[team], "its own weekly rotation"
		}
		out.Profiles = append(out.Profiles, profile(cfg, res, team, oncallExpectation(how, rot)))
	}
	return out
}

// oncallExpectation is the on-call line of a role profile.
func oncallExpectation(how string, rot analysis.TeamRotation) string {
	if len(rot.Members) == 0 {
		return how + ", of nobody yet"
	}
	most := 0.0
	for _, v := range rot.SleepPagesPerWeek {
		most = max(most, v)
	}
	return fmt.Sprintf("%s of %d: %.0f%% of the time on call, %.2f high-urgency incidents per 12-hour shift, up to %.1f sleep-hour pages per person per week",
		how, len(rot.Members), rot.Ratio*100, rot.IncidentsPerShift, most)
}

// profile gathers a team's role profile.
func profile(cfg *config.Config, res *analysis.Result, team string, oncall string) RoleProfile {
	p := RoleProfile{Team: team, OnCall: oncall, Interruptions: map[string]int{}, Activities: map[string]int{}}
	in := map[string]bool{}
	for _, d := range cfg.Domains {
		if d.ProposedTeam == team {
			in[d.Name] = true
		}
	}
	byDomain, total := map[string]int{}, 0
	for k, n := range res.PersonActivities {
		if in[k.Domain] {
			byDomain[k.Domain] += n
			total += n
		}
	}
	for _, d := range cfg.Domains {
		if in[d.Name] {
			s := 0.0
			if total > 0 {
				s = float64(byDomain[d.Name]) / float64(total)
			}
			p.Domains = append(p.Domains, DomainShare{Domain: d.Name, Share: s})
		}
	}
	repos, services := map[string]int{}, map[string]int{}
	for i, c := range res.Classified {
		if !in[c.Domain] || i >= len(res.ItemActivities) || res.ItemActivities[i] == 0 {
			continue
		}
		n := int(res.ItemActivities[i])
		switch c.Item.Source {
		case model.SourceGitHub:
			repos[c.Item.Repo] += n
		case model.SourcePagerDuty:
			services[cmp.Or(c.Item.Service.Name, c.Item.Service.ID)] += n
		}
	}
	p.Repositories, p.Services = top(repos, 5), top(services, 5)
	for i := range cfg.Inventory {
		if d := &cfg.Inventory[i]; in[d.Domain] {
			p.Duties = append(p.Duties, Duty{Name: d.Name, Domain: d.Domain, HoursPerWeek: d.HoursPerWeek()})
		}
	}
	for k, n := range res.Interruptions {
		if in[k.Domain] {
			p.Interruptions[k.Period] += n
		}
	}
	for _, period := range analysis.Periods {
		p.Interruptions[period] += 0
	}
	for k, n := range res.DomainActions {
		if in[k.Domain] {
			p.Activities[activityKind(k.Action)] += n
		}
	}
	for _, kind := range []string{KindWork, KindReviews, KindIncident} {
		p.Activities[kind] += 0
	}
	return p
}

// top is the n largest counts, by count, then name.
func top(counts map[string]int, n int) []Named {
	out := make([]Named, 0, len(counts))
	for name, c := range counts {
		out = append(out, Named{Name: name, Activities: c})
	}
	slices.SortFunc(out, func(a, b Named) int {
		return cmp.Or(cmp.Compare(b.Activities, a.Activities), strings.Compare(a.Name, b.Name))
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
