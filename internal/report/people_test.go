package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
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

// TestMeetingsSection: the meetings section is absent without a calendar,
// and with one gives each person's meeting hours by domain (config order,
// only domains with time), their total, their uninterrupted hours, and
// each configured team's meeting share.
func TestMeetingsSection(t *testing.T) {
	cfg, err := config.ParseWithoutSecrets([]byte(`
calendar: {}
domains: [{name: product, proposed_team: p}, {name: security, proposed_team: c}]
people:
  - {name: alice, calendar: {url_env: A}}
  - {name: bob, calendar: {url_env: B}}
`))
	if err != nil {
		t.Fatal(err)
	}
	g := Grouping{Teams: []Team{{Name: "p", Domains: []string{"product"}}, {Name: "c", Domains: []string{"security"}}}}
	if m := buildMeetings(cfg, &analysis.Result{}, g); m != nil {
		t.Errorf("meetings without a calendar: %+v", m)
	}
	res := &analysis.Result{HasCalendar: true,
		MeetingSeconds: map[analysis.PersonDomain]int64{{Person: "alice", Domain: "security"}: 5400, {Person: "alice", Domain: "product"}: 1800},
		Uninterrupted:  map[string]int64{"alice": 7200, "bob": 36000},
		PersonActivities: map[analysis.PersonSourceDomain]int{
			{Person: "alice", Source: model.SourceCalendar, Domain: "security"}: 1, {Person: "bob", Source: model.SourceGitHub, Domain: "security"}: 3,
		}}
	m := buildMeetings(cfg, res, g)
	if len(m.People) != 2 || m.People[0].Hours != 2 || m.People[0].DomainList() != "product 0.5 h, security 1.5 h" || m.People[0].UninterruptedHours != 2 ||
		m.People[1].DomainList() != "none" || m.People[1].UninterruptedHours != 10 {
		t.Errorf("people %+v", m.People)
	}
	if len(m.Teams) != 2 || m.Teams[0].MeetingShare != 0 || m.Teams[1].MeetingShare != 0.25 {
		t.Errorf("teams %+v", m.Teams)
	}
}
