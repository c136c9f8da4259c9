package analysis

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// IncidentQuantiles are the quantiles of the times to acknowledge and to
// resolve, in the order of Result.TimeToAcknowledge and TimeToResolve.
var IncidentQuantiles = []float64{0.5, 0.9}

// Percentile names a quantile as a percentile, "50" for 0.5: the value of
// the percentile label and the report's key.
func Percentile(q float64) string {
	return strconv.FormatFloat(math.Round(q*1000)/10, 'f', -1, 64)
}

// NearestRank is the definition of a quantile: the q-quantile of n values
// is the smallest of them such that at least q×n values are less than or
// equal to it, which is the value at rank ceil(q×n) (counting from 1) of
// the values sorted ascending, and the smallest value for q×n ≤ 1. It is
// always one of the values, never an interpolation. values must not be
// empty; they are not reordered.
func NearestRank(values []float64, q float64) float64 {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return nearestRankSorted(sorted, q)
}

func nearestRankSorted(sorted []float64, q float64) float64 {
	n := len(sorted)
	// q×n computed in floating point can land just above an integer
	// (0.55×100 is 55.00000000000001); such an error is far below 1e-9
	// for any n the exporter sees.
	rank := int(math.Ceil(q*float64(n) - 1e-9))
	return sorted[min(max(rank, 1), n)-1]
}

// incidentTimes computes MTTA, MTTR, their quantiles and the on-call load
// from the incidents of a PagerDuty snapshot, over the incidents created
// within the window. An incident merged into another is left out of the
// time to resolve: the merge resolved it, not work on it. Its
// acknowledgement, when it had one, was a response and counts.
//
// The times are as they stood at the window's end: an acknowledgement or
// a resolution after it has not happened yet.
func (r *Result) incidentTimes(ps *preparedSnap, cfg *config.Config, start, end int64) {
	s, domains := ps.s, ps.domains
	ack, res := map[int32][]float64{}, map[int32][]float64{}
	high := 0
	lo, _ := slices.BinarySearchFunc(ps.created, start, func(i int32, t int64) int { return cmp.Compare(s.Items[i].CreatedAt, t) })
	for _, i := range ps.created[lo:] {
		it := &s.Items[i]
		if it.CreatedAt > end {
			break
		}
		if it.Kind != model.KindIncident {
			continue
		}
		if it.Urgency == "high" {
			high++
			r.pages = append(r.pages, page{at: it.CreatedAt, domain: domains[i]})
		}
		if it.FirstAcknowledgedAt != 0 && it.FirstAcknowledgedAt <= end {
			ack[domains[i]] = append(ack[domains[i]], float64(it.FirstAcknowledgedAt-it.CreatedAt))
		}
		if resolved := cmp.Or(it.ResolveLoggedAt, it.ClosedAt); resolved != 0 && resolved <= end && it.MergedInto == "" {
			res[domains[i]] = append(res[domains[i]], float64(resolved-it.CreatedAt))
		}
	}
	for d, v := range ack {
		name := domainName(cfg, int(d))
		r.MTTA[name], r.TimeToAcknowledge[name] = meanAndQuantiles(v)
		r.Acknowledged[name] = len(v)
	}
	for d, v := range res {
		name := domainName(cfg, int(d))
		r.MTTR[name], r.TimeToResolve[name] = meanAndQuantiles(v)
		r.Resolved[name] = len(v)
	}
	r.HasOnCall = true
	r.OnCallIncidentsPerShift = float64(high) / shifts(cfg)
}

// meanAndQuantiles returns the mean of values, which are not empty, and
// their IncidentQuantiles by NearestRank. It sorts values.
func meanAndQuantiles(values []float64) (float64, []float64) {
	total := 0.0
	for _, v := range values {
		total += v
	}
	slices.Sort(values)
	qs := make([]float64, len(IncidentQuantiles))
	for i, q := range IncidentQuantiles {
		qs[i] = nearestRankSorted(values, q)
	}
	return total / float64(len(values)), qs
}
