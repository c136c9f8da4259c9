package config

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Limits that keep a config sane. They are generous; they exist so that a
// typo such as "refresh_interval: 5ms" gets an answer instead of a flood.
const (
	minRefreshInterval = time.Second
	minWindow          = time.Hour
)

func (c *Config) validate(errs *Errors) {
	positive("refresh_interval", &c.RefreshInterval, DefaultRefreshInterval, minRefreshInterval, errs)
	positive("window", &c.Window, DefaultWindow, minWindow, errs)
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		errs.add("timezone", "unknown time zone %q", c.Timezone)
		loc = time.UTC
	}
	c.location = loc

	if c.GitHub == nil && c.PagerDuty == nil && c.Calendar == nil {
		errs.add("", "at least one of github, pagerduty and calendar must be configured")
	}
	if c.GitHub != nil {
		c.GitHub.validate(c.RefreshInterval, errs)
	}
	if c.PagerDuty != nil {
		c.PagerDuty.validate(errs)
	}

	c.validateSearchBudget(errs)
	c.validateDomains(errs)
	c.validateRules(errs)
	c.validatePeople(errs)
	c.validateCalendar(errs)
	if c.Analysis.UninterruptedMin < model.Duration(15*time.Minute) {
		errs.add("analysis.uninterrupted_min", "must be at least 15m")
	}
	c.validateSplit(errs)
	c.validateInventory(errs)
	c.validatePrivacy(errs)
}

// positive checks a duration that is left out for its default: an
// explicit 0 is an error, not the default. The checks that follow then
// see the default, as if it had been left out.
func positive(key string, d *model.Duration, def model.Duration, least time.Duration, errs *Errors) {
	switch {
	case *d == 0:
		errs.add(key, "must be positive; leave it out for the default %s", def)
		*d = def
	case time.Duration(*d) < least:
		errs.add(key, "must be at least %s", least)
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

var nameRE = regexp.MustCompile(`^[a-z0-9_-]+$`)

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
		pe.validateSpan(p, errs)
		if pe.WorkingHours != nil {
			pe.WorkingHours.validate(p+".working_hours", errs)
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
