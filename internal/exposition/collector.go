// Package exposition serves the published View as Prometheus metrics: the
// Collector, built from the View's analysis and source statuses, and the
// /metrics handler, which encodes (and compresses) the snapshot's metrics
// once per View and never calls an API.
package exposition

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
)

const namespace = "sre_workload"

// fromRefresh ends every HELP text of a snapshot metric: the values are not
// fetched at scrape time.
const fromRefresh = " Computed by the background refresh, not at scrape time."

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help+fromRefresh, labels, nil)
}

// Collector serves the current View as constant metrics. A scrape reads one
// atomic pointer and calls no API.
type Collector struct {
	view func() *refresh.View

	openItems, openedItems, closedItems *prometheus.Desc
	personOpenItems, personActivities   *prometheus.Desc
	domainInfo, ruleMatched             *prometheus.Desc
	sourceUp, lastSuccess, duration     *prometheus.Desc
	staleRepositories                   *prometheus.Desc

	switches, switchesPerWorkday, personDomains *prometheus.Desc
	focusRatio, switchingLoss, interruptions    *prometheus.Desc
	mtta, mttr, oncallPerShift                  *prometheus.Desc
	ttaQuantiles, ttrQuantiles                  *prometheus.Desc
	teamActivityRatio, crossTeamSwitchRatio     *prometheus.Desc
	signal, signalValue, signalThreshold        *prometheus.Desc
	splitRecommended, refreshInterval           *prometheus.Desc
	suggestedRatio                              *prometheus.Desc
	personPlanned, teamPlanned                  *prometheus.Desc
	oncallSeconds, oncallRatio, oncallCap       *prometheus.Desc
	rotationSize, rotationRatio, rotationLoad   *prometheus.Desc
	busFactor, suggestedTeam, staffingGap       *prometheus.Desc
	meetingSeconds, uninterrupted               *prometheus.Desc
	teamActivities                              *prometheus.Desc
	calendarSkipped                             *prometheus.Desc
}

