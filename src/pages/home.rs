//! The home page: a search box and what this tool checks.
//!
//! Its words live in `index.html` (templates `home-intro` and `home-more`),
//! once: a first visit to `/` shows them before, and without, the app (see
//! `public/boot.js`), and this page renders the same markup around the
//! app's search box when the app navigates home.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use wasm_bindgen::JsCast;

use crate::components::search::SearchBox;
use crate::settings::use_registry;

#[component]
pub fn HomePage(
    /// A search to run at once (`/search?q=`): the static home page hands
    /// its visitor's words to the app this way.
    #[prop(optional)]
    search: Option<String>,
) -> impl IntoView {
    let registry = use_registry();
    let section = NodeRef::<leptos::html::Section>::new();
    // The template's links are plain paths: give them the registry a link
    // chose, as every other link in the app carries it.
    Effect::new(move |_| {
        let Some(section) = section.get() else { return };
        let _ = registry.get();
        let Ok(links) = section.query_selector_all("a[href^='/']") else {
            return;
        };
        for i in 0..links.length() {
            let Some(link) = links.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else {
                continue;
            };
            // The template's own path, kept across changes of registry.
            let path = match link.get_attribute("data-path") {
                Some(path) => path,
                None => {
                    let path = link.get_attribute("href").unwrap_or_default();
                    let _ = link.set_attribute("data-path", &path);
                    path
                }
            };
            let _ = link.set_attribute("href", &registry.href(&path));
        }
    });
    view! {
        <section class="home" node_ref=section>
            <div class="home-part" inner_html=template("home-intro")></div>
            <SearchBox autofocus=true initial=search />
            <div class="home-part" inner_html=template("home-more")></div>
        </section>
    }
}

/// `/search?q=`: the home page, running the search in its address.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let search = query.with_untracked(|q| q.get("q")).unwrap_or_default();
    view! { <HomePage search=search /> }
}

/// The markup of one of `index.html`'s templates (empty if the page has none).
fn template(id: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .map(|t| t.inner_html())
        .unwrap_or_default()
}
