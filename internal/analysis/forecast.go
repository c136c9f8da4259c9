package analysis

import (
	"math"
	"slices"
	"time"
)

// The forecast of a split signal that does not hold yet: the date on which
// a straight line fitted to its recent daily values would reach its
// threshold. It is an extrapolation, not a prediction. README, "Forecast",
// has the definition; forecast_test.go pins it with hand-computed cases.

// ForecastDays is the fit length the report uses: the last 4 weeks.
const ForecastDays = 28

// ForecastHorizonDays is how far past the last point a crossing is dated.
// A line fitted to a few weeks says nothing about years ahead; a crossing
// later than this is ForecastBeyondHorizon, and a latest date later than
// this is no upper bound.
const ForecastHorizonDays = 365

// Point is one daily value of a signal.
type Point struct {
	At    time.Time
	Value float64
}

// ForecastState says which answer a Forecast gives.
type ForecastState int

const (
	// ForecastNotEnoughData: fewer than half the fit length in finite
	// points (14 of 28 days; never fewer than 3), all of them at one time,
	// or a threshold that is not a finite number.
	ForecastNotEnoughData ForecastState = iota
	// ForecastHolds: the last value is at least the threshold; no forecast.
	ForecastHolds
	// ForecastNoUpwardTrend: the fitted slope b is 0 or less.
	ForecastNoUpwardTrend
	// ForecastFitAbove: the fit line is at or above the threshold at the
	// last point although the last value is below it; the line crossed in
	// the past, so it gives no date.
	ForecastFitAbove
	// ForecastBeyondHorizon: the line rises, but reaches the threshold more
	// than ForecastHorizonDays after the last point; Days says when.
	ForecastBeyondHorizon
	// ForecastCrossing: the line reaches the threshold after the last
	// point; Crossing, Earliest and Latest are set.
	ForecastCrossing
)

func (s ForecastState) String() string {
	switch s {
	case ForecastNotEnoughData:
		return "not enough data"
	case ForecastHolds:
		return "holds"
	case ForecastNoUpwardTrend:
		return "no upward trend"
	case ForecastFitAbove:
		return "fit line already above the threshold"
	case ForecastBeyondHorizon:
		return "not within a year"
	case ForecastCrossing:
		return "crossing"
	}
	return "unknown"
}

// Forecast is the answer of Extrapolate.
type Forecast struct {
	State ForecastState

	// N is the number of points in the fit; Skipped the number of points
	// of the input whose value was not finite (NaN, ±Inf), left out.
	N, Skipped int
	// From and To are the times of the first and last point of the fit.
	// To is the last finite point of the input.
	From, To time.Time

	// The fit, set from ForecastNoUpwardTrend on: the value is
	// Intercept + Slope·x at x days after From. SlopeSE is the standard
	// error of the slope. Slope and SlopeSE are per day.
	Slope, Intercept, SlopeSE float64

	// Days is how many days after To the fit line reaches the threshold
	// (ForecastBeyondHorizon and ForecastCrossing). EarliestDays and
	// LatestDays are the same for the lines through the fit's centre with
	// slopes Slope+SlopeSE and Slope−SlopeSE (ForecastCrossing only):
	// EarliestDays is at least 0, LatestDays is +Inf when there is no
	// upper bound. None is rounded.
	Days, EarliestDays, LatestDays float64

	// Crossing, Earliest and Latest are the UTC days (00:00 UTC) on which
	// To + Days, To + EarliestDays and To + LatestDays fall, each first
	// rounded to the second (ForecastCrossing only). Latest is the zero
	// time when there is no upper bound.
	Crossing, Earliest, Latest time.Time
}

// Extrapolate fits a line to the points with a finite value within the last
// days days (At > last − days·24h, the last being the latest finite point;
// with daily points, the last days of them) and tells when it would reach
// threshold. The points may come in any order; days must be at least 1.
func Extrapolate(points []Point, threshold float64, days int) Forecast {
	var f Forecast
	var last Point
	finite := make([]Point, 0, len(points))
	for _, p := range points {
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			f.Skipped++
			continue
		}
		finite = append(finite, p)
	}
	if len(finite) == 0 {
		return f
	}
	// A stable sort: the sums below are then taken in one order whatever
	// the input's, and of points at the same time the last given is last.
	slices.SortStableFunc(finite, func(p, q Point) int { return p.At.Compare(q.At) })
	last = finite[len(finite)-1]
	f.To = last.At
	if last.Value >= threshold {
		f.State = ForecastHolds
		return f
	}
	if days < 1 || math.IsNaN(threshold) || math.IsInf(threshold, 0) {
		return f
	}

	start := last.At.Add(-time.Duration(days) * 24 * time.Hour)
	i, _ := slices.BinarySearchFunc(finite, start, func(p Point, t time.Time) int {
		if p.At.After(t) {
			return 1
		}
		return -1
	})
	fit := finite[i:]
	f.N, f.From = len(fit), fit[0].At
	if f.N < max(3, (days+1)/2) {
		return f
	}

	// x is in days after From, elapsed time (hours / 24).
	xs := make([]float64, f.N)
	var sx, sy float64
	for j, p := range fit {
		xs[j] = p.At.Sub(f.From).Hours() / 24
		sx += xs[j]
		sy += p.Value
	}
	n := float64(f.N)
	mx, my := sx/n, sy/n
	// Σ(x−x̄)(y−ȳ) = Σ(x−x̄)(y−y₀), since Σ(x−x̄) = 0; measuring y from the
	// first value makes a constant series give a slope of exactly 0,
	// where ȳ, rounded, would leave a slope of ±1e-18.
	var sxx, sxy float64
	for j, p := range fit {
		dx := xs[j] - mx
		sxx += dx * dx
		sxy += dx * (p.Value - fit[0].Value)
	}
	if sxx == 0 {
		return f
	}
	b := sxy / sxx
	a := my - b*mx
	var ssr float64
	for j, p := range fit {
		e := p.Value - (a + b*xs[j])
		ssr += e * e
	}
	f.Slope, f.Intercept, f.SlopeSE = b, a, math.Sqrt(ssr/(n-2)/sxx)

	if b <= 0 {
		f.State = ForecastNoUpwardTrend
		return f
	}
	xn := xs[f.N-1]
	if a+b*xn >= threshold {
		f.State = ForecastFitAbove
		return f
	}
	// The crossing of the line through (x̄, ȳ) with slope s, in days after
	// To. With s = b it is the fit line's: (threshold − a)/b − xn.
	after := func(s float64) float64 { return mx + (threshold-my)/s - xn }
	f.Days = after(b)
	if f.Days > ForecastHorizonDays {
		f.State = ForecastBeyondHorizon
		return f
	}
	f.State = ForecastCrossing
	f.EarliestDays = max(0, after(b+f.SlopeSE))
	f.LatestDays = math.Inf(1)
	if s := b - f.SlopeSE; s > 0 {
		if d := after(s); d <= ForecastHorizonDays {
			f.LatestDays = d
		}
	}
	f.Crossing = utcDayAfter(f.To, f.Days)
	f.Earliest = utcDayAfter(f.To, f.EarliestDays)
	if !math.IsInf(f.LatestDays, 1) {
		f.Latest = utcDayAfter(f.To, f.LatestDays)
	}
	return f
}

// utcDayAfter is the UTC day (00:00 UTC) of t + days, rounded to the second.
func utcDayAfter(t time.Time, days float64) time.Time {
	u := t.Add(time.Duration(math.Round(days*86400)) * time.Second).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
