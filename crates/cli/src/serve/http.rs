//! HTTP: the routes, their statuses and headers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::badge::{BadgeState, BadgeStyle, clean_label, shields_json_with, svg};
use super::log::{Logger, RequestLine};
use super::metrics::Metrics;
use super::routes::{BadgeFormat, RouteError, parse_badge_path, parse_verify_path};
use super::service::{Answer, CachePolicy, Outcome, Service, ServiceError};
use super::site::{Site, plain};

/// Longest a request may wait for the registry and verification.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(25);

pub struct AppState {
    pub service: Arc<Service>,
    pub site: Option<Site>,
    pub csp: String,
    /// `{"trustedRoot": ..., "keys": ...}` when the server trusts a private instance.
    pub trust_config: Option<String>,
    pub metrics: Metrics,
    pub log: Logger,
    /// One readiness probe of the registry at a time.
    pub probe: tokio::sync::Mutex<()>,
}

/// What a lookup route did, for the request log (a response extension).
#[derive(Debug, Clone)]
pub struct LookupInfo {
    pub package: String,
    pub cache: &'static str,
    pub stale: bool,
    pub registry_requests: u32,
}

/// The Content-Security-Policy of the app's pages: scripts from this origin
/// only (plus compiling its own wasm), no inline script or style, requests
/// to this origin and registries.
pub fn content_security_policy(registry: &str) -> String {
    let registry_origin = registry.split('/').take(3).collect::<Vec<_>>().join("/");
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' {registry_origin} https:; manifest-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub fn router(state: Arc<AppState>) -> Router {
    use axum::routing::get;
    let compressed = tower_http::compression::CompressionLayer::new().br(true).gzip(true);
    Router::new()
        .route("/badge/npm/{*rest}", get(badge))
        .route("/api/verify/{*rest}", get(api_verify).layer(compressed))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/trust", get(api_trust))
        .route(super::site::TRUST_PATH, get(trust_config))
        .fallback(static_file)
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .layer(axum::middleware::from_fn(same_origin_paths))
        .with_state(state)
}

/// `//host/...` is a path of this origin that browsers and routers read as
/// another origin: it is redirected to `/host/...`, so that nothing served
/// here (the app's links, its "use the default" navigation) can leave it.
async fn same_origin_paths(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("//") || path.starts_with("/\\") {
        let mut target = format!("/{}", path.trim_start_matches(['/', '\\']));
        if let Some(query) = request.uri().query() {
            target.push('?');
            target.push_str(query);
        }
        return Response::builder()
            .status(StatusCode::PERMANENT_REDIRECT)
            .header(header::LOCATION, target)
            .header(header::CACHE_CONTROL, "no-cache")
            .body(Body::empty())
            .unwrap();
    }
    next.run(request).await
}

/// Request counts and latency by route and status, for `/metrics`, and
/// the request's line in the log.
async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let route = route_of(path);
    let template = template_of(path);
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.observe_request(route, status, took);
    let info = response.extensions().get::<LookupInfo>();
    state.log.request(&RequestLine {
        method: method.as_str(),
        route: template,
        status,
        duration: took,
        cache: info.map(|i| i.cache),
        stale: info.is_some_and(|i| i.stale),
        registry_requests: info.map_or(0, |i| i.registry_requests),
        package: info.map(|i| i.package.as_str()),
    });
    response
}

fn route_of(path: &str) -> &'static str {
    if path.starts_with("/badge/") {
        "badge"
    } else if path.starts_with("/api/verify/") {
        "api_verify"
    } else if path == "/healthz" {
        "healthz"
    } else if path == "/readyz" {
        "readyz"
    } else if path == "/metrics" {
        "metrics"
    } else {
        "site"
    }
}

