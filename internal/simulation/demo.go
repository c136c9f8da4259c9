package simulation

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// DemoDays is the length of the demo's history.
const DemoDays = 90

// demoSeed fixes the demo's story: the same seed and clock give the same data.
const demoSeed = 20261125

// The demo's people. Their accounts match config/demo.yml.
type demoPerson struct {
	name    string // in config/demo.yml
	login   string // GitHub
	pdID    string
	email   string
	tz      string
	joinDay int
}

var demoPeople = []demoPerson{
	{name: "alice", login: "alice-sre", pdID: "PALICE1", email: "alice@acme.example", tz: "Europe/Berlin", joinDay: 0},
	{name: "bob", login: "bob-ops", pdID: "PBOB001", email: "bob@acme.example", tz: "America/New_York", joinDay: 0},
	{name: "carol", login: "carol-cloud", pdID: "PCAROL1", email: "carol@acme.example", tz: "Asia/Tokyo", joinDay: 45},
}

// demoArea is one kind of work in the story: where it lives on GitHub and
// PagerDuty, and what its items are called.
type demoArea struct {
	corporate bool
	repos     []string // owner/name
	labels    []string
	titles    []string
	service   string // PagerDuty service ID
}

var demoAreas = []demoArea{
	{ // product
		repos:   []string{"acme/k8s-platform", "acme/terraform-product", "acme/deploy-pipelines"},
		labels:  []string{"infra", "deploy", "incident-followup", "kubernetes"},
		titles:  []string{"Upgrade EKS node group to %s", "Terraform drift in %s VPC", "Canary deploy stuck for %s", "HPA flapping on %s", "Postmortem follow-up: %s latency", "Rotate TLS certificates for %s ingress", "Deploy pipeline timeout in %s"},
		service: "PCHK001",
	},
	{ // security
		corporate: true,
		repos:     []string{"acme-corp/security-tooling", "acme-corp/audit-requests"},
		labels:    []string{"security", "audit", "vuln"},
		titles:    []string{"SOC 2 evidence request: %s", "GuardDuty finding in %s account", "Rotate IAM access keys for %s", "Vulnerability scan exceptions for %s", "Auditor access review for %s"},
		service:   "PGDTY01",
	},
	{ // cloud governance
		corporate: true,
		repos:     []string{"acme-corp/aws-organization", "acme-corp/account-vending"},
		labels:    []string{"aws-org", "account-request"},
		titles:    []string{"New AWS account for %s team", "SCP change request: %s", "Move %s account to new OU", "Budget alert routing for %s", "Close sandbox account %s"},
		service:   "PAWSO01",
	},
	{ // SaaS administration
		corporate: true,
		repos:     []string{"acme-corp/it-requests"},
		labels:    []string{"saas", "access-request"},
		titles:    []string{"Okta SSO app for %s", "SAML setup for %s", "Offboard %s from SaaS tools", "Slack workspace settings for %s", "License true-up: %s"},
		service:   "POKTA01",
	},
}

var demoWords = []string{"checkout", "payments", "search", "billing", "data-platform", "marketing", "finance", "growth", "mobile", "analytics", "eu-west-1", "us-east-1", "staging", "sandbox-17", "legal", "hr"}

type demoGen struct {
	rnd    *rand.Rand
	now    time.Time
	start  time.Time
	ds     *Dataset
	repos  map[string]*Repo
	open   map[string][]*Issue // repo -> open issues
	nextID int64
	inc    int
	logID  int
}

// Demo generates the demo's story as it stands at now: a two-person SRE team
// at a growing company, with a third person joining on day 45, whose
// corporate work (security, AWS Organizations, SSO and SaaS administration,
// audits) grows from about an eighth of their work to about half over 90
// days, and whose context switching grows with it.
func Demo(now time.Time) *Dataset {
	now = now.UTC().Truncate(time.Second)
	g := &demoGen{
		rnd:    rand.New(rand.NewPCG(demoSeed, 1)),
		now:    now,
		start:  now.Add(-DemoDays * 24 * time.Hour),
		ds:     &Dataset{},
		repos:  map[string]*Repo{},
		open:   map[string][]*Issue{},
		nextID: 1000,
	}
	g.setupGitHub()
	g.setupPagerDuty()
	for day := 0; day < DemoDays+1; day++ {
		g.githubDay(day)
		g.pagerdutyDay(day)
	}
	for _, r := range g.repos {
		sort.Slice(r.Issues, func(i, j int) bool { return r.Issues[i].Number < r.Issues[j].Number })
	}
	g.mergeDuplicate()
	g.reviews()
	g.oncalls()
	g.demoCalendars()
	return g.ds
}

