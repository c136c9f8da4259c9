package analysis

import (
	"reflect"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// TestRecurringMeetings pins the inventory suggestions by hand, over a
// 14-day window from 0 to 14 days:
//   - "Security sync", UID s, weekly 1 h, in alice's and bob's calendars:
//     2 occurrences each, 4 h in all, 2 h a week; one of alice's was moved
//     and retitled, which does not change its name (3 of 4 say "Security
//     sync").
//   - "Change board", UID c, 1 h 30 in carol's, of which one occurrence
//     started 30 minutes before the window: 1 h 30 + 1 h = 2 h 30, 1.25
//     h a week, and its domain is the one of most of its time (1 h 30 of
//     cloud-governance against 1 h of security).
//   - A single meeting, and a series in the calendar of someone no longer
//     configured, are no suggestions.
func TestRecurringMeetings(t *testing.T) {
	cfg, err := config.ParseWithoutSecrets([]byte(`
calendar: {}
domains: [{name: security}, {name: cloud-governance}]
people:
  - {name: alice, calendar: {url_env: A}}
  - {name: bob, calendar: {url_env: B}}
  - {name: carol, calendar: {url_env: C}}
`))
	if err != nil {
		t.Fatal(err)
	}
	const h, day = 3600, 24 * 3600
	var cls []ClassifiedItem
	meet := func(person, uid, title, domain string, start, length int64, recurring bool) {
		it := &model.Item{Source: model.SourceCalendar, Kind: model.KindMeeting, Key: model.MeetingKey(person, uid, start), Title: title,
			CreatedAt: start, EndsAt: start + length, Recurring: recurring}
		cls = append(cls, ClassifiedItem{Item: it, Domain: domain})
	}
	meet("alice", "s", "Security sync", "security", 1*day+9*h, h, true)
	meet("alice", "s", "Security sync (moved)", "security", 9*day+15*h, h, true)
	meet("bob", "s", "Security sync", "security", 1*day+9*h, h, true)
	meet("bob", "s", "Security sync", "security", 8*day+9*h, h, true)
	meet("carol", "c", "Change board", "cloud-governance", -h/2, 2*h, true)
	meet("carol", "c", "Change board", "security", 7*day, h, true)
	meet("carol", "one-off", "Vendor pitch", "security", 3*day, 5*h, false)
	meet("dave", "d", "Old sync", "security", 2*day, 5*h, true)

	got := RecurringMeetings(cfg, cls, 0, 14*day)
	want := []RecurringMeeting{
		{Name: "Security sync", Domain: "security", Owners: []string{"alice", "bob"}, HoursPerWeek: 2, Occurrences: 4},
		{Name: "Change board", Domain: "cloud-governance", Owners: []string{"carol"}, HoursPerWeek: 1.25, Occurrences: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// TestMeetingShare: a team of security and saas-admin has 6 + 2 GitHub
// and PagerDuty activities and 3 + 1 meetings: 4 of 12, a third. Product's
// activities, and a team without any, do not count.
func TestMeetingShare(t *testing.T) {
	r := &Result{PersonActivities: map[PersonSourceDomain]int{
		{"alice", model.SourceGitHub, "security"}:   4,
		{"bob", model.SourcePagerDuty, "security"}:  2,
		{"bob", model.SourceGitHub, "saas-admin"}:   2,
		{"alice", model.SourceCalendar, "security"}: 2,
		{"bob", model.SourceCalendar, "security"}:   1,
		{"bob", model.SourceCalendar, "saas-admin"}: 1,
		{"alice", model.SourceCalendar, "product"}:  9,
		{"alice", model.SourceGitHub, "product"}:    1,
	}}
	if got := r.MeetingShare([]string{"security", "saas-admin"}); got != 4.0/12 {
		t.Errorf("corporate: %v, want 1/3", got)
	}
	if got := r.MeetingShare([]string{"cloud-governance"}); got != 0 {
		t.Errorf("a team without activities: %v, want 0", got)
	}
}
