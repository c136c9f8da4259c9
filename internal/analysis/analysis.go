// Package analysis turns snapshots of tracked items and activities into the
// numbers the exporter publishes. It is a pure function of (snapshots,
// config, clock): it does no I/O and reads no global state, so every
// definition can be pinned by a hand-computed test and every number can be
// reproduced offline.
package analysis

import (
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// CountKey identifies one series of the item counts.
type CountKey struct {
	Source, Kind, Domain string
}

// Counts are the item counts of one (source, kind, domain).
type Counts struct {
	Open   int // open now
	Opened int // created within the window
	Closed int // closed, merged or resolved within the window
}

// PersonDomain identifies a per-person, per-domain series.
type PersonDomain struct {
	Person, Domain string
}

// PersonSourceDomain identifies a per-person, per-source, per-domain series.
type PersonSourceDomain struct {
	Person, Source, Domain string
}

// Result is everything the analysis computed from one set of snapshots.
type Result struct {
	// Now is the analysis clock.
	Now time.Time
	// Items counts tracked items by source, kind and domain.
	Items map[CountKey]Counts
	// PersonOpenItems counts the open items assigned to each person.
	PersonOpenItems map[PersonDomain]int
	// PersonActivities counts each person's activities within the window.
	PersonActivities map[PersonSourceDomain]int
	// RuleMatched counts, per rule name, the tracked items whose domain the
	// rule decided.
	RuleMatched map[string]int
	// Classified lists every tracked item with its domain and deciding
	// rule, in snapshot order.
	Classified []ClassifiedItem

	// People holds the split measures of every configured person.
	People map[string]*PersonStats
	// Interruptions counts notifications per person, incident domain and
	// period, deduplicated over 60 seconds.
	Interruptions map[PersonDomainPeriod]int
	// MTTA and MTTR are the mean seconds to acknowledge and to resolve,
	// per domain, over the incidents created within the window; a domain
	// with no qualifying incident is absent.
	MTTA, MTTR map[string]float64
	// HasOnCall is true when a PagerDuty snapshot was analysed;
	// OnCallIncidentsPerShift is then the high-urgency incidents created
	// within the window per 12-hour shift.
	HasOnCall               bool
	OnCallIncidentsPerShift float64
	// TeamActivityRatio is each proposed team's share of all classified
	// activities; empty when there are none.
	TeamActivityRatio map[string]float64
	// CrossTeamSwitchRatio is the share of all context switches whose two
	// domains belong to different proposed teams; 0 without switches.
	CrossTeamSwitchRatio float64
	// Signals are the enabled, computable split signals, in label order.
	Signals []Signal
	// SplitRecommended is true when at least split.min_signals hold.
	SplitRecommended bool
}

// ClassifiedItem is a tracked item with the domain a rule gave it.
type ClassifiedItem struct {
	Item   *model.Item
	Domain string
	// Rule is the name of the rule that decided the domain, or "" when no
	// rule matched.
	Rule string
}

// windowOf is the window of a snapshot as seen at now: it ends at the
// snapshot's refresh, or at now when the clock is earlier (to analyse a
// history as it stood on an earlier day).
func windowOf(s *model.Snapshot, cfg *config.Config, now time.Time) (start, end int64) {
	end = s.End
	if n := now.Unix(); n < end {
		end = n
	}
	return end - int64(time.Duration(cfg.Window)/time.Second), end
}

func inWindow(t, start, end int64) bool { return t != 0 && t >= start && t <= end }

// Analyze computes the Result of snapshots under cfg at the clock now.
func Analyze(snaps []*model.Snapshot, cfg *config.Config, now time.Time) *Result {
	r := &Result{
		Now:               now,
		Items:             map[CountKey]Counts{},
		PersonOpenItems:   map[PersonDomain]int{},
		PersonActivities:  map[PersonSourceDomain]int{},
		RuleMatched:       map[string]int{},
		People:            map[string]*PersonStats{},
		Interruptions:     map[PersonDomainPeriod]int{},
		MTTA:              map[string]float64{},
		MTTR:              map[string]float64{},
		TeamActivityRatio: map[string]float64{},
	}
	byPerson := make([][]personActivity, len(cfg.People))
	for _, s := range snaps {
		if s == nil {
			continue
		}
		start, end := windowOf(s, cfg, now)
		people := newPersonResolver(cfg, s)
		domains := make([]int, len(s.Items))
		for i := range s.Items {
			it := &s.Items[i]
			domain, rule := cfg.Classify(it)
			domains[i] = cfg.DomainIndex(domain)
			ruleName := ""
			if rule >= 0 {
				ruleName = cfg.Rules[rule].Name
				r.RuleMatched[ruleName]++
			}
			r.Classified = append(r.Classified, ClassifiedItem{Item: it, Domain: domain, Rule: ruleName})

			k := CountKey{Source: it.Source, Kind: it.Kind, Domain: domain}
			c := r.Items[k]
			if it.Open {
				c.Open++
				counted := map[int]bool{}
				for _, a := range it.Assignees {
					if p := people.person(a); p >= 0 && !counted[p] {
						counted[p] = true
						r.PersonOpenItems[PersonDomain{cfg.People[p].Name, domain}]++
					}
				}
			}
			if inWindow(it.CreatedAt, start, end) {
				c.Opened++
			}
			if inWindow(it.ClosedAt, start, end) {
				c.Closed++
			}
			r.Items[k] = c
		}
		for _, a := range s.Activities {
			if !inWindow(a.At, start, end) {
				continue
			}
			p := people.person(a.Actor)
			if p < 0 {
				continue
			}
			d := domains[a.Item]
			r.PersonActivities[PersonSourceDomain{cfg.People[p].Name, s.Source, r.domainName(cfg, d)}]++
			byPerson[p] = append(byPerson[p], personActivity{at: a.At, source: s.Source, key: s.Items[a.Item].Key, action: a.Action, domain: d})
		}
		if s.Source == model.SourcePagerDuty {
			r.incidentTimes(s, domains, cfg, start, end)
		}
	}
	r.splitAnalysis(cfg, byPerson)
	return r
}

// personResolver maps a snapshot's account identities to people's names.
type personResolver struct {
	cfg    *config.Config
	source string
	byID   map[string]int // PagerDuty user ID -> person, through e-mails
	cache  map[string]int
}

func newPersonResolver(cfg *config.Config, s *model.Snapshot) *personResolver {
	pr := &personResolver{cfg: cfg, source: s.Source, byID: map[string]int{}, cache: map[string]int{}}
	for email, id := range s.Emails {
		if i := cfg.PagerDutyEmailPerson(email); i >= 0 {
			pr.byID[id] = i
		}
	}
	return pr
}

// person returns the index in cfg.People of the person behind an account,
// or -1.
func (pr *personResolver) person(actor string) int {
	if p, ok := pr.cache[actor]; ok {
		return p
	}
	p := -1
	switch pr.source {
	case model.SourceGitHub:
		p = pr.cfg.GitHubPerson(actor)
	case model.SourcePagerDuty:
		p = pr.cfg.PagerDutyUserPerson(actor)
		if i, ok := pr.byID[actor]; ok && p < 0 {
			p = i
		}
	}
	pr.cache[actor] = p
	return p
}
