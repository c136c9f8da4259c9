package config

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
)

// Limits that keep a config sane. They are generous; they exist so that a
// typo such as "refresh_interval: 5ms" gets an answer instead of a flood.
const (
	minRefreshInterval = time.Second
	minWindow          = time.Hour
)

func (c *Config) validate(errs *Errors) {
	if time.Duration(c.RefreshInterval) < minRefreshInterval {
		errs.add("refresh_interval", "must be at least %s", minRefreshInterval)
	}
	if time.Duration(c.Window) < minWindow {
		errs.add("window", "must be at least %s", minWindow)
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		errs.add("timezone", "unknown time zone %q", c.Timezone)
		loc = time.UTC
	}
	c.location = loc

	if c.GitHub == nil && c.PagerDuty == nil {
		errs.add("", "at least one of github and pagerduty must be configured")
	}
	if g := c.GitHub; g != nil {
		if g.App() {
			g.validateApp(errs)
		} else {
			g.validate("github", errs)
		}
		if len(g.Repositories) == 0 {
			errs.add("github.repositories", "at least one repository is required")
		}
		for i, r := range g.Repositories {
			validateRepository(index("github.repositories", i), r, errs)
		}
		for i, r := range g.ExcludeRepositories {
			validateGlob(index("github.exclude_repositories", i), r, errs)
		}
		if d := time.Duration(*g.ReconcileInterval); d != 0 && d < time.Duration(c.RefreshInterval) {
			errs.add("github.reconcile_interval", "must be 0 (poll every repository at every refresh) or at least refresh_interval")
		}
	}
	if p := c.PagerDuty; p != nil {
		p.validate("pagerduty", errs)
		validateNonEmpty("pagerduty.services", p.Services, errs)
		validateNonEmpty("pagerduty.teams", p.Teams, errs)
	}

	c.validateSearchBudget(errs)
	c.validateDomains(errs)
	c.validateRules(errs)
	c.validatePeople(errs)
	c.validateSplit(errs)
	c.validateInventory(errs)
}

// validateApp checks GitHub App sign-in: all three keys, and no token.
func (g *GitHubConfig) validateApp(errs *Errors) {
	if g.AppID <= 0 {
		errs.add("github.app_id", "a positive GitHub App ID is required with installation_id and private_key_file")
	}
	if g.InstallationID <= 0 {
		errs.add("github.installation_id", "a positive installation ID is required with app_id and private_key_file")
	}
	if g.PrivateKeyFile == "" {
		errs.add("github.private_key_file", "is required with app_id and installation_id")
	}
	if g.TokenEnv != "" || g.TokenFile != "" {
		errs.add("github", "a GitHub App (app_id, installation_id, private_key_file) and a token (token_env, token_file) are mutually exclusive")
	}
	g.validateLimits("github", errs)
	g.validateURL("github", errs)
}

func (a *APIConfig) validate(section string, errs *Errors) {
	a.validateLimits(section, errs)
	a.validateURL(section, errs)
	switch {
	case a.TokenEnv == "" && a.TokenFile == "":
		errs.add(section, "one of token_env and token_file is required")
	case a.TokenEnv != "" && a.TokenFile != "":
		errs.add(section, "token_env and token_file are mutually exclusive")
	}
}

func (a *APIConfig) validateLimits(section string, errs *Errors) {
	if a.Concurrency < 1 || a.Concurrency > 100 {
		errs.add(section+".concurrency", "must be between 1 and 100 (GitHub allows at most 100 concurrent requests)")
	}
	if time.Duration(a.RequestTimeout) < time.Second {
		errs.add(section+".request_timeout", "must be at least 1s")
	}
	if *a.MaxRetries < 0 || *a.MaxRetries > 10 {
		errs.add(section+".max_retries", "must be between 0 and 10")
	}
	if *a.RateLimitReserve < 0 || *a.RateLimitReserve >= 1 {
		errs.add(section+".rate_limit_reserve", "must be at least 0 and below 1")
	}
}

