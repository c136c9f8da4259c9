package analysis

import (
	"reflect"
	"testing"
)

// The tests below pin the after-the-split definitions by hand, in the
// window of split_test.go (7 days to Sunday 2026-11-29 23:00 UTC).

func assignment(r *Result) map[string][2]any {
	out := map[string][2]any{}
	for _, a := range r.AfterSplit.Assignment {
		out[a.Person] = [2]any{a.Team, a.Stays}
	}
	return out
}

func TestAssignmentTiesAndBusFactor(t *testing.T) {
	cfg := peopleConfig(t, `
  - {name: a, github: [ga]}
  - {name: b, github: [gb]}
  - {name: c, github: [gc]}
  - {name: d, github: [gd]}
`)
	w := newWorld()
	p, s := w.issue(1, "product"), w.issue(2, "security")
	comment := func(item int32, login string, n int) {
		for i := 0; i < n; i++ {
			w.gha(item, login, "commented", "2026-11-2"+itoa(3+i%4)+"T1"+itoa(i%10)+":00:00Z")
		}
	}
	// a: 6 product, 2 security: product-sre, keeping 6/8 of their work.
	// b: 3 and 3, a tie: the team with fewer people so far, corporate-sre
	// (product-sre has a), keeping 3/6. c: 4 product: product-sre. d: no
	// activity, a tie at 0: the smaller team, corporate-sre (1 against 2),
	// keeping nothing.
	comment(p, "ga", 6)
	comment(s, "ga", 2)
	comment(p, "gb", 3)
	comment(s, "gb", 3)
	comment(p, "gc", 4)
	r := w.analyze(cfg)
	want := map[string][2]any{"a": {"product-sre", 0.75}, "b": {"corporate-sre", 0.5}, "c": {"product-sre", 1.0}, "d": {"corporate-sre", 0.0}}
	if got := assignment(r); !reflect.DeepEqual(got, want) {
		t.Errorf("assignment %v, want %v", got, want)
	}
	// product: a 6, c 4, b 3 of 13: a alone is 6 < 6.5, a and c 10: 2.
	// security: b 3, a 2 of 5: b alone is at least half: 1.
	if got := r.AfterSplit.BusFactor; !reflect.DeepEqual(got, map[string]int{"product": 2, "security": 1}) {
		t.Errorf("bus factors %v", got)
	}
}

func TestAssignmentFillsAnEmptyTeam(t *testing.T) {
	cfg := peopleConfig(t, `
  - {name: x, github: [gx]}
  - {name: y, github: [gy]}
`)
	w := newWorld()
	p, saas := w.issue(1, "product"), w.issue(2, "saas")
	for i := 0; i < 5; i++ {
		w.gha(p, "gx", "commented", "2026-11-24T1"+itoa(i)+":00:00Z")
	}
	for i := 0; i < 3; i++ {
		w.gha(p, "gy", "commented", "2026-11-25T1"+itoa(i)+":00:00Z")
	}
	w.gha(saas, "gy", "commented", "2026-11-25T15:00:00Z")
	// Both lean to product-sre; corporate-sre, empty, takes the person
	// with the largest share of work in it: y (1 of 4), who keeps 1/4.
	r := w.analyze(cfg)
	want := map[string][2]any{"x": {"product-sre", 1.0}, "y": {"corporate-sre", 0.25}}
	if got := assignment(r); !reflect.DeepEqual(got, want) {
		t.Errorf("assignment %v, want %v", got, want)
	}
}

