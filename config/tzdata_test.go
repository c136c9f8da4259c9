package config

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestTimeZoneDatabaseIsCompiledIn: the config package, hence the binary,
// links time/tzdata, so time.LoadLocation works on a host without a
// time-zone database.
func TestTimeZoneDatabaseIsCompiledIn(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../cmd/sre_workload_exporter").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !slices.Contains(strings.Fields(string(out)), "time/tzdata") {
		t.Error("the binary does not link time/tzdata: a valid timezone fails on a host without /usr/share/zoneinfo")
	}
}
