package analysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/config"
)

func domainsConfig(t testing.TB, n int) *config.Config {
	var y strings.Builder
	y.WriteString("pagerduty: {token_env: T}\ndomains:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&y, "  - {name: d%d}\n", i)
	}
	c, err := config.ParseWithoutSecrets([]byte(y.String()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pairsOf(n int, edges map[[2]int]int) [][]int {
	p := make([][]int, n)
	for i := range p {
		p[i] = make([]int, n)
	}
	for e, c := range edges {
		p[e[0]][e[1]] += c
		p[e[1]][e[0]] += c
	}
	return p
}

// TestSuggestSplitByHand: four domains with context switches 0-1: 5,
// 1-2: 5, 0-2: 1, 2-3: 3 (14 in all) and activities 40, 20, 30, 10. The
// groupings that keep d0 in the first team remove (cross) these switches:
//
//	{d1}: 10, {d2}: 9, {d3}: 3, {d1,d2}: 9, {d1,d3}: 13, {d2,d3}: 6, {d1,d2,d3}: 6
//
// {d1,d3} removes the most, 13 of 14, and holds 30% of the activity.
func TestSuggestSplitByHand(t *testing.T) {
	c := domainsConfig(t, 4)
	pairs := pairsOf(4, map[[2]int]int{{0, 1}: 5, {1, 2}: 5, {0, 2}: 1, {2, 3}: 3})
	acts := []int{40, 20, 30, 10}
	s, why, n := suggestSplit(c, pairs, acts, 0.25)
	if s == nil {
		t.Fatalf("no split: %s", why)
	}
	if n != 7 {
		t.Errorf("evaluated %d groupings, want 2^3 - 1 = 7", n)
	}
	if !slices.Equal(s.Teams[0], []string{"d0", "d2"}) || !slices.Equal(s.Teams[1], []string{"d1", "d3"}) {
		t.Errorf("teams %v", s.Teams)
	}
	if want := 13.0 / 14; s.RemovedRatio != want {
		t.Errorf("removed %v, want %v", s.RemovedRatio, want)
	}
	if s.Shares != [2]float64{0.7, 0.3} {
		t.Errorf("shares %v", s.Shares)
	}
	// With each team needing 35%, {d1,d3} (30%), {d1} (20%), {d2} (30%)
	// and {d3} (10%) are out; the best left is {d1,d2}: 9 of 14.
	s, _, _ = suggestSplit(c, pairs, acts, 0.35)
	if s == nil || !slices.Equal(s.Teams[1], []string{"d1", "d2"}) || s.RemovedRatio != 9.0/14 {
		t.Errorf("with the share at 35%%: %+v", s)
	}
}

func TestSuggestSplitNoQualifyingGrouping(t *testing.T) {
	c := domainsConfig(t, 3)
	// One domain holds 90% of the work: no grouping gives each team 25%.
	s, why, _ := suggestSplit(c, pairsOf(3, map[[2]int]int{{0, 1}: 5}), []int{90, 5, 5}, 0.25)
	if s != nil || !strings.Contains(why, "no grouping into two teams gives each at least 25% of the activity") {
		t.Errorf("got %+v, %q", s, why)
	}
}

// TestSuggestSplitSixteenDomains evaluates every one of the 2^15 - 1
// groupings of 16 domains; BenchmarkSuggestSplit measures how long it
// takes.
func TestSuggestSplitSixteenDomains(t *testing.T) {
	c := domainsConfig(t, 16)
	edges := map[[2]int]int{}
	acts := make([]int, 16)
	for i := 0; i < 16; i++ {
		acts[i] = 10 + i
		edges[[2]int{i, (i + 1) % 16}] = i + 1
	}
	s, why, n := suggestSplit(c, pairsOf(16, edges), acts, 0.25)
	if s == nil || n != 1<<15-1 {
		t.Errorf("evaluated %d groupings (want %d): %+v %s", n, 1<<15-1, s, why)
	}
	if _, why, _ := suggestSplit(domainsConfig(t, 17), pairsOf(17, nil), make([]int, 17), 0.25); !strings.Contains(why, "at most 16") {
		t.Errorf("17 domains: %q", why)
	}
}

func BenchmarkSuggestSplit(b *testing.B) {
	c := domainsConfig(b, 16)
	edges := map[[2]int]int{}
	acts := make([]int, 16)
	for i := 0; i < 16; i++ {
		acts[i] = 10 + i
		for j := i + 1; j < 16; j++ {
			edges[[2]int{i, j}] = (i*7 + j*3) % 11
		}
	}
	pairs := pairsOf(16, edges)
	for b.Loop() {
		suggestSplit(c, pairs, acts, 0.25)
	}
}
