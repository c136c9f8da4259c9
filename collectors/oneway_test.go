package collectors

import (
	"regexp"
	"testing"
)

// TestOneWay: the same value and purpose give the same hash, of the
// state files' shape; another purpose or value another hash; and the
// value is not in it.
func TestOneWay(t *testing.T) {
	a := OneWay("github login", "alice-sre")
	if a != OneWay("github login", "alice-sre") || !regexp.MustCompile(`^~[0-9a-f]{24}$`).MatchString(a) {
		t.Errorf("OneWay = %q", a)
	}
	if a == OneWay("address", "alice-sre") || a == OneWay("github login", "bob-ops") {
		t.Error("another purpose or value gives the same hash")
	}
}
