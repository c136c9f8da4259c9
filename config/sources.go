package config

import "strings"

// sourceKinds is config's one list of the source kinds, in label order,
// each with its section in a config.
var sourceKinds = []struct {
	name string
	// section is the kind's section in c, nil when c has none.
	section func(c *Config) section
}{
	{"calendar", func(c *Config) section {
		if c.Calendar == nil {
			return nil
		}
		return c.Calendar
	}},
	{"github", func(c *Config) section {
		if c.GitHub == nil {
			return nil
		}
		return c.GitHub
	}},
	{"pagerduty", func(c *Config) section {
		if c.PagerDuty == nil {
			return nil
		}
		return c.PagerDuty
	}},
}

// section is what every source's section of the config has: the shared
// API client settings, a scope and an equality (see github.go).
type section interface {
	api() *APIConfig
	Scope() string
	equal(section) bool
}

func (a *APIConfig) api() *APIConfig { return a }

func (g *GitHubConfig) equal(o section) bool {
	y, ok := o.(*GitHubConfig)
	return ok && g.Equal(y)
}

func (p *PagerDutyConfig) equal(o section) bool {
	y, ok := o.(*PagerDutyConfig)
	return ok && p.Equal(y)
}

// sectionOf returns the section of source in c, nil when c has none;
// ok is false when there is no such source kind.
func (c *Config) sectionOf(source string) (s section, ok bool) {
	for _, k := range sourceKinds {
		if k.name == source {
			return k.section(c), true
		}
	}
	return nil, false
}

// Sources lists the configured sources, in label order.
func (c *Config) Sources() []string {
	var out []string
	for _, k := range sourceKinds {
		if k.section(c) != nil {
			out = append(out, k.name)
		}
	}
	return out
}

// SameSource reports whether a source's section is the same in two
// configs, secrets included (the section's Equal): a reload then keeps
// the running source as it is. A section that differs only in how the
// source reads, not in what (the same Scope), gets a new source that
// takes over the old one's state.
func SameSource(a, b *Config, source string) bool {
	x, ok := a.sectionOf(source)
	y, _ := b.sectionOf(source)
	if !ok || x == nil || y == nil {
		return ok && x == nil && y == nil
	}
	return x.equal(y)
}

// Scope is what the source reads under c (the section's Scope), "" when c
// has no such section. The state file's fingerprint is a hash of it.
func (c *Config) Scope(source string) string {
	if s, _ := c.sectionOf(source); s != nil {
		return s.Scope()
	}
	return ""
}

// scope encodes the fields that decide what a source reads, in the
// encoding of the state files' fingerprints.
func scope(fields ...string) string { return strings.Join(fields, "\x00") }

// SetEndpoint points a source at another API URL with a fixed token. The demo
// uses it to aim the real collectors at the embedded simulation.
func (c *Config) SetEndpoint(source, apiURL string, token Secret) {
	if s, _ := c.sectionOf(source); s != nil {
		a := s.api()
		a.APIURL, a.token = apiURL, &token
	}
}
