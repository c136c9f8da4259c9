package calendar

import (
	"runtime"
	"testing"
	"time"

	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

// BenchmarkParseScale parses and expands the scale scenario's 40
// calendars, each a year of recurring meetings (simulation.ScaleCalendars),
// for a 7-day window (a refresh) and a 365-day one (a long window, or a
// backfill). One op is all 40 feeds. It reports the occurrences found and
// the heap they hold after a GC. BENCHMARKS.md quotes it:
//
//	go test ./collectors/calendar -run '^$' -bench ParseScale -benchmem -count 5
func BenchmarkParseScale(b *testing.B) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cals := simulation.ScaleCalendars(simulation.Large, now)
	feeds := make([][]byte, len(cals))
	size := 0
	for i, c := range cals {
		feeds[i] = c.Feed()
		size += len(feeds[i])
	}
	for _, window := range []struct {
		name string
		d    time.Duration
	}{{"window=7d", 7 * 24 * time.Hour}, {"window=365d", 365 * 24 * time.Hour}} {
		b.Run(window.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			var kept [][]Meeting
			n := 0
			for b.Loop() {
				kept, n = kept[:0], 0
				for i, f := range feeds {
					ms, _, err := Parse(f, Options{Self: cals[i].Name, From: now.Add(-window.d), To: now.Add(horizon)})
					if err != nil {
						b.Fatal(err)
					}
					kept = append(kept, ms)
					n += len(ms)
				}
			}
			// The heap with the last op's meetings, then without them.
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			runtime.KeepAlive(kept)
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(n), "occurrences/op")
			b.ReportMetric(float64(before.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))/(1<<20), "held-MiB")
		})
	}
}
