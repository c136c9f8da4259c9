package github

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/sre-workload/sre_workload_exporter/collectors"
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
		w := collectors.Window{Start: time.Unix(0, 0), End: time.Unix(1<<33, 0)}
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

func newSnapshot(source string, w collectors.Window) *model.Snapshot {
	return &model.Snapshot{Source: source, End: w.End.Unix()}
}
