// Package dashboards holds the Grafana dashboards and Prometheus rules of
// sre_workload_exporter, and the Go code that generates the dashboards.
//
// The JSON files are the product; this code is their source. Change a panel
// here, then run `go generate ./dashboards` to rewrite the files. A test
// fails when the files and the code disagree.
package dashboards

//go:generate go run ./generate

import (
	"bytes"
	"encoding/json"
)

// readme is where every panel's definition lives.
const readme = "https://github.com/sre-workload/sre_workload_exporter/blob/main/README.md"

var datasource = map[string]string{"type": "prometheus", "uid": "${datasource}"}

// Target is one PromQL query of a panel.
type Target struct {
	Expr         string `json:"expr"`
	LegendFormat string `json:"legendFormat,omitempty"`
	RefID        string `json:"refId"`
	Instant      bool   `json:"instant,omitempty"`
	Format       string `json:"format,omitempty"`
	Range        bool   `json:"range,omitempty"`
	Datasource   any    `json:"datasource"`
}

// Panel is a Grafana panel, with only the fields this project uses.
type Panel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	Datasource  any            `json:"datasource,omitempty"`
	GridPos     map[string]int `json:"gridPos"`
	Targets     []Target       `json:"targets,omitempty"`
	FieldConfig map[string]any `json:"fieldConfig,omitempty"`
	Options     map[string]any `json:"options,omitempty"`
	Collapsed   *bool          `json:"collapsed,omitempty"`
	// Transformations are Grafana's data transformations.
	Transformations []any   `json:"transformations,omitempty"`
	Panels          []Panel `json:"panels,omitempty"`
	// EmptyInDemo, when set, says why the panel shows nothing on the demo.
	// It is not part of Grafana's model and is not written out.
	EmptyInDemo string `json:"-"`
}

// layout places panels left to right in rows of 24 columns.
type layout struct {
	panels []Panel
	x, y   int
	rowH   int
	nextID int
}

func (l *layout) row(title string) {
	if l.x > 0 {
		l.y += l.rowH
	}
	l.x, l.rowH = 0, 0
	l.nextID++
	collapsed := false
	l.panels = append(l.panels, Panel{ID: l.nextID, Type: "row", Title: title, Collapsed: &collapsed,
		GridPos: map[string]int{"h": 1, "w": 24, "x": 0, "y": l.y}})
	l.y++
}

func (l *layout) add(p Panel, w, h int) {
	if l.x+w > 24 {
		l.y += l.rowH
		l.x, l.rowH = 0, 0
	}
	l.nextID++
	p.ID = l.nextID
	p.GridPos = map[string]int{"h": h, "w": w, "x": l.x, "y": l.y}
	p.Datasource = datasource
	for i := range p.Targets {
		p.Targets[i].Datasource = datasource
		p.Targets[i].RefID = string(rune('A' + i))
		if !p.Targets[i].Instant {
			p.Targets[i].Range = true
		}
	}
	l.panels = append(l.panels, p)
	l.x += w
	l.rowH = max(l.rowH, h)
}

func q(expr, legend string) Target { return Target{Expr: expr, LegendFormat: legend} }

func instant(expr, legend string) Target {
	return Target{Expr: expr, LegendFormat: legend, Instant: true}
}

// describe ends a description with where its definition lives.
func describe(text, anchor string) string {
	return text + " Definition: " + readme + "#" + anchor
}

type threshold struct {
	color string
	value any // nil for the base step
}

func fieldConfig(unit string, min, max any, steps []threshold, extra map[string]any) map[string]any {
	th := make([]map[string]any, len(steps))
	for i, s := range steps {
		th[i] = map[string]any{"color": s.color, "value": s.value}
	}
	defaults := map[string]any{
		"unit":       unit,
		"thresholds": map[string]any{"mode": "absolute", "steps": th},
		"color":      map[string]any{"mode": "palette-classic"},
	}
	if min != nil {
		defaults["min"] = min
	}
	if max != nil {
		defaults["max"] = max
	}
	for k, v := range extra {
		defaults[k] = v
	}
	return map[string]any{"defaults": defaults, "overrides": []any{}}
}

var greenBase = []threshold{{"green", nil}}

