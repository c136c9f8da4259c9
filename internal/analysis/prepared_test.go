package analysis

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// The history property: the analysis at a clock t over the whole history
// (what backfill computes, with one Prepare for every step) equals the
// analysis over the history as it stood at t (the items, actions and
// states that existed at t, with the clock at t), for every measure that
// backfill writes. It is checked over many random histories, at random
// steps in random order.

const historyDays = 40

// randomHistory is a random config and GitHub and PagerDuty snapshots
// collected at end, with history from historyDays before it.
func randomHistory(t *testing.T, rnd *rand.Rand, end time.Time) (*config.Config, []*model.Snapshot) {
	t.Helper()
	var y strings.Builder
	y.WriteString("window: 7d\ngithub: {token_env: T, repositories: [a/b]}\npagerduty: {token_env: T}\ndomains:\n")
	y.WriteString("  - {name: product, proposed_team: product-sre}\n  - {name: security, proposed_team: corporate-sre}\n  - {name: saas, proposed_team: corporate-sre}\n")
	y.WriteString("rules:\n  - {domain: product, labels: [product]}\n  - {domain: security, labels: [security]}\n  - {domain: saas, labels: [saas]}\n")
	y.WriteString("  - {domain: product, services: [product]}\n  - {domain: security, services: [security]}\n")
	if rnd.IntN(3) == 0 {
		y.WriteString("split: {org_headcount: 100}\n")
	}
	y.WriteString("people:\n")
	zones := []string{"UTC", "Asia/Tokyo", "America/New_York", "Europe/Berlin"}
	day := func(d int) string { return end.AddDate(0, 0, -d).Format(time.DateOnly) }
	for p := 0; p < 4; p++ {
		fmt.Fprintf(&y, "  - {name: p%d, github: [u%d], pagerduty: [PU%d], timezone: %s", p, p, p, zones[rnd.IntN(len(zones))])
		joined := historyDays + 1
		if rnd.IntN(3) == 0 {
			joined = rnd.IntN(historyDays)
			fmt.Fprintf(&y, ", joined: %s", day(joined))
		}
		if rnd.IntN(4) == 0 {
			fmt.Fprintf(&y, ", left: %s", day(rnd.IntN(min(joined, 10)+1)))
		}
		if rnd.IntN(3) == 0 {
			y.WriteString(`, working_hours: {start: "22:00", end: "06:00"}`)
		}
		y.WriteString("}\n")
	}
	cfg, err := config.ParseWithoutSecrets([]byte(y.String()))
	if err != nil {
		t.Fatal(err)
	}
	e := end.Unix()
	past := func() int64 { return e - rnd.Int64N(historyDays*86400) }
	later := func(from int64) int64 { return from + rnd.Int64N(e-from+1) }
	gh := &model.Snapshot{Source: model.SourceGitHub, End: e}
	labels := []string{"product", "security", "saas", "other"}
	for i := 0; i < 30+rnd.IntN(40); i++ {
		created := past()
		it := model.Item{Source: model.SourceGitHub, Kind: []string{model.KindIssue, model.KindPullRequest}[rnd.IntN(2)], Key: fmt.Sprintf("a/b#%d", i+1),
			Repo: "a/b", Labels: []string{labels[rnd.IntN(len(labels))]}, CreatedAt: created, Open: true}
		if rnd.IntN(2) == 0 {
			it.ClosedAt, it.Open = later(created), false
		}
		gh.Items = append(gh.Items, it)
	}
	ghActions := []string{model.ActionOpened, model.ActionCommented, model.ActionReviewed, model.ActionClosed}
	for i := 0; i < 200+rnd.IntN(400); i++ {
		item := rnd.IntN(len(gh.Items))
		gh.Activities = append(gh.Activities, model.Activity{Item: int32(item), Actor: fmt.Sprintf("u%d", rnd.IntN(5)),
			Action: ghActions[rnd.IntN(len(ghActions))], At: later(gh.Items[item].CreatedAt)})
	}
	pd := &model.Snapshot{Source: model.SourcePagerDuty, End: e}
	for i := 0; i < 10+rnd.IntN(30); i++ {
		created := past()
		it := model.Item{Source: model.SourcePagerDuty, Kind: model.KindIncident, Key: fmt.Sprintf("Q%03d", i),
			Service: model.Ref{ID: "S", Name: labels[rnd.IntN(len(labels))]}, Urgency: []string{"high", "low"}[rnd.IntN(2)], CreatedAt: created, Open: true}
		if rnd.IntN(3) > 0 {
			it.FirstAcknowledgedAt = later(created)
		}
		if rnd.IntN(3) > 0 {
			it.ClosedAt, it.Open = later(max(created, it.FirstAcknowledgedAt)), false
			if rnd.IntN(2) == 0 {
				it.ResolveLoggedAt = it.ClosedAt
			}
			if rnd.IntN(5) == 0 {
				it.MergedInto = "Q999"
			}
		}
		pd.Items = append(pd.Items, it)
	}
	for i := 0; i < 50+rnd.IntN(150); i++ {
		item := rnd.IntN(len(pd.Items))
		at := later(pd.Items[item].CreatedAt)
		if rnd.IntN(4) == 0 { // bursts, for the 60 s deduplication
			at = min(e, pd.Items[item].CreatedAt+rnd.Int64N(120))
		}
		pd.Activities = append(pd.Activities, model.Activity{Item: int32(item), Actor: fmt.Sprintf("PU%d", rnd.IntN(5)),
			Action: []string{model.ActionNotified, model.ActionAcknowledged}[rnd.IntN(2)], At: at})
	}
	for i := 0; i < rnd.IntN(20); i++ {
		oc := model.OnCall{User: fmt.Sprintf("PU%d", rnd.IntN(5)), EscalationPolicy: model.Ref{ID: "PEP1", Name: "Primary"}, Level: 1}
		if rnd.IntN(8) > 0 {
			oc.Start = past()
			oc.End = oc.Start + rnd.Int64N(5*86400)
		}
		pd.OnCalls = append(pd.OnCalls, oc)
	}
	return cfg, []*model.Snapshot{gh, pd}
}

