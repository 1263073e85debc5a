//! `npm-provenance serve`: the web app's release build, README badges and the
//! verification API, verifying natively with the same core as the app.

pub mod badge;
pub mod http;
pub mod listener;
pub mod log;
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
        /readyz                                                  readiness: the registry and the trust material\n  \
        /metrics                                                 Prometheus metrics\n  \
        /package/..., /inspect, /                                 the app (with --dist)\n\n\
        It asks the registry for one version's document at a time (never a whole package document), runs at most\n\
        --registry-concurrency requests at once holding at most --registry-inflight-mb between them, and closes\n\
        connections that send no headers within --header-timeout (a keep-alive connection waiting for its next\n\
        request included) or stall within a request for --idle-timeout. At --max-connections, the connection idle\n\
        the longest between requests is closed to let a new one in.\n\n\
        A private registry's credentials: NPM_PROVENANCE_REGISTRY_TOKEN or --registry-token-file (a bearer\n\
        token), sent to the registry only; credentials in the --registry URL work but are shown by ps.\n\
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
    /// A file holding a bearer token for a private registry (sent to the
    /// registry only). NPM_PROVENANCE_REGISTRY_TOKEN does the same.
    #[arg(long, value_name = "FILE")]
    pub registry_token_file: Option<PathBuf>,
    /// Megabytes that everything kept may hold: reports and badges, and the
    /// package documents lookups share (half each).
    #[arg(long, value_name = "MB", default_value_t = 64)]
    pub cache_mb: usize,
    /// Seconds a latest-version answer is kept (the tag moves).
    #[arg(long, value_name = "S", default_value_t = 300)]
    pub latest_ttl: u64,
    /// Seconds a failure, or an answer that is not final (the history
    /// could not be read), is kept; longer when the registry's Retry-After
    /// says so.
    #[arg(long, value_name = "S", default_value_t = 30)]
    pub error_ttl: u64,
    /// Seconds after it was verified that the last good answer is served
    /// while the registry fails (0: never).
    #[arg(long, value_name = "S", default_value_t = 86400)]
    pub stale_if_error: u64,
    /// Connections served at once; beyond this the connection idle the
    /// longest between requests is closed, or, with none idle, the new one.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a client has to send its request headers, and a keep-alive
    /// connection to start its next request.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a connection may stall within a request (reading its body or
    /// the answer) before it is closed.
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
    /// Request lines logged per second at most; beyond, they are counted
    /// and the next line says how many were skipped (0: no request lines).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub log_rate: u64,
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
/// The environment variable holding a private registry's bearer token.
pub const TOKEN_VARIABLE: &str = "NPM_PROVENANCE_REGISTRY_TOKEN";

/// The registry's URL without credentials, and the credentials, from the
/// token file, the environment or the URL (only one of them).
pub fn registry_and_credentials(args: &ServeArgs) -> Result<(String, Option<registry::Credentials>), String> {
    let given = args.registry.trim_end_matches('/');
    if !(given.starts_with("https://") || given.starts_with("http://")) {
        // The text is the operator's, but may hold a secret: not repeated.
        return Err("--registry: expected an http(s) URL".into());
    }
    let (registry, in_url) = registry::split_credentials(given).map_err(|e| format!("--registry: {e}"))?;
    let from_file = match &args.registry_token_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read --registry-token-file {}: {e}", path.display()))?;
            let token = text.trim().to_string();
            if token.is_empty() {
                return Err(format!("--registry-token-file {} is empty", path.display()));
            }
            Some(registry::Credentials::Bearer(token))
        }
        None => None,
    };
    let from_env = std::env::var(TOKEN_VARIABLE)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(registry::Credentials::Bearer);
    let mut given = [in_url, from_file, from_env].into_iter().flatten();
    let credentials = given.next();
    if given.next().is_some() {
        return Err(format!(
            "registry credentials are given more than once (choose one of {TOKEN_VARIABLE}, --registry-token-file, the URL)"
        ));
    }
    Ok((registry, credentials))
}

pub fn build_state(args: &ServeArgs) -> Result<Arc<http::AppState>, String> {
    let (registry, credentials) = registry_and_credentials(args)?;
    let credentials_in_url =
        registry::split_credentials(args.registry.trim_end_matches('/')).is_ok_and(|(_, c)| c.is_some());
    let limits = registry::Limits {
        timeout: Duration::from_secs(args.registry_timeout.max(1)),
        max_fetches: args.registry_concurrency.max(1),
        inflight_bytes: args.registry_inflight_mb.max(1) << 20,
        // A badge server does not multiply a failing registry's load by
        // retrying; its short error cache does the waiting.
    };
    let client = registry::RegistryClient::new(&registry, limits)?.with_credentials(credentials)?;
    let policy = service::CachePolicy {
        max_bytes: args.cache_mb.max(1) << 20,
        latest: Duration::from_secs(args.latest_ttl.max(1)),
        error: Duration::from_secs(args.error_ttl.max(1)),
        stale_if_error: Duration::from_secs(args.stale_if_error),
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
    let log = log::Logger::start(args.log_format, args.log_rate);
    if credentials_in_url {
        log.event(
            "warning",
            &[(
                "message",
                format!(
                    "the registry's credentials were taken from --registry (sent to the registry only, shown nowhere); {TOKEN_VARIABLE} or --registry-token-file keep them out of the process list"
                ),
            )],
        );
    }
    Ok(Arc::new(http::AppState {
        metrics: metrics::Metrics::new(service.clone()),
        service,
        site,
        csp: http::content_security_policy(&registry),
        trust_config,
        log,
        probe: tokio::sync::Mutex::new(()),
    }))
}

/// How often the server refreshes its trust material from TUF.
pub const TUF_REFRESH: Duration = Duration::from_secs(600);

/// Binds and serves until SIGTERM or Ctrl-C; requests in progress finish.
pub async fn serve(
    state: Arc<http::AppState>,
    addr: SocketAddr,
    limits: listener::ConnectionLimits,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    state.log.event(
        "listening",
        &[
            ("url", format!("http://{local}")),
            ("registry", state.service.registry().to_string()),
            ("trust", state.service.trust().1.sentence()),
        ],
    );
    listener::serve(
        listener,
        http::router(state.clone()),
        limits,
        listener::shutdown_signal(),
    )
    .await
    .map_err(|e| e.to_string())?;
    state.log.event("stopped", &[]);
    state.log.flush();
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
        let (state, tuf) = (state.clone(), args.tuf.clone());
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
                    state.log.event("trust", &[("source", source.sentence())]);
                    state.service.set_trust(material, source);
                }
            }
        });
    }
    match runtime.block_on(serve(state, addr, args.connection_limits())) {
        Ok(()) => exit::VERIFIED,
        Err(e) => {
            eprintln!("npm-provenance serve: {e}");
            exit::UNUSABLE
        }
    }
}
