package calendar

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/teambition/rrule-go"
)

// zone is a TZID's time zone: an IANA zone from the time-zone database,
// or the UTC offsets that a VTIMEZONE's observances give (RFC 5545
// §3.6.5). Outlook writes Windows names ("W. Europe Standard Time"), which
// no database knows, with such a VTIMEZONE; the csautter/outlook-ics-proxy
// README lists the products that show those feeds at the wrong time.
type zone struct {
	loc   *time.Location
	trans []transition // sorted by at
}

// transition is one onset of an observance: from at on, the offset is to.
type transition struct {
	at       time.Time
	from, to time.Duration
}

func (z *zone) offset(t time.Time) time.Duration {
	i := sort.Search(len(z.trans), func(i int) bool { return z.trans[i].at.After(t) })
	if i == 0 {
		return z.trans[0].from
	}
	return z.trans[i-1].to
}

// instant is the instant of a wall time. A wall time that a change skips
// takes the offset before it; one that occurs twice, the first (§3.3.5).
func (z *zone) instant(w time.Time) time.Time {
	if z.loc != nil {
		return goZone{z.loc}.instant(w)
	}
	best := time.Time{}
	for _, tr := range z.trans {
		for _, off := range []time.Duration{tr.from, tr.to} {
			if t := w.Add(-off); z.offset(t) == off && (best.IsZero() || t.Before(best)) {
				best = t
			}
		}
	}
	if best.IsZero() { // in a gap: the offset before it
		return w.Add(-z.offset(w.Add(-48 * time.Hour)))
	}
	return best
}

func (z *zone) wall(t time.Time) time.Time {
	if z.loc != nil {
		return goZone{z.loc}.wall(t)
	}
	return t.UTC().Add(z.offset(t))
}

// newVZone builds a zone from a VTIMEZONE's STANDARD and DAYLIGHT
// observances, with their onsets up to a year after to.
func newVZone(vt *ics.VTimezone, from, to time.Time) (*zone, error) {
	z := &zone{}
	until := to.AddDate(1, 0, 0)
	for _, c := range vt.Components {
		var base *ics.ComponentBase
		switch o := c.(type) {
		case *ics.Standard:
			base = &o.ComponentBase
		case *ics.Daylight:
			base = &o.ComponentBase
		default:
			continue
		}
		trs, err := onsets(base, from, until)
		if err != nil {
			return nil, err
		}
		z.trans = append(z.trans, trs...)
	}
	if len(z.trans) == 0 {
		return nil, errors.New("VTIMEZONE without observances")
	}
	sort.Slice(z.trans, func(i, j int) bool { return z.trans[i].at.Before(z.trans[j].at) })
	// Keep few before from: the offset there is all that matters.
	for len(z.trans) > 2 && z.trans[1].at.Before(from.AddDate(-1, 0, 0)) {
		z.trans = z.trans[1:]
	}
	return z, nil
}

// onsets are the transitions of one observance up to until.
func onsets(c *ics.ComponentBase, since, until time.Time) ([]transition, error) {
	from, err1 := utcOffset(c.GetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom)))
	to, err2 := utcOffset(c.GetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto)))
	dt := c.GetProperty(ics.ComponentPropertyDtStart)
	if err := errors.Join(err1, err2); err != nil || dt == nil {
		return nil, fmt.Errorf("bad observance: %v", err)
	}
	start, err := time.Parse("20060102T150405", strings.TrimSpace(dt.Value))
	if err != nil {
		return nil, err
	}
	walls := []time.Time{start}
	if r := c.GetProperty(ics.ComponentPropertyRrule); r != nil {
		opt, err := rrule.StrToROption(r.Value)
		if err != nil {
			return nil, err
		}
		opt.Dtstart = start
		// Outlook starts its observances in 1601; rrule-go stops after
		// 292 years (a time.Duration's range), before today. A yearly
		// rule without COUNT has the same onsets from a later year on.
		if y := since.Year() - 2; opt.Freq == rrule.YEARLY && opt.Count == 0 && start.Year() < y {
			opt.Dtstart = time.Date(y, start.Month(), start.Day(), start.Hour(), start.Minute(), start.Second(), 0, time.UTC)
		}
		rule, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil, err
		}
		walls = rule.Between(opt.Dtstart, until, true)
		if len(walls) > 5000 {
			return nil, errors.New("too many observance onsets")
		}
	}
	for _, rd := range c.GetProperties(ics.ComponentPropertyRdate) {
		for _, v := range strings.Split(rd.Value, ",") {
			if w, err := time.Parse("20060102T150405", strings.TrimSpace(v)); err == nil {
				walls = append(walls, w)
			}
		}
	}
	out := make([]transition, 0, len(walls))
	for _, w := range walls {
		out = append(out, transition{at: w.Add(-from), from: from, to: to})
	}
	return out, nil
}

// utcOffset reads a UTC-OFFSET (§3.3.14): +0100, -0500, +053000.
func utcOffset(p *ics.IANAProperty) (time.Duration, error) {
	if p == nil {
		return 0, errors.New("no offset")
	}
	v := strings.TrimSpace(p.Value)
	if len(v) != 5 && len(v) != 7 || (v[0] != '+' && v[0] != '-') {
		return 0, fmt.Errorf("bad offset %q", v)
	}
	var d time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		if 1+2*i+2 > len(v) {
			break
		}
		n, err := strconv.Atoi(v[1+2*i : 3+2*i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad offset %q", v)
		}
		d += time.Duration(n) * unit
	}
	if d >= 24*time.Hour {
		return 0, fmt.Errorf("bad offset %q", v)
	}
	if v[0] == '-' {
		d = -d
	}
	return d, nil
}
