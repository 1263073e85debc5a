//! `/package/<name>[/v/<version>]`: the package's provenance, verified in the
//! browser through the core's one lookup (in a worker: the registry's
//! documents are fetched and read there), with its version history and
//! badge. Everything the page says of the version comes from that lookup's
//! one report.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use npm_provenance_core::lookup::{Cause, Depth, LookupError, Question};
use npm_provenance_core::overview::PackageOverview;
use npm_provenance_core::text::visible;

use crate::components::badge_embed::BadgeEmbed;
use crate::components::history::VersionHistory;
use crate::components::report_view::ReportView;
use crate::components::trust::WhatChanged;
use crate::format::date_time;
use crate::protocol::{LookedUp, LookupRequest};
use crate::settings::use_registry;
use crate::spec::parse_package_path;

/// Why a package page cannot show a report.
#[derive(Debug, Clone, PartialEq)]
pub enum PageError {
    BadName(String),
    PackageNotFound {
        name: String,
        registry: String,
    },
    VersionNotFound {
        name: String,
        version: String,
        latest: Option<String>,
    },
    /// The registry answered with another package's or version's document.
    WrongDocument(String),
    /// The registry did not give a usable answer.
    Registry {
        message: String,
        cause: Cause,
    },
    Verify(String),
}

impl PageError {
    fn of(error: LookupError, registry: &str, overview: Option<&PackageOverview>) -> Self {
        match error {
            LookupError::NotFound { name, version: None } => PageError::PackageNotFound {
                name,
                registry: registry.to_string(),
            },
            LookupError::NotFound {
                name,
                version: Some(version),
            } => PageError::VersionNotFound {
                latest: overview.and_then(|o| o.latest.clone()),
                name,
                version,
            },
            LookupError::WrongDocument { message } => PageError::WrongDocument(message),
            LookupError::Registry { message, cause, .. } => PageError::Registry { message, cause },
        }
    }
}

fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// The page's lookup: the version asked for (or the latest), its release
/// line compared, and what changed since the previous version with
/// provenance.
async fn look_up(registry: String, path: String) -> Result<LookedUp, PageError> {
    let spec = parse_package_path(&path).map_err(PageError::BadName)?;
    let question = Question::new(&registry, &spec.name, spec.version.as_deref(), Depth::Changes);
    let looked_up = crate::verifier::lookup(LookupRequest {
        question,
        overview: true,
    })
    .await
    .map_err(PageError::Verify)?;
    match looked_up.error.clone() {
        Some(error) => Err(PageError::of(error, &registry, looked_up.overview.as_ref())),
        None => Ok(looked_up),
    }
}

