package dashboards

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// contractMetrics reads the metrics contract from the README's metric
// tables: every row whose first cell is a sre_workload_ metric.
func contractMetrics(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?m)^\\| `(sre_workload_[a-z_]+)` \\|")
	out := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		out[m[1]] = true
	}
	if len(out) < 20 {
		t.Fatalf("found only %d contract metrics in the README", len(out))
	}
	return out
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func loadRules(t *testing.T) ruleFile {
	t.Helper()
	data, err := os.ReadFile("rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rf); err != nil {
		t.Fatal(err)
	}
	return rf
}

// grafanaDashboard is the part of Grafana's model the lint reads.
type grafanaDashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Links         []struct {
		Type      string   `json:"type"`
		Tags      []string `json:"tags"`
		Placement *string  `json:"placement"`
	} `json:"links"`
	Tags       []string `json:"tags"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Query      any    `json:"query"`
			Definition string `json:"definition"`
			Multi      bool   `json:"multi"`
			IncludeAll bool   `json:"includeAll"`
		} `json:"list"`
	} `json:"templating"`
	Panels []grafanaPanel `json:"panels"`
}

type grafanaPanel struct {
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Datasource  *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	GridPos struct{ X, Y, W, H int } `json:"gridPos"`
	Targets []struct {
		Expr       string `json:"expr"`
		RefID      string `json:"refId"`
		Datasource *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"`
}

func loadDashboards(t *testing.T) map[string]grafanaDashboard {
	t.Helper()
	files, err := filepath.Glob("*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("dashboards: %v %v", files, err)
	}
	out := map[string]grafanaDashboard{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d grafanaDashboard
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s does not parse: %v", f, err)
		}
		out[f] = d
	}
	return out
}

// flatPanels lists the panels of a dashboard, rows' children included.
func flatPanels(ps []grafanaPanel) []grafanaPanel {
	var out []grafanaPanel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, flatPanels(p.Panels)...)
	}
	return out
}

// substitute replaces Grafana's variables the way Grafana would for "All".
func substitute(expr string) string {
	return substituteFor(expr, ".+", ".+")
}

// substituteFor replaces Grafana's variables the way Grafana would with
// one job and one instance chosen and "All" people and domains. job and
// instance are single-select without "All", so Grafana puts the value in
// as it is.
func substituteFor(expr, job, instance string) string {
	return strings.NewReplacer("$__rate_interval", "1m", "$job", job, "$instance", instance,
		"$person", ".+", "$domain", ".+").Replace(expr)
}

// parseRaw parses an expression with its variables left in the label
// values, where the lint can see them.
func parseRaw(expr string) (parser.Expr, error) {
	return parser.NewParser(parser.Options{}).ParseExpr(strings.ReplaceAll(expr, "$__rate_interval", "1m"))
}

// checkSelectsExporter checks that an expression cannot mix exporters:
// every metric selector carries job=~"$job" and instance=~"$instance"
// (want lists the matchers required), and every aggregation keeps job and
// instance in its by-clause. The alert thresholds are exempt: the global:
// level has no job or instance label by definition, so a job matcher would
// make them match nothing.
func checkSelectsExporter(t *testing.T, where, expr string, want ...string) {
	t.Helper()
	e, err := parseRaw(expr)
	if err != nil {
		t.Errorf("%s: %q does not parse: %v", where, expr, err)
		return
	}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.VectorSelector:
			if strings.HasPrefix(n.Name, "global:") {
				return nil
			}
			for _, name := range want {
				if !slices.ContainsFunc(n.LabelMatchers, func(m *labels.Matcher) bool {
					return m.Type == labels.MatchRegexp && m.Name == name && m.Value == "$"+name
				}) {
					t.Errorf("%s: %s does not select %s=~\"$%s\": %s", where, n.Name, name, name, expr)
				}
			}
		case *parser.AggregateExpr:
			if len(want) > 0 && (n.Without || !slices.Contains(n.Grouping, "job") || !slices.Contains(n.Grouping, "instance")) {
				t.Errorf("%s: %s does not keep job and instance apart: %s", where, n.Op, expr)
			}
		}
		return nil
	})
}

