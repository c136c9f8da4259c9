// Package calendar is the calendar source: it reads each person's
// iCalendar (RFC 5545) feed over HTTP, expands it into the occurrences of
// their meetings (parse.go), and maps those to model items and activities.
//
// A feed's URL is its credential (Google Calendar's "secret address in iCal
// format"; an Outlook published calendar's ICS link), so it never reaches a
// log, an error, a metric, a page or the state file: errors name the person
// instead, and the state is keyed by person.
package calendar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// horizon is how far past a refresh a feed's occurrences are kept, so that
// the next refreshes within it can ask the server whether the feed
// changed (If-None-Match, If-Modified-Since) and reuse them when it did
// not. Past it, the feed is read again whole.
const horizon = 24 * time.Hour

// maxFeed bounds a feed's body. The transport buffers at most 64 MiB;
// a person's calendar is kilobytes to a few megabytes.
const maxFeed = 32 << 20

// Source reads the people's feeds.
type Source struct {
	hc    *http.Client
	feeds atomic.Pointer[[]config.CalendarFeed]
	// team are the configured people's e-mail addresses, lower case,
	// which the state file holds only as hashes (savedAddress).
	team   atomic.Pointer[[]string]
	logger *slog.Logger

	mu    sync.Mutex // guards state; refreshes never overlap
	state *State
}

// New builds the calendar source of cfg, with its own transport, which api
// instruments.
func New(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) (collectors.Source, error) {
	t := apiclient.NewTransport(model.SourceCalendar, cfg.Calendar.API(), api, logger, nil)
	return newSource(cfg, &http.Client{Transport: t}, logger), nil
}

func newSource(cfg *config.Config, hc *http.Client, logger *slog.Logger) *Source {
	s := &Source{hc: hc, logger: logger, state: newState()}
	s.Reconfigure(cfg)
	return s
}

// Reconfigure takes the feeds of a reloaded config whose calendar section
// did not change: people who joined or left, or a feed's new URL. A feed
// whose URL changed is read again whole at the next refresh.
func (s *Source) Reconfigure(cfg *config.Config) {
	feeds := cfg.Calendar.Feeds()
	s.feeds.Store(&feeds)
	// The people's addresses: their PagerDuty ones and their calendars'.
	team := cfg.PagerDutyEmails()
	for _, f := range feeds {
		if f.Email != "" {
			team = append(team, f.Email)
		}
	}
	s.team.Store(&team)
}

// Name is the source label value.
func (*Source) Name() string { return model.SourceCalendar }

// CloseIdleConnections closes the source's idle keep-alive connections.
func (s *Source) CloseIdleConnections() { s.hc.CloseIdleConnections() }

// Fetch reads every person's feed, at most calendar.concurrency at once,
// and returns their meetings that overlap the window. A feed that cannot
// be read keeps its last good meetings, and the snapshot comes with a
// *collectors.PartialError naming its person; a feed never read is Unread.
func (s *Source) Fetch(ctx context.Context, w collectors.Window) (*model.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	feeds := *s.feeds.Load()
	keys := make([]string, len(feeds))
	for i, f := range feeds {
		keys[i] = feedKey(f.URL(), f.Email)
	}
	next := make([]*Feed, len(feeds))
	errs := make([]error, len(feeds))
	_ = collectors.ForEachAll(ctx, len(feeds), collectors.Indexes(len(feeds)), func(ctx context.Context, i int) error {
		// Safely here, not only around the whole call: a feed whose
		// reading panics (a library on a malformed feed) is one failed
		// feed, with its error, like any other.
		errs[i] = collectors.Safely(ctx, func(ctx context.Context, f config.CalendarFeed) (err error) {
			next[i], err = s.read(ctx, f, s.state.Feeds[keys[i]], w)
			return err
		}, feeds[i])
		return errs[i]
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := newState()
	var failures []collectors.RepoFailure
	unread := map[string]bool{}
	for i, f := range feeds {
		key := keys[i]
		switch {
		case errs[i] == nil:
			st.Feeds[key] = next[i]
		case s.state.Feeds[key] != nil:
			st.Feeds[key] = s.state.Feeds[key] // the last good meetings
			failures = append(failures, collectors.RepoFailure{Repo: f.Person, Err: errs[i]})
		default:
			unread[f.Person] = true
			failures = append(failures, collectors.RepoFailure{Repo: f.Person, Err: errs[i]})
		}
	}
	if len(feeds) > 0 && len(failures) == len(feeds) {
		return nil, errors.Join(errs...) // nothing new to publish
	}
	s.state = st
	snap := st.snapshot(feeds, keys, w)
	for _, f := range failures {
		if unread[f.Repo] {
			snap.Unread = append(snap.Unread, f.Repo)
		}
	}
	if len(failures) > 0 {
		return snap, &collectors.PartialError{Source: model.SourceCalendar, Failures: failures}
	}
	return snap, nil
}

// read brings one feed up to date: a conditional request when the last
// read's occurrences cover the window, else a whole read.
func (s *Source) read(ctx context.Context, f config.CalendarFeed, last *Feed, w collectors.Window) (*Feed, error) {
	u := f.URL()
	fail := func(format string, args ...any) error {
		// The URL is the credential: the person names the feed, and
		// the URL and its parts are scrubbed from whatever the cause
		// says.
		secrets := []config.Secret{u}
		if p, err := url.Parse(string(u)); err == nil {
			secrets = append(secrets, config.Secret(p.RawQuery), config.Secret(p.Path), config.Secret(p.EscapedPath()))
		}
		return apiclient.Scrub(fmt.Errorf("calendar: feed of %s: "+format, append([]any{f.Person}, args...)...), secrets...)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, string(u), nil)
	if err != nil {
		return nil, fail("bad URL")
	}
	req.Header.Set("Accept", "text/calendar")
	reuse := last != nil && !w.Start.Before(last.From) && !w.End.After(last.Until)
	if reuse {
		if last.ETag != "" {
			req.Header.Set("If-None-Match", last.ETag)
		}
		if last.LastModified != "" {
			req.Header.Set("If-Modified-Since", last.LastModified)
		}
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes the URL
		}
		return nil, fail("GET: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && reuse:
		return last.within(w), nil
	case resp.StatusCode != http.StatusOK:
		return nil, apiclient.WithStatus(fail("GET: %s", resp.Status), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFeed+1))
	if err != nil {
		return nil, fail("reading the feed: %w", err)
	}
	if len(body) > maxFeed {
		return nil, fail("the feed is over %d MiB", maxFeed>>20)
	}
	until := w.End.Add(horizon)
	meetings, skipped, err := Parse(body, Options{Self: f.Email, From: w.Start, To: until})
	if err != nil {
		return nil, fail("%w", err)
	}
	if skipped.Invalid > 0 && last == nil {
		s.logger.Debug("calendar feed has events it cannot read", "person", f.Person, "invalid", skipped.Invalid)
	}
	return &Feed{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		From: w.Start, Until: until, Meetings: meetings, Skipped: skipped}, nil
}

// itemKey identifies one occurrence of a person's meeting.
func itemKey(person string, m Meeting) string { return model.MeetingKey(person, m.UID, m.Start.Unix()) }
