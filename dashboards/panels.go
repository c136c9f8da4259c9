package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// The filters that the template variables apply. Every metric selector
// of every panel carries exporter: the job and instance variables pick one
// exporter (one team), so that two exporters in one Prometheus never mix.
// Aggregations keep job and instance in their by-clause too, so that a
// query that selects more than one exporter still keeps them apart.
const (
	exporter       = `job=~"$job", instance=~"$instance"`
	byPerson       = exporter + `, person=~"$person"`
	byDomain       = exporter + `, domain=~"$domain"`
	byPersonDomain = exporter + `, person=~"$person", domain=~"$domain"`
)

// overview is "Should we split?".
func overview() Dashboard {
	l := &layout{}

	l.row("Should we split?")
	l.add(newStat("Split recommended?", units.NoUnit,
		describe("1 (red) when at least split.min_signals of the split signals hold, else 0 (green). The signals are in the next panels.", "split-signals")).
		ColorMode(common.BigValueColorModeBackground).
		Targets(queries(instant(`max by (job, instance) (sre_workload_split_recommended{`+exporter+`})`, ""))).
		Thresholds(thresholds("green", step{"red", 1})).
		Mappings(valueText("Not yet", "green", "Split recommended", "red")), 6, 7)
	l.add(newGauge("Split signals against their thresholds", units.PercentUnit,
		describe("Each split signal's measured value as a share of its configured threshold: the marker at 100% is the threshold, and a signal at or above it holds. Disabled signals, and signals that cannot be computed (org_ratio without org_headcount), are not shown.", "split-signals")).
		Targets(queries(instant(`sre_workload_split_signal_value{`+exporter+`} / sre_workload_split_signal_threshold{`+exporter+`}`, "{{signal}}"))).
		Min(0).Max(2).
		Thresholds(thresholds("green", step{"red", 1})), 12, 7)
	l.add(newStat("Switching a split would remove", units.PercentUnit,
		describe("Share of all context switches whose two domains belong to different proposed teams: the context switching that splitting along proposed_team would remove.", "split-analysis-definitions")).
		Targets(queries(instant(`max by (job, instance) (sre_workload_split_cross_team_switch_ratio{`+exporter+`})`, ""))).
		Min(0).Max(1), 6, 7)
	l.add(newStat("Switching the suggested split would remove", units.PercentUnit,
		describe("Share of all context switches that the best grouping of the domains into two teams would remove (each team holding at least the secondary team share of the activity); compare with the configured split beside it. Absent when no grouping qualifies.", "the-suggested-split")).
		Targets(queries(instant(`max by (job, instance) (sre_workload_split_suggested_cross_team_switch_ratio{`+exporter+`})`, ""))).
		Min(0).Max(1), 6, 6)
	l.add(newTable("Split signals: value, threshold, holds", units.NoUnit,
		describe("Each enabled split signal's measured value, its configured threshold, and whether it holds (value at least threshold).", "split-signals")).
		Targets(queries(
			tableQuery(`max by (job, instance, signal) (sre_workload_split_signal_value{`+exporter+`})`),
			tableQuery(`max by (job, instance, signal) (sre_workload_split_signal_threshold{`+exporter+`})`),
			tableQuery(`max by (job, instance, signal) (sre_workload_split_signal{`+exporter+`})`),
		)).
		Decimals(2).
		Transformations([]dashboard.DataTransformerConfig{
			{Id: "merge", Options: map[string]any{}},
			{Id: "organize", Options: map[string]any{
				"excludeByName": map[string]bool{"Time": true, "job": true, "instance": true},
				"renameByName":  map[string]string{"Value #A": "value", "Value #B": "threshold", "Value #C": "holds (1 = yes)"},
			}},
		}), 18, 6)

	l.row("Where the work goes")
	l.add(stackedArea(newTimeseries("Activity share by domain", units.PercentUnit,
		describe("Each domain's share of all the team's activities within the rolling window (recording rule instance_domain:sre_workload_team_activities:ratio, from the team-level sre_workload_team_activities, so it works under privacy.people: aggregate too). A growing unclassified share means the rules need tuning.", "metrics"))).
		Targets(queries(q(`instance_domain:sre_workload_team_activities:ratio{`+byDomain+`}`, "{{domain}}"))).
		Max(1), 12, 8)
	l.add(newTimeseries("Activity share by proposed team", units.PercentUnit,
		describe("Each proposed team's share of all classified activities within the window (sre_workload_proposed_team_activity_ratio), with the secondary_team_share threshold: when the smallest team is above the line, it would have enough work of its own.", "split-signals")).
		Targets(queries(
			q(`sre_workload_proposed_team_activity_ratio{`+exporter+`}`, "{{proposed_team}}"),
			q(`max by (job, instance) (sre_workload_split_signal_threshold{`+exporter+`, signal="secondary_team_share"})`, "secondary team threshold"),
		)).
		Max(1), 12, 8)
	for _, m := range []struct{ metric, title, text string }{
		{"sre_workload_opened_items", "Items opened in the window", "Issues, pull requests and incidents created within the rolling window, by domain and kind."},
		{"sre_workload_closed_items", "Items closed in the window", "Issues closed, pull requests merged or closed, and incidents resolved within the rolling window, by domain and kind."},
		{"sre_workload_open_items", "Open items", "Issues and pull requests open now, and incidents triggered or acknowledged now, by domain and kind."},
	} {
		l.add(stackedBars(newTimeseries(m.title, units.Short, describe(m.text, "metrics"))).
			Targets(queries(q(`sum by (job, instance, domain, kind) (`+m.metric+`{`+byDomain+`})`, "{{domain}} {{kind}}"))), 8, 8)
	}

	l.add(newBarGauge("Planned duties per proposed team, in FTE", units.Short,
		describe("The duty inventory's recurring work in each proposed team's domains, in full-time equivalents (hours a week over a 40-hour week). Planned load that never becomes an issue or an incident.", "the-duty-inventory")).
		Targets(queries(instant(`sre_workload_proposed_team_planned_fte_ratio{`+exporter+`}`, "{{proposed_team}}"))).
		Decimals(2), 8, 8)
	l.add(newTable("Planned FTE per person and domain", units.Short,
		describe("Each person's share of the duty inventory, in full-time equivalents (hours a week over a 40-hour week), by domain; a duty's hours are split evenly between its owners.", "the-duty-inventory")).
		Targets(queries(tableQuery(`sum by (job, instance, person, domain) (sre_workload_person_planned_fte_ratio{`+byPersonDomain+`})`))).
		Decimals(2).
		Transformations(matrix("person", "domain")), 16, 8)

	l.row("People")
	l.add(newTimeseries("Context switches per workday", units.Short,
		describe("Each person's context switches within the window divided by their workdays in the team within it (days x 5/7; absent under one workday), the team median (recording rule), and the context_switching split threshold.", "context-switch")).
		Targets(queries(
			q(`sre_workload_person_context_switches_per_workday{`+byPerson+`}`, "{{person}}"),
			q(`instance:sre_workload_person_context_switches_per_workday:median{`+exporter+`}`, "team median"),
			q(`max by (job, instance) (sre_workload_split_signal_threshold{`+exporter+`, signal="context_switching"})`, "split threshold"),
		)), 12, 8)
	l.add(newTimeseries("Focus ratio", units.PercentUnit,
		describe("Share of each person's classified activities that fall in their most frequent domain. Absent for a person with no classified activity.", "focus-ratio")).
		Targets(queries(q(`sre_workload_person_focus_ratio{`+byPerson+`}`, "{{person}}"))).
		Max(1), 12, 8)
	l.add(newBarGauge("Estimated switching loss", units.PercentUnit,
		describe("Weinberg's rule of thumb (1992): the share of time lost to switching between the domains that hold at least 10% of the person's work. An estimate from a published rule, not a measurement.", "estimated-switching-loss")).
		Targets(queries(instant(`sre_workload_person_estimated_switching_loss_ratio{`+byPerson+`}`, "{{person}}"))).
		Max(0.75).
		Thresholds(thresholds("green", step{"yellow", 0.2}, step{"red", 0.4})), 8, 8)
	l.add(newBarGauge("Domains per person", units.Short,
		describe("Domains in which the person had at least one classified activity within the window.", "metrics")).
		Targets(queries(instant(`sre_workload_person_domains{`+byPerson+`}`, "{{person}}"))).
		Thresholds(thresholds("green", step{"yellow", 3}, step{"red", 4})), 8, 8)
	l.add(newTable("Open items per person by domain", units.Short,
		describe("Open GitHub issues and pull requests assigned to each person, plus open incidents assigned to them, by domain; an item counts once per person.", "metrics")).
		Targets(queries(tableQuery(`sum by (job, instance, person, domain) (sre_workload_person_open_items{`+byPersonDomain+`})`))).
		Transformations(matrix("person", "domain")), 8, 8)

	l.row("Meetings")
	l.add(stackedBars(newTimeseries("Meeting hours by domain", units.Hours,
		describe("The people's meeting time within the window, by the meetings' domain: for each person the union of their calendar's meetings (overlapping meetings count once). Meetings are planned work that never becomes an issue: the corporate side's access reviews, vendor reviews and audits are largely here. Empty without a calendar section.", "meeting-time-and-uninterrupted-time"))).
		Targets(queries(q(`sum by (job, instance, domain) (sre_workload_person_meeting_seconds{`+byPersonDomain+`}) / 3600`, "{{domain}}"))), 8, 8)
	l.add(newTimeseries("Uninterrupted hours per person", units.Hours,
		describe("Within each person's working hours in the window, the total length of the gaps of at least analysis.uninterrupted_min (2 h by default) with no meeting and no page: the maker's time that meetings and interruptions leave. Empty without a calendar section.", "meeting-time-and-uninterrupted-time")).
		Targets(queries(q(`sre_workload_person_uninterrupted_seconds{`+byPerson+`} / 3600`, "{{person}}"))), 8, 8)
	l.add(newBarGauge("Calendar events that are not meetings", units.Short,
		describe("Events of the people's calendars overlapping the window that the exporter left out, by reason: all-day events, cancelled events or occurrences, the person's own declined invitations, events over 24 hours, and unreadable ones (invalid: look at the feed). A series counts once. Empty without a calendar section.", "meeting-time-and-uninterrupted-time")).
		Targets(queries(instant(`max by (job, instance, reason) (sre_workload_calendar_skipped_events{`+exporter+`})`, "{{reason}}"))), 8, 8)

	l.row("On-call")
	l.add(newTable("Interruptions by period", units.Short,
		describe("Non-e-mail pages to each person within the window, deduplicated over 60 s, by period in the person's time zone: business hours (Mon-Fri 08-18), off hours, and sleep hours (22-08).", "interruption")).
		Targets(queries(tableQuery(`sum by (job, instance, person, period) (sre_workload_person_interruptions{`+byPersonDomain+`})`))).
		Transformations(matrix("person", "period")), 8, 8)
	l.add(newTimeseries("Sleep-hour interruptions", units.Short,
		describe("Pages between 22:00 and 08:00 in each person's time zone, within the window (recording rule instance_person_period:sre_workload_person_interruptions:sum).", "interruption")).
		Targets(queries(q(`instance_person_period:sre_workload_person_interruptions:sum{`+byPerson+`, period="sleep_hours"}`, "{{person}}"))), 8, 8)
	l.add(thresholdLine(newTimeseries("Incidents per 12-hour shift", units.Short,
		describe("High-urgency incidents created within the window per 12-hour shift. The red line is the SRE book's sustainable maximum of 2.", "on-call-load"))).
		Targets(queries(q(`sre_workload_oncall_incidents_per_shift{`+exporter+`}`, "incidents per shift"))).
		Thresholds(thresholds("green", step{"red", 2})), 8, 8)
	l.add(dashedLine(newTimeseries("On-call share against the cap", units.PercentUnit,
		describe("Each person's share of the analysis window during which they were on call at any escalation level (the union of their PagerDuty on-call entries), and, dashed, the sustainable cap (split.oncall_time_ratio, by default the SRE book's 25%). The SREOnCallTimeAboveCap alert fires for a person above the line for 6 hours.", "on-call-time")), "B").
		Targets(queries(
			q(`sre_workload_person_oncall_ratio{`+byPerson+`}`, "{{person}}"),
			q(`max by (job, instance) (sre_workload_oncall_sustainable_ratio{`+exporter+`})`, "sustainable cap"),
		)), 24, 8)
	l.add(newBarGauge("Mean time to acknowledge, by domain", units.Seconds,
		describe("Mean time from an incident's creation to its first acknowledgement, over incidents created within the window. A domain without a qualifying incident is absent.", "incident-times")).
		Targets(queries(instant(`sre_workload_incident_mean_time_to_acknowledge_seconds{`+byDomain+`}`, "{{domain}}"))).
		Thresholds(thresholds("green", step{"yellow", 300}, step{"red", 900})), 12, 7)
	l.add(newBarGauge("Mean time to resolve, by domain", units.Seconds,
		describe("Mean time from an incident's creation to its resolution, over resolved incidents created within the window; incidents merged into another are left out.", "incident-times")).
		Targets(queries(instant(`sre_workload_incident_mean_time_to_resolve_seconds{`+byDomain+`}`, "{{domain}}"))).
		Thresholds(thresholds("green", step{"yellow", 3600}, step{"red", 14400})), 12, 7)
	l.add(newBarGauge("Time to acknowledge, p50 and p90 by domain", units.Seconds,
		describe("Nearest-rank 50th and 90th percentiles of the times from creation to first acknowledgement, over the incidents of the mean: half of them were acknowledged within p50, nine in ten within p90. A p90 far above p50 is a tail that the mean hides.", "incident-times")).
		Targets(queries(instant(`sre_workload_incident_time_to_acknowledge_seconds{`+byDomain+`, quantile="0.5"}`, "{{domain}} p50"),
			instant(`sre_workload_incident_time_to_acknowledge_seconds{`+byDomain+`, quantile="0.9"}`, "{{domain}} p90"))).
		Thresholds(thresholds("green", step{"yellow", 300}, step{"red", 900})), 12, 7)
	l.add(newBarGauge("Time to resolve, p50 and p90 by domain", units.Seconds,
		describe("Nearest-rank 50th and 90th percentiles of the times from creation to resolution, over the incidents of the mean; incidents merged into another are left out.", "incident-times")).
		Targets(queries(instant(`sre_workload_incident_time_to_resolve_seconds{`+byDomain+`, quantile="0.5"}`, "{{domain}} p50"),
			instant(`sre_workload_incident_time_to_resolve_seconds{`+byDomain+`, quantile="0.9"}`, "{{domain}} p90"))).
		Thresholds(thresholds("green", step{"yellow", 3600}, step{"red", 14400})), 12, 7)

	// After the split: could each proposed team run on its own? The
	// suggested assignment of people to teams, the on-call rotation each
	// team would have (its own, per_team, beside one shared rotation), what
	// each team would still need, and the domains that rest on one person.
	l.row("After the split")
	l.add(dashedLine(newTimeseries("Rotation share on call per proposed team", units.PercentUnit,
		describe("The share of time each member of a proposed team's on-call rotation would be on call after the split (1 / the rotation's size): per_team, a rotation of the people the suggested assignment puts in the team; shared, one rotation of the whole team for all the proposed teams. Dashed, the sustainable cap (split.oncall_time_ratio, by default the SRE book's 25%). The SREProposedTeamRotationOverCap alert fires for a team whose own rotation is above the line for a day. Absent for a rotation of nobody.", "after-the-split")), "B").
		Targets(queries(
			q(`sre_workload_split_rotation_oncall_ratio{`+exporter+`}`, "{{proposed_team}} {{model}}"),
			q(`max by (job, instance) (sre_workload_oncall_sustainable_ratio{`+exporter+`})`, "sustainable cap"),
		)), 12, 8)
	l.add(newTable("Rotation size per proposed team", units.Short,
		describe("People in each proposed team's on-call rotation after the split: per_team, the people the suggested assignment puts in the team; shared, every person in the team, in one rotation for all. The SRE book's minimum for a 24/7 rotation is 8 people at one site, 6 per site on two.", "after-the-split")).
		Targets(queries(tableQuery(`max by (job, instance, proposed_team, model) (sre_workload_split_rotation_size{`+exporter+`})`))).
		Decimals(0).
		Transformations(matrix("proposed_team", "model")), 6, 8)
	l.add(newBarGauge("Incidents per shift per proposed team", units.Short,
		describe("The window's high-urgency incidents, replayed onto each proposed team's rotation after the split, per 12-hour shift: per_team, the incidents of the team's own domains; shared, all of them, on one rotation. Red from the SRE book's sustainable maximum of 2.", "after-the-split")).
		Targets(queries(instant(`sre_workload_split_rotation_incidents_per_shift{`+exporter+`}`, "{{proposed_team}} {{model}}"))).
		Decimals(2).
		Thresholds(thresholds("green", step{"red", 2})), 6, 8)
	l.add(newSignedBarGauge("Staffing gap per proposed team", units.Short,
		describe("People each proposed team needs less the people the suggested assignment gives it. The need is its equivalent headcount (its share of the classified activity x the people in the team), plus its planned duties in FTE, plus the people its own rotation would still need. Above 0 the team is short (red from one person); negative is spare people.", "after-the-split")).
		Targets(queries(instant(`sre_workload_proposed_team_staffing_gap{`+exporter+`}`, "{{proposed_team}}"))).
		Decimals(1).
		Thresholds(thresholds("green", step{"yellow", 0}, step{"red", 1})), 8, 8)
	l.add(newBarGauge("Bus factor per domain", units.Short,
		describe("For each domain, the smallest number of people whose activities make up at least half of the domain's classified activity in the window. 1 (red) means one person does half of the domain's work; 2 (yellow) that two do. Absent for a domain with no classified activity.", "after-the-split")).
		Targets(queries(instant(`sre_workload_domain_bus_factor{`+byDomain+`}`, "{{domain}}"))).
		Decimals(0).
		Thresholds(thresholds("red", step{"yellow", 2}, step{"green", 3})), 8, 8)
	l.add(newTable("Suggested team per person", units.NoUnit,
		describe("The proposed team the suggested assignment puts each person in (sre_workload_person_suggested_team_info): the people each team would get after the split, from which its rotation and its staffing gap follow.", "after-the-split")).
		Targets(queries(tableQuery(`max by (job, instance, person, proposed_team) (sre_workload_person_suggested_team_info{`+byPerson+`})`))).
		Transformations([]dashboard.DataTransformerConfig{
			{Id: "organize", Options: map[string]any{
				"excludeByName": map[string]bool{"Time": true, "job": true, "instance": true, "Value": true},
				"renameByName":  map[string]string{"proposed_team": "suggested team"},
			}},
			{Id: "sortBy", Options: map[string]any{"sort": []map[string]any{{"field": "person"}}}},
		}), 8, 8)

	l.row("Data quality and exporter health")
	l.add(newStat("Source up", units.NoUnit,
		describe("1 when the source's last refresh read everything. A source that fails keeps serving its last good data; check the age of the data. On GitHub, 0 with the other repositories updating means some repositories could not be read: sre_workload_source_stale_repositories counts them, the log and the report name them.", "rate-limits-and-reliability")).
		ColorMode(common.BigValueColorModeBackground).
		Targets(queries(instant(`sre_workload_source_up{`+exporter+`}`, "{{source}}"))).
		Thresholds(thresholds("red", step{"green", 1})).
		Mappings(valueText("Down", "red", "Up", "green")), 6, 6)
	l.add(newStat("Age of the data", units.Seconds,
		describe("Time since each source's last successful refresh. The SREWorkloadExporterStale alert fires above 3 refresh intervals.", "sreworkloadexporterstale")).
		Targets(queries(instant(`time() - sre_workload_source_last_success_timestamp_seconds{`+exporter+`}`, "{{source}}"))).
		Thresholds(thresholds("green", step{"yellow", 900}, step{"red", 3600})), 6, 6)
	l.add(newTimeseries("API requests by status code", units.RequestsPerSecond,
		describe("Requests the exporter sent to each API per second, by HTTP status code (error: no response).", "metrics")).
		Targets(queries(q(`sum by (job, instance, source, code) (rate(sre_workload_source_api_requests_total{`+exporter+`}[$__rate_interval]))`, "{{source}} {{code}}"))), 12, 6)
	l.add(newTimeseries("Refresh duration", units.Seconds,
		describe("How long each source's last refresh took, against the configured refresh interval.", "metrics")).
		Targets(queries(
			q(`sre_workload_source_refresh_duration_seconds{`+exporter+`}`, "{{source}}"),
			q(`max by (job, instance) (sre_workload_refresh_interval_seconds{`+exporter+`})`, "refresh interval"),
		)), 8, 7)
	l.add(newTimeseries("API rate limit remaining", units.Short,
		describe("The primary rate limit each API last reported as remaining. The exporter pauses a source when this falls to its reserve (rate_limit_reserve, 10% by default), so it never takes the shared token to 0.", "rate-limits-and-reliability")).
		Targets(queries(q(`sre_workload_source_rate_limit_remaining{`+exporter+`}`, "{{source}}"))), 6, 7)
	l.add(newStat("Search API budget remaining", units.Short,
		describe("GitHub's Search API has a budget of its own, 30 requests a minute, apart from the primary limit; the exporter pauses its searches at the same reserve. Empty until the first search, which follows the first reconcile.", "rate-limits-and-reliability")).
		Targets(queries(instant(`sre_workload_source_search_rate_limit_remaining{`+exporter+`}`, "{{source}}"))).
		Min(0).Max(30).
		Thresholds(thresholds("red", step{"yellow", 5}, step{"green", 10})), 4, 7)
	l.add(newStat("Rate limit resets in", units.Seconds,
		describe("Time until each API's rate limit budget resets, as it last reported.", "rate-limits-and-reliability")).
		Targets(queries(instant(`sre_workload_source_rate_limit_reset_timestamp_seconds{`+exporter+`} - time()`, "{{source}}"))), 4, 7)
	l.add(newTimeseries("Waits, retries and 304s", units.Short,
		describe("Per second: time spent waiting because an API asked (rate limits, Retry-After, the reserve), requests retried, 304 answers (free on GitHub); per interval: panics recovered in a refresh and failed searches for changed repositories (each makes that refresh poll every repository); and the repositories the last refresh could not read.", "rate-limits-and-reliability")).
		Targets(queries(
			q(`sum by (job, instance, source) (rate(sre_workload_source_throttled_seconds_total{`+exporter+`}[$__rate_interval]))`, "{{source}} throttled s/s"),
			q(`sum by (job, instance, source) (rate(sre_workload_source_retries_total{`+exporter+`}[$__rate_interval]))`, "{{source}} retries/s"),
			q(`sum by (job, instance, source) (rate(sre_workload_source_not_modified_total{`+exporter+`}[$__rate_interval]))`, "{{source}} 304/s"),
			q(`sum by (job, instance, source) (increase(sre_workload_source_refresh_panics_total{`+exporter+`}[$__rate_interval]))`, "{{source}} panics"),
			q(`sum by (job, instance, source) (increase(sre_workload_source_search_failures_total{`+exporter+`}[$__rate_interval]))`, "{{source}} failed searches"),
			q(`sum by (job, instance, source) (sre_workload_source_stale_repositories{`+exporter+`})`, "{{source}} stale repositories"),
		)), 8, 7)
	l.add(newStat("Config reload", units.NoUnit,
		describe("Whether the last config reload succeeded (a refused reload keeps the old config running), and how long ago the config was last loaded.", "rate-limits-and-reliability")).
		Targets(queries(
			instant(`max by (job, instance) (sre_workload_config_last_reload_successful{`+exporter+`})`, "last reload ok"),
			instant(`time() - max by (job, instance) (sre_workload_config_last_reload_success_timestamp_seconds{`+exporter+`})`, "since last load"),
		)).
		Thresholds(thresholds("red", step{"green", 1})), 6, 7)
	l.add(newBarGauge("Items per rule", units.Short,
		describe("Tracked items whose domain each rule decided. A rule at 0 matches nothing: check it.", "domains-and-rules")).
		Targets(queries(instant(`sre_workload_rule_matched_items{`+exporter+`}`, "{{rule}}"))).
		Thresholds(thresholds("red", step{"green", 1})), 8, 7)
	l.add(newTable("Domains and proposed teams", units.NoUnit,
		describe("Each declared domain and the team it would belong to after a split.", "configuration")).
		Targets(queries(tableQuery(`sre_workload_domain_info{`+exporter+`}`))), 5, 7)
	l.add(newStat("Exporter version", units.NoUnit,
		describe("The running exporter's version, from sre_workload_exporter_build_info.", "metrics")).
		ColorMode(common.BigValueColorModeNone).
		Targets(queries(instant(`sre_workload_exporter_build_info{`+exporter+`}`, "{{version}}"))).
		TextMode(common.BigValueTextModeName), 3, 7)

	return Dashboard{File: "sre-workload-overview.json", UID: "sre-workload-overview", Title: "SRE workload: should we split?", layout: l}
}

