package config

import (
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

func parseFile(t *testing.T, name string, env Environment) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(data, env)
}

func TestGoodConfigDefaults(t *testing.T) {
	t.Setenv("TEST_GITHUB_TOKEN", "ghp_testtoken")
	c, err := Load("testdata/good.yml")
	if err != nil {
		t.Fatalf("good.yml: %v", err)
	}
	if c.RefreshInterval != DefaultRefreshInterval || c.Window != DefaultWindow || c.Timezone != "UTC" {
		t.Errorf("defaults: refresh %s window %s timezone %s", c.RefreshInterval, c.Window, c.Timezone)
	}
	if c.GitHub.APIURL != DefaultGitHubURL || c.PagerDuty.APIURL != DefaultPagerDutyURL {
		t.Errorf("default API URLs: %q %q", c.GitHub.APIURL, c.PagerDuty.APIURL)
	}
	if c.GitHub.Token() != "ghp_testtoken" || c.PagerDuty.Token() != "pd-secret-token" {
		t.Errorf("tokens were not resolved from the environment and the file")
	}
	if got := []string{c.Rules[0].Name, c.Rules[1].Name}; got[0] != "rule-1" || got[1] != "infra" {
		t.Errorf("rule names: %v", got)
	}
	if c.Domains[1].ProposedTeam != "security" {
		t.Errorf("a domain without proposed_team is its own team, got %q", c.Domains[1].ProposedTeam)
	}
	if got := c.People[0].Location().String(); got != "Asia/Tokyo" {
		t.Errorf("alice's zone: %s", got)
	}
	if c.People[1].Location() != time.UTC {
		t.Errorf("bob's zone defaults to the top-level timezone")
	}
	if c.GitHubPerson("alice-gh") != 0 || c.GitHubPerson("ALICE-GH") != 0 || c.GitHubPerson("bob") != -1 {
		t.Errorf("GitHub logins are matched case-insensitively")
	}
	if c.PagerDutyUserPerson("PABC123") != 0 || c.PagerDutyEmailPerson("Alice@Example.com") != 0 {
		t.Errorf("PagerDuty identities")
	}
	if got := c.PagerDutyEmails(); len(got) != 1 || got[0] != "alice@example.com" {
		t.Errorf("emails to resolve: %v", got)
	}
}