#[component]
pub fn PackagePage() -> impl IntoView {
    // The worker's wasm downloads and compiles while the page starts.
    crate::verifier::warm_up();
    let params = use_params_map();
    let registry = use_registry();
    let path = Memo::new(move |_| params.read().get("path").unwrap_or_default());
    let spec = Memo::new(move |_| parse_package_path(&path.get()));
    let looked_up = LocalResource::new(move || look_up(registry.0.get(), path.get()));

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
            <Transition fallback=|| view! { <Loading text="Fetching and verifying the package's documents…" /> }>
                {move || Suspend::new(async move {
                    match looked_up.await {
                        Err(e) => {
                            // A version the package does not have: under the
                            // package's name. Anything else is the page's heading.
                            let name = match &e {
                                PageError::VersionNotFound { name, .. } => Some(name.clone()),
                                PageError::WrongDocument(_) => spec.get_untracked().ok().map(|s| s.name),
                                _ => None,
                            };
                            view! { <ErrorView error=e page_heading=name.is_none() name=name /> }.into_any()
                        }
                        Ok(found) => {
                            request_animation_frame(|| mark("report-rendered"));
                            view! { <Found found=found /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </article>
    }
}

/// A version the lookup found: its header, report, what changed, badge and
/// the package's history, all from the one lookup.
#[component]
fn Found(found: LookedUp) -> impl IntoView {
    let LookedUp {
        report,
        version,
        overview,
        attestations,
        ..
    } = found;
    let version = version.unwrap_or_default();
    let name = report.package.as_ref().map(|p| p.name.clone()).unwrap_or_default();
    let latest = overview.as_ref().and_then(|o| o.latest.clone());
    let changes = report.changes.clone();
    let current = Signal::derive({
        let report = report.clone();
        move || Some(report.clone())
    });
    view! {
        <PackageHeader name=name.clone() overview=overview.clone() version=version.clone() />
        <ReportView report=report raw_json=attestations.unwrap_or_default() />
        {changes.map(|c| view! { <WhatChanged comparison=c /> })}
        <BadgeEmbed name=name.clone() version=(latest.as_deref() != Some(version.as_str())).then(|| version.clone()) />
        {overview.map(|o| view! { <VersionHistory overview=o current=version.clone() current_report=current /> })}
    }
}

/// The package's header. `name` is the one asked for: a document of another
/// package is refused by the lookup, never shown under its own name.
#[component]
fn PackageHeader(name: String, overview: Option<PackageOverview>, version: String) -> impl IntoView {
    let registry = use_registry();
    let latest = overview.as_ref().and_then(|o| o.latest.clone());
    let is_latest = latest.as_deref() == Some(version.as_str());
    let published = overview.as_ref().and_then(|o| o.published_at(&version)).map(date_time);
    let description = overview.and_then(|o| o.description);
    view! {
        <header class="package-header">
            <h1>
                <span class="package-name">{visible(&name)}</span>
                <span class="package-version">{format!("@{}", visible(&version))}</span>
            </h1>
            <p class="package-meta">
                {is_latest.then(|| view! { <span class="tag">"latest"</span> " " })}
                {published.map(|p| format!("Published {p}. "))}
                {(!is_latest).then(|| latest.clone()).flatten().map(|l| {
                    let href = registry.href(&format!("/package/{name}/v/{l}"));
                    view! { <a href=href>{format!("Latest is {}", visible(&l))}</a> }
                })}
            </p>
            {description.map(|d| view! { <p class="package-description">{visible(&d)}</p> })}
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
    /// The package asked for, named above the error as its heading.
    #[prop(default = None)]
    name: Option<String>,
) -> impl IntoView {
    let registry = use_registry();
    let (title, message): (String, String) = match &error {
        PageError::BadName(e) => ("That is not a package name".into(), e.clone()),
        PageError::PackageNotFound { name, registry } => (
            "Package not found".into(),
            format!("There is no package named {} on {registry}.", visible(name)),
        ),
        PageError::VersionNotFound { name, version, .. } => (
            "Version not found".into(),
            format!("{} has no version {}.", visible(name), visible(version)),
        ),
        PageError::WrongDocument(message) => ("The registry answered with another document".into(), message.clone()),
        PageError::Registry { message, cause } => (
            match cause {
                Cause::Status(status) => format!("Registry error (HTTP {status})"),
                Cause::Timeout => "The registry is not answering".into(),
                Cause::Unreachable => "The registry could not be reached".into(),
                Cause::NotFound | Cause::Unusable => "The registry's answer is not usable".into(),
            },
            message.clone(),
        ),
        PageError::Verify(e) => ("Verification could not run".into(), e.clone()),
    };
    let latest_link = match &error {
        PageError::VersionNotFound {
            name, latest: Some(l), ..
        } => {
            let href = registry.href(&format!("/package/{name}/v/{l}"));
            Some(view! { <p><a href=href>{format!("See the latest version, {}", visible(l))}</a></p> })
        }
        _ => None,
    };
    view! {
        {(!page_heading).then(|| name.map(|n| view! { <header class="package-header"><h1><span class="package-name">{visible(&n)}</span></h1></header> }))}
        <section class="error-state" role="alert" data-testid="error-state">
            {if page_heading { view! { <h1>{title}</h1> }.into_any() } else { view! { <h2>{title}</h2> }.into_any() }}
            <p>{message}</p>
            {latest_link}
        </section>
    }
}