// demoOnCallAhead is how many days after now the demo's schedule is
// computed: the shift under way ends in the future, and real PagerDuty
// answers on-calls ahead of now ("On-call shifts are limited to 90 days in
// the future": openapiv3.json #/components/parameters/since_oncalls).
// Assumption: a week is enough for the exporter's needs; real computes
// up to 90 days.
const demoOnCallAhead = 7

// demoShift is the length of the demo's on-call shifts: three a day.
const demoShift = 8 * time.Hour

// onCallAt is who is on call at t. Day d (from g.start + d × 24 h) has
// three shifts, j = 0, 1, 2; shift j of day d is members[(d + j) %
// len(members)]'s, of the members of the team that day. With three, each
// has one shift a day, a third of any 7-day window that starts at a day's
// start, and their shift moves eight hours each day, so that everyone
// takes nights in turn; with two, they take two shifts and one on
// alternate days.
func (g *demoGen) onCallAt(t time.Time) demoPerson {
	perDay := int(24 * time.Hour / demoShift)
	k := int(t.Sub(g.start) / demoShift)
	d, j := k/perDay, k%perDay
	members := g.membersOn(d)
	return members[(d+j)%len(members)]
}

// oncalls adds the schedule of onCallAt's rotation, Product Primary, as
// on-call entries, from g.start to demoOnCallAhead days after now. Both
// escalation policies of the team, PEPPROD and PEPCORP, have the schedule
// on their first level, so each shift is two entries that overlap (the
// exporter must count a person's time once). A person's consecutive
// shifts are one entry (see rotationOnCalls). It draws no random numbers.
func (g *demoGen) oncalls() {
	var shifts []shift
	for k := 0; k < (DemoDays+1+demoOnCallAhead)*int(24*time.Hour/demoShift); k++ {
		from := g.start.Add(time.Duration(k) * demoShift)
		shifts = append(shifts, shift{user: g.onCallAt(from).pdID, start: from, end: from.Add(demoShift)})
	}
	pd := &g.ds.PagerDuty
	for _, ep := range []string{"PEPPROD", "PEPCORP"} {
		pd.OnCalls = append(pd.OnCalls, rotationOnCalls(ep, 1, "PSCHPRI", shifts)...)
	}
}

// mergeDuplicate adds the story's merged incident: a duplicate of the
// latest incident that was acknowledged and resolved more than a day ago,
// created 30 seconds after it, paging the same person, who merges it into
// the original a minute after acknowledging that one, while the original
// is open ("The target incident must be open": openapiv3.json
// #/paths/~1incidents~1{id}~1merge/put/description). The merge resolves
// the duplicate (ibid.: "the source incidents will be resolved"); its
// resolve_log_entry by that person is an Assumption (see
// Incident.MergedInto). It draws no random numbers, so the rest of the
// story is unchanged.
func (g *demoGen) mergeDuplicate() {
	pd := &g.ds.PagerDuty
	var target *Incident
	for _, in := range pd.Incidents {
		if !in.AcknowledgedAt.IsZero() && !in.ResolvedAt.IsZero() && in.ResolvedAt.Before(g.now.Add(-24*time.Hour)) &&
			slices.Contains(in.TeamIDs, "PTPLAT1") && (target == nil || in.CreatedAt.After(target.CreatedAt)) {
			target = in
		}
	}
	if target == nil {
		return
	}
	oncall := ""
	for _, le := range pd.LogEntries {
		if le.IncidentID == target.ID && le.AgentType == "user_reference" && le.CreatedAt.Equal(target.AcknowledgedAt) {
			oncall = le.AgentID
		}
	}
	if oncall == "" {
		return
	}
	g.inc++
	dup := &Incident{
		ID: fmt.Sprintf("Q%06d", g.inc), Number: g.inc, Urgency: target.Urgency, Title: target.Title,
		ServiceID: target.ServiceID, TeamIDs: target.TeamIDs, EscalationPolicyID: target.EscalationPolicyID,
		PriorityID: target.PriorityID, CreatedAt: target.CreatedAt.Add(30 * time.Second),
		ResolvedAt: target.AcknowledgedAt.Add(time.Minute), MergedInto: target.ID,
	}
	pd.Incidents = append(pd.Incidents, dup)
	g.logEntry(&LogEntry{Type: "trigger_log_entry", IncidentID: dup.ID, CreatedAt: dup.CreatedAt, AgentType: "service_reference", AgentID: dup.ServiceID, ChannelType: "api"})
	g.logEntry(&LogEntry{Type: "notify_log_entry", IncidentID: dup.ID, CreatedAt: dup.CreatedAt.Add(5 * time.Second), UserID: oncall,
		AgentType: "service_reference", AgentID: dup.ServiceID, ChannelType: "push_notification"})
	g.logEntry(&LogEntry{Type: "resolve_log_entry", IncidentID: dup.ID, CreatedAt: dup.ResolvedAt, AgentType: "user_reference", AgentID: oncall, ChannelType: "web_ui"})
}

