// Package report turns an analysis into the split report: the case for (or
// against) splitting the team, in one document. It is built from the same
// analysis the metrics come from, and when each source was collected, and
// renders as JSON (for scripts), Markdown (for pasting into a proposal) and
// HTML. It imports no collector and no API client.
package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
)

// Readme is where every definition of the report lives.
const Readme = "https://github.com/sre-workload/sre_workload_exporter/blob/main/README.md"

// Report is the split report. Its JSON keys are documented in the README.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	Window      string    `json:"window"`
	// NotEnoughData, when set, says which sources have not completed a
	// refresh (analysis.Result.NotEnoughData); the report then holds no
	// verdict and no measure, only GeneratedAt, Window and Sources.
	NotEnoughData string   `json:"not_enough_data,omitempty"`
	Verdict       *Verdict `json:"verdict,omitempty"`
	// DomainShares is each domain's share of all the team's activities,
	// unclassified included, in config order.
	DomainShares []DomainShare `json:"domain_shares,omitempty"`
	Splits       *Splits       `json:"splits,omitempty"`
	People       []Person      `json:"people,omitempty"`
	// Meetings are the calendar's measures; absent without a calendar.
	Meetings *Meetings `json:"meetings,omitempty"`
	OnCall   *OnCall   `json:"oncall,omitempty"`
	// History is the history section; absent when the report was built
	// without one (a running exporter's /report keeps no history).
	History *History `json:"history,omitempty"`
	// AfterSplit is what a split would mean: rotations, assignment, bus
	// factors, staffing and role profiles.
	AfterSplit  *AfterSplit  `json:"after_split,omitempty"`
	DataQuality *DataQuality `json:"data_quality,omitempty"`
	Sources     []Source     `json:"sources"`
	// People is privacy.people's mode the report is shown in (named,
	// pseudonymous or aggregate).
	PeopleShown string `json:"people_shown"`

	privacy privacy
}

// Count says how many signals hold against how many are needed: "2 of 4
// split signals hold; 2 are needed".
func (v *Verdict) Count() string {
	held := 0
	for _, s := range v.Signals {
		if s.Holds {
			held++
		}
	}
	return fmt.Sprintf("%d of %d split signals hold; %d are needed", held, len(v.Signals), v.MinSignals)
}

// Verdict is whether a split is recommended, and why.
type Verdict struct {
	SplitRecommended bool     `json:"split_recommended"`
	MinSignals       int      `json:"min_signals"`
	Signals          []Signal `json:"signals"`
}