func metricNames(t *testing.T, where, expr string) []string {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(substitute(expr))
	if err != nil {
		t.Errorf("%s: %q does not parse: %v", where, expr, err)
		return nil
	}
	var out []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "" {
			out = append(out, vs.Name)
		}
		return nil
	})
	return out
}

func TestGeneratedFilesAreUpToDate(t *testing.T) {
	for _, d := range All() {
		data, err := os.ReadFile(d.File)
		if err != nil {
			t.Fatal(err)
		}
		want, err := d.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s differs from its Go source: run `go generate ./dashboards`", d.File)
		}
	}
}

func TestDashboardLint(t *testing.T) {
	contract := contractMetrics(t)
	rules := loadRules(t)
	recorded := map[string]bool{}
	used := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				recorded[r.Record] = true
			}
			for _, m := range metricNames(t, "rules.yml "+r.Record+r.Alert, r.Expr) {
				used[m] = true
			}
		}
	}
	check := func(where, name string) {
		used[name] = true
		if strings.Contains(name, ":") {
			if !recorded[name] {
				t.Errorf("%s: %s is not recorded by rules.yml", where, name)
			}
		} else if !contract[name] {
			t.Errorf("%s: %s is not in the README's metrics contract", where, name)
		}
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			for _, m := range metricNames(t, "rules.yml", r.Expr) {
				check("rules.yml "+r.Record+r.Alert, m)
			}
			// Rules select every exporter, but must keep them apart:
			// the dashboards select job and instance on recorded series.
			checkAggregationsKeepExporters(t, "rules.yml "+r.Record+r.Alert, r.Expr)
		}
	}

	uids := map[string]string{}
	dashboards := loadDashboards(t)
	for file, d := range dashboards {
		if d.UID == "" || uids[d.UID] != "" {
			t.Errorf("%s: uid %q is empty or also used by %s", file, d.UID, uids[d.UID])
		}
		uids[d.UID] = file
		if d.SchemaVersion < 39 {
			t.Errorf("%s: schemaVersion %d, want 39 or newer", file, d.SchemaVersion)
		}
		vars := map[string]bool{}
		var order []string
		for _, v := range d.Templating.List {
			order = append(order, v.Name)
			// job and instance pick one exporter: single-select, no "All".
			// person and domain are multi-select within it.
			single := map[string]bool{"job": true, "instance": true}[v.Name]
			switch v.Name {
			case "datasource":
				vars[v.Name] = v.Type == "datasource" && v.Query == "prometheus"
			case "job", "instance", "person", "domain":
				vars[v.Name] = v.Type == "query" && v.Multi == !single && v.IncludeAll == !single &&
					strings.HasPrefix(v.Definition, "label_values(")
				m := regexp.MustCompile(`^label_values\((.+), (\w+)\)$`).FindStringSubmatch(v.Definition)
				if m == nil || m[2] != v.Name {
					t.Errorf("%s: variable %s: %q", file, v.Name, v.Definition)
					continue
				}
				for _, name := range metricNames(t, file+" variable "+v.Name, m[1]) {
					check(file+" variable "+v.Name, name)
				}
				// Each variable is filtered by the ones before it.
				want := map[string][]string{"job": nil, "instance": {"job"}}[v.Name]
				if !single {
					want = []string{"job", "instance"}
				}
				checkSelectsExporter(t, file+" variable "+v.Name, m[1], want...)
			}
		}
		if !slices.Equal(order, []string{"datasource", "job", "instance", "person", "domain"}) {
			t.Errorf("%s: variables %v, want datasource, job, instance, person, domain: each filtered by the ones before it", file, order)
		}
		for _, want := range []string{"datasource", "job", "instance", "person", "domain"} {
			if !vars[want] {
				t.Errorf("%s: template variable %s is missing or wrong", file, want)
			}
		}
		// Links: every dashboard links to the others by their shared tag.
		linked := false
		for _, l := range d.Links {
			linked = linked || (l.Type == "dashboards" && slices.Contains(l.Tags, "sre-workload"))
		}
		if !linked || !slices.Contains(d.Tags, "sre-workload") {
			t.Errorf("%s: no link to the other sre-workload dashboards", file)
		}
		// A placement moves a link off the top of the dashboard (Grafana
		// 12.3 and later put "inControlsMenu" links in a menu).
		for _, l := range d.Links {
			if l.Placement != nil {
				t.Errorf("%s: a link has placement %q", file, *l.Placement)
			}
		}
		checkGrid(t, file, flatPanels(d.Panels))
		for _, p := range flatPanels(d.Panels) {
			where := file + " panel " + quoted(p.Title)
			if p.Title == "" {
				t.Errorf("%s: a panel has no title", file)
			}
			if p.Type == "row" {
				continue // rows group panels; they have no query
			}
			if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
				t.Errorf("%s: datasource is not ${datasource}", where)
			}
			if !strings.Contains(p.Description, "README.md#") {
				t.Errorf("%s: the description does not say where the definition lives", where)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: no query", where)
			}
			refIDs := map[string]bool{}
			for _, tg := range p.Targets {
				if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
					t.Errorf("%s: query %s: datasource is not ${datasource}", where, tg.RefID)
				}
				if tg.RefID == "" || refIDs[tg.RefID] {
					t.Errorf("%s: refId %q is empty or used twice", where, tg.RefID)
				}
				refIDs[tg.RefID] = true
				for _, m := range metricNames(t, where, tg.Expr) {
					check(where, m)
				}
				checkSelectsExporter(t, where, tg.Expr, "job", "instance")
			}
		}
	}
	var unused []string
	for m := range contract {
		if !used[m] {
			unused = append(unused, m)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("contract metrics that no panel or rule uses: %v", unused)
	}
}