// reviews adds pull request reviews, after the rest of the story and from
// a random stream of their own, so that the story's other actions stay as
// they were. About two pull requests in three get a review by a team
// member other than its author, in their working hours while the pull
// request is open, and some a second one (changes requested, then
// approved); dev-dan reviews a few, which are not the team's work. A few
// reviews are pending or dismissed, which do not count. A submitted
// review updates its pull request (see addReview).
func (g *demoGen) reviews() {
	rnd := rand.New(rand.NewPCG(demoSeed, 2))
	names := make([]string, 0, len(g.repos))
	for full := range g.repos {
		names = append(names, full)
	}
	sort.Strings(names)
	for _, full := range names {
		r := g.repos[full]
		for _, is := range r.Issues {
			if !is.PR || is.User.Bot && rnd.IntN(2) == 0 {
				continue
			}
			end := g.now.Add(-time.Minute)
			if !is.ClosedAt.IsZero() {
				end = is.ClosedAt
			}
			if end.Sub(is.CreatedAt) < 2*time.Hour || rnd.Float64() > 0.65 {
				continue
			}
			at := is.CreatedAt.Add(time.Hour + time.Duration(rnd.Int64N(int64(end.Sub(is.CreatedAt)-2*time.Hour))))
			day := int(at.Sub(g.start) / (24 * time.Hour))
			var who []demoPerson
			for _, p := range g.membersOn(day) {
				if p.login != is.User.Login {
					who = append(who, p)
				}
			}
			if rnd.IntN(8) == 0 || len(who) == 0 {
				who = []demoPerson{{login: "dev-dan", tz: "UTC"}}
			}
			p := who[rnd.IntN(len(who))]
			// In the reviewer's working hours, 09:00 to 18:00 on a
			// weekday, of that day; none if that is outside the pull
			// request's life.
			midnight := g.localDay(p, day)
			if wd := midnight.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			at = midnight.Add(9*time.Hour + time.Duration(rnd.Int64N(int64(9*time.Hour)))).UTC().Truncate(time.Second)
			if !at.After(is.CreatedAt) || !at.Before(end) {
				continue
			}
			reviewer := User{Login: p.login}
			state := []string{"APPROVED", "APPROVED", "APPROVED", "COMMENTED", "CHANGES_REQUESTED", "PENDING", "DISMISSED"}[rnd.IntN(7)]
			g.addReview(r, is, reviewer, state, at)
			if state == "CHANGES_REQUESTED" && end.Sub(at) > 2*time.Hour {
				g.addReview(r, is, reviewer, "APPROVED", at.Add(time.Hour+time.Duration(rnd.Int64N(int64(end.Sub(at)-2*time.Hour)))))
			}
		}
	}
}

// addReview adds a review to a pull request. A submitted one updates the
// pull request's updated_at to its submitted_at, as recorded in a real
// pull_request_review "submitted" payload (abeyuya/actions-mention-to-slack
// __tests__/fixture/real-payload-20211024-pr-approve.ts: the pull
// request's updated_at and the review's submitted_at are both
// 2021-10-24T07:46:22Z). Assumption: a pending review does not update it.
func (g *demoGen) addReview(r *Repo, is *Issue, u User, state string, at time.Time) {
	rv := &Review{ID: g.id(), Issue: is.Number, User: u, State: state}
	if state != "PENDING" {
		rv.SubmittedAt = at
		if at.After(is.UpdatedAt) {
			is.UpdatedAt = at
		}
	}
	r.Reviews = append(r.Reviews, rv)
}

