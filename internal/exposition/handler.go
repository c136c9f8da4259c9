package exposition

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
)

// SnapshotGatherer serves the snapshot metrics to scrapes. It gathers them
// once per published View and hands every scrape the same families until
// the next View, so a scrape costs an encoding, not a rebuild of thousands
// of series. Its lock is held only while one scrape gathers a new View;
// refreshes never take it.
type SnapshotGatherer struct {
	view func() *refresh.View
	reg  *prometheus.Registry

	mu     sync.Mutex
	last   *refresh.View
	cached []*dto.MetricFamily
	err    error
}

// NewSnapshotGatherer serves the Collector of view.
func NewSnapshotGatherer(view func() *refresh.View) *SnapshotGatherer {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(view))
	return &SnapshotGatherer{view: view, reg: reg}
}

// Gather returns the families of the current View. They are shared
// between scrapes and must not be modified.
func (g *SnapshotGatherer) Gather() ([]*dto.MetricFamily, error) {
	v := g.view()
	g.mu.Lock()
	defer g.mu.Unlock()
	if v != g.last {
		g.cached, g.err = g.reg.Gather()
		g.last = v
	}
	return g.cached, g.err
}

// MetricsHandler serves /metrics in three parts: the exporter's own
// metrics (API calls, reloads), gathered at every scrape; the runtime's
// (build info, Go, process), encoded at most once per RuntimeTTL, so that
// many concurrent scrapers do not each read /proc; and the snapshot's,
// encoded once per View, when the refresher publishes it. Apart from the
// few own series, a scrape copies byte slices that it reads through atomic
// pointers: it never waits for a refresh or for another scrape, however
// many series the config makes.
//
// A scrape that accepts gzip gets each part compressed as it was encoded:
// the snapshot's once per View, the runtime's once per RuntimeTTL, and only
// the few own series at the scrape. The parts are gzip members, one after
// the other, which is one valid gzip stream: "A gzip file consists of a
// series of members" (RFC 1952, section 2.2,
// https://www.rfc-editor.org/rfc/rfc1952#section-2.2), and Go's
// gzip.Reader reads them all by default (Reader.Multistream,
// https://pkg.go.dev/compress/gzip#Reader.Multistream), as does the
// klauspost/compress reader that Prometheus scrapes with
// (scrape/scrape.go).
type MetricsHandler struct {
	Live     prometheus.Gatherer
	Runtime  prometheus.Gatherer
	Snapshot *SnapshotGatherer
	// RuntimeTTL is how long the runtime metrics' encoding is reused.
	RuntimeTTL time.Duration
	// OpenMetrics offers the OpenMetrics format to scrapers that ask.
	OpenMetrics bool
	// MaxRequestsInFlight limits concurrent scrapes, as promhttp's
	// HandlerOpts.MaxRequestsInFlight does: one more is answered 503.
	// 0 or less is no limit.
	MaxRequestsInFlight int
	ErrorLog            interface{ Println(...any) }

	snapshot   atomic.Pointer[encodedView]
	live       atomic.Pointer[encodedLive]
	refreshing atomic.Bool
	inFlight   atomic.Int64
}

var formats = []expfmt.Format{expfmt.NewFormat(expfmt.TypeTextPlain), expfmt.NewFormat(expfmt.TypeOpenMetrics)}

// openMetricsEOF ends an OpenMetrics exposition, plain and as a gzip member.
var openMetricsEOF = encoding{plain: []byte("# EOF\n"), gzip: gzipMember([]byte("# EOF\n"), gzip.DefaultCompression)}

type encodedView struct {
	view  *refresh.View
	bytes map[expfmt.Format]encoding
	err   error
}

type encodedLive struct {
	at    time.Time
	bytes map[expfmt.Format]encoding
	err   error
}

// encoding is one part of the exposition, plain and compressed.
type encoding struct {
	plain, gzip []byte
}

func (e encoding) of(gz bool) []byte {
	if gz {
		return e.gzip
	}
	return e.plain
}

func encodeAll(mfs []*dto.MetricFamily) (map[expfmt.Format]encoding, error) {
	out := map[expfmt.Format]encoding{}
	for _, f := range formats {
		b, err := encode(mfs, f)
		if err != nil {
			return nil, err
		}
		out[f] = encoding{plain: b, gzip: gzipMember(b, gzip.DefaultCompression)}
	}
	return out, nil
}

