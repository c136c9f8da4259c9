// Package analysis turns snapshots of tracked items and activities into the
// numbers the exporter publishes. It is a pure function of (snapshots,
// config, clock): it does no I/O and reads no global state, so every
// definition can be pinned by a hand-computed test and every number can be
// reproduced offline.
package analysis

import (
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

// DomainAction identifies the activities of one action in one domain.
type DomainAction struct {
	Domain, Action string
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
	// ItemActivities counts, per item of Classified, the window's
	// activities attributed to people on it; DomainActions counts them
	// by domain and action.
	ItemActivities []int32
	DomainActions  map[DomainAction]int
	// AfterSplit is what a split would mean for the people and the
	// on-call; nil while the analysis waits for data.
	AfterSplit *AfterSplit
	// pages are the window's high-urgency incidents, replayed by
	// afterSplit.
	pages []page
	// HasCalendar is true when a calendar snapshot was analysed;
	// MeetingSeconds is then each person's meeting time within the
	// window by domain (meetingSeconds), and Uninterrupted their
	// uninterrupted time (uninterruptedSeconds), for every person.
	HasCalendar    bool
	MeetingSeconds map[PersonDomain]int64
	Uninterrupted  map[string]int64
	// calendarWindow is the calendar snapshot's window, for Recurring.
	calendarWindow window
	// CalendarSkipped counts, by model.SkipReasons, the calendar's events
	// overlapping the window that are not meetings (a series once), with
	// a calendar snapshot.
	CalendarSkipped map[string]int
	// pageTimes are each person's interruptions within the window, for
	// their uninterrupted time.
	pageTimes [][]int64
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

// Analyze computes the Result of snapshots under cfg at the clock now. It
// is Prepare(snaps, cfg).At(now): see those for its cost.
func Analyze(snaps []*model.Snapshot, cfg *config.Config, now time.Time) *Result {
	return Prepare(snaps, cfg).At(now)
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
		model.ActionReopened, model.ActionAcknowledged, model.ActionResolved, model.ActionAnnotated, model.ActionNotified, model.ActionMeeting}
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
	case model.SourceCalendar:
		p = personIndex(pr.cfg, actor) // a feed is its person's, by name
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
