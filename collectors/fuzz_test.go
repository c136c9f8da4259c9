package collectors

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// FuzzGitHubDecode: any body the issues, comments and events endpoints
// might send either fails to decode or becomes items and actions; the
// exporter's own conversion never panics.
func FuzzGitHubDecode(f *testing.F) {
	f.Add([]byte(`[{"number":1,"title":"t","state":"open","user":{"login":"a","type":"User"},"labels":[{"name":"x"}],"assignees":[{"login":"B"}],"created_at":"2026-11-20T10:00:00Z","updated_at":"2026-11-21T10:00:00Z","pull_request":{"merged_at":null}}]`))
	f.Add([]byte(`[{"id":5,"event":"merged","actor":null,"issue":{"number":2},"created_at":"2026-11-20T10:00:00Z"}]`))
	f.Add([]byte(`[{"id":7,"user":{"login":"x","type":"Bot"},"issue_url":"https://api/repos/o/r/issues/","created_at":"2026-11-20T10:00:00Z"}]`))
	f.Add([]byte(`[null, {}, {"number": -1}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w := Window{Start: time.Unix(0, 0), End: time.Unix(1<<33, 0)}
		st := newRepoState("o/r")
		var issues []*github.Issue
		if json.Unmarshal(body, &issues) == nil {
			for _, is := range issues {
				if is != nil {
					st.Items[is.GetNumber()] = issueItem(st.Full, is)
				}
			}
		}
		var comments []*github.IssueComment
		if json.Unmarshal(body, &comments) == nil {
			for _, c := range comments {
				if c != nil {
					st.Comments[c.GetID()] = Action{Number: int32(numberFromURL(c.GetIssueURL())), Actor: login(c.User), At: c.GetCreatedAt().Unix()}
				}
			}
		}
		var events []*github.IssueEvent
		if json.Unmarshal(body, &events) == nil {
			for _, e := range events {
				if e != nil && e.Issue != nil {
					st.Events[e.GetID()] = Action{Number: int32(e.Issue.GetNumber()), Actor: login(e.Actor), Kind: eventKind(e.GetEvent()), At: e.GetCreatedAt().Unix()}
				}
			}
		}
		st.prune(w)
		appendRepo(newSnapshot("github", w), st, w)
	})
}

// FuzzPagerDutyDecode: any body the incidents and log entries endpoints
// might send either fails to decode or becomes incidents and entries. A
// panic inside the client library (go-pagerduty's channel decoder panics
// on a non-string type) is contained as an error, as in a refresh.
func FuzzPagerDutyDecode(f *testing.F) {
	f.Add([]byte(`{"log_entries":[{"id":"R1","type":"notify_log_entry","created_at":"2026-11-20T10:00:00Z","incident":{"id":"Q1"},"user":{"id":"P1"},"channel":{"type":"notification","notification":{"type":"sms_notification"}}}],"incidents":[{"id":"Q1","status":"triggered","created_at":"2026-11-20T09:00:00Z","teams":[{"id":"T1","summary":"Platform"}]}]}`))
	f.Add([]byte(`{"log_entries":[{"id":"R2","channel":{"type":5}}]}`))
	f.Add([]byte(`{"log_entries":[{"id":"R3","channel":{"type":"x","notification":"sms"},"agent":{"type":"user_reference","id":""}}]}`))
	f.Add([]byte(`{"incidents":[{"id":"Q","status":"resolved","resolved_at":"garbage","assignments":[{"assignee":null}]}]}`))
	cfg, err := config.ParseWithoutSecrets([]byte("pagerduty: {token_env: T, teams: [Platform]}\ndomains: [{name: d}]\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		src := &PagerDutySource{cfg: cfg.PagerDuty}
		st := newPagerDutyState()
		err := callSafely(context.Background(), func(context.Context, int) error {
			var resp struct {
				pagerduty.ListLogEntryResponse
				Incidents []pagerduty.Incident `json:"incidents"`
			}
			if err := json.Unmarshal(body, &resp); err != nil {
				return err
			}
			for i := range resp.Incidents {
				src.keep(st, &resp.Incidents[i])
			}
			for i := range resp.LogEntries {
				st.Entries[resp.LogEntries[i].ID] = logEntry(&resp.LogEntries[i])
			}
			return nil
		}, 0)
		if _, ok := err.(*panicError); ok {
			return // the library panicked while decoding; a refresh fails the same way
		}
		w := Window{Start: time.Unix(0, 0), End: time.Unix(1<<33, 0)}
		st.prune(w)
		_ = st.snapshot(w)
	})
}

func newSnapshot(source string, w Window) *model.Snapshot {
	return &model.Snapshot{Source: source, End: w.End.Unix()}
}
