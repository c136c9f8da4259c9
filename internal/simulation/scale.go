package simulation

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// ScaleParams sizes a generated organisation for load tests and
// benchmarks. Everything is created within the window before now, spread
// evenly over repositories.
type ScaleParams struct {
	Orgs       int
	Repos      int
	Issues     int // issues and pull requests updated in the window
	Comments   int // conversation and review comments
	Reviews    int // pull request reviews (some pending or dismissed)
	Incidents  int
	LogEntries int
	People     int
	Domains    int
	Rules      int
	// Calendars is how many people (the first) have a calendar feed, each
	// with a year of recurring meetings (ScaleCalendars).
	Calendars int
	Window    time.Duration
}

// Large is the reference size of the scale goals.
var Large = ScaleParams{Orgs: 2, Repos: 300, Issues: 60_000, Comments: 300_000, Reviews: 2_000, Incidents: 20_000, LogEntries: 100_000,
	People: 40, Domains: 10, Rules: 50, Calendars: 40, Window: 7 * 24 * time.Hour}

// Divide returns p with every count divided by n (at least 1 of each), for
// a quick version of a scenario.
func (p ScaleParams) Divide(n int) ScaleParams {
	d := func(v int) int { return max(1, v/n) }
	return ScaleParams{Orgs: p.Orgs, Repos: d(p.Repos), Issues: d(p.Issues), Comments: d(p.Comments), Reviews: d(p.Reviews), Incidents: d(p.Incidents),
		LogEntries: d(p.LogEntries), People: p.People, Domains: p.Domains, Rules: p.Rules, Calendars: p.Calendars, Window: p.Window}
}

// RepoName is the name of repository i of a scale dataset.
func RepoName(p ScaleParams, i int) string { return fmt.Sprintf("org%d/repo-%03d", i%p.Orgs, i) }

