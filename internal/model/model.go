// Package model holds the data that flows from the collectors to the
// analysis: tracked items (GitHub issues and pull requests, PagerDuty
// incidents) and the activities of people on them.
//
// The model is deliberately free of configuration: domains and people are
// applied by the analysis, so that a config reload can re-classify the same
// snapshot without a new API sync. Times are Unix seconds, which keeps the
// structs compact for large organisations.
package model

import (
	"strconv"
	"strings"
	"time"
)

// Sources, in the fixed set used as the "source" label value.
const (
	SourceCalendar  = "calendar"
	SourceGitHub    = "github"
	SourcePagerDuty = "pagerduty"
)

// Sources is every source, in byte order: the one list of the "source"
// label's values.
var Sources = []string{SourceCalendar, SourceGitHub, SourcePagerDuty}

// Kinds, in the fixed set used as the "kind" label value.
const (
	KindIssue       = "issue"
	KindPullRequest = "pull_request"
	KindIncident    = "incident"
	KindMeeting     = "meeting"
)

// Actions: what a person did to an item.
const (
	ActionOpened        = "opened"
	ActionCommented     = "commented"
	ActionReviewComment = "review_commented"
	// ActionReviewed is a submitted pull request review: approved, changes
	// requested or commented.
	ActionReviewed     = "review"
	ActionClosed       = "closed"
	ActionMerged       = "merged"
	ActionReopened     = "reopened"
	ActionAcknowledged = "acknowledged"
	ActionResolved     = "resolved"
	ActionAnnotated    = "annotated"
	ActionNotified     = "notified"
	// ActionMeeting is a person's meeting, at its start.
	ActionMeeting = "meeting"
)

// Kinds is every kind of item.
var Kinds = []string{KindIssue, KindPullRequest, KindIncident, KindMeeting}

// KindsOf returns the kinds of item a source tracks, in label order.
func KindsOf(source string) []string {
	switch source {
	case SourceGitHub:
		return []string{KindIssue, KindPullRequest}
	case SourcePagerDuty:
		return []string{KindIncident}
	case SourceCalendar:
		return []string{KindMeeting}
	}
	return nil
}

// Ref is a PagerDuty object reference: its ID and its display name.
type Ref struct {
	ID   string
	Name string
}

// Item is one tracked issue, pull request or incident. Only the fields that a
// rule or a metric needs are kept; bodies and comments' text are not.
type Item struct {
	Source string
	Kind   string
	// Key identifies the item within its source: "owner/repo#number" on
	// GitHub, the incident ID on PagerDuty.
	Key   string
	Title string
	URL   string // html_url, for reports
	Open  bool

	CreatedAt int64
	UpdatedAt int64
	ClosedAt  int64 // 0 when not closed; merged or closed PRs, resolved incidents

	// Assignees are raw account identities: lower-case GitHub logins, or
	// PagerDuty user IDs.
	Assignees []string

	// GitHub only.
	Repo   string // owner/name
	Labels []string

	// Calendar only: the meeting's organizer's lower-case e-mail
	// address, its end (CreatedAt is its start), and whether it is an
	// occurrence of a recurring series.
	Organizer string
	EndsAt    int64
	Recurring bool

	// PagerDuty only.
	Service          Ref
	Teams            []Ref
	EscalationPolicy Ref
	Urgency          string // "high" or "low"
	// Priority is the incident's priority; empty when it has none.
	Priority Ref
	// MergedInto is the ID of the incident this one was merged into: set
	// when it was resolved by a merge (resolve_reason
	// merge_resolve_reason), so that the merge is not counted as a
	// resolution of work.
	MergedInto string
	// FirstAcknowledgedAt is the time of the first acknowledge log entry by
	// anyone; 0 when none was seen.
	FirstAcknowledgedAt int64
	// ResolveLoggedAt is the time of the resolve log entry, whoever the
	// agent; 0 when none was seen (ClosedAt then comes from resolved_at).
	ResolveLoggedAt int64
}

// Activity is one action by one account on one item, at one time.
type Activity struct {
	// Item indexes the snapshot's Items.
	Item int32
	// Actor is the raw account identity: a lower-case GitHub login, or a
	// PagerDuty user ID.
	Actor  string
	Action string
	At     int64
}

// Snapshot is the complete result of one successful refresh of one source.
// It is never modified after it is published.
type Snapshot struct {
	Source string
	// End is the end of the window this snapshot was collected for: the
	// time at which its refresh started.
	End   int64
	Items []Item
	// Activities reference Items by index.
	Activities []Activity
	// Emails maps lower-case e-mail addresses of configured people to the
	// PagerDuty user IDs that the users API resolved them to.
	Emails map[string]string
	// Unread names the parts of the source (GitHub repositories, or
	// owners' listings) that no refresh has read yet: the snapshot has no
	// data of them at all, as after a partial first refresh. Parts that
	// keep older data are not unread.
	Unread []string
	// OnCalls are the PagerDuty on-call entries of the configured people
	// that overlap the window, in a fixed order (user, start, escalation
	// policy, level).
	OnCalls []OnCall
	// Skipped counts what the source read and left out, by a reason of
	// a fixed set: the calendar's events that are not meetings.
	Skipped map[string]int
}

// OnCall is one on-call entry: a span in which a PagerDuty user is on
// call for an escalation policy at one escalation level. Start and End
// are Unix seconds; 0 is PagerDuty's null, a permanent on-call that has
// no start or does not end.
type OnCall struct {
	User             string
	EscalationPolicy Ref
	Level            int
	// Schedule is the schedule the entry comes from; empty for a
	// permanent on-call (a user who is an escalation target directly).
	Schedule   Ref
	Start, End int64
}

// SkipReasons are the reasons a calendar's event is not a meeting: the
// values of Snapshot.Skipped's keys and of the skipped-events metric's
// reason label.
var SkipReasons = []string{"all_day", "cancelled", "declined", "too_long", "invalid"}

// MeetingKey is the Key of one occurrence of a calendar meeting: the
// person whose feed it is, the event's UID, and the occurrence's start.
func MeetingKey(person, uid string, start int64) string {
	return person + "/" + uid + "/" + strconv.FormatInt(start, 10)
}

// MeetingPerson splits a meeting's Key into the person whose calendar it
// is in and the rest, "UID/start".
func MeetingPerson(key string) (person, rest string) {
	person, rest, _ = strings.Cut(key, "/")
	return person, rest
}

// MeetingSeries is the person and the UID of a meeting's Key: every
// occurrence of a series in one person's calendar shares them.
func MeetingSeries(key string) (person, uid string) {
	person, rest := MeetingPerson(key)
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return person, rest
}

// Unix converts a time to the model's Unix seconds, mapping the zero time
// to 0.
func Unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
