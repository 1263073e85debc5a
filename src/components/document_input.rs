//! A document given to a page: pasted, dropped or opened, and read only up
//! to the page's limit (the inspector's bundles, the audit's lockfiles).

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[component]
pub fn DocumentInput(
    /// The text area's id (its label points at it).
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    /// The file button's words.
    open_label: &'static str,
    /// What the file picker offers (`accept`), if narrower than anything.
    #[prop(optional)]
    accept: Option<&'static str>,
    rows: u32,
    /// Files larger than this are not read.
    limit: usize,
    /// The document's text.
    text: RwSignal<String>,
    /// The name of the file it came from; `None` once typed or pasted.
    #[prop(optional)]
    file_name: Option<RwSignal<Option<String>>>,
    /// Where a file that cannot be read is reported.
    problem: WriteSignal<Option<String>>,
) -> impl IntoView {
    let load = move |file: web_sys::File| {
        if file.size() as usize > limit {
            problem.set(Some(format!(
                "{} is larger than {} MB; it is not read.",
                file.name(),
                limit >> 20
            )));
            return;
        }
        let name = file.name();
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()) {
                Some(t) => {
                    text.set(t);
                    if let Some(file_name) = file_name {
                        file_name.set(Some(name));
                    }
                    problem.set(None);
                }
                None => problem.set(Some("The file could not be read as text.".into())),
            }
        });
    };
    view! {
        <div class="drop-zone"
            on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
            on:drop=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                    load(file);
                }
            }>
            <label for=id>{label}</label>
            <textarea id=id rows=rows spellcheck="false" data-testid=id placeholder=placeholder
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    if let Some(file_name) = file_name {
                        file_name.set(None);
                    }
                }></textarea>
            <label class="file-button">
                {open_label}
                <input type="file" accept=accept on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(file) = input.files().and_then(|f| f.get(0)) {
                        load(file);
                    }
                } />
            </label>
        </div>
    }
}