// Signal is one split signal. Name is its identifier (the metrics'
// signal label), Title its plain-language name (SignalTitle).
type Signal struct {
	Name      string  `json:"name"`
	Title     string  `json:"title"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	Holds     bool    `json:"holds"`
}

// signalTitles are the split signals' plain-language names, for a reader
// who does not know the identifiers (README "Split signals").
var signalTitles = map[string]string{
	config.SignalContextSwitching:   "Context switches per person per workday, median",
	config.SignalSecondaryTeamShare: "The smallest proposed team's share of the work",
	config.SignalOnCallLoad:         "High-urgency incidents per 12-hour on-call shift",
	config.SignalOrgRatio:           "People in the company per SRE",
}

// SignalTitle is a signal's plain-language name; an unknown signal's is
// its identifier.
func SignalTitle(name string) string {
	if t, ok := signalTitles[name]; ok {
		return t
	}
	return name
}

// UnclassifiedActivityNote says what the unclassified share by domain
// measures, beside it: the team's activities, not the tracked items.
func (r *Report) UnclassifiedActivityNote() string {
	share := 0.0
	for _, d := range r.DomainShares {
		if d.Domain == config.Unclassified {
			share = d.Share
		}
	}
	return fmt.Sprintf("unclassified %s: the share of the team's activities that were on items no rule matched", pct(share))
}

// UnclassifiedItemsNote says what the data quality's unclassified share
// measures: tracked items by count, not the work.
func (d *DataQuality) UnclassifiedItemsNote() string {
	return fmt.Sprintf("%s of the tracked items match no rule: a count of items (issues, pull requests, incidents, meetings), not of work, whatever the activity on them", pct(d.UnclassifiedShare))
}

// Splits are the configured grouping of the domains and the suggested one.
type Splits struct {
	Configured Grouping `json:"configured"`
	// Suggested is absent when no grouping qualifies; SuggestedReason
	// then says why.
	Suggested       *Grouping `json:"suggested,omitempty"`
	SuggestedReason string    `json:"suggested_reason,omitempty"`
	// SuggestedIsConfigured is true when Suggested has the configured
	// teams, as sets of domains whatever their names and order; the
	// report then says so in one line instead of a second table.
	SuggestedIsConfigured bool `json:"suggested_is_configured"`
	// PeopleInTeam is the number of configured people in the team within
	// the window, the people of every team's EquivalentHeadcount.
	PeopleInTeam int `json:"people_in_team"`
}

// HeadcountSentence says what the equivalent headcount of the split tables
// is, without a full stop (a definition link follows).
func (s *Splits) HeadcountSentence() string {
	return fmt.Sprintf("Equivalent headcount is the team's share of the classified work × the %d %s in the team within the window: a proportion of today's work, not hours",
		s.PeopleInTeam, plural(s.PeopleInTeam, "person", "people"))
}

// Grouping is a split of the domains into teams.
type Grouping struct {
	Teams []Team `json:"teams"`
	// RemovedSwitchRatio is the share of all context switches whose two
	// domains fall in different teams: what the split would remove.
	RemovedSwitchRatio float64 `json:"removed_switch_ratio"`
}

// Team is one team of a grouping and the work it would own.
type Team struct {
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	// ActivityShare is the team's share of all classified activities.
	ActivityShare float64 `json:"activity_share"`
	// EquivalentHeadcount is ActivityShare × the people in the team
	// (EquivalentHeadcount): a proportion of today's work, not hours.
	EquivalentHeadcount float64 `json:"equivalent_headcount"`
	// PlannedHoursPerWeek is the inventory's duties in its domains;
	// PlannedFTE is that in full-time equivalents (analysis.FTE).
	PlannedHoursPerWeek float64 `json:"planned_hours_per_week"`
	PlannedFTE          float64 `json:"planned_fte"`
}

// Person is one person's measures.
type Person struct {
	Name               string  `json:"name"`
	SwitchesPerWorkday float64 `json:"context_switches_per_workday"`
	// FocusRatio and SwitchingLoss are absent for a person with no
	// classified activity.
	FocusRatio    *float64       `json:"focus_ratio,omitempty"`
	SwitchingLoss *float64       `json:"estimated_switching_loss_ratio,omitempty"`
	Domains       int            `json:"domains"`
	Interruptions map[string]int `json:"interruptions"` // by period
	OpenItems     int            `json:"open_items"`
	// Joined and Left are the config's dates, absent when unset.
	Joined string `json:"joined,omitempty"`
	Left   string `json:"left,omitempty"`
	// InTeamWorkdays are the person's workdays in the team within the
	// window; LeftOutOfMedian is true when they are less than one, and
	// the person is not in the context_switching median.
	InTeamWorkdays  float64 `json:"in_team_workdays"`
	LeftOutOfMedian bool    `json:"left_out_of_median"`
}

// MedianNote says why the person is left out of the context_switching
// median, or is "" when they are in it.
func (p Person) MedianNote() string {
	if !p.LeftOutOfMedian {
		return ""
	}
	span := ""
	switch {
	case p.Joined != "" && p.Left != "":
		span = fmt.Sprintf(" (joined %s, left %s)", p.Joined, p.Left)
	case p.Joined != "":
		span = fmt.Sprintf(" (joined %s)", p.Joined)
	case p.Left != "":
		span = fmt.Sprintf(" (left %s)", p.Left)
	}
	return fmt.Sprintf("%s is left out of the context_switching median: %.1f workdays in the team within the window%s, less than one.", p.Name, p.InTeamWorkdays, span)
}

// Meetings are the people's meeting time, their uninterrupted time, and
// the share of each proposed team's work that is meetings. The recurring
// meetings are classify --source=calendar --recurring's: the report shows
// no titles outside data quality.
type Meetings struct {
	People []MeetingPerson `json:"people"`
	Teams  []MeetingTeam   `json:"teams"`
}

// MeetingPerson is one person's meeting time by domain (config order,
// unclassified last; only domains with time), its total, and their
// uninterrupted time, in hours within the window.
type MeetingPerson struct {
	Name               string        `json:"name"`
	Domains            []DomainHours `json:"domains"`
	Hours              float64       `json:"hours"`
	UninterruptedHours float64       `json:"uninterrupted_hours"`
}

// DomainList is the person's meeting hours by domain, as a sentence
// part: "security 1.5 h, product 0.5 h", or "none".
func (p MeetingPerson) DomainList() string {
	if len(p.Domains) == 0 {
		return "none"
	}
	parts := make([]string, len(p.Domains))
	for i, d := range p.Domains {
		parts[i] = fmt.Sprintf("%s %.1f h", d.Domain, d.Hours)
	}
	return strings.Join(parts, ", ")
}

// DomainHours is a domain's hours.
type DomainHours struct {
	Domain string  `json:"domain"`
	Hours  float64 `json:"hours"`
}

// MeetingTeam is a configured proposed team and the share of its work
// that is meetings (analysis.Result.MeetingShare).
type MeetingTeam struct {
	Name         string  `json:"name"`
	MeetingShare float64 `json:"meeting_share"`
}

// buildMeetings is the meetings section, or nil without a calendar.
func buildMeetings(cfg *config.Config, res *analysis.Result, configured Grouping) *Meetings {
	if !res.HasCalendar {
		return nil
	}
	m := &Meetings{People: []MeetingPerson{}, Teams: []MeetingTeam{}}
	for _, p := range cfg.People {
		row := MeetingPerson{Name: p.Name, Domains: []DomainHours{}, UninterruptedHours: float64(res.Uninterrupted[p.Name]) / 3600}
		for _, d := range append(cfg.DomainNames(), config.Unclassified) {
			if s := res.MeetingSeconds[analysis.PersonDomain{Person: p.Name, Domain: d}]; s > 0 {
				row.Domains = append(row.Domains, DomainHours{Domain: d, Hours: float64(s) / 3600})
				row.Hours += float64(s) / 3600
			}
		}
		m.People = append(m.People, row)
	}
	for _, t := range configured.Teams {
		m.Teams = append(m.Teams, MeetingTeam{Name: t.Name, MeetingShare: res.MeetingShare(t.Domains)})
	}
	return m
}

// OnCall is the on-call load and the incident times.
type OnCall struct {
	// IncidentsPerShift is absent when PagerDuty is not configured.
	IncidentsPerShift *float64 `json:"incidents_per_shift,omitempty"`
	SustainableMax    float64  `json:"sustainable_max"`
	// MeanTimeToAcknowledge and MeanTimeToResolve are in seconds, by
	// domain; a domain with no qualifying incident is absent.
	MeanTimeToAcknowledge map[string]float64 `json:"mean_time_to_acknowledge_seconds"`
	MeanTimeToResolve     map[string]float64 `json:"mean_time_to_resolve_seconds"`
	// TimeToAcknowledge and TimeToResolve are the nearest-rank
	// percentiles over the same incidents, in seconds, by domain and
	// percentile ("50", "90").
	TimeToAcknowledge map[string]map[string]float64 `json:"time_to_acknowledge_percentiles_seconds"`
	TimeToResolve     map[string]map[string]float64 `json:"time_to_resolve_percentiles_seconds"`
	// SustainableTimeRatio is split.oncall_time_ratio, the cap on a
	// person's share of time on call.
	SustainableTimeRatio float64 `json:"sustainable_time_ratio"`
	// People is each person's time on call, in config order, and
	// Rotation the team's; both absent when PagerDuty is not configured.
	People   []OnCallPerson `json:"people,omitempty"`
	Rotation *Rotation      `json:"rotation,omitempty"`
}

// OnCallPerson is one person's time on call within the window
// (analysis.OnCallStats).
type OnCallPerson struct {
	Name string `json:"name"`
	// Seconds is the time on call by period; Ratio is their sum over
	// the window's length, and AboveCap is Ratio > the sustainable ratio.
	Seconds  map[string]int64 `json:"seconds"`
	Ratio    float64          `json:"ratio"`
	AboveCap bool             `json:"above_cap"`
	Shifts   int              `json:"shifts"`
	// Pages are the interruptions while on call.
	Pages         int     `json:"pages"`
	PagesPerShift float64 `json:"pages_per_shift"`
}

// Hours is the person's time on call in hours, by period.
func (o OnCallPerson) Hours(period string) float64 { return float64(o.Seconds[period]) / 3600 }

// Rotation is the team's on-call rotation (analysis.Rotation) against the
// SRE book's minimum.
type Rotation struct {
	People        []string `json:"people"`
	Size          int      `json:"size"`
	Sites         int      `json:"sites"`
	Minimum       int      `json:"minimum"`
	Shifts        int      `json:"shifts"`
	Pages         int      `json:"pages"`
	PagesPerShift float64  `json:"pages_per_shift"`
}

// Sentence says how the rotation compares with the book's minimum.
func (r *Rotation) Sentence() string {
	if r.Size == 0 {
		return "Nobody was on call within the window."
	}
	sites := "one site (one UTC offset)"
	minimum := fmt.Sprintf("%d for a single-site rotation", r.Minimum)
	if r.Sites > 1 {
		sites = fmt.Sprintf("%d sites (UTC offsets)", r.Sites)
		minimum = fmt.Sprintf("%d per site, %d", r.Minimum/r.Sites, r.Minimum)
	}
	verdict := "at or above it"
	if r.Size < r.Minimum {
		verdict = fmt.Sprintf("%d short", r.Minimum-r.Size)
	}
	return fmt.Sprintf("The rotation has %d %s across %s; the SRE book's minimum is %s: %s. %.2f pages per on-call shift (%d pages over %d shifts).",
		r.Size, plural(r.Size, "person", "people"), sites, minimum, verdict, r.PagesPerShift, r.Pages, r.Shifts)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// percentiles keys each domain's quantiles by percentile, "50" for 0.5.
func percentiles(byDomain map[string][]float64) map[string]map[string]float64 {
	out := make(map[string]map[string]float64, len(byDomain))
	for d, qs := range byDomain {
		out[d] = make(map[string]float64, len(qs))
		for i, v := range qs {
			out[d][analysis.Percentile(analysis.IncidentQuantiles[i])] = v
		}
	}
	return out
}

// DataQuality is what the rules missed.
type DataQuality struct {
	// UnclassifiedShare is the share of tracked items that no rule
	// matched.
	UnclassifiedShare  float64  `json:"unclassified_share"`
	RecentUnclassified []Item   `json:"recent_unclassified"`
	UnmatchedRules     []string `json:"unmatched_rules"`
}

// Item is a tracked item, for lists.
type Item struct {
	Source    string    `json:"source"`
	Kind      string    `json:"kind"`
	Key       string    `json:"key"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	UpdatedAt time.Time `json:"updated_at"`
	Domain    string    `json:"domain"`
	Rule      string    `json:"rule"`
}

