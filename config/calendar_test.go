package config

import (
	"strings"
	"testing"
)

const calendarConfig = `
github: {token_env: GH, repositories: [a/b]}
calendar: {}
domains: [{name: d}]
people:
  - {name: alice, pagerduty: [Alice@Acme.Example], calendar: {url_env: ALICE_CAL}}
  - {name: bob, calendar: {url_file: bob.url, self: bob@acme.example}}
  - {name: carol}
`

// TestCalendarSection: the feeds of the people who have one, their URLs
// read from the environment or a file, the person's own address, and a
// scope that changes with a URL without holding it.
func TestCalendarSection(t *testing.T) {
	secret := "https://calendar.example/calendar/ical/alice%40acme.example/private-0123456789abcdef/basic.ics"
	env := Environment{
		Getenv:   func(k string) string { return map[string]string{"GH": "t", "ALICE_CAL": secret}[k] },
		ReadFile: func(p string) ([]byte, error) { return []byte("https://calendar.example/bob.ics\n"), nil },
	}
	c, err := Parse([]byte(calendarConfig), env)
	if err != nil {
		t.Fatal(err)
	}
	feeds := c.Calendar.Feeds()
	if len(feeds) != 2 || feeds[0].Person != "alice" || feeds[0].Email != "alice@acme.example" || feeds[1].Email != "bob@acme.example" ||
		string(feeds[0].URL()) != secret || string(feeds[1].URL()) != "https://calendar.example/bob.ics" {
		t.Fatalf("feeds %+v", feeds)
	}
	if c.Calendar.API().Concurrency != DefaultCalendarConcurrency || c.Sources()[0] != "calendar" {
		t.Errorf("client %+v, sources %v", c.Calendar.API(), c.Sources())
	}
	scope := c.Scope("calendar")
	if strings.Contains(scope, "private-0123456789abcdef") {
		t.Errorf("the scope holds the URL: %q", scope)
	}
	other := Environment{Getenv: func(k string) string { return map[string]string{"GH": "t", "ALICE_CAL": secret + "x"}[k] }, ReadFile: env.ReadFile}
	c2, err := Parse([]byte(calendarConfig), other)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Scope("calendar") == scope || SameSource(c, c2, "calendar") {
		t.Error("a new feed URL is the same source")
	}
}

// TestCalendarErrors: one message per problem, none quoting a URL.
func TestCalendarErrors(t *testing.T) {
	_, err := ParseWithoutSecrets([]byte(`
github: {token_env: GH, repositories: [a/b]}
domains: [{name: d}]
people:
  - {name: alice, calendar: {url_env: A}}
`))
	if err == nil || !strings.Contains(err.Error(), "people[0].calendar: needs the calendar section") {
		t.Errorf("a feed without the section: %v", err)
	}
	_, err = ParseWithoutSecrets([]byte(`
github: {token_env: GH, repositories: [a/b]}
calendar: {concurrency: 0}
domains: [{name: d}]
people:
  - {name: alice, calendar: {url_env: A, url_file: f}}
  - {name: bob, calendar: {}}
`))
	for _, want := range []string{"calendar.concurrency: must be between 1 and 100", "people[0].calendar: url_env and url_file are mutually exclusive",
		"people[1].calendar: one of url_env and url_file is required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	_, err = ParseWithoutSecrets([]byte("github: {token_env: GH, repositories: [a/b]}\ncalendar: {}\ndomains: [{name: d}]\npeople: [{name: alice}]\n"))
	if err == nil || !strings.Contains(err.Error(), "calendar: no person has a feed") {
		t.Errorf("a section without feeds: %v", err)
	}
	_, err = Parse([]byte(calendarConfig), Environment{Getenv: func(k string) string {
		return map[string]string{"GH": "t", "ALICE_CAL": "webcal-not-a-url secret-part"}[k]
	}, ReadFile: func(string) ([]byte, error) { return []byte("https://x/bob.ics"), nil }})
	if err == nil || !strings.Contains(err.Error(), "people[0].calendar: the feed URL is not an absolute http or https URL") || strings.Contains(err.Error(), "secret-part") {
		t.Errorf("a bad URL: %v", err)
	}
}
