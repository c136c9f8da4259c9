package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestLeftOutOfMedianIsSaid: a person with less than one workday in the
// team is named in the People section of every format, with their
// workdays and span.
func TestLeftOutOfMedianIsSaid(t *testing.T) {
	v := demoView(t)
	carol := *v.Analysis.People["carol"]
	carol.InTeamWorkdays, carol.LeftOutOfMedian = 0.6, true
	v.Analysis.People["carol"] = &carol
	r := build(v)
	joined := v.Config.People[2].Joined
	if joined == "" {
		t.Fatal("the demo's carol has no joined")
	}
	want := "carol is left out of the context_switching median: 0.6 workdays in the team within the window (joined " + joined + "), less than one."
	for _, format := range []string{"markdown", "html", "json"} {
		var b bytes.Buffer
		if err := r.Render(&b, format); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if format == "json" {
			want = `"left_out_of_median": true`
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: no %q", format, want)
		}
	}
	for _, p := range r.People {
		if p.Name != "carol" && (p.LeftOutOfMedian || p.MedianNote() != "") {
			t.Errorf("%s: left out", p.Name)
		}
	}
}
