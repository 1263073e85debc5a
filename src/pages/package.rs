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

use crate::components::advice::WhatToDo;
use crate::components::badge_embed::BadgeEmbed;
use crate::components::history::VersionHistory;
use crate::components::report_view::{PageIndex, ReportEvidence, ReportSummary};
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
    /// The person stopped waiting.
    Cancelled,
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

/// The lookup, or `Cancelled` as soon as `cancel` fires (the worker may
/// finish it anyway; its answer is dropped).
async fn look_up_or_cancel(
    registry: String,
    path: String,
    cancel: futures::channel::oneshot::Receiver<()>,
) -> Result<LookedUp, PageError> {
    use futures::future::{Either, select};
    let lookup = Box::pin(look_up(registry, path));
    match select(lookup, cancel).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(PageError::Cancelled),
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
    // Retry asks again; Cancel ends the wait (the sender of the running
    // lookup's cancellation is kept until then).
    let attempt = RwSignal::new(0u32);
    let cancel = StoredValue::new_local(None::<futures::channel::oneshot::Sender<()>>);
    let looked_up = LocalResource::new(move || {
        attempt.track();
        let (tx, rx) = futures::channel::oneshot::channel();
        cancel.set_value(Some(tx));
        look_up_or_cancel(registry.0.get(), path.get(), rx)
    });
    let on_cancel = Callback::new(move |()| {
        if let Some(tx) = cancel.try_update_value(Option::take).flatten() {
            let _ = tx.send(());
        }
    });
    let on_retry = Callback::new(move |()| attempt.update(|n| *n += 1));

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
            // Suspense, not Transition: a retry, or another version, shows
            // the wait (and its Cancel) rather than the last answer.
            <Suspense fallback=move || view! { <Loading text="Fetching and verifying the package's documents…" on_cancel=on_cancel /> }>
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
                            view! { <ErrorView error=e page_heading=name.is_none() name=name on_retry=on_retry /> }.into_any()
                        }
                        Ok(found) => {
                            request_animation_frame(|| mark("report-rendered"));
                            view! { <Found found=found /> }.into_any()
                        }
                    }
                })}
            </Suspense>
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
    // Only sections the page has: a link to nothing is a dead end.
    let has_signer = report
        .attestations
        .iter()
        .any(|a| a.identity.is_some() || a.signing_key.is_some());
    let has_log = report
        .attestations
        .iter()
        .any(|a| a.tlog.is_some() || !a.timestamps.is_empty());
    let index: Vec<(&'static str, &'static str)> = [
        (overview.is_some(), "history", "Versions"),
        (changes.is_some(), "changes", "Changes"),
        (true, "checks", "Checks"),
        (has_signer, "signer", "Signer"),
        (has_log, "log", "Log"),
        (true, "documents", "Documents"),
        (true, "badge", "Badge"),
    ]
    .into_iter()
    .filter(|(shown, ..)| *shown)
    .map(|(_, id, label)| (id, label))
    .collect();
    view! {
        <PackageHeader name=name.clone() overview=overview.clone() version=version.clone() />
        <PageIndex entries=index />
        <div class="report">
            <ReportSummary report=report.clone() />
            <WhatToDo report=report.clone() overview=overview.clone() />
        </div>
        {overview.map(|o| view! { <VersionHistory overview=o current=version.clone() current_report=current /> })}
        <div class="report">
            // The full comparison is evidence: its warning signs are in the verdict.
            {changes.map(|c| view! { <WhatChanged comparison=c /> })}
            <ReportEvidence report=report raw_json=attestations.unwrap_or_default() />
        </div>
        <BadgeEmbed name=name.clone() version=(latest.as_deref() != Some(version.as_str())).then(|| version.clone()) />
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

/// Seconds before the wait shows how long it has taken.
const SHOW_ELAPSED_AFTER: u32 = 2;
/// Seconds before the wait offers to stop.
const OFFER_CANCEL_AFTER: u32 = 3;

/// A wait that says how long it has taken once it is slow, and offers a
/// way out (a hanging registry must not leave a person staring).
#[component]
pub fn Loading(text: &'static str, #[prop(optional)] on_cancel: Option<Callback<()>>) -> impl IntoView {
    let elapsed = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let _ = elapsed.try_update(|s| *s += 1);
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <p>
                <span class="spinner" aria-hidden="true"></span>
                {text}
                {move || (elapsed.get() >= SHOW_ELAPSED_AFTER).then(|| view! {
                    <span class="elapsed" data-testid="elapsed">{format!(" {} s", elapsed.get())}</span>
                })}
            </p>
            {move || on_cancel.filter(|_| elapsed.get() >= OFFER_CANCEL_AFTER).map(|cancel| view! {
                <button type="button" class="secondary" data-testid="cancel" on:click=move |_| cancel.run(())>"Cancel"</button>
            })}
        </div>
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
    /// Asks again (every error page offers it: a registry that failed may answer now).
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
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
        PageError::Cancelled => (
            "Stopped".into(),
            "You stopped waiting for the registry. Nothing was verified.".into(),
        ),
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
            {on_retry.map(|retry| view! {
                <p><button type="button" data-testid="retry" on:click=move |_| retry.run(())>"Try again"</button></p>
            })}
        </section>
    }
}