// NewCollector serves whatever view returns at each scrape.
func NewCollector(view func() *refresh.View) *Collector {
	return &Collector{
		view:              view,
		openItems:         desc("open_items", "Items open now: GitHub issues and pull requests in state open, PagerDuty incidents triggered or acknowledged.", "source", "kind", "domain"),
		openedItems:       desc("opened_items", "Items created within the rolling window.", "source", "kind", "domain"),
		closedItems:       desc("closed_items", "Items closed within the rolling window: issues closed, pull requests merged or closed, incidents resolved other than by a merge into another incident.", "source", "kind", "domain"),
		personOpenItems:   desc("person_open_items", "Open GitHub issues and pull requests assigned to the person, plus open incidents assigned to them; an item counts once per person.", "person", "domain"),
		teamActivities:    desc("team_activities", "The team's activities within the rolling window: every configured person's, by source and domain; the same in every privacy.people mode, under aggregate too.", "source", "domain"),
		personActivities:  desc("person_activities", "The person's activities (opening, commenting, closing, merging, reopening, acknowledging, resolving, annotating, being notified) within the rolling window.", "person", "source", "domain"),
		domainInfo:        desc("domain_info", "One series per declared domain, with the team it would belong to after a split; always 1.", "domain", "proposed_team"),
		ruleMatched:       desc("rule_matched_items", "Tracked items whose domain this rule decided.", "rule"),
		sourceUp:          desc("source_up", "1 if the source's last refresh read everything it should, else 0 (it failed, or some repositories kept older data).", "source"),
		lastSuccess:       desc("source_last_success_timestamp_seconds", "Unix time at which the source's last refresh that published new data finished (complete, or partial: see source_stale_repositories).", "source"),
		staleRepositories: desc("source_stale_repositories", "Repositories that the source's last refresh that published data could not read; they keep the data of an earlier refresh, or none before their first. Their names are in the log and the report.", "source"),
		duration:          desc("source_refresh_duration_seconds", "How long the source's last refresh took.", "source"),

		switches:           desc("person_context_switches", "Context switches within the window: consecutive pairs of the person's classified activities in different domains on the same calendar date in the person's time zone.", "person"),
		switchesPerWorkday: desc("person_context_switches_per_workday", "The person's context switches within the window divided by their workdays in the team within it (days x 5/7); absent under one workday.", "person"),
		personDomains:      desc("person_domains", "Domains with at least one classified activity by the person within the window.", "person"),
		focusRatio:         desc("person_focus_ratio", "Share of the person's classified activities within the window that fall in their most frequent domain; absent for a person with no classified activity.", "person"),
		switchingLoss:      desc("person_estimated_switching_loss_ratio", "Estimated share of time lost to switching, from a published rule of thumb (Weinberg, Quality Software Management vol. 1, 1992): 0, 0.20, 0.40, 0.60, 0.75 for 1, 2, 3, 4, 5+ domains holding at least 10% of the person's classified activities. An estimate, not a measurement.", "person"),
		interruptions:      desc("person_interruptions", "Non-e-mail PagerDuty notifications to the person within the window, not counting one less than 60 s after the last counted, by incident domain and period in the person's time zone (PagerDuty Responder Insights definitions).", "person", "domain", "period"),
		mtta:               desc("incident_mean_time_to_acknowledge_seconds", "Mean time from creation to the first acknowledgement, by anyone, over incidents created within the window; never-acknowledged incidents are left out.", "domain"),
		mttr:               desc("incident_mean_time_to_resolve_seconds", "Mean time from creation to the resolve log entry (or resolved_at), over resolved incidents created within the window; incidents merged into another are left out.", "domain"),
		// Summaries, so that the quantile label is where Prometheus expects
		// it; their _sum and _count are over the incidents of the mean,
		// within the rolling window, so unlike a cumulative summary's they
		// can go down.
		ttaQuantiles: prometheus.NewDesc(prometheus.BuildFQName(namespace, "", "incident_time_to_acknowledge_seconds"),
			"Nearest-rank quantiles (the smallest time such that at least that share of the times are at most it) of the times from creation to the first acknowledgement, over the incidents of the mean; _sum and _count are over the same incidents within the window, not cumulative."+fromRefresh, []string{"domain"}, nil),
		ttrQuantiles: prometheus.NewDesc(prometheus.BuildFQName(namespace, "", "incident_time_to_resolve_seconds"),
			"Nearest-rank quantiles (the smallest time such that at least that share of the times are at most it) of the times from creation to resolution, over the incidents of the mean; _sum and _count are over the same incidents within the window, not cumulative."+fromRefresh, []string{"domain"}, nil),
		oncallPerShift:       desc("oncall_incidents_per_shift", "High-urgency incidents created within the window per 12-hour shift in it; the SRE book sets the sustainable load at no more than 2."),
		teamActivityRatio:    desc("proposed_team_activity_ratio", "Share of all classified activities of all people that lie in this proposed team's domains.", "proposed_team"),
		crossTeamSwitchRatio: desc("split_cross_team_switch_ratio", "Share of all context switches whose two domains belong to different proposed teams: the switching a split would remove; 0 when there are no switches."),
		signal:               desc("split_signal", "1 when the split signal's value is at least its threshold, else 0; absent when the signal is disabled or cannot be computed, and until every configured source has completed a refresh.", "signal"),
		signalValue:          desc("split_signal_value", "The measured value that the split signal compares with its threshold.", "signal"),
		signalThreshold:      desc("split_signal_threshold", "The split signal's configured threshold.", "signal"),
		splitRecommended:     desc("split_recommended", "1 when at least split.min_signals split signals hold, else 0; absent until every configured source has completed a refresh."),
		suggestedRatio:       desc("split_suggested_cross_team_switch_ratio", "Share of all context switches that the best grouping of the domains into two teams would remove, each team holding at least split.secondary_team_share of the activity; absent when no grouping qualifies."),
		personPlanned:        desc("person_planned_fte_ratio", "The person's share of the inventory's recurring duties, in full-time equivalents: hours a week over a 40-hour week (0.25 is 10 hours a week); a duty's hours are split evenly between its owners. Planned load, not activities.", "person", "domain"),
		teamPlanned:          desc("proposed_team_planned_fte_ratio", "The inventory's recurring duties in this proposed team's domains, in full-time equivalents: hours a week over a 40-hour week (1.5 is one and a half people's time).", "proposed_team"),
		oncallSeconds:        desc("person_oncall_seconds", "Time within the window during which the person was on call at any escalation level: the union of their PagerDuty on-call entries (overlapping schedules count once) within their span in the team, by period in the person's time zone.", "person", "period"),
		oncallRatio:          desc("person_oncall_ratio", "The person's on-call time within the window (person_oncall_seconds over all periods) divided by the window's length.", "person"),
		oncallCap: prometheus.NewDesc(prometheus.BuildFQName(namespace, "", "oncall_sustainable_ratio"),
			"The sustainable share of a person's time on call, from split.oncall_time_ratio (the SRE book's cap, 0.25, by default); present whenever PagerDuty is configured.", nil, nil),
		rotationSize:    desc("split_rotation_size", "People in the proposed team's on-call rotation under the model: per_team, the people the suggested assignment puts in the team; shared, everyone in the team within the window.", "proposed_team", "model"),
		rotationRatio:   desc("split_rotation_oncall_ratio", "Each member's share of time on call in the proposed team's rotation under the model: 1 over its size; absent for a rotation of nobody.", "proposed_team", "model"),
		rotationLoad:    desc("split_rotation_incidents_per_shift", "The window's high-urgency incidents replayed onto the proposed team's rotation under the model (per_team: those of its domains; shared: all), per 12-hour shift.", "proposed_team", "model"),
		busFactor:       desc("domain_bus_factor", "The smallest number of people whose activities make up at least half of the domain's classified activity within the window; absent for a domain with none.", "domain"),
		suggestedTeam:   desc("person_suggested_team_info", "The proposed team the suggested assignment puts the person in (the team holding most of their classified activity); always 1.", "person", "proposed_team"),
		staffingGap:     desc("proposed_team_staffing_gap", "People the proposed team needs (its equivalent headcount, plus its planned duties in FTE, plus the people its own rotation would still need under split.rotation: per_team) less the people the suggested assignment gives it; negative is spare.", "proposed_team"),
		meetingSeconds:  desc("person_meeting_seconds", "The person's meeting time within the window, by the meetings' domain: the union of their calendar's meetings (overlapping meetings count once, each instant to the meeting that began first), within their span in the team.", "person", "domain"),
		uninterrupted:   desc("person_uninterrupted_seconds", "Within the person's working hours in the window, the total length of the gaps of at least analysis.uninterrupted_min (2 h by default) with no meeting and no page.", "person"),
		calendarSkipped: desc("calendar_skipped_events", "Events of the people's calendars that overlap the window and are not meetings, by reason: all_day, cancelled (a series or one occurrence), declined (the person's own PARTSTAT=DECLINED), too_long (over 24 hours), invalid (unreadable dates, zones or rules); a series counts once.", "reason"),
		refreshInterval: prometheus.NewDesc(prometheus.BuildFQName(namespace, "", "refresh_interval_seconds"),
			"The configured refresh_interval: how often each source is refreshed in the background.", nil, nil),
	}
}

