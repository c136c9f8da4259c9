package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// The tests below pin people who join and leave, and people's own working
// hours, by hand. The window is that of split_test.go: 7 days, from Sunday
// 2026-11-22 23:00 UTC to Sunday 2026-11-29 23:00 UTC (168 hours).

// peopleConfig is baseConfig with its people replaced.
func peopleConfig(t *testing.T, people string) *config.Config {
	t.Helper()
	i := strings.Index(baseConfig, "people:\n")
	c, err := config.ParseWithoutSecrets([]byte(baseConfig[:i] + "people:\n" + people))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestJoinAndLeaveMidWindow(t *testing.T) {
	cfg := peopleConfig(t, `
  - {name: tokyo, github: [tk], pagerduty: [PTK], timezone: Asia/Tokyo, left: 2026-11-24}
  - {name: utc, github: [ut], pagerduty: [PUT], joined: 2026-11-26}
  - {name: late, github: [lt], joined: 2026-11-29}
  - {name: future, github: [fu], joined: 2026-12-01}
  - {name: always, github: [al]}
`)
	w := newWorld()
	p, s := w.issue(1, "product"), w.issue(2, "security")
	q := w.incident("Q1", "security", "high", at("2026-11-23T00:00:00Z"), 0, 0, 0)
	// utc joins on Thursday the 26th at 00:00 UTC. Wednesday's switches
	// and page are before: not theirs.
	w.gha(p, "ut", "commented", "2026-11-25T10:00:00Z")
	w.gha(s, "ut", "commented", "2026-11-25T11:00:00Z")
	w.pda(q, "PUT", "notified", "2026-11-25T23:59:59Z")
	// Thursday: two switches, and a security page within the security
	// work (being paged is an activity: no third switch).
	w.gha(p, "ut", "commented", "2026-11-26T00:00:00Z")
	w.gha(s, "ut", "commented", "2026-11-26T10:00:00Z")
	w.pda(q, "PUT", "notified", "2026-11-26T10:30:00Z")
	w.gha(p, "ut", "commented", "2026-11-26T11:00:00Z")
	// tokyo's last day is Tuesday the 24th: the team has them until
	// 00:00 JST on the 25th, 2026-11-24 15:00 UTC.
	w.gha(p, "tk", "commented", "2026-11-24T13:00:00Z")
	w.gha(s, "tk", "commented", "2026-11-24T14:59:59Z") // 23:59:59 JST: theirs, a switch
	w.gha(p, "tk", "commented", "2026-11-24T15:00:00Z") // 00:00 JST on the 25th: not
	// late joins on Sunday the 29th, 23 hours before the window ends:
	// five switches, but less than one workday in the team.
	for i, d := range []int32{p, s, p, s, p, s} {
		w.gha(d, "lt", "commented", "2026-11-29T0"+itoa(i)+":00:00Z")
	}
	w.gha(p, "fu", "commented", "2026-11-28T10:00:00Z") // before joining
	w.gha(p, "al", "commented", "2026-11-24T10:00:00Z")
	w.gha(s, "al", "commented", "2026-11-24T11:00:00Z")
	r := w.analyze(cfg)

	for _, tc := range []struct {
		person   string
		switches int
		workdays float64 // in the team within the window
		leftOut  bool
	}{
		// 2026-11-22T23:00Z to 2026-11-24T15:00Z is 40 hours:
		// 40/24 × 5/7 = 25/21 workdays; 1 switch over them is 0.84.
		{"tokyo", 1, 25.0 / 21, false},
		// 2026-11-26T00:00Z to 2026-11-29T23:00Z is 95 hours:
		// 95/24 × 5/7 = 475/168 workdays; 2 switches, 336/475.
		{"utc", 2, 475.0 / 168, false},
		// 23 hours: 23/24 × 5/7 = 115/168 workdays, less than one.
		{"late", 5, 115.0 / 168, true},
		{"future", 0, 0, true},
		{"always", 1, 5, false},
	} {
		ps := r.People[tc.person]
		if ps.Switches != tc.switches {
			t.Errorf("%s: switches %d, want %d", tc.person, ps.Switches, tc.switches)
		}
		if !near(ps.InTeamWorkdays, tc.workdays) {
			t.Errorf("%s: in-team workdays %v, want %v", tc.person, ps.InTeamWorkdays, tc.workdays)
		}
		perWorkday := 0.0
		if tc.workdays > 0 {
			perWorkday = float64(tc.switches) / tc.workdays
		}
		if !near(ps.SwitchesPerWorkday, perWorkday) {
			t.Errorf("%s: switches per workday %v, want %v", tc.person, ps.SwitchesPerWorkday, perWorkday)
		}
		if ps.LeftOutOfMedian != tc.leftOut {
			t.Errorf("%s: left out of the median %v, want %v", tc.person, ps.LeftOutOfMedian, tc.leftOut)
		}
	}
	// The median of tokyo's 0.84, utc's 336/475 and always's 0.2, without
	// late's 7.3 and future's 0, is utc's.
	if sig := r.signal(config.SignalContextSwitching); sig == nil || !near(sig.Value, 336.0/475) {
		t.Errorf("context_switching: %+v, want %v", sig, 336.0/475)
	}
	// Activities outside the span are not attributed at all.
	if got := r.PersonActivities[PersonSourceDomain{"utc", model.SourceGitHub, "product"}]; got != 2 {
		t.Errorf("utc's product activities %d, want 2", got)
	}
	if got := r.PersonActivities[PersonSourceDomain{"tokyo", model.SourceGitHub, "product"}]; got != 1 {
		t.Errorf("tokyo's product activities %d, want 1", got)
	}
	if _, ok := r.PersonActivities[PersonSourceDomain{"future", model.SourceGitHub, "product"}]; ok {
		t.Error("future has activities before joining")
	}
	want := map[PersonDomainPeriod]int{{"utc", "security", PeriodBusiness}: 1}
	if len(r.Interruptions) != 1 || r.Interruptions[PersonDomainPeriod{"utc", "security", PeriodBusiness}] != 1 {
		t.Errorf("interruptions %v, want %v", r.Interruptions, want)
	}
}

// TestNobodyInTeamMeansNoContextSwitchingSignal: with every person left
// out of the median, the signal cannot be computed.
func TestNobodyInTeamMeansNoContextSwitchingSignal(t *testing.T) {
	cfg := peopleConfig(t, "  - {name: gone, github: [ut], left: 2026-11-01}\n")
	w := newWorld()
	w.gha(w.issue(1, "product"), "ut", "commented", "2026-11-24T10:00:00Z")
	r := w.analyze(cfg)
	if sig := r.signal(config.SignalContextSwitching); sig != nil {
		t.Errorf("context_switching %+v, want absent", sig)
	}
	if ps := r.People["gone"]; ps.Classified != 0 || !ps.LeftOutOfMedian || ps.InTeamWorkdays != 0 {
		t.Errorf("gone: %+v", ps)
	}
}

func TestWorkingHoursPeriods(t *testing.T) {
	cfg := peopleConfig(t, `
  - {name: night, pagerduty: [PNI], working_hours: {start: "22:00", end: "06:00"}}
  - {name: late, pagerduty: [PLA], timezone: Asia/Tokyo, working_hours: {days: [mon, tue, wed, thu, fri, sat], start: "10:00", end: "19:00"}}
`)
	night, late := &cfg.People[0], &cfg.People[1]
	for _, tc := range []struct {
		p    *config.Person
		when string
		want string
	}{
		// night works Monday to Friday from 22:00 to 06:00 the next
		// morning, UTC. Working hours win over sleep hours.
		{night, "2026-11-23T03:00:00Z", PeriodSleep},    // Monday 03:00: Sunday is no working day
		{night, "2026-11-23T12:00:00Z", PeriodOffHours}, // Monday noon: PagerDuty's business hours, not night's
		{night, "2026-11-23T21:59:59Z", PeriodOffHours},
		{night, "2026-11-23T22:00:00Z", PeriodBusiness},
		{night, "2026-11-24T05:59:59Z", PeriodBusiness}, // Tuesday morning, Monday's shift
		{night, "2026-11-24T06:00:00Z", PeriodSleep},    // 06:00 to 08:00 is still sleep
		{night, "2026-11-24T08:00:00Z", PeriodOffHours},
		{night, "2026-11-28T05:00:00Z", PeriodBusiness}, // Saturday morning, Friday's shift
		{night, "2026-11-28T22:00:00Z", PeriodSleep},    // Saturday night: no shift
		// late works 10:00 to 19:00 in Tokyo, Saturdays too.
		{late, "2026-11-23T00:59:59Z", PeriodOffHours}, // Monday 09:59 JST
		{late, "2026-11-23T01:00:00Z", PeriodBusiness}, // 10:00 JST
		{late, "2026-11-23T09:59:59Z", PeriodBusiness}, // 18:59:59 JST
		{late, "2026-11-23T10:00:00Z", PeriodOffHours}, // 19:00 JST
		{late, "2026-11-28T03:00:00Z", PeriodBusiness}, // Saturday 12:00 JST
		{late, "2026-11-29T03:00:00Z", PeriodOffHours}, // Sunday 12:00 JST
	} {
		if got := periodFor(at(tc.when), tc.p); got != tc.want {
			t.Errorf("%s at %s: %s, want %s", tc.p.Name, tc.when, got, tc.want)
		}
	}
	// Through the analysis: three pages to night on Monday, one in each
	// period.
	w := newWorld()
	q := w.incident("Q1", "security", "high", at("2026-11-23T00:00:00Z"), 0, 0, 0)
	for _, ts := range []string{"2026-11-23T03:00:00Z", "2026-11-23T12:00:00Z", "2026-11-23T23:00:00Z"} {
		w.pda(q, "PNI", "notified", ts)
	}
	r := w.analyze(cfg)
	for _, period := range Periods {
		if got := r.Interruptions[PersonDomainPeriod{"night", "security", period}]; got != 1 {
			t.Errorf("night, %s: %d, want 1", period, got)
		}
	}
}

// TestDSTChange: Europe/Berlin leaves summer time on Sunday 2026-10-25 at
// 03:00 CEST (01:00 UTC), when clocks go back to 02:00 CET; that local day
// has 25 hours. The window here is the 7 days to Wednesday 2026-10-28
// 23:00 UTC (Thursday 00:00 CET).
func TestDSTChange(t *testing.T) {
	cfg := peopleConfig(t, `
  - {name: berlin, github: [be], timezone: Europe/Berlin, joined: 2026-10-25}
  - {name: night, pagerduty: [PNI], timezone: Europe/Berlin, working_hours: {days: [sat], start: "22:00", end: "06:00"}}
`)
	end := time.Date(2026, 10, 28, 23, 0, 0, 0, time.UTC)
	gh := model.Snapshot{Source: model.SourceGitHub, End: end.Unix()}
	pd := model.Snapshot{Source: model.SourcePagerDuty, End: end.Unix()}
	gh.Items = []model.Item{
		{Source: model.SourceGitHub, Kind: model.KindIssue, Key: "a/b#1", Repo: "a/b", Labels: []string{"product"}},
		{Source: model.SourceGitHub, Kind: model.KindIssue, Key: "a/b#2", Repo: "a/b", Labels: []string{"security"}},
	}
	pd.Items = []model.Item{{Source: model.SourcePagerDuty, Kind: model.KindIncident, Key: "Q1",
		Service: model.Ref{ID: "PQ1", Name: "security"}, Urgency: "high", CreatedAt: at("2026-10-24T00:00:00Z"), Open: true}}
	act := func(s *model.Snapshot, item int32, actor, action, when string) {
		s.Activities = append(s.Activities, model.Activity{Item: item, Actor: actor, Action: action, At: at(when)})
	}
	// berlin's first day starts at 00:00 CEST, 2026-10-24 22:00 UTC.
	act(&gh, 0, "be", "commented", "2026-10-24T21:59:59Z") // Saturday 23:59:59 CEST: before
	act(&gh, 1, "be", "commented", "2026-10-24T22:00:00Z") // Sunday 00:00 CEST: theirs
	act(&gh, 0, "be", "commented", "2026-10-25T22:59:59Z") // Sunday 23:59:59 CET: a switch
	act(&gh, 1, "be", "commented", "2026-10-25T23:00:00Z") // Monday 00:00 CET: another day
	// night's Saturday shift is from 22:00 CEST (20:00 UTC) to 06:00 CET
	// (05:00 UTC): nine hours, one of them 02:00 to 03:00 twice.
	for _, ts := range []string{
		"2026-10-24T19:59:00Z", // Saturday 21:59 CEST: off hours
		"2026-10-24T20:00:00Z", // 22:00 CEST: business, not sleep
		"2026-10-25T00:30:00Z", // 02:30 CEST: business
		"2026-10-25T01:30:00Z", // 02:30 CET, the second time: business
		"2026-10-25T04:59:00Z", // 05:59 CET: business
		"2026-10-25T05:00:00Z", // 06:00 CET: sleep
		"2026-10-25T07:00:00Z", // Sunday 08:00 CET: off hours
	} {
		act(&pd, 0, "PNI", "notified", ts)
	}
	r := Analyze([]*model.Snapshot{&gh, &pd}, cfg, end)
	ps := r.People["berlin"]
	// In the team from 2026-10-24T22:00Z to 2026-10-28T23:00Z: 97 hours
	// (four local days, one of 25 hours): 97/24 × 5/7 = 485/168 workdays.
	if ps.Switches != 1 || !near(ps.InTeamWorkdays, 485.0/168) || !near(ps.SwitchesPerWorkday, 168.0/485) {
		t.Errorf("berlin: %+v, want 1 switch over 485/168 workdays", ps)
	}
	want := map[PersonDomainPeriod]int{
		{"night", "security", PeriodOffHours}: 2,
		{"night", "security", PeriodBusiness}: 4,
		{"night", "security", PeriodSleep}:    1,
	}
	for k, v := range want {
		if r.Interruptions[k] != v {
			t.Errorf("%v = %d, want %d", k, r.Interruptions[k], v)
		}
	}
}