func (a *APIConfig) validateURL(section string, errs *Errors) {
	u, err := url.Parse(a.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs.add(section+".api_url", "must be an absolute http or https URL")
	} else if u.User != nil {
		// Credentials in the URL would end up in logs and errors.
		errs.add(section+".api_url", "must not contain credentials; use token_env or token_file")
	}
}

var repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/([A-Za-z0-9_.-]+|\*)$`)

func validateRepository(p, r string, errs *Errors) {
	if !repoRE.MatchString(r) {
		errs.add(p, `%q must be "owner/name" or "owner/*"`, r)
	}
}

func validateGlob(p, g string, errs *Errors) {
	if g == "" {
		errs.add(p, "must not be empty")
		return
	}
	if _, err := path.Match(g, ""); err != nil {
		errs.add(p, "invalid glob %q: %v", g, err)
	}
}

func validateNonEmpty(p string, vals []string, errs *Errors) {
	for i, v := range vals {
		if strings.TrimSpace(v) == "" {
			errs.add(index(p, i), "must not be empty")
		}
	}
}

func validateName(p, name string, errs *Errors) bool {
	if !nameRE.MatchString(name) {
		errs.add(p, "%q must match [a-z0-9_-]+", name)
		return false
	}
	return true
}

func (c *Config) validateDomains(errs *Errors) {
	if len(c.Domains) == 0 {
		errs.add("domains", "at least one domain is required")
	}
	c.domains = map[string]int{}
	for i := range c.Domains {
		d := &c.Domains[i]
		p := index("domains", i)
		if d.ProposedTeam == "" {
			d.ProposedTeam = d.Name
		}
		if !validateName(p+".name", d.Name, errs) {
			continue
		}
		if d.Name == Unclassified {
			errs.add(p+".name", "%q is reserved for items that no rule matches", Unclassified)
			continue
		}
		if _, dup := c.domains[d.Name]; dup {
			errs.add(p+".name", "duplicate domain %q", d.Name)
			continue
		}
		validateName(p+".proposed_team", d.ProposedTeam, errs)
		c.domains[d.Name] = i
	}
}

func (c *Config) validateRules(errs *Errors) {
	names := map[string]bool{}
	for i := range c.Rules {
		r := &c.Rules[i]
		p := index("rules", i)
		if validateName(p+".name", r.Name, errs) {
			if names[r.Name] {
				errs.add(p+".name", "duplicate rule name %q", r.Name)
			}
			names[r.Name] = true
		}
		if r.Domain == "" {
			errs.add(p+".domain", "is required")
		} else if _, ok := c.domains[r.Domain]; !ok {
			errs.add(p+".domain", "unknown domain %q", r.Domain)
		}
		r.compile(p, errs)
	}
}

func (c *Config) validatePeople(errs *Errors) {
	names := map[string]bool{}
	c.people = newIdentities()
	for i := range c.People {
		pe := &c.People[i]
		p := index("people", i)
		if validateName(p+".name", pe.Name, errs) {
			if names[pe.Name] {
				errs.add(p+".name", "duplicate person %q", pe.Name)
			}
			names[pe.Name] = true
		}
		pe.location = c.location
		if pe.Timezone != "" {
			loc, err := time.LoadLocation(pe.Timezone)
			if err != nil {
				errs.add(p+".timezone", "unknown time zone %q", pe.Timezone)
			} else {
				pe.location = loc
			}
		}
		for j, login := range pe.GitHub {
			c.people.addGitHub(index(p+".github", j), login, i, errs)
		}
		for j, id := range pe.PagerDuty {
			c.people.addPagerDuty(index(p+".pagerduty", j), id, i, errs)
		}
	}
}

// Warnings are what the config check reports without refusing the config:
// people with no account in any configured source, whose work cannot be
// attributed to them (a lead may list someone before their accounts
// exist).
func (c *Config) Warnings() []string {
	var out []string
	for i, p := range c.People {
		if (c.GitHub == nil || len(p.GitHub) == 0) && (c.PagerDuty == nil || len(p.PagerDuty) == 0) {
			out = append(out, fmt.Sprintf("people[%d] (%s): no account in any configured source (%s): none of their work will be attributed to them",
				i, p.Name, strings.Join(c.Sources(), ", ")))
		}
	}
	return out
}
