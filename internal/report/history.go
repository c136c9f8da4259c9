package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
)

// DefaultHistory is the range of the report's history section.
const DefaultHistory = 90 * 24 * time.Hour

// History is the report's history section: the split signals, each
// person's context switches per workday and the proposed teams' activity
// shares, at daily steps, from the same analysis as the metrics and the
// backfill (the analysis with its clock at each step).
type History struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Reach says how far back the data reaches, when it is short of
	// the range asked for.
	Reach   string          `json:"reach,omitempty"`
	Signals []SignalHistory `json:"signals"`
	People  []SeriesHistory `json:"people"`
	Teams   []SeriesHistory `json:"teams"`
}

// Point is one daily value.
type Point struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
}

// SignalHistory is one split signal over time against its threshold.
type SignalHistory struct {
	Name      string  `json:"name"`
	Title     string  `json:"title"`
	Threshold float64 `json:"threshold"`
	Points    []Point `json:"points"`
	// FirstHeld is the first step at which the signal held; absent when
	// it never did within the range.
	FirstHeld *time.Time `json:"first_held,omitempty"`
	// Forecast is the extrapolation for a signal that does not hold at
	// the last step; absent when it holds.
	Forecast *ForecastView `json:"forecast,omitempty"`
}

// ForecastView is analysis.Extrapolate's answer, for the report.
type ForecastView struct {
	// State is analysis.ForecastState's text: "crossing", "no upward
	// trend", "not enough data", "fit line already above the
	// threshold" or "not within a year".
	State    string     `json:"state"`
	Crossing *time.Time `json:"crossing,omitempty"`
	Earliest *time.Time `json:"earliest,omitempty"`
	// Latest is absent when the spread gives no upper bound.
	Latest *time.Time `json:"latest,omitempty"`
	// SlopePerDay and SlopeSE are the fit's, per day.
	SlopePerDay float64 `json:"slope_per_day"`
	SlopeSE     float64 `json:"slope_se"`
}

// Sentence says what the forecast is, as an extrapolation.
func (f *ForecastView) Sentence() string {
	day := func(t *time.Time) string { return t.Format(time.DateOnly) }
	switch {
	case f.Crossing != nil && f.Latest != nil:
		return fmt.Sprintf("extrapolated: a straight line fitted to the last %d days reaches the threshold on %s (between %s and %s with the fit's spread)",
			analysis.ForecastDays, day(f.Crossing), day(f.Earliest), day(f.Latest))
	case f.Crossing != nil:
		return fmt.Sprintf("extrapolated: a straight line fitted to the last %d days reaches the threshold on %s (from %s, with no upper bound within the fit's spread)",
			analysis.ForecastDays, day(f.Crossing), day(f.Earliest))
	}
	return "extrapolated: " + f.State
}

// SeriesHistory is one named daily series: a person's or a team's.
type SeriesHistory struct {
	Name   string  `json:"name"`
	Points []Point `json:"points"`
}

// BuildHistory computes the history at daily steps from from to to (both
// included), with at giving the analysis at a clock. A step without whole
// data (analysis.Result.Waiting) is left out, as a verdict from it would
// be; so is a value the analysis does not compute at a step (a signal that
// cannot be computed, a person under one workday in the team).
func BuildHistory(cfg *config.Config, from, to time.Time, at func(time.Time) *analysis.Result) *History {
	h := &History{From: from, To: to}
	signals := map[string]*SignalHistory{}
	people := map[string]*SeriesHistory{}
	teams := map[string]*SeriesHistory{}
	for _, t := range cfg.Split.Thresholds() {
		if t.Threshold > 0 {
			s := &SignalHistory{Name: t.Signal, Title: SignalTitle(t.Signal), Threshold: t.Threshold}
			signals[t.Signal] = s
		}
	}
	var steps []time.Time
	for t := to; !t.Before(from); t = t.Add(-24 * time.Hour) {
		steps = append([]time.Time{t}, steps...)
	}
	for _, t := range steps {
		res := at(t)
		if len(res.Waiting) > 0 {
			continue
		}
		day := t.UTC()
		for _, s := range res.Signals {
			sh := signals[s.Name]
			if sh == nil {
				continue
			}
			sh.Points = append(sh.Points, Point{At: day, Value: s.Value})
			if s.Holds && sh.FirstHeld == nil {
				sh.FirstHeld = &day
			}
		}
		for _, p := range cfg.People {
			if ps := res.People[p.Name]; ps != nil && !ps.LeftOutOfMedian {
				series(people, p.Name).Points = append(series(people, p.Name).Points, Point{At: day, Value: ps.SwitchesPerWorkday})
			}
		}
		for _, team := range cfg.ProposedTeams() {
			if v, ok := res.TeamActivityRatio[team]; ok {
				series(teams, team).Points = append(series(teams, team).Points, Point{At: day, Value: v})
			}
		}
	}
	for _, t := range cfg.Split.Thresholds() {
		s := signals[t.Signal]
		if s == nil || len(s.Points) == 0 {
			continue
		}
		if last := s.Points[len(s.Points)-1]; last.Value < s.Threshold {
			s.Forecast = forecast(s.Points, s.Threshold)
		}
		h.Signals = append(h.Signals, *s)
	}
	for _, p := range cfg.People {
		if s := people[p.Name]; s != nil {
			h.People = append(h.People, *s)
		}
	}
	for _, team := range cfg.ProposedTeams() {
		if s := teams[team]; s != nil {
			h.Teams = append(h.Teams, *s)
		}
	}
	return h
}

