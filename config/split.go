package config

// Split signal names, in the fixed set used as the "signal" label value.
const (
	SignalContextSwitching   = "context_switching"
	SignalSecondaryTeamShare = "secondary_team_share"
	SignalOnCallLoad         = "oncall_load"
	SignalOrgRatio           = "org_ratio"
)

// Split defaults.
const (
	DefaultMinSignals         = 2
	DefaultContextSwitching   = 3
	DefaultSecondaryTeamShare = 0.25
	DefaultOnCallPerShift     = 2
	DefaultOrgRatio           = 40
	// DefaultOnCallTimeRatio is the Google SRE book's cap on the share of
	// an engineer's time on call ("Being On-Call": at least 50% of an
	// SRE's time goes to engineering, and of the rest no more than 25%
	// to on-call).
	DefaultOnCallTimeRatio = 0.25
	// DefaultRotationSingleSite and DefaultRotationPerSite are the SRE
	// book's minimum rotations ("Being On-Call"): eight engineers for a
	// single-site team, six per site for a team across sites.
	DefaultRotationSingleSite = 8
	DefaultRotationPerSite    = 6
)

// SplitConfig holds the thresholds of the split signals. A signal holds
// when its value is at least its threshold; a threshold of 0 disables it.
// A key that is left out takes its default.
type SplitConfig struct {
	MinSignals              int     `yaml:"min_signals"`
	ContextSwitching        float64 `yaml:"context_switching"`
	SecondaryTeamShare      float64 `yaml:"secondary_team_share"`
	OnCallIncidentsPerShift float64 `yaml:"oncall_incidents_per_shift"`
	// OrgHeadcount has no default: unset (nil), the org_ratio signal
	// cannot be computed and is not enabled.
	OrgHeadcount *int    `yaml:"org_headcount"`
	OrgRatio     float64 `yaml:"org_ratio"`
	// OnCallTimeRatio is the sustainable share of a person's time on
	// call: sre_workload_oncall_sustainable_ratio, which the on-call
	// time alert and the report compare each person's share with. It is
	// a cap, not a signal.
	OnCallTimeRatio float64 `yaml:"oncall_time_ratio"`
	// Rotation is the on-call model the staffing gap assumes after a
	// split: RotationPerTeam (each team its own rotation) or
	// RotationShared (one rotation stays).
	Rotation string `yaml:"rotation"`
	// RotationSingleSite and RotationPerSite are the minimum rotation,
	// in people, on one site and per site on more.
	RotationSingleSite int `yaml:"rotation_minimum_single_site"`
	RotationPerSite    int `yaml:"rotation_minimum_per_site"`
}

// Rotation models of split.rotation.
const (
	RotationPerTeam = "per_team"
	RotationShared  = "shared"
)

// defaultSplit is the split section of a config that leaves it out.
var defaultSplit = SplitConfig{
	MinSignals:              DefaultMinSignals,
	ContextSwitching:        DefaultContextSwitching,
	SecondaryTeamShare:      DefaultSecondaryTeamShare,
	OnCallIncidentsPerShift: DefaultOnCallPerShift,
	OrgRatio:                DefaultOrgRatio,
	OnCallTimeRatio:         DefaultOnCallTimeRatio,
	Rotation:                RotationPerTeam,
	RotationSingleSite:      DefaultRotationSingleSite,
	RotationPerSite:         DefaultRotationPerSite,
}

// UnmarshalYAML sets the defaults, then decodes the section: a key that
// is left out keeps its default, and an explicit 0 disables its signal.
func (s *SplitConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*s = defaultSplit
	type plain SplitConfig
	return unmarshal((*plain)(s))
}

// Thresholds lists every signal with its configured threshold, in label
// order. A threshold of 0 means the signal is disabled.
func (s *SplitConfig) Thresholds() []struct {
	Signal    string
	Threshold float64
} {
	return []struct {
		Signal    string
		Threshold float64
	}{
		{SignalContextSwitching, s.ContextSwitching},
		{SignalSecondaryTeamShare, s.SecondaryTeamShare},
		{SignalOnCallLoad, s.OnCallIncidentsPerShift},
		{SignalOrgRatio, s.OrgRatio},
	}
}

func (c *Config) validateSplit(errs *Errors) {
	s := &c.Split
	if s.MinSignals < 1 {
		errs.add("split.min_signals", "must be at least 1")
	}
	for _, f := range []struct {
		key string
		v   float64
	}{
		{"context_switching", s.ContextSwitching},
		{"secondary_team_share", s.SecondaryTeamShare},
		{"oncall_incidents_per_shift", s.OnCallIncidentsPerShift},
		{"org_ratio", s.OrgRatio},
	} {
		if f.v < 0 {
			errs.add("split."+f.key, "must not be negative (0 disables the signal)")
		}
	}
	if s.SecondaryTeamShare > 0.5 {
		errs.add("split.secondary_team_share", "must be at most 0.5: the smallest of two or more teams never holds more than half")
	}
	if !(s.OnCallTimeRatio > 0 && s.OnCallTimeRatio <= 1) {
		errs.add("split.oncall_time_ratio", "must be more than 0 and at most 1 (a share of the window)")
	}
	if s.RotationSingleSite < 1 {
		errs.add("split.rotation_minimum_single_site", "must be at least 1")
	}
	if s.RotationPerSite < 1 {
		errs.add("split.rotation_minimum_per_site", "must be at least 1")
	}
	if s.Rotation != RotationPerTeam && s.Rotation != RotationShared {
		errs.add("split.rotation", "%q is not a rotation model: want per_team or shared", s.Rotation)
	}
	if s.OrgHeadcount != nil && *s.OrgHeadcount < 1 {
		errs.add("split.org_headcount", "must be at least 1")
	}
	enabled := 0
	for _, t := range s.Thresholds() {
		if t.Threshold > 0 && (t.Signal != SignalOrgRatio || s.OrgHeadcount != nil) {
			enabled++
		}
	}
	if s.MinSignals > enabled && s.MinSignals >= 1 {
		errs.add("split.min_signals", "%d is more than the %d enabled signals, so a split could never be recommended", s.MinSignals, enabled)
	}
}
