package analysis

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// The tests below pin every definition of the split analysis with cases
// computed by hand. The window is 7 days (5 workdays, 14 shifts) and ends
// on Sunday 2026-11-29 at 23:00 UTC.
var now = time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)

const baseConfig = `
window: 7d
github: {token_env: T, repositories: [a/b]}
pagerduty: {token_env: T}
domains:
  - {name: product, proposed_team: product-sre}
  - {name: security, proposed_team: corporate-sre}
  - {name: saas, proposed_team: corporate-sre}
rules:
  - {domain: product, labels: [product]}
  - {domain: security, labels: [security]}
  - {domain: saas, labels: [saas]}
  - {domain: product, services: [product]}
  - {domain: security, services: [security]}
people:
  - {name: tokyo, github: [tk], pagerduty: [PTK], timezone: Asia/Tokyo}
  - {name: utc, github: [ut], pagerduty: [PUT]}
`

func testConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	c, err := config.ParseWithoutSecrets([]byte(baseConfig + extra))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.Unix()
}

// world builds snapshots: GitHub issues labelled with their domain (or
// unlabelled, hence unclassified), and PagerDuty incidents whose service
// is their domain.
type world struct {
	gh, pd model.Snapshot
}

func newWorld() *world {
	return &world{
		gh: model.Snapshot{Source: model.SourceGitHub, End: now.Unix()},
		pd: model.Snapshot{Source: model.SourcePagerDuty, End: now.Unix()},
	}
}

// issue adds a GitHub issue in domain ("" for unclassified) and returns its index.
func (w *world) issue(number int, domain string) int32 {
	it := model.Item{Source: model.SourceGitHub, Kind: model.KindIssue, Key: "a/b#" + itoa(number), Repo: "a/b", CreatedAt: now.Unix() - 86400*30}
	if domain != "" {
		it.Labels = []string{domain}
	}
	w.gh.Items = append(w.gh.Items, it)
	return int32(len(w.gh.Items) - 1)
}

func (w *world) incident(id, domain, urgency string, created, acked, resolveLogged, closed int64) int32 {
	w.pd.Items = append(w.pd.Items, model.Item{Source: model.SourcePagerDuty, Kind: model.KindIncident, Key: id,
		Service: model.Ref{ID: "P" + id, Name: domain}, Urgency: urgency, CreatedAt: created,
		FirstAcknowledgedAt: acked, ResolveLoggedAt: resolveLogged, ClosedAt: closed, Open: closed == 0})
	return int32(len(w.pd.Items) - 1)
}

func (w *world) gha(item int32, actor, action, when string) {
	w.gh.Activities = append(w.gh.Activities, model.Activity{Item: item, Actor: actor, Action: action, At: at(when)})
}

func (w *world) pda(item int32, actor, action, when string) {
	w.pd.Activities = append(w.pd.Activities, model.Activity{Item: item, Actor: actor, Action: action, At: at(when)})
}

func (w *world) analyze(cfg *config.Config) *Result {
	return Analyze([]*model.Snapshot{&w.gh, &w.pd}, cfg, now)
}

