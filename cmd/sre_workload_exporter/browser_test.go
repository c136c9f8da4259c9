package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/report"
	"github.com/sre-workload/sre_workload_exporter/internal/simulation"
	"github.com/sre-workload/sre_workload_exporter/internal/testenv"
)

// chromium finds Debian's chromium; the test never downloads a browser.
func chromium(t *testing.T) string {
	return testenv.Tool(t, "Debian's chromium package", "chromium", "chromium-browser", "google-chrome")
}

// TestReportInBrowser opens /report of the demo in headless Chromium and
// checks the DOM: the verdict, a row per signal, a bar per person or domain
// in each chart, and no console errors. It saves a screenshot in a temp
// directory, and, with SRE_UPDATE_SCREENSHOT=1, in docs/report.png. It then
// prints the page to an A4 PDF, as "Print to PDF" would, and checks the
// PDF's text with Debian's pdftotext: the verdict, the signals' plain
// names and the definitions appendix, on a few pages.
func TestReportInBrowser(t *testing.T) {
	browser := chromium(t)
	pdftotext := testenv.Tool(t, "Debian's poppler-utils package", "pdftotext")
	if testing.Short() {
		t.Skip("-short")
	}
	addr := freeAddress(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr syncWriter
	go func() { done <- run(ctx, []string{"--demo", "--web.listen-address", addr}, io.Discard, &stderr) }()
	defer func() {
		cancel()
		<-done
	}()
	waitReady(t, "http://"+addr, &stderr)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	// Console errors and exceptions, from the moment the tab exists.
	var mu sync.Mutex
	var consoleErrors []string
	messages := chromedp.Console(bctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				mu.Lock()
				consoleErrors = append(consoleErrors, m.String())
				mu.Unlock()
			}
		}
	}()
	if err := chromedp.Do(bctx, chromedp.Navigate("http://"+addr+"/report")); err != nil {
		t.Fatalf("browser: %v\n%s", err, stderr.String())
	}
	tctx, cancelTimeout := context.WithTimeout(bctx, 60*time.Second)
	defer cancelTimeout()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	check(chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS("#verdict .verdict"))))
	verdict, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#verdict .verdict")))
	check(err)
	signals, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("tr.signal").length`))
	check(err)
	people, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("tr.person").length`))
	check(err)
	barsPerChart, err := chromedp.Run(tctx, chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll("svg.chart")).map(s => s.querySelectorAll("rect.bar, g.bar").length)`))
	check(err)
	// After the split: a rotation row per team and model, an assignment
	// row per person, a staffing row and a role profile per team, and
	// the recommendation.
	after, err := chromedp.Run(tctx, chromedp.Evaluate[[]int](`["tr.rotation", "tr.assignment", "tr.staffing", "h3.profile"].map(q => document.querySelectorAll(q).length)`))
	check(err)
	recommendation, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#after-split .recommendation")))
	check(err)
	if want := []int{4, 3, 2, 2}; fmt.Sprint(after) != fmt.Sprint(want) {
		t.Errorf("after the split: rotations, assignments, staffing rows, profiles %v, want %v", after, want)
	}
	if !strings.Contains(recommendation, "cannot run its own rotation") {
		t.Errorf("recommendation: %q", recommendation)
	}
	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	check(err)
	if !strings.Contains(verdict, "A split is recommended.") {
		t.Errorf("verdict: %q", verdict)
	}
	if signals != 4 {
		t.Errorf("%d signal rows, want 4", signals)
	}
	if people != 3 {
		t.Errorf("%d person rows, want 3", people)
	}
	// Charts: proposed teams (2), domains and unclassified (5), and the
	// three people twice (switches; interruptions by period, stacked).
	if want := []int{2, 5, 3, 3}; len(barsPerChart) != len(want) || barsPerChart[0] != 2 || barsPerChart[1] != 5 || barsPerChart[2] != 3 || barsPerChart[3] != 3 {
		t.Errorf("bars per chart %v, want %v", barsPerChart, want)
	}
	pdf, err := chromedp.Run(tctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	check(err)
	checkPDF(t, pdftotext, pdf)
	time.Sleep(200 * time.Millisecond) // let the last console events arrive
	mu.Lock()
	if len(consoleErrors) > 0 {
		t.Errorf("console errors: %v", consoleErrors)
	}
	mu.Unlock()
	path := filepath.Join(t.TempDir(), "report.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	if os.Getenv("SRE_UPDATE_SCREENSHOT") == "1" {
		if err := os.WriteFile("../../docs/report.png", shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkPDF checks the text of the printed report, as pdftotext reads it:
// the verdict, every signal's plain name, the definitions appendix, and
// more than one A4 page but not many.
func checkPDF(t *testing.T, pdftotext string, pdf []byte) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Count(string(out), "\f") // pdftotext ends each page with a form feed
	text := strings.Join(strings.Fields(string(out)), " ")
	t.Logf("PDF: %s (%d bytes, %d pages)", path, len(pdf), pages)
	wants := []string{"A split is recommended.", "Definitions", "Equivalent headcount", "a proportion of today's work, not hours"}
	for _, name := range []string{"context_switching", "secondary_team_share", "oncall_load", "org_ratio"} {
		wants = append(wants, report.SignalTitle(name))
	}
	for _, d := range report.Definitions {
		switch d.Anchor {
		case "no-answer-without-data": // a report with data does not link to it
		case "the-history-in-the-report", "forecast": // /report has no history section
		default:
			wants = append(wants, d.Title)
		}
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF's text has no %q", w)
		}
	}
	if pages < 2 || pages > 8 {
		t.Errorf("the PDF has %d pages, want 2 to 8", pages)
	}
	if t.Failed() {
		t.Logf("the PDF's text:\n%s", out)
	}
}

// TestHistoryReportInBrowser opens the report command's HTML, with its
// history section, in headless Chromium: the history table has a row and
// a trend line per enabled signal, a first-held date, and a forecast that
// says it is an extrapolation.
func TestHistoryReportInBrowser(t *testing.T) {
	browser := chromium(t)
	if testing.Short() {
		t.Skip("-short")
	}
	sim, cfg, err := simulation.StartDemo(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	var page, stderr bytes.Buffer
	if code := reportWithHistory(context.Background(), cfg, 90*24*time.Hour, "html", false, &page, &stderr, testLogger()); code != 0 {
		t.Fatalf("report: %d %s", code, stderr.String())
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.Flag("headless", true),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	bctx, cancelTimeout := context.WithTimeout(bctx, 60*time.Second)
	defer cancelTimeout()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	check(chromedp.Do(bctx, chromedp.Navigate("file://"+path)))
	check(chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("#history"))))
	text, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#history")))
	check(err)
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#history table:first-of-type tr").length - 1`))
	check(err)
	sparks, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#history svg.spark polyline").length`))
	check(err)
	enabled := 0
	for _, th := range cfg.Split.Thresholds() {
		if th.Threshold > 0 {
			enabled++
		}
	}
	if rows != enabled || sparks != enabled {
		t.Errorf("history: %d signal rows and %d trend lines, want %d", rows, sparks, enabled)
	}
	for _, want := range []string{"History", report.SignalTitle(config.SignalContextSwitching), "extrapolated", "Context switches per workday", "Activity share by proposed team"} {
		if !strings.Contains(text, want) {
			t.Errorf("the history section has no %q:\n%s", want, text)
		}
	}
}
