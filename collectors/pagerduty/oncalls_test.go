package pagerduty

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// oncallRows renders a snapshot's on-call entries, one line each.
func oncallRows(s *model.Snapshot) []string {
	ts := func(v int64) string {
		if v == 0 {
			return "null"
		}
		return time.Unix(v, 0).UTC().Format(time.RFC3339)
	}
	var out []string
	for _, e := range s.OnCalls {
		out = append(out, fmt.Sprintf("%s %s/%s L%d %s %s..%s", e.User, e.EscalationPolicy.ID, e.EscalationPolicy.Name, e.Level, e.Schedule.ID, ts(e.Start), ts(e.End)))
	}
	return out
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// TestPagerDutyOnCalls reads the people's on-call entries: by resolved
// address (alice) and by configured ID (bob), whole when they start before
// the window, with null start and end for a permanent one, and not those
// of other users. A later refresh lists only from the last one, less the
// overlap, and takes a changed future shift.
func TestPagerDutyOnCalls(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	pd := &ds.PagerDuty
	pd.EscalationPolicies = append(pd.EscalationPolicies, simulation.PDRef{ID: "PEP2", Name: "Corp"})
	pd.Schedules = []simulation.PDRef{{ID: "PSCH1", Name: "Primary rotation"}}
	oc := func(user, policy string, level int, schedule string, start, end time.Time) *simulation.OnCall {
		e := &simulation.OnCall{UserID: user, EscalationPolicyID: policy, Level: level, ScheduleID: schedule, Start: start, End: end}
		pd.OnCalls = append(pd.OnCalls, e)
		return e
	}
	oc("PALICE1", "PEP1", 1, "PSCH1", sourcetest.Ago(9), sourcetest.Ago(6))            // starts before the window
	oc("PBOB001", "PEP1", 1, "PSCH1", sourcetest.Ago(6), sourcetest.Ago(3))            // within
	oc("PBOB001", "PEP2", 2, "", time.Time{}, time.Time{})                             // permanent
	future := oc("PALICE1", "PEP1", 1, "PSCH1", sourcetest.Ago(3), sourcetest.Ago(-4)) // current, ends in 4 days
	oc("PALICE1", "PEP1", 1, "PSCH1", sourcetest.Ago(20), sourcetest.Ago(10))          // before the window
	oc("PDAN001", "PEP1", 1, "PSCH1", sourcetest.Ago(5), sourcetest.Ago(4))            // nobody's
	run, cfg := sourcetest.Setup(t, ds, pagerdutyOnly)
	src := sourceOf(t, cfg, "pagerduty")
	snap, err := src.Fetch(context.Background(), sourcetest.Window)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PALICE1 PEP1/Primary L1 PSCH1 " + ts(sourcetest.Ago(9)) + ".." + ts(sourcetest.Ago(6)),
		"PALICE1 PEP1/Primary L1 PSCH1 " + ts(sourcetest.Ago(3)) + ".." + ts(sourcetest.Ago(-4)),
		"PBOB001 PEP2/Corp L2  null..null",
		"PBOB001 PEP1/Primary L1 PSCH1 " + ts(sourcetest.Ago(6)) + ".." + ts(sourcetest.Ago(3)),
	}
	if got := oncallRows(snap); !slices.Equal(got, want) {
		t.Errorf("on-calls:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reqs := sourcetest.RequestsTo(run, "pagerduty", "/oncalls")
	if len(reqs) != 1 {
		t.Fatalf("/oncalls requests at the first sync: %d, want 1", len(reqs))
	}
	q, _ := url.ParseQuery(reqs[0].Query)
	if got := q["user_ids[]"]; !slices.Equal(got, []string{"PALICE1", "PBOB001"}) || q.Get("since") != ts(sourcetest.Window.Start) || q.Get("until") != ts(sourcetest.End) {
		t.Errorf("first /oncalls request: %s", reqs[0].Query)
	}

	// An hour later: alice's shift was cut short, and bob takes over.
	run.Update(func(*simulation.Dataset) {
		future.End = sourcetest.End.Add(30 * time.Minute)
		oc("PBOB001", "PEP1", 1, "PSCH1", sourcetest.End.Add(30*time.Minute), sourcetest.Ago(-5))
	})
	later := collectors.Window{Start: sourcetest.Window.Start.Add(time.Hour), End: sourcetest.End.Add(time.Hour)}
	snap, err = src.Fetch(context.Background(), later)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"PALICE1 PEP1/Primary L1 PSCH1 " + ts(sourcetest.Ago(9)) + ".." + ts(sourcetest.Ago(6)),
		"PALICE1 PEP1/Primary L1 PSCH1 " + ts(sourcetest.Ago(3)) + ".." + ts(sourcetest.End.Add(30*time.Minute)),
		"PBOB001 PEP2/Corp L2  null..null",
		"PBOB001 PEP1/Primary L1 PSCH1 " + ts(sourcetest.Ago(6)) + ".." + ts(sourcetest.Ago(3)),
		"PBOB001 PEP1/Primary L1 PSCH1 " + ts(sourcetest.End.Add(30*time.Minute)) + ".." + ts(sourcetest.Ago(-5)),
	}
	if got := oncallRows(snap); !slices.Equal(got, want) {
		t.Errorf("on-calls after the second refresh:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reqs = sourcetest.RequestsTo(run, "pagerduty", "/oncalls")
	if len(reqs) != 2 {
		t.Fatalf("/oncalls requests after the second refresh: %d, want 2", len(reqs))
	}
	q, _ = url.ParseQuery(reqs[1].Query)
	if since := sourcetest.End.Add(-collectors.SyncOverlap); q.Get("since") != ts(since) {
		t.Errorf("steady-state /oncalls since %s, want the last refresh less the overlap, %s", q.Get("since"), ts(since))
	}

	// The state file keeps them: a restored source lists from where the
	// saved one stopped.
	var buf bytes.Buffer
	if err := src.(*Source).SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	restored := sourceOf(t, cfg, "pagerduty").(*Source)
	if err := restored.RestoreState(&buf); err != nil {
		t.Fatal(err)
	}
	if got := len(restored.state.OnCalls); got != 5 {
		t.Errorf("restored on-call entries: %d, want 5", got)
	}
}

// TestPagerDutyOnCallUsersChunked asks for at most 25 users a request, and
// lists the whole window again when the people change.
func TestPagerDutyOnCallUsersChunked(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	var people strings.Builder
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("PU%03d", i)
		ds.PagerDuty.Users = append(ds.PagerDuty.Users, simulation.PDUser{ID: id, Name: id, Email: id + "@acme.example"})
		ds.PagerDuty.OnCalls = append(ds.PagerDuty.OnCalls, &simulation.OnCall{UserID: id, EscalationPolicyID: "PEP1", Level: 1,
			Start: sourcetest.Ago(float64(i%7) + 1), End: sourcetest.Ago(float64(i % 7))})
		fmt.Fprintf(&people, "  - {name: p%d, pagerduty: [%s]}\n", i, id)
	}
	yml := "pagerduty: {token_env: UNUSED}\ndomains: [{name: product}]\npeople:\n" + people.String()
	run, cfg := sourcetest.Setup(t, ds, yml)
	src := sourceOf(t, cfg, "pagerduty")
	snap, err := src.Fetch(context.Background(), sourcetest.Window)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.OnCalls) != 30 {
		t.Errorf("on-call entries: %d, want 30", len(snap.OnCalls))
	}
	var sizes []int
	for _, r := range sourcetest.RequestsTo(run, "pagerduty", "/oncalls") {
		q, _ := url.ParseQuery(r.Query)
		sizes = append(sizes, len(q["user_ids[]"]))
	}
	slices.Sort(sizes)
	if !slices.Equal(sizes, []int{5, 25}) {
		t.Errorf("user_ids[] per request: %v, want 25 and 5", sizes)
	}

	// A reload drops p29: the next refresh lists the window again, for
	// 29 people, and keeps none of p29's entries.
	src.(*Source).Reconfigure(mustParse(t, strings.TrimSuffix(yml, "  - {name: p29, pagerduty: [PU029]}\n")))
	snap, err = src.Fetch(context.Background(), sourcetest.Window)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.OnCalls) != 29 {
		t.Errorf("on-call entries after the reload: %d, want 29", len(snap.OnCalls))
	}
	for _, r := range sourcetest.RequestsTo(run, "pagerduty", "/oncalls")[2:] {
		if q, _ := url.ParseQuery(r.Query); q.Get("since") != ts(sourcetest.Window.Start) {
			t.Errorf("after a change of people, /oncalls since %s, want the window's start", q.Get("since"))
		}
	}
}

