package report

import (
	"slices"
	"strings"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// privacy is how a report shows people: privacy.people's mode, and
// whether items' titles are shown (privacy.titles), with each configured
// name's pseudonym. Build takes it from the config; Anonymise raises a
// named report to pseudonymous. Every rendering applies it first, once.
type privacy struct {
	mode    string
	titles  bool
	shown   map[string]string // name -> pseudonym
	applied bool
}

func newPrivacy(cfg *config.Config) privacy {
	p := privacy{mode: cfg.Privacy.Mode(), titles: cfg.Privacy.ShowsTitles(), shown: map[string]string{}}
	for i, person := range cfg.People {
		p.shown[person.Name] = config.Pseudonym(i)
	}
	return p
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

// PeopleMode is the privacy mode the report is shown in.
func (r *Report) PeopleMode() string { return r.privacy.mode }

// name is a person as the report shows them.
func (p privacy) name(n string) string {
	if s, ok := p.shown[n]; ok && p.mode != config.PrivacyNamed {
		return s
	}
	return n
}

// applyPrivacy rewrites the report as its privacy mode shows it, once:
// pseudonyms for names; under aggregate no per-person row at all, only
// the team-level figures; and no titles when privacy.titles is false.
func (r *Report) applyPrivacy() {
	p := &r.privacy
	if p.applied || p.shown == nil {
		return
	}
	p.applied = true
	r.PeopleShown = p.mode
	r.Sources = slices.Clone(r.Sources)
	for i := range r.Sources {
		if r.Sources[i].Stale != nil {
			r.Sources[i].Stale = names(p, r.Sources[i].Stale) // a calendar's part is its person
		}
	}
	if r.DataQuality != nil {
		dq := *r.DataQuality
		dq.RecentUnclassified = slices.Clone(dq.RecentUnclassified)
		r.DataQuality = &dq
		for i := range dq.RecentUnclassified {
			it := &dq.RecentUnclassified[i]
			if it.Source == model.SourceCalendar {
				person, rest, _ := strings.Cut(it.Key, "/")
				if p.mode == config.PrivacyAggregate {
					it.Key = rest
				} else {
					it.Key = p.name(person) + "/" + rest
				}
			}
			if !p.titles {
				it.Title = ""
			}
		}
	}
	if p.mode == config.PrivacyNamed {
		return
	}
	// The report shares some slices with the analysis it was built from
	// (a rotation's members), which other reports read: every change
	// below is made on a copy.
	if p.mode == config.PrivacyAggregate {
		r.People = nil
		if r.Meetings != nil {
			m := *r.Meetings
			m.People = nil
			r.Meetings = &m
		}
		if r.OnCall != nil {
			o := *r.OnCall
			o.People = nil
			if o.Rotation != nil {
				rot := *o.Rotation
				rot.People = nil
				o.Rotation = &rot
			}
			r.OnCall = &o
		}
		if r.History != nil {
			h := *r.History
			h.People = nil
			r.History = &h
		}
		if r.AfterSplit != nil {
			a := *r.AfterSplit
			a.Assignment = nil
			a.Rotations = slices.Clone(a.Rotations)
			for i := range a.Rotations {
				a.Rotations[i].Members, a.Rotations[i].SleepPagesPerWeek = nil, nil
			}
			r.AfterSplit = &a
		}
		return
	}
	r.People = slices.Clone(r.People)
	for i := range r.People {
		r.People[i].Name = p.name(r.People[i].Name)
	}
	if r.Meetings != nil {
		m := *r.Meetings
		m.People = slices.Clone(m.People)
		for i := range m.People {
			m.People[i].Name = p.name(m.People[i].Name)
		}
		r.Meetings = &m
	}
	if r.OnCall != nil {
		o := *r.OnCall
		o.People = slices.Clone(o.People)
		for i := range o.People {
			o.People[i].Name = p.name(o.People[i].Name)
		}
		if o.Rotation != nil {
			rot := *o.Rotation
			rot.People = names(p, rot.People)
			o.Rotation = &rot
		}
		r.OnCall = &o
	}
	if r.History != nil {
		h := *r.History
		h.People = slices.Clone(h.People)
		for i := range h.People {
			h.People[i].Name = p.name(h.People[i].Name)
		}
		r.History = &h
	}
	if r.AfterSplit != nil {
		a := *r.AfterSplit
		a.Assignment = slices.Clone(a.Assignment)
		for i := range a.Assignment {
			a.Assignment[i].Person = p.name(a.Assignment[i].Person)
		}
		a.Rotations = slices.Clone(a.Rotations)
		for i := range a.Rotations {
			rot := &a.Rotations[i]
			rot.Members = names(p, rot.Members)
			pages := make(map[string]float64, len(rot.SleepPagesPerWeek))
			for k, v := range rot.SleepPagesPerWeek {
				pages[p.name(k)] = v
			}
			rot.SleepPagesPerWeek = pages
		}
		r.AfterSplit = &a
	}
}

// names is a new list of the people as the report shows them.
func names(p *privacy, list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = p.name(n)
	}
	return out
}