// asOf is the history as it stood at t: the items created by then, the
// activities by then, each item in its state of then, and the on-call
// entries that had started, collected at t.
func asOf(snaps []*model.Snapshot, t int64) []*model.Snapshot {
	var out []*model.Snapshot
	for _, s := range snaps {
		c := &model.Snapshot{Source: s.Source, End: t, Emails: s.Emails}
		index := map[int32]int32{}
		for i, it := range s.Items {
			if it.CreatedAt > t {
				continue
			}
			if it.FirstAcknowledgedAt > t {
				it.FirstAcknowledgedAt = 0
			}
			if it.ResolveLoggedAt > t {
				it.ResolveLoggedAt = 0
			}
			if it.ClosedAt > t {
				it.ClosedAt, it.Open, it.MergedInto = 0, true, ""
			}
			index[int32(i)] = int32(len(c.Items))
			c.Items = append(c.Items, it)
		}
		for _, a := range s.Activities {
			if j, ok := index[a.Item]; ok && a.At <= t {
				a.Item = j
				c.Activities = append(c.Activities, a)
			}
		}
		for _, oc := range s.OnCalls {
			if oc.Start <= t {
				c.OnCalls = append(c.OnCalls, oc)
			}
		}
		out = append(out, c)
	}
	return out
}

// historical is what backfill writes of a Result: everything but the
// current states (open items, and the tracked items behind the rules'
// counts and the classified list).
func historical(r *Result) map[string]any {
	opened, closed := map[CountKey]int{}, map[CountKey]int{}
	for k, c := range r.Items {
		if c.Opened > 0 {
			opened[k] = c.Opened
		}
		if c.Closed > 0 {
			closed[k] = c.Closed
		}
	}
	return map[string]any{
		"opened": opened, "closed": closed, "activities": r.PersonActivities, "people": r.People, "interruptions": r.Interruptions,
		"mtta": r.MTTA, "mttr": r.MTTR, "tta": r.TimeToAcknowledge, "ttr": r.TimeToResolve, "acknowledged": r.Acknowledged, "resolved": r.Resolved,
		"hasOnCall": r.HasOnCall, "perShift": r.OnCallIncidentsPerShift, "oncall": r.OnCall, "rotation": r.Rotation,
		"teams": r.TeamActivityRatio, "crossTeam": r.CrossTeamSwitchRatio, "signals": r.Signals, "recommended": r.SplitRecommended,
		"suggested": r.Suggested, "reason": r.SuggestedReason, "planned": r.PlannedHours,
	}
}

func TestHistoryProperty(t *testing.T) {
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	checked := 0
	for seed := uint64(0); seed < 150; seed++ {
		rnd := rand.New(rand.NewPCG(seed, 7))
		cfg, snaps := randomHistory(t, rnd, end)
		prepared := Prepare(snaps, cfg)
		for step := 0; step < 12; step++ {
			// Random clocks, in random order, some at the end itself.
			at := end.Add(-time.Duration(rnd.Int64N(int64((historyDays - 7) * 24 * time.Hour)))).Truncate(time.Second)
			if step == 0 {
				at = end
			}
			got := historical(prepared.At(at))
			want := historical(Analyze(asOf(snaps, at.Unix()), cfg, at))
			for k := range want {
				if !reflect.DeepEqual(got[k], want[k]) {
					t.Fatalf("seed %d, clock %s: %s differs:\nover the whole history %#v\nas of the clock        %#v", seed, at.Format(time.RFC3339), k, got[k], want[k])
				}
			}
			checked++
		}
	}
	t.Logf("%d random histories and clocks agree", checked)
}
