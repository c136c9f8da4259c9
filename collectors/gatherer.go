package collectors

import (
	"bytes"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// SnapshotGatherer serves the snapshot metrics to scrapes. It gathers them
// once per published View and hands every scrape the same families until
// the next View, so a scrape costs an encoding, not a rebuild of thousands
// of series. Its lock is held only while one scrape gathers a new View;
// refreshes never take it.
type SnapshotGatherer struct {
	view func() *View
	reg  *prometheus.Registry

	mu     sync.Mutex
	last   *View
	cached []*dto.MetricFamily
	err    error
}

// NewSnapshotGatherer serves the Collector of view.
func NewSnapshotGatherer(view func() *View) *SnapshotGatherer {
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
type MetricsHandler struct {
	Live     prometheus.Gatherer
	Runtime  prometheus.Gatherer
	Snapshot *SnapshotGatherer
	// RuntimeTTL is how long the runtime metrics' encoding is reused.
	RuntimeTTL time.Duration
	// OpenMetrics offers the OpenMetrics format to scrapers that ask.
	OpenMetrics bool
	ErrorLog    interface{ Println(...any) }

	snapshot   atomic.Pointer[encodedView]
	live       atomic.Pointer[encodedLive]
	refreshing atomic.Bool
}

var formats = []expfmt.Format{expfmt.NewFormat(expfmt.TypeTextPlain), expfmt.NewFormat(expfmt.TypeOpenMetrics)}

type encodedView struct {
	view  *View
	bytes map[expfmt.Format][]byte
	err   error
}

type encodedLive struct {
	at    time.Time
	bytes map[expfmt.Format][]byte
	err   error
}

func encodeAll(mfs []*dto.MetricFamily) (map[expfmt.Format][]byte, error) {
	out := map[expfmt.Format][]byte{}
	for _, f := range formats {
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, f)
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				return nil, err
			}
		}
		out[f] = buf.Bytes()
	}
	return out, nil
}

// Attach encodes every View that r publishes, in the refresher's goroutine,
// and the current one now.
func (h *MetricsHandler) Attach(r *Refresher) {
	r.OnPublish(h.encodeView)
	h.encodeView(r.View())
	h.runtimeBytes()
}

func (h *MetricsHandler) encodeView(v *View) {
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
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, format)
	for _, mf := range own {
		if err := enc.Encode(mf); err != nil {
			h.fail(w, err)
			return
		}
	}
	w.Header().Set("Content-Type", string(format))
	_, _ = w.Write(rt.bytes[format])
	_, _ = w.Write(buf.Bytes())
	_, _ = w.Write(snap.bytes[format])
	if format.FormatType() == expfmt.TypeOpenMetrics {
		_, _ = w.Write([]byte("# EOF\n"))
	}
}

func (h *MetricsHandler) fail(w http.ResponseWriter, err error) {
	if h.ErrorLog != nil {
		h.ErrorLog.Println("error gathering metrics:", err)
	}
	http.Error(w, "An error has occurred while gathering metrics:\n\n"+err.Error(), http.StatusInternalServerError)
}