func series(m map[string]*SeriesHistory, name string) *SeriesHistory {
	if s, ok := m[name]; ok {
		return s
	}
	s := &SeriesHistory{Name: name}
	m[name] = s
	return s
}

// forecast is analysis.Extrapolate over the last analysis.ForecastDays of
// points.
func forecast(points []Point, threshold float64) *ForecastView {
	in := make([]analysis.Point, len(points))
	for i, p := range points {
		in[i] = analysis.Point{At: p.At, Value: p.Value}
	}
	f := analysis.Extrapolate(in, threshold, analysis.ForecastDays)
	v := &ForecastView{State: f.State.String(), SlopePerDay: f.Slope, SlopeSE: f.SlopeSE}
	if f.State == analysis.ForecastCrossing {
		v.Crossing, v.Earliest = &f.Crossing, &f.Earliest
		if !f.Latest.IsZero() && !math.IsInf(f.LatestDays, 1) {
			v.Latest = &f.Latest
		}
	}
	return v
}

// Value is the series' value at t, or nil without one (for templates).
func (s *SeriesHistory) Value(t time.Time) *float64 { return pointValue(s.Points, t) }

// Value is the signal's value at t, or nil without one (for templates).
func (s *SignalHistory) Value(t time.Time) *float64 { return pointValue(s.Points, t) }

func pointValue(points []Point, t time.Time) *float64 {
	if v, ok := pointAt(points, t); ok {
		return &v
	}
	return nil
}

// Spark is a sparkline of a signal: its points as an SVG polyline within a
// width × height box, and the threshold's height, on one scale from 0 to
// the largest of the values and the threshold.
type Spark struct {
	Points     string
	ThresholdY float64
}

// Spark draws the signal within width × height; nil without points.
func (s *SignalHistory) Spark(width, height float64) *Spark {
	if len(s.Points) == 0 {
		return nil
	}
	top := s.Threshold
	for _, p := range s.Points {
		top = max(top, p.Value)
	}
	if top <= 0 {
		top = 1
	}
	y := func(v float64) float64 { return math.Round((height-1-(height-2)*v/top)*10) / 10 }
	span := s.Points[len(s.Points)-1].At.Sub(s.Points[0].At).Seconds()
	var b strings.Builder
	for i, p := range s.Points {
		x := 0.0
		if span > 0 {
			x = math.Round(width*p.At.Sub(s.Points[0].At).Seconds()/span*10) / 10
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%g,%g", x, y(p.Value))
	}
	return &Spark{Points: b.String(), ThresholdY: y(s.Threshold)}
}

// At returns the series' value at t, and whether it has one.
func (s *SeriesHistory) At(t time.Time) (float64, bool) { return pointAt(s.Points, t) }

// At returns the signal's value at t, and whether it has one.
func (s *SignalHistory) At(t time.Time) (float64, bool) { return pointAt(s.Points, t) }

func pointAt(points []Point, t time.Time) (float64, bool) {
	for _, p := range points {
		if p.At.Equal(t) {
			return p.Value, true
		}
	}
	return 0, false
}

// Columns are the steps the Markdown and HTML tables show: every 30 days
// back from the last, oldest first.
func (h *History) Columns() []time.Time {
	var out []time.Time
	for t := h.To.UTC(); !t.Before(h.From); t = t.Add(-30 * 24 * time.Hour) {
		out = append([]time.Time{t}, out...)
	}
	return out
}

// KeptHistory is the history section of a running exporter's /report:
// the records it kept (its last analysis of each UTC day, oldest first),
// at daily steps back from now. Its reach is the exporter's own: from the
// first day it kept, as its data only ever covered its window.
func KeptHistory(cfg *config.Config, records []analysis.Record, now time.Time) *History {
	if len(records) == 0 {
		return nil
	}
	byDay := map[string]*analysis.Record{}
	for i := range records {
		byDay[records[i].At.UTC().Format(time.DateOnly)] = &records[i]
	}
	first := records[0].At.UTC()
	from := now.Add(-time.Duration(math.Ceil(now.Sub(first).Hours()/24)) * 24 * time.Hour)
	h := BuildHistory(cfg, from, now, func(t time.Time) *analysis.Result {
		if rec := byDay[t.UTC().Format(time.DateOnly)]; rec != nil {
			return rec.Result()
		}
		return &analysis.Result{Waiting: []string{"history"}}
	})
	h.Reach = fmt.Sprintf("A running exporter keeps its last analysis of each day, under the config of that day; this one has kept %d days, since %s. "+
		"The report command (sre_workload_exporter report) reads %d days of history from the APIs.",
		len(records), first.Format(time.DateOnly), int(DefaultHistory.Hours()/24))
	return h
}
