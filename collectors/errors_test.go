package collectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
)

// TestKindOf: every refresh error falls in one of a fixed set of kinds,
// through any wrapping, so that the log can say a pause is a pause and an
// outage an outage.
func TestKindOf(t *testing.T) {
	status := func(code int) error {
		return fmt.Errorf("github: GET /x: %w", apiclient.WithStatus(errors.New("answer"), code))
	}
	for _, tc := range []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, ""},
		{"paused by the transport", fmt.Errorf("wrapped: %w", &apiclient.ThrottledError{Source: "github", Until: time.Now()}), KindThrottled},
		{"429", status(http.StatusTooManyRequests), KindThrottled},
		{"cancelled", fmt.Errorf("x: %w", context.Canceled), KindCancelled},
		{"401", status(http.StatusUnauthorized), KindUnauthorized},
		{"403", status(http.StatusForbidden), KindUnauthorized},
		{"404", status(http.StatusNotFound), KindNotFound},
		{"410", status(http.StatusGone), KindNotFound},
		{"500", status(http.StatusInternalServerError), KindTransient},
		{"503", status(http.StatusServiceUnavailable), KindTransient},
		{"timeout", fmt.Errorf("x: %w", context.DeadlineExceeded), KindTransient},
		{"connection refused", &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}, KindTransient},
		{"cut short", fmt.Errorf("x: %w", io.ErrUnexpectedEOF), KindTransient},
		{"422", status(http.StatusUnprocessableEntity), KindOther},
		{"scrubbed 401", apiclient.Scrub(status(http.StatusUnauthorized), "tok_secret"), KindUnauthorized},
		{"a partial refresh", &PartialError{Source: "github", Failures: []RepoFailure{{Repo: "a/b", Err: status(500)}}}, KindPartial},
		{"anything else", errors.New("decoding: invalid character"), KindOther},
	} {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("%s: KindOf(%v) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
	}
}