// Scale generates a dataset of the given size, as it stands at now.
func Scale(p ScaleParams, now time.Time) *Dataset {
	now = now.UTC().Truncate(time.Second)
	rnd := rand.New(rand.NewPCG(uint64(p.Repos), uint64(p.Issues)))
	start := now.Add(-p.Window)
	within := func() time.Time {
		return start.Add(time.Minute + time.Duration(rnd.Int64N(int64(p.Window-2*time.Minute)))).Truncate(time.Second)
	}
	user := func() User {
		if rnd.IntN(4) == 0 {
			return User{Login: fmt.Sprintf("dev%d", rnd.IntN(200))} // not in the team
		}
		return User{Login: fmt.Sprintf("user%d", rnd.IntN(p.People))}
	}
	ds := &Dataset{}
	owners := make([]*Owner, p.Orgs)
	for o := range owners {
		owners[o] = &Owner{Login: fmt.Sprintf("org%d", o), IsOrg: true}
		ds.GitHub.Owners = append(ds.GitHub.Owners, owners[o])
	}
	repos := make([]*Repo, p.Repos)
	for i := range repos {
		repos[i] = &Repo{Name: strings.SplitN(RepoName(p, i), "/", 2)[1]}
		owners[i%p.Orgs].Repos = append(owners[i%p.Orgs].Repos, repos[i])
	}
	var id int64
	for i := 0; i < p.Issues; i++ {
		r := repos[i%p.Repos]
		created := within()
		is := &Issue{Number: len(r.Issues) + 1, Title: fmt.Sprintf("work on topic%d", rnd.IntN(60)), User: user(),
			Labels: []string{fmt.Sprintf("label-%d", rnd.IntN(70))}, Assignees: []string{fmt.Sprintf("user%d", rnd.IntN(p.People))},
			PR: i%5 < 2, CreatedAt: created, UpdatedAt: created}
		if rnd.IntN(3) == 0 {
			closed := created.Add(time.Duration(rnd.Int64N(int64(now.Sub(created)))))
			if closed.After(now.Add(-time.Minute)) {
				closed = created
			}
			is.ClosedAt, is.UpdatedAt = closed, closed
			id++
			if is.PR {
				is.MergedAt = closed
				r.Events = append(r.Events, &Event{ID: id, Issue: is.Number, Actor: user(), Event: "merged", CreatedAt: closed})
				id++
			}
			r.Events = append(r.Events, &Event{ID: id, Issue: is.Number, Actor: user(), Event: "closed", CreatedAt: closed})
		}
		r.Issues = append(r.Issues, is)
	}
	for i := 0; i < p.Comments; i++ {
		r := repos[i%p.Repos]
		if len(r.Issues) == 0 {
			continue
		}
		is := r.Issues[rnd.IntN(len(r.Issues))]
		at := is.CreatedAt.Add(time.Duration(rnd.Int64N(int64(now.Sub(is.CreatedAt))))).Truncate(time.Second)
		if at.After(now.Add(-time.Minute)) {
			at = is.CreatedAt
		}
		id++
		c := &Comment{ID: id, Issue: is.Number, User: user(), CreatedAt: at, UpdatedAt: at}
		if is.PR && i%2 == 0 {
			r.ReviewComments = append(r.ReviewComments, c)
		} else {
			r.Comments = append(r.Comments, c)
		}
		if at.After(is.UpdatedAt) {
			is.UpdatedAt = at
		}
	}
	scaleReviews(p, repos, now)

	pd := &ds.PagerDuty
	for u := 0; u < p.People; u++ {
		pd.Users = append(pd.Users, PDUser{ID: fmt.Sprintf("PU%03d", u), Name: fmt.Sprintf("user%d", u), Email: fmt.Sprintf("user%d@acme.example", u)})
	}
	for s := 0; s < p.Domains; s++ {
		pd.Services = append(pd.Services, PDRef{ID: fmt.Sprintf("PS%03d", s), Name: fmt.Sprintf("service-%d", s)})
	}
	pd.Teams = []PDRef{{ID: "PT0001", Name: "SRE"}}
	pd.EscalationPolicies = []PDRef{{ID: "PE0001", Name: "SRE"}}
	perIncident := max(1, p.LogEntries/max(1, p.Incidents))
	for i := 0; i < p.Incidents; i++ {
		created := within()
		in := &Incident{ID: fmt.Sprintf("Q%06d", i), Number: i + 1, Title: "alert", Urgency: []string{"high", "low"}[i%2],
			ServiceID: fmt.Sprintf("PS%03d", i%p.Domains), TeamIDs: []string{"PT0001"}, EscalationPolicyID: "PE0001", CreatedAt: created}
		oncall := fmt.Sprintf("PU%03d", rnd.IntN(p.People))
		at := created
		for k := 0; k < perIncident && len(pd.LogEntries) < p.LogEntries; k++ {
			at = at.Add(time.Duration(30+rnd.IntN(300)) * time.Second)
			if at.After(now.Add(-time.Minute)) {
				break
			}
			le := &LogEntry{ID: fmt.Sprintf("R%07d", len(pd.LogEntries)), IncidentID: in.ID, CreatedAt: at}
			// Types, agents and channels as in demo.go (see its
			// notifyChannels for which are assumptions).
			switch k {
			case 0:
				le.Type, le.AgentType, le.AgentID, le.ChannelType = "trigger_log_entry", "service_reference", in.ServiceID, "api"
			case 1, 2:
				le.Type, le.AgentType, le.AgentID, le.UserID, le.ChannelType = "notify_log_entry", "service_reference", in.ServiceID, oncall, "sms"
			case 3:
				le.Type, le.AgentType, le.AgentID, le.ChannelType = "acknowledge_log_entry", "user_reference", oncall, "mobile"
				in.AcknowledgedAt = at
			default:
				le.Type, le.AgentType, le.AgentID, le.ChannelType = "resolve_log_entry", "user_reference", oncall, "web_ui"
				in.ResolvedAt = at
			}
			pd.LogEntries = append(pd.LogEntries, le)
		}
		if in.ResolvedAt.IsZero() {
			in.Assignees = []string{oncall}
		}
		pd.Incidents = append(pd.Incidents, in)
	}
	scaleOnCalls(p, pd, start, now)
	ds.Calendars = ScaleCalendars(p, now)
	return ds
}

// scaleZones are the time zones of a scale dataset's people, by u % 4.
var scaleZones = []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"}

