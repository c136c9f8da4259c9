package collectors

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// APIMetrics are the exporter's own counters of its API calls. They are the
// one kind of long-lived metric object in the exporter; everything else is
// built from the snapshot at scrape time.
type APIMetrics struct {
	Requests *prometheus.CounterVec
}

// NewAPIMetrics creates the counters, and registers them with reg when it
// is not nil.
func NewAPIMetrics(reg prometheus.Registerer) *APIMetrics {
	m := &APIMetrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "source_api_requests_total",
			Help:      "HTTP requests sent to the source's API, by status code; code is \"error\" when no response arrived.",
		}, []string{"source", "code"}),
	}
	if reg != nil {
		reg.MustRegister(m.Requests)
	}
	return m
}

// codeLabel maps a status code into the fixed set of label values.
func codeLabel(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code)
}

type instrumented struct {
	source string
	next   http.RoundTripper
	m      *APIMetrics
}

func (m *APIMetrics) instrument(source string, next http.RoundTripper) http.RoundTripper {
	return &instrumented{source: source, next: next, m: m}
}

func (t *instrumented) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	code := "error"
	if err == nil {
		code = codeLabel(resp.StatusCode)
	}
	t.m.Requests.WithLabelValues(t.source, code).Inc()
	return resp, err
}
