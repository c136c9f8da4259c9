package dashboards

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// TestDashboardsFollowGrafanasSchema decodes the committed JSON, what
// users import, with the Foundation SDK's strict decoder: a field that
// Grafana's schema does not know, a value of the wrong type, or a missing
// required field fails, in the dashboard, its variables, its panels'
// options and field config, and its Prometheus queries. Grafana itself is
// more lenient: it fills in what is missing.
func TestDashboardsFollowGrafanasSchema(t *testing.T) {
	// The panel kinds and the data source that the dashboards use; not
	// cog/plugins' RegisterDefaultPlugins, which compiles some 40 more
	// packages (a minute on a new machine) for panels we do not have.
	runtime := cog.NewRuntime()
	for _, v := range []variants.PanelcfgConfig{bargauge.VariantConfig(), gauge.VariantConfig(),
		stat.VariantConfig(), table.VariantConfig(), timeseries.VariantConfig()} {
		runtime.RegisterPanelcfgVariant(v)
	}
	runtime.RegisterDataqueryVariant(prometheus.VariantConfig())
	files, err := filepath.Glob("*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("dashboards: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard.Dashboard //nolint:staticcheck // SA1019: the v1 schema on purpose, see Dashboard.Build.
		if err := strictErr(d.UnmarshalJSONStrict(data)); err != nil {
			t.Errorf("%s does not follow Grafana's dashboard schema: %v", f, err)
		}
	}
	// The decoder checks a panel's options against its type's schema, and
	// takes a type it does not know as it is. (It also drops every panel
	// it decoded, see strictErr, so the types are read here.)
	for file, d := range loadDashboards(t) {
		for _, p := range flatPanels(d.Panels) {
			if _, ok := cog.ConfigForPanelcfgVariant(p.Type); !ok && p.Type != "row" {
				t.Errorf("%s panel %q: type %q is not a panel the schema check knows", file, p.Title, p.Type)
			}
		}
	}
}

// strictErr is nil when the SDK's strict decoder found nothing. In SDK
// v0.0.22 it returns its error list as an error even when the list is
// empty (a nil cog.BuildErrors in a non-nil error), and so each panel's
// decoder reports failure and the panel is left out of the result.
func strictErr(err error) error {
	var list cog.BuildErrors
	if errors.As(err, &list) && len(list) == 0 {
		return nil
	}
	return err
}
