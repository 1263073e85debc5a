//! The server's log: events (listening, trust refreshed, stopped) and one
//! line per request, as text for people or one JSON object per line.
//!
//! Logging must never become the bottleneck, nor a way in: lines are
//! written by a thread of their own through a bounded queue (a request never
//! waits for standard error), request lines are limited to `per_second`
//! (beyond that, and when the queue is full, they are counted and skipped,
//! and the next line written says how many), and every text that a client
//! or the registry chose is escaped (JSON strings, or Rust's escapes in
//! text).

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::LogFormat;

/// Lines waiting to be written, at most.
const QUEUE: usize = 8192;

/// Request lines skipped by every logger of the process, for `/metrics`.
pub static SKIPPED_LINES: AtomicU64 = AtomicU64::new(0);

enum Message {
    Line(String),
    /// Written up to here: answered once everything before it is out.
    Flush(std::sync::mpsc::Sender<()>),
}

/// One request, as logged.
#[derive(Debug, Clone, Default)]
pub struct RequestLine<'a> {
    pub method: &'a str,
    /// The route's template (`/badge/npm/{package}.svg`), never the path.
    pub route: &'static str,
    pub status: u16,
    pub duration: Duration,
    /// `hit`, `miss`, `shared` (another request's lookup), with `stale`
    /// when the last good answer stood in for a registry failure.
    pub cache: Option<&'static str>,
    pub stale: bool,
    /// Requests this request sent to the registry.
    pub registry_requests: u32,
    /// The package looked up (`name@version`), as asked.
    pub package: Option<&'a str>,
}

/// The server's log.
pub struct Logger {
    format: LogFormat,
    sender: SyncSender<Message>,
    per_second: u64,
    /// The second (since the epoch) `in_second` counts.
    second: AtomicU64,
    in_second: AtomicU64,
    skipped: AtomicU64,
    /// Lines skipped since the server started, for `/metrics`.
    skipped_total: AtomicU64,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Logger")
    }
}

fn writer(receiver: Receiver<Message>) {
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::with_capacity(64 << 10, stderr.lock());
    while let Ok(message) = receiver.recv() {
        let mut next = Some(message);
        // Everything queued, then one flush.
        while let Some(message) = next {
            match message {
                Message::Line(line) => {
                    let _ = out.write_all(line.as_bytes());
                    let _ = out.write_all(b"\n");
                }
                Message::Flush(done) => {
                    let _ = out.flush();
                    let _ = done.send(());
                }
            }
            next = receiver.try_recv().ok();
        }
        let _ = out.flush();
    }
}

fn now_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Text as one token of a text line: quoted with Rust's escapes when it
/// holds anything but plain characters.
fn text_value(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._/@{}:+~".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("\"{}\"", value.escape_debug())
    }
}

