package pagerduty

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// SaveState writes the sync state, for the state file.
func (s *Source) SaveState(w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return json.NewEncoder(w).Encode(s.state)
}

// RestoreState takes back a saved state.
func (s *Source) RestoreState(r io.Reader) error {
	st := newState()
	if err := json.NewDecoder(r).Decode(st); err != nil {
		return err
	}
	if st.Incidents == nil || st.Entries == nil || st.Ignored == nil {
		return errors.New("incomplete PagerDuty state")
	}
	st.Emails = map[string]string{} // never saved: resolved again
	if st.OnCalls == nil {
		// A state saved before on-call entries were kept: the next
		// refresh lists the window's (OnCallUsersKey is "").
		st.OnCalls = map[string]model.OnCall{}
	}
	for id, it := range st.Incidents {
		if it == nil {
			return errors.New("incomplete state of incident " + id)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
	return nil
}
