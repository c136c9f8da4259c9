// Package dashboards holds the Grafana dashboards and Prometheus rules of
// sre_workload_exporter, and the Go code that generates the dashboards.
//
// The JSON files are the product; this code is their source. Change a panel
// here, then run `go generate ./dashboards` to rewrite the files. A test
// fails when the files and the code disagree.
//
// The panels are built with Grafana's Foundation SDK, whose types follow
// Grafana's dashboard schema. Only the generator and the tests import it;
// the exporter does not.
package dashboards

//go:generate go run ./generate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// readme is where every panel's definition lives.
const readme = "https://github.com/sre-workload/sre_workload_exporter/blob/main/README.md"

// datasource is the data source variable that every panel, query and
// variable uses.
var datasource = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

// layout places panels left to right in rows of 24 columns, and numbers
// them. The SDK's own placement lets a panel run past column 24, so the
// dashboards place their panels here.
type layout struct {
	panels []dashboard.PanelOrRowPanel
	x, y   uint32
	rowH   uint32
	nextID uint32
	errs   []error
}

func (l *layout) row(title string) {
	if l.x > 0 {
		l.y += l.rowH
	}
	l.x, l.rowH = 0, 0
	l.nextID++
	r, err := dashboard.NewRowBuilder(title).Id(l.nextID).Collapsed(false).
		GridPos(dashboard.GridPos{H: 1, W: 24, X: 0, Y: l.y}).Build()
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("row %q: %w", title, err))
		return
	}
	l.panels = append(l.panels, dashboard.PanelOrRowPanel{RowPanel: &r})
	l.y++
}

func (l *layout) add(b cog.Builder[dashboard.Panel], w, h uint32) {
	if l.x+w > 24 {
		l.y += l.rowH
		l.x, l.rowH = 0, 0
	}
	l.nextID++
	p, err := b.Build()
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("panel %d: %w", l.nextID, err))
		return
	}
	p.Id = cog.ToPtr(l.nextID)
	p.GridPos = &dashboard.GridPos{H: h, W: w, X: l.x, Y: l.y}
	if perPerson(p) && p.Description != nil {
		p.Description = cog.ToPtr(*p.Description + " " + aggregateNote)
	}
	l.panels = append(l.panels, dashboard.PanelOrRowPanel{Panel: &p})
	l.x += w
	l.rowH = max(l.rowH, h)
}

// aggregateNote says why a per-person panel is empty under
// privacy.people: aggregate.
const aggregateNote = "Empty under privacy.people: aggregate, which sends no per-person series (README: Privacy); the split signals stay team-level."

// perPerson reports whether a panel's queries read a per-person series
// (a metric with the person label), which privacy.people: aggregate does
// not send.
func perPerson(p dashboard.Panel) bool {
	for _, t := range p.Targets {
		if b, err := json.Marshal(t); err == nil && strings.Contains(string(b), "sre_workload_person_") {
			return true
		}
	}
	return false
}

// queries gives a panel its queries, each with its refId and the data
// source variable.
func queries(qs ...*prometheus.DataqueryBuilder) []cog.Builder[variants.Dataquery] {
	out := make([]cog.Builder[variants.Dataquery], len(qs))
	for i, b := range qs {
		out[i] = b.RefId(string(rune('A' + i))).Datasource(datasource)
	}
	return out
}

// q is a range query, for time series.
func q(expr, legend string) *prometheus.DataqueryBuilder {
	return withLegend(prometheus.NewDataqueryBuilder().Expr(expr).Range(), legend)
}

// instant is an instant query, for the panels that show the last value.
func instant(expr, legend string) *prometheus.DataqueryBuilder {
	return withLegend(prometheus.NewDataqueryBuilder().Expr(expr).Instant(), legend)
}

func withLegend(b *prometheus.DataqueryBuilder, legend string) *prometheus.DataqueryBuilder {
	if legend != "" {
		b.LegendFormat(legend)
	}
	return b
}

// tableQuery is an instant query whose labels become table columns.
func tableQuery(expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Expr(expr).Instant().Format(prometheus.PromQueryFormatTable)
}

// describe ends a description with where its definition lives.
func describe(text, anchor string) string {
	return text + " Definition: " + readme + "#" + anchor
}

// step is a threshold step above the base colour.
type step struct {
	color string
	value float64
}

