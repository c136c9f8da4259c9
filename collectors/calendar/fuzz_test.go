package calendar

import (
	"os"
	"testing"
	"time"
)

// FuzzParse: no feed makes Parse panic, return a meeting outside the
// window, or one that ends before it starts or lasts over MaxMeeting.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"google.ics", "outlook.ics"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(feed("SUMMARY:x\nDTSTART;TZID=Europe/Berlin:20260302T100000\nDURATION:PT1H\nRRULE:FREQ=DAILY;BYHOUR=1,2,3"))
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 2, 0)
	f.Fuzz(func(t *testing.T, b []byte) {
		began := time.Now()
		got, _, err := Parse(b, Options{Self: "alice@example.com", From: from, To: to})
		if d := time.Since(began); d > 5*time.Second && os.Getenv("SRE_FUZZ_SLOW") != "" {
			t.Fatalf("Parse took %v", d)
		}
		if err != nil {
			return
		}
		for _, m := range got {
			if !m.End.After(m.Start) || m.End.Sub(m.Start) > MaxMeeting || !m.End.After(from) || !m.Start.Before(to) {
				t.Fatalf("meeting %+v outside the rules", m)
			}
		}
	})
}
