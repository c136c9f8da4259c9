package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// The tests below pin on-call time by hand. Unless they say otherwise,
// the window is that of split_test.go: 7 days, from Sunday 2026-11-22
// 23:00 UTC to Sunday 2026-11-29 23:00 UTC (168 hours).

const hour = 3600

// oncall adds an on-call entry of user; "" for a time is null.
func (w *world) oncall(user, policyID, policyName string, level int, start, end string) {
	e := model.OnCall{User: user, EscalationPolicy: model.Ref{ID: policyID, Name: policyName}, Level: level}
	if start != "" {
		e.Start = at(start)
	}
	if end != "" {
		e.End = at(end)
	}
	w.pd.OnCalls = append(w.pd.OnCalls, e)
}

func checkOnCall(t *testing.T, r *Result, person string, business, off, sleep int64, shifts, pages int) {
	t.Helper()
	st := r.OnCall[person]
	if st == nil {
		t.Fatalf("%s: no on-call stats", person)
	}
	got := [3]int64{st.Seconds[PeriodBusiness], st.Seconds[PeriodOffHours], st.Seconds[PeriodSleep]}
	if want := [3]int64{business, off, sleep}; got != want {
		t.Errorf("%s: seconds (business, off, sleep) %v, want %v", person, got, want)
	}
	if total := business + off + sleep; st.Total != total || !near(st.Ratio, float64(total)/(168*hour)) {
		t.Errorf("%s: total %d ratio %v, want %d and %v", person, st.Total, st.Ratio, total, float64(total)/(168*hour))
	}
	if st.Shifts != shifts || st.Pages != pages {
		t.Errorf("%s: %d shifts and %d pages on call, want %d and %d", person, st.Shifts, st.Pages, shifts, pages)
	}
}

