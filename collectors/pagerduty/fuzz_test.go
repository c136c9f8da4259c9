package pagerduty

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/config"
)

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
		src := &Source{cfg: cfg.PagerDuty}
		st := newState()
		err := collectors.Safely(context.Background(), func(context.Context, int) error {
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
		if _, ok := err.(*collectors.PanicError); ok {
			return // the library panicked while decoding; a refresh fails the same way
		}
		w := collectors.Window{Start: time.Unix(0, 0), End: time.Unix(1<<33, 0)}
		st.prune(w)
		_ = st.snapshot(w)
	})
}
