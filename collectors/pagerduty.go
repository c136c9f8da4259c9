package collectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

const (
	pagerdutyLimit       = 100
	pagerdutyMaxOffset   = 10000 // PagerDuty refuses offset+limit beyond this
	pagerdutyConcurrency = 2
)

// PagerDutySource reads incidents and log entries through go-pagerduty.
type PagerDutySource struct {
	cfg    *config.PagerDutyConfig
	emails []string
	client *pagerduty.Client
	// maxOffset is PagerDuty's cap; a variable so that tests can lower it.
	maxOffset uint
}

// NewPagerDutySource builds a PagerDuty source that sends its requests
// through hc.
func NewPagerDutySource(cfg *config.Config, hc *http.Client) *PagerDutySource {
	p := cfg.PagerDuty
	c := pagerduty.NewClient(string(p.Token()), pagerduty.WithAPIEndpoint(strings.TrimSuffix(p.APIURL, "/")))
	c.HTTPClient = hc
	return &PagerDutySource{cfg: p, emails: cfg.PagerDutyEmails(), client: c, maxOffset: pagerdutyMaxOffset}
}

// Name is the source label value.
func (*PagerDutySource) Name() string { return model.SourcePagerDuty }

func (s *PagerDutySource) wrap(err error, endpoint string) error {
	var ae pagerduty.APIError
	if errors.As(err, &ae) {
		detail := ae.Error()
		if ae.APIError.Valid && len(ae.APIError.ErrorObject.Errors) > 0 {
			detail += ": " + strings.Join(ae.APIError.ErrorObject.Errors, "; ")
		}
		return errorf(s.cfg.Token(), "pagerduty: GET %s: %d %s", endpoint, ae.StatusCode, detail)
	}
	return errorf(s.cfg.Token(), "pagerduty: GET %s: %w", endpoint, err)
}

func pdTime(s string) int64 {
	if s == "" {
		return 0
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0
	}
	return t.Unix()
}

