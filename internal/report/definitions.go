package report

import "fmt"

// Definition is one definition the report links to: the README's anchor
// (its heading), a title, and a short text that says the same as the
// README, so that the HTML page and a printed report carry their own
// definitions and work offline.
type Definition struct {
	Anchor string
	Title  string
	Text   string
}

// Definitions are every definition the report links to, in the order in
// which the report first uses them. Keep each text consistent with the
// README's section of the same anchor.
var Definitions = []Definition{
	{"no-answer-without-data", "No answer without data",
		"The analysis gives an answer only from whole data. While a configured source has not completed a refresh (or has parts no refresh has read yet), " +
			"the report gives no verdict and no measure: it says which source is waiting, and when each source was last collected."},
	{"split-signals", "Split signals",
		"A signal holds when its value is at least its threshold; a threshold of 0 disables it, and a signal that cannot be computed is left out. " +
			"A split is recommended when at least min_signals signals hold. " +
			"Context switches per person per workday, median (context_switching): the median over the configured people of their context switches per workday, leaving out those with less than one workday in the team. " +
			"The smallest proposed team's share of the work (secondary_team_share): the smallest proposed team's share of all classified activity. " +
			"High-urgency incidents per 12-hour on-call shift (oncall_load): see on-call load. " +
			"People in the company per SRE (org_ratio): split.org_headcount over the number of configured people."},
	{"domains-and-rules", "Domains and rules",
		"Every tracked item (an issue, a pull request or an incident) gets the domain of the first rule that matches it, or unclassified when none does. " +
			"An activity is classified when its item's domain is not unclassified. " +
			"So there are two unclassified figures: the share of the team's activities on unclassified items (in the share by domain), and the share of the tracked items, counted once each, that no rule matched (in data quality)."},
	{"the-suggested-split", "The suggested split, and the switching a split removes",
		"The switching a split removes is the share of all context switches whose two domains would fall in different teams. " +
			"Beside the configured proposed_team grouping, the exporter tries every grouping of the declared domains into two teams and suggests the one that removes the most switching, " +
			"each team holding at least split.secondary_team_share of the classified activity; between groupings that remove as much, the more even one wins."},
	{"equivalent-headcount", "Equivalent headcount",
		"A proposed team's share of all classified activity within the window × the number of people in the team: the configured people whose span in the team (joined to left) overlaps the window, by any amount. " +
			"It is a proportion of today's work, not hours. " +
			"With one person in the team all window, a second gone before it began and a third joined on its last day, the team is 2 people, and a team with 25% of the classified activity is 0.25 × 2 = 0.5."},
	{"the-duty-inventory", "Planned duties and FTE",
		"The duty inventory lists recurring work that never becomes an issue or an incident. Each duty's load is its hours over its period in weeks (a month is 52/12 weeks), split evenly between its owners. " +
			"A full-time equivalent (FTE) is 40 hours a week: 10 hours a week is 0.25 FTE. Duties are planned load: they create no activities and never count in context switches."},
	{"workdays", "Workdays",
		"A person's workdays in the team are the days of the window in which they are in the team (from 00:00 on joined to the end of left, in their time zone), in hours / 24, × 5/7: " +
			"5 for a 7-day window. Every per-workday figure divides by them. A person with less than one workday in the team is left out of the context_switching median."},
	{"context-switch", "Context switch",
		"Take a person's classified activities within the window and their span in the team, sorted by time. " +
			"Each consecutive pair in different domains on the same calendar date in the person's time zone is one context switch; an unclassified activity between them does not break the pair. Being paged is an activity, and so is a meeting, at its start."},
	{"focus-ratio", "Focus ratio",
		"The share of the person's classified activities in the window that fall in their most frequent domain."},
	{"estimated-switching-loss", "Estimated switching loss",
		"Weinberg's rule of thumb (Quality Software Management, vol. 1, 1992): count the domains that hold at least 10% of the person's classified activities; " +
			"the loss for 1, 2, 3, 4, and 5 or more domains is 0, 20%, 40%, 60% and 75%. It is an estimate from a published rule of thumb, not a measurement."},
	{"interruption", "Interruption",
		"Each PagerDuty notification to a person, except e-mail, and not again within 60 seconds of the last one counted. " +
			"Each falls into a period in the person's time zone: business hours (Monday to Friday 08:00 to 18:00, or their own working_hours), sleep hours (22:00 to 08:00), off hours (the rest)."},
	{"meeting-time-and-uninterrupted-time", "Meeting time and uninterrupted time",
		"From the people's calendars. A meeting is one activity of its person at its start, in the domain the rules give it, and takes part in context switches. " +
			"Meeting time is the union of the person's meetings within the window and their span in the team, so that overlapping meetings count once; each instant goes to the domain of the meeting that began first. " +
			"Uninterrupted time is, within the person's working hours in the window, the total length of the gaps of at least analysis.uninterrupted_min (2 hours) with no meeting and no page. " +
			"A proposed team's meeting share is the share of its activities (everyone's, in its domains) that are meetings: a share of counted work, not of hours."},
	{"on-call-load", "On-call load",
		"High-urgency incidents created within the window, divided by the number of 12-hour shifts in it. The SRE book sets the sustainable load at no more than 2 incidents per 12-hour shift."},
	{"on-call-time", "On-call time",
		"The union of a person's PagerDuty on-call entries within the window and their span in the team (overlapping entries count once), by period, over the window's length. " +
			"The SRE book caps it at 25% (split.oncall_time_ratio). A shift is a maximal span of that union; pages on call are interruptions within it. " +
			"The rotation is the people with on-call time; the book's minimum is 8 people for one site and 6 per site for more (a site per distinct UTC offset)."},
	{"the-history-in-the-report", "History",
		"The history is the analysis with its clock at each daily step, over the items, actions and states that existed then, with today's rules and config: the same values a backfill writes. " +
			"A step without whole data is left out. A signal's first held date is the first step at which it held."},
	{"forecast", "Forecast",
		"For a signal that does not hold at the last step: an ordinary least-squares line fitted to its daily values of the last 28 days, and the day on which that line reaches the threshold; " +
			"the range comes from the slope plus and minus its standard error. It is an extrapolation, not a prediction: " +
			"it says where the recent trend leads if nothing changes, or that there is no upward trend, or not enough data (fewer than 14 daily values)."},
	{"after-the-split", "After the split",
		"The suggested assignment puts each person in the team whose domains hold most of their classified activity (ties: the team with fewer people so far, then config order; an empty team takes the person with the most work in it). " +
			"A domain's bus factor is the fewest people whose activities make up half of its classified activity. " +
			"The rotations replay the window's high-urgency incidents onto each team (per_team: its members, its domains' pages; shared: everyone, every page): " +
			"share on call is 1 / members; incidents per 12-hour shift; sleep-hour pages per member per week in their own time zone; the book's minimum rotation for the members' sites. " +
			"A team's staffing demand is its equivalent headcount + its planned duties in FTE + the people its own rotation still needs to reach the book's minimum (under split.rotation: per_team); the gap is the demand less its people."},
	{"incident-times", "Incident times",
		"Time to acknowledge: from an incident's creation to its first acknowledgement. Time to resolve: from creation to resolution (merged incidents left out). " +
			"Means and nearest-rank 50th and 90th percentiles over the incidents created within the window."},
}

// definition is the Definition of an anchor.
func definition(anchor string) (Definition, error) {
	for _, d := range Definitions {
		if d.Anchor == anchor {
			return d, nil
		}
	}
	return Definition{}, fmt.Errorf("report: no definition %q", anchor)
}

// definitions are the ones the report links to: without data, only why
// there is no answer; otherwise all the others.
func (r *Report) definitions() []Definition {
	if r.NotEnoughData != "" {
		d, _ := definition("no-answer-without-data")
		return []Definition{d}
	}
	var out []Definition
	for _, d := range Definitions {
		switch {
		case d.Anchor == "no-answer-without-data":
		case (d.Anchor == "the-history-in-the-report" || d.Anchor == "forecast") && r.History == nil:
		case d.Anchor == "meeting-time-and-uninterrupted-time" && r.Meetings == nil:
		default:
			out = append(out, d)
		}
	}
	return out
}

// htmlDef is the in-page link to a definition of the appendix.
func htmlDef(anchor string) (string, error) {
	if _, err := definition(anchor); err != nil {
		return "", err
	}
	return "#def-" + anchor, nil
}
