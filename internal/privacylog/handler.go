// Package privacylog keeps the people out of the log under
// privacy.people: pseudonymous and aggregate. Its slog.Handler rewrites
// every message and attribute through the config's Pseudonymiser before
// the next handler writes it, so that no source, wherever it logs, names a
// person, a login or an e-mail address. A reload swaps the config's
// mapping in.
package privacylog

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// Handler is a slog.Handler that pseudonymises what it passes on.
type Handler struct {
	next    slog.Handler
	rewrite *atomic.Pointer[func(string) string]
}

// New wraps next; until Use, it passes records on as they are.
func New(next slog.Handler) *Handler {
	h := &Handler{next: next, rewrite: &atomic.Pointer[func(string) string]{}}
	identity := func(s string) string { return s }
	h.rewrite.Store(&identity)
	return h
}

// Use takes the privacy mode and the people of a (re)loaded config.
func (h *Handler) Use(cfg *config.Config) {
	f := cfg.Pseudonymiser()
	h.rewrite.Store(&f)
}

// Enabled reports whether the next handler takes the level.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle passes the record on, its message and attributes rewritten.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	f := *h.rewrite.Load()
	out := slog.NewRecord(r.Time, r.Level, f(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a, f))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs rewrites the attributes with the mapping of the moment.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	f := *h.rewrite.Load()
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = attr(a, f)
	}
	return &Handler{next: h.next.WithAttrs(out), rewrite: h.rewrite}
}

// WithGroup opens a group in the next handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), rewrite: h.rewrite}
}

// attr is a rewritten attribute: strings, errors, Stringers and any other
// value that prints as text go through f; numbers, times and durations
// stay as they are.
func attr(a slog.Attr, f func(string) string) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, f(v.String()))
	case slog.KindGroup:
		group := v.Group()
		out := make([]any, len(group))
		for i, g := range group {
			out[i] = attr(g, f)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, f(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, f(x.String()))
		default:
			return slog.String(a.Key, f(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
