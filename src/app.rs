//! The app shell: router, header with search and registry setting, footer.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::path;

use crate::components::search::SearchBox;
use crate::pages::{
    audit::AuditPage,
    home::{HomePage, SearchPage},
    inspect::InspectPage,
    not_found::NotFound,
    package::PackagePage,
};
use crate::settings::{
    RegistrySetting, normalize_registry, page_default_registry, same_origin_path, store_registry, stored_registry,
    use_registry,
};

#[component]
pub fn App() -> impl IntoView {
    let default = page_default_registry();
    let registry = RegistrySetting::new(stored_registry().unwrap_or_else(|| default.clone()), default);
    provide_context(registry);
    view! {
        <Router>
            <RegistryFromQuery />
            <FocusOnNavigation />
            // The router takes over clicks on in-page links and only scrolls:
            // move keyboard focus to the content as a skip link must (WCAG 2.4.1).
            <a class="skip-link" href="#main" on:click=|ev| {
                ev.prevent_default();
                focus_main();
            }>"Skip to content"</a>
            <Header />
            <RegistryNotice />
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=|| view! { <HomePage /> } />
                    <Route path=path!("/search") view=SearchPage />
                    <Route path=path!("/inspect") view=InspectPage />
                    <Route path=path!("/audit") view=AuditPage />
                    <Route path=path!("/package/*path") view=PackagePage />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>{footer_text()}</p>
                {move || {
                    let source = crate::verifier::trust_source();
                    source.get().map(|s| view! {
                        <p data-testid="footer-trust-source">{format!("Trust material: {}.", npm_provenance_core::text::visible(&s.sentence()))}</p>
                        {s.warning.map(|w| view! {
                            <p class="trust-warning" role="alert">{format!("Warning: {}", npm_provenance_core::text::visible(&w))}</p>
                        })}
                    })
                }}
            </footer>
        </Router>
    }
}

/// What verification trusts, as the footer says it.
fn footer_text() -> &'static str {
    if crate::verifier::trust_config_url().is_some() {
        "Verified in your browser with the trust root its server is configured with (a private Sigstore instance, \
         or a TUF repository; each report names its source). \
         Nothing you look up or paste leaves this page except requests to the registry and the TUF repository."
    } else {
        "Verified in your browser with Sigstore's public-good trust root and npm's registry keys. \
         Nothing you look up or paste leaves this page except requests to the registry."
    }
}

/// A link's `?registry=` applies to the page it opens, and is announced; it
/// is never remembered (only the settings form is). Without one, the
/// person's own registry applies.
/// Moves keyboard focus to the page's content.
fn focus_main() {
    let main = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
    if let Some(main) = main {
        let _ = main.focus();
    }
}

/// After an in-app navigation (not the first load), focus moves to the new
/// page's content, as a full page load would put the reader at its start:
/// otherwise the focus stays on a link that no longer exists and the next
/// Tab starts from nowhere in particular.
#[component]
fn FocusOnNavigation() -> impl IntoView {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            request_animation_frame(focus_main);
        }
        path
    });
}

#[component]
fn RegistryFromQuery() -> impl IntoView {
    let query = use_query_map();
    let registry = use_registry();
    Effect::new(move |_| {
        let own = registry.own();
        let wanted = query
            .read()
            .get("registry")
            .and_then(|value| normalize_registry(&value).ok())
            .unwrap_or_else(|| own.clone());
        if registry.0.get_untracked() != wanted {
            registry.0.set(wanted.clone());
        }
        registry.2.set(wanted != own);
    });
}

/// Says plainly that the page uses a registry the link chose.
#[component]
fn RegistryNotice() -> impl IntoView {
    let registry = use_registry();
    let navigate = use_navigate();
    move || {
        registry.from_link().then(|| {
            let navigate = navigate.clone();
            view! {
                <aside class="registry-notice" aria-label="Registry in use" data-testid="registry-notice">
                    <p>
                        "This page uses the registry " <strong>{registry.get()}</strong>
                        ", chosen by the link you followed. Your own setting (" {registry.own()} ") is unchanged."
                    </p>
                    <button type="button" class="secondary" on:click=move |_| {
                        let path = web_sys::window()
                            .and_then(|w| w.location().pathname().ok())
                            .unwrap_or_else(|| "/".into());
                        navigate(&same_origin_path(&path), Default::default());
                    }>"Use my registry"</button>
                </aside>
            }
        })
    }
}

#[component]
fn Header() -> impl IntoView {
    let registry = use_registry();
    view! {
        <header class="site-header">
            <A href=move || registry.href("/") attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                " npm provenance"
            </A>
            <nav aria-label="Main">
                <A href=move || registry.href("/inspect")>"Inspector"</A>
                <A href=move || registry.href("/audit")>"Audit a lockfile"</A>
            </nav>
            <SearchBox compact=true />
            <RegistrySettings />
        </header>
    }
}

/// The registry control: shows the current registry and lets a person set another.
#[component]
fn RegistrySettings() -> impl IntoView {
    let registry = use_registry();
    let navigate = use_navigate();
    let (draft, set_draft) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let open = RwSignal::new(false);
    let host = move || {
        let r = registry.get();
        r.split("://").nth(1).unwrap_or(&r).to_string()
    };
    let apply = move |value: String| match normalize_registry(&value) {
        Ok(url) => {
            store_registry(&url, &registry.default_registry());
            registry.0.set(url.clone());
            set_error.set(None);
            registry.2.set(false);
            open.set(false);
            // Keep the address bar truthful: a shared link must show this
            // registry. The path stays on this origin whatever the address
            // bar held (`//host/...` would leave it).
            if let Some(location) = web_sys::window().map(|w| w.location()) {
                let path = same_origin_path(&location.pathname().unwrap_or_else(|_| "/".into()));
                navigate(&registry.href(&path), Default::default());
            }
        }
        Err(e) => set_error.set(Some(e)),
    };
    let apply_default = apply.clone();
    view! {
        <details class="registry-settings" prop:open=move || open.get() on:toggle=move |ev| {
            let is_open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
            // The form offers the person's own registry, never one a link
            // chose: "Use this registry" must not store an attacker's.
            if is_open {
                set_draft.set(registry.own());
            }
            open.set(is_open);
        }>
            <summary>
                <span class="visually-hidden">"Registry: "</span>
                <span class="registry-host" title=move || registry.get()>{host}</span>
            </summary>
            <form class="registry-form" on:submit=move |ev| {
                ev.prevent_default();
                apply(draft.get_untracked());
            }>
                <label for="registry-url">"Registry URL"</label>
                <input id="registry-url" type="url" inputmode="url" spellcheck="false" autocomplete="off"
                    placeholder=crate::settings::DEFAULT_REGISTRY
                    prop:value=move || { let _ = open.get(); registry.own() }
                    on:input=move |ev| set_draft.set(event_target_value(&ev)) />
                <p class="hint">"Any registry with npm's API. It must allow requests from browsers (CORS)."</p>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <div class="form-actions">
                    <button type="submit">"Use this registry"</button>
                    <button type="button" class="secondary" on:click=move |_| apply_default(registry.default_registry())>
                        "Use the default"
                    </button>
                </div>
            </form>
        </details>
    }
}