/// The route a path took, as a template: what a request log says instead
/// of the path (whose text is the client's).
fn template_of(path: &str) -> &'static str {
    match path {
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/metrics" => "/metrics",
        "/api/trust" => "/api/trust",
        p if p == super::site::TRUST_PATH => "/trust.json",
        p if p.starts_with("/badge/npm/") && p.ends_with(".json") => "/badge/npm/{package}.json",
        p if p.starts_with("/badge/npm/") && p.ends_with(".svg") => "/badge/npm/{package}.svg",
        p if p.starts_with("/badge/") => "/badge/{other}",
        p if p.starts_with("/api/verify/") => "/api/verify/{package}",
        p if p.starts_with("/package/") => "/package/{page}",
        "/" => "/",
        p if p.rsplit('/').next().is_some_and(|last| last.contains('.')) => "/{file}",
        _ => "/{page}",
    }
}

fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&Sha256::digest(body)[..12]))
}

fn not_modified(request: &HeaderMap, etag: &str) -> bool {
    request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// A response with a body, an ETag, and 304 when the client has it.
fn respond(request: &HeaderMap, status: StatusCode, content_type: &str, cache: &str, body: Vec<u8>) -> Response {
    let etag = etag_of(&body);
    let mut builder = Response::builder()
        .header(header::CACHE_CONTROL, cache)
        .header(header::ETAG, &etag)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if status.is_success() && not_modified(request, &etag) {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).unwrap();
    }
    builder = builder.status(status).header(header::CONTENT_TYPE, content_type);
    builder.body(Body::from(body)).unwrap()
}

/// `?style=` and `?label=`, read leniently: a malformed query string never
/// fails the request, it is ignored.
#[derive(Default)]
pub struct BadgeParams {
    style: Option<String>,
    label: Option<String>,
}

impl BadgeParams {
    pub fn from_query(query: Option<&str>) -> Self {
        let mut params = Self::default();
        for pair in query.unwrap_or_default().split('&').take(16) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(value) = super::routes::percent_decode(&value.replace('+', " ")) else {
                continue;
            };
            match key {
                "style" => params.style = Some(value),
                "label" => params.label = Some(value),
                _ => {}
            }
        }
        params
    }
}

/// Cache-Control for an answer. A pinned version's documents never change
/// once published, so a CDN may hold its answer for long; the latest tag
/// moves, so a latest badge is kept for minutes (and may be served stale
/// while the server fails, as the server itself does); failures, answers
/// that are not final and stale answers briefly.
pub fn cache_control(policy: &CachePolicy, latest: bool, outcome: Option<&Outcome>, stale: bool) -> String {
    let error = policy.error.as_secs().max(1);
    match (latest, outcome.map(|o| (o.report.verdict, o.transient))) {
        // Not the final answer (the history could not be read, say), or
        // the last good one standing in: as briefly as an error.
        (_, None | Some((_, true))) => format!("public, max-age={error}"),
        _ if stale => format!("public, max-age={error}"),
        (true, _) => {
            let latest = policy.latest.as_secs().max(1);
            format!(
                "public, max-age={latest}, s-maxage={latest}, stale-while-revalidate={}, stale-if-error={}",
                latest * 2,
                policy.stale_if_error.as_secs()
            )
        }
        (false, Some((npm_provenance_core::Verdict::Verified, false))) => {
            "public, max-age=86400, s-maxage=604800, immutable".to_string()
        }
        (false, _) => format!("public, max-age={}", policy.unverified_version.as_secs().max(1)),
    }
}

async fn lookup(state: &AppState, query: super::routes::PackageQuery) -> (Answer, LookupInfo) {
    let package = match &query.version {
        Some(v) => format!("{}@{v}", query.name),
        None => query.name.clone(),
    };
    let answer = match tokio::time::timeout(REQUEST_DEADLINE, state.service.verify(query)).await {
        Ok(answer) => answer,
        Err(_) => Answer {
            value: Err(ServiceError::Registry {
                message: "The registry did not answer in time.".into(),
                cause: npm_provenance_core::lookup::Cause::Timeout,
                transient: true,
            }),
            stale: None,
            cache: super::service::CacheUse::Miss,
            registry_requests: 0,
        },
    };
    let info = LookupInfo {
        package,
        cache: answer.cache.as_str(),
        stale: answer.stale.is_some(),
        registry_requests: answer.registry_requests,
    };
    (answer, info)
}

