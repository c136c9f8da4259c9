package report

import (
	"slices"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// privacy is how a report shows people: privacy.people's mode, whether
// items' titles are shown (privacy.titles), and the config whose people
// the pseudonyms stand for (config.Shown). Build takes it from the
// config; Anonymise raises a named report to pseudonymous. Every
// rendering applies it first, once.
type privacy struct {
	cfg     *config.Config
	mode    string
	titles  bool
	applied bool
}

func newPrivacy(cfg *config.Config) privacy {
	return privacy{cfg: cfg, mode: cfg.Privacy.Mode(), titles: cfg.Privacy.ShowsTitles()}
}

// Anonymise renders the report as privacy.people: pseudonymous would,
// whatever the config says: every person is shown as person-1, person-2,
// in people[] order. An aggregate report stays aggregate. It is report
// --anonymise and /report?anonymise=1: a report a lead can hand upward.
func (r *Report) Anonymise() *Report {
	if r.privacy.mode == config.PrivacyNamed {
		r.privacy.mode = config.PrivacyPseudonymous
	}
	return r
}

// name is a person as the report shows them.
func (p *privacy) name(n string) string { return p.cfg.Shown(p.mode, n) }

// key is an item's key as the report shows it: a meeting's key holds its
// person (model.MeetingKey), who is shown as the mode shows them, or left
// out under aggregate.
func (p *privacy) key(it Item) string {
	if it.Source != model.SourceCalendar {
		return it.Key
	}
	person, rest := model.MeetingPerson(it.Key)
	if p.mode == config.PrivacyAggregate {
		return rest
	}
	return p.name(person) + "/" + rest
}

// each is a copy of list with f applied to every element, or nil when
// drop: the report shares some slices with the analysis it was built
// from (a rotation's members), which other reports read, so privacy
// changes only copies.
func each[T any](list []T, drop bool, f func(*T)) []T {
	if drop {
		return nil
	}
	out := slices.Clone(list)
	for i := range out {
		f(&out[i])
	}
	return out
}

// applyPrivacy rewrites the report as its privacy mode shows it, once:
// pseudonyms for names; under aggregate no per-person row at all, only
// the team-level figures; and no titles when privacy.titles is false.
func (r *Report) applyPrivacy() {
	p := &r.privacy
	if p.applied || p.cfg == nil {
		return
	}
	p.applied = true
	r.PeopleShown = p.mode
	rename := func(s *string) { *s = p.name(*s) }
	for i := range r.Sources {
		r.Sources[i].Stale = each(r.Sources[i].Stale, false, rename) // a calendar's part is its person
	}
	if r.DataQuality != nil {
		dq := *r.DataQuality
		dq.RecentUnclassified = each(dq.RecentUnclassified, false, func(it *Item) {
			it.Key = p.key(*it)
			if !p.titles {
				it.Title = ""
			}
		})
		r.DataQuality = &dq
	}
	if p.mode == config.PrivacyNamed {
		return
	}
	drop := p.mode == config.PrivacyAggregate
	r.People = each(r.People, drop, func(x *Person) { rename(&x.Name) })
	if r.Meetings != nil {
		m := *r.Meetings
		m.People = each(m.People, drop, func(x *MeetingPerson) { rename(&x.Name) })
		r.Meetings = &m
	}
	if r.OnCall != nil {
		o := *r.OnCall
		o.People = each(o.People, drop, func(x *OnCallPerson) { rename(&x.Name) })
		if o.Rotation != nil {
			rot := *o.Rotation
			rot.People = each(rot.People, drop, rename)
			o.Rotation = &rot
		}
		r.OnCall = &o
	}
	if r.History != nil {
		h := *r.History
		h.People = each(h.People, drop, func(x *SeriesHistory) { rename(&x.Name) })
		r.History = &h
	}
	if r.AfterSplit != nil {
		a := *r.AfterSplit
		a.Assignment = each(a.Assignment, drop, func(x *AssignmentRow) { rename(&x.Person) })
		a.Rotations = each(a.Rotations, false, func(rot *RotationRow) {
			rot.Members = each(rot.Members, drop, rename)
			pages := rot.SleepPagesPerWeek
			rot.SleepPagesPerWeek = nil
			if !drop {
				rot.SleepPagesPerWeek = make(map[string]float64, len(pages))
				for k, v := range pages {
					rot.SleepPagesPerWeek[p.name(k)] = v
				}
			}
		})
		r.AfterSplit = &a
	}
}