// Source is when a source's data was collected: an input of Build, and
// the report's data section.
type Source struct {
	Name        string     `json:"name"`
	Up          bool       `json:"up"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	// Stale are the repositories that the last refresh could not read:
	// they keep the data of an earlier refresh, or none.
	Stale []string `json:"stale,omitempty"`
}

// Build makes the report of an analysis under its config, with when each
// source was collected. It reads only what it is given: the report depends
// on no collector and no API client.
func Build(cfg *config.Config, res *analysis.Result, sources []Source) *Report {
	r := &Report{GeneratedAt: res.Now.UTC(), Window: cfg.Window.String(), Sources: sources, privacy: newPrivacy(cfg)}
	if r.NotEnoughData = res.NotEnoughData(); r.NotEnoughData != "" {
		return r
	}

	r.AfterSplit = buildAfterSplit(cfg, res)
	r.Verdict = &Verdict{SplitRecommended: res.SplitRecommended, MinSignals: cfg.Split.MinSignals}
	for _, s := range res.Signals {
		r.Verdict.Signals = append(r.Verdict.Signals, Signal{Name: s.Name, Title: SignalTitle(s.Name), Value: s.Value, Threshold: s.Threshold, Holds: s.Holds})
	}

	total := 0
	byDomain := map[string]int{}
	for k, n := range res.PersonActivities {
		byDomain[k.Domain] += n
		total += n
	}
	for _, d := range append(cfg.DomainNames(), config.Unclassified) {
		share := 0.0
		if total > 0 {
			share = float64(byDomain[d]) / float64(total)
		}
		r.DomainShares = append(r.DomainShares, DomainShare{Domain: d, Share: share})
	}

	r.Splits = &Splits{Configured: configured(cfg, res), PeopleInTeam: PeopleInTeam(res)}
	if s := res.Suggested; s != nil {
		g := &Grouping{RemovedSwitchRatio: s.RemovedRatio}
		for i, domains := range s.Teams {
			g.Teams = append(g.Teams, team([]string{"team A", "team B"}[i], domains, res, s.Shares[i]))
		}
		r.Splits.Suggested = g
		var conf [][]string
		for _, t := range r.Splits.Configured.Teams {
			conf = append(conf, t.Domains)
		}
		r.Splits.SuggestedIsConfigured = sameTeams(conf, s.Teams[:])
	} else {
		r.Splits.SuggestedReason = res.SuggestedReason
	}

	for _, p := range cfg.People {
		ps := res.People[p.Name]
		row := Person{Name: p.Name, Interruptions: map[string]int{}, Joined: p.Joined, Left: p.Left}
		if ps != nil {
			row.SwitchesPerWorkday, row.Domains = ps.SwitchesPerWorkday, ps.Domains
			row.InTeamWorkdays, row.LeftOutOfMedian = ps.InTeamWorkdays, ps.LeftOutOfMedian
			if ps.Classified > 0 {
				row.FocusRatio, row.SwitchingLoss = ptr(ps.FocusRatio), ptr(ps.SwitchingLoss)
			}
		}
		for k, n := range res.Interruptions {
			if k.Person == p.Name {
				row.Interruptions[k.Period] += n
			}
		}
		for k, n := range res.PersonOpenItems {
			if k.Person == p.Name {
				row.OpenItems += n
			}
		}
		r.People = append(r.People, row)
	}

	r.Meetings = buildMeetings(cfg, res, r.Splits.Configured)

	r.OnCall = &OnCall{SustainableMax: config.DefaultOnCallPerShift, MeanTimeToAcknowledge: res.MTTA, MeanTimeToResolve: res.MTTR,
		TimeToAcknowledge: percentiles(res.TimeToAcknowledge), TimeToResolve: percentiles(res.TimeToResolve)}
	r.OnCall.SustainableTimeRatio = cfg.Split.OnCallTimeRatio
	if res.HasOnCall {
		r.OnCall.IncidentsPerShift = ptr(res.OnCallIncidentsPerShift)
		for _, p := range cfg.People {
			st := res.OnCall[p.Name]
			if st == nil {
				continue
			}
			r.OnCall.People = append(r.OnCall.People, OnCallPerson{Name: p.Name, Seconds: st.Seconds, Ratio: st.Ratio,
				AboveCap: st.Ratio > cfg.Split.OnCallTimeRatio, Shifts: st.Shifts, Pages: st.Pages, PagesPerShift: st.PagesPerShift()})
		}
		rot := res.Rotation
		people := rot.People
		if people == nil {
			people = []string{}
		}
		r.OnCall.Rotation = &Rotation{People: people, Size: len(rot.People), Sites: rot.Sites, Minimum: rot.Minimum,
			Shifts: rot.Shifts, Pages: rot.Pages, PagesPerShift: rot.PagesPerShift()}
	}

	r.DataQuality = &DataQuality{}
	unclassified := 0
	var recent []Item
	for _, c := range res.Classified {
		if c.Domain == config.Unclassified {
			unclassified++
			recent = append(recent, item(c))
		}
	}
	if n := len(res.Classified); n > 0 {
		r.DataQuality.UnclassifiedShare = float64(unclassified) / float64(n)
	}
	slices.SortFunc(recent, func(a, b Item) int {
		return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.Key, b.Key))
	})
	r.DataQuality.RecentUnclassified = recent[:min(20, len(recent))]
	r.DataQuality.UnmatchedRules = []string{}
	for _, rule := range cfg.Rules {
		if res.RuleMatched[rule.Name] == 0 {
			r.DataQuality.UnmatchedRules = append(r.DataQuality.UnmatchedRules, rule.Name)
		}
	}
	return r
}

// NewSource is a source's row of the data section; last is zero when the
// source has never published data.
func NewSource(name string, up bool, last time.Time, stale []string) Source {
	row := Source{Name: name, Up: up, Stale: stale}
	if !last.IsZero() {
		row.LastSuccess = ptr(last.UTC())
	}
	return row
}

func ptr[T any](v T) *T { return &v }

func item(c analysis.ClassifiedItem) Item {
	return Item{Source: c.Item.Source, Kind: c.Item.Kind, Key: c.Item.Key, Title: c.Item.Title, URL: c.Item.URL,
		UpdatedAt: time.Unix(max(c.Item.UpdatedAt, c.Item.CreatedAt), 0).UTC(), Domain: c.Domain, Rule: c.Rule}
}

// configured is the grouping of the config's proposed_team values.
func configured(cfg *config.Config, res *analysis.Result) Grouping {
	g := Grouping{RemovedSwitchRatio: res.CrossTeamSwitchRatio}
	byTeam := map[string][]string{}
	for _, d := range cfg.Domains {
		byTeam[d.ProposedTeam] = append(byTeam[d.ProposedTeam], d.Name)
	}
	for _, n := range cfg.ProposedTeams() {
		g.Teams = append(g.Teams, team(n, byTeam[n], res, res.TeamActivityRatio[n]))
	}
	return g
}

// sameTeams reports whether two groupings have the same teams, each a set
// of domains, whatever the order of the teams and of their domains.
func sameTeams(a, b [][]string) bool {
	key := func(g [][]string) []string {
		var out []string
		for _, t := range g {
			t = slices.Clone(t)
			slices.Sort(t)
			out = append(out, strings.Join(t, "\x00"))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// PeopleInTeam is the number of configured people in the team within the
// window: those whose span in the team (joined to left) overlaps it, by any
// amount. A person who joined on the window's last day counts as one; one
// who left before it began does not count.
func PeopleInTeam(res *analysis.Result) int {
	n := 0
	for _, ps := range res.People {
		if ps.InTeamWorkdays > 0 {
			n++
		}
	}
	return n
}

// EquivalentHeadcount is the definition (README "Equivalent headcount"):
// a proposed team's share of all classified activity × the number of
// people in the team within the window (PeopleInTeam). It is a proportion
// of today's work, not hours: with 3 people, a team with 49% of the
// classified activity is 1.47 people's worth of what the team does now.
func EquivalentHeadcount(res *analysis.Result, share float64) float64 {
	return share * float64(PeopleInTeam(res))
}

func team(name string, domains []string, res *analysis.Result, share float64) Team {
	t := Team{Name: name, Domains: domains, ActivityShare: share, EquivalentHeadcount: EquivalentHeadcount(res, share)}
	for _, d := range domains {
		t.PlannedHoursPerWeek += res.DomainPlannedHours[d]
	}
	t.PlannedFTE = analysis.FTE(t.PlannedHoursPerWeek)
	return t
}

// Classified lists every tracked item with its domain and the rule that
// decided it, for tuning rules: by source, then key; a meeting's person
// in its key as privacy.people shows them.
func Classified(cfg *config.Config, res *analysis.Result, unclassifiedOnly bool, source string) []Item {
	p := newPrivacy(cfg)
	var out []Item
	for _, c := range res.Classified {
		if unclassifiedOnly && c.Domain != config.Unclassified || source != "" && c.Item.Source != source {
			continue
		}
		it := item(c)
		it.Key = p.key(it)
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b Item) int { return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Key, b.Key)) })
	return out
}
