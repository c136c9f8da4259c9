package config

import (
	"sort"
	"strings"
)

// identities maps account identities to indexes in Config.People.
type identities struct {
	github    map[string]int // lower-case login
	pagerduty map[string]int // user ID
	emails    map[string]int // lower-case e-mail address
}

func newIdentities() identities {
	return identities{github: map[string]int{}, pagerduty: map[string]int{}, emails: map[string]int{}}
}

func (ids identities) addGitHub(p, login string, person int, errs *Errors) {
	k := strings.ToLower(strings.TrimSpace(login))
	if k == "" {
		errs.add(p, "must not be empty")
		return
	}
	if _, dup := ids.github[k]; dup {
		errs.add(p, "GitHub login %q is given more than once", login)
		return
	}
	ids.github[k] = person
}

func (ids identities) addPagerDuty(p, v string, person int, errs *Errors) {
	v = strings.TrimSpace(v)
	if v == "" {
		errs.add(p, "must not be empty")
		return
	}
	m, k := ids.pagerduty, v
	if strings.Contains(v, "@") {
		m, k = ids.emails, strings.ToLower(v)
	}
	if _, dup := m[k]; dup {
		errs.add(p, "PagerDuty user %q is given more than once", v)
		return
	}
	m[k] = person
}

// GitHubPerson returns the index in People of the person with this GitHub
// login, or -1.
func (c *Config) GitHubPerson(login string) int {
	if i, ok := c.people.github[strings.ToLower(login)]; ok {
		return i
	}
	return -1
}

// PagerDutyUserPerson returns the index in People of the person given by
// this PagerDuty user ID, or -1.
func (c *Config) PagerDutyUserPerson(userID string) int {
	if i, ok := c.people.pagerduty[userID]; ok {
		return i
	}
	return -1
}

// PagerDutyEmailPerson returns the index in People of the person given by
// this e-mail address, or -1.
func (c *Config) PagerDutyEmailPerson(email string) int {
	if i, ok := c.people.emails[strings.ToLower(email)]; ok {
		return i
	}
	return -1
}

// PagerDutyEmails lists the lower-case e-mail addresses by which people are
// given, for the collector to resolve through the users API.
func (c *Config) PagerDutyEmails() []string {
	out := make([]string, 0, len(c.people.emails))
	for e := range c.people.emails {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}