func TestOnCallTimeUnionPeriodsShiftsAndPages(t *testing.T) {
	cfg := testConfig(t, "")
	w := newWorld()
	// Monday: two policies overlap from 12:00 to 20:00; the union is
	// 06:00 to Tuesday 00:00, 18 hours, counted once. By PagerDuty's
	// business hours: sleep 06-08 (2 h), business 08-18 (10 h), off
	// 18-22 (4 h), sleep 22-24 (2 h).
	w.oncall("PUT", "PEP1", "Product", 1, "2026-11-23T06:00:00Z", "2026-11-23T20:00:00Z")
	w.oncall("PUT", "PEP2", "Corp", 1, "2026-11-23T12:00:00Z", "2026-11-24T00:00:00Z")
	// Saturday 10:00-12:00 at level 2: off hours (a weekend), 2 h.
	w.oncall("PUT", "PEP1", "Product", 2, "2026-11-28T10:00:00Z", "2026-11-28T12:00:00Z")
	// Cut by the window: from its start (Sunday 23:00) to 23:30, sleep
	// 0.5 h; and from Sunday 29th 22:00 to the window's end, 23:00,
	// sleep 1 h, though the shift goes on until Monday.
	w.oncall("PUT", "PEP1", "Product", 1, "2026-11-22T20:00:00Z", "2026-11-22T23:30:00Z")
	w.oncall("PUT", "PEP1", "Product", 1, "2026-11-29T22:00:00Z", "2026-11-30T08:00:00Z")
	// Before the window: not counted. An account that is nobody's: not
	// counted. tokyo's hour, 09:00-10:00 JST on Monday, is tokyo's
	// business hours.
	w.oncall("PUT", "PEP1", "Product", 1, "2026-11-20T00:00:00Z", "2026-11-22T22:00:00Z")
	w.oncall("PNOBODY", "PEP1", "Product", 1, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z")
	w.oncall("PTK", "PEP1", "Product", 1, "2026-11-23T00:00:00Z", "2026-11-23T01:00:00Z")
	// Pages: 07:00 on call; 07:00:30 within the 60 s of the last, not
	// another interruption; 21:00 on call; Tuesday 03:00 not on call;
	// Saturday 11:00 on call. 4 interruptions, 3 of them on call.
	q := w.incident("Q1", "product", "high", at("2026-11-23T06:59:00Z"), 0, 0, 0)
	for _, when := range []string{"2026-11-23T07:00:00Z", "2026-11-23T07:00:30Z", "2026-11-23T21:00:00Z", "2026-11-24T03:00:00Z", "2026-11-28T11:00:00Z"} {
		w.pda(q, "PUT", "notified", when)
	}
	r := w.analyze(cfg)
	// business 10 h; off 4 + 2 = 6 h; sleep 2 + 2 + 0.5 + 1 = 5.5 h:
	// 21.5 h, 21.5/168 of the window. Shifts: Sunday 22nd, Monday,
	// Saturday, Sunday 29th.
	checkOnCall(t, r, "utc", 10*hour, 6*hour, 5*hour+hour/2, 4, 3)
	checkOnCall(t, r, "tokyo", 1*hour, 0, 0, 1, 0)
	// The rotation: both, in one zone each, UTC and UTC+9, two sites:
	// the book's minimum is 6 per site, 12. 3 pages over 5 shifts.
	rot := r.Rotation
	if strings.Join(rot.People, ",") != "tokyo,utc" || rot.Sites != 2 || rot.Minimum != 12 || rot.Shifts != 5 || rot.Pages != 3 || !near(rot.PagesPerShift(), 0.6) {
		t.Errorf("rotation %+v, pages per shift %v", rot, rot.PagesPerShift())
	}
}

func TestOnCallPermanentAndPolicies(t *testing.T) {
	cfg := peopleConfig(t, `
  - {name: utc, github: [ut], pagerduty: [PUT]}
  - {name: perm, pagerduty: [PPE]}
  - {name: none, pagerduty: [PNO], timezone: Europe/London}
`)
	w := newWorld()
	// A permanent on-call, null start and end: the whole window, 168 h,
	// one shift. By PagerDuty's hours over Monday 00:00 to Sunday 23:00
	// (plus Sunday 22nd 23:00-24:00 before it): business 5 × 10 h = 50
	// h; sleep 10 h a night for 7 nights less Sunday 29th's last hour
	// (23:00-24:00 is after the window), with Sunday 22nd's hour:
	// 1 + 6 × 10 + 9 = 70 h; off the rest, 168 - 50 - 70 = 48 h.
	w.oncall("PPE", "PDIR", "Direct", 1, "", "")
	// Starts mid-window, never ends: Saturday 28th 00:00 to the end, 47
	// h: sleep 00-08, 22-24, 00-08, 22-23 (19 h), off 08-22 twice (28 h).
	w.oncall("PUT", "PEP1", "Product", 1, "2026-11-28T00:00:00Z", "")
	r := w.analyze(cfg)
	checkOnCall(t, r, "perm", 50*hour, 48*hour, 70*hour, 1, 0)
	checkOnCall(t, r, "utc", 0, 28*hour, 19*hour, 1, 0)
	checkOnCall(t, r, "none", 0, 0, 0, 0, 0)
	// Europe/London is UTC in November: one site with utc and perm.
	if rot := r.Rotation; strings.Join(rot.People, ",") != "utc,perm" || rot.Sites != 1 || rot.Minimum != 8 || rot.PagesPerShift() != 0 {
		t.Errorf("rotation %+v", rot)
	}

	// oncall_escalation_policies, by name or by ID: Product by name and
	// PDIR by ID count; Other does not.
	cfg.PagerDuty.OnCallEscalationPolicies = []string{"product", "PDIR"}
	w.oncall("PUT", "POTH", "Other", 1, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z")
	r = w.analyze(cfg)
	checkOnCall(t, r, "utc", 0, 28*hour, 19*hour, 1, 0)
	checkOnCall(t, r, "perm", 50*hour, 48*hour, 70*hour, 1, 0)
	cfg.PagerDuty.OnCallEscalationPolicies = []string{"Other"}
	r = w.analyze(cfg)
	// Monday 00:00 to Tuesday 00:00: sleep 8 + 2 h, business 10 h, off
	// 4 h. perm's policy is not Other.
	checkOnCall(t, r, "utc", 10*hour, 4*hour, 10*hour, 1, 0)
	checkOnCall(t, r, "perm", 0, 0, 0, 0, 0)
}

func TestOnCallJoinLeaveAndNightWorkingHours(t *testing.T) {
	cfg := peopleConfig(t, `
  - name: night
    pagerduty: [PNI]
    joined: 2026-11-23
    working_hours: {days: [mon, tue, wed, thu, fri], start: "22:00", end: "06:00"}
  - {name: leaver, pagerduty: [PLE], timezone: Asia/Tokyo, left: 2026-11-24}
`)
	w := newWorld()
	// night joins on Monday the 23rd at 00:00 UTC: the shift from the
	// window's start to Tuesday 09:00 counts from then, 33 h. Their
	// working day starts at 22:00 and belongs to the day it starts on:
	// Monday 00:00-06:00 ends Sunday's, not a working day, so it is
	// sleep, and so is 06:00-08:00 (8 h); 08:00-22:00 is off hours
	// (14 h); 22:00-06:00 is business hours (8 h); Tuesday 06:00-08:00
	// sleep (2 h), 08:00-09:00 off (1 h).
	w.oncall("PNI", "PEP1", "Product", 1, "2026-11-22T23:00:00Z", "2026-11-24T09:00:00Z")
	// leaver's last day is Tuesday the 24th: in the team until 00:00
	// JST on the 25th, 2026-11-24 15:00 UTC. The shift from Tuesday
	// 12:00 UTC (21:00 JST) to Wednesday 00:00 UTC counts 3 h: off
	// 21:00-22:00 JST, sleep 22:00-24:00.
	w.oncall("PLE", "PEP1", "Product", 1, "2026-11-24T12:00:00Z", "2026-11-25T00:00:00Z")
	q := w.incident("Q1", "product", "high", at("2026-11-24T11:00:00Z"), 0, 0, 0)
	w.pda(q, "PLE", "notified", "2026-11-24T14:00:00Z") // on call, in the team
	w.pda(q, "PLE", "notified", "2026-11-24T16:00:00Z") // on call, but gone: nobody's
	r := w.analyze(cfg)
	checkOnCall(t, r, "night", 8*hour, 15*hour, 10*hour, 1, 0)
	checkOnCall(t, r, "leaver", 0, 1*hour, 2*hour, 1, 1)
}

func TestOnCallAcrossDST(t *testing.T) {
	// Berlin springs forward on Sunday 2026-03-29: 02:00 CET is 03:00
	// CEST, at 01:00 UTC. The window is the 7 days to 2026-03-31 00:00
	// UTC.
	end := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	cfg := peopleConfig(t, `
  - {name: berlin, pagerduty: [PBE], timezone: Europe/Berlin}
`)
	pd := model.Snapshot{Source: model.SourcePagerDuty, End: end.Unix()}
	gh := model.Snapshot{Source: model.SourceGitHub, End: end.Unix()}
	// Saturday 22:00 CET (21:00 UTC) to Sunday 10:00 CEST (08:00 UTC):
	// 11 real hours, of which the local night 22:00-08:00 is 9 (its
	// 02:00-03:00 never happens), and Sunday 08:00-10:00 is off hours.
	pd.OnCalls = []model.OnCall{{User: "PBE", EscalationPolicy: model.Ref{ID: "PEP1"}, Level: 1,
		Start: at("2026-03-28T21:00:00Z"), End: at("2026-03-29T08:00:00Z")}}
	r := Analyze([]*model.Snapshot{&gh, &pd}, cfg, end)
	checkOnCall(t, r, "berlin", 0, 2*hour, 9*hour, 1, 0)
}

func TestOnCallWithoutData(t *testing.T) {
	cfg := testConfig(t, "")
	w := newWorld()
	w.oncall("PUT", "PEP1", "Product", 1, "", "")
	// Without a PagerDuty snapshot there is no on-call time at all.
	r := Analyze([]*model.Snapshot{&w.gh}, cfg, now)
	if r.HasOnCall || len(r.OnCall) != 0 || len(r.Rotation.People) != 0 {
		t.Errorf("on-call time without PagerDuty data: %v %v %+v", r.HasOnCall, r.OnCall, r.Rotation)
	}
}
