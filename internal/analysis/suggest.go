package analysis

import (
	"fmt"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// maxSuggestDomains bounds the exhaustive search: 2^15 groupings at 16.
const maxSuggestDomains = 16

// SuggestedSplit is the grouping of the declared domains into two teams
// that removes the most context switching while each team holds at least
// split.secondary_team_share of the classified activity.
type SuggestedSplit struct {
	// Teams are the domains of each team, in config order; the first
	// domain is always in Teams[0].
	Teams [2][]string
	// RemovedRatio is the share of all context switches whose two
	// domains fall in different teams: the switching this split removes.
	RemovedRatio float64
	// Shares are each team's share of the classified activity.
	Shares [2]float64
}

// suggestSplit searches every grouping of the domains into two non-empty
// teams for the one that removes the most switching; between groupings
// that remove as much, it takes the more even one. pairs[i][j] counts context switches between domains i and j (in
// either order); acts[i] the classified activities in domain i. It returns
// nil and the reason when no grouping qualifies, and how many groupings it
// evaluated.
func suggestSplit(cfg *config.Config, pairs [][]int, acts []int, minShare float64) (*SuggestedSplit, string, int) {
	n := len(cfg.Domains)
	if n < 2 {
		return nil, "a split needs at least two domains", 0
	}
	if n > maxSuggestDomains {
		return nil, fmt.Sprintf("the search covers at most %d domains; there are %d", maxSuggestDomains, n), 0
	}
	total, switches := 0, 0
	for i := range n {
		total += acts[i]
		for j := i + 1; j < n; j++ {
			switches += pairs[i][j]
		}
	}
	if total == 0 {
		return nil, "there is no classified activity to split", 0
	}
	bestMask, bestRemoved, bestBalance, evaluated := -1, -1, 0.0, 0
	// Domain 0 stays in team 0; bit i-1 of mask puts domain i in team 1.
	for mask := 1; mask < 1<<(n-1); mask++ {
		evaluated++
		inB := func(i int) bool { return i > 0 && mask&(1<<(i-1)) != 0 }
		b := 0
		for i := range n {
			if inB(i) {
				b += acts[i]
			}
		}
		shareB := float64(b) / float64(total)
		if minShare > 0 && (shareB < minShare || 1-shareB < minShare) {
			continue
		}
		removed := 0
		for i := range n {
			for j := i + 1; j < n; j++ {
				if inB(i) != inB(j) {
					removed += pairs[i][j]
				}
			}
		}
		// The most switching removed; between equals, the more even split.
		balance := min(shareB, 1-shareB)
		if removed > bestRemoved || removed == bestRemoved && balance > bestBalance {
			bestMask, bestRemoved, bestBalance = mask, removed, balance
		}
	}
	if bestMask < 0 {
		return nil, fmt.Sprintf("no grouping into two teams gives each at least %.0f%% of the activity", minShare*100), evaluated
	}
	s := &SuggestedSplit{}
	b := 0
	for i, d := range cfg.Domains {
		team := 0
		if i > 0 && bestMask&(1<<(i-1)) != 0 {
			team = 1
			b += acts[i]
		}
		s.Teams[team] = append(s.Teams[team], d.Name)
	}
	s.Shares = [2]float64{1 - float64(b)/float64(total), float64(b) / float64(total)}
	if switches > 0 {
		s.RemovedRatio = float64(bestRemoved) / float64(switches)
	}
	return s, "", evaluated
}
