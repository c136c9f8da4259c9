// Package analysis turns snapshots of tracked items and activities into the
// numbers the exporter publishes. It is a pure function of (snapshots,
// config, clock): it does no I/O and reads no global state, so every
// definition can be pinned by a hand-computed test and every number can be
// reproduced offline.
package analysis

import (
	"math"
	"slices"
	"strings"
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
	Closed int // closed, merged or resolved within the window; incidents merged into another are not
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
	// Waiting names, in config order, the configured sources whose data
	// is not whole yet (see waitingFor). While any is, there is no
	// verdict: Signals, SplitRecommended and Suggested are empty, and
	// SuggestedReason is NotEnoughData().
	Waiting []string
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
	// TimeToAcknowledge and TimeToResolve are, per domain, the
	// nearest-rank quantiles IncidentQuantiles of the same times as MTTA
	// and MTTR, in that order; a domain with no qualifying incident is
	// absent.
	TimeToAcknowledge, TimeToResolve map[string][]float64
	// Acknowledged and Resolved count, per domain, the incidents of MTTA
	// and of MTTR.
	Acknowledged, Resolved map[string]int
	// HasOnCall is true when a PagerDuty snapshot was analysed;
	// OnCallIncidentsPerShift is then the high-urgency incidents created
	// within the window per 12-hour shift.
	HasOnCall               bool
	OnCallIncidentsPerShift float64
	// OnCall holds, when HasOnCall, every configured person's on-call
	// time within the window; Rotation is the team's rotation.
	OnCall   map[string]*OnCallStats
	Rotation Rotation
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
	// Suggested is the grouping of domains into two teams that removes
	// the most switching; nil when none qualifies, and SuggestedReason
	// says why.
	Suggested       *SuggestedSplit
	SuggestedReason string
	// PlannedHours is each person's share of the inventory's duties, in
	// hours per week, by domain; DomainPlannedHours sums all duties by
	// domain, and TeamPlannedHours by proposed team.
	PlannedHours       map[PersonDomain]float64
	DomainPlannedHours map[string]float64
	TeamPlannedHours   map[string]float64
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

// Analyze computes the Result of snapshots under cfg at the clock now. Its
// cost is linear in the number of items and activities, apart from one sort
// of each person's activities; the counters are dense arrays indexed by
// person, source and domain, and turn into the Result's maps at the end.
func Analyze(snaps []*model.Snapshot, cfg *config.Config, now time.Time) *Result {
	r := &Result{
		Now:                now,
		Items:              map[CountKey]Counts{},
		PersonOpenItems:    map[PersonDomain]int{},
		PersonActivities:   map[PersonSourceDomain]int{},
		RuleMatched:        map[string]int{},
		People:             map[string]*PersonStats{},
		OnCall:             map[string]*OnCallStats{},
		Interruptions:      map[PersonDomainPeriod]int{},
		MTTA:               map[string]float64{},
		MTTR:               map[string]float64{},
		TimeToAcknowledge:  map[string][]float64{},
		TimeToResolve:      map[string][]float64{},
		Acknowledged:       map[string]int{},
		Resolved:           map[string]int{},
		TeamActivityRatio:  map[string]float64{},
		PlannedHours:       map[PersonDomain]float64{},
		DomainPlannedHours: map[string]float64{},
		TeamPlannedHours:   map[string]float64{},
	}
	r.Waiting = waitingFor(snaps, cfg)
	r.plannedHours(cfg)
	nd, np := len(cfg.Domains)+1, len(cfg.People) // domain nd-1 is unclassified
	type snapWork struct {
		s          *model.Snapshot
		src        int
		start, end int64
		domains    []int32
		ranks      []int32 // each item's key rank, for ties
		persons    []int32 // each activity's person, or -1
	}
	work := make([]snapWork, 0, len(snaps))
	items := 0
	for _, s := range snaps {
		if s != nil {
			items += len(s.Items)
		}
	}
	r.Classified = make([]ClassifiedItem, 0, items)
	perPerson := make([]int, np)
	spans := make([][2]int64, np) // each person's span in the team
	for p := range cfg.People {
		spans[p][0], spans[p][1] = cfg.People[p].InTeam()
	}
	// The window of the people's workdays ends where the latest
	// snapshot's does, or at now without one.
	windowEnd := int64(math.MinInt64)
	var unions [][]span // each person's on-call time, with PagerDuty
	ruleCounts := make([]int, len(cfg.Rules))
	for _, s := range snaps {
		if s == nil {
			continue
		}
		w := snapWork{s: s, src: sourceIndex(s.Source)}
		if w.src < 0 {
			continue
		}
		w.start, w.end = windowOf(s, cfg, now)
		windowEnd = max(windowEnd, w.end)
		people := newPersonResolver(cfg, s)
		w.domains = make([]int32, len(s.Items))
		openItems := make([]int, np*nd)
		counts := make([]Counts, len(kinds)*nd) // by kind, domain
		seen := make([]int32, 0, 16)
		for i := range s.Items {
			it := &s.Items[i]
			domain, rule := cfg.Classify(it)
			d := cfg.DomainIndex(domain)
			w.domains[i] = int32(d)
			ruleName := ""
			if rule >= 0 {
				ruleCounts[rule]++
				ruleName = cfg.Rules[rule].Name
			}
			r.Classified = append(r.Classified, ClassifiedItem{Item: it, Domain: domain, Rule: ruleName})
			c := &Counts{} // an unknown kind is classified, not counted
			if k := kindIndex(it.Kind); k >= 0 {
				c = &counts[k*nd+d]
			}
			if it.Open {
				c.Open++
				seen = seen[:0] // an item counts once per person
				for _, a := range it.Assignees {
					p := int32(people.person(a))
					if p < 0 || slices.Contains(seen, p) {
						continue
					}
					seen = append(seen, p)
					openItems[int(p)*nd+d]++
				}
			}
			if inWindow(it.CreatedAt, w.start, w.end) {
				c.Opened++
			}
			if inWindow(it.ClosedAt, w.start, w.end) && it.MergedInto == "" {
				c.Closed++
			}
		}
		for k, kind := range kinds {
			for d := 0; d < nd; d++ {
				if c := counts[k*nd+d]; c != (Counts{}) {
					key := CountKey{Source: s.Source, Kind: kind, Domain: domainName(cfg, d)}
					prev := r.Items[key]
					r.Items[key] = Counts{Open: prev.Open + c.Open, Opened: prev.Opened + c.Opened, Closed: prev.Closed + c.Closed}
				}
			}
		}
		for p := 0; p < np; p++ {
			for d := 0; d < nd; d++ {
				if n := openItems[p*nd+d]; n > 0 {
					r.PersonOpenItems[PersonDomain{cfg.People[p].Name, domainName(cfg, d)}] += n
				}
			}
		}
		w.ranks = keyRanks(s.Items)
		w.persons = make([]int32, len(s.Activities))
		for i := range s.Activities {
			a := &s.Activities[i]
			w.persons[i] = -1
			if !inWindow(a.At, w.start, w.end) {
				continue
			}
			// Outside the person's span in the team, an activity is
			// nobody's.
			if p := people.person(a.Actor); p >= 0 && a.At >= spans[p][0] && a.At < spans[p][1] {
				w.persons[i] = int32(p)
				perPerson[p]++
			}
		}
		if s.Source == model.SourcePagerDuty {
			r.incidentTimes(s, w.domains, cfg, w.start, w.end)
			unions = onCallUnions(s, cfg, people, spans, w.start, w.end)
		}
		work = append(work, w)
	}
	for i, n := range ruleCounts {
		if n > 0 {
			r.RuleMatched[cfg.Rules[i].Name] = n
		}
	}

	// Each person's activities, in one allocation per person.
	byPerson := make([][]personActivity, np)
	for p, n := range perPerson {
		byPerson[p] = make([]personActivity, 0, n)
	}
	activities := make([]int, np*len(sourceNames)*nd)
	for _, w := range work {
		for i := range w.s.Activities {
			p := w.persons[i]
			if p < 0 {
				continue
			}
			a := &w.s.Activities[i]
			d := w.domains[a.Item]
			activities[(int(p)*len(sourceNames)+w.src)*nd+int(d)]++
			byPerson[p] = append(byPerson[p], personActivity{
				at:     a.At,
				order:  uint64(w.src)<<56 | uint64(w.ranks[a.Item])<<8 | uint64(actionRank(a.Action)),
				domain: d,
				notify: a.Action == model.ActionNotified,
			})
		}
	}
	for p := 0; p < np; p++ {
		for src, name := range sourceNames {
			for d := 0; d < nd; d++ {
				if n := activities[(p*len(sourceNames)+src)*nd+d]; n > 0 {
					r.PersonActivities[PersonSourceDomain{cfg.People[p].Name, name, domainName(cfg, d)}] = n
				}
			}
		}
	}
	if windowEnd == math.MinInt64 {
		windowEnd = now.Unix()
	}
	r.splitAnalysis(cfg, byPerson, unions, windowEnd-int64(time.Duration(cfg.Window)/time.Second), windowEnd)
	return r
}

// waitingFor is the definition of not enough data: the configured
// sources that have no snapshot (no refresh has published data), or whose
// snapshot has parts that no refresh has read.
func waitingFor(snaps []*model.Snapshot, cfg *config.Config) []string {
	var out []string
	for _, src := range cfg.Sources() {
		whole := false
		for _, s := range snaps {
			if s != nil && s.Source == src {
				whole = len(s.Unread) == 0
			}
		}
		if !whole {
			out = append(out, src)
		}
	}
	return out
}

// NotEnoughData says why there is no verdict, or is "" when there is one.
func (r *Result) NotEnoughData() string {
	switch len(r.Waiting) {
	case 0:
		return ""
	case 1:
		return "not enough data: " + r.Waiting[0] + " has not completed a refresh"
	}
	return "not enough data: " + strings.Join(r.Waiting[:len(r.Waiting)-1], ", ") + " and " + r.Waiting[len(r.Waiting)-1] + " have not completed a refresh"
}

// sourceNames are the sources in byte order, which is the order ties are
// broken in.
var sourceNames = model.Sources

// sourceIndex is the index of a source in sourceNames, or -1 for a source
// the analysis does not know: its snapshot is left out, never counted as
// another source's.
func sourceIndex(s string) int { return slices.Index(sourceNames, s) }

var kinds = model.Kinds

// kindIndex is the index of a kind in kinds, or -1 for an unknown one.
func kindIndex(k string) int { return slices.Index(kinds, k) }

// actionNames are every action in byte order; an action's rank breaks ties.
var actionNames = func() []string {
	a := []string{model.ActionOpened, model.ActionCommented, model.ActionReviewComment, model.ActionReviewed, model.ActionClosed, model.ActionMerged,
		model.ActionReopened, model.ActionAcknowledged, model.ActionResolved, model.ActionAnnotated, model.ActionNotified}
	slices.Sort(a)
	return a
}()

func actionRank(a string) uint8 {
	i, found := slices.BinarySearch(actionNames, a)
	if !found {
		return 255
	}
	return uint8(i)
}

// keyRanks gives each item the rank of its key in byte order, so that ties
// between activities compare integers instead of strings.
func keyRanks(items []model.Item) []int32 {
	idx := make([]int32, len(items))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return strings.Compare(items[a].Key, items[b].Key) })
	ranks := make([]int32, len(items))
	for rank, i := range idx {
		ranks[i] = int32(rank)
	}
	return ranks
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

// WorkweekHours is the full-time work week that planned load is counted
// in.
const WorkweekHours = 40

// FTE is the definition of a full-time equivalent: hours of work a week
// over a 40-hour week. 10 hours a week is 0.25 FTE.
func FTE(hoursPerWeek float64) float64 { return hoursPerWeek / WorkweekHours }

// plannedHours spreads each duty of the inventory evenly over its owners.
// Duties are planned load: they are not activities and never count in
// context switches.
func (r *Result) plannedHours(cfg *config.Config) {
	for i := range cfg.Inventory {
		d := &cfg.Inventory[i]
		perWeek := d.HoursPerWeek()
		r.DomainPlannedHours[d.Domain] += perWeek
		r.TeamPlannedHours[cfg.Domains[cfg.DomainIndex(d.Domain)].ProposedTeam] += perWeek
		for _, o := range d.Owners {
			r.PlannedHours[PersonDomain{Person: o, Domain: d.Domain}] += perWeek / float64(len(d.Owners))
		}
	}
}
