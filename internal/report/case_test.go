package report

import (
	"bytes"
	"html/template"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
)

// TestSignalsHavePlainNames: every split signal the config knows has a
// plain-language title, shown in HTML and Markdown beside its identifier
// in small print, and in the JSON's title.
func TestSignalsHavePlainNames(t *testing.T) {
	r := build(demoView(t))
	var cfg config.SplitConfig
	for _, s := range cfg.Thresholds() {
		if SignalTitle(s.Signal) == s.Signal || SignalTitle(s.Signal) == "" {
			t.Errorf("%s has no plain name", s.Signal)
		}
	}
	if len(r.Verdict.Signals) != 4 {
		t.Fatalf("%d signals", len(r.Verdict.Signals))
	}
	out := renderAll(t, r)
	for _, s := range r.Verdict.Signals {
		if s.Title != SignalTitle(s.Name) {
			t.Errorf("%s: title %q", s.Name, s.Title)
		}
		for f, want := range map[string]string{
			"markdown": s.Title + " (`" + s.Name + "`)",
			"html":     template.HTMLEscapeString(s.Title) + ` <small><code>` + s.Name + `</code></small>`,
			"json":     `"title": "` + s.Title + `"`,
		} {
			if !strings.Contains(out[f], want) {
				t.Errorf("%s: no %q", f, want)
			}
		}
	}
	if got := SignalTitle(config.SignalContextSwitching); got != "Context switches per person per workday, median" {
		t.Errorf("context_switching: %q", got)
	}
}

// handBuilt is a report's inputs built by hand: the demo's config (alice,
// bob and carol; product-sre and corporate-sre) and a Result with only
// what a test sets.
func handBuilt(t *testing.T) (*config.Config, *analysis.Result) {
	t.Helper()
	cfg, err := config.ParseWithoutSecrets(config.DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	res := &analysis.Result{
		Now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		// alice is in the team all window; bob left before it began;
		// carol joined on its last day (0.6 workdays: left out of the
		// context_switching median, but in the team).
		People: map[string]*analysis.PersonStats{
			"alice": {InTeamWorkdays: 5},
			"bob":   {InTeamWorkdays: 0, LeftOutOfMedian: true},
			"carol": {InTeamWorkdays: 0.6, LeftOutOfMedian: true},
		},
		TeamActivityRatio:  map[string]float64{"product-sre": 0.75, "corporate-sre": 0.25},
		DomainPlannedHours: map[string]float64{"cloud-governance": 2},
		Suggested: &analysis.SuggestedSplit{
			Teams:  [2][]string{{"product", "cloud-governance"}, {"security", "saas-admin"}},
			Shares: [2]float64{0.6, 0.4},
		},
	}
	return cfg, res
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestEquivalentHeadcount, by hand: 2 people are in the team within the
// window (alice, and carol who joined on its last day; not bob, who left
// before it), so a team with 25% of the classified activity is
// 0.25 × 2 = 0.5 people's worth of today's work, and one with 75% is 1.5.
func TestEquivalentHeadcount(t *testing.T) {
	cfg, res := handBuilt(t)
	if n := PeopleInTeam(res); n != 2 {
		t.Errorf("PeopleInTeam = %d, want 2 (alice, carol)", n)
	}
	if got := EquivalentHeadcount(res, 0.25); !near(got, 0.5) {
		t.Errorf("EquivalentHeadcount(0.25) = %v, want 0.5", got)
	}
	r := Build(cfg, res, nil)
	if r.Splits.PeopleInTeam != 2 {
		t.Errorf("people_in_team = %d", r.Splits.PeopleInTeam)
	}
	want := map[string]float64{"product-sre": 1.5, "corporate-sre": 0.5, "team A": 1.2, "team B": 0.8}
	teams := r.Splits.Configured.Teams
	if r.Splits.Suggested == nil {
		t.Fatal("no suggested split")
	}
	teams = append(teams, r.Splits.Suggested.Teams...)
	for _, tm := range teams {
		if !near(tm.EquivalentHeadcount, want[tm.Name]) {
			t.Errorf("%s: equivalent headcount %v, want %v", tm.Name, tm.EquivalentHeadcount, want[tm.Name])
		}
	}
	out := renderAll(t, r)
	for f, wants := range map[string][]string{
		"markdown": {"| corporate-sre | security, cloud-governance, saas-admin | 25% | 0.50 people | 2.0 h/week (0.05 FTE) |", "a proportion of today's work, not hours"},
		"html":     {"<td>0.50 people</td>", "a proportion of today&#39;s work, not hours"},
		"json":     {`"equivalent_headcount": 0.5,`, `"people_in_team": 2`},
	} {
		for _, w := range wants {
			if !strings.Contains(out[f], w) {
				t.Errorf("%s: no %q", f, w)
			}
		}
	}
	// Nobody in the team: no headcount to share.
	for _, ps := range res.People {
		ps.InTeamWorkdays = 0
	}
	if got := EquivalentHeadcount(res, 0.25); got != 0 {
		t.Errorf("nobody in the team: %v", got)
	}
}

// TestUnclassifiedFiguresSayWhatTheyMeasure: the two unclassified shares,
// of the team's activities (by domain) and of the tracked items (data
// quality), each say what they count where they appear.
func TestUnclassifiedFiguresSayWhatTheyMeasure(t *testing.T) {
	r := build(demoView(t))
	for _, f := range []string{"markdown", "html"} {
		var b bytes.Buffer
		if err := r.Render(&b, f); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range []string{
			"unclassified 0%: the share of the team's activities that were on items no rule matched",
			pct(r.DataQuality.UnclassifiedShare) + " of the tracked items match no rule: a count of items (issues, pull requests, incidents, meetings), not of work",
		} {
			if f == "html" {
				want = template.HTMLEscapeString(want)
			}
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q", f, want)
			}
		}
	}
}

// TestSuggestedEqualToConfigured: when the best grouping has the
// configured teams (as sets of domains, whatever their names and order),
// the report says so in one line instead of a second table.
func TestSuggestedEqualToConfigured(t *testing.T) {
	cfg, res := handBuilt(t)
	// The configured teams are product-sre {product} and corporate-sre
	// {security, cloud-governance, saas-admin}.
	res.Suggested = &analysis.SuggestedSplit{Teams: [2][]string{{"product"}, {"saas-admin", "security", "cloud-governance"}}, Shares: [2]float64{0.75, 0.25}}
	r := Build(cfg, res, nil)
	if !r.Splits.SuggestedIsConfigured {
		t.Fatal("suggested_is_configured is false")
	}
	const line = "The best grouping of the domains is the configured one"
	for f, table := range map[string]string{"markdown": "| team |", "html": "<th>team</th>"} {
		var b bytes.Buffer
		if err := r.Render(&b, f); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if n := strings.Count(out, line); n != 1 {
			t.Errorf("%s: %q %d times, want once", f, line, n)
		}
		if n := strings.Count(out, table); n != 1 {
			t.Errorf("%s: %d split tables, want 1 (the configured one)", f, n)
		}
		if strings.Contains(out, "team A") {
			t.Errorf("%s repeats the configured split as team A / team B", f)
		}
	}

	// A different grouping is shown as its own table.
	_, res = handBuilt(t)
	r = Build(cfg, res, nil)
	if r.Splits.SuggestedIsConfigured {
		t.Error("a different grouping is taken for the configured one")
	}
	var b bytes.Buffer
	if err := r.Markdown(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), line) || strings.Count(b.String(), "| team |") != 2 {
		t.Errorf("a different suggested split is not shown as a table:\n%s", b.String())
	}
}