// TestBadConfigs maps each bad config file to its exact errors, one per
// problem, each with its field path.
func TestBadConfigs(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"empty.yml", []string{"the config file is empty"}},
		{"bad-yaml.yml", []string{"invalid YAML: line 1: did not find expected ',' or '}'"}},
		{"no-source.yml", []string{"at least one of github, pagerduty and calendar must be configured"}},
		{"unknown-field.yml", []string{
			"github.token: unknown field",
			"rules[0].labelz: unknown field",
		}},
		{"bad-types.yml", []string{
			`refresh_interval: not a valid duration string: "often"`,
			`window: unknown unit "x" in duration "7x"`,
			`github.repositories: expected a list, got "acme/infra"`,
			`people[0].github: expected a list, got "alice"`,
		}},
		{"bad-durations.yml", []string{
			"refresh_interval: must be positive; leave it out for the default 5m",
			"window: must be positive; leave it out for the default 1w",
		}},
		{"bad-negative.yml", []string{
			`refresh_interval: not a valid duration string: "-5m"`,
			`window: not a valid duration string: "-1d"`,
		}},
		{"bad-oncall.yml", []string{
			"pagerduty.oncall_escalation_policies[1]: must not be empty",
			"split.oncall_time_ratio: must be more than 0 and at most 1 (a share of the window)",
			"split.rotation_minimum_per_site: must be at least 1",
			`split.rotation: "follow_the_sun" is not a rotation model: want per_team or shared`,
		}},
		{"bad-regexp.yml", []string{
			"rules[3].title: invalid regular expression: missing closing ): `(?i)okta|sso(`",
		}},
		{"bad-sources.yml", []string{
			"refresh_interval: must be at least 1s",
			"window: must be at least 1h0m0s",
			`timezone: unknown time zone "Mars/Olympus"`,
			"github.api_url: must be an absolute http or https URL",
			"github: token_env and token_file are mutually exclusive",
			`github.repositories[0]: "acme" must be "owner/name" or "owner/*"`,
			`github.repositories[1]: "acme/infra/x" must be "owner/name" or "owner/*"`,
			"github.exclude_repositories[0]: must not be empty",
			"pagerduty.api_url: must not contain credentials; use token_env or token_file",
			"pagerduty: one of token_env and token_file is required",
			"pagerduty.services[0]: must not be empty",
		}},
		{"bad-domains.yml", []string{
			`domains[0].name: "Product" must match [a-z0-9_-]+`,
			`domains[1].name: "unclassified" is reserved for items that no rule matches`,
			`domains[2].proposed_team: "Ops Team" must match [a-z0-9_-]+`,
			`domains[3].name: duplicate domain "ops"`,
			`rules[0].domain: unknown domain "nope"`,
			`rules[1].name: duplicate rule name "r1"`,
			"rules[1]: a rule needs at least one match field (source, kind, repositories, labels, title, services, pagerduty_teams, escalation_policies, urgencies, priorities, organizers)",
			`rules[2].source: "gitlab" must be calendar, github or pagerduty`,
			"rules[3].kind: kind incident never comes from source github",
			"rules[4].services: only pagerduty items have services; this rule can never match",
			`rules[5].repositories[0]: invalid glob "acme/[x": syntax error in pattern`,
		}},
		{"bad-rules-incidents.yml", []string{
			"rules[0].urgencies: only pagerduty items have urgencies; this rule can never match",
			"rules[1].priorities: only pagerduty items have priorities; this rule can never match",
			`rules[2].urgencies[0]: "High" must be high or low`,
			`rules[2].urgencies[1]: "urgent" must be high or low`,
			"rules[3].priorities[0]: must not be empty",
			"rules[4].urgencies: only pagerduty items have urgencies; this rule can never match",
		}},
		{"bad-split.yml", []string{"split.unknown_signal: unknown field"}},
		{"bad-search-budget.yml", []string{
			// usable = 30 - ceil(30 x 0.1) - 4 in flight = 23; 23 / 2 = 11
			// refreshes a minute; 60 s / 11 = 5.45 s, so 6 s.
			"refresh_interval: 3s is too short for GitHub's Search API: 2 search queries a refresh, 20 refreshes a minute, and 23 of its 30 requests a minute to spend; " +
				"at least 6s is needed (or set github.reconcile_interval: 0 to poll every repository instead)",
		}},
		{"bad-split-minsignals.yml", []string{
			// org_ratio is enabled only with org_headcount; context_switching is off.
			"split.min_signals: 3 is more than the 2 enabled signals, so a split could never be recommended",
		}},
		{"bad-inventory.yml", []string{
			`inventory[1].name: duplicate duty "Account review"`,
			`inventory[1].domain: unknown domain "nope"`,
			`inventory[1].owners[0]: unknown person "bob"`,
			"inventory[1].hours: must be positive",
			`inventory[1].every: "weekly" must be a count and a unit d, w, M or y, such as 1w or 3M`,
			"inventory[2].name: is required",
			"inventory[2].owners: at least one owner is required",
			"inventory[2].hours: must be positive",
			`inventory[2].every: "0d" must be a count and a unit d, w, M or y, such as 1w or 3M`,
		}},
		{"bad-people-span.yml", []string{
			"people[0].left: 2026-10-14 is before joined (2026-10-15)",
			`people[1].joined: "2026-13-01" is not a date (YYYY-MM-DD)`,
			`people[1].left: "yesterday" is not a date (YYYY-MM-DD)`,
			`people[2].working_hours.days[1]: "funday" is not a day: want one of mon, tue, wed, thu, fri, sat, sun`,
			`people[2].working_hours.days[2]: day "mon" is given more than once`,
			`people[2].working_hours.start: "9:00" is not a time of day (HH:MM, 00:00 to 23:59)`,
			`people[2].working_hours.end: "25:00" is not a time of day (HH:MM, 00:00 to 23:59)`,
			"people[3].working_hours.end: must differ from start (09:00)",
			"people[4].working_hours.start: is required (HH:MM)",
			"people[4].working_hours.end: is required (HH:MM)",
		}},
		{"bad-people.yml", []string{
			`people[1].name: duplicate person "alice"`,
			`people[1].timezone: unknown time zone "Nowhere/City"`,
			`people[1].github[0]: GitHub login "A1" is given more than once`,
			`people[1].pagerduty[0]: PagerDuty user "P1" is given more than once`,
			`people[1].pagerduty[1]: PagerDuty user "alice@example.com" is given more than once`,
			`people[2].name: "Bob Smith" must match [a-z0-9_-]+`,
			"people[2].github[0]: must not be empty",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := parseFile(t, tc.file, Environment{Getenv: func(string) string { return "x" }})
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want *Errors, got %v", err)
			}
			got := strings.Split(errs.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n got: %q\nwant: %q", got, tc.want)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	data := []byte("github: {token_env: MY_GH_TOKEN, repositories: [a/b]}\npagerduty: {token_file: /nonexistent/pd}\ndomains: [{name: d}]\n")
	_, err := Parse(data, Environment{Getenv: func(string) string { return "  " }})
	want := "github.token_env: environment variable MY_GH_TOKEN is unset or empty\n" +
		"pagerduty.token_file: cannot read token file: open /nonexistent/pd: no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	c, err := Parse(data, Environment{
		Getenv:   func(string) string { return "ghp_verysecret" },
		ReadFile: func(string) ([]byte, error) { return []byte("pdsecret\n"), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		c.GitHub.Token().String(),
		strings.Join(strings.Fields(strings.ReplaceAll(sprintAll(c), "\n", " ")), " "),
	} {
		if strings.Contains(s, "verysecret") || strings.Contains(s, "pdsecret") {
			t.Errorf("a secret printed itself: %s", s)
		}
	}
}

func TestSplitDefaultsAndValidation(t *testing.T) {
	c, err := ParseWithoutSecrets([]byte("pagerduty: {token_env: T}\ndomains: [{name: d}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Split
	if s.MinSignals != 2 || s.ContextSwitching != 3 || s.SecondaryTeamShare != 0.25 ||
		s.OnCallIncidentsPerShift != 2 || s.OrgRatio != 40 || s.OrgHeadcount != nil || s.OnCallTimeRatio != 0.25 || s.Rotation != RotationPerTeam {
		t.Errorf("defaults: %d %v %v %v %v %v %v", s.MinSignals, s.ContextSwitching, s.SecondaryTeamShare, s.OnCallIncidentsPerShift, s.OrgRatio, s.OrgHeadcount, s.OnCallTimeRatio)
	}
	c, err = ParseWithoutSecrets([]byte("pagerduty: {token_env: T}\ndomains: [{name: d}]\nsplit: {context_switching: 0, min_signals: 1}\n"))
	if err != nil || c.Split.ContextSwitching != 0 || c.Split.OnCallIncidentsPerShift != 2 {
		t.Errorf("an explicit 0 disables only its signal: %v", err)
	}
	_, err = ParseWithoutSecrets([]byte("pagerduty: {token_env: T}\ndomains: [{name: d}]\nsplit: {min_signals: 0, context_switching: -1, secondary_team_share: 0.6, org_headcount: 0}\n"))
	want := "split.min_signals: must be at least 1\n" +
		"split.context_switching: must not be negative (0 disables the signal)\n" +
		"split.secondary_team_share: must be at most 0.5: the smallest of two or more teams never holds more than half\n" +
		"split.org_headcount: must be at least 1"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

// TestDefaultsAndExplicitZeros: a key that is left out, or left empty,
// takes its default; an explicit 0 stays 0 where 0 means something
// (max_retries: 0 never retries, rate_limit_reserve: 0 keeps no reserve,
// reconcile_interval: 0 polls at every refresh). A 0 refresh_interval or
// window is refused (TestBadConfigs).
func TestDefaultsAndExplicitZeros(t *testing.T) {
	c, err := ParseWithoutSecrets([]byte("refresh_interval:\nwindow: ~\ngithub: {token_env: T, repositories: [a/b], max_retries: ~}\npagerduty: {token_env: T}\ndomains: [{name: d}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.RefreshInterval != DefaultRefreshInterval || c.Window != DefaultWindow {
		t.Errorf("empty durations: refresh %s window %s", c.RefreshInterval, c.Window)
	}
	for _, a := range []*APIConfig{&c.GitHub.APIConfig, &c.PagerDuty.APIConfig} {
		if a.MaxRetries != DefaultMaxRetries || a.RateLimitReserve != DefaultRateLimitReserve || a.RequestTimeout != DefaultRequestTimeout {
			t.Errorf("%s: defaults %d %v %s", a.APIURL, a.MaxRetries, a.RateLimitReserve, a.RequestTimeout)
		}
	}
	if c.GitHub.ReconcileInterval != DefaultReconcileInterval || c.GitHub.Concurrency != DefaultGitHubConcurrency || c.PagerDuty.Concurrency != DefaultPagerDutyConcurrency {
		t.Errorf("defaults: reconcile %s concurrency %d %d", c.GitHub.ReconcileInterval, c.GitHub.Concurrency, c.PagerDuty.Concurrency)
	}
	c, err = ParseWithoutSecrets([]byte("github: {token_env: T, repositories: [a/b], max_retries: 0, rate_limit_reserve: 0, reconcile_interval: 0s, concurrency: 0, request_timeout: 0s, api_url: ''}\ndomains: [{name: d}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	g := c.GitHub
	if g.MaxRetries != 0 || g.RateLimitReserve != 0 || g.ReconcileInterval != 0 {
		t.Errorf("explicit zeros: max_retries %d rate_limit_reserve %v reconcile_interval %s", g.MaxRetries, g.RateLimitReserve, g.ReconcileInterval)
	}
	// These have always meant the default: none of them could work.
	if g.Concurrency != DefaultGitHubConcurrency || g.RequestTimeout != DefaultRequestTimeout || g.APIURL != DefaultGitHubURL {
		t.Errorf("zero concurrency, request_timeout, api_url: %d %s %q", g.Concurrency, g.RequestTimeout, g.APIURL)
	}
}

func TestDemoConfigIsValid(t *testing.T) {
	c, err := ParseWithoutSecrets(DemoYAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.People) != 3 || len(c.Domains) != 4 {
		t.Errorf("demo: %d people, %d domains", len(c.People), len(c.Domains))
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	data, err := os.ReadFile("example.yml")
	if err != nil {
		t.Fatal(err)
	}
	env := Environment{
		Getenv:   func(string) string { return "token" },
		ReadFile: func(string) ([]byte, error) { return []byte("token"), nil },
	}
	if _, err := Parse(data, env); err != nil {
		t.Fatal(err)
	}
}

func TestClassify(t *testing.T) {
	data := []byte(`
github: {token_env: T, repositories: [acme/x]}
pagerduty: {token_env: T}
domains: [{name: product}, {name: security}, {name: saas}, {name: cloud}]
rules:
  - {name: sec-labels, domain: security, labels: [Security, vuln]}
  - {name: sso, domain: saas, title: "(?i)okta|sso|saml"}
  - {name: corp-repos, domain: cloud, repositories: ["acme-corp/aws-*"]}
  - {name: prs-in-infra, domain: product, kind: pull_request, repositories: ["acme/infra"]}
  - {name: okta-service, domain: saas, services: ["Okta SSO"]}
  - {name: corp-team, domain: cloud, pagerduty_teams: [PTCORP1]}
  - {name: corp-ep, domain: security, escalation_policies: ["corp it"]}
  - {name: sev1, domain: product, priorities: [p1, PPRIO02]}
  - {name: low-pages, domain: saas, urgencies: [low]}
`)
	c, err := Parse(data, Environment{Getenv: func(string) string { return "t" }})
	if err != nil {
		t.Fatal(err)
	}
	gh := func(repo, kind, title string, labels ...string) *model.Item {
		return &model.Item{Source: "github", Kind: kind, Repo: repo, Title: title, Labels: labels}
	}
	for _, tc := range []struct {
		name       string
		item       *model.Item
		wantDomain string
		wantRule   int
	}{
		{"label, any case", gh("acme/app", "issue", "Bump", "SECURITY"), "security", 0},
		{"any listed label", gh("acme/app", "issue", "x", "infra", "vuln"), "security", 0},
		{"first rule wins over a later match", gh("acme-corp/aws-org", "issue", "Okta app", "vuln"), "security", 0},
		{"title regexp", gh("acme-corp/aws-org", "issue", "New SAML app"), "saas", 1},
		{"repository glob", gh("acme-corp/aws-org", "issue", "New account"), "cloud", 2},
		{"glob does not cross /", gh("acme-corp/aws/x", "issue", "y"), "unclassified", -1},
		{"kind must match too", gh("acme/infra", "issue", "y"), "unclassified", -1},
		{"kind and repository", gh("acme/infra", "pull_request", "y"), "product", 3},
		{"service by name", &model.Item{Source: "pagerduty", Kind: "incident", Service: model.Ref{ID: "P1", Name: "Okta SSO"}}, "saas", 4},
		{"team by ID", &model.Item{Source: "pagerduty", Kind: "incident", Teams: []model.Ref{{ID: "PX"}, {ID: "PTCORP1", Name: "Corp IT"}}}, "cloud", 5},
		{"policy by name, any case", &model.Item{Source: "pagerduty", Kind: "incident", EscalationPolicy: model.Ref{ID: "PE", Name: "Corp IT"}}, "security", 6},
		{"labels never match an incident", &model.Item{Source: "pagerduty", Kind: "incident", Title: "db down", Urgency: "high"}, "unclassified", -1},
		{"priority by name, any case", &model.Item{Source: "pagerduty", Kind: "incident", Urgency: "low", Priority: model.Ref{ID: "PPRIO01", Name: "P1"}}, "product", 7},
		{"priority by ID", &model.Item{Source: "pagerduty", Kind: "incident", Priority: model.Ref{ID: "PPRIO02", Name: "P2"}}, "product", 7},
		{"no priority never matches priorities", &model.Item{Source: "pagerduty", Kind: "incident", Urgency: "low"}, "saas", 8},
		{"urgency", &model.Item{Source: "pagerduty", Kind: "incident", Urgency: "low", Priority: model.Ref{ID: "PPRIO03", Name: "P3"}}, "saas", 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, r := c.Classify(tc.item)
			if d != tc.wantDomain || r != tc.wantRule {
				t.Errorf("got (%s, %d), want (%s, %d)", d, r, tc.wantDomain, tc.wantRule)
			}
		})
	}
}

func TestInventoryArithmetic(t *testing.T) {
	c, err := ParseWithoutSecrets([]byte(`
pagerduty: {token_env: T}
domains: [{name: cloud}, {name: saas}]
people: [{name: alice}, {name: bob}]
inventory:
  - {name: daily, domain: cloud, owners: [alice], every: 1d, hours: 1}
  - {name: weekly, domain: cloud, owners: [alice], every: 1w, hours: 2}
  - {name: fortnightly, domain: cloud, owners: [bob], every: 2w, hours: 4}
  - {name: monthly, domain: saas, owners: [alice, bob], every: 1M, hours: 6}
  - {name: quarterly, domain: saas, owners: [bob], every: 3M, hours: 13}
  - {name: yearly, domain: saas, owners: [alice], every: 1y, hours: 52}
`))
	if err != nil {
		t.Fatal(err)
	}
	// A month is 52/12 weeks: 6 h a month is 6 * 12 / 52 = 1.3846 h a week.
	for i, want := range []float64{7, 2, 2, 6 * 12.0 / 52, 13 * 12.0 / (3 * 52), 1} {
		if got := c.Inventory[i].HoursPerWeek(); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: %v hours a week, want %v", c.Inventory[i].Name, got, want)
		}
	}
}

// TestWarnings: a person with no account in any configured source is a
// warning, not an error: a lead may list someone before their accounts
// exist.
func TestWarnings(t *testing.T) {
	c, err := ParseWithoutSecrets([]byte(`
github: {token_env: T, repositories: [a/b]}
domains: [{name: product, proposed_team: product-sre}]
people:
  - {name: alice, github: [alice]}
  - {name: bob}
  - {name: carol, pagerduty: [PCAROL1]}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"people[1] (bob): no account in any configured source (github): none of their work will be attributed to them",
		"people[2] (carol): no account in any configured source (github): none of their work will be attributed to them",
	}
	if got := c.Warnings(); !slices.Equal(got, want) {
		t.Errorf("Warnings() =\n%q\nwant\n%q", got, want)
	}
}
