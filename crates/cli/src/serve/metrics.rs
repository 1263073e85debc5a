//! `/metrics`: Prometheus (OpenMetrics) text, by `prometheus-client`.
//! Requests by route and status, their latency, the cache (hits, misses,
//! entries, bytes), registry requests, errors and bytes, and verification
//! outcomes by verdict.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::service::Service;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    verdict: String,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn new(service: Arc<Service>) -> Self {
        let mut registry = Registry::with_prefix("npm_provenance");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            // 0.5 ms to about 16 s.
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by route",
            latency.clone(),
        );
        registry.register_collector(Box::new(ServiceCollector(service)));
        Self {
            registry,
            requests,
            latency,
        }
    }

    pub fn observe_request(&self, route: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    /// The text a scrape reads.
    pub fn render(&self, _service: &Service) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The process's resident memory, from `/proc/self/statm` (Linux).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The service's and registry client's counters, read at each scrape.
struct ServiceCollector(Arc<Service>);

impl std::fmt::Debug for ServiceCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceCollector")
    }
}

fn counter(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: u64) -> Result<(), std::fmt::Error> {
    let metric = ConstCounter::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

fn gauge(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: i64) -> Result<(), std::fmt::Error> {
    let metric = ConstGauge::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

impl Collector for ServiceCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let service = &self.0;
        let stats = service.stats();
        let registry = service.client().stats();
        let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        counter(
            &mut encoder,
            "cache_hits",
            "Answers from the cache",
            load(&stats.cache_hits),
        )?;
        counter(
            &mut encoder,
            "cache_misses",
            "Lookups the cache could not answer",
            load(&stats.cache_misses),
        )?;
        let (entries, bytes) = service.cache_usage();
        let (documents, document_bytes) = service.documents_usage();
        gauge(
            &mut encoder,
            "cache_entries",
            "Reports and badges in the cache",
            entries as i64,
        )?;
        gauge(
            &mut encoder,
            "cache_bytes",
            "Bytes everything kept holds (estimated): reports and badges, and package documents",
            (bytes + document_bytes) as i64,
        )?;
        gauge(
            &mut encoder,
            "cache_report_bytes",
            "Bytes the reports and badges hold (estimated)",
            bytes as i64,
        )?;
        gauge(
            &mut encoder,
            "cache_documents",
            "Package and keys documents kept for lookups",
            documents as i64,
        )?;
        gauge(
            &mut encoder,
            "cache_document_bytes",
            "Bytes the kept package and keys documents hold (estimated)",
            document_bytes as i64,
        )?;
        gauge(
            &mut encoder,
            "cache_budget_bytes",
            "Bytes everything kept may hold (--cache-mb)",
            service.policy().max_bytes as i64,
        )?;
        if let Some(rss) = resident_bytes() {
            gauge(
                &mut encoder,
                "process_resident_memory_bytes",
                "Memory the process holds (resident set size)",
                rss as i64,
            )?;
        }
        counter(
            &mut encoder,
            "stale_answers",
            "Last good answers served because the registry failed",
            load(&stats.stale_served),
        )?;
        counter(
            &mut encoder,
            "registry_held",
            "Registry requests not sent because the registry asked to wait (Retry-After)",
            load(&registry.held),
        )?;
        gauge(
            &mut encoder,
            "connections_open",
            "Connections open",
            super::listener::OPEN_CONNECTIONS.load(Ordering::Relaxed) as i64,
        )?;
        counter(
            &mut encoder,
            "connections_idle_closed",
            "Idle keep-alive connections closed to let a new one in",
            super::listener::EVICTED_IDLE.load(Ordering::Relaxed),
        )?;
        counter(
            &mut encoder,
            "connections_refused",
            "New connections closed at once, every connection being busy",
            super::listener::REFUSED.load(Ordering::Relaxed),
        )?;
        counter(
            &mut encoder,
            "log_lines_skipped",
            "Request log lines skipped (over --log-rate, or the writer behind)",
            super::log::SKIPPED_LINES.load(Ordering::Relaxed),
        )?;
        counter(
            &mut encoder,
            "registry_requests",
            "Requests made to the registry",
            load(&registry.requests),
        )?;
        counter(
            &mut encoder,
            "registry_errors",
            "Registry requests that failed",
            load(&registry.errors),
        )?;
        counter(
            &mut encoder,
            "registry_bytes",
            "Bytes read from the registry (decoded)",
            load(&registry.bytes),
        )?;
        let family = Family::<VerdictLabels, Counter>::default();
        for (i, verdict) in ["verified", "failed", "no_provenance", "incomplete", "error"]
            .into_iter()
            .enumerate()
        {
            family
                .get_or_create(&VerdictLabels {
                    verdict: verdict.to_string(),
                })
                .inc_by(load(&stats.verifications[i]));
        }
        family.encode(encoder.encode_descriptor(
            "verifications",
            "Package versions verified, by verdict",
            None,
            family.metric_type(),
        )?)
    }
}