func mustParse(t *testing.T, yml string) *config.Config {
	t.Helper()
	cfg, err := config.ParseWithoutSecrets([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestPagerDutyOnCallsLongWindow: /oncalls serves at most three months
// between since and until, and the simulation refuses a longer range as
// PagerDuty does. A 200-day window is listed in ranges of at most 89 days,
// none refused, and an entry across a range's end is kept once.
func TestPagerDutyOnCallsLongWindow(t *testing.T) {
	ds := sourcetest.PagerDutyBase()
	for i := 0; i < 20; i++ { // ten days each, back to back
		ds.PagerDuty.OnCalls = append(ds.PagerDuty.OnCalls, &simulation.OnCall{UserID: "PBOB001", EscalationPolicyID: "PEP1", Level: 1,
			Start: sourcetest.Ago(float64(i+1) * 10), End: sourcetest.Ago(float64(i) * 10)})
	}
	run, cfg := sourcetest.Setup(t, ds, pagerdutyOnly)
	w := collectors.Window{Start: sourcetest.End.Add(-sourcetest.Days(200)), End: sourcetest.End}
	snap, err := sourceOf(t, cfg, "pagerduty").Fetch(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.OnCalls) != 20 {
		t.Errorf("on-call entries: %d, want 20", len(snap.OnCalls))
	}
	reqs := sourcetest.RequestsTo(run, "pagerduty", "/oncalls")
	for _, r := range reqs {
		q, _ := url.ParseQuery(r.Query)
		since, _ := time.Parse(time.RFC3339, q.Get("since"))
		until, _ := time.Parse(time.RFC3339, q.Get("until"))
		if r.Status != 200 || until.Sub(since) > 89*24*time.Hour {
			t.Errorf("/oncalls %s: %d", r.Query, r.Status)
		}
	}
	if len(reqs) != 3 {
		t.Errorf("/oncalls requests: %d, want 3 (200 days in ranges of 89)", len(reqs))
	}
}