// Describe sends every descriptor.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.openItems, c.openedItems, c.closedItems, c.personOpenItems,
		c.personActivities, c.domainInfo, c.ruleMatched, c.sourceUp, c.lastSuccess, c.duration, c.staleRepositories,
		c.switches, c.switchesPerWorkday, c.personDomains, c.focusRatio, c.switchingLoss, c.interruptions,
		c.mtta, c.mttr, c.ttaQuantiles, c.ttrQuantiles, c.oncallPerShift, c.teamActivityRatio, c.crossTeamSwitchRatio,
		c.signal, c.signalValue, c.signalThreshold, c.splitRecommended, c.refreshInterval,
		c.suggestedRatio, c.personPlanned, c.teamPlanned, c.oncallSeconds, c.oncallRatio, c.oncallCap,
		c.rotationSize, c.rotationRatio, c.rotationLoad, c.busFactor, c.suggestedTeam, c.staffingGap, c.meetingSeconds, c.uninterrupted, c.calendarSkipped, c.teamActivities} {
		ch <- d
	}
}

// summary sends the quantiles qs (of analysis.IncidentQuantiles) of n
// values whose mean is mean, as a constant summary.
func summary(ch chan<- prometheus.Metric, d *prometheus.Desc, n int, mean float64, qs []float64, labels ...string) {
	quantiles := make(map[float64]float64, len(qs))
	for i, v := range qs {
		quantiles[analysis.IncidentQuantiles[i]] = v
	}
	ch <- prometheus.MustNewConstSummary(d, uint64(n), mean*float64(n), quantiles, labels...)
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

// Collect sends the current View. Every declared domain (and unclassified)
// of every configured source is sent, as 0 when it has no work, so that
// dashboards show 0 rather than a gap.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	v := c.view()
	cfg, res := v.Config, v.Analysis
	domains := append(cfg.DomainNames(), config.Unclassified)

	for _, s := range v.Sources {
		up := 0.0
		if s.Up {
			up = 1
		}
		gauge(ch, c.sourceUp, up, s.Name)
		if !s.LastSuccess.IsZero() {
			gauge(ch, c.lastSuccess, float64(s.LastSuccess.UnixNano())/1e9, s.Name)
		}
		if s.Refreshed {
			gauge(ch, c.duration, s.Duration.Seconds(), s.Name)
		}
		if s.Name == model.SourceGitHub {
			gauge(ch, c.staleRepositories, float64(len(s.Stale)), s.Name)
		}
	}
	gauge(ch, c.refreshInterval, time.Duration(cfg.RefreshInterval).Seconds())
	for _, d := range cfg.Domains {
		gauge(ch, c.domainInfo, 1, d.Name, d.ProposedTeam)
	}
	for _, r := range cfg.Rules {
		gauge(ch, c.ruleMatched, float64(res.RuleMatched[r.Name]), r.Name)
	}
	for _, src := range cfg.Sources() {
		for _, kind := range model.KindsOf(src) {
			for _, d := range domains {
				n := res.Items[analysis.CountKey{Source: src, Kind: kind, Domain: d}]
				gauge(ch, c.openItems, float64(n.Open), src, kind, d)
				gauge(ch, c.openedItems, float64(n.Opened), src, kind, d)
				gauge(ch, c.closedItems, float64(n.Closed), src, kind, d)
			}
		}
	}
	for _, src := range cfg.Sources() {
		for _, d := range domains {
			n := 0
			for _, p := range cfg.People {
				n += res.PersonActivities[analysis.PersonSourceDomain{Person: p.Name, Source: src, Domain: d}]
			}
			gauge(ch, c.teamActivities, float64(n), src, d)
		}
	}
	for _, p := range shownPeople(cfg) {
		for _, d := range domains {
			gauge(ch, c.personOpenItems, float64(res.PersonOpenItems[analysis.PersonDomain{Person: p.Name, Domain: d}]), p.Label, d)
			for _, src := range cfg.Sources() {
				gauge(ch, c.personActivities, float64(res.PersonActivities[analysis.PersonSourceDomain{Person: p.Name, Source: src, Domain: d}]), p.Label, src, d)
			}
		}
	}
	c.collectSplit(ch, cfg, res, domains)
}

