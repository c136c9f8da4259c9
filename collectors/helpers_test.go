package collectors

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// testEnd is the end of the window in these tests; the window is 7 days.
var testEnd = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var testWindow = Window{Start: testEnd.Add(-7 * 24 * time.Hour), End: testEnd}

func days(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

// ago is a time n days before the end of the test window.
func ago(n float64) time.Time { return testEnd.Add(-days(n)) }

const testConfig = `
window: 7d
github:
  token_env: UNUSED
  repositories: [acme/infra, acme-corp/*]
  exclude_repositories: ["acme-corp/*-old"]
  reconcile_interval: 0   # poll every repository at every refresh
pagerduty:
  token_env: UNUSED
  teams: [Platform, PTCORP1]
domains:
  - {name: product, proposed_team: product-sre}
  - {name: security, proposed_team: corporate-sre}
rules:
  - {name: security-labels, domain: security, labels: [security]}
  - {name: corp-incidents, domain: security, pagerduty_teams: [Corp IT]}
  - {name: infra, domain: product, repositories: ["acme/*"]}
  - {name: product-incidents, domain: product, source: pagerduty}
people:
  - {name: alice, github: [Alice-SRE], pagerduty: [alice@acme.example]}
  - {name: bob, github: [bob-ops], pagerduty: [PBOB001]}
`

// testSetup serves ds and returns a config pointed at it.
func testSetup(t *testing.T, ds *simulation.Dataset, yml string) (*simulation.Running, *config.Config) {
	t.Helper()
	cfg, err := config.ParseWithoutSecrets([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	run, err := simulation.Serve(ds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	run.Configure(cfg)
	return run, cfg
}

func sourceOf(t *testing.T, cfg *config.Config, name string) Source {
	t.Helper()
	sources, err := NewSources(cfg, apiclient.NewMetrics(nil), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sources {
		if s.Name() == name {
			return s
		}
	}
	t.Fatalf("no source %s", name)
	return nil
}

func fetch(t *testing.T, cfg *config.Config, name string) *model.Snapshot {
	t.Helper()
	snap, err := sourceOf(t, cfg, name).Fetch(context.Background(), testWindow)
	if err != nil {
		t.Fatalf("fetch %s: %v", name, err)
	}
	return snap
}

func item(t *testing.T, s *model.Snapshot, key string) (int32, *model.Item) {
	t.Helper()
	for i := range s.Items {
		if s.Items[i].Key == key {
			return int32(i), &s.Items[i]
		}
	}
	return -1, nil
}

// actions lists "actor action at" for the activities on one item.
func actions(s *model.Snapshot, idx int32) []string {
	var out []string
	for _, a := range s.Activities {
		if a.Item == idx {
			out = append(out, a.Actor+" "+a.Action+" "+time.Unix(a.At, 0).UTC().Format(time.RFC3339))
		}
	}
	return out
}

// syncBuffer is a log sink that tests can read while the code writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func requestsTo(run *simulation.Running, api, path string) []simulation.Request {
	var out []simulation.Request
	for _, r := range run.Requests() {
		if r.API == api && strings.HasPrefix(r.Path, path) {
			out = append(out, r)
		}
	}
	return out
}