// checkGrid checks that every panel fits in Grafana's 24 columns and that
// no two panels overlap.
func checkGrid(t *testing.T, file string, panels []grafanaPanel) {
	t.Helper()
	for i, p := range panels {
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("%s panel %q: gridPos %+v is not within 24 columns", file, p.Title, g)
		}
		for _, o := range panels[:i] {
			h := o.GridPos
			if g.X < h.X+h.W && h.X < g.X+g.W && g.Y < h.Y+h.H && h.Y < g.Y+g.H {
				t.Errorf("%s: panels %q and %q overlap", file, o.Title, p.Title)
			}
		}
	}
}

// checkAggregationsKeepExporters checks that every aggregation of a rule
// keeps job and instance in its by-clause.
func checkAggregationsKeepExporters(t *testing.T, where, expr string) {
	t.Helper()
	e, err := parseRaw(expr)
	if err != nil {
		t.Errorf("%s: %q does not parse: %v", where, expr, err)
		return
	}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if a, ok := n.(*parser.AggregateExpr); ok &&
			(a.Without || !slices.Contains(a.Grouping, "job") || !slices.Contains(a.Grouping, "instance")) {
			t.Errorf("%s: %s does not keep job and instance apart: %s", where, a.Op, expr)
		}
		return nil
	})
}

func quoted(s string) string { return `"` + s + `"` }

// TestReadmeAnchorsExist checks that every README.md#anchor in the
// dashboards and rules points at a heading of the README.
func TestReadmeAnchorsExist(t *testing.T) {
	readmeText, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	slugs := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(string(readmeText), -1) {
		slug := strings.ToLower(m[1])
		slug = regexp.MustCompile(`[^a-z0-9 _-]`).ReplaceAllString(slug, "")
		slugs[strings.ReplaceAll(slug, " ", "-")] = true
	}
	files, _ := filepath.Glob("*.json")
	files = append(files, "rules.yml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`README\.md#([a-z0-9_-]+)`).FindAllStringSubmatch(string(data), -1) {
			if !slugs[m[1]] {
				t.Errorf("%s links to README.md#%s, which is not a heading", f, m[1])
			}
		}
	}
}
