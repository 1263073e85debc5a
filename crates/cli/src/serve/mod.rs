//! `npm-provenance serve`: the web app's release build, README badges and the
//! verification API, verifying natively with the same core as the app.

pub mod badge;
pub mod http;
pub mod listener;
pub mod metrics;
pub use crate::registry;
pub mod routes;
pub mod service;
pub mod site;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use npm_provenance_core::TrustConfig;

use crate::exit;
pub use npm_provenance_core::site::DEFAULT_REGISTRY;

/// How the server logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One line per event for people.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Args, Debug, Clone)]
#[command(
    about = "Serve the web app, README badges and the verification API",
    long_about = "Serve the web app (its release build, with deep links), README badges and the verification API.\n\n\
        Routes:\n  /badge/npm/<name>.svg, /badge/npm/<name>/<version>.svg   SVG badge (?style=flat-square, ?label=)\n  \
        /badge/npm/<name>.json, /badge/npm/<name>/<version>.json  shields.io endpoint document\n  \
        /api/verify/<name>[/<version>]                           the verification report (JSON)\n  \
        /healthz                                                 liveness\n  \
        /metrics                                                 Prometheus metrics\n  \
        /package/..., /inspect, /                                 the app (with --dist)\n\n\
        It asks the registry for one version's document at a time (never a whole package document), runs at most\n\
        --registry-concurrency requests at once holding at most --registry-inflight-mb between them, and closes\n\
        connections that send no headers within --header-timeout or stay idle for --idle-timeout.\n\
        SIGTERM or Ctrl-C: stops accepting, finishes requests in progress, exits."
)]
pub struct ServeArgs {
    /// The registry to verify packages from (a base URL with npm's API).
    #[arg(long, value_name = "URL", default_value = DEFAULT_REGISTRY)]
    pub registry: String,
    /// The port to listen on.
    #[arg(long, value_name = "N", default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: String,
    /// The app's release build (`trunk build --release` output) to serve.
    #[arg(long, value_name = "DIR")]
    pub dist: Option<PathBuf>,
    /// Seconds a registry request may take, from connecting to the last byte.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub registry_timeout: u64,
    /// Registry requests running at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub registry_concurrency: usize,
    /// Megabytes that running registry requests may hold together.
    #[arg(long, value_name = "MB", default_value_t = 128)]
    pub registry_inflight_mb: usize,
    /// Megabytes of verification results to keep in memory.
    #[arg(long, value_name = "MB", default_value_t = 64)]
    pub cache_mb: usize,
    /// Connections served at once; more are closed at once.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a client has to send its request headers.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a connection may stay silent before it is closed.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub idle_timeout: u64,
    /// A trusted root (JSON) for a private Sigstore instance, instead of the
    /// public-good one; the app is told to use it too.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// A registry keys document (`/-/npm/v1/keys` shape) adding keys to npm's
    /// pinned ones, for the server and the app.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
    /// Log format: text (for people) or json (one object per line).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub tuf: crate::tuf_client::TufArgs,
}

impl ServeArgs {
    /// The arguments a server would have with no flags (tests start from these).
    pub fn defaults() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: ServeArgs,
        }
        Wrapper::parse_from(["serve"]).args
    }

    pub fn connection_limits(&self) -> listener::ConnectionLimits {
        listener::ConnectionLimits {
            max_connections: self.max_connections,
            header_timeout: Duration::from_secs(self.header_timeout.max(1)),
            idle_timeout: Duration::from_secs(self.idle_timeout.max(1)),
            ..Default::default()
        }
    }
}