func itoa(n int) string { return strconv.Itoa(n) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestContextSwitchSameDateAcrossMidnightInPersonZone(t *testing.T) {
	w := newWorld()
	p, s := w.issue(1, "product"), w.issue(2, "security")
	// 14:30Z is 23:30 in Tokyo on the 23rd; 15:30Z is 00:30 on the 24th.
	for _, actor := range []string{"tk", "ut"} {
		w.gha(p, actor, "commented", "2026-11-23T14:30:00Z")
		w.gha(s, actor, "commented", "2026-11-23T15:30:00Z")
		w.gha(p, actor, "commented", "2026-11-23T16:00:00Z")
	}
	r := w.analyze(testConfig(t, ""))
	// Tokyo: the first pair straddles local midnight, so only the second
	// pair counts. UTC: all three are on the 23rd, both pairs count.
	if got := r.People["tokyo"].Switches; got != 1 {
		t.Errorf("tokyo switches = %d, want 1", got)
	}
	if got := r.People["utc"].Switches; got != 2 {
		t.Errorf("utc switches = %d, want 2", got)
	}
	if got := r.People["utc"].SwitchesPerWorkday; !near(got, 2.0/5) {
		t.Errorf("utc switches per workday = %v, want 0.4 (2 over 5 workdays)", got)
	}
}

func TestContextSwitchTies(t *testing.T) {
	w := newWorld()
	// Same second, two sources: github sorts before pagerduty.
	sec := w.issue(1, "security")
	prodIncident := w.incident("Q1", "product", "high", at("2026-11-24T09:00:00Z"), 0, 0, 0)
	prod := w.issue(2, "product")
	w.gha(sec, "ut", "commented", "2026-11-24T10:00:00Z")
	w.pda(prodIncident, "PUT", "acknowledged", "2026-11-24T10:00:00Z")
	w.gha(prod, "ut", "commented", "2026-11-24T11:00:00Z")
	// Same second, same source: item keys in byte order, "a/b#10" < "a/b#9".
	k10, k9 := w.issue(10, "security"), w.issue(9, "product")
	w.gha(k9, "tk", "commented", "2026-11-25T01:00:00Z")
	w.gha(k10, "tk", "commented", "2026-11-25T01:00:00Z")
	w.gha(w.issue(3, "product"), "tk", "commented", "2026-11-25T02:00:00Z")

	r := w.analyze(testConfig(t, ""))
	// utc: security(github), product(pagerduty), product -> 1 switch.
	// Had pagerduty sorted first: product, security, product -> 2.
	if got := r.People["utc"].Switches; got != 1 {
		t.Errorf("utc switches = %d, want 1", got)
	}
	// tokyo: a/b#10 security, a/b#9 product, product -> 1 switch.
	// In numeric order it would be product, security, product -> 2.
	if got := r.People["tokyo"].Switches; got != 1 {
		t.Errorf("tokyo switches = %d, want 1", got)
	}
}

func TestContextSwitchSkipsUnclassified(t *testing.T) {
	w := newWorld()
	p, u, s := w.issue(1, "product"), w.issue(2, ""), w.issue(3, "security")
	w.gha(p, "ut", "commented", "2026-11-24T09:00:00Z")
	w.gha(u, "ut", "commented", "2026-11-24T10:00:00Z")
	w.gha(p, "ut", "commented", "2026-11-24T11:00:00Z") // product, (unclassified), product: 0
	w.gha(u, "ut", "commented", "2026-11-24T12:00:00Z")
	w.gha(s, "ut", "commented", "2026-11-24T13:00:00Z") // product, (unclassified), security: 1
	r := w.analyze(testConfig(t, ""))
	ps := r.People["utc"]
	if ps.Switches != 1 || ps.Domains != 2 || ps.Classified != 3 {
		t.Errorf("got %+v, want 1 switch, 2 domains, 3 classified activities", *ps)
	}
	if !near(ps.FocusRatio, 2.0/3) {
		t.Errorf("focus ratio %v, want 2/3", ps.FocusRatio)
	}
}

func TestActivitiesOutsideWindowAreIgnored(t *testing.T) {
	w := newWorld()
	p, s := w.issue(1, "product"), w.issue(2, "security")
	w.gha(p, "ut", "commented", "2026-11-22T22:59:59Z") // a second before the window
	w.gha(s, "ut", "commented", "2026-11-22T23:00:00Z") // its first second
	w.gha(p, "ut", "commented", "2026-11-22T23:30:00Z")
	r := w.analyze(testConfig(t, ""))
	if got := r.People["utc"]; got.Switches != 1 || got.Classified != 2 {
		t.Errorf("got %+v", *got)
	}
}

func TestInterruptionDedupAndPeriods(t *testing.T) {
	w := newWorld()
	q := w.incident("Q1", "security", "high", at("2026-11-23T00:00:00Z"), 0, 0, 0)
	// Monday 2026-11-23, UTC person: a burst, deduplicated over 60 s.
	for _, ts := range []string{
		"2026-11-23T12:00:00Z", // counted (business)
		"2026-11-23T12:00:30Z", // 30 s after the last counted: not
		"2026-11-23T12:00:59Z", // 59 s: not
		"2026-11-23T12:01:58Z", // 118 s: counted
		"2026-11-23T12:03:00Z", // 62 s: counted
		"2026-11-23T19:00:00Z", // off hours on a weekday
		"2026-11-23T23:00:00Z", // sleep
		"2026-11-28T12:00:00Z", // Saturday noon: off hours
		"2026-11-28T03:00:00Z", // Saturday 03:00: sleep
	} {
		w.pda(q, "PUT", "notified", ts)
	}
	// Tokyo person: Tuesday 2026-11-24 09:00 JST is 00:00Z (business);
	// 07:00 JST Wednesday is 22:00Z Tuesday (sleep).
	w.pda(q, "PTK", "notified", "2026-11-24T00:00:00Z")
	w.pda(q, "PTK", "notified", "2026-11-24T22:00:00Z")
	r := w.analyze(testConfig(t, ""))
	want := map[PersonDomainPeriod]int{
		{"utc", "security", PeriodBusiness}:   3,
		{"utc", "security", PeriodOffHours}:   2,
		{"utc", "security", PeriodSleep}:      2,
		{"tokyo", "security", PeriodBusiness}: 1,
		{"tokyo", "security", PeriodSleep}:    1,
	}
	for k, v := range want {
		if r.Interruptions[k] != v {
			t.Errorf("%v = %d, want %d", k, r.Interruptions[k], v)
		}
	}
	if len(r.Interruptions) != len(want) {
		t.Errorf("interruptions: %v", r.Interruptions)
	}
	// Being paged is a context switch like any other activity: the
	// notifications are all security, so none here.
	if r.People["utc"].Switches != 0 {
		t.Errorf("utc switches %d", r.People["utc"].Switches)
	}
}

func TestPeriodBoundaries(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	for _, tc := range []struct {
		when string
		loc  *time.Location
		want string
	}{
		{"2026-11-23T07:59:59Z", time.UTC, PeriodSleep}, // Monday
		{"2026-11-23T08:00:00Z", time.UTC, PeriodBusiness},
		{"2026-11-23T17:59:59Z", time.UTC, PeriodBusiness},
		{"2026-11-23T18:00:00Z", time.UTC, PeriodOffHours},
		{"2026-11-23T21:59:59Z", time.UTC, PeriodOffHours},
		{"2026-11-23T22:00:00Z", time.UTC, PeriodSleep},
		{"2026-11-27T17:59:59Z", time.UTC, PeriodBusiness}, // Friday
		{"2026-11-28T07:59:59Z", time.UTC, PeriodSleep},    // Saturday
		{"2026-11-28T08:00:00Z", time.UTC, PeriodOffHours},
		{"2026-11-29T12:00:00Z", time.UTC, PeriodOffHours}, // Sunday
		{"2026-11-29T21:59:59Z", time.UTC, PeriodOffHours},
		{"2026-11-29T22:00:00Z", time.UTC, PeriodSleep},
		// Friday 23:00Z is Saturday 08:00 in Tokyo: off hours, not business.
		{"2026-11-27T23:00:00Z", tokyo, PeriodOffHours},
		// Sunday 23:00Z is Monday 08:00 in Tokyo: business.
		{"2026-11-29T23:00:00Z", tokyo, PeriodBusiness},
	} {
		if got := periodOf(at(tc.when), tc.loc); got != tc.want {
			t.Errorf("%s in %s: %s, want %s", tc.when, tc.loc, got, tc.want)
		}
	}
}

func TestWeinbergTableAtTenPercent(t *testing.T) {
	for _, tc := range []struct {
		name             string
		product, sec, ss int
		wantDomains      int // with at least 10%
		wantLoss         float64
		wantFocus        float64
	}{
		{"exactly 10% counts", 16, 2, 2, 3, 0.40, 0.8},
		{"just under 10% does not", 17, 2, 2, 1, 0, 17.0 / 21},
		{"two domains", 5, 5, 0, 2, 0.20, 0.5},
		{"one domain", 4, 0, 0, 1, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			p, s, ss := w.issue(1, "product"), w.issue(2, "security"), w.issue(3, "saas")
			add := func(item int32, n int) {
				for i := 0; i < n; i++ {
					w.gha(item, "ut", "commented", time.Date(2026, 11, 24, 9, 0, i, 0, time.UTC).Format(time.RFC3339))
				}
			}
			add(p, tc.product)
			add(s, tc.sec)
			add(ss, tc.ss)
			ps := w.analyze(testConfig(t, "")).People["utc"]
			if !near(ps.SwitchingLoss, tc.wantLoss) || !near(ps.FocusRatio, tc.wantFocus) {
				t.Errorf("loss %v focus %v, want %v %v", ps.SwitchingLoss, ps.FocusRatio, tc.wantLoss, tc.wantFocus)
			}
		})
	}
	for n, want := range map[int]float64{1: 0, 2: 0.20, 3: 0.40, 4: 0.60, 5: 0.75, 6: 0.75, 11: 0.75} {
		if got := weinbergLoss(n); got != want {
			t.Errorf("weinbergLoss(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestNoActivityMeansNoFocusOrLoss(t *testing.T) {
	r := newWorld().analyze(testConfig(t, ""))
	ps := r.People["tokyo"]
	if ps.Classified != 0 || ps.Switches != 0 || ps.Domains != 0 {
		t.Errorf("got %+v", *ps)
	}
	if len(r.TeamActivityRatio) != 0 {
		t.Errorf("team ratios with no activity: %v", r.TeamActivityRatio)
	}
	if r.CrossTeamSwitchRatio != 0 {
		t.Errorf("cross-team ratio with no switches: %v", r.CrossTeamSwitchRatio)
	}
}

func TestIncidentTimesAndOnCallLoad(t *testing.T) {
	w := newWorld()
	c := at("2026-11-24T10:00:00Z")
	// security: MTTA (60+180)/2 = 120 s; MTTR: Q1 by log entry 600 s, Q2 by
	// resolved_at 1200 s (no log entry), Q3 unresolved: (600+1200)/2 = 900 s.
	w.incident("Q1", "security", "high", c, c+60, c+600, c+600)
	w.incident("Q2", "security", "low", c, c+180, 0, c+1200)
	w.incident("Q3", "security", "high", c, 0, 0, 0)
	// Created before the window: in neither mean, nor in the load.
	w.incident("Q4", "product", "high", at("2026-11-20T10:00:00Z"), at("2026-11-20T10:01:00Z"), at("2026-11-24T10:00:00Z"), at("2026-11-24T10:00:00Z"))
	// 26 more high-urgency product incidents: 28 high in all over 14 shifts.
	for i := 0; i < 26; i++ {
		w.incident("P"+itoa(i), "product", "high", c+int64(i), 0, 0, 0)
	}
	r := w.analyze(testConfig(t, ""))
	if got := r.MTTA["security"]; !near(got, 120) {
		t.Errorf("security MTTA %v, want 120", got)
	}
	if got := r.MTTR["security"]; !near(got, 900) {
		t.Errorf("security MTTR %v, want 900", got)
	}
	if _, ok := r.MTTA["product"]; ok {
		t.Errorf("product MTTA emitted without a qualifying incident: %v", r.MTTA)
	}
	if !r.HasOnCall || !near(r.OnCallIncidentsPerShift, 2) {
		t.Errorf("on-call load %v, want 28/14 = 2", r.OnCallIncidentsPerShift)
	}
	s := r.signal(config.SignalOnCallLoad)
	if s == nil || !s.Holds || s.Value != 2 || s.Threshold != 2 {
		t.Errorf("oncall_load signal %+v: 2 per shift holds at threshold 2", s)
	}
}

// splitWorld gives utc 4 switches a day on 5 days (20 switches, 4 per
// workday) and tokyo 1 (5 switches, 1 per workday): a median of 2.5.
func splitWorld() *world {
	w := newWorld()
	p, s, ss := w.issue(1, "product"), w.issue(2, "security"), w.issue(3, "saas")
	for d := 23; d <= 27; d++ {
		day := func(h int) string { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC).Format(time.RFC3339) }
		// utc: product, security, product, saas, security: 4 switches, of
		// which 3 cross teams (the last, saas to security, does not).
		w.gha(p, "ut", "commented", day(9))
		w.gha(s, "ut", "commented", day(10))
		w.gha(p, "ut", "commented", day(11))
		w.gha(ss, "ut", "commented", day(12))
		w.gha(s, "ut", "commented", day(13))
		// tokyo (08:00 JST is 23:00Z the day before): product, product,
		// security: 1 switch a day, across teams.
		w.gha(p, "tk", "commented", day(1))
		w.gha(p, "tk", "commented", day(2))
		w.gha(s, "tk", "commented", day(3))
	}
	return w
}

func TestSplitShareAndSignals(t *testing.T) {
	r := splitWorld().analyze(testConfig(t, "split: {org_headcount: 90}\n"))
	// 40 activities: product 2x5 (utc) + 2x5 (tokyo) = 20; corporate 20.
	if got := r.TeamActivityRatio; !near(got["product-sre"], 0.5) || !near(got["corporate-sre"], 0.5) {
		t.Errorf("team activity ratio %v", got)
	}
	// 25 switches, of which 15 (utc) + 5 (tokyo) cross teams: 0.8.
	if !near(r.CrossTeamSwitchRatio, 20.0/25) {
		t.Errorf("cross-team switch ratio %v, want 0.8", r.CrossTeamSwitchRatio)
	}
	want := map[string][3]float64{ // value, threshold, holds
		config.SignalContextSwitching:   {2.5, 3, 0}, // median of 4 and 1
		config.SignalSecondaryTeamShare: {0.5, 0.25, 1},
		config.SignalOnCallLoad:         {0, 2, 0},
		config.SignalOrgRatio:           {45, 40, 1}, // 90 people / 2
	}
	for name, w := range want {
		s := r.signal(name)
		if s == nil {
			t.Errorf("signal %s missing", name)
			continue
		}
		if !near(s.Value, w[0]) || s.Threshold != w[1] || s.Holds != (w[2] == 1) {
			t.Errorf("%s: %+v, want value %v threshold %v holds %v", name, *s, w[0], w[1], w[2] == 1)
		}
	}
	if !r.SplitRecommended {
		t.Error("two signals hold with min_signals 2: the split is recommended")
	}
}

func TestSplitRecommendedAtExactlyMinSignals(t *testing.T) {
	for _, tc := range []struct {
		split string
		want  bool
	}{
		{"split: {org_headcount: 90, min_signals: 2}\n", true},  // 2 of 2 needed
		{"split: {org_headcount: 90, min_signals: 3}\n", false}, // 2 of 3 needed
		{"split: {org_headcount: 90, min_signals: 1}\n", true},
		{"split: {org_headcount: 90, min_signals: 3, context_switching: 2.5}\n", true}, // 2.5 >= 2.5
	} {
		r := splitWorld().analyze(testConfig(t, tc.split))
		if r.SplitRecommended != tc.want {
			t.Errorf("%s: recommended %v, want %v (signals %+v)", strings.TrimSpace(tc.split), r.SplitRecommended, tc.want, r.Signals)
		}
	}
}

func TestSignalsWithoutThresholdOrValueAreAbsent(t *testing.T) {
	// org_ratio without org_headcount cannot be computed; a threshold of 0
	// disables context_switching.
	r := splitWorld().analyze(testConfig(t, "split: {context_switching: 0}\n"))
	for _, s := range r.Signals {
		if s.Name == config.SignalOrgRatio || s.Name == config.SignalContextSwitching {
			t.Errorf("signal %s should be absent: %+v", s.Name, s)
		}
	}
	if len(r.Signals) != 2 {
		t.Errorf("signals: %+v, want secondary_team_share and oncall_load", r.Signals)
	}
	// With one proposed team, secondary_team_share cannot be computed.
	one := strings.ReplaceAll(baseConfig, "corporate-sre", "product-sre")
	c, err := config.ParseWithoutSecrets([]byte(one))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range splitWorld().analyze(c).Signals {
		if s.Name == config.SignalSecondaryTeamShare {
			t.Errorf("secondary_team_share with one proposed team: %+v", s)
		}
	}
}

func TestMedianOfEvenCount(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{4, 1}, 2.5}, {[]float64{3, 1, 2}, 2}, {[]float64{1, 2, 3, 10}, 2.5}, {[]float64{7}, 7},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestPlannedHoursSplitEvenly(t *testing.T) {
	c := testConfig(t, `inventory:
  - {name: vending review, domain: security, owners: [tokyo], every: 1w, hours: 2}
  - {name: licence true-up, domain: saas, owners: [tokyo, utc], every: 1M, hours: 6}
  - {name: deploy review, domain: product, owners: [utc], every: 2w, hours: 3}
`)
	r := newWorld().analyze(c)
	month := 6 * 12.0 / 52 // 6 hours a month, in hours a week
	for k, want := range map[PersonDomain]float64{
		{"tokyo", "security"}: 2, {"tokyo", "saas"}: month / 2, {"utc", "saas"}: month / 2, {"utc", "product"}: 1.5,
	} {
		if got := r.PlannedHours[k]; !near(got, want) {
			t.Errorf("%v: %v hours a week, want %v", k, got, want)
		}
	}
	if got := r.TeamPlannedHours["corporate-sre"]; !near(got, 2+month) {
		t.Errorf("corporate-sre: %v, want %v", got, 2+month)
	}
	if got := r.TeamPlannedHours["product-sre"]; !near(got, 1.5) {
		t.Errorf("product-sre: %v", got)
	}
	for d, want := range map[string]float64{"security": 2, "saas": month, "product": 1.5} {
		if got := r.DomainPlannedHours[d]; !near(got, want) {
			t.Errorf("domain %s: %v hours a week, want %v", d, got, want)
		}
	}
	// Duties are not activities: nobody switched.
	if r.People["utc"].Switches != 0 || r.People["utc"].Classified != 0 {
		t.Errorf("duties counted as activities: %+v", *r.People["utc"])
	}
}

func TestSuggestedSplitFromActivities(t *testing.T) {
	r := splitWorld().analyze(testConfig(t, ""))
	// utc switches product-security twice a day, product-saas once and
	// saas-security once; tokyo product-security once. Over 5 days:
	// product-security 15, product-saas 5, saas-security 5 (25 in all).
	// {product} against {security, saas} removes 20 and splits the
	// activity 50/50; {product, saas} against {security} removes 20 too,
	// but 62.5/37.5; {product, security} against {saas} removes 10. The
	// more even of the two best wins.
	s := r.Suggested
	if s == nil {
		t.Fatalf("no suggestion: %s", r.SuggestedReason)
	}
	if !slices.Equal(s.Teams[0], []string{"product"}) || !near(s.RemovedRatio, 20.0/25) {
		t.Errorf("suggested %+v", *s)
	}
}

// TestFTE pins the one conversion of planned hours into full-time
// equivalents: hours a week over a 40-hour week.
func TestFTE(t *testing.T) {
	for _, tc := range []struct{ hours, want float64 }{
		{0, 0}, {10, 0.25}, {40, 1}, {60, 1.5}, {6 * 12.0 / 52, 0.0346153846},
	} {
		if got := FTE(tc.hours); !near(got, tc.want) {
			t.Errorf("FTE(%v) = %v, want %v", tc.hours, got, tc.want)
		}
	}
}
