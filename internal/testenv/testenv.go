// Package testenv finds the programs outside Go that some tests need, such
// as a Prometheus server or a browser. A test that cannot find its program
// skips and says which package to install; with CI=true it fails instead,
// so that CI never passes by skipping its end-to-end tests.
package testenv

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// CI reports whether the environment variable CI is true (CI=true, as most
// CI systems and .ci/run set it).
func CI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Tool returns the path of the first of names found on the PATH. When none
// is, the test skips, saying what is missing and what to install (for
// example "Debian's prometheus package"); with CI=true it fails. A -short
// run skips without failing: it would skip such a test anyway.
func Tool(t testing.TB, install string, names ...string) string {
	t.Helper()
	if len(names) == 0 {
		t.Fatal("testenv.Tool: no program named")
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := strings.Join(names, " or ") + " not found on PATH: install " + install +
		" (scripts/test.sh does when it runs as root or with sudo)"
	switch {
	case testing.Short():
		t.Skip("-short; besides, " + msg)
	case CI():
		t.Fatal(msg + "; CI=true, so this test fails instead of skipping")
	default:
		t.Skip(msg)
	}
	return ""
}
