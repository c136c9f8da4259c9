package report

import (
	"reflect"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// TestRoleProfile pins a role profile by hand: the team's domains and
// their shares, its busiest repositories and services (ties by name, at
// most five), its duties, interruptions and kinds of activity; another
// team's work is not in it.
func TestRoleProfile(t *testing.T) {
	cfg, err := config.ParseWithoutSecrets([]byte(`
github: {token_env: T, repositories: [a/*]}
domains: [{name: product, proposed_team: product-sre}, {name: security, proposed_team: corporate-sre}, {name: saas, proposed_team: corporate-sre}]
people: [{name: alice, github: [a]}]
inventory: [{name: Access review, domain: security, owners: [alice], every: 1w, hours: 2}, {name: Deploy review, domain: product, owners: [alice], every: 1w, hours: 3}]
`))
	if err != nil {
		t.Fatal(err)
	}
	item := func(source, repo, service string) *model.Item {
		return &model.Item{Source: source, Repo: repo, Service: model.Ref{Name: service}}
	}
	res := &analysis.Result{
		Classified: []analysis.ClassifiedItem{
			{Item: item("github", "a/sec", ""), Domain: "security"},
			{Item: item("github", "a/sec", ""), Domain: "security"},
			{Item: item("github", "a/it", ""), Domain: "saas"},
			{Item: item("github", "a/app", ""), Domain: "product"},
			{Item: item("pagerduty", "", "GuardDuty"), Domain: "security"},
			{Item: item("github", "a/quiet", ""), Domain: "saas"},
		},
		ItemActivities: []int32{2, 3, 5, 9, 4, 0},
		PersonActivities: map[analysis.PersonSourceDomain]int{
			{Person: "alice", Source: "github", Domain: "security"}: 5, {Person: "alice", Source: "pagerduty", Domain: "security"}: 4,
			{Person: "alice", Source: "github", Domain: "saas"}: 3, {Person: "alice", Source: "github", Domain: "product"}: 9,
		},
		Interruptions: map[analysis.PersonDomainPeriod]int{{Person: "alice", Domain: "security", Period: analysis.PeriodSleep}: 2,
			{Person: "alice", Domain: "product", Period: analysis.PeriodBusiness}: 7},
		DomainActions: map[analysis.DomainAction]int{{Domain: "security", Action: model.ActionReviewed}: 1, {Domain: "security", Action: model.ActionCommented}: 4,
			{Domain: "security", Action: model.ActionNotified}: 3, {Domain: "saas", Action: model.ActionReviewComment}: 2, {Domain: "product", Action: model.ActionOpened}: 9},
	}
	p := profile(cfg, res, "corporate-sre", "one shared rotation")
	// security 9 and saas 3 of 12; a/sec 2+3, a/it 5 (ties by name:
	// a/it first), a/quiet has no activity; GuardDuty 4.
	want := RoleProfile{Team: "corporate-sre", OnCall: "one shared rotation",
		Domains:      []DomainShare{{Domain: "security", Share: 0.75}, {Domain: "saas", Share: 0.25}},
		Repositories: []Named{{"a/it", 5}, {"a/sec", 5}}, Services: []Named{{"GuardDuty", 4}},
		Duties:        []Duty{{Name: "Access review", Domain: "security", HoursPerWeek: 2}},
		Interruptions: map[string]int{analysis.PeriodBusiness: 0, analysis.PeriodOffHours: 0, analysis.PeriodSleep: 2},
		Activities:    map[string]int{KindReviews: 3, KindWork: 4, KindIncident: 3}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("profile\n%+v\nwant\n%+v", p, want)
	}
}
