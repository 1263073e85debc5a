//! The audit as a file: JSON (as `audit --json` prints it) and CSV.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::AuditState;

/// Offers `text` as a file download.
fn download(file_name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(a) = anchor {
        a.set_href(&url);
        a.set_download(file_name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[derive(Clone, Copy)]
enum Format {
    Json,
    Csv,
}

#[component]
pub fn Exports(state: AuditState) -> impl IntoView {
    let export = move |format: Format| {
        state.report.with_untracked(|r| {
            let Some(r) = r else { return };
            match format {
                Format::Json => download(
                    "npm-provenance-audit.json",
                    "application/json",
                    &serde_json::to_string_pretty(r).unwrap_or_default(),
                ),
                Format::Csv => download("npm-provenance-audit.csv", "text/csv", &r.to_csv()),
            }
        })
    };
    view! {
        <div class="form-actions">
            <button type="button" class="secondary" on:click=move |_| export(Format::Json)>"Export JSON"</button>
            <button type="button" class="secondary" on:click=move |_| export(Format::Csv)>"Export CSV"</button>
        </div>
    }
}
