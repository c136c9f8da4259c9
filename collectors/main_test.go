package collectors

import (
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// Keep retries quick; the waits that the APIs ask for are not changed.
	retryBase = 20 * time.Millisecond
	os.Exit(m.Run())
}
