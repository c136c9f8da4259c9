package analysis

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// benchConfig is the large scenario's shape: 10 domains, 50 rules, 40
// people in four time zones.
func benchConfig(b *testing.B) *config.Config {
	var y strings.Builder
	y.WriteString("window: 7d\ngithub: {token_env: T, repositories: [acme/*]}\npagerduty: {token_env: T}\ndomains:\n")
	for d := 0; d < 10; d++ {
		fmt.Fprintf(&y, "  - {name: d%d, proposed_team: team%d}\n", d, d%2)
	}
	y.WriteString("rules:\n")
	for r := 0; r < 50; r++ {
		switch r % 3 {
		case 0:
			fmt.Fprintf(&y, "  - {domain: d%d, labels: [label-%d]}\n", r%10, r)
		case 1:
			fmt.Fprintf(&y, "  - {domain: d%d, title: \"(?i)topic%d\\\\b\"}\n", r%10, r)
		default:
			fmt.Fprintf(&y, "  - {domain: d%d, repositories: [\"acme/repo-%d*\"]}\n", r%10, r)
		}
	}
	y.WriteString("people:\n")
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"}
	for p := 0; p < 40; p++ {
		fmt.Fprintf(&y, "  - {name: p%d, github: [user%d], pagerduty: [PU%d], timezone: %s}\n", p, p, p, zones[p%4])
	}
	c, err := config.ParseWithoutSecrets([]byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// benchSnapshots builds n activities over items of both sources, within a
// 7-day window ending at now.
func benchSnapshots(n int, now time.Time) []*model.Snapshot {
	rnd := rand.New(rand.NewPCG(1, 2))
	gh := &model.Snapshot{Source: model.SourceGitHub, End: now.Unix()}
	pd := &model.Snapshot{Source: model.SourcePagerDuty, End: now.Unix()}
	items := n / 10
	for i := 0; i < items; i++ {
		it := model.Item{Source: "github", Kind: "issue", Key: fmt.Sprintf("acme/repo-%d#%d", i%300, i), Repo: fmt.Sprintf("acme/repo-%d", i%300),
			Title: fmt.Sprintf("work on topic%d and more", i%60), Labels: []string{fmt.Sprintf("label-%d", i%70)}, Open: i%3 == 0,
			CreatedAt: now.Unix() - int64(rnd.IntN(7*86400)), Assignees: []string{fmt.Sprintf("user%d", i%40)}}
		gh.Items = append(gh.Items, it)
	}
	for i := 0; i < items/3; i++ {
		pd.Items = append(pd.Items, model.Item{Source: "pagerduty", Kind: "incident", Key: fmt.Sprintf("Q%d", i), Urgency: "high",
			Service: model.Ref{ID: "S", Name: "svc"}, CreatedAt: now.Unix() - int64(rnd.IntN(7*86400)), FirstAcknowledgedAt: now.Unix() - 100})
	}
	actions := []string{model.ActionCommented, model.ActionOpened, model.ActionClosed, model.ActionMerged}
	for i := 0; i < n; i++ {
		at := now.Unix() - int64(rnd.IntN(7*86400))
		if i%5 == 0 {
			pd.Activities = append(pd.Activities, model.Activity{Item: int32(rnd.IntN(len(pd.Items))), Actor: fmt.Sprintf("PU%d", rnd.IntN(40)), Action: model.ActionNotified, At: at})
			continue
		}
		gh.Activities = append(gh.Activities, model.Activity{Item: int32(rnd.IntN(len(gh.Items))), Actor: fmt.Sprintf("user%d", rnd.IntN(45)), Action: actions[i%4], At: at})
	}
	return []*model.Snapshot{gh, pd}
}

// BenchmarkAnalyze classifies and analyses 100k, 1M and 3M activities:
// the rules, then context switches, interruptions and signals. Run with
// GOMAXPROCS=1 go test -run '^$' -bench Analyze -benchmem ./internal/analysis
func BenchmarkAnalyze(b *testing.B) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cfg := benchConfig(b)
	for _, n := range []int{100_000, 1_000_000, 3_000_000} {
		snaps := benchSnapshots(n, now)
		b.Run(fmt.Sprintf("activities=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Analyze(snaps, cfg, now)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/activity")
		})
	}
}
