package report

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	testsources "github.com/sre-workload/sre_workload_exporter/internal/sourcetest/sources"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// demoRefresher runs the demo through the real collectors at a fixed
// clock, not refreshed yet.
func demoRefresher(t *testing.T) *refresh.Refresher {
	t.Helper()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	run, cfg, err := simulation.StartDemo(now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	logger := slog.New(slog.DiscardHandler)
	sources, err := testsources.Build(cfg, apiclient.NewMetrics(nil), logger)
	if err != nil {
		t.Fatal(err)
	}
	r := refresh.NewRefresher(cfg, sources, nil, logger, func() time.Time { return now })
	t.Cleanup(r.Close)
	return r
}

// demoHistory is the history section of the demo at the same clock as
// demoRefresher's: its 90 days, collected once, at daily steps.
func demoHistory(t *testing.T) *History {
	t.Helper()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	run, cfg, err := simulation.StartDemo(now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	sources, err := testsources.Build(cfg, apiclient.NewMetrics(nil), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	from := now.Add(-DefaultHistory)
	w := collectors.Window{Start: from.Add(-time.Duration(cfg.Window)), End: now}
	var snaps []*model.Snapshot
	for _, s := range sources {
		snap, err := s.Fetch(context.Background(), w)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, snap)
	}
	return BuildHistory(cfg, from, now, analysis.Prepare(snaps, cfg).At)
}

// demoView is the demo's View after one refresh.
func demoView(t *testing.T) *refresh.View {
	t.Helper()
	r := demoRefresher(t)
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.View()
}

// build is the report of a View, as the exporter builds it.
func build(v *refresh.View) *Report {
	var sources []Source
	for _, s := range v.Sources {
		sources = append(sources, NewSource(s.Name, s.Up, s.LastSuccess, s.Stale))
	}
	return Build(v.Config, v.Analysis, sources)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/report -update rewrites it):\n%s", name, got)
	}
}

// TestReportGolden: the Markdown and JSON reports of the demo at a fixed
// clock.
func TestReportGolden(t *testing.T) {
	r := build(demoView(t))
	r.History = demoHistory(t)
	var md, js bytes.Buffer
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := r.JSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "demo-report.md", md.Bytes())
	if *update {
		if err := os.WriteFile("../../docs/example-report.md", md.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if example, err := os.ReadFile("../../docs/example-report.md"); err != nil || !bytes.Equal(example, md.Bytes()) {
		t.Error("docs/example-report.md is not the demo's report: go test ./internal/report -update")
	}
	golden(t, "demo-report.json", js.Bytes())
	if !r.Verdict.SplitRecommended {
		t.Error("the demo's report does not recommend a split")
	}
}

func TestMarkdownEscapesHostileTitles(t *testing.T) {
	v := demoView(t)
	hostile := "<script>alert(1)</script> | [x](javascript:alert(1)) *bold*"
	v.Analysis.Classified = append(v.Analysis.Classified, analysisItem(hostile))
	var md bytes.Buffer
	if err := build(v).Markdown(&md); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, bad := range []string{"<script>", " [x](javascript:", "| [x]", " *bold*"} {
		if strings.Contains(out, bad) {
			t.Errorf("the report contains %q unescaped", bad)
		}
	}
	if !strings.Contains(out, `&lt;script&gt;alert(1)&lt;/script&gt; \| \[x\](javascript:alert(1)) \*bold\*`) {
		t.Errorf("the hostile title is missing or escaped differently:\n%s", out)
	}
}

func analysisItem(title string) (c analysis.ClassifiedItem) {
	it := &model.Item{Source: "github", Kind: "issue", Key: "acme/handbook#999", Title: title, URL: "https://github.com/acme/handbook/issues/999",
		CreatedAt: time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC).Unix()}
	c.Item, c.Domain = it, "unclassified"
	return c
}

