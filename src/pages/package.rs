//! `/package/<name>[/v/<version>]`: the package's provenance, verified in the
//! browser, with its version history and badge.

use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use npm_provenance_core::text::visible;
use npm_provenance_core::{Packument, Report, ResolveError, resolve_version};

use crate::api::{FetchError, fetch_attestations, fetch_packument};
use crate::components::badge_embed::BadgeEmbed;
use crate::components::history::VersionHistory;
use crate::components::report_view::ReportView;
use crate::components::trust::WhatChangedSection;
use crate::format::date_time;
use crate::settings::use_registry;
use crate::spec::{PackageSpec, parse_package_path};
use crate::worker::protocol::VerifyRequest;

/// Why a package page cannot show a report.
#[derive(Debug, Clone, PartialEq)]
pub enum PageError {
    BadName(String),
    PackageNotFound {
        name: String,
        registry: String,
    },
    /// The registry has no such version, or answered with another package's
    /// or version's document.
    Resolve(ResolveError),
    Fetch(FetchError),
    Verify(String),
}

type PackumentResult = Result<Option<Rc<Packument>>, FetchError>;
/// The registry and package name a packument was fetched for.
type PackumentKey = (String, String);

/// The version a page shows: the one in the address, or the `latest` tag,
/// in the document of the package in the address (the core decides).
fn resolve(packument: &Packument, spec: &PackageSpec) -> Result<String, PageError> {
    resolve_version(packument, &spec.name, spec.version.as_deref()).map_err(PageError::Resolve)
}

fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

#[component]
pub fn PackagePage() -> impl IntoView {
    // The worker's wasm downloads and compiles while the registry documents load.
    crate::verifier::warm_up();
    let params = use_params_map();
    let registry = use_registry();
    let spec = Memo::new(move |_| parse_package_path(&params.read().get("path").unwrap_or_default()));
    let name = Memo::new(move |_| spec.get().ok().map(|s| s.name));

    let packument: LocalResource<(PackumentKey, PackumentResult)> = LocalResource::new(move || {
        let (registry, name) = (registry.get(), name.get());
        async move {
            let key = (registry.clone(), name.clone().unwrap_or_default());
            let result = match name {
                Some(name) => fetch_packument(&registry, &name).await.map(|p| p.map(Rc::new)),
                None => Ok(None),
            };
            (key, result)
        }
    });

    let report: LocalResource<Result<(Report, Option<String>), PageError>> = LocalResource::new(move || {
        let (registry, spec) = (registry.get(), spec.get());
        async move {
            let spec = spec.map_err(PageError::BadName)?;
            // Awaited untracked: tracked, the packument's arrival would run this
            // whole future again (a second fetch and verification). If what it
            // holds was fetched for another registry or name (they just changed),
            // wait tracked instead: the right one's arrival re-runs this future,
            // and this run never finishes with the wrong document.
            let key = (registry.clone(), spec.name.clone());
            let (fetched_for, document) = ScopedFuture::new_untracked(packument.into_future()).await;
            let document = if fetched_for == key {
                document
            } else {
                match packument.await {
                    (fetched_for, document) if fetched_for == key => document,
                    _ => std::future::pending().await,
                }
            };
            let packument = document
                .map_err(PageError::Fetch)?
                .ok_or_else(|| PageError::PackageNotFound {
                    name: spec.name.clone(),
                    registry: registry.clone(),
                })?;
            let version = resolve(&packument, &spec)?;
            let dist = packument.versions.get(&version).cloned().unwrap_or_default();
            let attestations = fetch_attestations(&registry, &spec.name, &version)
                .await
                .map_err(PageError::Fetch)?;
            let request = VerifyRequest::package_version(
                &spec.name,
                &version,
                &dist,
                packument.published_at(&version),
                attestations.clone(),
            );
            let mut report = crate::verifier::verify(request).await.map_err(PageError::Verify)?;
            // The downgrade rules need the package's history, which the page has.
            npm_provenance_core::publishing::compare_with_history(
                &mut report,
                &packument.history,
                packument.published_at(&version),
            );
            Ok((report, attestations))
        }
    });
    let current_report = Signal::derive(move || report.get().and_then(Result::ok).map(|(r, _)| r));

    Effect::new(move |_| {
        let title = match spec.get() {
            Ok(s) => format!(
                "{}{} — npm provenance",
                s.name,
                s.version.map(|v| format!("@{v}")).unwrap_or_default()
            ),
            Err(_) => "npm provenance".into(),
        };
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title(&title);
        }
    });

    view! {
        <article class="package-page">
            {move || spec.get().err().map(|e| view! { <ErrorView error=PageError::BadName(e) page_heading=true /> })}
            <Transition fallback=|| view! { <Loading text="Fetching the package document…" /> }>
                {move || Suspend::new(async move {
                    let spec = spec.get_untracked().ok()?;
                    Some(match packument.await.1 {
                        Err(e) => view! { <ErrorView error=PageError::Fetch(e) page_heading=true /> }.into_any(),
                        Ok(None) => view! { <ErrorView error=PageError::PackageNotFound { name: spec.name.clone(), registry: registry.0.get_untracked() } page_heading=true /> }.into_any(),
                        Ok(Some(p)) => match resolve(&p, &spec) {
                            Err(e) => view! { <PackageHeader name=spec.name.clone() packument=p.clone() version=None /> <ErrorView error=e /> }.into_any(),
                            Ok(version) => view! {
                                <PackageHeader name=spec.name.clone() packument=p.clone() version=Some(version.clone()) />
                                <Transition fallback=|| view! { <Loading text="Fetching and verifying the attestations…" /> }>
                                    {move || Suspend::new(async move {
                                        match report.await {
                                            Ok((report, raw)) => {
                                                request_animation_frame(|| mark("report-rendered"));
                                                view! { <ReportView report=report raw_json=raw.unwrap_or_default() /> }.into_any()
                                            }
                                            Err(e) => view! { <ErrorView error=e /> }.into_any(),
                                        }
                                    })}
                                </Transition>
                                <WhatChangedSection packument=p.clone() report=current_report />
                                <BadgeEmbed name=spec.name.clone() version=(p.latest() != Some(version.as_str())).then(|| version.clone()) />
                                <VersionHistory packument=p.clone() current=version current_report=current_report />
                            }.into_any(),
                        },
                    })
                })}
            </Transition>
        </article>
    }
}

