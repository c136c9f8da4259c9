package analysis

import (
	"slices"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// TestNoVerdictWithoutData: a configured source with no snapshot, or with
// a snapshot that has parts never read, withholds the verdict: no signal,
// no recommendation and no suggested split, only the reason. The same
// world with both snapshots whole has a verdict that recommends a split.
func TestNoVerdictWithoutData(t *testing.T) {
	c := testConfig(t, "split: {min_signals: 1, org_ratio: 1, org_headcount: 400}\n")
	w := newWorld()
	w.gha(w.issue(1, "product"), "tk", model.ActionOpened, "2026-11-24T01:00:00Z")

	whole := w.analyze(c)
	if len(whole.Waiting) != 0 || !whole.SplitRecommended || len(whole.Signals) == 0 {
		t.Fatalf("whole data: waiting %v, recommended %v, signals %v", whole.Waiting, whole.SplitRecommended, whole.Signals)
	}
	if got := whole.NotEnoughData(); got != "" {
		t.Errorf("whole data: NotEnoughData() = %q", got)
	}

	unread := *w
	unread.gh.Unread = []string{"a/b"}
	for _, tc := range []struct {
		name    string
		snaps   []*model.Snapshot
		waiting []string
		reason  string
	}{
		{"github never refreshed", []*model.Snapshot{&w.pd}, []string{"github"},
			"not enough data: github has not completed a refresh"},
		{"no source refreshed", nil, []string{"github", "pagerduty"},
			"not enough data: github and pagerduty have not completed a refresh"},
		{"a repository never read", []*model.Snapshot{&unread.gh, &w.pd}, []string{"github"},
			"not enough data: github has not completed a refresh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Analyze(tc.snaps, c, now)
			if !slices.Equal(r.Waiting, tc.waiting) {
				t.Errorf("Waiting = %v, want %v", r.Waiting, tc.waiting)
			}
			if got := r.NotEnoughData(); got != tc.reason {
				t.Errorf("NotEnoughData() = %q, want %q", got, tc.reason)
			}
			if r.SplitRecommended || r.Signals != nil || r.Suggested != nil {
				t.Errorf("a verdict without data: recommended %v, signals %v, suggested %v", r.SplitRecommended, r.Signals, r.Suggested)
			}
			if r.SuggestedReason != tc.reason {
				t.Errorf("SuggestedReason = %q, want %q", r.SuggestedReason, tc.reason)
			}
		})
	}
}

// TestUnknownSourceIsLeftOut: a snapshot of a source the analysis does not
// know adds nothing, and is never counted as another source's.
func TestUnknownSourceIsLeftOut(t *testing.T) {
	c := testConfig(t, "")
	w := newWorld()
	w.gha(w.issue(1, "product"), "tk", model.ActionOpened, "2026-11-24T01:00:00Z")
	want := w.analyze(c)
	other := model.Snapshot{Source: "gitlab", End: now.Unix(), Items: []model.Item{{Source: "gitlab", Kind: "issue", Key: "m1", Labels: []string{"product"}}},
		Activities: []model.Activity{{Item: 0, Actor: "tk", Action: model.ActionOpened, At: at("2026-11-24T02:00:00Z")}}}
	got := Analyze([]*model.Snapshot{&w.gh, &w.pd, &other}, c, now)
	if len(got.Classified) != len(want.Classified) || got.People["tokyo"].Classified != want.People["tokyo"].Classified {
		t.Errorf("an unknown source changed the analysis: %d items classified (want %d), tokyo %d activities (want %d)",
			len(got.Classified), len(want.Classified), got.People["tokyo"].Classified, want.People["tokyo"].Classified)
	}
	for k := range got.PersonActivities {
		if k.Source != model.SourceGitHub && k.Source != model.SourcePagerDuty && k.Source != model.SourceCalendar {
			t.Errorf("activities counted for source %q", k.Source)
		}
	}
}