func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	v := demoView(t)
	v.Analysis.Classified = append(v.Analysis.Classified, analysisItem(`<script>alert("x")</script>`))
	var page bytes.Buffer
	if err := build(v).HTML(&page); err != nil {
		t.Fatal(err)
	}
	out := page.String()
	if strings.Contains(out, `<script>alert`) {
		t.Error("a title reached the page unescaped")
	}
	if !strings.Contains(out, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`) {
		t.Error("the hostile title is missing")
	}
	for _, external := range []string{`rel="stylesheet"`, "<script", "src=", "@import", "url("} {
		if strings.Contains(out, external) {
			t.Errorf("the page loads something from outside: %q", external)
		}
	}
	// One bar per proposed team (2), per domain and unclassified (5), per
	// person for the switches (3), and a bar per person for the
	// interruptions by period: stacked, of 3 segments, for a person who
	// was paged, and plain (empty) for one who was not.
	paged := 0
	for _, p := range build(v).People {
		if p.Interruptions[analysis.PeriodBusiness]+p.Interruptions[analysis.PeriodOffHours]+p.Interruptions[analysis.PeriodSleep] > 0 {
			paged++
		}
	}
	if paged == 0 {
		t.Fatal("nobody in the demo was paged: the stacked bars are not tested")
	}
	if n := strings.Count(out, `<rect class="bar`); n != 10+3-paged {
		t.Errorf("%d plain bars, want %d", n, 10+3-paged)
	}
	if n := strings.Count(out, `<g class="bar stacked">`); n != paged {
		t.Errorf("%d stacked bars, want %d", n, paged)
	}
	if n := strings.Count(out, `class="signal"`); n != 4 {
		t.Errorf("%d signal rows, want 4", n)
	}
}

// TestRenderByFormat: every named format renders what its own method
// renders, and an unknown one is an error that names it.
func TestRenderByFormat(t *testing.T) {
	r := build(demoView(t))
	direct := map[string]func(io.Writer) error{"html": r.HTML, "markdown": r.Markdown, "json": r.JSON}
	if len(Formats) != len(direct) {
		t.Fatalf("Formats = %v", Formats)
	}
	for _, f := range Formats {
		var got, want bytes.Buffer
		if err := r.Render(&got, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := direct[f](&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("Render(%q) differs from the format's own method", f)
		}
	}
	if err := r.Render(io.Discard, "pdf"); err == nil || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("Render(pdf) = %v, want an error naming the format", err)
	}
	for f, want := range map[string]string{"json": "application/json", "markdown": "text/markdown", "html": "text/html"} {
		if got := ContentType(f); !strings.HasPrefix(got, want) {
			t.Errorf("ContentType(%q) = %q", f, got)
		}
	}
}

// TestNoVerdictWithoutData: with sources that have not completed a
// refresh, every format says so and gives no verdict, no signal and no
// measure: only what was collected when.
func TestNoVerdictWithoutData(t *testing.T) {
	rep := build(demoRefresher(t).View()) // no refresh yet
	const reason = "not enough data: calendar, github and pagerduty have not completed a refresh"
	for _, f := range Formats {
		var b bytes.Buffer
		if err := rep.Render(&b, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out := b.String()
		if !strings.Contains(strings.ToLower(out), reason) {
			t.Errorf("%s does not say %q:\n%s", f, reason, out)
		}
		for _, verdict := range []string{"split recommended", "split is recommended", "signals hold", "switches per workday",
			"context_switching", "incidents per", "removes", "match no rule", `"verdict":`, `"people":`, `"splits":`} {
			if strings.Contains(strings.ToLower(out), strings.ToLower(verdict)) {
				t.Errorf("%s gives an answer without data (%q):\n%s", f, verdict, out)
			}
		}
		if !strings.Contains(out, "never") && f != "json" {
			t.Errorf("%s does not say the sources were never collected:\n%s", f, out)
		}
		if f == "markdown" {
			golden(t, "nodata-report.md", b.Bytes())
		}
		if f == "json" {
			golden(t, "nodata-report.json", b.Bytes())
		}
	}
}

// TestImportsNoAPIClient: the data flows one way. The report and the
// analysis read what they are given and depend on no collector; the
// refresh and the exposition know sources only through the collectors
// root, and none of them links an API client.
func TestImportsNoAPIClient(t *testing.T) {
	clients := []string{"github.com/google/go-github", "github.com/PagerDuty/go-pagerduty", "github.com/bradleyfalzon/ghinstallation",
		"github.com/sre-workload/sre_workload_exporter/collectors/"}
	for pkg, forbidden := range map[string][]string{
		".":             append(clients, "github.com/sre-workload/sre_workload_exporter/collectors"),
		"../analysis":   append(clients, "github.com/sre-workload/sre_workload_exporter/collectors"),
		"../refresh":    clients,
		"../exposition": clients,
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") || strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
