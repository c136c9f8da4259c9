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
	_, err = ParseWithoutSecrets([]byte(base + "privacy: {people: anonymous}\n"))
	if err == nil || !strings.Contains(err.Error(), `privacy.people: "anonymous" must be one of named, pseudonymous and aggregate`) {
		t.Errorf("a bad mode: %v", err)
	}
}
