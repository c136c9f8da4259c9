package pagerduty

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
)

// resolveEmails finds the user IDs of people given by e-mail address.
func (s *Source) resolveEmails(ctx context.Context, addrs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, email := range addrs {
		var offset uint
		for {
			resp, err := apiclient.KeepCause(ctx, func(ctx context.Context) (*pagerduty.ListUsersResponse, error) {
				return s.client.ListUsersWithContext(ctx, pagerduty.ListUsersOptions{Query: email, Limit: pagerdutyLimit, Offset: offset})
			})
			if err != nil {
				// The address is in the request's query: an error
				// never quotes it (issue 17), whatever the mode.
				return nil, apiclient.Scrub(s.wrap(err, "/users"), config.Secret(email), config.Secret(url.QueryEscape(email)))
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

// pagerdutyMaxRange is the longest since..until range asked of
// /incidents: PagerDuty serves at most 6 months ("Maximum range is 6
// months and default is 1 month", PagerDuty/api-schema:
// components/parameters/since_incidents), and six calendar months are
// never shorter than 181 days.
const pagerdutyMaxRange = 180 * 24 * time.Hour

// timeRanges cuts [since, until) into consecutive ranges of at most
// longest.
func timeRanges(since, until time.Time, longest time.Duration) [][2]time.Time {
	var out [][2]time.Time
	for from := since; from.Before(until); from = from.Add(longest) {
		out = append(out, [2]time.Time{from, minTime(from.Add(longest), until)})
	}
	return out
}

// incidentsCreated lists the incidents created within [since, until), in
// ranges of at most pagerdutyMaxRange, so that any window works.
func (s *Source) incidentsCreated(ctx context.Context, since, until time.Time) ([]incidentRec, error) {
	ranges := timeRanges(since, until, pagerdutyMaxRange)
	parts := make([][]incidentRec, len(ranges))
	err := collectors.ForEach(ctx, len(ranges), collectors.Indexes(len(ranges)), func(ctx context.Context, i int) error {
		list, err := splitByTime(ctx, s, "/incidents", ranges[i][0], ranges[i][1], func(ctx context.Context, since, until time.Time, offset uint, total bool) ([]incidentRec, pagerduty.APIListObject, error) {
			resp, err := apiclient.KeepCause(ctx, func(ctx context.Context) (*pagerduty.ListIncidentsResponse, error) {
				return s.client.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
					Since: formatPD(since), Until: formatPD(until), Limit: pagerdutyLimit, Offset: offset, Total: total,
					TimeZone: "UTC"})
			})
			if err != nil {
				return nil, pagerduty.APIListObject{}, err
			}
			return s.records(resp.Incidents), resp.APIListObject, nil
		})
		parts[i] = list
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []incidentRec
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (s *Source) openIncidents(ctx context.Context) ([]incidentRec, error) {
	var out []incidentRec
	for offset := uint(0); ; offset += pagerdutyLimit {
		if offset+pagerdutyLimit > s.maxOffset {
			return nil, s.wrap(fmt.Errorf("more than %d open incidents; PagerDuty cannot list them all", s.maxOffset), "/incidents?statuses[]=triggered,acknowledged")
		}
		resp, err := apiclient.KeepCause(ctx, func(ctx context.Context) (*pagerduty.ListIncidentsResponse, error) {
			return s.client.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
				DateRange: "all", Statuses: []string{"triggered", "acknowledged"},
				Limit: pagerdutyLimit, Offset: offset, TimeZone: "UTC"})
		})
		if err != nil {
			return nil, s.wrap(err, "/incidents")
		}
		out = append(out, s.records(resp.Incidents)...)
		if !resp.More || len(resp.Incidents) == 0 {
			return out, nil
		}
	}
}

func (s *Source) logEntries(ctx context.Context, since, until time.Time) ([]entryRec, error) {
	return splitByTime(ctx, s, "/log_entries", since, until, func(ctx context.Context, since, until time.Time, offset uint, total bool) ([]entryRec, pagerduty.APIListObject, error) {
		resp, err := apiclient.KeepCause(ctx, func(ctx context.Context) (*pagerduty.ListLogEntryResponse, error) {
			return s.client.ListLogEntriesWithContext(ctx, pagerduty.ListLogEntriesOptions{
				Since: formatPD(since), Until: formatPD(until), IsOverview: false,
				Limit: pagerdutyLimit, Offset: offset, Total: total, TimeZone: "UTC"})
		})
		if err != nil {
			return nil, pagerduty.APIListObject{}, err
		}
		out := make([]entryRec, len(resp.LogEntries))
		for i := range resp.LogEntries {
			out[i] = entryRec{id: resp.LogEntries[i].ID, entry: logEntry(&resp.LogEntries[i])}
		}
		return out, resp.APIListObject, nil
	})
}

type pageFunc[T any] func(ctx context.Context, since, until time.Time, offset uint, total bool) ([]T, pagerduty.APIListObject, error)

// splitByTime lists [since, until) with offset pagination. PagerDuty refuses
// offset+limit beyond 10,000, so the first page asks for the total, and a
// range that holds more than the cap allows is split in two halves, each
// listed the same way. Nothing is dropped and nothing fails at the cap.
func splitByTime[T any](ctx context.Context, s *Source, endpoint string, since, until time.Time, page pageFunc[T]) ([]T, error) {
	first, meta, err := page(ctx, since, until, 0, true)
	if err != nil && !(badRequest(err) && until.Sub(since) > 24*time.Hour) {
		return nil, s.wrap(err, endpoint)
	}
	// A 400 on a range's first page is PagerDuty refusing the range (for
	// /incidents, longer than it serves: xginn8/grafana-pagerduty#19); a
	// shorter one is asked for instead, in halves, down to a day.
	if err != nil || meta.Total+pagerdutyLimit > s.maxOffset && meta.More {
		if until.Sub(since) <= time.Second {
			return nil, s.wrap(fmt.Errorf("more than %d entries within one second", s.maxOffset), endpoint)
		}
		mid := since.Add(until.Sub(since) / 2).Truncate(time.Second)
		if !mid.After(since) {
			mid = since.Add(time.Second)
		}
		halves := [2][]T{}
		ranges := [][2]time.Time{{since, mid}, {mid, until}}
		err := collectors.ForEach(ctx, 2, []int{0, 1}, func(ctx context.Context, i int) error {
			part, err := splitByTime(ctx, s, endpoint, ranges[i][0], ranges[i][1], page)
			halves[i] = part
			return err
		})
		if err != nil {
			return nil, err
		}
		return append(halves[0], halves[1]...), nil
	}
	// The first page gave the total: ask for the other pages at once
	// (the transport bounds the requests in flight).
	var offsets []uint
	if meta.More && len(first) > 0 {
		for off := uint(len(first)); off < meta.Total; off += pagerdutyLimit {
			offsets = append(offsets, off)
		}
	}
	pages := make([][]T, len(offsets))
	more := make([]bool, len(offsets))
	err = collectors.ForEach(ctx, len(offsets)+1, collectors.Indexes(len(offsets)), func(ctx context.Context, i int) error {
		items, m, err := page(ctx, since, until, offsets[i], false)
		if err != nil {
			return s.wrap(err, endpoint)
		}
		pages[i], more[i] = items, m.More
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := first
	for _, p := range pages {
		out = append(out, p...)
	}
	// Entries that arrived while we paged: go on from the end, one page
	// at a time, as long as the API says there is more.
	if len(offsets) > 0 && more[len(more)-1] || len(offsets) == 0 && meta.More && meta.Total == 0 {
		for offset := uint(len(out)); ; offset += pagerdutyLimit {
			if offset+pagerdutyLimit > s.maxOffset {
				return nil, s.wrap(fmt.Errorf("the range grew past %d entries while it was being listed; the next refresh splits it", s.maxOffset), endpoint)
			}
			items, m, err := page(ctx, since, until, offset, false)
			if err != nil {
				return nil, s.wrap(err, endpoint)
			}
			out = append(out, items...)
			if !m.More || len(items) == 0 {
				break
			}
		}
	}
	return out, nil
}