// person is the drill-down for one person.
func person() Dashboard {
	l := &layout{}
	l.row("Domain mix")
	l.add(stackedArea(newTimeseries("Activities by domain", units.Short,
		describe("The selected person's activities within the rolling window, by domain.", "what-is-collected"))).
		Targets(queries(q(`sum by (job, instance, person, domain) (sre_workload_person_activities{`+byPersonDomain+`})`, "{{person}} {{domain}}"))), 16, 8)
	l.add(newBarGauge("Activities by source", units.Short,
		describe("The selected person's activities within the window, by source: GitHub work and PagerDuty pages.", "what-is-collected")).
		Targets(queries(instant(`sum by (job, instance, person, source) (sre_workload_person_activities{`+byPersonDomain+`})`, "{{person}} {{source}}"))), 8, 8)

	l.row("Context switching")
	l.add(newTimeseries("Context switches per workday", units.Short,
		describe("The person's context switches within the window divided by its workdays, against the SREContextSwitchingHigh alert threshold.", "context-switch")).
		Targets(queries(
			q(`sre_workload_person_context_switches_per_workday{`+byPerson+`}`, "{{person}}"),
			q(`global:sre_workload_person_context_switches_per_workday:alert_threshold`, "alert threshold"),
		)), 12, 8)
	l.add(newTimeseries("Context switches in the window", units.Short,
		describe("The person's context switches within the rolling window.", "context-switch")).
		Targets(queries(q(`sre_workload_person_context_switches{`+byPerson+`}`, "{{person}}"))), 12, 8)
	l.add(newStat("Focus ratio", units.PercentUnit,
		describe("Share of the person's classified activities in their most frequent domain.", "focus-ratio")).
		Targets(queries(instant(`sre_workload_person_focus_ratio{`+byPerson+`}`, "{{person}}"))).
		Min(0).Max(1).
		Thresholds(thresholds("red", step{"yellow", 0.5}, step{"green", 0.7})), 8, 5)
	l.add(newStat("Estimated switching loss", units.PercentUnit,
		describe("Weinberg's rule of thumb for the share of time lost to switching. An estimate, not a measurement.", "estimated-switching-loss")).
		Targets(queries(instant(`sre_workload_person_estimated_switching_loss_ratio{`+byPerson+`}`, "{{person}}"))).
		Min(0).Max(0.75).
		Thresholds(thresholds("green", step{"yellow", 0.2}, step{"red", 0.4})), 8, 5)
	l.add(newStat("Domains", units.Short,
		describe("Domains with at least one classified activity by the person within the window.", "metrics")).
		Targets(queries(instant(`sre_workload_person_domains{`+byPerson+`}`, "{{person}}"))).
		Min(0).
		Thresholds(thresholds("green", step{"yellow", 3}, step{"red", 4})), 8, 5)

	l.row("Meetings")
	l.add(stackedBars(newTimeseries("Meeting hours by domain", units.Hours,
		describe("The person's meeting time within the window, by domain: the union of their calendar's meetings, so that overlapping meetings count once. Empty without a calendar for the person.", "meeting-time-and-uninterrupted-time"))).
		Targets(queries(q(`sre_workload_person_meeting_seconds{`+byPersonDomain+`} / 3600`, "{{person}} {{domain}}"))), 16, 8)
	l.add(newStat("Uninterrupted hours", units.Hours,
		describe("Within the person's working hours in the window, the total length of the gaps of at least analysis.uninterrupted_min (2 h by default) with no meeting and no page.", "meeting-time-and-uninterrupted-time")).
		Targets(queries(instant(`sre_workload_person_uninterrupted_seconds{`+byPerson+`} / 3600`, "{{person}}"))).
		Min(0), 8, 8)

	l.row("On-call")
	l.add(stackedBars(newTimeseries("Interruptions by period", units.Short,
		describe("Non-e-mail pages to the person within the window, deduplicated over 60 s, by period in their time zone.", "interruption"))).
		Targets(queries(q(`sum by (job, instance, person, period) (sre_workload_person_interruptions{`+byPersonDomain+`})`, "{{person}} {{period}}"))), 12, 8)
	l.add(newBarGauge("Interruptions by domain", units.Short,
		describe("Pages to the person within the window, by the domain of the incident.", "interruption")).
		Targets(queries(instant(`sum by (job, instance, person, domain) (sre_workload_person_interruptions{`+byPersonDomain+`})`, "{{person}} {{domain}}"))), 12, 8)
	l.add(stackedBars(newTimeseries("On-call hours by period", units.Hours,
		describe("Hours of the analysis window during which the person was on call at any escalation level (the union of their PagerDuty on-call entries), by period in their time zone, as for interruptions: business hours (their working_hours, by default Mon-Fri 08-18), sleep hours (22-08) and off hours. The three periods add up to the person's on-call time, which the overview shows as a share of the window against the cap.", "on-call-time"))).
		Targets(queries(q(`sre_workload_person_oncall_seconds{`+byPerson+`} / 3600`, "{{person}} {{period}}"))), 24, 8)

	l.row("Open work")
	l.add(newTable("Open items by domain", units.Short,
		describe("Open issues, pull requests and incidents assigned to the person, by domain.", "metrics")).
		Targets(queries(tableQuery(`sum by (job, instance, person, domain) (sre_workload_person_open_items{`+byPersonDomain+`})`))).
		Transformations(matrix("person", "domain")), 24, 6)

	return Dashboard{File: "sre-workload-person.json", UID: "sre-workload-person", Title: "SRE workload: person", layout: l}
}
