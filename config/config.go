// Package config owns the exporter's YAML schema, its defaults, its
// validation and the compiled domain rules.
//
// The runtime only ever receives a *Config from Load or Parse, which have
// validated it: there is no way to build a running exporter from an
// unvalidated file.
//
// Each concept lives in one file:
//   - config.go: the top-level keys, Load and Parse;
//   - sources.go: the one list of source kinds (Sources), and what a
//     reload and the state files ask of a section: SameSource and Scope;
//   - api.go: the API client settings that every source's section
//     shares (APIConfig: api_url, the token, concurrency, timeouts,
//     retries, the rate-limit reserve), and Secret;
//   - github.go, pagerduty.go: one source's section each, with its
//     defaults (in UnmarshalYAML), validation, Scope (what the source
//     reads: its collected state is valid only under the same scope) and
//     Equal (the whole section, secrets included: a reload keeps an
//     equal source as it is). scope_test.go records the decision for
//     every field, so that a new field cannot be left out of either;
//   - search.go: the Search API's limits, the change-detection queries
//     built from the github section, and their budget check;
//   - rules.go, people.go, split.go, inventory.go: domain rules and
//     classification, people and their accounts, the split thresholds,
//     the inventory of recurring duties;
//   - validate.go: the checks across sections; errors.go: the errors
//     with their field paths, and the shape check that finds them.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Defaults for keys that may be left out.
const (
	DefaultRefreshInterval = model.Duration(5 * time.Minute)
	DefaultWindow          = model.Duration(7 * 24 * time.Hour)
	DefaultTimezone        = "UTC"
	// Unclassified is the domain of an item that no rule matches. It is
	// reserved: no declared domain may use it.
	Unclassified = "unclassified"
)

// Config is a validated configuration file.
type Config struct {
	RefreshInterval model.Duration   `yaml:"refresh_interval"`
	Window          model.Duration   `yaml:"window"`
	Timezone        string           `yaml:"timezone"`
	GitHub          *GitHubConfig    `yaml:"github"`
	PagerDuty       *PagerDutyConfig `yaml:"pagerduty"`
	// Calendar is the optional calendar source: the people's iCalendar
	// feeds (people[].calendar).
	Calendar  *CalendarConfig `yaml:"calendar"`
	Domains   []Domain        `yaml:"domains"`
	Rules     []Rule          `yaml:"rules"`
	People    []Person        `yaml:"people"`
	Split     SplitConfig     `yaml:"split"`
	Analysis  AnalysisConfig  `yaml:"analysis"`
	Inventory []Duty          `yaml:"inventory"`
	// Privacy is how people are shown in what the exporter writes.
	Privacy PrivacyConfig `yaml:"privacy"`

	location *time.Location
	domains  map[string]int // name -> index in Domains
	people   identities
}

// Domain is one SRE domain that work can belong to.
type Domain struct {
	Name         string `yaml:"name"`
	ProposedTeam string `yaml:"proposed_team"`
}

// Person is a member of the SRE team. Only people get per-person series.
type Person struct {
	Name      string   `yaml:"name"`
	GitHub    []string `yaml:"github"`
	PagerDuty []string `yaml:"pagerduty"`
	Timezone  string   `yaml:"timezone"`
	// Joined and Left are the person's first and last day in the team,
	// as YYYY-MM-DD dates in their time zone; "" is no bound.
	Joined       string        `yaml:"joined"`
	Left         string        `yaml:"left"`
	WorkingHours *WorkingHours `yaml:"working_hours"`
	// Calendar is the person's iCalendar feed, with the calendar section.
	Calendar *PersonCalendar `yaml:"calendar"`

	location *time.Location
	joined   date // zero when Joined is ""
	left     date // zero when Left is ""
}

// Location is the person's time zone, or the config's default zone.
func (p *Person) Location() *time.Location { return p.location }

// Location is the default time zone of people who set none.
func (c *Config) Location() *time.Location { return c.location }

// DomainNames lists the declared domains, in config order.
func (c *Config) DomainNames() []string {
	out := make([]string, len(c.Domains))
	for i, d := range c.Domains {
		out[i] = d.Name
	}
	return out
}

// DomainIndex returns the index of a declared domain in Domains, or
// len(Domains) for Unclassified and unknown names.
func (c *Config) DomainIndex(name string) int {
	if i, ok := c.domains[name]; ok {
		return i
	}
	return len(c.Domains)
}

