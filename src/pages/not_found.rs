use leptos::prelude::*;

use crate::settings::use_registry;

#[component]
pub fn NotFound() -> impl IntoView {
    let registry = use_registry();
    view! {
        <section class="page-message">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. Look up a package instead:"</p>
            <p><a href=move || registry.href("/")>"Go to the search"</a></p>
        </section>
    }
}
