package config

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"reflect"
	"strings"

	"github.com/prometheus/common/model"
)

// CalendarConfig is the optional calendar section: how the people's
// iCalendar (RFC 5545) feeds are read. Each person's feed is
// people[].calendar; its URL is a secret.
type CalendarConfig struct {
	Concurrency    int            `yaml:"concurrency"`
	RequestTimeout model.Duration `yaml:"request_timeout"`
	MaxRetries     int            `yaml:"max_retries"`

	// client is the shared client's settings, from the fields above.
	client APIConfig
	// feeds are the people with a calendar, in config order.
	feeds []CalendarFeed
}

// CalendarFeed is one person's feed.
type CalendarFeed struct {
	Person string
	Email  string // the person's first PagerDuty e-mail address, or ""
	feed   *PersonCalendar
}

// URL is the feed's URL, a secret.
func (f CalendarFeed) URL() Secret { return f.feed.url.value() }

// PersonCalendar is where a person's feed URL comes from: an environment
// variable or a file. Calendar products make the URL the credential
// (Google Calendar's "secret address in iCal format"), so it is never
// printed, logged or exported.
type PersonCalendar struct {
	URLEnv  string `yaml:"url_env"`
	URLFile string `yaml:"url_file"`
	// Self is the person's e-mail address in the calendar, to recognise
	// their own declined invitations; the default is their first
	// e-mail address in people[].pagerduty.
	Self string `yaml:"self"`

	url *Secret
}

// Defaults of the calendar section.
const DefaultCalendarConcurrency = 4

// UnmarshalYAML sets the section's defaults, then decodes it.
func (c *CalendarConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*c = CalendarConfig{Concurrency: DefaultCalendarConcurrency, RequestTimeout: DefaultRequestTimeout, MaxRetries: DefaultMaxRetries}
	type plain CalendarConfig
	return unmarshal((*plain)(c))
}

// Feeds are the people's feeds, in config order.
func (c *CalendarConfig) Feeds() []CalendarFeed { return c.feeds }

// API is the shared client's settings for the feeds.
func (c *CalendarConfig) API() *APIConfig { return &c.client }

func (c *CalendarConfig) api() *APIConfig { return &c.client }

func (c *CalendarConfig) equal(o section) bool {
	y, ok := o.(*CalendarConfig)
	return ok && c.Equal(y)
}

// Scope is what the source reads: each person's feed, by a hash of its
// URL, so that the state file's fingerprint changes with a new URL
// without holding it.
func (c *CalendarConfig) Scope() string {
	if c == nil {
		return ""
	}
	var parts []string
	for _, f := range c.feeds {
		sum := sha256.Sum256([]byte(f.URL()))
		parts = append(parts, f.Person+"="+hex.EncodeToString(sum[:8]))
	}
	return scope("calendar", strings.Join(parts, ","))
}

// Equal reports whether two calendar sections are the same, the feeds'
// URLs and people included.
func (c *CalendarConfig) Equal(o *CalendarConfig) bool {
	if c == nil || o == nil {
		return c == o
	}
	if len(c.feeds) != len(o.feeds) {
		return false
	}
	for i := range c.feeds {
		x, y := c.feeds[i], o.feeds[i]
		if x.Person != y.Person || x.Email != y.Email || !sameFeed(x.feed, y.feed) {
			return false
		}
	}
	return c.Concurrency == o.Concurrency && c.RequestTimeout == o.RequestTimeout && c.MaxRetries == o.MaxRetries
}

func sameFeed(a, b *PersonCalendar) bool {
	x, y := *a, *b
	x.url, y.url = nil, nil
	return reflect.DeepEqual(x, y) && a.url.value() == b.url.value()
}

// SetCalendarURL gives a person's feed a URL; the demo uses it to aim the
// feeds at its simulation.
func (c *Config) SetCalendarURL(person string, u Secret) {
	for i := range c.People {
		if p := &c.People[i]; p.Name == person && p.Calendar != nil {
			p.Calendar.url = &u
		}
	}
}

// validateCalendar checks the section and the people's feeds, and links
// them.
func (c *Config) validateCalendar(errs *Errors) {
	cal := c.Calendar
	if cal != nil {
		if cal.Concurrency < 1 || cal.Concurrency > 100 {
			errs.add("calendar.concurrency", "must be between 1 and 100")
		}
		if cal.RequestTimeout < model.Duration(1e9) {
			errs.add("calendar.request_timeout", "must be at least 1s")
		}
		if cal.MaxRetries < 0 || cal.MaxRetries > 10 {
			errs.add("calendar.max_retries", "must be between 0 and 10")
		}
		cal.client = APIConfig{Concurrency: cal.Concurrency, RequestTimeout: cal.RequestTimeout, MaxRetries: cal.MaxRetries}
		cal.feeds = nil
	}
	for i := range c.People {
		p := &c.People[i]
		pc := p.Calendar
		if pc == nil {
			continue
		}
		path := index("people", i) + ".calendar"
		switch {
		case cal == nil:
			errs.add(path, "needs the calendar section")
		case pc.URLEnv == "" && pc.URLFile == "":
			errs.add(path, "one of url_env and url_file is required")
		case pc.URLEnv != "" && pc.URLFile != "":
			errs.add(path, "url_env and url_file are mutually exclusive")
		}
		if cal == nil {
			continue
		}
		self := strings.ToLower(pc.Self)
		if self == "" {
			for _, v := range p.PagerDuty {
				if strings.Contains(v, "@") {
					self = strings.ToLower(strings.TrimSpace(v))
					break
				}
			}
		}
		cal.feeds = append(cal.feeds, CalendarFeed{Person: p.Name, Email: self, feed: pc})
	}
	if cal != nil && len(cal.feeds) == 0 {
		errs.add("calendar", "no person has a feed: give people[].calendar")
	}
}

// resolveCalendarURLs reads each feed's URL, and checks it without ever
// quoting it.
func (c *Config) resolveCalendarURLs(env Environment, errs *Errors) {
	for i := range c.People {
		pc := c.People[i].Calendar
		if pc == nil || c.Calendar == nil {
			continue
		}
		path := index("people", i) + ".calendar"
		var v string
		if pc.URLEnv != "" {
			v = strings.TrimSpace(env.getenv(pc.URLEnv))
			if v == "" {
				errs.add(path+".url_env", "environment variable %s is unset or empty", pc.URLEnv)
				continue
			}
		} else {
			data, err := env.readFile(pc.URLFile)
			if err != nil {
				errs.add(path+".url_file", "cannot read the URL file: %v", err)
				continue
			}
			v = strings.TrimSpace(string(data))
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// Never the URL itself: it is the credential.
			errs.add(path, "the feed URL is not an absolute http or https URL")
			continue
		}
		s := Secret(v)
		pc.url = &s
	}
}