// thresholdLine draws the thresholds as a dashed line on a time series.
var thresholdLine = map[string]any{"custom": map[string]any{"thresholdsStyle": map[string]any{"mode": "dashed"}, "lineWidth": 2, "fillOpacity": 0}}

// stackedBars draws stacked bars, for counts by label.
var stackedBars = map[string]any{"custom": map[string]any{"drawStyle": "bars", "fillOpacity": 80, "stacking": map[string]any{"mode": "normal"}}}

var stackedPercent = map[string]any{"custom": map[string]any{"fillOpacity": 60, "stacking": map[string]any{"mode": "normal"}, "lineWidth": 1}}

// tableLegend keeps legends readable with up to 15 people or 10 domains.
var tableLegend = map[string]any{
	"legend":  map[string]any{"displayMode": "table", "placement": "right", "showLegend": true, "calcs": []string{"lastNotNull"}},
	"tooltip": map[string]any{"mode": "multi", "sort": "desc"},
}

func statOptions(colorMode string) map[string]any {
	return map[string]any{
		"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
		"colorMode":     colorMode, "graphMode": "none", "justifyMode": "auto", "textMode": "auto", "orientation": "auto",
	}
}

var barGaugeOptions = map[string]any{
	"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
	"displayMode":   "gradient", "orientation": "horizontal", "showUnfilled": true,
}

var gaugeOptions = map[string]any{
	"reduceOptions":        map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
	"showThresholdMarkers": true, "showThresholdLabels": false,
}

// templating declares the variables. job and instance pick one exporter:
// single-select and without "All", because one exporter is one team, and
// a sum over two exporters of the same team (two replicas) would count
// its work twice. person and domain are filtered by the chosen exporter.
func templating() map[string]any {
	variable := func(name, label, query string) map[string]any {
		return map[string]any{
			"name": name, "label": label, "type": "query",
			"datasource": datasource,
			"query":      map[string]any{"query": query, "refId": name},
			"definition": query,
			"refresh":    2, "sort": 1, "hide": 0,
		}
	}
	one := func(name, label, query string) map[string]any {
		v := variable(name, label, query)
		v["multi"], v["includeAll"] = false, false
		v["current"] = map[string]any{}
		return v
	}
	many := func(name, label, query string) map[string]any {
		v := variable(name, label, query)
		v["multi"], v["includeAll"], v["allValue"] = true, true, ".+"
		v["current"] = map[string]any{"selected": true, "text": []string{"All"}, "value": []string{"$__all"}}
		return v
	}
	return map[string]any{"list": []any{
		map[string]any{"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
			"current": map[string]any{}, "hide": 0, "refresh": 1, "regex": ""},
		one("job", "Job", "label_values(sre_workload_source_up, job)"),
		one("instance", "Instance", `label_values(sre_workload_source_up{job=~"$job"}, instance)`),
		many("person", "Person", "label_values(sre_workload_person_activities{"+exporter+"}, person)"),
		many("domain", "Domain", "label_values(sre_workload_open_items{"+exporter+"}, domain)"),
	}}
}

// Dashboard is a whole Grafana dashboard.
type Dashboard struct {
	File   string
	UID    string
	Title  string
	Panels []Panel
}

// JSON renders the dashboard as Grafana's import format.
func (d Dashboard) JSON() []byte {
	m := map[string]any{
		"uid":           d.UID,
		"title":         d.Title,
		"description":   "sre_workload_exporter: where an SRE team's work goes, and whether to split it. " + readme,
		"schemaVersion": 39,
		"version":       1,
		"editable":      true,
		"graphTooltip":  1,
		"tags":          []string{"sre-workload"},
		"timezone":      "",
		"time":          map[string]string{"from": "now-30d", "to": "now"},
		"refresh":       "5m",
		"templating":    templating(),
		"annotations":   map[string]any{"list": []any{}},
		"links": []any{map[string]any{
			"type": "dashboards", "tags": []string{"sre-workload"}, "title": "SRE workload dashboards",
			"asDropdown": false, "includeVars": true, "keepTime": true, "icon": "external link",
		}},
		"panels": d.Panels,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(m)
	return b.Bytes()
}

// All returns every dashboard this project ships.
func All() []Dashboard {
	return []Dashboard{overview(), person()}
}
