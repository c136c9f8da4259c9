package apiclient

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the exporter's own metrics of its API calls. They are the
// one kind of long-lived metric object in the exporter; everything else is
// built from the snapshot at scrape time.
type Metrics struct {
	Requests           *prometheus.CounterVec
	RateLimitRemaining *prometheus.GaugeVec
	RateLimitReset     *prometheus.GaugeVec
	Throttled          *prometheus.CounterVec
	Retries            *prometheus.CounterVec
	NotModified        *prometheus.CounterVec
	SearchFailures     *prometheus.CounterVec
	SearchRemaining    *prometheus.GaugeVec
	Panics             *prometheus.CounterVec
}

// namespace prefixes every metric of the exporter.
const namespace = "sre_workload"

// NewMetrics creates the metrics, and registers them with reg when it is
// not nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	gaugeVec := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, []string{"source"})
	}
	m := &Metrics{
		Requests:           counter("source_api_requests_total", "HTTP requests sent to the source's API, by status code; code is \"error\" when no response arrived.", "source", "code"),
		RateLimitRemaining: gaugeVec("source_rate_limit_remaining", "The API's last reported remaining request budget (GitHub X-RateLimit-Remaining, PagerDuty ratelimit-remaining)."),
		RateLimitReset:     gaugeVec("source_rate_limit_reset_timestamp_seconds", "Unix time at which the API's request budget resets, as the API last reported it."),
		Throttled:          counter("source_throttled_seconds_total", "Time the source spent waiting because the API asked: rate limits, Retry-After, and the reserve kept for the token's other users.", "source"),
		Retries:            counter("source_retries_total", "API requests retried after a transient error, a 5xx or a rate limit.", "source"),
		NotModified:        counter("source_not_modified_total", "304 Not Modified answers to conditional requests; on GitHub they cost no rate limit.", "source"),
		SearchFailures:     counter("source_search_failures_total", "Searches for changed repositories that failed; each refresh that fails to search polls every repository instead.", "source"),
		SearchRemaining:    gaugeVec("source_search_rate_limit_remaining", "GitHub's last reported remaining Search API budget (X-RateLimit-Remaining of the search resource, 30 a minute)."),
		Panics:             counter("source_refresh_panics_total", "Panics recovered during a source's refresh; each is logged with its stack, and the refresh counts as failed.", "source"),
	}
	if reg != nil {
		reg.MustRegister(m.Requests, m.RateLimitRemaining, m.RateLimitReset, m.Throttled, m.Retries, m.NotModified, m.SearchFailures, m.SearchRemaining, m.Panics)
	}
	return m
}

// initSource makes a source's counters visible at 0 before anything
// happens, so that rate() and increase() work from the start.
func (m *Metrics) initSource(source string) {
	m.Throttled.WithLabelValues(source)
	m.Retries.WithLabelValues(source)
	m.NotModified.WithLabelValues(source)
	m.Panics.WithLabelValues(source)
}

// codeLabel maps a status code into the fixed set of label values.
func codeLabel(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code)
}
