package config

import (
	"regexp"
	"strconv"
	"strings"
)

// Duty is one recurring duty of the team: planned work that never becomes
// an issue or an incident (reviews, true-ups, access recertifications).
type Duty struct {
	Name   string   `yaml:"name"`
	Domain string   `yaml:"domain"`
	Owners []string `yaml:"owners"`
	// Every is the period: a count and a unit, d (day), w (week), M
	// (month) or y (year), as in 1d, 1w, 2w, 1M, 3M, 1y.
	Every string  `yaml:"every"`
	Hours float64 `yaml:"hours"`

	weeks float64 // the period in weeks
}

// weeksPer is the length of each period unit in weeks: a month is a
// twelfth of a 52-week year.
var weeksPer = map[string]float64{"d": 1.0 / 7, "w": 1, "M": 52.0 / 12, "y": 52}

var periodRE = regexp.MustCompile(`^([1-9][0-9]*)([dwMy])$`)

// HoursPerWeek is the duty's load in hours per week, for all its owners
// together.
func (d *Duty) HoursPerWeek() float64 { return d.Hours / d.weeks }

func (c *Config) validateInventory(errs *Errors) {
	names := map[string]bool{}
	for i := range c.Inventory {
		d := &c.Inventory[i]
		p := index("inventory", i)
		switch {
		case strings.TrimSpace(d.Name) == "":
			errs.add(p+".name", "is required")
		case names[d.Name]:
			errs.add(p+".name", "duplicate duty %q", d.Name)
		}
		names[d.Name] = true
		if _, ok := c.domains[d.Domain]; !ok {
			errs.add(p+".domain", "unknown domain %q", d.Domain)
		}
		if len(d.Owners) == 0 {
			errs.add(p+".owners", "at least one owner is required")
		}
		for j, o := range d.Owners {
			if c.PersonIndex(o) < 0 {
				errs.add(index(p+".owners", j), "unknown person %q", o)
			}
		}
		if d.Hours <= 0 {
			errs.add(p+".hours", "must be positive")
		}
		m := periodRE.FindStringSubmatch(d.Every)
		if m == nil {
			errs.add(p+".every", "%q must be a count and a unit d, w, M or y, such as 1w or 3M", d.Every)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		d.weeks = float64(n) * weeksPer[m[2]]
	}
}

// PersonIndex returns the index in People of the named person, or -1.
func (c *Config) PersonIndex(name string) int {
	for i := range c.People {
		if c.People[i].Name == name {
			return i
		}
	}
	return -1
}
