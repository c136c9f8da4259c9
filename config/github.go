package config

import (
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/prometheus/common/model"
)

// GitHubConfig is the optional github section.
type GitHubConfig struct {
	APIConfig           `yaml:",inline"`
	Repositories        []string `yaml:"repositories"`
	ExcludeRepositories []string `yaml:"exclude_repositories"`
	// GitHub App sign-in, instead of a token: the app's ID, the
	// installation's ID, and the app's private key (PEM).
	AppID          int64  `yaml:"app_id"`
	InstallationID int64  `yaml:"installation_id"`
	PrivateKeyFile string `yaml:"private_key_file"`

	// ReconcileInterval is how often every repository is polled. Between
	// reconciles, one Search API query per batch of owners finds the
	// repositories that changed, and only those are polled. 0 polls every
	// repository at every refresh.
	ReconcileInterval model.Duration `yaml:"reconcile_interval"`

	appKey *Secret
}

// Defaults of the github section.
const (
	DefaultGitHubURL         = "https://api.github.com/"
	DefaultGitHubConcurrency = 4
	// DefaultReconcileInterval is how often every repository is polled.
	DefaultReconcileInterval = model.Duration(time.Hour)
)

// UnmarshalYAML sets the section's defaults, then decodes it: a key that
// is left out keeps its default, and an explicit 0 stays 0
// (reconcile_interval: 0 polls at every refresh), except where 0 has
// always meant the default (see keepDefaults).
func (g *GitHubConfig) UnmarshalYAML(unmarshal func(any) error) error {
	api := defaultAPI(DefaultGitHubURL, DefaultGitHubConcurrency)
	*g = GitHubConfig{APIConfig: api, ReconcileInterval: DefaultReconcileInterval}
	type plain GitHubConfig
	if err := unmarshal((*plain)(g)); err != nil {
		return err
	}
	g.keepDefaults(api)
	return nil
}

// App reports whether the GitHub source signs in as a GitHub App.
func (g *GitHubConfig) App() bool {
	return g.AppID != 0 || g.InstallationID != 0 || g.PrivateKeyFile != ""
}

// AppKey returns the GitHub App's private key (PEM) that Load read.
func (g *GitHubConfig) AppKey() Secret { return g.appKey.value() }

// Scope is what the GitHub source reads: its API and the repositories it
// lists (repositories, exclude_repositories). It leaves out how it reads
// them: the token or the App's sign-in, the client's limits and
// reconcile_interval. Two sections of the same scope read the same data,
// so the state collected under one (tracked items, cursors, ETags) is
// valid under the other: a reload hands it over, and the state file,
// whose fingerprint is a hash of the scope, is restored. An ETag received
// with another token is still correct, only charged once (see the
// README's cost of a token change).
//
// The encoding is that of the state files: changing it makes every saved
// state look like another config's, and costs one full sync.
func (g *GitHubConfig) Scope() string {
	if g == nil {
		return ""
	}
	return scope(g.APIURL, strings.Join(g.Repositories, ","), strings.Join(g.ExcludeRepositories, ","))
}

// Equal reports whether two github sections are the same, secrets
// included, so that a source built from one serves the other unchanged
// and a reload keeps it as it is. Every field counts, except
// private_key_file: the key itself (AppKey) is compared instead, so that
// moving the key file changes nothing. A nil section equals only nil.
func (g *GitHubConfig) Equal(o *GitHubConfig) bool {
	if g == nil || o == nil {
		return g == o
	}
	x, y := *g, *o
	x.PrivateKeyFile, y.PrivateKeyFile = "", ""
	x.appKey, y.appKey = nil, nil
	x.APIConfig, y.APIConfig = APIConfig{}, APIConfig{}
	return g.APIConfig.equal(&o.APIConfig) && g.AppKey() == o.AppKey() && reflect.DeepEqual(x, y)
}

// validate checks the section; refresh is the config's refresh_interval.
func (g *GitHubConfig) validate(refresh model.Duration, errs *Errors) {
	if g.App() {
		g.validateApp(errs)
	} else {
		g.APIConfig.validate("github", errs)
	}
	if len(g.Repositories) == 0 {
		errs.add("github.repositories", "at least one repository is required")
	}
	for i, r := range g.Repositories {
		validateRepository(index("github.repositories", i), r, errs)
	}
	for i, r := range g.ExcludeRepositories {
		validateGlob(index("github.exclude_repositories", i), r, errs)
	}
	if d := time.Duration(g.ReconcileInterval); d != 0 && d < time.Duration(refresh) {
		errs.add("github.reconcile_interval", "must be 0 (poll every repository at every refresh) or at least refresh_interval")
	}
}

// validateApp checks GitHub App sign-in: all three keys, and no token.
func (g *GitHubConfig) validateApp(errs *Errors) {
	if g.AppID <= 0 {
		errs.add("github.app_id", "a positive GitHub App ID is required with installation_id and private_key_file")
	}
	if g.InstallationID <= 0 {
		errs.add("github.installation_id", "a positive installation ID is required with app_id and private_key_file")
	}
	if g.PrivateKeyFile == "" {
		errs.add("github.private_key_file", "is required with app_id and installation_id")
	}
	if g.TokenEnv != "" || g.TokenFile != "" {
		errs.add("github", "a GitHub App (app_id, installation_id, private_key_file) and a token (token_env, token_file) are mutually exclusive")
	}
	g.validateLimits("github", errs)
	g.validateURL("github", errs)
}

var repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/([A-Za-z0-9_.-]+|\*)$`)

func validateRepository(p, r string, errs *Errors) {
	if !repoRE.MatchString(r) {
		errs.add(p, `%q must be "owner/name" or "owner/*"`, r)
	}
}

// resolveSecrets reads the App's private key, or the token.
func (g *GitHubConfig) resolveSecrets(env Environment, errs *Errors) {
	if !g.App() {
		g.resolveSecret("github", env, errs)
		return
	}
	key, err := env.readFile(g.PrivateKeyFile)
	if err != nil {
		errs.add("github.private_key_file", "cannot read the GitHub App's private key: %v", err)
	} else if _, err := jwt.ParseRSAPrivateKeyFromPEM(key); err != nil {
		errs.add("github.private_key_file", "not an RSA private key in PEM")
	}
	k := Secret(key)
	g.appKey = &k
}
