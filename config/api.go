package config

import (
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// APIConfig is what every API source has: where the API is, where its
// token comes from, and how the shared API client calls it.
type APIConfig struct {
	APIURL    string `yaml:"api_url"`
	TokenEnv  string `yaml:"token_env"`
	TokenFile string `yaml:"token_file"`

	// Concurrency is how many requests may be in flight at once.
	Concurrency int `yaml:"concurrency"`
	// RequestTimeout bounds each request, body included.
	RequestTimeout model.Duration `yaml:"request_timeout"`
	// MaxRetries is how often a request is retried after a transient
	// error, a 5xx or a rate limit. 0 never retries.
	MaxRetries int `yaml:"max_retries"`
	// RateLimitReserve is the share of the primary rate limit left for
	// the token's other users: at or below it, the source pauses until
	// the limit resets.
	RateLimitReserve float64 `yaml:"rate_limit_reserve"`

	// token is a pointer so that printing the struct shows an address,
	// never the secret: fmt cannot call String on an unexported field.
	token *Secret
}

// Defaults of the API sections.
const (
	DefaultRequestTimeout   = model.Duration(30 * time.Second)
	DefaultMaxRetries       = 3
	DefaultRateLimitReserve = 0.1
)

// defaultAPI is an API section's defaults, with the source's own URL and
// concurrency. The sections' UnmarshalYAML sets them before decoding, so
// a key that is left out keeps its default and one that is written keeps
// what is written, 0 included, but for the zeros of keepDefaults.
func defaultAPI(url string, concurrency int) APIConfig {
	return APIConfig{
		APIURL:           url,
		Concurrency:      concurrency,
		RequestTimeout:   DefaultRequestTimeout,
		MaxRetries:       DefaultMaxRetries,
		RateLimitReserve: DefaultRateLimitReserve,
	}
}

// keepDefaults undoes an explicit zero api_url, concurrency or
// request_timeout: none of them can work, and each has always meant the
// default. The other keys keep an explicit 0 (max_retries: 0 never
// retries, rate_limit_reserve: 0 keeps no reserve).
func (a *APIConfig) keepDefaults(d APIConfig) {
	if a.APIURL == "" {
		a.APIURL = d.APIURL
	}
	if a.Concurrency == 0 {
		a.Concurrency = d.Concurrency
	}
	if a.RequestTimeout == 0 {
		a.RequestTimeout = d.RequestTimeout
	}
}

// Secret is a token. It never prints itself.
type Secret string

// String hides the secret from fmt and loggers.
func (Secret) String() string { return "<secret>" }

// GoString hides the secret from %#v.
func (Secret) GoString() string { return `"<secret>"` }

func (s *Secret) value() Secret {
	if s == nil {
		return ""
	}
	return *s
}

// Token returns the token that Load resolved.
func (a *APIConfig) Token() Secret { return a.token.value() }

// equal reports whether two API sections are the same, the token's value
// included: every field counts.
func (a *APIConfig) equal(b *APIConfig) bool {
	x, y := *a, *b
	x.token, y.token = nil, nil
	return a.Token() == b.Token() && reflect.DeepEqual(x, y)
}

// validate checks a section that signs in with a token.
func (a *APIConfig) validate(section string, errs *Errors) {
	a.validateLimits(section, errs)
	a.validateURL(section, errs)
	switch {
	case a.TokenEnv == "" && a.TokenFile == "":
		errs.add(section, "one of token_env and token_file is required")
	case a.TokenEnv != "" && a.TokenFile != "":
		errs.add(section, "token_env and token_file are mutually exclusive")
	}
}

func (a *APIConfig) validateLimits(section string, errs *Errors) {
	if a.Concurrency < 1 || a.Concurrency > 100 {
		errs.add(section+".concurrency", "must be between 1 and 100 (GitHub allows at most 100 concurrent requests)")
	}
	if time.Duration(a.RequestTimeout) < time.Second {
		errs.add(section+".request_timeout", "must be at least 1s")
	}
	if a.MaxRetries < 0 || a.MaxRetries > 10 {
		errs.add(section+".max_retries", "must be between 0 and 10")
	}
	if a.RateLimitReserve < 0 || a.RateLimitReserve >= 1 {
		errs.add(section+".rate_limit_reserve", "must be at least 0 and below 1")
	}
}

func (a *APIConfig) validateURL(section string, errs *Errors) {
	u, err := url.Parse(a.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs.add(section+".api_url", "must be an absolute http or https URL")
	} else if u.User != nil {
		// Credentials in the URL would end up in logs and errors.
		errs.add(section+".api_url", "must not contain credentials; use token_env or token_file")
	}
}

// resolveSecret reads the token from token_env or token_file.
func (a *APIConfig) resolveSecret(section string, env Environment, errs *Errors) {
	envName, file := a.TokenEnv, a.TokenFile
	var v string
	if envName != "" {
		v = strings.TrimSpace(env.getenv(envName))
		if v == "" {
			errs.add(section+".token_env", "environment variable %s is unset or empty", envName)
		}
	} else {
		data, err := env.readFile(file)
		if err != nil {
			// The file's content is never quoted; only the OS error about the path.
			errs.add(section+".token_file", "cannot read token file: %v", err)
		}
		v = strings.TrimSpace(string(data))
		if err == nil && v == "" {
			errs.add(section+".token_file", "token file %s is empty", file)
		}
	}
	s := Secret(v)
	a.token = &s
}