// ScaleCalendars are the feeds of the first p.Calendars people of a scale
// dataset: each a year of recurring meetings in the person's zone (a
// daily standup on workdays, four weekly and two biweekly meetings, one
// monthly), with moved and cancelled occurrences and exceptions, and
// forty single meetings, titled so that the scale config's title rules
// classify most of them.
func ScaleCalendars(p ScaleParams, now time.Time) []*Calendar {
	now = now.UTC().Truncate(time.Second)
	year := now.AddDate(-1, 0, 0)
	var out []*Calendar
	for u := 0; u < min(p.Calendars, p.People); u++ {
		rnd := rand.New(rand.NewPCG(uint64(u), 16))
		zone := scaleZones[u%4]
		loc, _ := time.LoadLocation(zone)
		day := func(d int) time.Time {
			t := year.In(loc).AddDate(0, 0, d)
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		}
		at := func(d, hour, minute int) time.Time {
			return day(d).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
		}
		cal := &Calendar{Person: fmt.Sprintf("p%d", u), Name: fmt.Sprintf("user%d@acme.example", u), Zone: zone, Modified: now.Add(-time.Hour)}
		self := cal.Name
		series := []struct {
			rule   string
			hour   int
			length time.Duration
		}{
			{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 9, 15 * time.Minute},
			{"FREQ=WEEKLY;BYDAY=MO", 11, time.Hour},
			{"FREQ=WEEKLY;BYDAY=TU", 14, 45 * time.Minute},
			{"FREQ=WEEKLY;BYDAY=WE", 16, time.Hour},
			{"FREQ=WEEKLY;BYDAY=TH", 10, 30 * time.Minute},
			{"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", 13, time.Hour},
			{"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", 15, 90 * time.Minute},
			{"FREQ=MONTHLY;BYDAY=1TU", 15, 2 * time.Hour},
		}
		for i, s := range series {
			uid := fmt.Sprintf("series-%d-%d@acme.example", u, i)
			e := &CalEvent{UID: uid, Summary: fmt.Sprintf("sync on topic%d", rnd.IntN(60)), Organizer: fmt.Sprintf("user%d@acme.example", rnd.IntN(p.People)),
				Attendees: []string{self}, Zone: zone, Start: at(0, s.hour, 0), Length: s.length, RRule: s.rule}
			for k := 0; k < 3; k++ {
				e.ExDates = append(e.ExDates, at(rnd.IntN(350), s.hour, 0)) // mostly no occurrence: harmless, as in real feeds
			}
			cal.Events = append(cal.Events, e)
			for k := 0; k < 4; k++ { // moved, and one cancelled
				occ := at(7*(1+rnd.IntN(50)), s.hour, 0)
				ov := &CalEvent{UID: uid, Summary: e.Summary, Organizer: e.Organizer, Attendees: e.Attendees, Zone: zone,
					Start: occ.Add(time.Duration(1+rnd.IntN(3)) * time.Hour), Length: s.length, RecurrenceID: occ, Cancelled: k == 3}
				cal.Events = append(cal.Events, ov)
			}
		}
		for k := 0; k < 40; k++ {
			e := &CalEvent{UID: fmt.Sprintf("single-%d-%d@acme.example", u, k), Summary: fmt.Sprintf("review of topic%d", rnd.IntN(60)),
				Organizer: fmt.Sprintf("user%d@acme.example", rnd.IntN(p.People)), Attendees: []string{self}, Zone: zone,
				Start: at(rnd.IntN(365), 9+rnd.IntN(8), 30), Length: time.Duration(1+rnd.IntN(4)) * 30 * time.Minute}
			if k%10 == 0 {
				e.Declined = []string{self}
			}
			cal.Events = append(cal.Events, e)
		}
		cal.sortEvents()
		out = append(out, cal)
	}
	return out
}

// scaleOnCalls adds the on-call entries of escalation policy PE0001: a
// daily rotation of all p.People people (PU000 onwards, the users above)
// on level 1 from schedule SRE Primary, and on level 2 a secondary
// rotation from schedule SRE Secondary, half the team further on. Days
// begin at start (now - p.Window) plus whole days; the rotation runs from
// three days before start to a week after now (see demoOnCallAhead). It
// draws no random numbers, so the rest of the dataset is as it was before
// on-calls. Assumption: the schedules' IDs and names.
func scaleOnCalls(p ScaleParams, pd *PagerDutyData, start, now time.Time) {
	if p.People <= 0 {
		return
	}
	pd.Schedules = []PDRef{{ID: "PSCH001", Name: "SRE Primary"}, {ID: "PSCH002", Name: "SRE Secondary"}}
	day := 24 * time.Hour
	last := int((now.Sub(start)+day-1)/day) + demoOnCallAhead
	var primary, secondary []shift
	for d := -3; d < last; d++ {
		from := start.Add(time.Duration(d) * day)
		u := func(k int) string { return fmt.Sprintf("PU%03d", ((k%p.People)+p.People)%p.People) }
		primary = append(primary, shift{user: u(d), start: from, end: from.Add(day)})
		secondary = append(secondary, shift{user: u(d + p.People/2), start: from, end: from.Add(day)})
	}
	pd.OnCalls = append(rotationOnCalls("PE0001", 1, "PSCH001", primary), rotationOnCalls("PE0001", 2, "PSCH002", secondary)...)
}

