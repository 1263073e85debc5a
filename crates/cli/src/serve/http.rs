//! HTTP: the routes, their statuses and headers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::badge::{BadgeState, BadgeStyle, clean_label, shields_json, svg};
use super::routes::{BadgeFormat, RouteError, parse_badge_path, parse_verify_path};
use super::service::{Outcome, Service, ServiceError};
use super::static_files::StaticSite;

/// Longest a request may wait for the registry and verification.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(25);

pub struct AppState {
    pub service: Arc<Service>,
    pub site: Option<StaticSite>,
    pub csp: String,
    /// `{"trustedRoot": ..., "keys": ...}` when the server trusts a private instance.
    pub trust_config: Option<String>,
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
    Router::new()
        .route("/badge/npm/{*rest}", axum::routing::get(badge))
        .route("/api/verify/{*rest}", axum::routing::get(api_verify))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(super::static_files::TRUST_PATH, axum::routing::get(trust_config))
        .fallback(static_file)
        .with_state(state)
}

fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", npm_provenance_core::package::hex(&Sha256::digest(body)[..12]))
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

/// Cache-Control for an outcome: README image proxies refetch latest badges
/// every few minutes; a fixed version's verified badge never changes.
fn cache_control(latest: bool, outcome: Option<&Outcome>) -> &'static str {
    match (latest, outcome.map(|o| o.report.verdict)) {
        (_, None) => "public, max-age=60",
        (true, _) => "public, max-age=300, stale-while-revalidate=600",
        (false, Some(npm_provenance_core::Verdict::Verified)) => "public, max-age=86400",
        (false, _) => "public, max-age=600",
    }
}

async fn lookup(state: &AppState, query: super::routes::PackageQuery) -> Result<Arc<Outcome>, ServiceError> {
    match tokio::time::timeout(REQUEST_DEADLINE, state.service.verify(query)).await {
        Ok(result) => result,
        Err(_) => Err(ServiceError::Registry(super::registry::RegistryError::Timeout)),
    }
}

async fn badge(State(state): State<Arc<AppState>>, uri: Uri, headers: HeaderMap) -> Response {
    let params = BadgeParams::from_query(uri.query());
    let label = clean_label(params.label.as_deref());
    let style = match params.style.as_deref() {
        Some("flat-square") => BadgeStyle::FlatSquare,
        _ => BadgeStyle::Flat,
    };
    let (status, state_badge, cache, format) = match parse_badge_path(uri.path()) {
        Err(RouteError::NotFound) => return plain(StatusCode::NOT_FOUND, "not found"),
        Err(RouteError::TooLong) => (
            StatusCode::URI_TOO_LONG,
            BadgeState::error("error"),
            "no-store",
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
                "public, max-age=3600",
                format,
            )
        }
        Ok((query, format)) => {
            let latest = query.version.is_none();
            match lookup(&state, query).await {
                Ok(outcome) => (
                    StatusCode::OK,
                    outcome.badge.clone(),
                    cache_control(latest, Some(&outcome)),
                    format,
                ),
                Err(e) => (
                    StatusCode::from_u16(e.status()).unwrap(),
                    e.badge(),
                    cache_control(latest, None),
                    format,
                ),
            }
        }
    };
    match format {
        BadgeFormat::Svg => {
            let mut response = respond(
                &headers,
                status,
                "image/svg+xml; charset=utf-8",
                cache,
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
            cache,
            shields_json(&label, &state_badge).into_bytes(),
        ),
    }
}

fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message, "status": status.as_u16() }).to_string();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "public, max-age=30")
        .body(Body::from(body))
        .unwrap()
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(text))
        .unwrap()
}

async fn api_verify(State(state): State<Arc<AppState>>, uri: Uri, headers: HeaderMap) -> Response {
    match parse_verify_path(uri.path()) {
        Err(RouteError::NotFound) => json_error(StatusCode::NOT_FOUND, "not found"),
        Err(RouteError::TooLong) => json_error(StatusCode::URI_TOO_LONG, "the path is too long"),
        Err(RouteError::Invalid(e)) => json_error(StatusCode::BAD_REQUEST, &e),
        Ok(query) => {
            let latest = query.version.is_none();
            match lookup(&state, query).await {
                Ok(outcome) => {
                    let mut response = respond(
                        &headers,
                        StatusCode::OK,
                        "application/json",
                        cache_control(latest, Some(&outcome)),
                        outcome.json.clone().into_bytes(),
                    );
                    response
                        .headers_mut()
                        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
                    response
                }
                Err(e) => json_error(StatusCode::from_u16(e.status()).unwrap(), &e.message()),
            }
        }
    }
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

async fn static_file(State(state): State<Arc<AppState>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    let Some(site) = &state.site else {
        return plain(StatusCode::NOT_FOUND, "not found (this server runs without --dist)");
    };
    let Some(file) = site.get(uri.path()) else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let cache = if file.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut builder = Response::builder()
        .header(header::CACHE_CONTROL, cache)
        .header(header::ETAG, &file.etag)
        .header(header::CONTENT_TYPE, file.content_type)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::REFERRER_POLICY, "no-referrer")
        .header(header::VARY, "accept-encoding")
        .header("cross-origin-opener-policy", "same-origin")
        .header(header::CONTENT_SECURITY_POLICY, &state.csp);
    if not_modified(&headers, &file.etag) {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).unwrap();
    }
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let body = match (&file.brotli, &file.gzip) {
        (Some(br), _) if accepts_encoding(accept, "br") => {
            builder = builder.header(header::CONTENT_ENCODING, "br");
            br.clone()
        }
        (_, Some(gz)) if accepts_encoding(accept, "gzip") => {
            builder = builder.header(header::CONTENT_ENCODING, "gzip");
            gz.clone()
        }
        _ => file.body.clone(),
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(body)
    };
    builder.status(StatusCode::OK).body(body).unwrap()
}

/// Whether an `Accept-Encoding` value accepts `coding` (named, with a
/// non-zero weight; `*` is not taken as consent to brotli or gzip).
fn accepts_encoding(accept: &str, coding: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_names_the_coding_with_a_nonzero_weight() {
        assert!(accepts_encoding("gzip, deflate, br, zstd", "br"));
        assert!(accepts_encoding("br;q=0.5, gzip", "br"));
        assert!(accepts_encoding("GZIP", "gzip"));
        assert!(!accepts_encoding("gzip, deflate", "br"));
        assert!(!accepts_encoding("br;q=0, gzip", "br"));
        assert!(!accepts_encoding("br; q=0.0", "br"));
        assert!(!accepts_encoding("*", "br"));
        assert!(!accepts_encoding("", "gzip"));
        assert!(!accepts_encoding("gzipx", "gzip"));
    }
}
