package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// The forecast's tests are computed by hand (see README, "Forecast"). Daily
// points are at 00:00 UTC, from Sunday 2026-11-01 on.
var forecastStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// fday is 00:00 UTC on day x, counted from forecastStart.
func fday(x int) time.Time { return forecastStart.AddDate(0, 0, x) }

// dailyPoints gives one point a day from forecastStart, the i-th with
// values[i].
func dailyPoints(values ...float64) []Point {
	ps := make([]Point, len(values))
	for i, v := range values {
		ps[i] = Point{At: fday(i), Value: v}
	}
	return ps
}

// fline gives y = a + b·x at x = 0, 1, ..., n-1.
func fline(a, b float64, n int) []float64 {
	vs := make([]float64, n)
	for x := range vs {
		vs[x] = a + b*float64(x)
	}
	return vs
}

func fnear(got, want float64) bool { return math.Abs(got-want) <= 1e-9 }

// checkForecast compares the fields that a case pins; dates are compared
// exactly.
func checkForecast(t *testing.T, got, want Forecast) {
	t.Helper()
	if got.State != want.State {
		t.Fatalf("state %v, want %v (%+v)", got.State, want.State, got)
	}
	if got.N != want.N || got.Skipped != want.Skipped {
		t.Errorf("N %d, Skipped %d; want %d, %d", got.N, got.Skipped, want.N, want.Skipped)
	}
	if !got.From.Equal(want.From) || !got.To.Equal(want.To) {
		t.Errorf("fit from %v to %v, want %v to %v", got.From, got.To, want.From, want.To)
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"Slope", got.Slope, want.Slope},
		{"Intercept", got.Intercept, want.Intercept},
		{"SlopeSE", got.SlopeSE, want.SlopeSE},
		{"Days", got.Days, want.Days},
		{"EarliestDays", got.EarliestDays, want.EarliestDays},
		{"LatestDays", got.LatestDays, want.LatestDays},
	} {
		if math.IsInf(f.want, 1) {
			if !math.IsInf(f.got, 1) {
				t.Errorf("%s %v, want +Inf", f.name, f.got)
			}
		} else if !fnear(f.got, f.want) {
			t.Errorf("%s %v, want %v", f.name, f.got, f.want)
		}
	}
	for _, d := range []struct {
		name      string
		got, want time.Time
	}{
		{"Crossing", got.Crossing, want.Crossing},
		{"Earliest", got.Earliest, want.Earliest},
		{"Latest", got.Latest, want.Latest},
	} {
		if !d.got.Equal(d.want) || d.got.Location() != time.UTC {
			t.Errorf("%s %v, want %v (UTC)", d.name, d.got, d.want)
		}
	}
}

// (a) A perfect line, y = 1 + 0.1·x over the 28 days x = 0..27, threshold 5.
// x̄ = 13.5, ȳ = 1 + 0.1·13.5 = 2.35, every residual is 0, so b = 0.1,
// a = 1, SE(b) = 0. The line reaches 5 at x = (5 − 1)/0.1 = 40: day 40
// (2026-12-11), 13 days after the last point (day 27). With SE 0, the
// earliest and latest dates are the same.
func TestForecastPerfectLine(t *testing.T) {
	got := Extrapolate(dailyPoints(fline(1, 0.1, 28)...), 5, ForecastDays)
	checkForecast(t, got, Forecast{
		State: ForecastCrossing, N: 28,
		From: fday(0), To: fday(27),
		Slope: 0.1, Intercept: 1, SlopeSE: 0,
		Days: 13, EarliestDays: 13, LatestDays: 13,
		Crossing: fday(40), Earliest: fday(40), Latest: fday(40),
	})
	if got.SlopeSE > 1e-12 {
		t.Errorf("SE %v, want 0", got.SlopeSE)
	}
	if !got.Crossing.Equal(time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("crossing %v, want 2026-12-11", got.Crossing)
	}
}