// scaleReviews adds p.Reviews reviews, spread over the repositories that
// have pull requests, each on a random one of them, from a random stream of their own (so that the
// rest of the dataset is as it was before reviews): a quarter by people
// outside the team, as for comments; half approvals, a fifth commented, and
// changes requested, pending and dismissed ones. A submitted review
// updates its pull request (see the demo's addReview).
func scaleReviews(p ScaleParams, repos []*Repo, now time.Time) {
	rnd := rand.New(rand.NewPCG(uint64(p.Repos), uint64(p.Reviews)+1))
	id := int64(1) << 40 // apart from the comments' and events' IDs
	states := []string{"APPROVED", "APPROVED", "APPROVED", "APPROVED", "APPROVED", "COMMENTED", "COMMENTED", "CHANGES_REQUESTED", "CHANGES_REQUESTED", "PENDING", "DISMISSED"}
	// The repositories with pull requests: issue i goes to repository
	// i mod Repos and is a pull request when i mod 5 < 2, so with 300
	// repositories only those numbered 0 or 1 mod 5 have any.
	var withPulls []*Repo
	pulls := map[*Repo][]*Issue{}
	for _, r := range repos {
		for _, is := range r.Issues {
			if is.PR {
				pulls[r] = append(pulls[r], is)
			}
		}
		if len(pulls[r]) > 0 {
			withPulls = append(withPulls, r)
		}
	}
	if len(withPulls) == 0 {
		return
	}
	for i := 0; i < p.Reviews; i++ {
		r := withPulls[i%len(withPulls)]
		is := pulls[r][rnd.IntN(len(pulls[r]))]
		end := now.Add(-time.Minute)
		if !is.ClosedAt.IsZero() {
			end = is.ClosedAt
		}
		at := is.CreatedAt
		if end.After(at) {
			at = at.Add(time.Duration(rnd.Int64N(int64(end.Sub(at))))).Truncate(time.Second)
		}
		u := User{Login: fmt.Sprintf("user%d", rnd.IntN(p.People))}
		if rnd.IntN(4) == 0 {
			u = User{Login: fmt.Sprintf("dev%d", rnd.IntN(200))}
		}
		id++
		rv := &Review{ID: id, Issue: is.Number, User: u, State: states[rnd.IntN(len(states))]}
		if rv.State != "PENDING" {
			rv.SubmittedAt = at
			if at.After(is.UpdatedAt) {
				is.UpdatedAt = at
			}
		}
		r.Reviews = append(r.Reviews, rv)
	}
}

// ScaleConfig is a config for a Scale dataset: p.Domains domains in two
// proposed teams, p.Rules rules over labels, titles, repositories and
// services, and p.People people in four time zones.
func ScaleConfig(p ScaleParams) []byte {
	var y strings.Builder
	fmt.Fprintf(&y, "window: %s\nrefresh_interval: 1m\ngithub:\n  api_url: http://127.0.0.1/github/\n  token_env: SIM_GITHUB_TOKEN\n  repositories:\n", shortDuration(p.Window))
	for o := 0; o < p.Orgs; o++ {
		fmt.Fprintf(&y, "    - org%d/*\n", o)
	}
	y.WriteString("pagerduty:\n  api_url: http://127.0.0.1/pagerduty\n  token_env: SIM_PAGERDUTY_TOKEN\n  teams: [SRE]\ndomains:\n")
	for d := 0; d < p.Domains; d++ {
		fmt.Fprintf(&y, "  - {name: d%d, proposed_team: team-%d}\n", d, d%2)
	}
	y.WriteString("rules:\n")
	for r := 0; r < p.Rules; r++ {
		switch r % 4 {
		case 0:
			fmt.Fprintf(&y, "  - {domain: d%d, labels: [label-%d]}\n", r%p.Domains, r)
		case 1:
			fmt.Fprintf(&y, "  - {domain: d%d, title: \"(?i)topic%d\\\\b\"}\n", r%p.Domains, r)
		case 2:
			fmt.Fprintf(&y, "  - {domain: d%d, repositories: [\"org*/repo-%d*\"]}\n", r%p.Domains, r)
		default:
			fmt.Fprintf(&y, "  - {domain: d%d, services: [service-%d]}\n", r%p.Domains, r%p.Domains)
		}
	}
	if p.Calendars > 0 {
		y.WriteString("calendar: {}\n")
	}
	y.WriteString("people:\n")
	for u := 0; u < p.People; u++ {
		pdID := fmt.Sprintf("PU%03d", u)
		if u%10 == 0 {
			pdID = fmt.Sprintf("user%d@acme.example", u) // some by e-mail
		}
		cal := ""
		if u < p.Calendars {
			cal = fmt.Sprintf(", calendar: {url_env: SIM_CALENDAR_P%d, self: user%d@acme.example}", u, u)
		}
		fmt.Fprintf(&y, "  - {name: p%d, github: [user%d], pagerduty: [%s], timezone: %s%s}\n", u, u, pdID, scaleZones[u%4], cal)
	}
	return []byte(y.String())
}

func shortDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
