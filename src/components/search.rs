//! The package search box: a name, `name@version`, or an npmjs.com URL.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::settings::use_registry;
use crate::spec::parse_search;

#[component]
pub fn SearchBox(
    #[prop(optional)] compact: bool,
    #[prop(optional)] autofocus: bool,
    /// Words to look up at once, replacing the current address (`/search?q=`).
    #[prop(default = None)]
    initial: Option<String>,
) -> impl IntoView {
    let registry = use_registry();
    let navigate = use_navigate();
    let (text, set_text) = signal(initial.clone().unwrap_or_default());
    let (error, set_error) = signal(None::<String>);
    let look_up = move |words: &str, replace: bool| match parse_search(words) {
        Ok(spec) => {
            set_error.set(None);
            let options = leptos_router::NavigateOptions {
                replace,
                ..Default::default()
            };
            navigate(&registry.href(&spec.path()), options);
        }
        Err(e) => set_error.set(Some(e)),
    };
    if let Some(words) = initial {
        let look_up = look_up.clone();
        Effect::new(move |done: Option<()>| {
            if done.is_none() {
                look_up(&words, true);
            }
        });
    }
    let id = if compact { "search-header" } else { "search-main" };
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <form role="search" class=if compact { "search search--compact" } else { "search" }
            aria-label=if compact { "Look up a package (header)" } else { "Look up a package" }
            on:submit=move |ev| {
            ev.prevent_default();
            look_up(&text.get_untracked(), false);
        }>
            <label for=id class=if compact { "visually-hidden" } else { "search-label" }>
                "Package name, name@version, or npmjs.com URL"
            </label>
            <div class="search-row">
                <input id=id type="search" name="q" autocomplete="off" spellcheck="false" autocapitalize="off"
                    autofocus=autofocus
                    placeholder="sigstore, @scope/name@1.2.3, or a npmjs.com link"
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby=move || error.get().map(|_| described.clone())
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        // Someone is about to look a package up: fetch the verifier now.
                        crate::verifier::warm_up();
                        set_text.set(event_target_value(&ev))
                    } />
                <button type="submit">"Check"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" id=error_id.clone() role="alert">{e}</p> })}
        </form>
    }
}