/// Text with its control and formatting characters escaped, unquoted.
fn unbroken(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_control() || npm_provenance_core::text::is_formatting(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl Logger {
    /// Starts the writer thread; request lines are limited to `per_second`
    /// (0: none are written).
    pub fn start(format: LogFormat, per_second: u64) -> Self {
        let (sender, receiver) = sync_channel(QUEUE);
        let _ = std::thread::Builder::new()
            .name("log".into())
            .spawn(move || writer(receiver));
        Self {
            format,
            sender,
            per_second,
            second: AtomicU64::new(0),
            in_second: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            skipped_total: AtomicU64::new(0),
        }
    }

    pub fn format(&self) -> LogFormat {
        self.format
    }

    /// Request lines skipped so far (over the rate, or a full queue).
    pub fn skipped(&self) -> u64 {
        self.skipped_total.load(Ordering::Relaxed)
    }

    /// An event (start, stop, trust): always written, in order.
    pub fn event(&self, event: &str, fields: &[(&str, String)]) {
        let line = match self.format {
            LogFormat::Text => {
                // The events' values are this program's sentences, shown as
                // they are; a control character still cannot break the line.
                let rest: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", unbroken(v))).collect();
                format!("npm-provenance: {event} {}", rest.join(" "))
            }
            LogFormat::Json => {
                let mut object = serde_json::Map::new();
                object.insert("event".into(), event.into());
                for (k, v) in fields {
                    object.insert((*k).into(), v.clone().into());
                }
                serde_json::Value::Object(object).to_string()
            }
        };
        let _ = self.sender.send(Message::Line(line));
    }

    /// Whether one more request line fits in this second.
    fn admit(&self) -> bool {
        if self.per_second == 0 {
            return false;
        }
        let now = now_seconds();
        if self.second.swap(now, Ordering::Relaxed) != now {
            self.in_second.store(0, Ordering::Relaxed);
        }
        self.in_second.fetch_add(1, Ordering::Relaxed) < self.per_second
    }

    fn skip(&self) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
        self.skipped_total.fetch_add(1, Ordering::Relaxed);
        SKIPPED_LINES.fetch_add(1, Ordering::Relaxed);
    }

    /// One request's line, unless over the rate (then it is counted, and
    /// the next line written says how many were skipped).
    pub fn request(&self, request: &RequestLine<'_>) {
        if !self.admit() {
            self.skip();
            return;
        }
        let skipped = self.skipped.swap(0, Ordering::Relaxed);
        let ms = (request.duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
        let line = match self.format {
            LogFormat::Json => {
                let mut object = serde_json::Map::new();
                object.insert("event".into(), "request".into());
                object.insert(
                    "time".into(),
                    npm_provenance_core::time::format_rfc3339(now_seconds() as i64).into(),
                );
                object.insert("method".into(), request.method.into());
                object.insert("route".into(), request.route.into());
                object.insert("status".into(), request.status.into());
                object.insert("ms".into(), ms.into());
                if let Some(cache) = request.cache {
                    object.insert("cache".into(), cache.into());
                }
                if request.stale {
                    object.insert("stale".into(), true.into());
                }
                object.insert("registry_requests".into(), request.registry_requests.into());
                if let Some(package) = request.package {
                    object.insert("package".into(), package.into());
                }
                if skipped > 0 {
                    object.insert("skipped_before".into(), skipped.into());
                }
                serde_json::Value::Object(object).to_string()
            }
            LogFormat::Text => {
                let mut line = format!(
                    "npm-provenance: request method={} route={} status={} ms={ms} registry_requests={}",
                    text_value(request.method),
                    request.route,
                    request.status,
                    request.registry_requests
                );
                if let Some(cache) = request.cache {
                    line.push_str(&format!(" cache={cache}"));
                }
                if request.stale {
                    line.push_str(" stale=true");
                }
                if let Some(package) = request.package {
                    line.push_str(&format!(" package={}", text_value(package)));
                }
                if skipped > 0 {
                    line.push_str(&format!(" skipped_before={skipped}"));
                }
                line
            }
        };
        match self.sender.try_send(Message::Line(line)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                // The writer is behind: the line is dropped, and said.
                self.skipped.fetch_add(skipped + 1, Ordering::Relaxed);
                self.skipped_total.fetch_add(1, Ordering::Relaxed);
                SKIPPED_LINES.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// Waits (up to a second) until every line so far is written.
    pub fn flush(&self) {
        let (done, wait) = std::sync::mpsc::channel();
        if self.sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv_timeout(Duration::from_secs(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text_value("sigstore@2.3.1"), "sigstore@2.3.1");
        assert_eq!(text_value("a b\n\u{202e}"), "\"a b\\n\\u{202e}\"");
        assert_eq!(text_value(""), "\"\"");
        assert_eq!(unbroken("a b\nc"), "a b\\u{a}c");
    }

    #[test]
    fn request_lines_are_limited_per_second() {
        let logger = Logger::start(LogFormat::Json, 3);
        let line = RequestLine {
            method: "GET",
            route: "/healthz",
            status: 200,
            ..Default::default()
        };
        for _ in 0..10 {
            logger.request(&line);
        }
        // Ten in (almost surely) one second: three written, the rest
        // counted; a change of second in between only lets more through.
        assert!(logger.skipped() >= 4, "{}", logger.skipped());
        logger.flush();
    }
}
