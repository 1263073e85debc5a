//! A collapsible, copyable, pretty-printed JSON document.

use leptos::prelude::*;
use npm_provenance_core::text::visible;

/// Pretty-prints JSON text; text that is not JSON is shown as it is.
pub fn pretty(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

#[component]
pub fn JsonView(title: String, json: String) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let text = StoredValue::new(json);
    view! {
        <details class="json-view">
            <summary>{title}</summary>
            <button type="button" class="secondary copy" on:click=move |_| {
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&text.get_value());
                    set_copied.set(true);
                }
            }>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
            <pre tabindex="0"><code>{move || visible(&text.get_value())}</code></pre>
        </details>
    }
}