// thresholds starts at base and changes colour at each step.
func thresholds(base string, steps ...step) *dashboard.ThresholdsConfigBuilder {
	out := []dashboard.Threshold{{Color: base}}
	for _, s := range steps {
		out = append(out, dashboard.Threshold{Color: s.color, Value: cog.ToPtr(s.value)})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(out)
}

func palette() *dashboard.FieldColorBuilder {
	return dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdPaletteClassic)
}

func lastNotNull() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Fields("").Values(false)
}

// valueText shows 0 and 1 as words in colour.
func valueText(zero, zeroColor, one, oneColor string) []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
		Type: dashboard.MappingTypeValueToText,
		Options: map[string]dashboard.ValueMappingResult{
			"0": {Text: cog.ToPtr(zero), Color: cog.ToPtr(zeroColor), Index: cog.ToPtr[int32](0)},
			"1": {Text: cog.ToPtr(one), Color: cog.ToPtr(oneColor), Index: cog.ToPtr[int32](1)},
		},
	}}}
}

// The panel constructors set what every panel of a kind shares: its
// title, unit and description, the data source, the green base threshold
// and the classic palette, and for time series and bar gauges a minimum of
// 0. A panel overrides them by calling the setter again.

// newTimeseries has a table legend beside the graph, which stays readable
// with up to 15 people or 10 domains.
func newTimeseries(title, unit, description string) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().Title(title).Description(description).Datasource(datasource).
		Unit(unit).Min(0).Thresholds(thresholds("green")).ColorScheme(palette()).
		Legend(common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeTable).
			Placement(common.LegendPlacementRight).ShowLegend(true).Calcs([]string{"lastNotNull"})).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending))
}

// stackedBars draws stacked bars, for counts by label.
func stackedBars(p *timeseries.PanelBuilder) *timeseries.PanelBuilder {
	return p.DrawStyle(common.GraphDrawStyleBars).FillOpacity(80).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal))
}

// stackedArea stacks filled lines, for shares that add up to 100%.
func stackedArea(p *timeseries.PanelBuilder) *timeseries.PanelBuilder {
	return p.FillOpacity(60).LineWidth(1).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal))
}

// thresholdLine draws the thresholds as a dashed line.
func thresholdLine(p *timeseries.PanelBuilder) *timeseries.PanelBuilder {
	return p.LineWidth(2).FillOpacity(0).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
}

