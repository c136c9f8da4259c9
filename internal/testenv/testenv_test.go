package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestToolFindsTheFirstNameOnPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as the program")
	}
	dir := t.TempDir()
	prog := filepath.Join(dir, "second")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if got := Tool(t, "nothing", "first", "second"); got != prog {
		t.Errorf("Tool = %q, want %q", got, prog)
	}
}

// fakeT records how Tool ends a test. Its Skip and Fatal end the goroutine
// with runtime.Goexit, as testing's do, so Tool runs in a goroutine of its
// own.
type fakeT struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeT) Helper()           {}
func (f *fakeT) Skip(args ...any)  { f.skipped = true; f.msg = args[0].(string); runtime.Goexit() }
func (f *fakeT) Fatal(args ...any) { f.failed = true; f.msg = args[0].(string); runtime.Goexit() }

func missing(t *testing.T, ci string) *fakeT {
	t.Helper()
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", ci)
	f := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Tool(f, "Debian's nothing package", "no-such-program")
	}()
	<-done
	return f
}

func TestToolMissingSkipsWithTheReason(t *testing.T) {
	if testing.Short() {
		t.Skip("-short changes what Tool does")
	}
	f := missing(t, "")
	if !f.skipped || f.failed {
		t.Fatalf("skipped=%v failed=%v, want a skip", f.skipped, f.failed)
	}
	want := "no-such-program not found on PATH: install Debian's nothing package (scripts/test.sh does when it runs as root or with sudo)"
	if f.msg != want {
		t.Errorf("skip message\n got %q\nwant %q", f.msg, want)
	}
}

func TestToolMissingFailsInCI(t *testing.T) {
	if testing.Short() {
		t.Skip("-short changes what Tool does")
	}
	f := missing(t, "true")
	if !f.failed || f.skipped {
		t.Fatalf("skipped=%v failed=%v, want a failure", f.skipped, f.failed)
	}
}