/// Builds the server's state from its arguments.
pub fn build_state(args: &ServeArgs) -> Result<Arc<http::AppState>, String> {
    let registry = args.registry.trim_end_matches('/').to_string();
    if !(registry.starts_with("https://") || registry.starts_with("http://")) {
        return Err(format!("--registry {registry:?}: expected an http(s) URL"));
    }
    let limits = registry::Limits {
        timeout: Duration::from_secs(args.registry_timeout.max(1)),
        max_fetches: args.registry_concurrency.max(1),
        inflight_bytes: args.registry_inflight_mb.max(1) << 20,
        // A badge server does not multiply a failing registry's load by
        // retrying; its short error cache does the waiting.
    };
    let client = registry::RegistryClient::new(&registry, limits)?;
    let policy = service::CachePolicy {
        max_bytes: args.cache_mb.max(1) << 20,
        ..Default::default()
    };
    let read = |path: &PathBuf, what: &str| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))
    };
    let root_json = args
        .trusted_root
        .as_ref()
        .map(|p| read(p, "trusted root"))
        .transpose()?;
    let keys_json = args.keys.as_ref().map(|p| read(p, "keys document")).transpose()?;
    let (trust, source) = crate::tuf_client::trust_for(&args.tuf, root_json.as_deref(), keys_json.as_deref())?;
    // The app verifies in the browser: it must trust what the server trusts,
    // the configured root and keys, or the same TUF repository (which the
    // app's worker refreshes itself, from the same root).
    let mut config = TrustConfig::from_documents(root_json.as_deref(), keys_json.as_deref())?;
    if root_json.is_none() && !args.tuf.offline {
        let root = match &args.tuf.tuf_root {
            Some(path) => {
                Some(serde_json::from_str(&read(path, "TUF root")?).map_err(|e| format!("--tuf-root: not JSON: {e}"))?)
            }
            None => None,
        };
        let mut tuf_config = config.unwrap_or_default();
        tuf_config.tuf = Some(npm_provenance_core::TufConfig {
            url: args.tuf.tuf_url.trim_end_matches('/').to_string(),
            root,
        });
        config = Some(tuf_config);
    }
    // The app labels a self-managed GitLab's certificates as the server does.
    if !args.tuf.gitlab_issuers.is_empty() {
        let mut named = config.unwrap_or_default();
        named.gitlab_issuers = args.tuf.gitlab_issuers.clone();
        config = Some(named);
    }
    let trust_config = config.map(|config| serde_json::to_string(&config).expect("configurations serialize"));
    let service = service::Service::new(client, trust, source, policy);
    let site = match &args.dist {
        Some(dir) => Some(site::Site::load(dir, &registry, trust_config.is_some())?),
        None => None,
    };
    Ok(Arc::new(http::AppState {
        metrics: metrics::Metrics::new(service.clone()),
        service,
        site,
        csp: http::content_security_policy(&registry),
        trust_config,
    }))
}

/// Logs one event (start, stop) in the chosen format.
pub fn log_event(format: LogFormat, event: &str, fields: &[(&str, String)]) {
    match format {
        LogFormat::Text => {
            let rest: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
            eprintln!("npm-provenance: {event} {}", rest.join(" "));
        }
        LogFormat::Json => {
            let mut object = serde_json::Map::new();
            object.insert("event".into(), event.into());
            for (k, v) in fields {
                object.insert((*k).into(), v.clone().into());
            }
            eprintln!("{}", serde_json::Value::Object(object));
        }
    }
}

/// How often the server refreshes its trust material from TUF.
pub const TUF_REFRESH: Duration = Duration::from_secs(600);

/// Binds and serves until SIGTERM or Ctrl-C; requests in progress finish.
pub async fn serve(
    state: Arc<http::AppState>,
    addr: SocketAddr,
    limits: listener::ConnectionLimits,
    format: LogFormat,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    log_event(
        format,
        "listening",
        &[
            ("url", format!("http://{local}")),
            ("registry", state.service.registry().to_string()),
            ("trust", state.service.trust().1.sentence()),
        ],
    );
    listener::serve(listener, http::router(state), limits, listener::shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    log_event(format, "stopped", &[]);
    Ok(())
}

/// Runs the command; returns the exit status.
pub fn run(args: ServeArgs) -> u8 {
    let state = match build_state(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("npm-provenance serve: {e}");
            return exit::UNUSABLE;
        }
    };
    let addr: SocketAddr = match format!("{}:{}", args.host, args.port).parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!(
                "npm-provenance serve: {}:{} is not an address to listen on",
                args.host, args.port
            );
            return exit::UNUSABLE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // Trust from TUF is refreshed in the background: every ten minutes, so
    // a rotated key or a new log shard reaches the server well before the
    // TUF timestamp (a day) expires. Configured or offline trust stays.
    if args.trusted_root.is_none() && !args.tuf.offline {
        let (service, tuf, format) = (state.service.clone(), args.tuf.clone(), args.log_format);
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(TUF_REFRESH);
            tick.tick().await;
            loop {
                tick.tick().await;
                let tuf = tuf.clone();
                let refreshed = tokio::task::spawn_blocking(move || {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs() as i64);
                    crate::tuf_client::load(&tuf, now)
                })
                .await;
                if let Ok((Some(material), source)) = refreshed {
                    log_event(format, "trust", &[("source", source.sentence())]);
                    service.set_trust(material, source);
                }
            }
        });
    }
    match runtime.block_on(serve(state, addr, args.connection_limits(), args.log_format)) {
        Ok(()) => exit::VERIFIED,
        Err(e) => {
            eprintln!("npm-provenance serve: {e}");
            exit::UNUSABLE
        }
    }
}
