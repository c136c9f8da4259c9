// Package collectors is the contract between the sources and the rest of
// the exporter: a Source fetches one API's tracked items and activities for
// a Window and returns a whole snapshot, or a snapshot with a
// *PartialError, or an error whose Kind says what went wrong. Each source
// is a package below this one (github, pagerduty), and apiclient is the
// HTTP layer they share. The refresh (internal/refresh) runs them; nothing
// here imports an API client library.
package collectors

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// Window is the rolling analysis window of one refresh: a time is inside it
// when it is at or after Start and not after End.
type Window struct {
	Start, End time.Time
}

// Contains reports whether a Unix time lies inside the window.
func (w Window) Contains(t int64) bool {
	return t != 0 && t >= w.Start.Unix() && t <= w.End.Unix()
}

// SyncOverlap is how far before the last refresh an incremental query
// starts, so that an item indexed a little late is not missed.
const SyncOverlap = 2 * time.Minute

// Indexes is 0, 1, ..., n-1: the elements of ForEach over n parts.
func Indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// Stateful is a source whose sync state can be saved and restored, so that
// a restart resumes incrementally instead of reading the whole window.
// Both stream: a large state is never held twice in memory.
type Stateful interface {
	SaveState(w io.Writer) error
	RestoreState(r io.Reader) error
}

// Reconfigurer is a source that a reload keeps, because its section did
// not change, but that takes what else changed in the config, such as the
// people's e-mail addresses.
type Reconfigurer interface {
	Reconfigure(cfg *config.Config)
}

// Source fetches one API's tracked items and activities for a window. A
// Source returns either a complete snapshot or an error, never partial data.
type Source interface {
	Name() string
	Fetch(ctx context.Context, w Window) (*model.Snapshot, error)
}

// ForEach runs f on every element with at most n running at once, and
// returns the first error. After an error, elements not yet started are
// skipped and the context of those running is cancelled (errgroup).
func ForEach[T any](ctx context.Context, n int, items []T, f func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	return run(ctx, gctx, g, n, items, f)
}

// ForEachAll runs f on every element, at most n at once, and returns the
// first error after every call has finished; one failure does not stop
// the others.
func ForEachAll[T any](ctx context.Context, n int, items []T, f func(context.Context, T) error) error {
	return run(ctx, ctx, &errgroup.Group{}, n, items, f)
}

// run starts f on items in g, each call safe from panics, and stops
// starting them once gctx ends. Cancelled from outside with no error of its
// own, it returns the parent's error.
func run[T any](parent, gctx context.Context, g *errgroup.Group, n int, items []T, f func(context.Context, T) error) error {
	g.SetLimit(max(1, n))
	for _, it := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return Safely(gctx, f, it) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return parent.Err()
}

// Safely calls f, turning a panic into a *PanicError with its stack: a
// malformed API answer that makes a client library panic must fail the
// refresh, never the process.
func Safely[T any](ctx context.Context, f func(context.Context, T) error, it T) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{msg: fmt.Sprintf("panic during refresh: %v\n%s", p, debug.Stack())}
		}
	}()
	return f(ctx, it)
}

// PanicError is a panic recovered during a refresh.
type PanicError struct{ msg string }

func (e *PanicError) Error() string { return e.msg }

// RepoFailure is one repository that a refresh could not read.
type RepoFailure struct {
	Repo string
	Err  error
}

// PartialError is a refresh that read some of its source's parts and not
// others: the snapshot returned with it holds the new data of the parts
// that were read and the last good data of the others.
type PartialError struct {
	Source   string
	Failures []RepoFailure
}

func (e *PartialError) Error() string {
	msgs := make([]string, 0, len(e.Failures))
	for _, f := range e.Failures {
		msgs = append(msgs, f.Err.Error())
	}
	return fmt.Sprintf("%s: %d repositories kept their last good data: %s", e.Source, len(e.Failures), strings.Join(msgs, "; "))
}

// Unwrap gives the failures' causes, so that errors.As sees through.
func (e *PartialError) Unwrap() []error {
	out := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		out[i] = f.Err
	}
	return out
}

// Names are the repositories that kept older data, sorted.
func (e *PartialError) Names() []string {
	out := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		out[i] = f.Repo
	}
	sort.Strings(out)
	return out
}