// dashedLine draws the series of one query (its refId) as a red dashed
// line without fill: a threshold that is itself a series, such as a cap
// read from the exporter's config.
func dashedLine(p *timeseries.PanelBuilder, refID string) *timeseries.PanelBuilder {
	return p.OverrideByQuery(refID, []dashboard.DynamicConfigValue{
		{Id: "custom.lineStyle", Value: common.LineStyle{Fill: cog.ToPtr(common.LineStyleFillDash), Dash: []float64{10, 10}}},
		{Id: "custom.fillOpacity", Value: 0},
		{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": "red"}},
	})
}

func newStat(title, unit, description string) *stat.PanelBuilder {
	return stat.NewPanelBuilder().Title(title).Description(description).Datasource(datasource).
		Unit(unit).Thresholds(thresholds("green")).ColorScheme(palette()).
		ReduceOptions(lastNotNull()).ColorMode(common.BigValueColorModeValue).GraphMode(common.BigValueGraphModeNone).
		JustifyMode(common.BigValueJustifyModeAuto).TextMode(common.BigValueTextModeAuto).
		Orientation(common.VizOrientationAuto)
}

func newBarGauge(title, unit, description string) *bargauge.PanelBuilder {
	return newSignedBarGauge(title, unit, description).Min(0)
}

// newSignedBarGauge is a bar gauge without the minimum of 0, for values
// that may be negative: Grafana takes the bars' range from the data.
func newSignedBarGauge(title, unit, description string) *bargauge.PanelBuilder {
	return bargauge.NewPanelBuilder().Title(title).Description(description).Datasource(datasource).
		Unit(unit).Thresholds(thresholds("green")).ColorScheme(palette()).
		ReduceOptions(lastNotNull()).DisplayMode(common.BarGaugeDisplayModeGradient).
		Orientation(common.VizOrientationHorizontal).ShowUnfilled(true)
}

func newGauge(title, unit, description string) *gauge.PanelBuilder {
	return gauge.NewPanelBuilder().Title(title).Description(description).Datasource(datasource).
		Unit(unit).Thresholds(thresholds("green")).ColorScheme(palette()).
		ReduceOptions(lastNotNull()).ShowThresholdMarkers(true).ShowThresholdLabels(false).
		Orientation(common.VizOrientationAuto)
}

func newTable(title, unit, description string) *table.PanelBuilder {
	return table.NewPanelBuilder().Title(title).Description(description).Datasource(datasource).
		Unit(unit).Thresholds(thresholds("green")).ColorScheme(palette()).ShowHeader(true).
		// The SDK's default footer has "reducer": null, which its own schema
		// rejects; this is Grafana's default footer, hidden.
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"}).CountRows(false))
}

// matrix turns an instant table of (row, column, Value) into a matrix.
func matrix(row, column string) []dashboard.DataTransformerConfig {
	return []dashboard.DataTransformerConfig{{Id: "groupingToMatrix",
		Options: map[string]any{"rowField": row, "columnField": column, "valueField": "Value"}}}
}

// variables declares the template variables. job and instance pick one
// exporter: single-select and without "All", because one exporter is one
// team, and a sum over two exporters of the same team (two replicas) would
// count its work twice. person and domain are filtered by the chosen
// exporter.
func variables() []cog.Builder[dashboard.VariableModel] {
	variable := func(name, label, query string) *dashboard.QueryVariableBuilder {
		return dashboard.NewQueryVariableBuilder(name).Label(label).Datasource(datasource).
			Query(dashboard.StringOrMap{Map: map[string]any{"query": query, "refId": name}}).
			Definition(query).Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
			Sort(dashboard.VariableSortAlphabeticalAsc).Hide(dashboard.VariableHideDontHide)
	}
	one := func(name, label, query string) *dashboard.QueryVariableBuilder {
		return variable(name, label, query).Multi(false).IncludeAll(false)
	}
	many := func(name, label, query string) *dashboard.QueryVariableBuilder {
		return variable(name, label, query).Multi(true).IncludeAll(true).AllValue(".+").
			Current(dashboard.VariableOption{Selected: cog.ToPtr(true),
				Text:  dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
				Value: dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}}})
	}
	return []cog.Builder[dashboard.VariableModel]{
		dashboard.NewDatasourceVariableBuilder("datasource").Label("Data source").Type("prometheus").
			Hide(dashboard.VariableHideDontHide).Regex(""),
		one("job", "Job", "label_values(sre_workload_source_up, job)"),
		one("instance", "Instance", `label_values(sre_workload_source_up{job=~"$job"}, instance)`),
		many("person", "Person", "label_values(sre_workload_person_activities{"+exporter+"}, person)"),
		many("domain", "Domain", "label_values(sre_workload_open_items{"+exporter+"}, domain)"),
	}
}

// Dashboard is a whole Grafana dashboard.
type Dashboard struct {
	File   string
	UID    string
	Title  string
	layout *layout
}

// Build returns the dashboard in Grafana's model.
//
// The SDK marks this model (schema v1, the JSON that Grafana's import and
// file provisioning read) deprecated in favour of dashboardv2, the schema
// v2 resource, which only Grafana 12 with its new dashboard layouts reads.
// The dashboards stay on v1 so that any Grafana imports them.
//
//nolint:staticcheck // SA1019: v1 on purpose, see above.
func (d Dashboard) Build() (dashboard.Dashboard, error) {
	if err := errors.Join(d.layout.errs...); err != nil {
		return dashboard.Dashboard{}, fmt.Errorf("%s: %w", d.File, err)
	}
	out, err := dashboard.NewDashboardBuilder(d.Title).Uid(d.UID).
		Description("sre_workload_exporter: where an SRE team's work goes, and whether to split it. "+readme).
		Version(1).Editable().Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Tags([]string{"sre-workload"}).Timezone("").Time("now-30d", "now").Refresh("5m").
		Variables(variables()).
		Link(dashboard.NewDashboardLinkBuilder("SRE workload dashboards").Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"sre-workload"}).AsDropdown(false).IncludeVars(true).KeepTime(true).Icon("external link")).
		Build()
	if err != nil {
		return dashboard.Dashboard{}, fmt.Errorf("%s: %w", d.File, err)
	}
	// The SDK gives every link "placement": "inControlsMenu", which moves
	// it from the top of the dashboard into the controls menu in Grafana
	// 12.3 and later; without placement, Grafana shows it at the top.
	for i := range out.Links {
		out.Links[i].Placement = nil
	}
	out.Panels = d.layout.panels
	return out, nil
}

// JSON renders the dashboard as Grafana's import format.
func (d Dashboard) JSON() ([]byte, error) {
	m, err := d.Build()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("%s: %w", d.File, err)
	}
	return b.Bytes(), nil
}

// All returns every dashboard this project ships.
func All() []Dashboard {
	return []Dashboard{overview(), person()}
}
