package config

import (
	"strings"
	"testing"
)

func TestPrivacySection(t *testing.T) {
	base := "github: {token_env: GH, repositories: [a/b]}\ndomains: [{name: d}]\npeople: [{name: alice}, {name: bob}]\n"
	c, err := ParseWithoutSecrets([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.Privacy.Mode() != PrivacyNamed || !c.Privacy.ShowsTitles() || c.Shown(c.Privacy.Mode(), "bob") != "bob" {
		t.Errorf("defaults: %+v", c.Privacy)
	}
	c, err = ParseWithoutSecrets([]byte(base + "privacy: {people: pseudonymous, titles: false}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Privacy.Mode() != PrivacyPseudonymous || c.Privacy.ShowsTitles() ||
		c.Shown(c.Privacy.Mode(), "alice") != "person-1" || c.Shown(c.Privacy.Mode(), "bob") != "person-2" || c.Shown(c.Privacy.Mode(), "dave") != "dave" {
		t.Errorf("pseudonymous: %+v", c.Privacy)
	}
	_, err = ParseWithoutSecrets([]byte(strings.Replace(base, "{name: bob}", "{name: person-1}", 1) + "privacy: {people: aggregate}\n"))
	if err == nil || !strings.Contains(err.Error(), `people[1].name: "person-1" has the shape of a pseudonym`) {
		t.Errorf("a name like a pseudonym: %v", err)
	}
	_, err = ParseWithoutSecrets([]byte(base + "privacy: {people: anonymous}\n"))
	if err == nil || !strings.Contains(err.Error(), `privacy.people: "anonymous" must be one of named, pseudonymous and aggregate`) {
		t.Errorf("a bad mode: %v", err)
	}
}

// TestPseudonymiser: names, logins and addresses become pseudonyms as
// whole words, whatever their case, the longest first; parts of other
// words stay; named mode changes nothing.
func TestPseudonymiser(t *testing.T) {
	yml := "github: {token_env: GH, repositories: [a/b]}\ndomains: [{name: d}]\n" +
		"people:\n  - {name: al, github: [Al-SRE], pagerduty: [al@acme.example]}\n  - {name: bob, github: [bob-ops], pagerduty: [PBOB001]}\n"
	c, err := ParseWithoutSecrets([]byte(yml + "privacy: {people: pseudonymous}\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := c.Pseudonymiser()
	for in, want := range map[string]string{
		"calendar: feed of al: GET: 404":                    "calendar: feed of person-1: GET: 404",
		"q=is:pr reviewed-by:al-sre OR reviewed-by:BOB-OPS": "q=is:pr reviewed-by:person-1 OR reviewed-by:person-2",
		"resolved AL@acme.example to PBOB001":               "resolved person-1 to person-2",
		"stale [al bob]":                                    "stale [person-1 person-2]",
		"alice, bobby, calendar, al-sreX, mal, bobs":        "alice, bobby, calendar, al-sreX, mal, bobs",
		// A full stop ends a word: at a sentence's end, and so in bob.ops
		// too, which errs on the side of privacy.
		"the feed of bob.": "the feed of person-2.",
	} {
		if got := f(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	named, _ := ParseWithoutSecrets([]byte(yml))
	if got := named.Pseudonymiser()("feed of al"); got != "feed of al" {
		t.Errorf("named: %q", got)
	}
}
