package report

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/config"
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
	out := map[string]string{}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := r.Render(&b, f); err != nil {
			t.Fatal(err)
		}
		out[f] = b.String()
	}
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
