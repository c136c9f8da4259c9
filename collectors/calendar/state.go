package calendar

import (
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// State is what the calendar source keeps between refreshes, by feed:
// the key of each is a one-way hash of its URL and its person's address
// (feedKey), so that the state file holds neither, nor the person's
// name, and a feed whose URL changed is read again whole.
type State struct {
	Feeds map[string]*Feed `json:"feeds"`
}

// Feed is the last good read of one person's feed.
type Feed struct {
	// ETag and LastModified are the validators of the last 200 answer.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Meetings are the occurrences that overlap [From, Until), which a
	// 304 answer reuses while the window stays inside.
	From     time.Time `json:"from"`
	Until    time.Time `json:"until"`
	Meetings []Meeting `json:"meetings"`
	Skipped  Skipped   `json:"skipped"`
}

func newState() *State { return &State{Feeds: map[string]*Feed{}} }

// feedKey is a one-way hash of a feed's URL and address.
func feedKey(u config.Secret, self string) string {
	return collectors.OneWay("calendar feed", string(u)+"\x00"+self)
}

// within is the feed with only the meetings that overlap the window's
// start onwards: an unchanged feed moved forward.
func (f *Feed) within(w collectors.Window) *Feed {
	c := *f
	c.Meetings = nil
	for _, m := range f.Meetings {
		if m.End.After(w.Start) {
			c.Meetings = append(c.Meetings, m)
		}
	}
	c.From = w.Start
	return &c
}

// snapshot maps the people's meetings that overlap the window to items,
// in config order (keys are the feeds' feedKey), and each to one activity
// of its person at its start when the start is within the window.
func (st *State) snapshot(feeds []config.CalendarFeed, keys []string, w collectors.Window) *model.Snapshot {
	snap := &model.Snapshot{Source: model.SourceCalendar, End: w.End.Unix(), Skipped: map[string]int{}}
	for i, f := range feeds {
		fd := st.Feeds[keys[i]]
		if fd == nil {
			continue
		}
		for _, m := range fd.Meetings {
			if !m.End.After(w.Start) || m.Start.After(w.End) {
				continue
			}
			start, end := m.Start.Unix(), m.End.Unix()
			snap.Items = append(snap.Items, model.Item{
				Source: model.SourceCalendar, Kind: model.KindMeeting, Key: itemKey(f.Person, m),
				Title: m.Title, Organizer: m.Organizer, Recurring: m.Recurring,
				CreatedAt: start, UpdatedAt: start, EndsAt: end,
				Assignees: []string{f.Person},
			})
			if w.Contains(start) {
				snap.Activities = append(snap.Activities, model.Activity{Item: int32(len(snap.Items) - 1), Actor: f.Person, Action: model.ActionMeeting, At: start})
			}
		}
		for reason, n := range fd.Skipped.byReason() {
			snap.Skipped[reason] += n
		}
	}
	return snap
}

// byReason are the skipped counts by their reason label, one of
// model.SkipReasons.
func (s Skipped) byReason() map[string]int {
	return map[string]int{"all_day": s.AllDay, "cancelled": s.Cancelled, "declined": s.Declined, "too_long": s.TooLong, "invalid": s.Invalid}
}

// savedAddress is how the state file holds a team member's address as a
// meeting's organizer: a one-way hash, which RestoreState maps back with
// the config's addresses (issue 17: the state file holds no configured
// person's e-mail address). Other organizers' addresses, which the rules'
// organizers globs match, are kept as they are.
func savedAddress(a string) string {
	return collectors.OneWay("address", a)
}

// SaveState writes the sync state, for the state file.
func (s *Source) SaveState(w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	team := map[string]bool{}
	for _, a := range *s.team.Load() {
		team[a] = true
	}
	saved := &State{Feeds: make(map[string]*Feed, len(s.state.Feeds))}
	for k, f := range s.state.Feeds {
		c := *f
		c.Meetings = make([]Meeting, len(f.Meetings))
		for i, m := range f.Meetings {
			if team[m.Organizer] {
				m.Organizer = savedAddress(m.Organizer)
			}
			c.Meetings[i] = m
		}
		saved.Feeds[k] = &c
	}
	return json.NewEncoder(w).Encode(saved)
}

// RestoreState takes back a saved state.
func (s *Source) RestoreState(r io.Reader) error {
	st := newState()
	if err := json.NewDecoder(r).Decode(st); err != nil {
		return err
	}
	if st.Feeds == nil {
		return errors.New("incomplete calendar state")
	}
	back := map[string]string{}
	for _, a := range *s.team.Load() {
		back[savedAddress(a)] = a
	}
	for _, f := range st.Feeds {
		if f == nil {
			return errors.New("incomplete calendar state")
		}
		for i, m := range f.Meetings {
			if a, ok := back[m.Organizer]; ok {
				f.Meetings[i].Organizer = a
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
	return nil
}
