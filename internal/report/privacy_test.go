package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// renderAll renders a report in every format, by format.
func renderAll(t *testing.T, r *Report) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := r.Render(&b, f); err != nil {
			t.Fatal(err)
		}
		out[f] = b.String()
	}
	return out
}

// TestReportPrivacyModes: with privacy.people pseudonymous, or a named
// config's report anonymised (report --anonymise), or aggregate, no
// configured name, login or e-mail address appears in any format of the
// report, history and after-the-split sections included; pseudonymous
// shows person-1 to person-3, aggregate no person at all and says why; and
// the verdict and the signals are the same as with names.
func TestReportPrivacyModes(t *testing.T) {
	v := demoView(t)
	hist := demoHistory(t)
	named := build(v)
	named.History = hist
	namedOut := renderAll(t, named)
	for _, id := range []string{"alice", "carol"} {
		if !strings.Contains(namedOut["markdown"], id) {
			t.Fatalf("the named report does not hold %q: the test would prove nothing", id)
		}
	}
	withMode := func(mode string) *Report {
		cfg := *v.Config
		cfg.Privacy.People = mode
		vv := *v
		vv.Config = &cfg
		r := build(&vv)
		r.History = hist
		return r
	}
	anonymised := build(v)
	anonymised.History = hist
	anonymised.Anonymise()
	for name, r := range map[string]*Report{"pseudonymous": withMode(config.PrivacyPseudonymous), "anonymised": anonymised, "aggregate": withMode(config.PrivacyAggregate)} {
		out := renderAll(t, r)
		if name != "anonymised" { // the golden files show each mode's report whole
			golden(t, "demo-report-"+name+".md", []byte(out["markdown"]))
		}
		for format, text := range out {
			lower := strings.ToLower(text)
			for _, id := range simulation.DemoIdentities() {
				// A name as a word: "alice" inside "malice" would not
				// be a leak, and no demo text has one.
				if strings.Contains(lower, id) {
					t.Errorf("%s %s holds %q", name, format, id)
				}
			}
			switch name {
			case "aggregate":
				if strings.Contains(text, "person-1") || !strings.Contains(text, "aggregate") {
					t.Errorf("aggregate %s: shows a pseudonym, or does not say why people are absent", format)
				}
			default:
				if !strings.Contains(text, "person-1") || !strings.Contains(text, "person-3") {
					t.Errorf("%s %s: no person-1 to person-3", name, format)
				}
			}
		}
		if !reflect.DeepEqual(r.Verdict, named.Verdict) {
			t.Errorf("%s: the verdict differs from the named report's", name)
		}
		var got struct {
			PeopleShown string `json:"people_shown"`
		}
		if err := json.Unmarshal([]byte(out["json"]), &got); err != nil || got.PeopleShown != map[string]string{"pseudonymous": "pseudonymous", "anonymised": "pseudonymous", "aggregate": "aggregate"}[name] {
			t.Errorf("%s: people_shown %q, %v", name, got.PeopleShown, err)
		}
	}
	// The reports share the analysis (a rotation's members) and the
	// history: rendering them changed neither, so a named report of the
	// same View is as before.
	again := build(v)
	again.History = hist
	if renderAll(t, again)["markdown"] != namedOut["markdown"] {
		t.Error("rendering the private reports changed the named report of the same View")
	}
	// The order of people[] gives the pseudonyms: alice, the first, is
	// person-1 in the People table.
	if r := withMode(config.PrivacyPseudonymous); r.applyPrivacyForTest().People[0].Name != "person-1" || r.People[2].Name != "person-3" {
		t.Errorf("pseudonyms %v", r.People)
	}
}

// TestReportTitles: privacy.titles: false leaves the titles out of the
// data-quality section, the only one that shows any.
func TestReportTitles(t *testing.T) {
	v := demoView(t)
	cfg := *v.Config
	off := false
	cfg.Privacy.Titles = &off
	vv := *v
	vv.Config = &cfg
	shown, hidden := renderAll(t, build(v)), renderAll(t, build(&vv))
	title := build(v).DataQuality.RecentUnclassified[0].Title
	if title == "" || !strings.Contains(shown["markdown"], mdEscape(title)) {
		t.Fatalf("the demo's first unclassified title %q is not in the report", title)
	}
	for f, text := range hidden {
		if strings.Contains(text, mdEscape(title)) || strings.Contains(text, title) {
			t.Errorf("%s holds the title %q with privacy.titles: false", f, title)
		}
	}
}

func (r *Report) applyPrivacyForTest() *Report { r.applyPrivacy(); return r }
