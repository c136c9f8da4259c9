// Package collectors owns fetching from GitHub and PagerDuty, the
// background refresh that swaps complete snapshots in, and the Prometheus
// collector that serves them.
package collectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"golang.org/x/sync/errgroup"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
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

// Source fetches one API's tracked items and activities for a window. A
// Source returns either a complete snapshot or an error, never partial data.
type Source interface {
	Name() string
	Fetch(ctx context.Context, w Window) (*model.Snapshot, error)
}

// NewSources builds the sources that cfg configures, each with its own
// HTTP transport, which api instruments.
func NewSources(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) ([]Source, error) {
	var out []Source
	for _, name := range cfg.Sources() {
		s, err := NewSource(cfg, name, api, logger)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// NewSource builds the named source of cfg.
func NewSource(cfg *config.Config, name string, api *apiclient.Metrics, logger *slog.Logger) (Source, error) {
	switch name {
	case model.SourceGitHub:
		etags := apiclient.NewETags()
		var t http.RoundTripper = apiclient.NewTransport(model.SourceGitHub, &cfg.GitHub.APIConfig, api, logger, etags)
		if g := cfg.GitHub; g.App() {
			// A GitHub App: ghinstallation signs a JWT with the app's key,
			// trades it for an installation token (through the same
			// transport, so that it is counted and retried), and renews it.
			itr, err := ghinstallation.New(t, g.AppID, g.InstallationID, []byte(g.AppKey()))
			if err != nil {
				return nil, errors.New("github.private_key_file: not a usable GitHub App key")
			}
			itr.BaseURL = strings.TrimSuffix(g.APIURL, "/")
			t = itr
		}
		return NewGitHubSource(cfg.GitHub, &http.Client{Transport: t}, etags, api, logger)
	case model.SourcePagerDuty:
		t := apiclient.NewTransport(model.SourcePagerDuty, &cfg.PagerDuty.APIConfig, api, logger, nil)
		return NewPagerDutySource(cfg, &http.Client{Transport: t}), nil
	}
	return nil, fmt.Errorf("unknown source %q", name)
}

// forEach runs f on every element with at most n running at once, and
// returns the first error. After an error, elements not yet started are
// skipped and the context of those running is cancelled (errgroup).
func forEach[T any](ctx context.Context, n int, items []T, f func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	return run(ctx, gctx, g, n, items, f)
}

// forEachAll runs f on every element, at most n at once, and returns the
// first error after every call has finished; one failure does not stop
// the others.
func forEachAll[T any](ctx context.Context, n int, items []T, f func(context.Context, T) error) error {
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
		g.Go(func() error { return callSafely(gctx, f, it) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return parent.Err()
}

// callSafely calls f, turning a panic into an error with its stack: a
// malformed API answer that makes a client library panic must fail the
// refresh, never the process.
func callSafely[T any](ctx context.Context, f func(context.Context, T) error, it T) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{msg: fmt.Sprintf("panic during refresh: %v\n%s", p, debug.Stack())}
		}
	}()
	return f(ctx, it)
}

// panicError is a panic recovered during a refresh.
type panicError struct{ msg string }

func (e *panicError) Error() string { return e.msg }

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
