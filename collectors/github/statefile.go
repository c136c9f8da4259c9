package github

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
)

// SaveState streams the sync state and the ETags, one repository at a
// time, so that a large state is never marshalled whole in memory.
func (s *Source) SaveState(w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bw := &errWriter{w: w}
	bw.write(`{"repos":{`)
	keys := make([]string, 0, len(s.state.Repos))
	for k := range s.state.Repos {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			bw.write(",")
		}
		bw.json(k)
		bw.write(":")
		bw.json(s.state.Repos[k].saved())
	}
	bw.write(`},"owners":`)
	bw.json(s.state.Owners)
	bw.write(`,"last_reconcile":`)
	bw.json(s.state.LastReconcile)
	bw.write(`,"search_since":`)
	bw.json(s.state.SearchSince)
	bw.write(`,"retry":`)
	bw.json(s.state.Retry)
	bw.write(`,"reviewed_by":`)
	reviewed := make([]string, len(s.state.ReviewedBy))
	for i, l := range s.state.ReviewedBy {
		reviewed[i] = savedLogin(l)
	}
	bw.json(reviewed)
	bw.write(`,"etags":`)
	bw.json(s.etags.Entries())
	bw.write("}")
	return bw.err
}

// RestoreState takes back a saved state, decoding one repository at a
// time.
func (s *Source) RestoreState(r io.Reader) error {
	dec := json.NewDecoder(r)
	state := &State{Repos: map[string]*RepoState{}, Owners: map[string][]OwnerPage{}}
	codec := newLoginCodec(s.reviewers)
	etags := map[string]apiclient.ETagEntry{}
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "repos":
			if err := expectDelim(dec, '{'); err != nil {
				return err
			}
			for dec.More() {
				name, err := dec.Token()
				if err != nil {
					return err
				}
				var st RepoState
				if err := dec.Decode(&st); err != nil {
					return err
				}
				if st.Items == nil || st.Comments == nil || st.Reviews == nil || st.Submitted == nil || st.Events == nil {
					return fmt.Errorf("incomplete state of repository %v", name)
				}
				st.mapLogins(codec.login)
				state.Repos[fmt.Sprint(name)] = &st
			}
			if err := expectDelim(dec, '}'); err != nil {
				return err
			}
		case "owners":
			err = dec.Decode(&state.Owners)
		case "last_reconcile":
			err = dec.Decode(&state.LastReconcile)
		case "search_since":
			err = dec.Decode(&state.SearchSince)
		case "retry":
			err = dec.Decode(&state.Retry)
		case "reviewed_by":
			err = dec.Decode(&state.ReviewedBy)
		case "etags":
			err = dec.Decode(&etags)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if state.Owners == nil {
		state.Owners = map[string][]OwnerPage{}
	}
	// A login searched for that no configured person has is nobody's
	// now: leave it out, and search for it again if it comes back.
	var reviewed []string
	for _, l := range state.ReviewedBy {
		if l = codec.login(l); !strings.HasPrefix(l, loginHashPrefix) {
			reviewed = append(reviewed, l)
		}
	}
	state.ReviewedBy = reviewed
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = state
	s.etags.Restore(etags)
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("state file: want %q, got %v", want, tok)
	}
	return nil
}

// errWriter writes until the first error, and keeps it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) write(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}

func (e *errWriter) json(v any) {
	if e.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		e.err = err
		return
	}
	_, e.err = e.w.Write(b)
}
