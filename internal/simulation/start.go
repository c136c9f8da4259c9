package simulation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sre-workload/sre_workload_exporter/config"
)

// Running is a simulation served on a loopback port.
type Running struct {
	*Server
	URL string
	srv *http.Server
	// adjust completes a config for this simulation's data (the demo's
	// people[].joined), or is nil.
	adjust func(*config.Config)
}

// GitHubURL is the base URL of the simulated GitHub API.
func (r *Running) GitHubURL() string { return r.URL + GitHubPrefix }

// PagerDutyURL is the base URL of the simulated PagerDuty API.
func (r *Running) PagerDutyURL() string { return r.URL + PagerDutyPrefix }

// Close stops serving.
func (r *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return r.srv.Shutdown(ctx)
}

// Serve starts serving ds on 127.0.0.1 with fresh random tokens.
func Serve(ds *Dataset) (*Running, error) {
	for _, c := range ds.Calendars {
		if c.Token == "" {
			// The shape of a Google Calendar secret address's part
			// (13Bytes/eInkCalendar#3); Assumption: its length.
			c.Token = c.Person + "/" + randomToken("private-")
		}
	}
	s := NewServer(ds, randomToken("ghp_"), randomToken("pd_"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &Running{Server: s, URL: "http://" + ln.Addr().String(), srv: srv}, nil
}

// Configure points cfg's sources at the simulation, with its tokens.
func (r *Running) Configure(cfg *config.Config) {
	cfg.SetEndpoint("github", r.GitHubURL(), config.Secret(r.GitHubToken))
	cfg.SetEndpoint("pagerduty", r.PagerDutyURL(), config.Secret(r.PagerDutyToken))
	r.mu.Lock()
	for _, c := range r.ds.Calendars {
		cfg.SetCalendarURL(c.Person, config.Secret(r.feedURL(c)))
	}
	r.mu.Unlock()
	if r.adjust != nil {
		r.adjust(cfg)
	}
}

// randomToken makes a token with a prefix: ghs_ for installation tokens
// (seen in PyGithub tests/ReplayData). Assumption: ghp_ for a personal
// token and pd_ for a PagerDuty key (real PagerDuty keys have no prefix,
// e.g. y_NbAkKc66ryYTWUXYEu in PagerDuty/developer-docs
// docs/REST-API/02-Authentication.md); clients must not depend on either.
func randomToken(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// StartDemo serves the demo's story, as it stands at now, and returns the
// demo config pointed at it.
func StartDemo(now time.Time) (*Running, *config.Config, error) {
	cfg, err := config.ParseWithoutSecrets(config.DemoYAML)
	if err != nil {
		return nil, nil, err
	}
	run, err := Serve(Demo(now))
	if err != nil {
		return nil, nil, err
	}
	run.adjust = func(c *config.Config) { demoJoined(c, now) }
	run.Configure(cfg)
	return run, cfg, nil
}

// StartScaleDemo serves a generated organisation of size p, with every
// answer delayed by latency, and returns a config pointed at it.
func StartScaleDemo(p ScaleParams, now time.Time, latency time.Duration) (*Running, *config.Config, error) {
	cfg, err := config.ParseWithoutSecrets(ScaleConfig(p))
	if err != nil {
		return nil, nil, err
	}
	run, err := Serve(Scale(p, now))
	if err != nil {
		return nil, nil, err
	}
	run.SetLatency(latency)
	run.Configure(cfg)
	return run, cfg, nil
}

// DemoScenario starts the demo named by scale: "story" (the default: the
// 90-day story of config/demo.yml), "large" (the reference size of the
// scale goals) or "small" (1/20 of large). It also returns how to load the
// demo's config again, for reloads.
func DemoScenario(scale string, now time.Time, latency time.Duration) (*Running, *config.Config, func() (*config.Config, error), error) {
	var (
		run *Running
		cfg *config.Config
		err error
		src []byte
	)
	switch scale {
	case "", "story":
		run, cfg, err = StartDemo(now)
		src = config.DemoYAML
		if run != nil {
			run.SetLatency(latency)
		}
	case "large", "small":
		p := Large
		if scale == "small" {
			p = Large.Divide(20)
		}
		run, cfg, err = StartScaleDemo(p, now, latency)
		src = ScaleConfig(p)
	default:
		return nil, nil, nil, fmt.Errorf("unknown demo scale %q: want story, large or small", scale)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	reload := func() (*config.Config, error) {
		c, err := config.ParseWithoutSecrets(src)
		if err == nil {
			run.Configure(c)
		}
		return c, err
	}
	return run, cfg, reload, nil
}

// RotateGitHubToken replaces the GitHub token that the simulation accepts,
// as a rotation does; the old one is refused from now on. It returns the
// new one.
func (r *Running) RotateGitHubToken() string {
	tok := randomToken("ghp_")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.GitHubToken = tok
	return tok
}

// feedURL is the address of a simulated feed, a secret: the shape that
// serveCalendar answers.
func (r *Running) feedURL(c *Calendar) string { return r.URL + CalendarPrefix + c.Token + "/basic.ics" }

// CalendarURL is the address of a person's simulated feed, a secret; ""
// when the person has none.
func (r *Running) CalendarURL(person string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.ds.Calendars {
		if c.Person == person {
			return r.feedURL(c)
		}
	}
	return ""
}

// DemoEnv is the environment that config/demo.yml reads its secrets from,
// for this simulation: the tokens and the people's feed addresses.
func (r *Running) DemoEnv() []string {
	return append([]string{"DEMO_GITHUB_TOKEN=" + r.GitHubToken, "DEMO_PAGERDUTY_TOKEN=" + r.PagerDutyToken}, r.CalendarEnv("DEMO_CALENDAR_")...)
}

// ScaleEnv is the environment that ScaleConfig's config reads its secrets
// from, for this simulation.
func (r *Running) ScaleEnv() []string {
	return append([]string{"SIM_GITHUB_TOKEN=" + r.GitHubToken, "SIM_PAGERDUTY_TOKEN=" + r.PagerDutyToken}, r.CalendarEnv("SIM_CALENDAR_")...)
}

// CalendarEnv is, for each person with a feed, the variable prefix +
// their name in upper case, set to their feed's address: what the demo's
// and the scale scenario's configs read (DEMO_CALENDAR_ALICE,
// SIM_CALENDAR_P0).
func (r *Running) CalendarEnv(prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var env []string
	for _, c := range r.ds.Calendars {
		env = append(env, prefix+strings.ToUpper(c.Person)+"="+r.feedURL(c))
	}
	return env
}

// Secrets are every credential of this simulation: the tokens, and the
// secret parts of the feeds' addresses.
func (r *Running) Secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []string{r.GitHubToken, r.PagerDutyToken}
	for _, c := range r.ds.Calendars {
		out = append(out, c.Token[strings.LastIndexByte(c.Token, '/')+1:])
	}
	return out
}

// DemoIdentities are what names the demo's people: their config names,
// GitHub logins and e-mail addresses (config/demo.yml), for the tests
// that check a privacy mode writes none of them.
func DemoIdentities() []string {
	var out []string
	for _, p := range demoPeople {
		out = append(out, p.name, p.login, p.email)
	}
	return out
}