// The fit uses the points with At > last − 28 days: with daily points, the
// last 28. Points before them, however wild, do not count; nor does the
// point exactly 28 days before the last.
func TestForecastUsesTheLast28Days(t *testing.T) {
	vs := append([]float64{100, -50, 100, -50, 100, -50, 100, -50}, fline(1, 0.1, 28)...)
	ps := dailyPoints(vs...)
	got := Extrapolate(ps, 5, ForecastDays)
	checkForecast(t, got, Forecast{
		State: ForecastCrossing, N: 28,
		From: fday(8), To: fday(35),
		Slope: 0.1, Intercept: 1, SlopeSE: 0,
		Days: 13, EarliestDays: 13, LatestDays: 13,
		Crossing: fday(48), Earliest: fday(48), Latest: fday(48),
	})
}

// (b) Five daily points, fit length 5 days (the report uses 28; five keep
// the arithmetic short), threshold 3:
//
//	x      0    1    2    3    4     (days from the first point)
//	y    1.2  1.8  1.4  2.0  2.6
//
// x̄ = 10/5 = 2, ȳ = 9.0/5 = 1.8.
// x − x̄ = −2, −1, 0, 1, 2; Σ(x − x̄)² = 4+1+0+1+4 = 10.
// y − ȳ = −0.6, 0, −0.4, 0.2, 0.8;
// Σ(x − x̄)(y − ȳ) = 1.2 + 0 + 0 + 0.2 + 1.6 = 3.0.
// b = 3.0/10 = 0.3 a day; a = ȳ − b·x̄ = 1.8 − 0.6 = 1.2.
// Fit a + b·x = 1.2, 1.5, 1.8, 2.1, 2.4; residuals 0, 0.3, −0.4, −0.1, 0.2;
// Σ residual² = 0 + 0.09 + 0.16 + 0.01 + 0.04 = 0.30.
// SE(b) = sqrt(0.30 / (5 − 2) / 10) = sqrt(0.01) = 0.1.
// The last value, 2.6, is below 3; the fit at the last point, 2.4, too.
// Crossing, on the fit line: x = (3 − 1.2)/0.3 = 6, day 6 (2026-11-07),
// 2 days after the last point (day 4).
// Earliest, the line through (x̄, ȳ) with slope b + SE = 0.4:
// x = 2 + (3 − 1.8)/0.4 = 5, day 5 (2026-11-06), 1 day after the last.
// Latest, slope b − SE = 0.2: x = 2 + 1.2/0.2 = 8, day 8 (2026-11-09),
// 4 days after the last.
func TestForecastHandComputed(t *testing.T) {
	got := Extrapolate(dailyPoints(1.2, 1.8, 1.4, 2.0, 2.6), 3, 5)
	checkForecast(t, got, Forecast{
		State: ForecastCrossing, N: 5,
		From: fday(0), To: fday(4),
		Slope: 0.3, Intercept: 1.2, SlopeSE: 0.1,
		Days: 2, EarliestDays: 1, LatestDays: 4,
		Crossing: fday(6), Earliest: fday(5), Latest: fday(8),
	})
	if !got.Crossing.Equal(time.Date(2026, 11, 7, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("crossing %v, want 2026-11-07", got.Crossing)
	}
}

// The same fit line with four times the residuals (and of opposite sign,
// so that the last value stays below the threshold):
//
//	x      0    1    2    3    4
//	y    1.2  0.3  3.4  2.5  1.6
//
// The residuals 0, −1.2, 1.6, 0.4, −0.8 are orthogonal to 1 and to x − x̄,
// so b = 0.3 and a = 1.2 as above; Σ residual² = 16 × 0.30 = 4.8 and
// SE(b) = sqrt(4.8/3/10) = sqrt(0.16) = 0.4. The crossing is still day 6.
// Earliest, slope 0.7: x = 2 + 1.2/0.7 = 3.71, before the last point (day
// 4), where the signal did not hold: clamped to the last point, 0 days.
// Latest: b − SE = −0.1 ≤ 0, no upper bound.
func TestForecastWideSpread(t *testing.T) {
	got := Extrapolate(dailyPoints(1.2, 0.3, 3.4, 2.5, 1.6), 3, 5)
	checkForecast(t, got, Forecast{
		State: ForecastCrossing, N: 5,
		From: fday(0), To: fday(4),
		Slope: 0.3, Intercept: 1.2, SlopeSE: 0.4,
		Days: 2, EarliestDays: 0, LatestDays: math.Inf(1),
		Crossing: fday(6), Earliest: fday(4), Latest: time.Time{},
	})
	if !got.Latest.IsZero() {
		t.Errorf("latest %v, want none", got.Latest)
	}
}

// A crossing that falls within a day is on that UTC day: y = 0.5·x over
// 28 days, threshold 20 gives x = 40, and threshold 20.25 gives x = 40.5,
// 12:00 on day 40: the same day.
func TestForecastCrossingDay(t *testing.T) {
	got := Extrapolate(dailyPoints(fline(0, 0.5, 28)...), 20.25, ForecastDays)
	if got.State != ForecastCrossing || !fnear(got.Days, 13.5) || !got.Crossing.Equal(fday(40)) {
		t.Errorf("got %v, %v days, on %v; want a crossing in 13.5 days, on %v", got.State, got.Days, got.Crossing, fday(40))
	}
}

// (c) A flat or falling series has no upward trend, whatever its noise.
func TestForecastNoUpwardTrend(t *testing.T) {
	for name, vs := range map[string][]float64{
		"flat":       fline(2, 0, 28),
		"flat 0.1":   fline(0.1, 0, 28),
		"falling":    fline(4, -0.05, 28),
		"noisy flat": {1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1},
	} {
		got := Extrapolate(dailyPoints(vs...), 5, ForecastDays)
		if got.State != ForecastNoUpwardTrend || got.Slope > 0 || !got.Crossing.IsZero() {
			t.Errorf("%s: %v, slope %v, crossing %v; want no upward trend", name, got.State, got.Slope, got.Crossing)
		}
	}
	// A constant at irregular times: its slope is exactly 0, not the
	// ±1e-34 that rounding ȳ would leave (and that, positive, would read
	// as a rise too slow to date).
	for n := 14; n <= 28; n++ {
		ps := make([]Point, n)
		for i := range ps {
			ps[i] = Point{At: fday(i).Add(time.Duration(i*i%7) * time.Hour), Value: 0.1}
		}
		if got := Extrapolate(ps, 5, ForecastDays); got.State != ForecastNoUpwardTrend || got.Slope != 0 {
			t.Errorf("0.1 at %d irregular times: %v, slope %v; want no upward trend, slope 0", n, got.State, got.Slope)
		}
	}
}

// A line that rises too slowly to reach the threshold within a year:
// y = 1 + 0.001·x reaches 2 at x = 1000, 973 days after the last point.
func TestForecastBeyondHorizon(t *testing.T) {
	got := Extrapolate(dailyPoints(fline(1, 0.001, 28)...), 2, ForecastDays)
	if got.State != ForecastBeyondHorizon || !fnear(got.Days, 973) || !got.Crossing.IsZero() {
		t.Errorf("got %v, %v days, crossing %v; want beyond the horizon, 973 days, no date", got.State, got.Days, got.Crossing)
	}
}

// (d) A signal that holds has no forecast: its last value is at least the
// threshold (equal counts), however few the points or falling the trend.
func TestForecastAlreadyHolds(t *testing.T) {
	for name, ps := range map[string][]Point{
		"one point":     dailyPoints(3),
		"falling, at 3": dailyPoints(append(fline(5.7, -0.1, 27), 3)...),
		"rising":        dailyPoints(fline(1, 0.1, 28)...),
	} {
		got := Extrapolate(ps, 3, ForecastDays)
		if got.State != ForecastHolds || !got.Crossing.IsZero() {
			t.Errorf("%s: %v, crossing %v; want holds", name, got.State, got.Crossing)
		}
	}
	// Every finite value is at least −Inf.
	if got := Extrapolate(dailyPoints(1), math.Inf(-1), ForecastDays); got.State != ForecastHolds {
		t.Errorf("threshold −Inf: %v, want holds", got.State)
	}
}

// The fit line can be above the threshold at the last point while the last
// value is not: y = 1 + 0.1·x for x = 0..26 (up to 3.6), then 2.9 on day 27,
// threshold 3. The fit at day 27 is above 3, so the line crossed in the
// past: the state says so, and there are no dates.
func TestForecastFitAlreadyAbove(t *testing.T) {
	vs := append(fline(1, 0.1, 27), 2.9)
	got := Extrapolate(dailyPoints(vs...), 3, ForecastDays)
	if got.State != ForecastFitAbove || !got.Crossing.IsZero() {
		t.Fatalf("got %v, crossing %v; want the fit already above", got.State, got.Crossing)
	}
	if fit := got.Intercept + got.Slope*27; fit < 3 {
		t.Errorf("fit at the last point %v, want at least 3", fit)
	}
}

// (e) Fewer than half the fit length in points (14 of 28) is not enough
// data, and neither are points that all share one time (Σ(x − x̄)² = 0).
func TestForecastNotEnoughData(t *testing.T) {
	// 13 points in the last 28 days, one every other day.
	var sparse []Point
	for i := 0; i < 13; i++ {
		sparse = append(sparse, Point{At: fday(2 * i), Value: 1 + 0.1*float64(i)})
	}
	sameTime := make([]Point, 20)
	for i := range sameTime {
		sameTime[i] = Point{At: fday(0), Value: float64(i % 3)}
	}
	for name, c := range map[string]struct {
		ps        []Point
		threshold float64
	}{
		"none":          {nil, 5},
		"13 of 28 days": {sparse, 5},
		"one time":      {sameTime, 5},
		"NaN threshold": {dailyPoints(fline(1, 0.1, 28)...), math.NaN()},
		"Inf threshold": {dailyPoints(fline(1, 0.1, 28)...), math.Inf(1)},
	} {
		got := Extrapolate(c.ps, c.threshold, ForecastDays)
		if got.State != ForecastNotEnoughData || !got.Crossing.IsZero() {
			t.Errorf("%s: %v, crossing %v; want not enough data", name, got.State, got.Crossing)
		}
	}
	// The minimum is half the fit length, rounded up: 4 of 7 days.
	if got := Extrapolate(dailyPoints(1, 1.1, 1.2), 5, 7); got.State != ForecastNotEnoughData {
		t.Errorf("3 points, 7 days: %v, want not enough data", got.State)
	}
	if got := Extrapolate(dailyPoints(1, 1.1, 1.2, 1.3), 5, 7); got.State != ForecastCrossing {
		t.Errorf("4 points, 7 days: %v, want a crossing", got.State)
	}
	// 14 points are enough.
	enough := append(sparse, Point{At: fday(26), Value: 2.3})
	if got := Extrapolate(enough, 5, ForecastDays); got.State != ForecastCrossing || got.N != 14 {
		t.Errorf("14 points: %v, N %d; want a crossing from 14 points", got.State, got.N)
	}
	// Only points within the fit length count: 13 recent ones, after 20
	// older ones, are not enough.
	var old []Point
	for i := -40; i < -20; i++ {
		old = append(old, Point{At: fday(i), Value: 1})
	}
	if got := Extrapolate(append(old, sparse...), 5, ForecastDays); got.State != ForecastNotEnoughData {
		t.Errorf("13 recent points after older ones: %v, want not enough data", got.State)
	}
}

// (f) Values that are not finite (NaN, ±Inf: a day whose value could not be
// computed) are skipped, as if the day were absent, and counted in Skipped.
// The perfect line of (a) with three such days still crosses on day 40, fit
// from 25 points; with its last day NaN, the fit ends on day 26.
func TestForecastSkipsNonFinite(t *testing.T) {
	vs := fline(1, 0.1, 28)
	vs[3], vs[10], vs[20] = math.NaN(), math.Inf(1), math.Inf(-1)
	got := Extrapolate(dailyPoints(vs...), 5, ForecastDays)
	checkForecast(t, got, Forecast{
		State: ForecastCrossing, N: 25, Skipped: 3,
		From: fday(0), To: fday(27),
		Slope: 0.1, Intercept: 1, SlopeSE: 0,
		Days: 13, EarliestDays: 13, LatestDays: 13,
		Crossing: fday(40), Earliest: fday(40), Latest: fday(40),
	})

	vs = fline(1, 0.1, 28)
	vs[27] = math.NaN()
	got = Extrapolate(dailyPoints(vs...), 5, ForecastDays)
	checkForecast(t, got, Forecast{
		State: ForecastCrossing, N: 27, Skipped: 1,
		From: fday(0), To: fday(26),
		Slope: 0.1, Intercept: 1, SlopeSE: 0,
		Days: 14, EarliestDays: 14, LatestDays: 14,
		Crossing: fday(40), Earliest: fday(40), Latest: fday(40),
	})

	// A NaN never holds and never makes a slope.
	allNaN := dailyPoints(fline(math.NaN(), 0, 28)...)
	if got := Extrapolate(allNaN, 5, ForecastDays); got.State != ForecastNotEnoughData || got.Skipped != 28 {
		t.Errorf("all NaN: %v, skipped %d; want not enough data, 28 skipped", got.State, got.Skipped)
	}
}

// Shifting every time by a constant shifts the fit's range and the exact
// crossing instant by that constant, and changes nothing else; a shift by
// whole days shifts the crossing dates by as many days. The order of the
// points does not matter.
func TestForecastShiftInvariance(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 28))
	for trial := 0; trial < 200; trial++ {
		n := 14 + r.IntN(30)
		b := -0.05 + 0.25*r.Float64() // rising mostly, some falling
		ps := make([]Point, n)
		for i := range ps {
			ps[i] = Point{At: fday(i), Value: 1 + b*float64(i) + 0.3*r.NormFloat64()}
		}
		threshold := ps[n-1].Value + 0.5 + 3*r.Float64()
		base := Extrapolate(ps, threshold, ForecastDays)

		shifts := []time.Duration{
			time.Duration(r.Int64N(int64(3000*24*time.Hour))) - 1500*24*time.Hour,
			7*time.Hour + 13*time.Minute + 5*time.Second,
			time.Duration(r.IntN(2000)-1000) * 24 * time.Hour,
		}
		for _, c := range shifts {
			shifted := make([]Point, n)
			for i, p := range ps {
				shifted[i] = Point{At: p.At.Add(c), Value: p.Value}
			}
			r.Shuffle(n, func(i, j int) { shifted[i], shifted[j] = shifted[j], shifted[i] })
			got := Extrapolate(shifted, threshold, ForecastDays)
			if got.State != base.State || got.N != base.N ||
				!got.From.Equal(base.From.Add(c)) || !got.To.Equal(base.To.Add(c)) ||
				got.Slope != base.Slope || got.Intercept != base.Intercept || got.SlopeSE != base.SlopeSE ||
				!sameFloat(got.Days, base.Days) || !sameFloat(got.EarliestDays, base.EarliestDays) || !sameFloat(got.LatestDays, base.LatestDays) {
				t.Fatalf("trial %d, shift %v:\n got %+v\nbase %+v", trial, c, got, base)
			}
			if c%(24*time.Hour) != 0 || base.State != ForecastCrossing {
				continue
			}
			for _, d := range [][2]time.Time{{got.Crossing, base.Crossing}, {got.Earliest, base.Earliest}, {got.Latest, base.Latest}} {
				if d[1].IsZero() {
					if !d[0].IsZero() {
						t.Fatalf("trial %d, shift %v: date %v, want none", trial, c, d[0])
					}
				} else if !d[0].Equal(d[1].Add(c)) {
					t.Fatalf("trial %d, shift %v: date %v, want %v", trial, c, d[0], d[1].Add(c))
				}
			}
		}
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
