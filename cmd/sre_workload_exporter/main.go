// Command sre_workload_exporter exports where an SRE team's work goes, from
// GitHub issues and pull requests and PagerDuty incidents, as Prometheus
// metrics. main only wires the packages together.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	pmodel "github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/sre-workload/sre_workload_exporter/collectors/apiclient"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/exposition"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
	"github.com/sre-workload/sre_workload_exporter/internal/privacylog"
	"github.com/sre-workload/sre_workload_exporter/internal/refresh"
	"github.com/sre-workload/sre_workload_exporter/internal/report"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
)

const (
	exporterName = "sre_workload_exporter"
	// DefaultListenAddress is the exporter's default port.
	defaultListenAddress = ":9866"
)

// defaultGCPercent is the exporter's GOGC when the environment sets none.
// The exporter holds a large state that changes slowly and is idle between
// refreshes, so it trades a little GC work for memory: at 50 the peak of
// the large scale scenario is under 300 MB (BENCHMARKS.md).
const defaultGCPercent = 50

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program; it returns the exit code when ctx ends or
// something fails.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fillVersion()
	app := kingpin.New(exporterName, "Exports where an SRE team's work goes, from GitHub, PagerDuty and calendars, to decide when the team should split.")
	var (
		configFile    = app.Flag("config.file", "Path to the configuration file.").Default("sre_workload_exporter.yml").String()
		configCheck   = app.Flag("config.check", "Validate the configuration file, print a summary, and exit 0 if it is valid, 1 if not.").Bool()
		demo          = app.Flag("demo", "Run on the embedded demo: a simulation of the GitHub and PagerDuty APIs and of calendar feeds on loopback. Needs no token, config file or network.").Bool()
		demoScale     = app.Flag("demo.scale", "With --demo: story (the 90-day story of config/demo.yml), large (300 repositories, 60,000 issues and pull requests, 20,000 incidents) or small (1/20 of large).").Default("story").Enum("story", "large", "small")
		demoPrivacy   = app.Flag("demo.privacy", "With --demo: the demo config's privacy.people, to try each mode: named, pseudonymous or aggregate.").Default(config.PrivacyNamed).Enum(config.PrivacyModes...)
		demoLatency   = app.Flag("demo.latency", "With --demo: delay every simulated API answer by this long, as a distant API would.").Default("0s").Duration()
		telemetryPath = app.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").String()
		maxRequests   = app.Flag("web.max-requests", "Maximum number of parallel scrape requests. Use 0 to disable.").Default("40").Int()
		storagePath   = app.Flag("storage.path", "Optional directory for state files (one per source: tracked items, ETags and sync cursors), so that a restart resumes incrementally. Written atomically after each successful refresh; a corrupt file is ignored.").String()
	)
	serveCmd := app.Command("serve", "Serve the metrics (the default).").Default()
	reportCmd := app.Command("report", "Collect once (or read --storage.path), print the split report, and exit.")
	reportFormat := reportCmd.Flag("format", "markdown, json or html.").Default("markdown").Enum(report.Formats...)
	reportAnonymise := reportCmd.Flag("anonymise", "Show every person as person-1, person-2 (in people[] order), as privacy.people: pseudonymous would, whatever the config says: a report to hand upward.").Bool()
	reportHistory := reportCmd.Flag("history", "The range of the report's history section, at daily steps, collected with the report (0s: no history, and the report reads --storage.path).").Default("90d").String()
	classifyCmd := app.Command("classify", "Collect once (or read --storage.path), list every tracked item with its domain and the rule that decided it, and exit. For tuning rules.")
	classifyUnclassified := classifyCmd.Flag("unclassified", "List only the items that no rule matched.").Bool()
	classifySource := classifyCmd.Flag("source", "List only the items of this source.").Enum(model.Sources...)
	classifyRecurring := classifyCmd.Flag("recurring", "With --source=calendar: list the recurring meetings, with their domain, owners and hours per week, as ready-to-paste inventory: entries.").Bool()
	backfillCmd := app.Command("backfill", "Collect the history once and write, in OpenMetrics text for promtool tsdb create-blocks-from openmetrics, the value every analysis metric would have had at each step.")
	backfillFrom := backfillCmd.Flag("from", "The first step: now, -DURATION before now (-90d), or an RFC 3339 time.").Default("-90d").String()
	backfillTo := backfillCmd.Flag("to", "The last step: now, -DURATION or an RFC 3339 time.").Default("now").String()
	backfillStep := backfillCmd.Flag("step", "The time between steps.").Default("1h").Duration()
	backfillOutput := backfillCmd.Flag("output", "The file to write (- for standard output).").Required().String()
	webFlags := kingpinflag.AddFlags(app, defaultListenAddress)
	logConfig := &promslog.Config{}
	flag.AddFlags(app, logConfig)
	app.Version(version.Print(exporterName))
	app.HelpFlag.Short('h')
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	command, err := app.Parse(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	logConfig.Writer = stderr
	// Under privacy.people: pseudonymous or aggregate the log names
	// nobody: every record goes through the config's pseudonymiser.
	private := privacylog.New(promslog.New(logConfig).Handler())
	logger := slog.New(private)

	var cfg *config.Config
	source := *configFile
	load := func() (*config.Config, error) { return config.Load(*configFile) }
	switch {
	case *demo && *configCheck:
		source = "config/demo.yml (embedded)"
		cfg, err = config.ParseWithoutSecrets(config.DemoYAML)
	case *demo:
		source = "the embedded demo (" + *demoScale + ")"
		var sim *simulation.Running
		sim, cfg, load, err = simulation.DemoScenario(*demoScale, time.Now(), *demoLatency)
		if err != nil {
			logger.Error("cannot start the demo", "err", err)
			return 1
		}
		cfg.Privacy.People = *demoPrivacy
		demoLoad := load
		load = func() (*config.Config, error) {
			c, err := demoLoad()
			if err == nil {
				c.Privacy.People = *demoPrivacy
			}
			return c, err
		}
		defer sim.Close()
		logger.Info("demo: serving the simulated GitHub and PagerDuty APIs and calendar feeds", "address", sim.URL, "scale", *demoScale)
	default:
		cfg, err = load()
	}
	if *configCheck {
		return checkConfig(cfg, err, source, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "invalid config file %s:\n%s\n", source, err)
		return 1
	}

	private.Use(cfg)
	if *classifyRecurring && *classifySource != model.SourceCalendar {
		fmt.Fprintln(stderr, "--recurring lists the calendar's recurring meetings: give --source=calendar too")
		return 1
	}
	switch command {
	case reportCmd.FullCommand(), classifyCmd.FullCommand():
		if command == reportCmd.FullCommand() {
			history, err := pmodel.ParseDuration(*reportHistory)
			if err != nil {
				fmt.Fprintf(stderr, "--history: %v\n", err)
				return 1
			}
			if history > 0 {
				return reportWithHistory(ctx, cfg, time.Duration(history), *reportFormat, *reportAnonymise, stdout, stderr, logger)
			}
		}
		view, err := collectOnce(ctx, cfg, *storagePath, logger)
		if err != nil {
			fmt.Fprintf(stderr, "cannot collect: %v\n", err)
			return 1
		}
		if command == classifyCmd.FullCommand() && *classifyRecurring {
			return printRecurring(stdout, stderr, cfg, view)
		}
		if command == classifyCmd.FullCommand() {
			return printClassified(stdout, view, *classifyUnclassified, *classifySource)
		}
		return printReport(stdout, stderr, view, *reportFormat, *reportAnonymise)
	case backfillCmd.FullCommand():
		now := time.Now().UTC().Truncate(time.Second)
		var b backfillRange
		var errs []error
		b.From, err = parseBackfillTime("from", *backfillFrom, now)
		errs = append(errs, err)
		b.To, err = parseBackfillTime("to", *backfillTo, now)
		errs = append(errs, err)
		b.Step = *backfillStep
		if err := errors.Join(errs...); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		if err := backfill(ctx, cfg, b, now, *backfillOutput, *storagePath, stdout, logger); err != nil {
			fmt.Fprintf(stderr, "backfill: %v\n", err)
			return 1
		}
		return 0
	case serveCmd.FullCommand():
	}

	logger.Info("starting "+exporterName, "version", version.Info())
	logger.Info("build context", "build_context", version.BuildContext())
	logger.Info("config", append([]any{"file", source}, configSummary(cfg)...)...)
	for _, w := range cfg.Warnings() {
		logger.Warn("config: " + w)
	}

	// Three registries, each served its own way (see MetricsHandler): the
	// exporter's own metrics, the runtime's, and the snapshot's.
	reg, runtimeReg := prometheus.NewRegistry(), prometheus.NewRegistry()
	runtimeReg.MustRegister(
		versioncollector.NewCollector(exporterName),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	api := apiclient.NewMetrics(reg)
	sources, err := newSources(cfg, api, logger)
	if err != nil {
		logger.Error("cannot build sources", "err", err)
		return 1
	}
	refresher := refresh.NewRefresher(cfg, sources, api.Panics, logger, time.Now)
	if *storagePath != "" {
		refresher.UseStore(refresh.NewStore(*storagePath, logger))
	}
	snapshot := exposition.NewSnapshotGatherer(refresher.View)
	rl := newReloader(load, refresher, api, logger, reg)
	rl.private = private

	refreshCtx, stopRefresh := context.WithCancel(ctx)
	defer stopRefresh()
	go refresher.Run(refreshCtx)
	rl.watchSignals(refreshCtx)

	handler, err := newHandler(reg, runtimeReg, snapshot, refresher, rl, *telemetryPath, *maxRequests, logger)
	if err != nil {
		logger.Error("cannot build the web handler", "err", err)
		return 1
	}
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(server, webFlags, logger) }()
	select {
	case err := <-errc:
		logger.Error("cannot serve", "err", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	_ = server.Shutdown(shutdownCtx)
	return 0
}

// newHandler serves the metrics, the health and readiness endpoints and the
// landing page.
func newHandler(live *prometheus.Registry, runtime prometheus.Gatherer, snapshot *exposition.SnapshotGatherer, refresher *refresh.Refresher, reload http.Handler, telemetryPath string, maxRequests int, logger *slog.Logger) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.Handle("/-/reload", reload)
	mux.HandleFunc("/report", func(w http.ResponseWriter, r *http.Request) {
		format := r.URL.Query().Get("format")
		if format == "" {
			format = "html"
		}
		if !slices.Contains(report.Formats, format) {
			http.Error(w, fmt.Sprintf("unknown format %q: want html, markdown or json", format), http.StatusBadRequest)
			return
		}
		rep := buildReport(refresher.View())
		switch a := r.URL.Query().Get("anonymise"); a {
		case "", "0", "false":
		case "1", "true":
			rep.Anonymise()
		default:
			http.Error(w, fmt.Sprintf("anonymise=%q: want 1 or 0", a), http.StatusBadRequest)
			return
		}
		var buf bytes.Buffer
		if err := rep.Render(&buf, format); err != nil {
			logger.Error("cannot render the report", "format", format, "err", err)
			http.Error(w, "cannot render the report", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", report.ContentType(format))
		_, _ = w.Write(buf.Bytes())
	})
	// /metrics: the exporter's own metrics at every scrape, the runtime's
	// at most once a second, and the snapshot's once per refresh.
	metrics := &exposition.MetricsHandler{
		Live:                live,
		Runtime:             runtime,
		Snapshot:            snapshot,
		RuntimeTTL:          time.Second,
		OpenMetrics:         true,
		MaxRequestsInFlight: maxRequests,
		ErrorLog:            slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	metrics.Attach(refresher)
	// promhttp_metric_handler_requests_total and _in_flight, as every
	// promhttp handler has them: counted around the in-flight limit, so a
	// 503 counts too.
	mux.Handle(telemetryPath, promhttp.InstrumentMetricHandler(live, metrics))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Healthy")
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !refresher.Ready() {
			http.Error(w, "Not ready: waiting for every source's first successful refresh", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	// The runtime's profiles, which the landing page links to, as every
	// exporter built on exporter-toolkit serves them.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	if telemetryPath != "/" {
		landing, err := web.NewLandingPage(web.LandingConfig{
			Name:        "SRE Workload Exporter",
			Description: "Where an SRE team's work goes, from GitHub and PagerDuty: evidence for deciding when to split the team. POST /-/reload (or SIGHUP) reloads the config file.",
			Version:     version.Info(),
			Links: []web.LandingLinks{
				{Address: telemetryPath, Text: "Metrics"},
				{Address: "/report", Text: "The split report", Description: "should the team split, and why"},
				{Address: "/-/ready", Text: "Readiness", Description: "200 once every source has refreshed successfully"},
				{Address: "/-/healthy", Text: "Health"},
			},
		})
		if err != nil {
			return nil, err
		}
		mux.Handle("/", landing)
	}

	return mux, nil
}

// fillVersion takes the version from the binary's build information when
// the build set none through -ldflags (scripts/build.sh does; go run and go
// install do not): the module's version ("(devel)" in a clone, v0.1.0 from
// go install ...@v0.1.0), and the commit's time when Go stamped one.
func fillVersion() {
	bi, ok := debug.ReadBuildInfo()
	if !ok || version.Version != "" {
		return
	}
	version.Version = strings.TrimPrefix(bi.Main.Version, "v")
	if version.Version == "" {
		version.Version = "(devel)"
	}
	if version.Branch == "" {
		version.Branch = "unknown"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.time" && version.BuildDate == "" {
			version.BuildDate = s.Value
		}
	}
}

// configSummary is the log's one line about what a config holds, at
// startup and at each reload; never a token or a URL with a secret.
func configSummary(cfg *config.Config) []any {
	repos := 0
	if cfg.GitHub != nil {
		repos = len(cfg.GitHub.Repositories)
	}
	return []any{"sources", strings.Join(cfg.Sources(), ","), "repository_entries", repos,
		"domains", len(cfg.Domains), "rules", len(cfg.Rules), "people", len(cfg.People), "duties", len(cfg.Inventory),
		"window", cfg.Window.String(), "refresh_interval", cfg.RefreshInterval.String()}
}

// checkConfig prints the result of --config.check.
func checkConfig(cfg *config.Config, err error, path string, stdout, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintf(stderr, "invalid config file %s:\n%s\n", path, err)
		return 1
	}
	// Under privacy.people: pseudonymous or aggregate the summary names
	// people by their pseudonyms, as everything else the process writes.
	var summary strings.Builder
	out := stdout
	defer func() { _, _ = io.WriteString(out, cfg.Pseudonymiser()(summary.String())) }()
	stdout = &summary
	fmt.Fprintf(stdout, "config file %s is valid\n", path)
	fmt.Fprintf(stdout, "  sources: %v\n", cfg.Sources())
	if cfg.GitHub != nil {
		fmt.Fprintf(stdout, "    github: %s, %d repository entries\n", cfg.GitHub.APIURL, len(cfg.GitHub.Repositories))
	}
	if cfg.PagerDuty != nil {
		fmt.Fprintf(stdout, "    pagerduty: %s\n", cfg.PagerDuty.APIURL)
	}
	if cfg.Calendar != nil {
		var people []string
		for _, f := range cfg.Calendar.Feeds() {
			people = append(people, f.Person)
		}
		// The feeds' addresses are secrets: only whose they are.
		fmt.Fprintf(stdout, "    calendar: %d feeds %v\n", len(people), people)
	}
	fmt.Fprintf(stdout, "  domains: %d %v\n", len(cfg.Domains), cfg.DomainNames())
	fmt.Fprintf(stdout, "  rules: %d\n", len(cfg.Rules))
	fmt.Fprintf(stdout, "  people: %d\n", len(cfg.People))
	fmt.Fprintf(stdout, "  window: %s, refresh every %s\n", cfg.Window, cfg.RefreshInterval)
	if w := cfg.Warnings(); len(w) > 0 {
		fmt.Fprintf(stdout, "  warnings: %d\n", len(w))
		for _, line := range w {
			fmt.Fprintf(stdout, "    %s\n", line)
		}
	}
	return 0
}
