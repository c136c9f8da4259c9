package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
)

// JSON writes the report as indented JSON.
func (r *Report) JSON(w io.Writer) error {
	r.applyPrivacy()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func pct(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }

func def(anchor string) string { return Readme + "#" + anchor }

// mdEscape keeps titles from breaking a Markdown table or adding markup.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "`", "'", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`).Replace(s)
}

func yes(b bool) string {
	if b {
		return "**holds**"
	}
	return "does not hold"
}

// Markdown writes the report for pasting into a proposal.
func (r *Report) Markdown(w io.Writer) error {
	r.applyPrivacy()
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# Should the SRE team split?\n\n")
	if r.NotEnoughData != "" {
		p("**%s.** The report gives no verdict and no measure until every configured source has completed one refresh ([why](%s)).\n\n",
			strings.ToUpper(r.NotEnoughData[:1])+r.NotEnoughData[1:], def("no-answer-without-data"))
		r.dataSection(p)
		r.definitionsSection(p)
		_, err := io.WriteString(w, b.String())
		return err
	}
	verdict := "**No split recommended yet.**"
	if r.Verdict.SplitRecommended {
		verdict = "**A split is recommended.**"
	}
	p("%s %s ([definitions](%s)).\n\n", verdict, r.Verdict.Count(), def("split-signals"))
	p("| signal | value | threshold | |\n|---|---|---|---|\n")
	for _, s := range r.Verdict.Signals {
		p("| %s (`%s`) | %.2f | %g | %s |\n", s.Title, s.Name, s.Value, s.Threshold, yes(s.Holds))
	}

	p("\n## The split\n\n")
	var shares []string
	for _, d := range r.DomainShares {
		if d.Domain != config.Unclassified {
			shares = append(shares, d.Domain+" "+pct(d.Share))
		}
	}
	p("The team's activities by domain: %s; %s ([how rules work](%s)).\n\n", strings.Join(shares, ", "), r.UnclassifiedActivityNote(), def("domains-and-rules"))
	grouping := func(title string, g Grouping) {
		p("**%s** removes %s of today's context switching ([definition](%s)).\n\n", title, pct(g.RemovedSwitchRatio), def("the-suggested-split"))
		p("| team | domains | share of the work | equivalent headcount (a proportion of today's work, not hours) | planned duties |\n|---|---|---|---|---|\n")
		for _, t := range g.Teams {
			p("| %s | %s | %s | %.2f people | %.1f h/week (%.2f FTE) |\n", t.Name, strings.Join(t.Domains, ", "), pct(t.ActivityShare), t.EquivalentHeadcount, t.PlannedHoursPerWeek, t.PlannedFTE)
		}
		p("\n")
	}
	grouping("The configured split", r.Splits.Configured)
	if r.Splits.SuggestedIsConfigured {
		p("**The suggested split.** The best grouping of the domains is the configured one ([definition](%s)).\n\n", def("the-suggested-split"))
	} else if r.Splits.Suggested != nil {
		grouping("The suggested split", *r.Splits.Suggested)
	} else {
		p("**No other grouping qualifies**: %s ([definition](%s)).\n\n", r.Splits.SuggestedReason, def("the-suggested-split"))
	}
	p("%s ([definition](%s)). Planned duties are the inventory's, in hours a week and in FTE, 40 hours a week ([definition](%s)).\n\n",
		r.Splits.HeadcountSentence(), def("equivalent-headcount"), def("the-duty-inventory"))

	r.historySection(p)
	r.afterSplitSection(p)

	p("## People\n\n")
	r.peopleTable(p, "| person | workdays in the team | switches per workday | focus | domains | estimated switching loss | interruptions (business / off / sleep) | open items |\n|---|---|---|---|---|---|---|---|\n")
	for _, pe := range r.People {
		focus, loss := "n/a", "n/a"
		if pe.FocusRatio != nil {
			focus, loss = pct(*pe.FocusRatio), pct(*pe.SwitchingLoss)
		}
		p("| %s | %.1f | %.1f | %s | %d | %s | %d / %d / %d | %d |\n", pe.Name, pe.InTeamWorkdays, pe.SwitchesPerWorkday, focus, pe.Domains, loss,
			pe.Interruptions[analysis.PeriodBusiness], pe.Interruptions[analysis.PeriodOffHours], pe.Interruptions[analysis.PeriodSleep], pe.OpenItems)
	}
	for _, pe := range r.People {
		if note := pe.MedianNote(); note != "" {
			p("\n%s ([definition](%s))\n", note, def("workdays"))
		}
	}
	p("\nDefinitions: [workdays](%s), [context switch](%s), [focus ratio](%s), [estimated switching loss](%s) (a published rule of thumb, not a measurement), [interruption](%s).\n\n",
		def("workdays"), def("context-switch"), def("focus-ratio"), def("estimated-switching-loss"), def("interruption"))

	if m := r.Meetings; m != nil {
		p("## Meetings\n\n")
		r.peopleTable(p, "| person | meeting time | by domain | uninterrupted time |\n|---|---|---|---|\n")
		for _, pe := range m.People {
			p("| %s | %.1f h | %s | %.1f h |\n", pe.Name, pe.Hours, pe.DomainList(), pe.UninterruptedHours)
		}
		var teams []string
		for _, t := range m.Teams {
			teams = append(teams, fmt.Sprintf("%s %s", t.Name, pct(t.MeetingShare)))
		}
		p("\nThe share of each proposed team's work that is meetings: %s.\n", strings.Join(teams, ", "))
		p("\nDefinitions: [meeting time, uninterrupted time and the meeting share](%s).\n\n", def("meeting-time-and-uninterrupted-time"))
	}

	p("## On-call\n\n")
	if r.OnCall.IncidentsPerShift != nil {
		p("%.2f high-urgency incidents per 12-hour shift, against the SRE book's sustainable maximum of %g ([definition](%s)).\n\n", *r.OnCall.IncidentsPerShift, r.OnCall.SustainableMax, def("on-call-load"))
	} else {
		p("PagerDuty is not configured.\n\n")
	}
	if len(r.OnCall.People) > 0 {
		p("| person | share of time on call | business / off / sleep hours | shifts | pages on call | pages per shift |\n|---|---|---|---|---|---|\n")
		for _, o := range r.OnCall.People {
			share := pct(o.Ratio)
			if o.AboveCap {
				share += fmt.Sprintf(" (above the %s cap)", pct(r.OnCall.SustainableTimeRatio))
			}
			p("| %s | %s | %.1f / %.1f / %.1f | %d | %d | %.2f |\n", o.Name, share,
				o.Hours(analysis.PeriodBusiness), o.Hours(analysis.PeriodOffHours), o.Hours(analysis.PeriodSleep), o.Shifts, o.Pages, o.PagesPerShift)
		}
		p("\nThe SRE book caps on-call time at %s of an engineer's time. %s ([definitions](%s))\n\n", pct(r.OnCall.SustainableTimeRatio), r.OnCall.Rotation.Sentence(), def("on-call-time"))
	} else if r.PeopleShown == config.PrivacyAggregate && r.OnCall.Rotation != nil {
		p("%s The SRE book caps on-call time at %s of an engineer's time. %s ([definitions](%s))\n\n", aggregateNote, pct(r.OnCall.SustainableTimeRatio), r.OnCall.Rotation.Sentence(), def("on-call-time"))
	}
	if domains := r.OnCall.domains(); len(domains) > 0 {
		p("| domain | mean time to acknowledge | p50 / p90 | mean time to resolve | p50 / p90 |\n|---|---|---|---|---|\n")
		for _, d := range domains {
			p("| %s | %s | %s | %s | %s |\n", d, dur(r.OnCall.MeanTimeToAcknowledge, d), p50p90(r.OnCall.TimeToAcknowledge[d]),
				dur(r.OnCall.MeanTimeToResolve, d), p50p90(r.OnCall.TimeToResolve[d]))
		}
		p("\n[Definitions](%s).\n\n", def("incident-times"))
	}

	p("## Data quality\n\n")
	p("%s ([how rules work](%s)).", r.DataQuality.UnclassifiedItemsNote(), def("domains-and-rules"))
	if len(r.DataQuality.UnmatchedRules) > 0 {
		p(" Rules that matched nothing: %s.", strings.Join(r.DataQuality.UnmatchedRules, ", "))
	}
	p("\n\n")
	if len(r.DataQuality.RecentUnclassified) > 0 {
		p("The most recent unclassified items:\n\n")
		for _, it := range r.DataQuality.RecentUnclassified {
			p("- [%s](%s) %s\n", mdEscape(it.Key), it.URL, mdEscape(it.Title))
		}
		p("\n")
	}

	r.dataSection(p)
	r.definitionsSection(p)
	_, err := io.WriteString(w, b.String())
	return err
}

