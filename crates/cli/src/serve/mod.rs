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
use npm_provenance_core::TrustMaterial;

use crate::exit;

pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org";

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
    let service = service::Service::new(client, TrustMaterial::public_good(), policy);
    let site = match &args.dist {
        Some(dir) => Some(static_files::StaticSite::load(dir, &registry)?),
        None => None,
    };
    Ok(Arc::new(http::AppState {
        service,
        site,
        csp: http::content_security_policy(&registry),
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
