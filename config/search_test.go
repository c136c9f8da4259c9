package config

import (
	"strings"
	"testing"
	"time"
)

// TestSearchQueries: every query has is:issue or is:pull-request, the
// updated:>= qualifier, and at most 256 characters; terms are batched in
// order, each in exactly one batch, and each batch is asked twice.
func TestSearchQueries(t *testing.T) {
	since := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if got := SearchQueries([]string{"org:acme", "repo:acme-corp/infra"}, since); len(got) != 2 ||
		got[0] != "org:acme repo:acme-corp/infra is:issue updated:>=2026-11-25T12:00:00Z" ||
		got[1] != "org:acme repo:acme-corp/infra is:pull-request updated:>=2026-11-25T12:00:00Z" {
		t.Errorf("two terms: %q", got)
	}
	// " updated:>=2026-11-25T12:00:00Z" is 31 characters and
	// " is:pull-request" 16, which leaves 209 for the terms: ten terms of
	// 20 characters and their spaces take 209, so the eleventh starts a
	// second batch.
	var terms []string
	for i := 0; i < 11; i++ {
		terms = append(terms, "repo:o/"+strings.Repeat("x", 12)+string(rune('a'+i)))
	}
	got := SearchQueries(terms, since)
	if len(got) != 4 {
		t.Fatalf("eleven terms of 20 characters: %d queries, want 4: %q", len(got), got)
	}
	for _, q := range got {
		if len(q) > SearchMaxQueryLength || !strings.Contains(q, " updated:>=") ||
			!strings.Contains(q, " is:issue ") && !strings.Contains(q, " is:pull-request ") {
			t.Errorf("query of %d characters: %q", len(q), q)
		}
	}
	if !strings.HasPrefix(got[2], terms[10]+" is:issue") {
		t.Errorf("the second batch: %q, want the eleventh term alone", got[2])
	}
	if len(got[1]) != SearchMaxQueryLength {
		t.Errorf("the full batch's query: %d characters, want exactly %d", len(got[1]), SearchMaxQueryLength)
	}
}
