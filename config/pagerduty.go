package config

import (
	"reflect"
	"strings"
)

// PagerDutyConfig is the optional pagerduty section.
type PagerDutyConfig struct {
	APIConfig `yaml:",inline"`
	Services  []string `yaml:"services"`
	Teams     []string `yaml:"teams"`
	// OnCallEscalationPolicies, by ID or name, are the escalation
	// policies whose on-call entries count as on-call time; empty is
	// every policy the people are on call for.
	OnCallEscalationPolicies []string `yaml:"oncall_escalation_policies"`
}

// Defaults of the pagerduty section.
const (
	DefaultPagerDutyURL         = "https://api.pagerduty.com"
	DefaultPagerDutyConcurrency = 2
)

// UnmarshalYAML sets the section's defaults, then decodes it: a key that
// is left out keeps its default, and an explicit 0 stays 0, except where
// 0 has always meant the default (see keepDefaults).
func (p *PagerDutyConfig) UnmarshalYAML(unmarshal func(any) error) error {
	api := defaultAPI(DefaultPagerDutyURL, DefaultPagerDutyConcurrency)
	*p = PagerDutyConfig{APIConfig: api}
	type plain PagerDutyConfig
	if err := unmarshal((*plain)(p)); err != nil {
		return err
	}
	p.keepDefaults(api)
	return nil
}

// Scope is what the PagerDuty source reads: its API, and the services
// and teams whose incidents it lists. It leaves out how it reads them:
// the token and the client's limits. Two sections of the same scope read
// the same data, so the state collected under one is valid under the
// other: a reload hands it over, and the state file, whose fingerprint
// is a hash of the scope, is restored.
//
// The encoding is that of the state files: changing it makes every saved
// state look like another config's, and costs one full sync.
func (p *PagerDutyConfig) Scope() string {
	if p == nil {
		return ""
	}
	return scope(p.APIURL, strings.Join(p.Services, ","), strings.Join(p.Teams, ","))
}

// Equal reports whether two pagerduty sections are the same, the token
// included, so that a source built from one serves the other unchanged
// and a reload keeps it as it is. Every field counts but
// OnCallEscalationPolicies, which the analysis applies to what the
// source collected. A nil section equals only nil.
func (p *PagerDutyConfig) Equal(o *PagerDutyConfig) bool {
	if p == nil || o == nil {
		return p == o
	}
	x, y := *p, *o
	x.APIConfig, y.APIConfig = APIConfig{}, APIConfig{}
	x.OnCallEscalationPolicies, y.OnCallEscalationPolicies = nil, nil
	return p.APIConfig.equal(&o.APIConfig) && reflect.DeepEqual(x, y)
}

// validate checks the section.
func (p *PagerDutyConfig) validate(errs *Errors) {
	p.APIConfig.validate("pagerduty", errs)
	validateNonEmpty("pagerduty.services", p.Services, errs)
	validateNonEmpty("pagerduty.teams", p.Teams, errs)
	validateNonEmpty("pagerduty.oncall_escalation_policies", p.OnCallEscalationPolicies, errs)
}
