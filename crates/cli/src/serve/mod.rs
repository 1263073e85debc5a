//! `npm-provenance serve`: the web app's release build, README badges and the
//! verification API, verifying natively with the same core as the app.

pub mod badge;
pub mod http;
pub mod registry;
pub mod routes;
pub mod service;
pub mod static_files;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use npm_provenance_core::{RegistryKeys, TrustConfig, TrustMaterial};

use crate::exit;

pub use npm_provenance_core::site::DEFAULT_REGISTRY;

#[derive(Args, Debug, Clone)]
#[command(
    about = "Serve the web app, README badges and the verification API",
    long_about = "Serve the web app (its release build, with deep links), README badges and the verification API.\n\n\
        Routes:\n  /badge/npm/<name>.svg, /badge/npm/<name>/<version>.svg   SVG badge (?style=flat-square, ?label=)\n  \
        /badge/npm/<name>.json, /badge/npm/<name>/<version>.json  shields.io endpoint document\n  \
        /api/verify/<name>[/<version>]                           the verification report (JSON)\n  \
        /package/..., /inspect, /                                 the app (with --dist)"
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
    /// Seconds a registry request may take.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub registry_timeout: u64,
    /// Megabytes of verification results to keep in memory.
    #[arg(long, value_name = "MB", default_value_t = 64)]
    pub cache_mb: usize,
    /// A trusted root (JSON) for a private Sigstore instance, instead of the
    /// public-good one; the app is told to use it too.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// A registry keys document (`/-/npm/v1/keys` shape) adding keys to npm's
    /// pinned ones, for the server and the app.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
}

/// Builds the server's state from its arguments.
pub fn build_state(args: &ServeArgs) -> Result<Arc<http::AppState>, String> {
    let registry = args.registry.trim_end_matches('/').to_string();
    if !(registry.starts_with("https://") || registry.starts_with("http://")) {
        return Err(format!("--registry {registry:?}: expected an http(s) URL"));
    }
    let client = registry::RegistryClient::new(&registry, Duration::from_secs(args.registry_timeout.max(1)))?;
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
    let keys = RegistryKeys::npm_and(keys_json.as_deref()).map_err(|e| format!("--keys: {e}"))?;
    let trust = TrustMaterial::from_optional_root(root_json.as_deref(), keys)?;
    // The app verifies in the browser: it must trust what the server trusts.
    let trust_config = TrustConfig::from_documents(root_json.as_deref(), keys_json.as_deref())?
        .map(|config| serde_json::to_string(&config).expect("configurations serialize"));
    let service = service::Service::new(client, trust, policy);
    let site = match &args.dist {
        Some(dir) => Some(static_files::StaticSite::load(dir, &registry, trust_config.is_some())?),
        None => None,
    };
    Ok(Arc::new(http::AppState {
        service,
        site,
        csp: http::content_security_policy(&registry),
        trust_config,
    }))
}

/// Binds and serves until interrupted.
pub async fn serve(state: Arc<http::AppState>, addr: SocketAddr) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!(
        "npm-provenance: serving on http://{local} (registry {})",
        state.service.registry()
    );
    axum::serve(listener, http::router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
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
    match runtime.block_on(serve(state, addr)) {
        Ok(()) => exit::VERIFIED,
        Err(e) => {
            eprintln!("npm-provenance serve: {e}");
            exit::UNUSABLE
        }
    }
}
