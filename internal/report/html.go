package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
)

//go:embed report.html.tmpl
var templates embed.FS

var page = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"pct":  pct,
	"f2":   func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"f1":   func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"def":  htmlDef,
	"time": func(t time.Time) string { return t.Format(time.RFC3339) },
	"date": func(t time.Time) string { return t.Format(time.DateOnly) },
	"dur":  dur,
}).ParseFS(templates, "report.html.tmpl"))

// Bar is one bar of an inline SVG chart: a label, a value, and where it
// is drawn.
type Bar struct {
	Label string
	Value string
	Y     int
	Width float64
	Over  bool // the value is at or above the chart's threshold
	// Segments, when set, stack the bar from parts (interruptions by
	// period).
	Segments []Segment
}

// Segment is one part of a stacked bar.
type Segment struct {
	X, Width float64
	Class    string
	Title    string
}

// Chart is a horizontal bar chart drawn as inline SVG.
type Chart struct {
	Title      string
	Bars       []Bar
	Height     int
	Threshold  float64 // x of the threshold line; 0 for none
	ThresLabel string
	// Note, when set, says what a figure of the chart measures.
	Note string
}

const chartWidth = 340.0

func chart(title string, labels []string, values []float64, format func(float64) string, threshold float64, thresLabel string) Chart {
	top := threshold
	for _, v := range values {
		top = math.Max(top, v)
	}
	if top == 0 {
		top = 1
	}
	c := Chart{Title: title, Height: 24*len(labels) + 8, ThresLabel: thresLabel}
	for i, l := range labels {
		c.Bars = append(c.Bars, Bar{Label: l, Value: format(values[i]), Y: 24*i + 4,
			Width: values[i] / top * chartWidth, Over: threshold > 0 && values[i] >= threshold})
	}
	if threshold > 0 {
		c.Threshold = threshold / top * chartWidth
	}
	return c
}

type htmlData struct {
	*Report
	Charts          []Chart
	IncidentDomains []string
	Definitions     []Definition
}

// HTML writes the report as a self-contained page: no external assets, so
// it works offline and behind a proxy, and every text is escaped by
// html/template.
func (r *Report) HTML(w io.Writer) error {
	r.applyPrivacy()
	if r.NotEnoughData != "" {
		return page.Execute(w, htmlData{Report: r, Definitions: r.definitions()})
	}
	var charts []Chart
	// Activity share by proposed team (configured), and by domain.
	var names []string
	var shares []float64
	for _, t := range r.Splits.Configured.Teams {
		names, shares = append(names, t.Name), append(shares, t.ActivityShare)
	}
	charts = append(charts, chart("Activity share by proposed team", names, shares, pct, 0, ""))
	names, shares = nil, nil
	for _, d := range r.DomainShares {
		names, shares = append(names, d.Domain), append(shares, d.Share)
	}
	byDomain := chart("Activity share by domain", names, shares, pct, 0, "")
	byDomain.Note = r.UnclassifiedActivityNote() + "."
	charts = append(charts, byDomain)
	// Context switches per workday per person, against the threshold.
	var threshold float64
	for _, s := range r.Verdict.Signals {
		if s.Name == config.SignalContextSwitching {
			threshold = s.Threshold
		}
	}
	names, shares = nil, nil
	var totals []float64
	for _, p := range r.People {
		names, shares = append(names, p.Name), append(shares, p.SwitchesPerWorkday)
		total := 0
		for _, period := range analysis.Periods {
			total += p.Interruptions[period]
		}
		totals = append(totals, float64(total))
	}
	charts = append(charts, chart("Context switches per workday", names, shares, func(v float64) string { return fmt.Sprintf("%.1f", v) }, threshold, "split threshold"))
	// Interruptions by period: one bar per person, stacked business, off
	// and sleep hours.
	c := chart("Interruptions by period (business, off, sleep hours)", names, totals, func(v float64) string { return fmt.Sprintf("%.0f", v) }, 0, "")
	for i, p := range r.People {
		if totals[i] == 0 {
			continue
		}
		x := 0.0
		for _, period := range analysis.Periods {
			w := c.Bars[i].Width * float64(p.Interruptions[period]) / totals[i]
			c.Bars[i].Segments = append(c.Bars[i].Segments, Segment{X: x, Width: w, Class: period,
				Title: fmt.Sprintf("%s: %d", period, p.Interruptions[period])})
			x += w
		}
	}
	charts = append(charts, c)
	return page.Execute(w, htmlData{Report: r, Charts: charts, IncidentDomains: r.OnCall.domains(), Definitions: r.definitions()})
}

// DomainShare is one domain's share of the classified activity.
type DomainShare struct {
	Domain string  `json:"domain"`
	Share  float64 `json:"share"`
}
