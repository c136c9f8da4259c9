package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

var fuzzEnv = Environment{
	Getenv:   func(string) string { return "token" },
	ReadFile: func(string) ([]byte, error) { return []byte("token"), nil },
}

// FuzzParse: the config loader answers any input with a config or an
// error, never a panic; a config it accepts classifies without panicking.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yml")
	files = append(files, "demo.yml", "example.yml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, fuzzEnv)
		if err != nil {
			if err.Error() == "" {
				t.Error("an empty error message")
			}
			return
		}
		for _, it := range []model.Item{
			{Source: "github", Kind: "issue", Repo: "acme/infra", Title: "Okta SSO", Labels: []string{"security"}},
			{Source: "pagerduty", Kind: "incident", Service: model.Ref{ID: "P1", Name: "Checkout"}, Teams: []model.Ref{{ID: "T", Name: "Platform"}}},
		} {
			d, r := c.Classify(&it)
			if (r < 0) != (d == Unclassified) {
				t.Errorf("domain %q with rule %d", d, r)
			}
		}
	})
}

// FuzzRuleMatch: a rule built from arbitrary match fields either fails
// validation or matches arbitrary items without panicking.
func FuzzRuleMatch(f *testing.F) {
	f.Add("(?i)okta|sso", "acme/*", "Security", "Checkout", "acme/infra", "Okta SSO app", "security", "Checkout API")
	f.Add("[", "[", "", "", "", "", "", "")
	f.Add("^$", "*/*", "x", "P1", "a/b", "", "X", "P1")
	f.Fuzz(func(t *testing.T, title, repo, label, service, itemRepo, itemTitle, itemLabel, itemService string) {
		r := Rule{Name: "r", Domain: "d", Title: title, Repositories: []string{repo}, Labels: []string{label}}
		var errs Errors
		r.compile("rules[0]", &errs)
		if len(errs) == 0 {
			_ = r.Matches(&model.Item{Source: "github", Kind: "issue", Repo: itemRepo, Title: itemTitle, Labels: []string{itemLabel}})
		}
		p := Rule{Name: "p", Domain: "d", Services: []string{service}, PagerDutyTeams: []string{service}, EscalationPolicies: []string{service}}
		errs = nil
		p.compile("rules[1]", &errs)
		if len(errs) == 0 {
			_ = p.Matches(&model.Item{Source: "pagerduty", Kind: "incident", Service: model.Ref{ID: itemService, Name: itemTitle}})
		}
	})
}
