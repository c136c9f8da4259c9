package analysis

import "time"

// Record is what a history keeps of a Result: the split signals, each
// person's context switches per workday (those in the median), and the
// proposed teams' activity shares, at the Result's clock. A running
// exporter keeps its last Record of each UTC day (refresh.Refresher).
type Record struct {
	At       time.Time          `json:"at"`
	Signals  []Signal           `json:"signals"`
	Switches map[string]float64 `json:"switches_per_workday"`
	Teams    map[string]float64 `json:"teams"`
}

// Record is the Result's Record; ok is false while the analysis waits for
// data (a record of that would be a verdict from nothing).
func (r *Result) Record() (rec Record, ok bool) {
	if len(r.Waiting) > 0 {
		return Record{}, false
	}
	rec = Record{At: r.Now.UTC(), Signals: append([]Signal(nil), r.Signals...), Switches: map[string]float64{}, Teams: map[string]float64{}}
	for name, p := range r.People {
		if !p.LeftOutOfMedian {
			rec.Switches[name] = p.SwitchesPerWorkday
		}
	}
	for team, v := range r.TeamActivityRatio {
		rec.Teams[team] = v
	}
	return rec, true
}

// Result is the Result that the Record keeps: its signals, people and
// teams, at its clock, with nothing else.
func (rec *Record) Result() *Result {
	r := &Result{Now: rec.At, Signals: rec.Signals, People: map[string]*PersonStats{}, TeamActivityRatio: rec.Teams}
	for name, v := range rec.Switches {
		r.People[name] = &PersonStats{SwitchesPerWorkday: v}
	}
	return r
}
