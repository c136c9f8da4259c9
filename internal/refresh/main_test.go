package refresh_test

import (
	"os"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
)

func TestMain(m *testing.M) {
	// Keep retries quick; the waits that the APIs ask for are not changed.
	apiclient.RetryBase = 20 * time.Millisecond
	os.Exit(m.Run())
}
