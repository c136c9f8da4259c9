package report

import (
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
)

// TestBuildHistory pins the history section by hand: daily steps from
// from to to, a step without whole data left out, the first step at which
// a signal held, a forecast only for a signal that does not hold at the
// last step, and a person under one workday left out at that step.
func TestBuildHistory(t *testing.T) {
	cfg, err := config.ParseWithoutSecrets([]byte(`
github: {token_env: T, repositories: [a/b]}
domains: [{name: product, proposed_team: product-sre}, {name: security, proposed_team: corporate-sre}]
people: [{name: alice, github: [a]}]
split: {min_signals: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	to := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	from := to.Add(-29 * 24 * time.Hour) // 30 steps
	at := func(now time.Time) *analysis.Result {
		day := int(now.Sub(from) / (24 * time.Hour))
		r := &analysis.Result{Now: now, People: map[string]*analysis.PersonStats{}, TeamActivityRatio: map[string]float64{}}
		if day == 3 {
			r.Waiting = []string{"github"} // no whole data: left out
			return r
		}
		// context_switching rises 0.1 a day and holds from day 30 on (3);
		// secondary_team_share falls from 0.5 and holds until day 10.
		cs := 0.1 * float64(day+1)
		share := 0.5 - 0.02*float64(day)
		r.Signals = []analysis.Signal{
			{Name: config.SignalContextSwitching, Value: cs, Threshold: 3, Holds: cs >= 3},
			{Name: config.SignalSecondaryTeamShare, Value: share, Threshold: 0.25, Holds: share >= 0.25},
		}
		r.People["alice"] = &analysis.PersonStats{SwitchesPerWorkday: cs, LeftOutOfMedian: day == 5}
		r.TeamActivityRatio["product-sre"], r.TeamActivityRatio["corporate-sre"] = 1-share, share
		return r
	}
	h := BuildHistory(cfg, from, to, at)
	if len(h.Signals) != 2 {
		t.Fatalf("signals: %+v", h.Signals)
	}
	cs, share := h.Signals[0], h.Signals[1]
	if cs.Name != config.SignalContextSwitching || len(cs.Points) != 29 || cs.FirstHeld == nil || !cs.FirstHeld.Equal(to) || cs.Forecast != nil {
		t.Errorf("context_switching: %d points, first held %v, forecast %+v", len(cs.Points), cs.FirstHeld, cs.Forecast)
	}
	if _, ok := cs.At(from.Add(3 * 24 * time.Hour)); ok {
		t.Error("the step without whole data has a value")
	}
	// secondary_team_share held from the first step; at the last (day 29)
	// it is 0.5 - 0.58 < 0.25 and falling: no upward trend.
	if share.FirstHeld == nil || !share.FirstHeld.Equal(from) || share.Forecast == nil || share.Forecast.State != "no upward trend" {
		t.Errorf("secondary_team_share: first held %v, forecast %+v", share.FirstHeld, share.Forecast)
	}
	if len(h.People) != 1 || len(h.People[0].Points) != 28 {
		t.Errorf("alice: %+v", h.People)
	}
	if len(h.Teams) != 2 || h.Teams[0].Name != "product-sre" || len(h.Teams[0].Points) != 29 {
		t.Errorf("teams: %+v", h.Teams)
	}
	// The tables' columns: every 30 days back from the last step.
	if cols := h.Columns(); len(cols) != 1 || !cols[0].Equal(to) {
		t.Errorf("columns %v", cols)
	}
}

// TestForecastInHistory: a signal rising 0.1 a day for 28 days without
// holding gets the crossing of the fitted line: 0.1 to 2.8 over days 0 to
// 27, threshold 3, is reached at day 29, two days after the last step.
func TestForecastInHistory(t *testing.T) {
	var points []Point
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 28; d++ {
		points = append(points, Point{At: start.Add(time.Duration(d) * 24 * time.Hour), Value: 0.1 * float64(d+1)})
	}
	f := forecast(points, 3)
	want := start.Add(29 * 24 * time.Hour)
	if f.State != "crossing" || f.Crossing == nil || !f.Crossing.Equal(want) || f.Latest == nil || !f.Latest.Equal(want) {
		t.Errorf("forecast %+v, want a crossing on %s", f, want)
	}
	if s := f.Sentence(); s != "extrapolated: a straight line fitted to the last 28 days reaches the threshold on 2026-11-30 (between 2026-11-30 and 2026-11-30 with the fit's spread)" {
		t.Errorf("sentence %q", s)
	}
}

// TestKeptHistory: a running exporter's kept records become the history
// at daily steps back from now, a day without a record left out, with the
// reach said.
func TestKeptHistory(t *testing.T) {
	cfg, err := config.ParseWithoutSecrets([]byte("github: {token_env: T, repositories: [a/b]}\ndomains: [{name: product}]\npeople: [{name: alice, github: [a]}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	rec := func(daysAgo int, v float64) analysis.Record {
		return analysis.Record{At: now.Add(-time.Duration(daysAgo)*24*time.Hour - time.Hour),
			Signals:  []analysis.Signal{{Name: config.SignalContextSwitching, Value: v, Threshold: 3, Holds: v >= 3}},
			Switches: map[string]float64{"alice": v}, Teams: map[string]float64{"product": 1}}
	}
	// Kept on the 22nd, the 23rd and today; not on the 24th.
	h := KeptHistory(cfg, []analysis.Record{rec(3, 1), rec(2, 2), rec(0, 3)}, now)
	if h == nil || len(h.Signals) != 1 {
		t.Fatalf("history %+v", h)
	}
	s := h.Signals[0]
	if len(s.Points) != 3 || s.Points[0].Value != 1 || s.Points[2].Value != 3 || s.FirstHeld == nil || !s.FirstHeld.Equal(now) {
		t.Errorf("points %+v, first held %v", s.Points, s.FirstHeld)
	}
	if !h.From.Equal(now.Add(-4*24*time.Hour)) || h.Reach == "" {
		t.Errorf("from %s, reach %q", h.From, h.Reach)
	}
	if KeptHistory(cfg, nil, now) != nil {
		t.Error("a history from no record")
	}
}