func TestRotationsAfterTheSplit(t *testing.T) {
	cfg := testConfig(t, "") // tokyo (Asia/Tokyo), then utc
	w := newWorld()
	p, s := w.issue(1, "product"), w.issue(2, "security")
	for i := 0; i < 3; i++ {
		w.gha(p, "tk", "commented", "2026-11-24T0"+itoa(i)+":00:00Z")
	}
	w.gha(s, "ut", "commented", "2026-11-24T10:00:00Z")
	// Pages, high urgency: product Monday 02:00 UTC (11:00 in Tokyo, a
	// UTC night), product Tuesday 15:00 UTC (00:00 Wednesday in Tokyo),
	// security Wednesday 23:00 UTC (08:00 Thursday in Tokyo). A
	// low-urgency one is no page.
	w.incident("Q1", "product", "high", at("2026-11-23T02:00:00Z"), 0, 0, 0)
	w.incident("Q2", "product", "high", at("2026-11-24T15:00:00Z"), 0, 0, 0)
	w.incident("Q3", "security", "high", at("2026-11-25T23:00:00Z"), 0, 0, 0)
	w.incident("Q4", "product", "low", at("2026-11-25T03:00:00Z"), 0, 0, 0)
	r := w.analyze(cfg)
	got := map[string]TeamRotation{}
	for _, rot := range r.AfterSplit.Rotations {
		got[rot.Team+"/"+rot.Model] = rot
	}
	for _, tc := range []struct {
		key      string
		members  []string
		ratio    float64
		perShift float64 // over 14 shifts
		sleep    map[string]float64
		minimum  int
	}{
		// One-person rotations: 100% each; tokyo sleeps through Q2,
		// utc through Q3; one site each: 8.
		{"product-sre/per_team", []string{"tokyo"}, 1, 2.0 / 14, map[string]float64{"tokyo": 1}, 8},
		{"corporate-sre/per_team", []string{"utc"}, 1, 1.0 / 14, map[string]float64{"utc": 1}, 8},
		// The shared rotation takes every page, between two: tokyo
		// sleeps through Q2 (1/2 a week), utc through Q1 and Q3 (2/2);
		// two UTC offsets, two sites: 12.
		{"product-sre/shared", []string{"tokyo", "utc"}, 0.5, 3.0 / 14, map[string]float64{"tokyo": 0.5, "utc": 1}, 12},
		{"corporate-sre/shared", []string{"tokyo", "utc"}, 0.5, 3.0 / 14, map[string]float64{"tokyo": 0.5, "utc": 1}, 12},
	} {
		rot := got[tc.key]
		if !reflect.DeepEqual(rot.Members, tc.members) || !near(rot.Ratio, tc.ratio) || !near(rot.IncidentsPerShift, tc.perShift) ||
			!reflect.DeepEqual(rot.SleepPagesPerWeek, tc.sleep) || rot.Minimum != tc.minimum || rot.WithinCap || !rot.WithinLoad {
			t.Errorf("%s: %+v", tc.key, rot)
		}
	}
	want := "product-sre cannot run its own rotation with 1 person: 100% on call against the book's 25%; keep one shared rotation until it has 4. " +
		"corporate-sre cannot run its own rotation with 1 person: 100% on call against the book's 25%; keep one shared rotation until it has 4. " +
		"The shared rotation of 2 is itself at 50% on call, above the cap, until it has 4."
	if r.AfterSplit.Recommendation != want {
		t.Errorf("recommendation:\n%s\nwant\n%s", r.AfterSplit.Recommendation, want)
	}
	// Staffing: shares 3/4 and 1/4 of 2 people: 1.5 and 0.5 people of
	// work, no duties; their own rotations need 8 each: 6.5 and 7.5 more;
	// demand 8 each, against 1 person: a gap of 7.
	for _, st := range r.AfterSplit.Staffing {
		work := map[string]float64{"product-sre": 1.5, "corporate-sre": 0.5}[st.Team]
		if !near(st.Work, work) || st.Duties != 0 || !near(st.OnCall, 8-work) || !near(st.Demand, 8) || st.People != 1 || !near(st.Gap, 7) {
			t.Errorf("%s: %+v", st.Team, st)
		}
	}
	// Under split.rotation: shared, no team needs a rotation of its own.
	cfg.Split.Rotation = "shared"
	for _, st := range w.analyze(cfg).AfterSplit.Staffing {
		if st.OnCall != 0 || !near(st.Gap, st.Work-1) {
			t.Errorf("shared: %s: %+v", st.Team, st)
		}
	}
}

func TestAfterSplitWaitsForData(t *testing.T) {
	cfg := testConfig(t, "")
	w := newWorld()
	if r := Analyze(nil, cfg, now); r.AfterSplit != nil {
		t.Errorf("after the split without data: %+v", r.AfterSplit)
	}
	_ = w
}

// TestATeamWithNobody: with one person, no team is filled from another:
// corporate-sre's own rotation has nobody, no share on call, and cannot
// run; its staffing demand is the book's minimum against no one.
func TestATeamWithNobody(t *testing.T) {
	cfg := peopleConfig(t, `
  - {name: solo, github: [gs]}
`)
	w := newWorld()
	p := w.issue(1, "product")
	w.gha(p, "gs", "commented", "2026-11-24T10:00:00Z")
	r := w.analyze(cfg)
	for _, rot := range r.AfterSplit.Rotations {
		if rot.Team == "corporate-sre" && rot.Model == ModelPerTeam && (len(rot.Members) != 0 || rot.Ratio != 0 || rot.CanRun()) {
			t.Errorf("corporate-sre per team: %+v", rot)
		}
	}
	want := "product-sre cannot run its own rotation with 1 person: 100% on call against the book's 25%; keep one shared rotation until it has 4. " +
		"corporate-sre cannot run its own rotation with 0 people: nobody would be in it; keep one shared rotation until it has 4. " +
		"The shared rotation of 1 is itself at 100% on call, above the cap, until it has 4."
	if r.AfterSplit.Recommendation != want {
		t.Errorf("recommendation:\n%s\nwant\n%s", r.AfterSplit.Recommendation, want)
	}
	for _, st := range r.AfterSplit.Staffing {
		if st.Team == "corporate-sre" && (st.People != 0 || st.Work != 0 || !near(st.Demand, 8) || !near(st.Gap, 8)) {
			t.Errorf("corporate-sre staffing %+v", st)
		}
	}
}
