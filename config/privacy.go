package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
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

var pseudonymRE = regexp.MustCompile(`^person-[0-9]+$`)

func (c *Config) validatePrivacy(errs *Errors) {
	if p := c.Privacy.People; p != "" && !slices.Contains(PrivacyModes, p) {
		errs.add("privacy.people", "%q must be one of named, pseudonymous and aggregate", p)
	}
	if c.Privacy.Mode() == PrivacyNamed {
		return
	}
	for i, p := range c.People {
		if pseudonymRE.MatchString(p.Name) {
			errs.add(index("people", i)+".name", "%q has the shape of a pseudonym (person-N), which privacy.people: %s gives every person: choose another name", p.Name, c.Privacy.Mode())
		}
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

// Pseudonymiser rewrites text as privacy.people shows people: under
// pseudonymous and aggregate, every configured name, GitHub login and
// e-mail address of a person (case-insensitive, as a whole word) becomes
// the person's pseudonym; under named it returns the text as it is. Logs
// and error texts go through it, so that a message that quotes an account
// (a search query, a feed's person) names nobody.
func (c *Config) Pseudonymiser() func(string) string {
	if c.Privacy.Mode() == PrivacyNamed {
		return func(s string) string { return s }
	}
	byID := map[string]string{}
	var ids []string
	for i, p := range c.People {
		for _, id := range append(append([]string{p.Name}, p.GitHub...), p.PagerDuty...) {
			if id = strings.ToLower(strings.TrimSpace(id)); len(id) >= 2 && byID[id] == "" {
				byID[id] = Pseudonym(i)
				ids = append(ids, regexp.QuoteMeta(id))
			}
		}
		if p.Calendar != nil && p.Calendar.Self != "" {
			if id := strings.ToLower(p.Calendar.Self); byID[id] == "" {
				byID[id] = Pseudonym(i)
				ids = append(ids, regexp.QuoteMeta(id))
			}
		}
	}
	if len(ids) == 0 {
		return func(s string) string { return s }
	}
	// The longest first, so that alice-sre is replaced whole before alice.
	sort.Slice(ids, func(i, j int) bool { return len(ids[i]) > len(ids[j]) })
	// A word: not inside a longer run of name characters (letters,
	// digits, _, - and .), so that "al" never matches inside "calendar".
	re := regexp.MustCompile(`(?i)(^|[^a-z0-9_.@-])(` + strings.Join(ids, "|") + `)($|[^a-z0-9_@-])`)
	return func(s string) string {
		// Matches can share their boundary character: replace until
		// nothing changes.
		for {
			out := re.ReplaceAllStringFunc(s, func(m string) string {
				sub := re.FindStringSubmatch(m)
				return sub[1] + byID[strings.ToLower(sub[2])] + sub[3]
			})
			if out == s {
				return out
			}
			s = out
		}
	}
}
