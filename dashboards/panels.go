package dashboards

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

func tableMatrix(row, column string) []any {
	return []any{
		map[string]any{"id": "groupingToMatrix", "options": map[string]any{"rowField": row, "columnField": column, "valueField": "Value"}},
	}
}

func tableTarget(expr string) Target {
	return Target{Expr: expr, Instant: true, Format: "table"}
}

// setTransform sets the transformations of a panel that was just added.
func setTransform(p *Panel, t []any) { p.Transformations = t }

// overview is "Should we split?".
func overview() Dashboard {
	l := &layout{}

	l.row("Should we split?")
	l.add(Panel{Type: "stat", Title: "Split recommended?",
		Description: describe("1 (red) when at least split.min_signals of the split signals hold, else 0 (green). The signals are in the next panels.", "split-signals"),
		Targets:     []Target{instant(`max by (job, instance) (sre_workload_split_recommended{`+exporter+`})`, "")},
		FieldConfig: fieldConfig("none", nil, nil, []threshold{{"green", nil}, {"red", 1}}, map[string]any{
			"mappings": []any{map[string]any{"type": "value", "options": map[string]any{
				"0": map[string]any{"text": "Not yet", "color": "green", "index": 0},
				"1": map[string]any{"text": "Split recommended", "color": "red", "index": 1},
			}}},
		}),
		Options: statOptions("background"),
	}, 6, 7)
	l.add(Panel{Type: "gauge", Title: "Split signals against their thresholds",
		Description: describe("Each split signal's measured value as a share of its configured threshold: the marker at 100% is the threshold, and a signal at or above it holds. Disabled signals, and signals that cannot be computed (org_ratio without org_headcount), are not shown.", "split-signals"),
		Targets:     []Target{instant(`sre_workload_split_signal_value{`+exporter+`} / sre_workload_split_signal_threshold{`+exporter+`}`, "{{signal}}")},
		FieldConfig: fieldConfig("percentunit", 0, 2, []threshold{{"green", nil}, {"red", 1}}, nil),
		Options:     gaugeOptions,
	}, 12, 7)
	l.add(Panel{Type: "stat", Title: "Switching a split would remove",
		Description: describe("Share of all context switches whose two domains belong to different proposed teams: the context switching that splitting along proposed_team would remove.", "split-analysis-definitions"),
		Targets:     []Target{instant(`max by (job, instance) (sre_workload_split_cross_team_switch_ratio{`+exporter+`})`, "")},
		FieldConfig: fieldConfig("percentunit", 0, 1, greenBase, nil),
		Options:     statOptions("value"),
	}, 6, 7)
	l.add(Panel{Type: "stat", Title: "Switching the suggested split would remove",
		Description: describe("Share of all context switches that the best grouping of the domains into two teams would remove (each team holding at least the secondary team share of the activity); compare with the configured split beside it. Absent when no grouping qualifies.", "the-suggested-split"),
		Targets:     []Target{instant(`max by (job, instance) (sre_workload_split_suggested_cross_team_switch_ratio{`+exporter+`})`, "")},
		FieldConfig: fieldConfig("percentunit", 0, 1, greenBase, nil),
		Options:     statOptions("value"),
	}, 6, 6)
	l.add(Panel{Type: "table", Title: "Split signals: value, threshold, holds",
		Description: describe("Each enabled split signal's measured value, its configured threshold, and whether it holds (value at least threshold).", "split-signals"),
		Targets: []Target{
			tableTarget(`max by (job, instance, signal) (sre_workload_split_signal_value{` + exporter + `})`),
			tableTarget(`max by (job, instance, signal) (sre_workload_split_signal_threshold{` + exporter + `})`),
			tableTarget(`max by (job, instance, signal) (sre_workload_split_signal{` + exporter + `})`),
		},
		FieldConfig: fieldConfig("none", nil, nil, greenBase, map[string]any{"decimals": 2}),
		Options:     map[string]any{"showHeader": true},
	}, 18, 6)
	setTransform(&l.panels[len(l.panels)-1], []any{
		map[string]any{"id": "merge", "options": map[string]any{}},
		map[string]any{"id": "organize", "options": map[string]any{
			"excludeByName": map[string]bool{"Time": true, "job": true, "instance": true},
			"renameByName":  map[string]string{"Value #A": "value", "Value #B": "threshold", "Value #C": "holds (1 = yes)"},
		}},
	})

	l.row("Where the work goes")
	l.add(Panel{Type: "timeseries", Title: "Activity share by domain",
		Description: describe("Each domain's share of all the team's activities within the rolling window (recording rule instance_domain:sre_workload_person_activities:ratio). A growing unclassified share means the rules need tuning.", "metrics"),
		Targets:     []Target{q(`instance_domain:sre_workload_person_activities:ratio{`+byDomain+`}`, "{{domain}}")},
		FieldConfig: fieldConfig("percentunit", 0, 1, greenBase, stackedPercent),
		Options:     tableLegend,
	}, 12, 8)
	l.add(Panel{Type: "timeseries", Title: "Activity share by proposed team",
		Description: describe("Each proposed team's share of all classified activities within the window (sre_workload_proposed_team_activity_ratio), with the secondary_team_share threshold: when the smallest team is above the line, it would have enough work of its own.", "split-signals"),
		Targets: []Target{
			q(`sre_workload_proposed_team_activity_ratio{`+exporter+`}`, "{{proposed_team}}"),
			q(`max by (job, instance) (sre_workload_split_signal_threshold{`+exporter+`, signal="secondary_team_share"})`, "secondary team threshold"),
		},
		FieldConfig: fieldConfig("percentunit", 0, 1, greenBase, nil),
		Options:     tableLegend,
	}, 12, 8)
	for _, m := range []struct{ metric, title, text string }{
		{"sre_workload_opened_items", "Items opened in the window", "Issues, pull requests and incidents created within the rolling window, by domain and kind."},
		{"sre_workload_closed_items", "Items closed in the window", "Issues closed, pull requests merged or closed, and incidents resolved within the rolling window, by domain and kind."},
		{"sre_workload_open_items", "Open items", "Issues and pull requests open now, and incidents triggered or acknowledged now, by domain and kind."},
	} {
		l.add(Panel{Type: "timeseries", Title: m.title,
			Description: describe(m.text, "metrics"),
			Targets:     []Target{q(`sum by (job, instance, domain, kind) (`+m.metric+`{`+byDomain+`})`, "{{domain}} {{kind}}")},
			FieldConfig: fieldConfig("short", 0, nil, greenBase, stackedBars),
			Options:     tableLegend,
		}, 8, 8)
	}

	l.add(Panel{Type: "bargauge", Title: "Planned duties per proposed team, in FTE",
		Description: describe("The duty inventory's recurring work in each proposed team's domains, in full-time equivalents (hours a week over a 40-hour week). Planned load that never becomes an issue or an incident.", "the-duty-inventory"),
		Targets:     []Target{instant(`sre_workload_proposed_team_planned_fte_ratio{`+exporter+`}`, "{{proposed_team}}")},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, map[string]any{"decimals": 2}),
		Options:     barGaugeOptions,
	}, 8, 8)
	l.add(Panel{Type: "table", Title: "Planned FTE per person and domain",
		Description: describe("Each person's share of the duty inventory, in full-time equivalents (hours a week over a 40-hour week), by domain; a duty's hours are split evenly between its owners.", "the-duty-inventory"),
		Targets:     []Target{tableTarget(`sum by (job, instance, person, domain) (sre_workload_person_planned_fte_ratio{` + byPersonDomain + `})`)},
		FieldConfig: fieldConfig("short", nil, nil, greenBase, map[string]any{"decimals": 2}),
		Options:     map[string]any{"showHeader": true},
	}, 16, 8)
	setTransform(&l.panels[len(l.panels)-1], tableMatrix("person", "domain"))

	l.row("People")
	l.add(Panel{Type: "timeseries", Title: "Context switches per workday",
		Description: describe("Each person's context switches within the window divided by its workdays (window days x 5/7), the team median (recording rule), and the context_switching split threshold.", "context-switch"),
		Targets: []Target{
			q(`sre_workload_person_context_switches_per_workday{`+byPerson+`}`, "{{person}}"),
			q(`instance:sre_workload_person_context_switches_per_workday:median{`+exporter+`}`, "team median"),
			q(`max by (job, instance) (sre_workload_split_signal_threshold{`+exporter+`, signal="context_switching"})`, "split threshold"),
		},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, nil),
		Options:     tableLegend,
	}, 12, 8)
	l.add(Panel{Type: "timeseries", Title: "Focus ratio",
		Description: describe("Share of each person's classified activities that fall in their most frequent domain. Absent for a person with no classified activity.", "focus-ratio"),
		Targets:     []Target{q(`sre_workload_person_focus_ratio{`+byPerson+`}`, "{{person}}")},
		FieldConfig: fieldConfig("percentunit", 0, 1, greenBase, nil),
		Options:     tableLegend,
	}, 12, 8)
	l.add(Panel{Type: "bargauge", Title: "Estimated switching loss",
		Description: describe("Weinberg's rule of thumb (1992): the share of time lost to switching between the domains that hold at least 10% of the person's work. An estimate from a published rule, not a measurement.", "estimated-switching-loss"),
		Targets:     []Target{instant(`sre_workload_person_estimated_switching_loss_ratio{`+byPerson+`}`, "{{person}}")},
		FieldConfig: fieldConfig("percentunit", 0, 0.75, []threshold{{"green", nil}, {"yellow", 0.2}, {"red", 0.4}}, nil),
		Options:     barGaugeOptions,
	}, 8, 8)
	l.add(Panel{Type: "bargauge", Title: "Domains per person",
		Description: describe("Domains in which the person had at least one classified activity within the window.", "metrics"),
		Targets:     []Target{instant(`sre_workload_person_domains{`+byPerson+`}`, "{{person}}")},
		FieldConfig: fieldConfig("short", 0, nil, []threshold{{"green", nil}, {"yellow", 3}, {"red", 4}}, nil),
		Options:     barGaugeOptions,
	}, 8, 8)
	l.add(Panel{Type: "table", Title: "Open items per person by domain",
		Description: describe("Open GitHub issues and pull requests assigned to each person, plus open incidents assigned to them, by domain; an item counts once per person.", "metrics"),
		Targets:     []Target{tableTarget(`sum by (job, instance, person, domain) (sre_workload_person_open_items{` + byPersonDomain + `})`)},
		FieldConfig: fieldConfig("short", nil, nil, greenBase, nil),
		Options:     map[string]any{"showHeader": true},
	}, 8, 8)
	setTransform(&l.panels[len(l.panels)-1], tableMatrix("person", "domain"))

	l.row("On-call")
	l.add(Panel{Type: "table", Title: "Interruptions by period",
		Description: describe("Non-e-mail pages to each person within the window, deduplicated over 60 s, by period in the person's time zone: business hours (Mon-Fri 08-18), off hours, and sleep hours (22-08).", "interruption"),
		Targets:     []Target{tableTarget(`sum by (job, instance, person, period) (sre_workload_person_interruptions{` + byPersonDomain + `})`)},
		FieldConfig: fieldConfig("short", nil, nil, greenBase, nil),
		Options:     map[string]any{"showHeader": true},
	}, 8, 8)
	setTransform(&l.panels[len(l.panels)-1], tableMatrix("person", "period"))
	l.add(Panel{Type: "timeseries", Title: "Sleep-hour interruptions",
		Description: describe("Pages between 22:00 and 08:00 in each person's time zone, within the window (recording rule instance_person_period:sre_workload_person_interruptions:sum).", "interruption"),
		Targets:     []Target{q(`instance_person_period:sre_workload_person_interruptions:sum{`+byPerson+`, period="sleep_hours"}`, "{{person}}")},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, nil),
		Options:     tableLegend,
	}, 8, 8)
	l.add(Panel{Type: "timeseries", Title: "Incidents per 12-hour shift",
		Description: describe("High-urgency incidents created within the window per 12-hour shift. The red line is the SRE book's sustainable maximum of 2.", "on-call-load"),
		Targets:     []Target{q(`sre_workload_oncall_incidents_per_shift{`+exporter+`}`, "incidents per shift")},
		FieldConfig: fieldConfig("short", 0, nil, []threshold{{"green", nil}, {"red", 2}}, thresholdLine),
		Options:     tableLegend,
	}, 8, 8)
	l.add(Panel{Type: "bargauge", Title: "Mean time to acknowledge, by domain",
		Description: describe("Mean time from an incident's creation to its first acknowledgement, over incidents created within the window. A domain without a qualifying incident is absent.", "incident-times"),
		Targets:     []Target{instant(`sre_workload_incident_mean_time_to_acknowledge_seconds{`+byDomain+`}`, "{{domain}}")},
		FieldConfig: fieldConfig("s", 0, nil, []threshold{{"green", nil}, {"yellow", 300}, {"red", 900}}, nil),
		Options:     barGaugeOptions,
	}, 12, 7)
	l.add(Panel{Type: "bargauge", Title: "Mean time to resolve, by domain",
		Description: describe("Mean time from an incident's creation to its resolution, over resolved incidents created within the window.", "incident-times"),
		Targets:     []Target{instant(`sre_workload_incident_mean_time_to_resolve_seconds{`+byDomain+`}`, "{{domain}}")},
		FieldConfig: fieldConfig("s", 0, nil, []threshold{{"green", nil}, {"yellow", 3600}, {"red", 14400}}, nil),
		Options:     barGaugeOptions,
	}, 12, 7)

	l.row("Data quality and exporter health")
	l.add(Panel{Type: "stat", Title: "Source up",
		Description: describe("1 when the source's last refresh read everything. A source that fails keeps serving its last good data; check the age of the data. On GitHub, 0 with the other repositories updating means some repositories could not be read: sre_workload_source_stale_repositories counts them, the log and the report name them.", "rate-limits-and-reliability"),
		Targets:     []Target{instant(`sre_workload_source_up{`+exporter+`}`, "{{source}}")},
		FieldConfig: fieldConfig("none", nil, nil, []threshold{{"red", nil}, {"green", 1}}, map[string]any{
			"mappings": []any{map[string]any{"type": "value", "options": map[string]any{
				"0": map[string]any{"text": "Down", "color": "red", "index": 0},
				"1": map[string]any{"text": "Up", "color": "green", "index": 1},
			}}},
		}),
		Options: statOptions("background"),
	}, 6, 6)
	l.add(Panel{Type: "stat", Title: "Age of the data",
		Description: describe("Time since each source's last successful refresh. The SREWorkloadExporterStale alert fires above 3 refresh intervals.", "sreworkloadexporterstale"),
		Targets:     []Target{instant(`time() - sre_workload_source_last_success_timestamp_seconds{`+exporter+`}`, "{{source}}")},
		FieldConfig: fieldConfig("s", nil, nil, []threshold{{"green", nil}, {"yellow", 900}, {"red", 3600}}, nil),
		Options:     statOptions("value"),
	}, 6, 6)
	l.add(Panel{Type: "timeseries", Title: "API requests by status code",
		Description: describe("Requests the exporter sent to each API per second, by HTTP status code (error: no response).", "metrics"),
		Targets:     []Target{q(`sum by (job, instance, source, code) (rate(sre_workload_source_api_requests_total{`+exporter+`}[$__rate_interval]))`, "{{source}} {{code}}")},
		FieldConfig: fieldConfig("reqps", 0, nil, greenBase, nil),
		Options:     tableLegend,
	}, 12, 6)
	l.add(Panel{Type: "timeseries", Title: "Refresh duration",
		Description: describe("How long each source's last refresh took, against the configured refresh interval.", "metrics"),
		Targets: []Target{
			q(`sre_workload_source_refresh_duration_seconds{`+exporter+`}`, "{{source}}"),
			q(`max by (job, instance) (sre_workload_refresh_interval_seconds{`+exporter+`})`, "refresh interval"),
		},
		FieldConfig: fieldConfig("s", 0, nil, greenBase, nil),
		Options:     tableLegend,
	}, 8, 7)
	l.add(Panel{Type: "timeseries", Title: "API rate limit remaining",
		Description: describe("The primary rate limit each API last reported as remaining. The exporter pauses a source when this falls to its reserve (rate_limit_reserve, 10% by default), so it never takes the shared token to 0.", "rate-limits-and-reliability"),
		Targets:     []Target{q(`sre_workload_source_rate_limit_remaining{`+exporter+`}`, "{{source}}")},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, nil),
		Options:     tableLegend,
	}, 6, 7)
	l.add(Panel{Type: "stat", Title: "Search API budget remaining",
		Description: describe("GitHub's Search API has a budget of its own, 30 requests a minute, apart from the primary limit; the exporter pauses its searches at the same reserve. Empty until the first search, which follows the first reconcile.", "rate-limits-and-reliability"),
		Targets:     []Target{instant(`sre_workload_source_search_rate_limit_remaining{`+exporter+`}`, "{{source}}")},
		FieldConfig: fieldConfig("short", 0, 30, []threshold{{"red", nil}, {"yellow", 5}, {"green", 10}}, nil),
		Options:     statOptions("value"),
	}, 4, 7)
	l.add(Panel{Type: "stat", Title: "Rate limit resets in",
		Description: describe("Time until each API's rate limit budget resets, as it last reported.", "rate-limits-and-reliability"),
		Targets:     []Target{instant(`sre_workload_source_rate_limit_reset_timestamp_seconds{`+exporter+`} - time()`, "{{source}}")},
		FieldConfig: fieldConfig("s", nil, nil, greenBase, nil),
		Options:     statOptions("value"),
	}, 4, 7)
	l.add(Panel{Type: "timeseries", Title: "Waits, retries and 304s",
		Description: describe("Per second: time spent waiting because an API asked (rate limits, Retry-After, the reserve), requests retried, 304 answers (free on GitHub); per interval: panics recovered in a refresh and failed searches for changed repositories (each makes that refresh poll every repository); and the repositories the last refresh could not read.", "rate-limits-and-reliability"),
		Targets: []Target{
			q(`sum by (job, instance, source) (rate(sre_workload_source_throttled_seconds_total{`+exporter+`}[$__rate_interval]))`, "{{source}} throttled s/s"),
			q(`sum by (job, instance, source) (rate(sre_workload_source_retries_total{`+exporter+`}[$__rate_interval]))`, "{{source}} retries/s"),
			q(`sum by (job, instance, source) (rate(sre_workload_source_not_modified_total{`+exporter+`}[$__rate_interval]))`, "{{source}} 304/s"),
			q(`sum by (job, instance, source) (increase(sre_workload_source_refresh_panics_total{`+exporter+`}[$__rate_interval]))`, "{{source}} panics"),
			q(`sum by (job, instance, source) (increase(sre_workload_source_search_failures_total{`+exporter+`}[$__rate_interval]))`, "{{source}} failed searches"),
			q(`sum by (job, instance, source) (sre_workload_source_stale_repositories{`+exporter+`})`, "{{source}} stale repositories"),
		},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, nil),
		Options:     tableLegend,
	}, 8, 7)
	l.add(Panel{Type: "stat", Title: "Config reload",
		Description: describe("Whether the last config reload succeeded (a refused reload keeps the old config running), and how long ago the config was last loaded.", "rate-limits-and-reliability"),
		Targets: []Target{
			instant(`max by (job, instance) (sre_workload_config_last_reload_successful{`+exporter+`})`, "last reload ok"),
			instant(`time() - max by (job, instance) (sre_workload_config_last_reload_success_timestamp_seconds{`+exporter+`})`, "since last load"),
		},
		FieldConfig: fieldConfig("none", nil, nil, []threshold{{"red", nil}, {"green", 1}}, nil),
		Options:     statOptions("value"),
	}, 6, 7)
	l.add(Panel{Type: "bargauge", Title: "Items per rule",
		Description: describe("Tracked items whose domain each rule decided. A rule at 0 matches nothing: check it.", "domains-and-rules"),
		Targets:     []Target{instant(`sre_workload_rule_matched_items{`+exporter+`}`, "{{rule}}")},
		FieldConfig: fieldConfig("short", 0, nil, []threshold{{"red", nil}, {"green", 1}}, nil),
		Options:     barGaugeOptions,
	}, 8, 7)
	l.add(Panel{Type: "table", Title: "Domains and proposed teams",
		Description: describe("Each declared domain and the team it would belong to after a split.", "configuration"),
		Targets:     []Target{tableTarget(`sre_workload_domain_info{` + exporter + `}`)},
		FieldConfig: fieldConfig("none", nil, nil, greenBase, nil),
		Options:     map[string]any{"showHeader": true},
	}, 5, 7)
	l.add(Panel{Type: "stat", Title: "Exporter version",
		Description: describe("The running exporter's version, from sre_workload_exporter_build_info.", "metrics"),
		Targets:     []Target{instant(`sre_workload_exporter_build_info{`+exporter+`}`, "{{version}}")},
		FieldConfig: fieldConfig("none", nil, nil, greenBase, nil),
		Options:     map[string]any{"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}}, "textMode": "name", "colorMode": "none", "graphMode": "none"},
	}, 3, 7)

	return Dashboard{File: "sre-workload-overview.json", UID: "sre-workload-overview", Title: "SRE workload: should we split?", Panels: l.panels}
}

