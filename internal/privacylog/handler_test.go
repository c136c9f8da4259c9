package privacylog

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// TestHandler: under pseudonymous, the message, string, error, list and
// grouped attributes, and With's attributes, name no person; before Use,
// and under named, the log is as written.
func TestHandler(t *testing.T) {
	yml := "github: {token_env: GH, repositories: [a/b]}\ndomains: [{name: d}]\npeople:\n  - {name: alice, github: [alice-sre], pagerduty: [alice@acme.example]}\n"
	var buf bytes.Buffer
	h := New(slog.NewTextHandler(&buf, nil))
	logger := slog.New(h)
	write := func() string {
		buf.Reset()
		logger.With("who", "alice").WithGroup("g").Info("feed of alice failed", "err", errors.New("GET ?q=reviewed-by:alice-sre: 422"),
			"stale", []string{"alice"}, "n", 3, "user", slog.GroupValue(slog.String("email", "Alice@acme.example")))
		return buf.String()
	}
	if out := write(); !strings.Contains(out, "alice-sre") {
		t.Errorf("before Use: %s", out)
	}
	cfg, err := config.ParseWithoutSecrets([]byte(yml + "privacy: {people: pseudonymous}\n"))
	if err != nil {
		t.Fatal(err)
	}
	h.Use(cfg)
	out := write()
	if strings.Contains(strings.ToLower(out), "alice") || strings.Count(out, "person-1") != 5 || !strings.Contains(out, "g.n=3") {
		t.Errorf("pseudonymous: %s", out)
	}
	named, _ := config.ParseWithoutSecrets([]byte(yml))
	h.Use(named)
	if out := write(); !strings.Contains(out, "feed of alice") {
		t.Errorf("named: %s", out)
	}
}
