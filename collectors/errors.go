package collectors

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// Kind is what went wrong with a refresh, in a fixed set: the refresher's
// log says it (kind=throttled), so that a pause reads as a pause and an
// outage as an outage.
type Kind string

// The kinds of refresh errors.
const (
	// KindThrottled: the API asked to wait (a rate limit, Retry-After,
	// the reserve), and the source waits.
	KindThrottled Kind = "throttled"
	// KindCancelled: the exporter is stopping, or a reload replaced the
	// source.
	KindCancelled Kind = "cancelled"
	// KindUnauthorized: 401 or 403; the token, or its access, is wrong.
	KindUnauthorized Kind = "unauthorized"
	// KindNotFound: 404 or 410; something configured does not exist (or
	// the token cannot see it).
	KindNotFound Kind = "not_found"
	// KindTransient: a 5xx, a timeout, a network error; the next refresh
	// may succeed.
	KindTransient Kind = "transient"
	// KindPartial: some parts were read and others kept older data.
	KindPartial Kind = "partial"
	// KindOther: anything else, such as an answer that cannot be decoded.
	KindOther Kind = "other"
)

// Throttled is the error of a source that waits for the API
// (apiclient.ThrottledError): no request is sent before PausedUntil.
type Throttled interface {
	error
	PausedUntil() time.Time
}

// httpStatus is an error that carries the status of an API's answer
// (apiclient.WithStatus).
type httpStatus interface{ HTTPStatus() int }

// KindOf is the kind of a refresh error, through any wrapping; "" for nil.
func KindOf(err error) Kind {
	var (
		th Throttled
		st httpStatus
		pe *PartialError
		ne net.Error
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &pe):
		return KindPartial
	case errors.As(err, &th):
		return KindThrottled
	case errors.Is(err, context.Canceled):
		return KindCancelled
	case errors.As(err, &st):
		switch code := st.HTTPStatus(); {
		case code == http.StatusTooManyRequests:
			return KindThrottled
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return KindUnauthorized
		case code == http.StatusNotFound || code == http.StatusGone:
			return KindNotFound
		case code >= 500 || code == http.StatusRequestTimeout:
			return KindTransient
		}
		return KindOther
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne), errors.Is(err, io.ErrUnexpectedEOF):
		return KindTransient
	}
	return KindOther
}
