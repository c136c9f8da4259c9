package report

import (
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
	for i := range r.Sources {
		for j, s := range r.Sources[i].Stale {
			r.Sources[i].Stale[j] = p.name(s) // a calendar's part is its person
		}
	}
	if dq := r.DataQuality; dq != nil {
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
	if p.mode == config.PrivacyAggregate {
		r.People = nil
		if r.Meetings != nil {
			r.Meetings.People = nil
		}
		if r.OnCall != nil {
			r.OnCall.People = nil
			if r.OnCall.Rotation != nil {
				r.OnCall.Rotation.People = nil
			}
		}
		if r.History != nil {
			r.History.People = nil
		}
		if a := r.AfterSplit; a != nil {
			a.Assignment = nil
			for i := range a.Rotations {
				a.Rotations[i].Members, a.Rotations[i].SleepPagesPerWeek = nil, nil
			}
		}
		return
	}
	for i := range r.People {
		r.People[i].Name = p.name(r.People[i].Name)
	}
	if r.Meetings != nil {
		for i := range r.Meetings.People {
			r.Meetings.People[i].Name = p.name(r.Meetings.People[i].Name)
		}
	}
	if r.OnCall != nil {
		for i := range r.OnCall.People {
			r.OnCall.People[i].Name = p.name(r.OnCall.People[i].Name)
		}
		if rot := r.OnCall.Rotation; rot != nil {
			for i := range rot.People {
				rot.People[i] = p.name(rot.People[i])
			}
		}
	}
	if r.History != nil {
		for i := range r.History.People {
			r.History.People[i].Name = p.name(r.History.People[i].Name)
		}
	}
	if a := r.AfterSplit; a != nil {
		for i := range a.Assignment {
			a.Assignment[i].Person = p.name(a.Assignment[i].Person)
		}
		for i := range a.Rotations {
			rot := &a.Rotations[i]
			for j := range rot.Members {
				rot.Members[j] = p.name(rot.Members[j])
			}
			pages := make(map[string]float64, len(rot.SleepPagesPerWeek))
			for k, v := range rot.SleepPagesPerWeek {
				pages[p.name(k)] = v
			}
			rot.SleepPagesPerWeek = pages
		}
	}
}
