package exposition

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

// TestExpositionPrivacyModes: under privacy.people: pseudonymous the
// exposition is the golden file with every person label a pseudonym
// (alice is person-1, bob person-2, in people[] order), and under
// aggregate it is the golden file without a single series that has a
// person label; both pass the lint, and no configured name, login or
// e-mail address appears anywhere in them. The split signals are the
// same in all three modes.
func TestExpositionPrivacyModes(t *testing.T) {
	golden, err := os.ReadFile("testdata/exposition.prom")
	if err != nil {
		t.Fatal(err)
	}
	personLabel := regexp.MustCompile(`person="([^"]*)"`)
	for _, tc := range []struct {
		mode string
		want func(line string) (string, bool)
	}{
		{"pseudonymous", func(line string) (string, bool) {
			return personLabel.ReplaceAllStringFunc(line, func(m string) string {
				return map[string]string{`person="alice"`: `person="person-1"`, `person="bob"`: `person="person-2"`}[m]
			}), true
		}},
		{"aggregate", func(line string) (string, bool) { return line, !personLabel.MatchString(line) }},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			_, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.GoldenConfig+"privacy: {people: "+tc.mode+"}\n")
			reg := prometheus.NewRegistry()
			r, _ := newTestRefresher(t, cfg, reg, sourcetest.FixedClock(sourcetest.End))
			if err := r.RefreshAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range strings.Split(string(golden), "\n") {
				if l, ok := tc.want(line); ok {
					want = append(want, l)
				}
			}
			compareAndLint(t, reg, strings.Join(want, "\n"))
			var out bytes.Buffer
			mfs, _ := reg.Gather()
			for _, mf := range mfs {
				out.WriteString(mf.String())
			}
			for _, id := range sourcetest.GoldenIdentities() {
				if strings.Contains(strings.ToLower(out.String()), strings.ToLower(id)) {
					t.Errorf("the metrics hold %s", id)
				}
			}
			// The log's privacy is the binary's log handler's
			// (internal/privacylog), which this refresher's test logger
			// does not have: TestPrivacyModesWriteNoName greps the log.
		})
	}
}