/// The report's JSON, with `stale` (the age of the answer and the failure
/// it stands in for) when it is the last good one.
fn report_json(answer: &Answer, outcome: &Outcome) -> String {
    match (&answer.stale, answer.stale_age()) {
        (Some(error), Some(age)) if outcome.json.starts_with('{') => {
            let stale = serde_json::json!({ "age_seconds": age.as_secs(), "error": error.message() });
            let rest = outcome.json.get(1..).unwrap_or_default();
            let comma = if rest.starts_with('}') { "" } else { "," };
            format!("{{\"stale\":{stale}{comma}{rest}")
        }
        _ => outcome.json.clone(),
    }
}

async fn badge(State(state): State<Arc<AppState>>, uri: Uri, headers: HeaderMap) -> Response {
    let params = BadgeParams::from_query(uri.query());
    let label = clean_label(params.label.as_deref());
    let style = match params.style.as_deref() {
        Some("flat-square") => BadgeStyle::FlatSquare,
        _ => BadgeStyle::Flat,
    };
    let mut info = None;
    let mut stale_age = None;
    let (status, state_badge, cache, format) = match parse_badge_path(uri.path()) {
        Err(RouteError::NotFound) => return plain(StatusCode::NOT_FOUND, "not found"),
        Err(RouteError::TooLong) => (
            StatusCode::URI_TOO_LONG,
            BadgeState::error("error"),
            "no-store".to_string(),
            BadgeFormat::Svg,
        ),
        Err(RouteError::Invalid(_)) => {
            let format = if uri.path().ends_with(".json") {
                BadgeFormat::Json
            } else {
                BadgeFormat::Svg
            };
            (
                StatusCode::BAD_REQUEST,
                BadgeState::error("invalid name"),
                "public, max-age=3600".to_string(),
                format,
            )
        }
        Ok((query, format)) => {
            let latest = query.version.is_none();
            let policy = state.service.policy();
            let (answer, lookup_info) = lookup(&state, query).await;
            info = Some(lookup_info);
            stale_age = answer.stale_age().map(|a| a.as_secs());
            match &answer.value {
                Ok(outcome) => (
                    StatusCode::OK,
                    outcome.badge.clone(),
                    cache_control(policy, latest, Some(outcome), answer.stale.is_some()),
                    format,
                ),
                Err(e) => (
                    StatusCode::from_u16(super::service::status_of(e)).unwrap(),
                    super::service::badge_of(e),
                    cache_control(policy, latest, None, false),
                    format,
                ),
            }
        }
    };
    let mut response = match format {
        BadgeFormat::Svg => {
            let mut response = respond(
                &headers,
                status,
                "image/svg+xml; charset=utf-8",
                &cache,
                svg(&label, &state_badge, style).into_bytes(),
            );
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            response
        }
        BadgeFormat::Json => respond(
            &headers,
            status,
            "application/json",
            &cache,
            shields_json_with(&label, &state_badge, stale_age).into_bytes(),
        ),
    };
    if let Some(info) = info {
        response.extensions_mut().insert(info);
    }
    response
}

/// A JSON error. The message may echo the request's path: `nosniff` keeps a
/// browser from reading it as anything but JSON.
fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message, "status": status.as_u16() }).to_string();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "public, max-age=30")
        .body(Body::from(body))
        .unwrap()
}