// corporateShare is the share of the team's work that is corporate on a day.
func corporateShare(day int) float64 {
	x := float64(day) / DemoDays
	return 0.08 + 0.42*x*x
}

// actionsPerDay is how many things one person does on a workday.
func actionsPerDay(day int) int {
	return 4 + int(math.Round(9*float64(day)/DemoDays))
}

func (g *demoGen) setupGitHub() {
	owners := map[string]*Owner{}
	addRepo := func(full string, archived bool) {
		owner, name := splitFull(full)
		o := owners[owner]
		if o == nil {
			o = &Owner{Login: owner, IsOrg: true}
			owners[owner] = o
			g.ds.GitHub.Owners = append(g.ds.GitHub.Owners, o)
		}
		r := &Repo{Name: name, Archived: archived}
		o.Repos = append(o.Repos, r)
		g.repos[full] = r
	}
	for _, a := range demoAreas {
		for _, r := range a.repos {
			addRepo(r, false)
		}
	}
	addRepo("acme/handbook", false)               // no rule matches: unclassified work
	addRepo("acme-corp/vpn-legacy-archive", true) // archived: never read
}

func splitFull(full string) (string, string) {
	for i := range full {
		if full[i] == '/' {
			return full[:i], full[i+1:]
		}
	}
	return full, ""
}

func (g *demoGen) setupPagerDuty() {
	pd := &g.ds.PagerDuty
	for _, p := range demoPeople {
		pd.Users = append(pd.Users, PDUser{ID: p.pdID, Name: p.login, Email: p.email})
	}
	pd.Users = append(pd.Users, PDUser{ID: "PDAN001", Name: "Dan Developer", Email: "dan@acme.example"})
	pd.Services = []PDRef{
		{ID: "PCHK001", Name: "Checkout API"}, {ID: "PPAY001", Name: "Payments"}, {ID: "PK8S001", Name: "Kubernetes Platform"},
		{ID: "POKTA01", Name: "Okta SSO"}, {ID: "PGDTY01", Name: "GuardDuty Findings"}, {ID: "PAWSO01", Name: "AWS Organizations"},
		{ID: "PMKT001", Name: "Marketing Website"},
	}
	pd.Teams = []PDRef{{ID: "PTPLAT1", Name: "Platform"}, {ID: "PTCORP1", Name: "Corp IT"}, {ID: "PTMKT01", Name: "Marketing"}}
	pd.EscalationPolicies = []PDRef{{ID: "PEPPROD", Name: "Product On-call"}, {ID: "PEPCORP", Name: "Corp IT"}, {ID: "PEPMKT1", Name: "Marketing"}}
	// The schedule of pagerdutyDay's rotation (see oncalls). Assumption:
	// the ID.
	pd.Schedules = []PDRef{{ID: "PSCHPRI", Name: "Product Primary"}}
	// Priority names P1 (highest) to P5: "usually P1 through P5", and
	// "Priority labels are customized on a per-account basis"
	// (https://support.pagerduty.com/docs/incident-priority). Assumption:
	// the IDs.
	pd.Priorities = []PDRef{{ID: "PPRIO01", Name: "P1"}, {ID: "PPRIO02", Name: "P2"}, {ID: "PPRIO03", Name: "P3"}, {ID: "PPRIO04", Name: "P4"}, {ID: "PPRIO05", Name: "P5"}}
}

func (g *demoGen) id() int64 { g.nextID++; return g.nextID }

func (g *demoGen) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

