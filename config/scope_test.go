package config

import (
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// What a change to one field of a source's section does at a reload.
type onChange int

const (
	// kept: the section is Equal, the running source is kept as it is.
	kept onChange = iota
	// rebuilt: not Equal, but the same Scope: a new source (a new
	// client) takes over the old one's state, and the state file stays
	// valid.
	rebuilt
	// rescoped: another Scope: the new source reads something else, so
	// it starts from scratch (or from a state file of that scope).
	rescoped
)

func (c onChange) String() string { return [...]string{"kept", "rebuilt", "rescoped"}[c] }

// apiFields is the decision for every field of APIConfig, in every
// section. A rotated token keeps the state: an ETag received with another
// token is still right, only charged once (the README's cost of a token
// change).
var apiFields = map[string]onChange{
	"APIURL":           rescoped,
	"TokenEnv":         rebuilt,
	"TokenFile":        rebuilt,
	"Concurrency":      rebuilt,
	"RequestTimeout":   rebuilt,
	"MaxRetries":       rebuilt,
	"RateLimitReserve": rebuilt,
	"token":            rebuilt,
}

// TestScopeAndEquality changes every field of every source's section, one
// at a time, and checks what SameSource and the state file's Scope make
// of it against the decision recorded here. A field added to a section
// without a decision fails, so the two can never drift apart.
func TestScopeAndEquality(t *testing.T) {
	c, err := Parse([]byte(`
github: {token_env: GH, repositories: [acme/*, x/y], exclude_repositories: [acme/tmp-*]}
pagerduty: {token_env: PD, services: [S1], teams: [T1]}
domains: [{name: d}]
`), Environment{Getenv: func(k string) string { return "token-" + k }})
	if err != nil {
		t.Fatal(err)
	}
	key := Secret("app key")
	c.GitHub.appKey = &key // a section has a token or an App key; both count

	for _, tc := range []struct {
		source  string
		section any // a pointer to the section in c
		fields  map[string]onChange
	}{
		{"github", c.GitHub, map[string]onChange{
			"Repositories":        rescoped,
			"ExcludeRepositories": rescoped,
			"AppID":               rebuilt,
			"InstallationID":      rebuilt,
			// The key's content (appKey) counts, not where it is read.
			"PrivateKeyFile":    kept,
			"ReconcileInterval": rebuilt,
			"appKey":            rebuilt,
		}},
		{"pagerduty", c.PagerDuty, map[string]onChange{
			"Services": rescoped,
			"Teams":    rescoped,
			// Applied by the analysis to the collected on-calls.
			"OnCallEscalationPolicies": kept,
		}},
	} {
		want := map[string]onChange{}
		for k, v := range apiFields {
			want[k] = v
		}
		for k, v := range tc.fields {
			want[k] = v
		}
		orig := reflect.ValueOf(tc.section).Elem()
		var seen []string
		for _, path := range fieldPaths(orig.Type(), nil) {
			name := orig.Type().FieldByIndex(path).Name
			seen = append(seen, name)
			decided, ok := want[name]
			if !ok {
				t.Errorf("%s: field %s has no decision: say in this test whether changing it keeps the source, rebuilds it or changes its Scope, and make Equal and Scope agree", tc.source, name)
				continue
			}
			saved := reflect.New(orig.Type()).Elem()
			saved.Set(orig)
			f := settable(orig.FieldByIndex(path))
			if !change(f) {
				t.Fatalf("%s.%s: teach the test to change a %s", tc.source, name, f.Type())
			}
			next := *c
			same := SameSource(withSection(&next, tc.source, saved), c, tc.source)
			sameScope := c.Scope(tc.source) == scopeOf(t, tc.source, saved)
			orig.Set(saved)
			got := kept
			switch {
			case same && !sameScope:
				t.Errorf("%s: a change of %s keeps the source, though it changes what it reads", tc.source, name)
				continue
			case !sameScope:
				got = rescoped
			case !same:
				got = rebuilt
			}
			if got != decided {
				t.Errorf("%s: a change of %s is %s, want %s", tc.source, name, got, decided)
			}
		}
		for name := range want {
			if !slices.Contains(seen, name) {
				t.Errorf("%s: the decision for %s names no field", tc.source, name)
			}
		}
		if !SameSource(c, c, tc.source) {
			t.Errorf("%s: a section is not the same as itself", tc.source)
		}
	}
}

// fieldPaths lists the fields of a section, those of the embedded
// APIConfig in its place.
func fieldPaths(t reflect.Type, prefix []int) [][]int {
	var out [][]int
	for i := 0; i < t.NumField(); i++ {
		p := append(slices.Clone(prefix), i)
		if f := t.Field(i); f.Anonymous {
			out = append(out, fieldPaths(f.Type, p)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// settable makes an unexported field writable: the secrets are
// unexported, and they count too.
func settable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// change gives v another value, never sharing memory with the old one.
func change(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Float64:
		v.SetFloat(v.Float() + 0.01)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return false
		}
		v.Set(reflect.Append(reflect.AppendSlice(reflect.MakeSlice(v.Type(), 0, v.Len()+1), v), reflect.ValueOf("x")))
	case reflect.Pointer:
		n := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			n.Elem().Set(v.Elem())
		}
		if !change(n.Elem()) {
			return false
		}
		v.Set(n)
	default:
		return false
	}
	return true
}

// withSection returns c with the section of source replaced by a copy of
// s.
func withSection(c *Config, source string, s reflect.Value) *Config {
	p := reflect.New(s.Type())
	p.Elem().Set(s)
	switch source {
	case "github":
		c.GitHub = p.Interface().(*GitHubConfig)
	case "pagerduty":
		c.PagerDuty = p.Interface().(*PagerDutyConfig)
	}
	return c
}

func scopeOf(t *testing.T, source string, s reflect.Value) string {
	t.Helper()
	return withSection(&Config{}, source, s).Scope(source)
}

// TestScopeEncoding pins the scope's encoding: the state files'
// fingerprints hash it, and another encoding would make every saved
// state look like another config's.
func TestScopeEncoding(t *testing.T) {
	c, err := ParseWithoutSecrets([]byte(`
github: {token_env: GH, repositories: [acme/*, x/y], exclude_repositories: [acme/tmp-*]}
pagerduty: {token_env: PD, services: [S1, S2], teams: [T1]}
domains: [{name: d}]
`))
	if err != nil {
		t.Fatal(err)
	}
	for source, want := range map[string]string{
		"github":    "https://api.github.com/\x00acme/*,x/y\x00acme/tmp-*",
		"pagerduty": "https://api.pagerduty.com\x00S1,S2\x00T1",
		"calendar":  "",
	} {
		if got := c.Scope(source); got != want {
			t.Errorf("Scope(%q) = %q, want %q", source, got, want)
		}
	}
	if got := (&Config{}).Scope("github"); got != "" {
		t.Errorf("the scope of a missing section is %q", got)
	}
}

// TestSameSourceOfMissingSections: a section missing from both configs is
// the same; missing from one, it is not; an unknown source never is.
func TestSameSourceOfMissingSections(t *testing.T) {
	gh, err := ParseWithoutSecrets([]byte("github: {token_env: GH, repositories: [a/b]}\ndomains: [{name: d}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	pd, err := ParseWithoutSecrets([]byte("pagerduty: {token_env: PD}\ndomains: [{name: d}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		a, b   *Config
		source string
		want   bool
	}{
		{gh, gh, "github", true},
		{gh, pd, "github", false},
		{pd, gh, "github", false},
		{gh, gh, "pagerduty", true},
		{gh, gh, "calendar", true}, // missing from both
		{gh, gh, "gitlab", false},
	} {
		if got := SameSource(tc.a, tc.b, tc.source); got != tc.want {
			t.Errorf("SameSource(%v, %v, %s) = %v, want %v", tc.a.Sources(), tc.b.Sources(), tc.source, got, tc.want)
		}
	}
	if got := gh.Sources(); !slices.Equal(got, []string{"github"}) {
		t.Errorf("Sources() = %v", got)
	}
}