async fn api_verify(State(state): State<Arc<AppState>>, uri: Uri, headers: HeaderMap) -> Response {
    let mut response = match parse_verify_path(uri.path()) {
        Err(RouteError::NotFound) => json_error(StatusCode::NOT_FOUND, "not found"),
        Err(RouteError::TooLong) => json_error(StatusCode::URI_TOO_LONG, "the path is too long"),
        Err(RouteError::Invalid(e)) => json_error(StatusCode::BAD_REQUEST, &e),
        Ok(query) => {
            let latest = query.version.is_none();
            let (answer, info) = lookup(&state, query).await;
            let mut response = match &answer.value {
                Ok(outcome) => respond(
                    &headers,
                    StatusCode::OK,
                    "application/json",
                    &cache_control(state.service.policy(), latest, Some(outcome), answer.stale.is_some()),
                    report_json(&answer, outcome).into_bytes(),
                ),
                Err(e) => json_error(
                    StatusCode::from_u16(super::service::status_of(e)).unwrap(),
                    &e.message(),
                ),
            };
            response.extensions_mut().insert(info);
            response
        }
    };
    response
        .headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(state.metrics.render(&state.service)))
        .unwrap()
}

/// How recently the registry must have been heard from for `/readyz` to
/// go by it; older than this, it is asked (`/-/ping`).
const READY_FRESH: Duration = Duration::from_secs(30);
/// The longest `/readyz` waits for the registry.
const READY_PROBE: Duration = Duration::from_secs(5);

/// `/readyz`: whether this instance can answer lookups now, for load
/// balancers (`/healthz` is liveness: the process answers). Ready when the
/// registry answers and has not asked to wait (`Retry-After`); the trust
/// material's state is reported beside it (an expired TUF timestamp or the
/// built-in material still verify, so they do not take instances out).
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let client = state.service.client();
    let heard = |c: &super::registry::Contact| {
        let latest = c.last_ok.into_iter().chain(c.last_failure.as_ref().map(|f| f.0)).max();
        latest.is_some_and(|t| t.elapsed() < READY_FRESH) || c.held_for().is_some()
    };
    if !heard(&client.contact()) {
        let _one = state.probe.lock().await;
        if !heard(&client.contact()) {
            let _ = tokio::time::timeout(READY_PROBE, client.probe()).await;
        }
    }
    let contact = client.contact();
    let ago = |t: Instant| t.elapsed().as_secs();
    let (registry_state, ready) = if contact.held_for().is_some() {
        ("waiting", false)
    } else if contact.failing() {
        ("failing", false)
    } else if contact.last_ok.is_some() {
        ("ok", true)
    } else {
        ("unknown", false)
    };
    let (_, source) = state.service.trust();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let expired = source
        .valid_until
        .as_deref()
        .and_then(npm_provenance_core::time::parse_rfc3339)
        .is_some_and(|until| until < now);
    let trust_state = match source.source.as_str() {
        _ if expired => "expired",
        "embedded" => "built-in",
        _ => "ok",
    };
    let body = serde_json::json!({
        "ready": ready,
        "registry": {
            "state": registry_state,
            "url": client.base(),
            "last_ok_seconds_ago": contact.last_ok.map(ago),
            "last_failure": contact.last_failure.as_ref().map(|(at, what)| serde_json::json!({ "seconds_ago": ago(*at), "what": what })),
            "retry_after_seconds": contact.held_for().map(|d| d.as_secs() + 1),
        },
        "trust": { "state": trust_state, "source": source },
    });
    Response::builder()
        .status(if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        })
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// `/api/trust`: where the server's trust material came from (TUF, its
/// cache, built in, configured), with the TUF versions and validity.
async fn api_trust(State(state): State<Arc<AppState>>) -> Response {
    let (_, source) = state.service.trust();
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .body(Body::from(serde_json::to_string(&source).unwrap_or_default()))
        .unwrap()
}

async fn trust_config(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match &state.trust_config {
        Some(json) => respond(
            &headers,
            StatusCode::OK,
            "application/json",
            "no-cache",
            json.clone().into_bytes(),
        ),
        None => plain(StatusCode::NOT_FOUND, "not found"),
    }
}

async fn static_file(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let Some(site) = &state.site else {
        return plain(StatusCode::NOT_FOUND, "not found (this server runs without --dist)");
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    let mut response = site.serve(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if let Ok(csp) = HeaderValue::from_str(&state.csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}
