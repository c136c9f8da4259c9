package collectors

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sre-workload/sre_workload_exporter/config"
	"github.com/sre-workload/sre_workload_exporter/internal/analysis"
	"github.com/sre-workload/sre_workload_exporter/internal/model"
)

const namespace = "sre_workload"

// fromRefresh ends every HELP text of a snapshot metric: the values are not
// fetched at scrape time.
const fromRefresh = " Computed by the background refresh, not at scrape time."

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help+fromRefresh, labels, nil)
}

// Collector serves the current View as constant metrics. A scrape reads one
// atomic pointer and calls no API.
type Collector struct {
	view func() *View

	openItems, openedItems, closedItems *prometheus.Desc
	personOpenItems, personActivities   *prometheus.Desc
	domainInfo, ruleMatched             *prometheus.Desc
	sourceUp, lastSuccess, duration     *prometheus.Desc
}

// NewCollector serves whatever view returns at each scrape.
func NewCollector(view func() *View) *Collector {
	return &Collector{
		view:             view,
		openItems:        desc("open_items", "Items open now: GitHub issues and pull requests in state open, PagerDuty incidents triggered or acknowledged.", "source", "kind", "domain"),
		openedItems:      desc("opened_items", "Items created within the rolling window.", "source", "kind", "domain"),
		closedItems:      desc("closed_items", "Items closed within the rolling window: issues closed, pull requests merged or closed, incidents resolved.", "source", "kind", "domain"),
		personOpenItems:  desc("person_open_items", "Open GitHub issues and pull requests assigned to the person, plus open incidents assigned to them; an item counts once per person.", "person", "domain"),
		personActivities: desc("person_activities", "The person's activities (opening, commenting, closing, merging, reopening, acknowledging, resolving, annotating, being notified) within the rolling window.", "person", "source", "domain"),
		domainInfo:       desc("domain_info", "One series per declared domain, with the team it would belong to after a split; always 1.", "domain", "proposed_team"),
		ruleMatched:      desc("rule_matched_items", "Tracked items whose domain this rule decided.", "rule"),
		sourceUp:         desc("source_up", "1 if the source's last refresh succeeded, else 0.", "source"),
		lastSuccess:      desc("source_last_success_timestamp_seconds", "Unix time at which the source's last successful refresh finished.", "source"),
		duration:         desc("source_refresh_duration_seconds", "How long the source's last refresh took.", "source"),
	}
}

// Describe sends every descriptor.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.openItems, c.openedItems, c.closedItems, c.personOpenItems,
		c.personActivities, c.domainInfo, c.ruleMatched, c.sourceUp, c.lastSuccess, c.duration} {
		ch <- d
	}
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

// Collect sends the current View. Every declared domain (and unclassified)
// of every configured source is sent, as 0 when it has no work, so that
// dashboards show 0 rather than a gap.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	v := c.view()
	cfg, res := v.Config, v.Analysis
	domains := append(cfg.DomainNames(), config.Unclassified)

	for _, s := range v.Sources {
		up := 0.0
		if s.Up {
			up = 1
		}
		gauge(ch, c.sourceUp, up, s.Name)
		if !s.LastSuccess.IsZero() {
			gauge(ch, c.lastSuccess, float64(s.LastSuccess.UnixNano())/1e9, s.Name)
		}
		if s.Refreshed {
			gauge(ch, c.duration, s.Duration.Seconds(), s.Name)
		}
	}
	for _, d := range cfg.Domains {
		gauge(ch, c.domainInfo, 1, d.Name, d.ProposedTeam)
	}
	for _, r := range cfg.Rules {
		gauge(ch, c.ruleMatched, float64(res.RuleMatched[r.Name]), r.Name)
	}
	for _, src := range cfg.Sources() {
		for _, kind := range model.KindsOf(src) {
			for _, d := range domains {
				n := res.Items[analysis.CountKey{Source: src, Kind: kind, Domain: d}]
				gauge(ch, c.openItems, float64(n.Open), src, kind, d)
				gauge(ch, c.openedItems, float64(n.Opened), src, kind, d)
				gauge(ch, c.closedItems, float64(n.Closed), src, kind, d)
			}
		}
	}
	for _, p := range cfg.People {
		for _, d := range domains {
			gauge(ch, c.personOpenItems, float64(res.PersonOpenItems[analysis.PersonDomain{Person: p.Name, Domain: d}]), p.Name, d)
			for _, src := range cfg.Sources() {
				gauge(ch, c.personActivities, float64(res.PersonActivities[analysis.PersonSourceDomain{Person: p.Name, Source: src, Domain: d}]), p.Name, src, d)
			}
		}
	}
}
