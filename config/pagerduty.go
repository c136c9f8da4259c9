package config

// PagerDutyConfig is the optional pagerduty section.
type PagerDutyConfig struct {
	APIConfig `yaml:",inline"`
	Services  []string `yaml:"services"`
	Teams     []string `yaml:"teams"`
}

// Defaults of the pagerduty section.
const (
	DefaultPagerDutyURL         = "https://api.pagerduty.com"
	DefaultPagerDutyConcurrency = 2
)

// validate checks the section.
func (p *PagerDutyConfig) validate(errs *Errors) {
	p.APIConfig.validate("pagerduty", errs)
	validateNonEmpty("pagerduty.services", p.Services, errs)
	validateNonEmpty("pagerduty.teams", p.Teams, errs)
}
