package config

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// Rule assigns a domain to the items it matches. Every match field that is
// given must match; a list matches when any of its elements does.
type Rule struct {
	Name   string `yaml:"name"`
	Domain string `yaml:"domain"`

	Source             string   `yaml:"source"`
	Kind               string   `yaml:"kind"`
	Repositories       []string `yaml:"repositories"`
	Labels             []string `yaml:"labels"`
	Title              string   `yaml:"title"`
	Services           []string `yaml:"services"`
	PagerDutyTeams     []string `yaml:"pagerduty_teams"`
	EscalationPolicies []string `yaml:"escalation_policies"`
	Urgencies          []string `yaml:"urgencies"`
	Priorities         []string `yaml:"priorities"`
	// Organizers are globs on a meeting organizer's e-mail address.
	Organizers []string `yaml:"organizers"`

	title *regexp.Regexp
}

var kindSource = map[string]string{
	model.KindIssue:       model.SourceGitHub,
	model.KindPullRequest: model.SourceGitHub,
	model.KindIncident:    model.SourcePagerDuty,
	model.KindMeeting:     model.SourceCalendar,
}

func (r *Rule) compile(p string, errs *Errors) {
	if r.Source == "" && r.Kind == "" && len(r.Repositories) == 0 && len(r.Labels) == 0 &&
		r.Title == "" && len(r.Services) == 0 && len(r.PagerDutyTeams) == 0 && len(r.EscalationPolicies) == 0 &&
		len(r.Urgencies) == 0 && len(r.Priorities) == 0 && len(r.Organizers) == 0 {
		errs.add(p, "a rule needs at least one match field (source, kind, repositories, labels, title, services, pagerduty_teams, escalation_policies, urgencies, priorities, organizers)")
		return
	}
	// The source a rule can apply to, from whichever field implies one.
	implied := ""
	if r.Source != "" {
		if !slices.Contains(model.Sources, r.Source) {
			errs.add(p+".source", "%q must be calendar, github or pagerduty", r.Source)
		} else {
			implied = r.Source
		}
	}
	if r.Kind != "" {
		src, ok := kindSource[r.Kind]
		switch {
		case !ok:
			errs.add(p+".kind", "%q must be issue, pull_request, incident or meeting", r.Kind)
		case implied != "" && src != implied:
			errs.add(p+".kind", "kind %s never comes from source %s", r.Kind, implied)
		default:
			implied = src
		}
	}
	for _, f := range []struct {
		name   string
		given  bool
		source string
	}{
		{"repositories", len(r.Repositories) > 0, model.SourceGitHub},
		{"labels", len(r.Labels) > 0, model.SourceGitHub},
		{"services", len(r.Services) > 0, model.SourcePagerDuty},
		{"pagerduty_teams", len(r.PagerDutyTeams) > 0, model.SourcePagerDuty},
		{"escalation_policies", len(r.EscalationPolicies) > 0, model.SourcePagerDuty},
		{"urgencies", len(r.Urgencies) > 0, model.SourcePagerDuty},
		{"priorities", len(r.Priorities) > 0, model.SourcePagerDuty},
		{"organizers", len(r.Organizers) > 0, model.SourceCalendar},
	} {
		if !f.given {
			continue
		}
		if implied != "" && implied != f.source {
			errs.add(p+"."+f.name, "only %s items have %s; this rule can never match", f.source, f.name)
		}
		implied = f.source
	}
	for i, g := range r.Repositories {
		validateGlob(index(p+".repositories", i), g, errs)
	}
	validateNonEmpty(p+".labels", r.Labels, errs)
	validateNonEmpty(p+".services", r.Services, errs)
	validateNonEmpty(p+".pagerduty_teams", r.PagerDutyTeams, errs)
	validateNonEmpty(p+".escalation_policies", r.EscalationPolicies, errs)
	for i, u := range r.Urgencies {
		// PagerDuty's urgencies, exactly as the API spells them
		// (openapiv3.json #/components/schemas/Incident/allOf/1/properties/urgency/enum).
		if u != "high" && u != "low" {
			errs.add(index(p+".urgencies", i), "%q must be high or low", u)
		}
	}
	validateNonEmpty(p+".priorities", r.Priorities, errs)
	for i, g := range r.Organizers {
		validateGlob(index(p+".organizers", i), g, errs)
	}
	if r.Title != "" {
		re, err := regexp.Compile(r.Title)
		if err != nil {
			errs.add(p+".title", "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		r.title = re
	}
}

// Matches reports whether every given match field of the rule matches the item.
func (r *Rule) Matches(it *model.Item) bool {
	if r.Source != "" && r.Source != it.Source {
		return false
	}
	if r.Kind != "" && r.Kind != it.Kind {
		return false
	}
	if len(r.Repositories) > 0 && !anyGlob(r.Repositories, it.Repo) {
		return false
	}
	if len(r.Labels) > 0 && !anyFold(r.Labels, it.Labels...) {
		return false
	}
	if r.title != nil && !r.title.MatchString(it.Title) {
		return false
	}
	if len(r.Services) > 0 && !anyRef(r.Services, it.Service) {
		return false
	}
	if len(r.PagerDutyTeams) > 0 && !anyRef(r.PagerDutyTeams, it.Teams...) {
		return false
	}
	if len(r.EscalationPolicies) > 0 && !anyRef(r.EscalationPolicies, it.EscalationPolicy) {
		return false
	}
	if len(r.Urgencies) > 0 && !slices.Contains(r.Urgencies, it.Urgency) {
		return false
	}
	if len(r.Priorities) > 0 && !anyRef(r.Priorities, it.Priority) {
		return false
	}
	if len(r.Organizers) > 0 && !anyGlobFold(r.Organizers, it.Organizer) {
		return false
	}
	return true
}

// Classify returns the domain of an item and the index of the rule that
// decided it: the first rule that matches, or Unclassified and -1.
func (c *Config) Classify(it *model.Item) (domain string, rule int) {
	for i := range c.Rules {
		if c.Rules[i].Matches(it) {
			return c.Rules[i].Domain, i
		}
	}
	return Unclassified, -1
}

func anyGlob(globs []string, s string) bool {
	if s == "" {
		return false
	}
	for _, g := range globs {
		if ok, _ := path.Match(g, s); ok {
			return true
		}
	}
	return false
}

func anyFold(want []string, have ...string) bool {
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(w, h) {
				return true
			}
		}
	}
	return false
}

// anyRef matches PagerDuty objects by ID or by name.
func anyRef(want []string, have ...model.Ref) bool {
	for _, h := range have {
		if (h.ID != "" && anyFold(want, h.ID)) || (h.Name != "" && anyFold(want, h.Name)) {
			return true
		}
	}
	return false
}

// anyGlobFold reports whether v matches any of the globs, ignoring case.
func anyGlobFold(globs []string, v string) bool {
	v = strings.ToLower(v)
	for _, g := range globs {
		if ok, _ := path.Match(strings.ToLower(g), v); ok {
			return true
		}
	}
	return false
}