func formatPD(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Fetch reads the incidents and log entries of the window.
func (s *PagerDutySource) Fetch(ctx context.Context, w Window) (*model.Snapshot, error) {
	emails, err := s.resolveEmails(ctx)
	if err != nil {
		return nil, err
	}
	// PagerDuty's until is exclusive; the window includes its end.
	until := w.End.Add(time.Second)

	incidents := map[string]pagerduty.Incident{}
	var mu sync.Mutex
	keep := func(list []pagerduty.Incident) {
		mu.Lock()
		defer mu.Unlock()
		for _, in := range list {
			incidents[in.ID] = in
		}
	}
	var entries []pagerduty.LogEntry
	steps := []func(context.Context) error{
		func(ctx context.Context) error { // created within the window
			list, err := s.incidentsCreated(ctx, w.Start, until)
			keep(list)
			return err
		},
		func(ctx context.Context) error { // every open incident, whatever its age
			list, err := s.openIncidents(ctx)
			keep(list)
			return err
		},
		func(ctx context.Context) error {
			var err error
			entries, err = s.logEntries(ctx, w.Start, until)
			return err
		},
	}
	if err := forEach(ctx, len(steps), steps, func(ctx context.Context, f func(context.Context) error) error { return f(ctx) }); err != nil {
		return nil, err
	}

	// Incidents that a log entry of the window refers to, but that were
	// created before it and are closed now, are fetched one by one.
	var missing []string
	seen := map[string]bool{}
	for _, e := range entries {
		id := e.Incident.ID
		if _, ok := incidents[id]; !ok && id != "" && !seen[id] {
			seen[id] = true
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	err = forEach(ctx, pagerdutyConcurrency, missing, func(ctx context.Context, id string) error {
		in, err := s.client.GetIncidentWithContext(ctx, id)
		if err != nil {
			return s.wrap(err, "/incidents/"+id)
		}
		keep([]pagerduty.Incident{*in})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return buildPagerDutySnapshot(incidents, entries, emails, s.inScope, w), nil
}

// inScope applies the services and teams filters, by ID or by name.
func (s *PagerDutySource) inScope(in *pagerduty.Incident) bool {
	if len(s.cfg.Services) > 0 && !matchRef(s.cfg.Services, in.Service) {
		return false
	}
	if len(s.cfg.Teams) > 0 && !matchRef(s.cfg.Teams, in.Teams...) {
		return false
	}
	return true
}

func matchRef(want []string, have ...pagerduty.APIObject) bool {
	for _, h := range have {
		for _, w := range want {
			if (h.ID != "" && strings.EqualFold(w, h.ID)) || (h.Summary != "" && strings.EqualFold(w, h.Summary)) {
				return true
			}
		}
	}
	return false
}

// resolveEmails finds the user IDs of people given by e-mail address.
func (s *PagerDutySource) resolveEmails(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for _, email := range s.emails {
		var offset uint
		for {
			resp, err := s.client.ListUsersWithContext(ctx, pagerduty.ListUsersOptions{
				Query: email, Limit: pagerdutyLimit, Offset: offset})
			if err != nil {
				return nil, s.wrap(err, "/users")
			}
			for _, u := range resp.Users {
				if strings.EqualFold(u.Email, email) {
					out[email] = u.ID
				}
			}
			if !resp.More || len(resp.Users) == 0 || out[email] != "" {
				break
			}
			offset += uint(len(resp.Users))
		}
	}
	return out, nil
}

func (s *PagerDutySource) incidentsCreated(ctx context.Context, since, until time.Time) ([]pagerduty.Incident, error) {
	return splitByTime(ctx, s, "/incidents", since, until, func(ctx context.Context, since, until time.Time, offset uint, total bool) ([]pagerduty.Incident, pagerduty.APIListObject, error) {
		resp, err := s.client.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
			Since: formatPD(since), Until: formatPD(until), Limit: pagerdutyLimit, Offset: offset, Total: total,
			TimeZone: "UTC"})
		if err != nil {
			return nil, pagerduty.APIListObject{}, err
		}
		return resp.Incidents, resp.APIListObject, nil
	})
}

func (s *PagerDutySource) openIncidents(ctx context.Context) ([]pagerduty.Incident, error) {
	var out []pagerduty.Incident
	for offset := uint(0); ; offset += pagerdutyLimit {
		if offset+pagerdutyLimit > s.maxOffset {
			return nil, s.wrap(fmt.Errorf("more than %d open incidents; PagerDuty cannot list them all", s.maxOffset), "/incidents?statuses[]=triggered,acknowledged")
		}
		resp, err := s.client.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
			DateRange: "all", Statuses: []string{"triggered", "acknowledged"},
			Limit: pagerdutyLimit, Offset: offset, TimeZone: "UTC"})
		if err != nil {
			return nil, s.wrap(err, "/incidents")
		}
		out = append(out, resp.Incidents...)
		if !resp.More || len(resp.Incidents) == 0 {
			return out, nil
		}
	}
}

func (s *PagerDutySource) logEntries(ctx context.Context, since, until time.Time) ([]pagerduty.LogEntry, error) {
	return splitByTime(ctx, s, "/log_entries", since, until, func(ctx context.Context, since, until time.Time, offset uint, total bool) ([]pagerduty.LogEntry, pagerduty.APIListObject, error) {
		resp, err := s.client.ListLogEntriesWithContext(ctx, pagerduty.ListLogEntriesOptions{
			Since: formatPD(since), Until: formatPD(until), IsOverview: false,
			Limit: pagerdutyLimit, Offset: offset, Total: total, TimeZone: "UTC"})
		if err != nil {
			return nil, pagerduty.APIListObject{}, err
		}
		return resp.LogEntries, resp.APIListObject, nil
	})
}

type pageFunc[T any] func(ctx context.Context, since, until time.Time, offset uint, total bool) ([]T, pagerduty.APIListObject, error)

// splitByTime lists [since, until) with offset pagination. PagerDuty refuses
// offset+limit beyond 10,000, so the first page asks for the total, and a
// range that holds more than the cap allows is split in two halves, each
// listed the same way. Nothing is dropped and nothing fails at the cap.
func splitByTime[T any](ctx context.Context, s *PagerDutySource, endpoint string, since, until time.Time, page pageFunc[T]) ([]T, error) {
	first, meta, err := page(ctx, since, until, 0, true)
	if err != nil {
		return nil, s.wrap(err, endpoint)
	}
	if meta.Total+pagerdutyLimit > s.maxOffset && meta.More {
		if until.Sub(since) <= time.Second {
			return nil, s.wrap(fmt.Errorf("more than %d entries within one second", s.maxOffset), endpoint)
		}
		mid := since.Add(until.Sub(since) / 2).Truncate(time.Second)
		if !mid.After(since) {
			mid = since.Add(time.Second)
		}
		a, err := splitByTime(ctx, s, endpoint, since, mid, page)
		if err != nil {
			return nil, err
		}
		b, err := splitByTime(ctx, s, endpoint, mid, until, page)
		if err != nil {
			return nil, err
		}
		return append(a, b...), nil
	}
	out := first
	for offset := uint(len(first)); meta.More && len(first) > 0; offset += uint(len(first)) {
		if offset+pagerdutyLimit > s.maxOffset {
			// The total grew while we paged; list what remains by time.
			return nil, s.wrap(fmt.Errorf("the range grew past %d entries while it was being listed; the next refresh splits it", s.maxOffset), endpoint)
		}
		first, meta, err = page(ctx, since, until, offset, false)
		if err != nil {
			return nil, s.wrap(err, endpoint)
		}
		out = append(out, first...)
	}
	return out, nil
}

func isUserAgent(a pagerduty.Agent) bool {
	return a.ID != "" && (a.Type == "user_reference" || a.Type == "user")
}

// notificationMedium is channel.notification.type when present, otherwise
// channel.type.
func notificationMedium(c pagerduty.Channel) string {
	if n, ok := c.Raw["notification"].(map[string]any); ok {
		if t, ok := n["type"].(string); ok && t != "" {
			return t
		}
	}
	return c.Type
}

// IsEmailMedium reports whether a notification medium is e-mail.
func IsEmailMedium(m string) bool {
	return m == "email" || m == "email_notification"
}

func buildPagerDutySnapshot(incidents map[string]pagerduty.Incident, entries []pagerduty.LogEntry, emails map[string]string, inScope func(*pagerduty.Incident) bool, w Window) *model.Snapshot {
	snap := &model.Snapshot{Source: model.SourcePagerDuty, End: w.End.Unix(), Emails: emails}
	ids := make([]string, 0, len(incidents))
	for id := range incidents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int32{}
	for _, id := range ids {
		in := incidents[id]
		if !inScope(&in) {
			continue
		}
		it := model.Item{
			Source:           model.SourcePagerDuty,
			Kind:             model.KindIncident,
			Key:              in.ID,
			Title:            in.Title,
			URL:              in.HTMLURL,
			Open:             in.Status == "triggered" || in.Status == "acknowledged",
			CreatedAt:        pdTime(in.CreatedAt),
			UpdatedAt:        pdTime(in.UpdatedAt),
			Service:          model.Ref{ID: in.Service.ID, Name: in.Service.Summary},
			EscalationPolicy: model.Ref{ID: in.EscalationPolicy.ID, Name: in.EscalationPolicy.Summary},
			Urgency:          in.Urgency,
		}
		if in.Status == "resolved" {
			// resolved_at, else the resolve log entry (below), else the
			// last status change.
			it.ClosedAt = pdTime(in.ResolvedAt)
		}
		for _, t := range in.Teams {
			it.Teams = append(it.Teams, model.Ref{ID: t.ID, Name: t.Summary})
		}
		if it.Open {
			for _, a := range in.Assignments {
				it.Assignees = append(it.Assignees, a.Assignee.ID)
			}
		}
		index[id] = int32(len(snap.Items))
		snap.Items = append(snap.Items, it)
	}
	// Oldest first, so that "first acknowledgement" is the earliest.
	sort.SliceStable(entries, func(i, j int) bool { return pdTime(entries[i].CreatedAt) < pdTime(entries[j].CreatedAt) })
	for _, e := range entries {
		i, ok := index[e.Incident.ID]
		if !ok {
			continue // outside the services and teams scope
		}
		it := &snap.Items[i]
		at := pdTime(e.CreatedAt)
		var actor, action string
		switch e.Type {
		case "acknowledge_log_entry", "acknowledgement_log_entry":
			if it.FirstAcknowledgedAt == 0 || at < it.FirstAcknowledgedAt {
				it.FirstAcknowledgedAt = at
			}
			action = model.ActionAcknowledged
		case "resolve_log_entry":
			it.ResolveLoggedAt = at
			if !it.Open && it.ClosedAt == 0 {
				it.ClosedAt = at
			}
			action = model.ActionResolved
		case "annotate_log_entry":
			action = model.ActionAnnotated
		case "notify_log_entry":
			if e.User.ID != "" && !IsEmailMedium(notificationMedium(e.Channel)) {
				actor = e.User.ID
				action = model.ActionNotified
			}
		}
		if action != model.ActionNotified && action != "" && isUserAgent(e.Agent) {
			actor = e.Agent.ID
		}
		if actor == "" || !w.Contains(at) {
			continue
		}
		snap.Activities = append(snap.Activities, model.Activity{Item: i, Actor: actor, Action: action, At: at})
	}
	for id, i := range index {
		if it := &snap.Items[i]; !it.Open && it.ClosedAt == 0 {
			in := incidents[id]
			it.ClosedAt = pdTime(in.LastStatusChangeAt)
		}
	}
	return snap
}
