// Package github is the GitHub source: it lists the configured
// repositories' issues, pull requests, comments, reviews and events through
// go-github, keeps them in a sync state that refreshes incrementally (and
// that a state file saves), and maps them to model items and activities.
package github

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/bradleyfalzon/ghinstallation/v2"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// New builds the GitHub source of cfg, with its own transport, which api
// instruments.
func New(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) (*Source, error) {
	g := cfg.GitHub
	etags := apiclient.NewETags()
	var t http.RoundTripper = apiclient.NewTransport(model.SourceGitHub, &g.APIConfig, api, logger, etags)
	if g.App() {
		// A GitHub App: ghinstallation signs a JWT with the app's key,
		// trades it for an installation token (through the same transport,
		// so that it is counted and retried), and renews it.
		itr, err := ghinstallation.New(t, g.AppID, g.InstallationID, []byte(g.AppKey()))
		if err != nil {
			return nil, errors.New("github.private_key_file: not a usable GitHub App key")
		}
		itr.BaseURL = strings.TrimSuffix(g.APIURL, "/")
		t = itr
	}
	return newSource(g, &http.Client{Transport: t}, etags, api, logger)
}