// collectSplit sends the split analysis: people measures, interruptions,
// incident times, team shares and signals. None of it is sent while the
// analysis waits for a source's data (analysis.Result.Waiting): a verdict,
// or a measure, from data that is not whole would be computed from nothing.
// The planned load comes from the config alone and is always sent.
func (c *Collector) collectSplit(ch chan<- prometheus.Metric, cfg *config.Config, res *analysis.Result, domains []string) {
	c.collectPlanned(ch, cfg, res)
	if cfg.PagerDuty != nil {
		gauge(ch, c.oncallCap, cfg.Split.OnCallTimeRatio)
	}
	if len(res.Waiting) > 0 {
		return
	}
	for _, p := range shownPeople(cfg) {
		ps := res.People[p.Name]
		if ps == nil {
			continue
		}
		gauge(ch, c.switches, float64(ps.Switches), p.Label)
		// Under one workday in the team within the window, a rate per
		// workday means little: the person is left out of the
		// context_switching median, and the series is absent, so that
		// the median's recording rule and the alert leave them out too.
		if !ps.LeftOutOfMedian {
			gauge(ch, c.switchesPerWorkday, ps.SwitchesPerWorkday, p.Label)
		}
		gauge(ch, c.personDomains, float64(ps.Domains), p.Label)
		if ps.Classified > 0 {
			gauge(ch, c.focusRatio, ps.FocusRatio, p.Label)
			gauge(ch, c.switchingLoss, ps.SwitchingLoss, p.Label)
		}
		if cfg.PagerDuty != nil {
			for _, d := range domains {
				for _, period := range analysis.Periods {
					gauge(ch, c.interruptions, float64(res.Interruptions[analysis.PersonDomainPeriod{Person: p.Name, Domain: d, Period: period}]), p.Label, d, period)
				}
			}
		}
	}
	for _, d := range domains {
		if v, ok := res.MTTA[d]; ok {
			gauge(ch, c.mtta, v, d)
		}
		if v, ok := res.MTTR[d]; ok {
			gauge(ch, c.mttr, v, d)
		}
		if qs, ok := res.TimeToAcknowledge[d]; ok {
			summary(ch, c.ttaQuantiles, res.Acknowledged[d], res.MTTA[d], qs, d)
		}
		if qs, ok := res.TimeToResolve[d]; ok {
			summary(ch, c.ttrQuantiles, res.Resolved[d], res.MTTR[d], qs, d)
		}
	}
	if res.HasOnCall {
		gauge(ch, c.oncallPerShift, res.OnCallIncidentsPerShift)
		for _, p := range shownPeople(cfg) {
			if st := res.OnCall[p.Name]; st != nil {
				for _, period := range analysis.Periods {
					gauge(ch, c.oncallSeconds, float64(st.Seconds[period]), p.Label, period)
				}
				gauge(ch, c.oncallRatio, st.Ratio, p.Label)
			}
		}
	}
	for team, v := range res.TeamActivityRatio {
		gauge(ch, c.teamActivityRatio, v, team)
	}
	gauge(ch, c.crossTeamSwitchRatio, res.CrossTeamSwitchRatio)
	for _, s := range res.Signals {
		holds := 0.0
		if s.Holds {
			holds = 1
		}
		gauge(ch, c.signal, holds, s.Name)
		gauge(ch, c.signalValue, s.Value, s.Name)
		gauge(ch, c.signalThreshold, s.Threshold, s.Name)
	}
	recommended := 0.0
	if res.SplitRecommended {
		recommended = 1
	}
	gauge(ch, c.splitRecommended, recommended)
	if res.Suggested != nil {
		gauge(ch, c.suggestedRatio, res.Suggested.RemovedRatio)
	}
	c.collectAfterSplit(ch, cfg, res)
	if res.HasCalendar {
		for _, p := range shownPeople(cfg) {
			for _, d := range domains {
				gauge(ch, c.meetingSeconds, float64(res.MeetingSeconds[analysis.PersonDomain{Person: p.Name, Domain: d}]), p.Label, d)
			}
			gauge(ch, c.uninterrupted, float64(res.Uninterrupted[p.Name]), p.Label)
		}
		for _, reason := range model.SkipReasons {
			gauge(ch, c.calendarSkipped, float64(res.CalendarSkipped[reason]), reason)
		}
	}
}

