package exposition

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/sre-workload/sre_workload_exporter/internal/sourcetest"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                       false,
		"gzip":                   true,
		"GZIP":                   true,
		"x-gzip":                 true,
		"identity":               false,
		"deflate, gzip;q=1.0":    true,
		"gzip;q=0":               false,
		"gzip; q=0.000":          false,
		"gzip;q=0.5":             true,
		"*":                      true,
		"*;q=0":                  false,
		"gzip;q=0, *":            false, // an explicit gzip entry wins
		"*, gzip;q=0":            false,
		"br, zstd":               false,
		"zstd,gzip":              true, // what Prometheus 3 sends
		"gzip;level=1":           true,
		"identity;q=1, *;q=0.1":  true,
		"gzip;q=nonsense":        false,
		"deflate;q=0.2, gzip;q=": false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// testHandler serves the golden dataset's refreshed View.
func testHandler(t *testing.T, live prometheus.Gatherer) *MetricsHandler {
	t.Helper()
	_, cfg := sourcetest.Setup(t, sourcetest.Golden(), sourcetest.Config)
	r, _ := newTestRefresher(t, cfg, prometheus.NewRegistry(), sourcetest.FixedClock(sourcetest.End))
	t.Cleanup(r.Close)
	if err := r.RefreshAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	h := &MetricsHandler{Live: live, Runtime: prometheus.NewRegistry(), Snapshot: NewSnapshotGatherer(r.View), RuntimeTTL: time.Second, OpenMetrics: true}
	h.Attach(r)
	return h
}

func scrape(h http.Handler, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header = header
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestMetricsGzip: a scrape that accepts gzip gets the same exposition,
// compressed, in both formats; one that does not gets it plain. The
// snapshot's part is the member compressed when the View was published.
func TestMetricsGzip(t *testing.T) {
	live := prometheus.NewRegistry()
	live.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "own_total", Help: "An own series."}))
	h := testHandler(t, live)
	for _, accept := range []string{"text/plain", "application/openmetrics-text;version=1.0.0"} {
		plain := scrape(h, http.Header{"Accept": {accept}})
		if plain.Header().Get("Content-Encoding") != "" || !strings.Contains(plain.Body.String(), "sre_workload_open_items") || !strings.Contains(plain.Body.String(), "own_total") {
			t.Fatalf("%s, no Accept-Encoding: Content-Encoding %q, body:\n%.300s", accept, plain.Header().Get("Content-Encoding"), plain.Body.String())
		}
		zipped := scrape(h, http.Header{"Accept": {accept}, "Accept-Encoding": {"gzip"}})
		if got := zipped.Header().Get("Content-Encoding"); got != "gzip" {
			t.Fatalf("%s: Content-Encoding %q, want gzip", accept, got)
		}
		if got := zipped.Header().Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("Vary %q", got)
		}
		if zipped.Header().Get("Content-Type") != plain.Header().Get("Content-Type") {
			t.Errorf("Content-Type %q, plain %q", zipped.Header().Get("Content-Type"), plain.Header().Get("Content-Type"))
		}
		if got := decode(t, zipped.Body.Bytes()); got != plain.Body.String() {
			t.Errorf("%s: the gzip body decodes to %d bytes, the plain body is %d", accept, len(got), plain.Body.Len())
		}
		if zipped.Body.Len()*3 > plain.Body.Len() {
			t.Errorf("%s: %d bytes compressed, %d plain", accept, zipped.Body.Len(), plain.Body.Len())
		}
		// The snapshot's part is the member compressed when the View was
		// published, not compressed again at the scrape: put another
		// member in its place, and a scrape serves that one.
		snap := h.snapshot.Load()
		for _, f := range formats {
			if string(f) != plain.Header().Get("Content-Type") {
				continue
			}
			e := snap.bytes[f]
			snap.bytes[f] = encoding{plain: e.plain, gzip: gzipMember([]byte("# the cached member\n"), gzip.DefaultCompression)}
			body := decode(t, scrape(h, http.Header{"Accept": {accept}, "Accept-Encoding": {"gzip"}}).Body.Bytes())
			if !strings.Contains(body, "# the cached member") || strings.Contains(body, "sre_workload_open_items") {
				t.Errorf("%s: the scrape compressed the snapshot again instead of serving its cached member:\n%.300s", accept, body)
			}
			snap.bytes[f] = e
		}
	}
}

func decode(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// blockingGatherer holds every Gather until release is closed.
type blockingGatherer struct {
	entered chan struct{}
	release chan struct{}
}

func (g *blockingGatherer) Gather() ([]*dto.MetricFamily, error) {
	g.entered <- struct{}{}
	<-g.release
	return nil, nil
}

// TestMetricsInFlightLimit: with MaxRequestsInFlight scrapes running, one
// more is answered 503; once they end, scrapes are served again.
func TestMetricsInFlightLimit(t *testing.T) {
	g := &blockingGatherer{entered: make(chan struct{}, 2), release: make(chan struct{})}
	h := testHandler(t, g)
	h.MaxRequestsInFlight = 2
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = scrape(h, http.Header{}).Code
		}()
	}
	<-g.entered
	<-g.entered
	if rec := scrape(h, http.Header{}); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "Limit of concurrent requests reached (2)") {
		t.Errorf("a third scrape: %d %q, want 503", rec.Code, rec.Body.String())
	}
	close(g.release)
	wg.Wait()
	if codes[0] != http.StatusOK || codes[1] != http.StatusOK {
		t.Errorf("the two scrapes in flight: %v", codes)
	}
	g.entered = make(chan struct{}, 1)
	if rec := scrape(h, http.Header{}); rec.Code != http.StatusOK {
		t.Errorf("a scrape after they ended: %d", rec.Code)
	}
}