/// The package's header. `name` is the one asked for, never the document's:
/// a document of another package is refused, not shown under its own name.
#[component]
fn PackageHeader(name: String, packument: Rc<Packument>, version: Option<String>) -> impl IntoView {
    let registry = use_registry();
    let name_shown = name.clone();
    // Only a document of the asked package says anything about it.
    let latest = (packument.name == name)
        .then(|| packument.latest().map(str::to_string))
        .flatten();
    let is_latest = version.is_some() && version == latest;
    let published = version
        .as_deref()
        .and_then(|v| packument.published_at(v))
        .map(date_time);
    view! {
        <header class="package-header">
            <h1>
                <span class="package-name">{visible(&name_shown)}</span>
                {version.clone().map(|v| view! { <span class="package-version">{format!("@{}", visible(&v))}</span> })}
            </h1>
            <p class="package-meta">
                {is_latest.then(|| view! { <span class="tag">"latest"</span> " " })}
                {published.map(|p| format!("Published {p}. "))}
                {(!is_latest).then(|| latest.clone()).flatten().map(|l| {
                    let href = registry.href(&format!("/package/{name}/v/{l}"));
                    view! { <a href=href>{format!("Latest is {}", visible(&l))}</a> }
                })}
            </p>
            {(packument.name == name).then(|| packument.description.clone()).flatten().map(|d| view! { <p class="package-description">{visible(&d)}</p> })}
        </header>
    }
}

#[component]
pub fn Loading(text: &'static str) -> impl IntoView {
    view! {
        <p class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {text}
        </p>
    }
}

#[component]
pub fn ErrorView(
    error: PageError,
    /// The page's only heading (no package header above it): a level-one
    /// heading, so that every page has one.
    #[prop(optional)]
    page_heading: bool,
) -> impl IntoView {
    let registry = use_registry();
    let (title, message): (String, String) = match &error {
        PageError::BadName(e) => ("That is not a package name".into(), e.clone()),
        PageError::PackageNotFound { name, registry } => (
            "Package not found".into(),
            format!("There is no package named {} on {registry}.", visible(name)),
        ),
        PageError::Resolve(e @ ResolveError::VersionNotFound { .. }) => ("Version not found".into(), e.message()),
        PageError::Resolve(e @ ResolveError::NoVersions(_)) => ("No versions".into(), e.message()),
        PageError::Resolve(e) => ("The registry answered with another document".into(), e.message()),
        PageError::Fetch(FetchError::Status { status, .. }) => {
            (format!("Registry error (HTTP {status})"), error_text(&error))
        }
        PageError::Fetch(FetchError::Network { .. }) => {
            ("The registry could not be reached".into(), error_text(&error))
        }
        PageError::Fetch(FetchError::Timeout { .. }) => ("The registry is not answering".into(), error_text(&error)),
        PageError::Fetch(_) => ("The registry's answer is not usable".into(), error_text(&error)),
        PageError::Verify(e) => ("Verification could not run".into(), e.clone()),
    };
    let latest_link = match &error {
        PageError::Resolve(ResolveError::VersionNotFound {
            name, latest: Some(l), ..
        }) => {
            let href = registry.href(&format!("/package/{name}/v/{l}"));
            Some(view! { <p><a href=href>{format!("See the latest version, {}", visible(l))}</a></p> })
        }
        _ => None,
    };
    view! {
        <section class="error-state" role="alert" data-testid="error-state">
            {if page_heading { view! { <h1>{title}</h1> }.into_any() } else { view! { <h2>{title}</h2> }.into_any() }}
            <p>{message}</p>
            {latest_link}
        </section>
    }
}

fn error_text(error: &PageError) -> String {
    match error {
        PageError::Fetch(e) => e.to_string(),
        other => format!("{other:?}"),
    }
}