// collectAfterSplit sends what a split would mean: the rotations, the
// suggested assignment, the bus factors and the staffing gaps.
func (c *Collector) collectAfterSplit(ch chan<- prometheus.Metric, cfg *config.Config, res *analysis.Result) {
	a := res.AfterSplit
	if a == nil {
		return
	}
	for _, rot := range a.Rotations {
		gauge(ch, c.rotationSize, float64(len(rot.Members)), rot.Team, rot.Model)
		if len(rot.Members) > 0 {
			gauge(ch, c.rotationRatio, rot.Ratio, rot.Team, rot.Model)
		}
		gauge(ch, c.rotationLoad, rot.IncidentsPerShift, rot.Team, rot.Model)
	}
	for _, d := range cfg.Domains {
		if n, ok := a.BusFactor[d.Name]; ok {
			gauge(ch, c.busFactor, float64(n), d.Name)
		}
	}
	for _, as := range a.Assignment {
		if cfg.Privacy.Mode() != config.PrivacyAggregate {
			gauge(ch, c.suggestedTeam, 1, cfg.Shown(cfg.Privacy.Mode(), as.Person), as.Team)
		}
	}
	for _, st := range a.Staffing {
		gauge(ch, c.staffingGap, st.Gap, st.Team)
	}
}

// collectPlanned sends the inventory's planned load, when there is one.
func (c *Collector) collectPlanned(ch chan<- prometheus.Metric, cfg *config.Config, res *analysis.Result) {
	if len(cfg.Inventory) > 0 {
		for _, p := range shownPeople(cfg) {
			for _, d := range cfg.Domains {
				gauge(ch, c.personPlanned, analysis.FTE(res.PlannedHours[analysis.PersonDomain{Person: p.Name, Domain: d.Name}]), p.Label, d.Name)
			}
		}
		for _, team := range cfg.ProposedTeams() {
			gauge(ch, c.teamPlanned, analysis.FTE(res.TeamPlannedHours[team]), team)
		}
	}
}

// shownPerson is a configured person: their name, to look their figures
// up, and their person label under privacy.people.
type shownPerson struct{ Name, Label string }

// shownPeople are the people whose series are sent, in config order: all
// of them, by name or by pseudonym, or none under privacy.people:
// aggregate, where only team-level series are sent.
func shownPeople(cfg *config.Config) []shownPerson {
	mode := cfg.Privacy.Mode()
	if mode == config.PrivacyAggregate {
		return nil
	}
	out := make([]shownPerson, len(cfg.People))
	for i, p := range cfg.People {
		out[i] = shownPerson{Name: p.Name, Label: cfg.Shown(mode, p.Name)}
	}
	return out
}
