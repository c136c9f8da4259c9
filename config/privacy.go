package config

import (
	"fmt"
	"slices"
)

// The privacy.people modes.
const (
	// PrivacyNamed shows people by their configured names.
	PrivacyNamed = "named"
	// PrivacyPseudonymous shows each person as a stable pseudonym,
	// person-1, person-2, in people[] order.
	PrivacyPseudonymous = "pseudonymous"
	// PrivacyAggregate shows no person at all: only team-level figures.
	PrivacyAggregate = "aggregate"
)

// PrivacyModes are the values of privacy.people.
var PrivacyModes = []string{PrivacyNamed, PrivacyPseudonymous, PrivacyAggregate}

// PrivacyConfig is the optional privacy section: how the people the
// exporter measures are shown in what it writes.
type PrivacyConfig struct {
	// People is named (the default), pseudonymous or aggregate.
	People string `yaml:"people"`
	// Titles, true by default, lets the report's data-quality section
	// list the titles of unclassified items; false leaves them out.
	Titles *bool `yaml:"titles"`
}

// ShowsTitles reports whether items' titles may be shown.
func (p PrivacyConfig) ShowsTitles() bool { return p.Titles == nil || *p.Titles }

// Mode is privacy.people, named when unset.
func (p PrivacyConfig) Mode() string {
	if p.People == "" {
		return PrivacyNamed
	}
	return p.People
}

func (c *Config) validatePrivacy(errs *Errors) {
	if p := c.Privacy.People; p != "" && !slices.Contains(PrivacyModes, p) {
		errs.add("privacy.people", "%q must be one of named, pseudonymous and aggregate", p)
	}
}

// Pseudonym is the pseudonym of the i-th person of people[]: person-1 for
// the first. It depends only on the order of people[], so it is stable
// across restarts and reloads that keep that order; the mapping to names
// lives only in the config.
func Pseudonym(i int) string { return fmt.Sprintf("person-%d", i+1) }

// Shown is how the person of people[] named name is shown under mode:
// their name when named, their pseudonym otherwise (aggregate shows no
// person, and uses it only where a person slips through, as in a log
// line). A name that is not a configured person is returned as it is.
func (c *Config) Shown(mode, name string) string {
	if mode == PrivacyNamed {
		return name
	}
	if i := slices.IndexFunc(c.People, func(p Person) bool { return p.Name == name }); i >= 0 {
		return Pseudonym(i)
	}
	return name
}
