package config

import (
	"strings"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// TestMeetingRules: organizers match a meeting's organizer by glob, case
// aside; kind meeting and source calendar go together; a GitHub field on
// a meeting rule can never match and is an error.
func TestMeetingRules(t *testing.T) {
	c, err := ParseWithoutSecrets([]byte(`
github: {token_env: T, repositories: [a/b]}
domains: [{name: security}, {name: product}]
rules:
  - {domain: security, organizers: ["*@security.acme.example"]}
  - {domain: product, source: calendar, kind: meeting, title: "(?i)standup"}
`))
	if err != nil {
		t.Fatal(err)
	}
	meeting := &model.Item{Source: model.SourceCalendar, Kind: model.KindMeeting, Title: "Weekly sync", Organizer: "ciso@Security.Acme.Example"}
	if d, r := c.Classify(meeting); d != "security" || r != 0 {
		t.Errorf("organizer: %s by rule %d", d, r)
	}
	standup := &model.Item{Source: model.SourceCalendar, Kind: model.KindMeeting, Title: "Product Standup", Organizer: "pm@acme.example"}
	if d, _ := c.Classify(standup); d != "product" {
		t.Errorf("standup: %s", d)
	}
	if d, _ := c.Classify(&model.Item{Source: model.SourceGitHub, Kind: model.KindIssue, Title: "standup notes"}); d != Unclassified {
		t.Errorf("a GitHub issue matched a meeting rule: %s", d)
	}
	_, err = ParseWithoutSecrets([]byte(`
github: {token_env: T, repositories: [a/b]}
domains: [{name: security}]
rules:
  - {domain: security, kind: meeting, labels: [x]}
  - {domain: security, organizers: ["[bad"]}
`))
	for _, want := range []string{"rules[0].labels: only github items have labels; this rule can never match", `rules[1].organizers[0]: invalid glob "[bad"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}