// dataSection writes when each source was collected.
func (r *Report) dataSection(p func(format string, args ...any)) {
	p("## The data\n\n")
	p("Analysed at %s over a rolling window of %s.", r.GeneratedAt.Format(time.RFC3339), r.Window)
	for _, s := range r.Sources {
		when := "never"
		if s.LastSuccess != nil {
			when = s.LastSuccess.Format(time.RFC3339)
		}
		p(" %s last collected %s.", s.Name, when)
		if len(s.Stale) > 0 {
			p(" Its last refresh could not read %d repositories, which keep older data or none: %s.", len(s.Stale), mdEscape(strings.Join(s.Stale, ", ")))
		}
	}
	p("\n")
}

// definitionsSection is the appendix of the definitions the report links
// to, so that a printed or pasted report carries them; each links to its
// README section too.
func (r *Report) definitionsSection(p func(format string, args ...any)) {
	p("\n## Definitions\n\n")
	for _, d := range r.definitions() {
		p("- **%s.** %s ([README](%s))\n", d.Title, d.Text, def(d.Anchor))
	}
}

// domains lists, sorted, the domains with a mean time to acknowledge or
// to resolve.
func (o *OnCall) domains() []string {
	var out []string
	for _, m := range []map[string]float64{o.MeanTimeToAcknowledge, o.MeanTimeToResolve} {
		for d := range m {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// p50p90 is "p50 / p90" of a domain's percentiles, or n/a.
func p50p90(m map[string]float64) string {
	if m == nil {
		return "n/a"
	}
	return dur(m, "50") + " / " + dur(m, "90")
}

func dur(m map[string]float64, d string) string {
	v, ok := m[d]
	if !ok {
		return "n/a"
	}
	return (time.Duration(v) * time.Second).Round(time.Second).String()
}

// historySection writes the history: each signal at every 30 days back
// from the last step, against its threshold, with the date it first held
// and the forecast; then each person's switches and each team's share.
func (r *Report) historySection(p func(format string, args ...any)) {
	h := r.History
	if h == nil {
		return
	}
	cols := h.Columns()
	p("## History\n\n")
	p("From %s to %s, at daily steps ([definition](%s)).", h.From.Format(time.DateOnly), h.To.Format(time.DateOnly), def("the-history-in-the-report"))
	if h.Reach != "" {
		p(" %s", h.Reach)
	}
	p("\n\n")
	header := func(first string) {
		p("| %s |", first)
		for _, c := range cols {
			p(" %s |", c.Format(time.DateOnly))
		}
	}
	header("signal")
	p(" threshold | first held | forecast ([definition](%s)) |\n|---|", def("forecast"))
	for range cols {
		p("---|")
	}
	p("---|---|---|\n")
	for _, s := range h.Signals {
		p("| %s |", s.Title)
		for _, c := range cols {
			if v, ok := s.At(c); ok {
				p(" %.2f |", v)
			} else {
				p(" n/a |")
			}
		}
		held := "not within the range"
		if s.FirstHeld != nil {
			held = s.FirstHeld.Format(time.DateOnly)
		}
		fc := "holds"
		if s.Forecast != nil {
			fc = s.Forecast.Sentence()
		}
		p(" %g | %s | %s |\n", s.Threshold, held, fc)
	}
	for _, group := range []struct {
		title, first string
		rows         []SeriesHistory
		format       func(float64) string
	}{
		{"Context switches per workday", "person", h.People, func(v float64) string { return fmt.Sprintf("%.1f", v) }},
		{"Activity share by proposed team", "proposed team", h.Teams, pct},
	} {
		if len(group.rows) == 0 {
			continue
		}
		p("\n%s:\n\n", group.title)
		header(group.first)
		p("\n|---|")
		for range cols {
			p("---|")
		}
		p("\n")
		for _, row := range group.rows {
			p("| %s |", row.Name)
			for _, c := range cols {
				if v, ok := row.At(c); ok {
					p(" %s |", group.format(v))
				} else {
					p(" n/a |")
				}
			}
			p("\n")
		}
	}
	p("\n")
}

// afterSplitSection writes what a split would mean: the recommendation and
// the rotations, who would go where, the bus factors, the staffing gaps
// and a role profile per team, the last to paste into a job description.
func (r *Report) afterSplitSection(p func(format string, args ...any)) {
	a := r.AfterSplit
	if a == nil {
		return
	}
	p("## After the split\n\n")
	p("**%s** ([definitions](%s))\n\n", a.Recommendation, def("after-the-split"))
	p("| team | model | people | share on call | incidents per 12-hour shift | sleep-hour pages per person per week | the book's minimum | can run |\n|---|---|---|---|---|---|---|---|\n")
	for _, rot := range a.Rotations {
		share := "n/a"
		if rot.OnCallRatio != nil {
			share = pct(*rot.OnCallRatio)
		}
		p("| %s | %s | %d | %s | %.2f | %s | %d | %s |\n", rot.Team, rot.Model, rot.Size, share, rot.IncidentsPerShift, sleepPages(rot), rot.Minimum, yesNo(rot.CanRun))
	}
	p("\n### Who would go where\n\n")
	r.peopleTable(p, "| person | suggested team | work that stays |\n|---|---|---|\n")
	for _, as := range a.Assignment {
		stays := pct(as.Stays)
		if as.Classified == 0 {
			stays = "no classified activity"
		}
		p("| %s | %s | %s |\n", as.Person, as.Team, stays)
	}
	p("\n| domain | bus factor |\n|---|---|\n")
	for _, bf := range a.BusFactors {
		flag := ""
		if bf.OnePerson {
			flag = " (**one person**)"
		}
		p("| %s | %d%s |\n", bf.Domain, bf.BusFactor, flag)
	}
	p("\n### What is missing\n\nIn people, under split.rotation: %s.\n\n| team | work (equivalent headcount) | duties (FTE) | on-call | demand | people | gap |\n|---|---|---|---|---|---|---|\n", a.Model)
	for _, st := range a.Staffing {
		p("| %s | %.2f | %.2f | %.2f | %.2f | %d | %.2f |\n", st.Team, st.Work, st.Duties, st.OnCall, st.Demand, st.People, st.Gap)
	}
	for _, pr := range a.Profiles {
		p("\n### Role profile: %s\n\n", pr.Team)
		var domains []string
		for _, d := range pr.Domains {
			domains = append(domains, fmt.Sprintf("%s %s", d.Domain, pct(d.Share)))
		}
		p("- Domains (share of the team's work): %s\n", strings.Join(domains, ", "))
		p("- Repositories (activities in the window): %s\n", named(pr.Repositories))
		p("- PagerDuty services (activities in the window): %s\n", named(pr.Services))
		var duties []string
		for _, d := range pr.Duties {
			duties = append(duties, fmt.Sprintf("%s (%.1f h/week)", mdEscape(d.Name), d.HoursPerWeek))
		}
		if len(duties) == 0 {
			duties = []string{"none in the inventory"}
		}
		p("- Recurring duties: %s\n", strings.Join(duties, ", "))
		p("- On call: %s\n", pr.OnCall)
		p("- Interruptions (business / off / sleep hours): %d / %d / %d\n", pr.Interruptions[analysis.PeriodBusiness], pr.Interruptions[analysis.PeriodOffHours], pr.Interruptions[analysis.PeriodSleep])
		p("- Activities: %d on issues and pull requests, %d reviews, %d in incident response\n", pr.Activities[KindWork], pr.Activities[KindReviews], pr.Activities[KindIncident])
	}
	p("\n")
}

// sleepPages lists each member's sleep-hour pages per week.
func sleepPages(rot RotationRow) string {
	var out []string
	for _, m := range rot.Members {
		out = append(out, fmt.Sprintf("%s %.1f", m, rot.SleepPagesPerWeek[m]))
	}
	switch {
	case len(out) > 0:
		return strings.Join(out, ", ")
	case rot.Size > 0: // privacy.people: aggregate
		return fmt.Sprintf("up to %.1f", rot.MostSleepPagesPerWeek)
	}
	return "n/a"
}

// peopleTable writes a per-person table's header, or, under
// privacy.people: aggregate, where the table has no rows, why it is not
// there.
func (r *Report) peopleTable(p func(format string, args ...any), header string) {
	if r.PeopleShown == config.PrivacyAggregate {
		p("%s\n", aggregateNote)
		return
	}
	p("%s", header)
}

// aggregateNote says why a per-person table is not there.
const aggregateNote = "Per-person figures are not shown: `privacy.people` is `aggregate`. The split signals are team-level (the median over people, the team shares), and hold as they would with names."

func named(list []Named) string {
	if len(list) == 0 {
		return "none"
	}
	var out []string
	for _, n := range list {
		out = append(out, fmt.Sprintf("%s (%d)", mdEscape(n.Name), n.Activities))
	}
	return strings.Join(out, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