func TestSameTeams(t *testing.T) {
	for _, c := range []struct {
		a, b [][]string
		want bool
	}{
		{[][]string{{"x"}, {"y", "z"}}, [][]string{{"z", "y"}, {"x"}}, true},
		{[][]string{{"x"}, {"y", "z"}}, [][]string{{"x", "y"}, {"z"}}, false},
		{[][]string{{"x"}, {"y"}, {"z"}}, [][]string{{"x"}, {"y", "z"}}, false},
		{[][]string{{"x", "y"}}, [][]string{{"x"}, {"y"}}, false},
	} {
		if got := sameTeams(c.a, c.b); got != c.want {
			t.Errorf("sameTeams(%v, %v) = %v", c.a, c.b, got)
		}
	}
}

// TestDefinitionsWorkOffline: every definition link of the HTML page
// points into the page's own appendix, which has nothing unlinked, and
// the page links to no README online; the Markdown links to the README
// and carries the same appendix; every definition is a README heading.
func TestDefinitionsWorkOffline(t *testing.T) {
	full := build(demoView(t))
	noData := build(demoRefresher(t).View())
	links := regexp.MustCompile(`href="#(def-[^"]*)"`)
	ids := regexp.MustCompile(`id="(def-[^"]*)"`)
	for name, r := range map[string]*Report{"full": full, "no data": noData} {
		var b bytes.Buffer
		if err := r.HTML(&b); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		if !strings.Contains(page, `<section id="definitions">`) {
			t.Errorf("%s: no definitions section", name)
		}
		targets := map[string]bool{}
		for _, m := range ids.FindAllStringSubmatch(page, -1) {
			targets[m[1]] = true
		}
		linked := map[string]bool{}
		for _, m := range links.FindAllStringSubmatch(page, -1) {
			linked[m[1]] = true
			if !targets[m[1]] {
				t.Errorf("%s: #%s has no target in the page", name, m[1])
			}
		}
		if len(linked) == 0 {
			t.Errorf("%s: no definition link", name)
		}
		for id := range targets {
			if !linked[id] {
				t.Errorf("%s: the appendix holds %s, which nothing links to", name, id)
			}
		}
		for _, online := range []string{Readme, "README.md", "github.com/sre-workload"} {
			if strings.Contains(page, online) {
				t.Errorf("%s: the page links to %q for a definition", name, online)
			}
		}
		var md bytes.Buffer
		if err := r.Markdown(&md); err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(regexp.QuoteMeta(Readme)+`#([a-z0-9-]+)`).FindAllStringSubmatch(md.String(), -1) {
			d, err := definition(m[1])
			if err != nil {
				t.Errorf("%s: the Markdown links to %s, which is not in Definitions", name, m[1])
				continue
			}
			if !strings.Contains(md.String(), "**"+d.Title+".** "+d.Text) {
				t.Errorf("%s: the Markdown appendix lacks %s", name, d.Anchor)
			}
		}
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, line := range strings.Split(string(readme), "\n") {
		if h, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " "); ok && strings.HasPrefix(line, "#") {
			headings[slug(h)] = true
		}
	}
	for _, d := range Definitions {
		if !headings[d.Anchor] {
			t.Errorf("definition %s is no heading of the README", d.Anchor)
		}
	}
}

// slug is GitHub's anchor of a heading: lower case, spaces to hyphens,
// punctuation but hyphens and underscores dropped.
func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}
