// Package simulation is an in-process simulation of the parts of the GitHub
// and PagerDuty REST APIs that the exporter reads. It serves the documented
// JSON shapes, pagination (GitHub's Link header, PagerDuty's offset/limit
// with its 10,000 cap), rate-limit headers and error bodies, so that the
// real client libraries can be pointed at it. The demo and the tests use it.
package simulation

import "time"

// Dataset is everything the simulation serves. Build one by hand in tests,
// or with Demo for the embedded demo's story.
type Dataset struct {
	GitHub    GitHubData
	PagerDuty PagerDutyData
	// Calendars are the people's published iCalendar feeds.
	Calendars []*Calendar
}

// GitHubData holds organisations and users with their repositories.
type GitHubData struct {
	Owners []*Owner
}

// Owner is a GitHub organisation or user.
type Owner struct {
	Login string
	IsOrg bool
	Repos []*Repo
}

// Repo is one repository and its issue-tracker history.
type Repo struct {
	Name           string
	Archived       bool
	Issues         []*Issue
	Comments       []*Comment // conversation comments
	ReviewComments []*Comment // pull request review comments
	Reviews        []*Review  // pull request reviews
	Events         []*Event   // issue events
}

// User is a GitHub account.
type User struct {
	Login string
	Bot   bool
}

// Issue is an issue or, with PR set, a pull request.
type Issue struct {
	Number    int
	Title     string
	User      User
	Labels    []string
	Assignees []string
	PR        bool
	CreatedAt time.Time
	UpdatedAt time.Time
	ClosedAt  time.Time // zero while open
	MergedAt  time.Time // pull requests only
}

// Open reports whether the issue is open.
func (i *Issue) Open() bool { return i.ClosedAt.IsZero() }

// Comment is a conversation or review comment.
type Comment struct {
	ID        int64
	Issue     int
	User      User
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Review is a pull request review (rest-api-description schema
// pull-request-review: id, user, state, submitted_at). State is APPROVED,
// CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING (the states of
// GitHub's GraphQL PullRequestReviewState, which the REST state mirrors;
// Assumption: the REST description gives only the example
// "CHANGES_REQUESTED"). A PENDING review has no SubmittedAt.
type Review struct {
	ID          int64
	Issue       int
	User        User
	State       string
	SubmittedAt time.Time
}

// Event is an issue event such as closed, merged or reopened (event types
// of https://docs.github.com/rest/using-the-rest-api/issue-event-types).
type Event struct {
	ID        int64
	Issue     int
	Actor     User
	Event     string
	CreatedAt time.Time
}

// PagerDutyData holds one PagerDuty account.
type PagerDutyData struct {
	Users              []PDUser
	Services           []PDRef
	Teams              []PDRef
	EscalationPolicies []PDRef
	// Priorities are the account's incident priorities (PagerDuty's
	// default names are P1 to P5).
	Priorities []PDRef
	Incidents  []*Incident
	LogEntries []*LogEntry
	// Schedules are the account's on-call schedules, which OnCalls name.
	Schedules []PDRef
	// OnCalls are the account's on-call entries, past and future.
	OnCalls []*OnCall
}

// OnCall is one on-call entry: a contiguous span in which a user is on
// call for an escalation policy at one escalation level
// (openapiv3.json #/components/schemas/Oncall: user,
// escalation_policy, escalation_level, schedule, start, end).
type OnCall struct {
	UserID             string
	EscalationPolicyID string
	Level              int
	// ScheduleID is the schedule the entry comes from; "" for a
	// permanent on-call, a user who is an escalation rule's target
	// directly (schedule_ids[] "null": openapiv3.json
	// #/paths/~1oncalls/get/parameters).
	ScheduleID string
	// Start and End are the span; zero is null: a permanent on-call
	// ("If null, the on-call is a permanent user on-call"; "If null, the
	// user does not go off-call": #/components/schemas/Oncall).
	Start, End time.Time
}

// PDUser is a PagerDuty user.
type PDUser struct {
	ID    string
	Name  string
	Email string
}

// PDRef is a PagerDuty object with an ID and a name.
type PDRef struct {
	ID   string
	Name string
}

// Incident is a PagerDuty incident. Assumption: IDs such as Q000123 (and
// PCHK001 for other objects) are opaque, like the schema's examples
// (PIJ90N7, Q02JTSNZWHSEKV).
type Incident struct {
	ID                 string
	Number             int
	Title              string
	Urgency            string
	ServiceID          string
	TeamIDs            []string
	EscalationPolicyID string
	PriorityID         string   // "" when the incident has no priority
	Assignees          []string // user IDs, while open
	CreatedAt          time.Time
	AcknowledgedAt     time.Time // zero while triggered
	ResolvedAt         time.Time // zero while open
	// MergedInto is the ID of the incident this one was merged into at
	// ResolvedAt: the merge resolved it. Assumption: the merge also logs a
	// resolve_log_entry by the merging user, which the dataset gives as
	// any other log entry (the log entry types of openapiv3.json
	// #/components/schemas/LogEntry/allOf/1/properties/type/enum have no
	// merge entry).
	MergedInto string
}

// Status is the incident's status now.
func (i *Incident) Status() string {
	switch {
	case !i.ResolvedAt.IsZero():
		return "resolved"
	case !i.AcknowledgedAt.IsZero():
		return "acknowledged"
	}
	return "triggered"
}

// LogEntry is a PagerDuty log entry.
type LogEntry struct {
	ID         string
	Type       string // e.g. notify_log_entry, acknowledge_log_entry
	IncidentID string
	CreatedAt  time.Time
	// AgentType is user_reference or service_reference; AgentID its ID.
	AgentType string
	AgentID   string
	// UserID is the notified user, for notify_log_entry.
	UserID string
	// ChannelType is channel.type; NotificationType, when set, is sent as
	// channel.notification.type.
	ChannelType      string
	NotificationType string
}

func (d *PagerDutyData) service(id string) PDRef { return findRef(d.Services, id) }
func (d *PagerDutyData) team(id string) PDRef    { return findRef(d.Teams, id) }
func (d *PagerDutyData) policy(id string) PDRef  { return findRef(d.EscalationPolicies, id) }
func (d *PagerDutyData) priority(id string) PDRef {
	return findRef(d.Priorities, id)
}
func (d *PagerDutyData) user(id string) (PDUser, bool) {
	for _, u := range d.Users {
		if u.ID == id {
			return u, true
		}
	}
	return PDUser{}, false
}

func findRef(refs []PDRef, id string) PDRef {
	for _, r := range refs {
		if r.ID == id {
			return r
		}
	}
	return PDRef{ID: id}
}