func encode(mfs []*dto.MetricFamily, f expfmt.Format) ([]byte, error) {
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, f)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// gzipWriters are reused: a gzip.Writer holds some hundreds of kB of
// compressor state. The parts compressed once per View or per RuntimeTTL
// take the default level; the own series, compressed at every scrape, the
// fastest.
var gzipWriters = map[int]*sync.Pool{
	gzip.DefaultCompression: {New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }},
	gzip.BestSpeed:          {New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }},
}

// gzipMember compresses b into one complete gzip member at level, one of
// gzip.DefaultCompression and gzip.BestSpeed.
func gzipMember(b []byte, level int) []byte {
	pool := gzipWriters[level]
	var buf bytes.Buffer
	zw := pool.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(b) // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	pool.Put(zw)
	return buf.Bytes()
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip:
// named, or through "*", with a q-value that is not 0 (RFC 9110, section
// 12.5.3, https://www.rfc-editor.org/rfc/rfc9110#section-12.5.3). An
// explicit gzip entry wins over "*".
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		ok := true
		for _, p := range strings.Split(params, ";") {
			if k, v, found := strings.Cut(strings.TrimSpace(p), "="); found && strings.EqualFold(strings.TrimSpace(k), "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				ok = err == nil && q > 0
			}
		}
		if coding != "*" {
			return ok
		}
		star = ok
	}
	return star
}

// Attach encodes every View that r publishes, in the refresher's goroutine,
// and the current one now.
func (h *MetricsHandler) Attach(r *refresh.Refresher) {
	r.OnPublish(h.encodeView)
	h.encodeView(r.View())
	h.runtimeBytes()
}

func (h *MetricsHandler) encodeView(v *refresh.View) {
	mfs, err := h.Snapshot.Gather()
	e := &encodedView{view: v, err: err}
	if err == nil {
		e.bytes, e.err = encodeAll(mfs)
	}
	h.snapshot.Store(e)
}

// runtimeBytes returns the runtime metrics' encoding. When it is older
// than RuntimeTTL, one scrape gathers again while the others serve the
// last one.
func (h *MetricsHandler) runtimeBytes() *encodedLive {
	cur := h.live.Load()
	if cur != nil && time.Since(cur.at) < h.RuntimeTTL {
		return cur
	}
	if cur != nil && !h.refreshing.CompareAndSwap(false, true) {
		return cur // another scrape is gathering
	}
	defer h.refreshing.Store(false)
	mfs, err := h.Runtime.Gather()
	e := &encodedLive{at: time.Now(), err: err}
	if err == nil {
		e.bytes, e.err = encodeAll(mfs)
	}
	h.live.Store(e)
	return e
}

func (h *MetricsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if limit := h.MaxRequestsInFlight; limit > 0 {
		defer h.inFlight.Add(-1)
		if h.inFlight.Add(1) > int64(limit) {
			http.Error(w, fmt.Sprintf("Limit of concurrent requests reached (%d), try again later.", limit), http.StatusServiceUnavailable)
			return
		}
	}
	accepted := formats[:1]
	if h.OpenMetrics {
		accepted = formats
	}
	format := expfmt.NegotiateAccept(r.Header, accepted...)
	switch format.FormatType() {
	case expfmt.TypeOpenMetrics:
		format = formats[1]
	default:
		format = formats[0]
	}
	snap := h.snapshot.Load()
	if snap == nil || snap.view != h.Snapshot.view() {
		// Not attached to a refresher, or a View not encoded yet.
		h.encodeView(h.Snapshot.view())
		snap = h.snapshot.Load()
	}
	rt := h.runtimeBytes()
	for _, err := range []error{snap.err, rt.err} {
		if err != nil {
			h.fail(w, err)
			return
		}
	}
	own, err := h.Live.Gather()
	if err != nil {
		h.fail(w, err)
		return
	}
	ownBytes, err := encode(own, format)
	if err != nil {
		h.fail(w, err)
		return
	}
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	w.Header().Set("Content-Type", string(format))
	w.Header().Add("Vary", "Accept-Encoding")
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
		ownBytes = gzipMember(ownBytes, gzip.BestSpeed)
	}
	_, _ = w.Write(rt.bytes[format].of(gz))
	_, _ = w.Write(ownBytes)
	_, _ = w.Write(snap.bytes[format].of(gz))
	if format.FormatType() == expfmt.TypeOpenMetrics {
		_, _ = w.Write(openMetricsEOF.of(gz))
	}
}

func (h *MetricsHandler) fail(w http.ResponseWriter, err error) {
	if h.ErrorLog != nil {
		h.ErrorLog.Println("error gathering metrics:", err)
	}
	http.Error(w, "An error has occurred while gathering metrics:\n\n"+err.Error(), http.StatusInternalServerError)
}