// person is the drill-down for one person.
func person() Dashboard {
	l := &layout{}
	l.row("Domain mix")
	l.add(Panel{Type: "timeseries", Title: "Activities by domain",
		Description: describe("The selected person's activities within the rolling window, by domain.", "what-is-collected"),
		Targets:     []Target{q(`sum by (job, instance, person, domain) (sre_workload_person_activities{`+byPersonDomain+`})`, "{{person}} {{domain}}")},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, stackedPercent),
		Options:     tableLegend,
	}, 16, 8)
	l.add(Panel{Type: "bargauge", Title: "Activities by source",
		Description: describe("The selected person's activities within the window, by source: GitHub work and PagerDuty pages.", "what-is-collected"),
		Targets:     []Target{instant(`sum by (job, instance, person, source) (sre_workload_person_activities{`+byPersonDomain+`})`, "{{person}} {{source}}")},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, nil),
		Options:     barGaugeOptions,
	}, 8, 8)

	l.row("Context switching")
	l.add(Panel{Type: "timeseries", Title: "Context switches per workday",
		Description: describe("The person's context switches within the window divided by its workdays, against the SREContextSwitchingHigh alert threshold.", "context-switch"),
		Targets: []Target{
			q(`sre_workload_person_context_switches_per_workday{`+byPerson+`}`, "{{person}}"),
			q(`global:sre_workload_person_context_switches_per_workday:alert_threshold`, "alert threshold"),
		},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, nil),
		Options:     tableLegend,
	}, 12, 8)
	l.add(Panel{Type: "timeseries", Title: "Context switches in the window",
		Description: describe("The person's context switches within the rolling window.", "context-switch"),
		Targets:     []Target{q(`sre_workload_person_context_switches{`+byPerson+`}`, "{{person}}")},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, nil),
		Options:     tableLegend,
	}, 12, 8)
	l.add(Panel{Type: "stat", Title: "Focus ratio",
		Description: describe("Share of the person's classified activities in their most frequent domain.", "focus-ratio"),
		Targets:     []Target{instant(`sre_workload_person_focus_ratio{`+byPerson+`}`, "{{person}}")},
		FieldConfig: fieldConfig("percentunit", 0, 1, []threshold{{"red", nil}, {"yellow", 0.5}, {"green", 0.7}}, nil),
		Options:     statOptions("value"),
	}, 8, 5)
	l.add(Panel{Type: "stat", Title: "Estimated switching loss",
		Description: describe("Weinberg's rule of thumb for the share of time lost to switching. An estimate, not a measurement.", "estimated-switching-loss"),
		Targets:     []Target{instant(`sre_workload_person_estimated_switching_loss_ratio{`+byPerson+`}`, "{{person}}")},
		FieldConfig: fieldConfig("percentunit", 0, 0.75, []threshold{{"green", nil}, {"yellow", 0.2}, {"red", 0.4}}, nil),
		Options:     statOptions("value"),
	}, 8, 5)
	l.add(Panel{Type: "stat", Title: "Domains",
		Description: describe("Domains with at least one classified activity by the person within the window.", "metrics"),
		Targets:     []Target{instant(`sre_workload_person_domains{`+byPerson+`}`, "{{person}}")},
		FieldConfig: fieldConfig("short", 0, nil, []threshold{{"green", nil}, {"yellow", 3}, {"red", 4}}, nil),
		Options:     statOptions("value"),
	}, 8, 5)

	l.row("On-call")
	l.add(Panel{Type: "timeseries", Title: "Interruptions by period",
		Description: describe("Non-e-mail pages to the person within the window, deduplicated over 60 s, by period in their time zone.", "interruption"),
		Targets:     []Target{q(`sum by (job, instance, person, period) (sre_workload_person_interruptions{`+byPersonDomain+`})`, "{{person}} {{period}}")},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, stackedBars),
		Options:     tableLegend,
	}, 12, 8)
	l.add(Panel{Type: "bargauge", Title: "Interruptions by domain",
		Description: describe("Pages to the person within the window, by the domain of the incident.", "interruption"),
		Targets:     []Target{instant(`sum by (job, instance, person, domain) (sre_workload_person_interruptions{`+byPersonDomain+`})`, "{{person}} {{domain}}")},
		FieldConfig: fieldConfig("short", 0, nil, greenBase, nil),
		Options:     barGaugeOptions,
	}, 12, 8)

	l.row("Open work")
	l.add(Panel{Type: "table", Title: "Open items by domain",
		Description: describe("Open issues, pull requests and incidents assigned to the person, by domain.", "metrics"),
		Targets:     []Target{tableTarget(`sum by (job, instance, person, domain) (sre_workload_person_open_items{` + byPersonDomain + `})`)},
		FieldConfig: fieldConfig("short", nil, nil, greenBase, nil),
		Options:     map[string]any{"showHeader": true},
	}, 24, 6)
	setTransform(&l.panels[len(l.panels)-1], tableMatrix("person", "domain"))

	return Dashboard{File: "sre-workload-person.json", UID: "sre-workload-person", Title: "SRE workload: person", Panels: l.panels}
}