// ProposedTeams lists the distinct proposed teams of the domains, in
// config order.
func (c *Config) ProposedTeams() []string {
	var out []string
	for _, d := range c.Domains {
		if !slices.Contains(out, d.ProposedTeam) {
			out = append(out, d.ProposedTeam)
		}
	}
	return out
}

// Environment is what Load reads secrets from. The zero value reads the
// process environment and the file system.
type Environment struct {
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
}

func (e Environment) getenv(k string) string {
	if e.Getenv == nil {
		return os.Getenv(k)
	}
	return e.Getenv(k)
}

func (e Environment) readFile(p string) ([]byte, error) {
	if e.ReadFile == nil {
		return os.ReadFile(p)
	}
	return e.ReadFile(p)
}

// Load reads, validates and compiles the config file at path, and resolves
// its secrets from the process environment.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config file: %w", err)
	}
	// A relative token_file is relative to the config file, as in
	// Prometheus's own config.
	dir := filepath.Dir(path)
	return Parse(data, Environment{ReadFile: func(p string) ([]byte, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return os.ReadFile(p)
	}})
}

// Parse validates and compiles a config document and resolves its secrets.
// The error, when there is one, is an *Errors listing every problem found.
func Parse(data []byte, env Environment) (*Config, error) {
	c, err := parseOnly(data)
	if err != nil {
		return nil, err
	}
	if err := c.resolveSecrets(env); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseWithoutSecrets validates a config document without reading its
// secrets; the demo uses it, and fills in its own endpoints and tokens.
func ParseWithoutSecrets(data []byte) (*Config, error) { return parseOnly(data) }

func parseOnly(data []byte) (*Config, error) {
	var errs Errors
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			errs.add("", "the config file is empty")
			return nil, &errs
		}
		errs.add("", "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, &errs
	}
	checkShape(&root, &Config{}, "", &errs)
	if len(errs) > 0 {
		return nil, &errs
	}
	// Defaults first: a key that is left out keeps its default, and one
	// that is written keeps what is written, 0 included. A document that
	// is only null decodes nothing, and means the defaults too.
	c := &Config{RefreshInterval: DefaultRefreshInterval, Window: DefaultWindow, Timezone: DefaultTimezone, Split: defaultSplit,
		Analysis: AnalysisConfig{UninterruptedMin: DefaultUninterruptedMin}}
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(c); err != nil {
		// checkShape should have caught this with a path; keep the
		// decoder's own words as a backstop.
		errs.add("", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, &errs
	}
	c.applyDefaults()
	c.validate(&errs)
	if len(errs) > 0 {
		return nil, &errs
	}
	return c, nil
}

// applyDefaults fills in the defaults that depend on what was decoded.
func (c *Config) applyDefaults() {
	// timezone: "" has always meant the default zone.
	if c.Timezone == "" {
		c.Timezone = DefaultTimezone
	}
	for i := range c.Rules {
		if c.Rules[i].Name == "" {
			c.Rules[i].Name = fmt.Sprintf("rule-%d", i+1)
		}
	}
}

func (c *Config) resolveSecrets(env Environment) error {
	var errs Errors
	if c.GitHub != nil {
		c.GitHub.resolveSecrets(env, &errs)
	}
	if c.PagerDuty != nil {
		c.PagerDuty.resolveSecret("pagerduty", env, &errs)
	}
	c.resolveCalendarURLs(env, &errs)
	if len(errs) > 0 {
		return &errs
	}
	return nil
}

// AnalysisConfig holds the analysis's own settings.
type AnalysisConfig struct {
	// UninterruptedMin is the shortest gap in a person's working hours,
	// with no meeting and no page, that counts as uninterrupted time.
	UninterruptedMin model.Duration `yaml:"uninterrupted_min"`
}

// DefaultUninterruptedMin is two hours, a maker's half-morning.
const DefaultUninterruptedMin = model.Duration(2 * time.Hour)

// UnmarshalYAML keeps the defaults of the keys left out.
func (a *AnalysisConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*a = AnalysisConfig{UninterruptedMin: DefaultUninterruptedMin}
	type plain AnalysisConfig
	return unmarshal((*plain)(a))
}