// localDay is the start of a person's local calendar day number day.
func (g *demoGen) localDay(p demoPerson, day int) time.Time {
	loc, err := time.LoadLocation(p.tz)
	if err != nil {
		loc = time.UTC
	}
	t := g.start.Add(time.Duration(day) * 24 * time.Hour).In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// demoJoined sets people[].joined in the demo's config: the local date, in
// the person's zone, on which their first day of the story begins. It
// moves with the clock, so config/demo.yml cannot hold it.
func demoJoined(cfg *config.Config, now time.Time) {
	start := now.UTC().Truncate(time.Second).Add(-DemoDays * 24 * time.Hour)
	for _, dp := range demoPeople {
		if dp.joinDay == 0 {
			continue
		}
		for i := range cfg.People {
			if p := &cfg.People[i]; p.Name == dp.name {
				p.SetJoined(start.Add(time.Duration(dp.joinDay) * 24 * time.Hour).In(p.Location()))
			}
		}
	}
}

func (g *demoGen) membersOn(day int) []demoPerson {
	var out []demoPerson
	for _, p := range demoPeople {
		if day >= p.joinDay {
			out = append(out, p)
		}
	}
	return out
}

// chooseArea picks the area of one action: product, or one of the corporate
// areas, with the day's corporate share.
func (g *demoGen) chooseArea(day int) *demoArea {
	if g.rnd.Float64() >= corporateShare(day) {
		return &demoAreas[0]
	}
	return &demoAreas[1+g.rnd.IntN(len(demoAreas)-1)]
}

// githubDay performs one day's GitHub actions, in time order across the
// people: each person's times and areas are drawn person by person, and
// the actions then happen in the order of their times, so that nobody
// closes or comments on an issue before it was opened (a person in Tokyo
// starts the UTC day before one in Berlin).
func (g *demoGen) githubDay(day int) {
	type action struct {
		at time.Time
		do func()
	}
	var actions []action
	later := func(at time.Time, do func()) { actions = append(actions, action{at, do}) }
	for _, p := range g.membersOn(day) {
		midnight := g.localDay(p, day)
		if wd := midnight.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		n := actionsPerDay(day)
		// Work happens between 09:00 and 18:00 local time, in bursts: a
		// person tends to stay with an area for a couple of actions.
		times := make([]time.Time, n)
		for i := range times {
			times[i] = midnight.Add(9*time.Hour + time.Duration(g.rnd.Int64N(int64(9*time.Hour))))
		}
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		var area *demoArea
		for i, at := range times {
			if i == 0 || g.rnd.Float64() < 0.55 {
				area = g.chooseArea(day)
			}
			if !at.Before(g.now) {
				continue
			}
			login, area, at := p.login, area, at.UTC()
			later(at, func() { g.act(login, area, at) })
		}
	}
	// Work by people outside the SRE team: a developer and two bots.
	for k := 0; k < 3; k++ {
		at := g.start.Add(time.Duration(day)*24*time.Hour + time.Duration(g.rnd.Int64N(int64(24*time.Hour))))
		if !at.Before(g.now) {
			continue
		}
		switch k {
		case 0:
			later(at, func() { g.act("dev-dan", &demoAreas[0], at) })
		case 1:
			if day%3 != 0 {
				continue
			}
			later(at, func() {
				g.openIssue(User{Login: "dependabot[bot]", Bot: true}, "acme/deploy-pipelines", true, "Bump golang.org/x/net in /tools", []string{"dependencies"}, at)
			})
		case 2:
			if day%7 == 0 {
				later(at, func() {
					g.openIssue(User{Login: "dev-dan"}, "acme/handbook", false, "Update on-call handbook page", nil, at)
				})
			}
		}
	}
	sort.SliceStable(actions, func(i, j int) bool { return actions[i].at.Before(actions[j].at) })
	for _, a := range actions {
		a.do()
	}
}

func (g *demoGen) openIssue(u User, repo string, pr bool, title string, labels []string, at time.Time) *Issue {
	r := g.repos[repo]
	is := &Issue{
		Number: len(r.Issues) + 1, Title: title, User: u, Labels: labels, PR: pr,
		CreatedAt: at, UpdatedAt: at,
	}
	r.Issues = append(r.Issues, is)
	g.open[repo] = append(g.open[repo], is)
	return is
}

// act performs one GitHub action by login in an area at a time.
func (g *demoGen) act(login string, a *demoArea, at time.Time) {
	repo := g.pick(a.repos)
	u := User{Login: login}
	open := g.open[repo]
	x := g.rnd.Float64()
	switch {
	case len(open) < 3 || x < 0.2: // open an issue or a pull request
		title := fmt.Sprintf(g.pick(a.titles), g.pick(demoWords))
		is := g.openIssue(u, repo, g.rnd.Float64() < 0.4, title, []string{g.pick(a.labels)}, at)
		if login != "dev-dan" && g.rnd.Float64() < 0.7 {
			is.Assignees = []string{login}
		}
	case x < 0.5: // close, or merge a pull request
		i := g.rnd.IntN(len(open))
		is := open[i]
		if is.CreatedAt.After(at) {
			return // opened later the same day by someone in a later zone: no time travel
		}
		g.open[repo] = append(open[:i:i], open[i+1:]...)
		is.ClosedAt, is.UpdatedAt = at, at
		r := g.repos[repo]
		if is.PR {
			is.MergedAt = at
			r.Events = append(r.Events, &Event{ID: g.id(), Issue: is.Number, Actor: u, Event: "merged", CreatedAt: at})
		}
		r.Events = append(r.Events, &Event{ID: g.id(), Issue: is.Number, Actor: u, Event: "closed", CreatedAt: at})
	case x < 0.54: // reopen something recently closed
		r := g.repos[repo]
		for i := len(r.Issues) - 1; i >= 0 && i >= len(r.Issues)-10; i-- {
			is := r.Issues[i]
			if !is.Open() && !is.PR && is.ClosedAt.Before(at) {
				is.ClosedAt, is.UpdatedAt = time.Time{}, at
				g.open[repo] = append(g.open[repo], is)
				r.Events = append(r.Events, &Event{ID: g.id(), Issue: is.Number, Actor: u, Event: "reopened", CreatedAt: at})
				return
			}
		}
		fallthrough
	default: // comment; on pull requests, sometimes a review comment
		is := open[g.rnd.IntN(len(open))]
		if is.CreatedAt.After(at) {
			return
		}
		c := &Comment{ID: g.id(), Issue: is.Number, User: u, Body: "Simulated comment", CreatedAt: at, UpdatedAt: at}
		r := g.repos[repo]
		if is.PR && g.rnd.Float64() < 0.5 {
			r.ReviewComments = append(r.ReviewComments, c)
		} else {
			r.Comments = append(r.Comments, c)
		}
		is.UpdatedAt = at
		if len(is.Assignees) == 0 && login != "dev-dan" && g.rnd.Float64() < 0.3 {
			is.Assignees = []string{login}
		}
	}
}

// poisson draws from a Poisson distribution with mean lambda.
func (g *demoGen) poisson(lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= g.rnd.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// notifyChannels are notify entries' channel.type and
// channel.notification.type. The notification types are those of
// PagerDuty/api-schema reference/REST/openapiv3.json
// #/components/schemas/Notification/properties/type/enum. Assumption: the
// channel types; #/components/schemas/Channel/description lists auto,
// email, api, nagios, timeout for a service agent and email, sms, website,
// web_trigger, note for a user agent, and none of notification, phone or
// push_notification (nor mobile and web_ui, used for ack and resolve below).
var notifyChannels = []struct{ typ, notification string }{
	{"sms", ""}, {"notification", "sms_notification"}, {"push_notification", ""},
	{"notification", "phone_notification"}, {"phone", ""}, {"email", ""}, {"notification", "email_notification"},
}

func (g *demoGen) pagerdutyDay(day int) {
	product := g.poisson(0.9)
	corporate := g.poisson(0.6 * corporateShare(day))
	for k := 0; k < product+corporate+1; k++ {
		var svc string
		team, ep := "PTPLAT1", "PEPPROD"
		switch {
		case k == product+corporate: // an incident outside the configured teams: ignored
			if day%5 != 0 {
				continue
			}
			svc, team, ep = "PMKT001", "PTMKT01", "PEPMKT1"
		case k >= product:
			svc, team, ep = g.pick([]string{"POKTA01", "PGDTY01", "PAWSO01"}), "PTCORP1", "PEPCORP"
		default:
			svc = g.pick([]string{"PCHK001", "PPAY001", "PK8S001"})
		}
		created := g.start.Add(time.Duration(day)*24*time.Hour + time.Duration(g.rnd.Int64N(int64(24*time.Hour))))
		if !created.Before(g.now.Add(-time.Minute)) {
			continue
		}
		g.incident(g.onCallAt(created), svc, team, ep, created)
	}
}

func (g *demoGen) logEntry(le *LogEntry) {
	if le.CreatedAt.Before(g.now) {
		g.logID++
		le.ID = fmt.Sprintf("R%07d", g.logID)
		g.ds.PagerDuty.LogEntries = append(g.ds.PagerDuty.LogEntries, le)
	}
}

func (g *demoGen) incident(oncall demoPerson, svc, team, ep string, created time.Time) {
	g.inc++
	pd := &g.ds.PagerDuty
	name := findRef(pd.Services, svc).Name
	urgency := "high"
	if g.rnd.Float64() < 0.3 {
		urgency = "low"
	}
	in := &Incident{
		ID: fmt.Sprintf("Q%06d", g.inc), Number: g.inc, Urgency: urgency,
		Title:     fmt.Sprintf("%s: %s", name, g.pick([]string{"error rate above SLO", "latency p99 above 2s", "health check failing", "anomalous API activity", "sync job failed"})),
		ServiceID: svc, TeamIDs: []string{team}, EscalationPolicyID: ep,
		Assignees: []string{oncall.pdID}, CreatedAt: created,
	}
	// Priorities without a random draw, so the story is unchanged: every
	// seventh high-urgency incident is P1, the other high ones P2, low
	// ones P4.
	switch {
	case urgency == "low":
		in.PriorityID = "PPRIO04"
	case g.inc%7 == 0:
		in.PriorityID = "PPRIO01"
	default:
		in.PriorityID = "PPRIO02"
	}
	pd.Incidents = append(pd.Incidents, in)
	// A trigger through the API has a service agent, as in the /log_entries
	// example (openapiv3.json: agent.type service_reference, channel.type
	// api). Assumption: the agents of the other entries (a service for
	// notify and auto-resolve, a user for ack, annotate and resolve).
	g.logEntry(&LogEntry{Type: "trigger_log_entry", IncidentID: in.ID, CreatedAt: created, AgentType: "service_reference", AgentID: svc, ChannelType: "api"})
	// Notifications: usually a push and an SMS within a minute, sometimes
	// a phone call, and an e-mail that never counts.
	at := created.Add(5 * time.Second)
	for n := 0; n < 1+g.rnd.IntN(3); n++ {
		ch := notifyChannels[g.rnd.IntN(len(notifyChannels))]
		g.logEntry(&LogEntry{Type: "notify_log_entry", IncidentID: in.ID, CreatedAt: at, UserID: oncall.pdID,
			AgentType: "service_reference", AgentID: svc, ChannelType: ch.typ, NotificationType: ch.notification})
		at = at.Add(time.Duration(20+g.rnd.IntN(100)) * time.Second)
	}
	ack := created.Add(time.Duration(2+g.rnd.IntN(15)) * time.Minute)
	if !ack.Before(g.now) {
		return
	}
	// Both spellings are in the schema: LogEntry's type enum has
	// acknowledge_log_entry, AcknowledgeLogEntry's has
	// acknowledgement_log_entry (openapiv3.json
	// #/components/schemas/AcknowledgeLogEntry/allOf/1/properties/type/enum).
	ackType := "acknowledge_log_entry"
	if g.rnd.IntN(4) == 0 {
		ackType = "acknowledgement_log_entry"
	}
	in.AcknowledgedAt = ack
	g.logEntry(&LogEntry{Type: ackType, IncidentID: in.ID, CreatedAt: ack, AgentType: "user_reference", AgentID: oncall.pdID, ChannelType: "mobile"})
	if g.rnd.IntN(3) == 0 {
		g.logEntry(&LogEntry{Type: "annotate_log_entry", IncidentID: in.ID, CreatedAt: ack.Add(4 * time.Minute), AgentType: "user_reference", AgentID: oncall.pdID, ChannelType: "note"})
	}
	resolved := ack.Add(time.Duration(10+g.rnd.IntN(240)) * time.Minute)
	if !resolved.Before(g.now) {
		return
	}
	in.ResolvedAt = resolved
	in.Assignees = nil
	if g.rnd.IntN(4) == 0 { // the service resolved itself
		g.logEntry(&LogEntry{Type: "resolve_log_entry", IncidentID: in.ID, CreatedAt: resolved, AgentType: "service_reference", AgentID: svc, ChannelType: "auto"})
	} else {
		g.logEntry(&LogEntry{Type: "resolve_log_entry", IncidentID: in.ID, CreatedAt: resolved, AgentType: "user_reference", AgentID: oncall.pdID, ChannelType: "web_ui"})
	}
}
