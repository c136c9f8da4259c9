package apiclient

import (
	"context"
	"errors"
	"sync"
)

// errSlot carries the error that the transport returned for a request
// made through a client library that formats it as text and loses its
// type: go-pagerduty does ("error calling the API endpoint: %v").
type errSlot struct {
	mu  sync.Mutex
	err error
}

type errSlotKey struct{}

// recordTransportError keeps err in the request's slot, if it has one.
func recordTransportError(ctx context.Context, err error) {
	if slot, ok := ctx.Value(errSlotKey{}).(*errSlot); ok && err != nil {
		slot.mu.Lock()
		slot.err = err
		slot.mu.Unlock()
	}
}

// libraryError is a client library's error whose cause, lost in its text,
// is put back in the chain: a *ThrottledError, a context error, a
// transport error.
type libraryError struct {
	err, cause error
}

func (e *libraryError) Error() string   { return e.err.Error() }
func (e *libraryError) Unwrap() []error { return []error{e.err, e.cause} }

// KeepCause makes one client library call, and gives its error back the
// type of the transport's error when there was one, so that errors.As
// finds a *ThrottledError or a context error behind go-pagerduty's text.
func KeepCause[T any](ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	slot := &errSlot{}
	v, err := f(context.WithValue(ctx, errSlotKey{}, slot))
	if err != nil {
		slot.mu.Lock()
		cause := slot.err
		slot.mu.Unlock()
		if cause != nil && !errors.Is(err, cause) {
			err = &libraryError{err: err, cause: cause}
		}
	}
	return v, err
}
