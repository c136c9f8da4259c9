package analysis

import (
	"testing"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// TestNearestRank pins the nearest-rank quantile: the value at rank
// ceil(q×n) of the sorted values, counting from 1.
func TestNearestRank(t *testing.T) {
	for _, c := range []struct {
		values []float64
		q      float64
		want   float64
	}{
		// n=1: every quantile is the one value.
		{[]float64{7}, 0.5, 7},
		{[]float64{7}, 0.9, 7},
		// n=2: ceil(1)=1, ceil(1.8)=2.
		{[]float64{30, 10}, 0.5, 10},
		{[]float64{30, 10}, 0.9, 30},
		// n=4, sorted 10 20 30 40: ceil(2)=2, ceil(3.6)=4.
		{[]float64{40, 10, 30, 20}, 0.5, 20},
		{[]float64{40, 10, 30, 20}, 0.9, 40},
		// n=5: ceil(2.5)=3, ceil(4.5)=5.
		{[]float64{5, 1, 4, 2, 3}, 0.5, 3},
		{[]float64{5, 1, 4, 2, 3}, 0.9, 5},
		// n=10, 1..10: ceil(5)=5, ceil(9)=9.
		{[]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0.5, 5},
		{[]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0.9, 9},
		// n=20: 0.9×20=18 exactly: the 18th value.
		{seq(20), 0.9, 18},
		// 0.55×100 is 55.00000000000001 in floating point; the rank is
		// still 55, not 56.
		{seq(100), 0.55, 55},
		// Ties: 1 1 1 9: ceil(2)=2 → 1; ceil(3.6)=4 → 9.
		{[]float64{9, 1, 1, 1}, 0.5, 1},
		{[]float64{9, 1, 1, 1}, 0.9, 9},
	} {
		in := append([]float64(nil), c.values...)
		if got := NearestRank(c.values, c.q); got != c.want {
			t.Errorf("NearestRank(%v, %v) = %v, want %v", in, c.q, got, c.want)
		}
		for i := range in {
			if in[i] != c.values[i] {
				t.Errorf("NearestRank reordered its input: %v became %v", in, c.values)
				break
			}
		}
	}
}

func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i + 1)
	}
	return out
}

// TestIncidentPercentiles: the percentiles are over the same incidents as
// the means.
func TestIncidentPercentiles(t *testing.T) {
	w := newWorld()
	c := at("2026-11-24T10:00:00Z")
	// security, acknowledged after 60, 120, 180, 240, 3600 s: mean 840,
	// p50 rank ceil(2.5)=3 → 180, p90 rank ceil(4.5)=5 → 3600.
	// Resolved after 600, 1200 (resolved_at), 1800, 7200; S5 open: mean
	// 2700, p50 rank 2 → 1200, p90 rank ceil(3.6)=4 → 7200.
	w.incident("S1", "security", "high", c, c+60, c+600, c+600)
	w.incident("S2", "security", "low", c, c+120, 0, c+1200)
	w.incident("S3", "security", "high", c, c+180, c+1800, c+1800)
	w.incident("S4", "security", "high", c, c+240, c+7200, c+7200)
	w.incident("S5", "security", "high", c, c+3600, 0, 0)
	// Created before the window: in no mean and no percentile.
	w.incident("S0", "security", "high", at("2026-11-20T10:00:00Z"), at("2026-11-20T11:00:00Z"), at("2026-11-24T10:00:00Z"), at("2026-11-24T10:00:00Z"))
	r := w.analyze(testConfig(t, ""))
	if got := r.MTTA["security"]; !near(got, 840) {
		t.Errorf("security MTTA %v, want 840", got)
	}
	if got := r.MTTR["security"]; !near(got, 2700) {
		t.Errorf("security MTTR %v, want 2700", got)
	}
	want := map[string][]float64{"ack": {180, 3600}, "res": {1200, 7200}}
	got := map[string][]float64{"ack": r.TimeToAcknowledge["security"], "res": r.TimeToResolve["security"]}
	for k := range want {
		if len(got[k]) != len(IncidentQuantiles) || got[k][0] != want[k][0] || got[k][1] != want[k][1] {
			t.Errorf("%s quantiles %v of %v, want %v", k, got[k], IncidentQuantiles, want[k])
		}
	}
	if _, ok := r.TimeToAcknowledge["product"]; ok {
		t.Errorf("product percentiles without a qualifying incident: %v", r.TimeToAcknowledge)
	}
}

// TestMergedIncidents: an incident merged into another is resolved by the
// merge (resolve_reason merge_resolve_reason). The merge is not a
// resolution of work: the merged incident is not counted as closed and is
// left out of the time to resolve; its acknowledgement, if any, counts.
func TestMergedIncidents(t *testing.T) {
	w := newWorld()
	c := at("2026-11-24T10:00:00Z")
	// M1 survives: acknowledged after 120 s, resolved after 3600 s.
	w.incident("M1", "security", "high", c, c+120, c+3600, c+3600)
	// M2 was acknowledged after 60 s, then merged into M1 after 300 s.
	m2 := w.incident("M2", "security", "high", c, c+60, c+300, c+300)
	w.pd.Items[m2].MergedInto = "M1"
	// M3 was never acknowledged and merged into M1 after 30 s.
	m3 := w.incident("M3", "security", "low", c, 0, c+30, c+30)
	w.pd.Items[m3].MergedInto = "M1"
	r := w.analyze(testConfig(t, ""))
	// Opened 3 (every page happened), closed 1 (only M1's resolution).
	got := r.Items[CountKey{Source: model.SourcePagerDuty, Kind: model.KindIncident, Domain: "security"}]
	if got != (Counts{Open: 0, Opened: 3, Closed: 1}) {
		t.Errorf("counts %+v, want opened 3, closed 1", got)
	}
	// MTTA over M1 and M2: (120+60)/2 = 90; MTTR over M1 alone: 3600.
	if v := r.MTTA["security"]; !near(v, 90) {
		t.Errorf("MTTA %v, want 90", v)
	}
	if v := r.MTTR["security"]; !near(v, 3600) {
		t.Errorf("MTTR %v, want 3600 (merges left out)", v)
	}
	if q := r.TimeToResolve["security"]; len(q) != 2 || q[0] != 3600 || q[1] != 3600 {
		t.Errorf("time to resolve quantiles %v, want [3600 3600]", q)
	}
	// Only merged incidents: no time to resolve at all.
	w2 := newWorld()
	m := w2.incident("M4", "security", "high", c, 0, c+30, c+30)
	w2.pd.Items[m].MergedInto = "M9"
	r2 := w2.analyze(testConfig(t, ""))
	if _, ok := r2.MTTR["security"]; ok {
		t.Errorf("MTTR %v from a merged incident alone", r2.MTTR)
	}
	if got := r2.Items[CountKey{Source: model.SourcePagerDuty, Kind: model.KindIncident, Domain: "security"}]; got.Closed != 0 {
		t.Errorf("a merged incident counted as closed: %+v", got)
	}
}
