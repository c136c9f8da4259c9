// Package pagerduty is the PagerDuty source: it lists the incidents and log
// entries of the configured services and teams through go-pagerduty,
// resolves the people's e-mail addresses to user IDs, keeps a sync state
// that refreshes incrementally (and that a state file saves), and maps them
// to model items and activities.
package pagerduty

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/sre-workload/sre_workload_exporter/collectors"
	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

// New builds the PagerDuty source of cfg, with its own transport, which api
// instruments.
func New(cfg *config.Config, api *apiclient.Metrics, logger *slog.Logger) (collectors.Source, error) {
	t := apiclient.NewTransport(model.SourcePagerDuty, &cfg.PagerDuty.APIConfig, api, logger, nil)
	return newSource(cfg, &http.Client{Transport: t}), nil
}

// Reconfigure takes the people's e-mail addresses of a reloaded config
// whose PagerDuty section did not change; the next refresh resolves them.
func (s *Source) Reconfigure(cfg *config.Config) {
	s.SetEmails(cfg.PagerDutyEmails())
	s.setUserIDs(cfg.PagerDutyUserIDs())
}

const (
	pagerdutyLimit     = 100
	pagerdutyMaxOffset = 10000 // PagerDuty refuses offset+limit beyond this
)

// Source reads incidents and log entries through go-pagerduty.
type Source struct {
	cfg *config.PagerDutyConfig
	// emails are the people's addresses to resolve; a reload swaps them
	// without waiting for a running refresh.
	emails atomic.Pointer[[]string]
	// userIDs are the people's PagerDuty user IDs that the config
	// gives, whose on-call entries are read with those of the resolved
	// addresses; a reload swaps them too.
	userIDs atomic.Pointer[[]string]
	client  *pagerduty.Client
	hc      *http.Client

	mu    sync.Mutex // guards state; refreshes never overlap
	state *State
	// maxOffset is PagerDuty's cap; a variable so that tests can lower it.
	maxOffset uint
}

// newSource builds a PagerDuty source that sends its requests
// through hc.
func newSource(cfg *config.Config, hc *http.Client) *Source {
	p := cfg.PagerDuty
	c := pagerduty.NewClient(string(p.Token()), pagerduty.WithAPIEndpoint(strings.TrimSuffix(p.APIURL, "/")))
	c.HTTPClient = hc
	s := &Source{cfg: p, client: c, hc: hc, maxOffset: pagerdutyMaxOffset, state: newState()}
	s.SetEmails(cfg.PagerDutyEmails())
	s.setUserIDs(cfg.PagerDutyUserIDs())
	return s
}

func (s *Source) setUserIDs(ids []string) { s.userIDs.Store(&ids) }

// Name is the source label value.
func (*Source) Name() string { return model.SourcePagerDuty }

// CloseIdleConnections closes the source's idle keep-alive connections.
func (s *Source) CloseIdleConnections() { s.hc.CloseIdleConnections() }

// SetEmails changes the e-mail addresses to resolve, after a config reload
// that changed people; the next refresh resolves them. It does not wait
// for a refresh in progress.
func (s *Source) SetEmails(emails []string) {
	s.emails.Store(&emails)
}

func (s *Source) wrap(err error, endpoint string) error {
	var ae pagerduty.APIError
	if errors.As(err, &ae) {
		detail := ae.Error()
		if ae.APIError.Valid && len(ae.APIError.ErrorObject.Errors) > 0 {
			detail += ": " + strings.Join(ae.APIError.ErrorObject.Errors, "; ")
		}
		return apiclient.WithStatus(apiclient.Scrubbed(fmt.Sprintf("pagerduty: GET %s: %d %s", endpoint, ae.StatusCode, detail), err, s.cfg.Token()), ae.StatusCode)
	}
	return apiclient.Errorf(s.cfg.Token(), "pagerduty: GET %s: %w", endpoint, err)
}

// badRequest reports whether err is PagerDuty's 400.
func badRequest(err error) bool {
	var apiErr pagerduty.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest
}

// notFound reports whether err is PagerDuty's 404. Not APIError.NotFound,
// which is true for error code 2100 whatever the status: PagerDuty's
// schema documents that one error body for 400, 401, 403 and 429 too
// (PagerDuty/api-schema: components/responses/Conflict, referred to by
// ArgumentError, Unauthorized, Forbidden and TooManyRequests).
func notFound(err error) bool {
	var apiErr pagerduty.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
