//! A document given to a page: pasted, dropped or opened, and read only up
//! to the page's limit (the inspector's bundles, the audit's lockfiles).

use leptos::prelude::*;
use npm_provenance_core::text::visible;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// "16.2 MB", "812 kB", "96 bytes".
pub fn size_text(bytes: f64) -> String {
    if bytes >= 1_000_000.0 {
        format!("{:.1} MB", bytes / 1_000_000.0)
    } else if bytes >= 1_000.0 {
        format!("{:.0} kB", bytes / 1_000.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// A file's name as the page shows it: a name is anyone's choice, and a
/// direction override (U+202E) in it would show "lock\u{202e}nosj.exe" as
/// "lockexe.json"; every string from outside is written with such
/// characters visible.
pub fn file_label(name: &str) -> String {
    visible(name)
}

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
    /// Files larger than this are read but not shown in the text area: a
    /// text area given 16 MB lays all of it out (3 s of the page's thread in
    /// Chromium for a 16 MB package-lock.json); the file is named instead.
    #[prop(optional)]
    shown_up_to: Option<usize>,
    /// The document's text.
    text: RwSignal<String>,
    /// The name of the file it came from; `None` once typed or pasted.
    #[prop(optional)]
    file_name: Option<RwSignal<Option<String>>>,
    /// Where a file that cannot be read is reported.
    problem: WriteSignal<Option<String>>,
    /// Called when a document was pasted, dropped or opened (not typed): the
    /// inspector verifies it at once.
    #[prop(optional)]
    on_given: Option<UnsyncCallback<()>>,
) -> impl IntoView {
    // A file kept out of the text area: its name and size.
    let held = RwSignal::new(None::<(String, f64)>);
    let given = move || {
        if let Some(callback) = on_given {
            callback.try_run(());
        }
    };
    let load = move |file: web_sys::File| {
        let name = file.name();
        let size = file.size();
        if size > limit as f64 {
            problem.set(Some(format!(
                "{} ({}) is larger than {} MB; it is not read.",
                file_label(&name),
                size_text(size),
                limit >> 20
            )));
            return;
        }
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()) {
                Some(t) => {
                    let large = shown_up_to.is_some_and(|most| t.len() > most);
                    held.set(large.then(|| (name.clone(), size)));
                    text.set(t);
                    if let Some(file_name) = file_name {
                        file_name.set(Some(name));
                    }
                    problem.set(None);
                    given();
                }
                None => problem.set(Some(format!("{} could not be read as text.", file_label(&name)))),
            }
        });
    };
    let clear = move |_| {
        held.set(None);
        text.set(String::new());
        if let Some(file_name) = file_name {
            file_name.set(None);
        }
        problem.set(None);
        // Back to the text area, for the next document.
        request_animation_frame(move || {
            let area = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(area) = area {
                let _ = area.focus();
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
            {move || match held.get() {
                Some((name, size)) => view! {
                    <p class="field-label">{label}</p>
                    <div class="held-file" data-testid="held-file">
                        <p>
                            <strong>{file_label(&name)}</strong> " (" {size_text(size)} ")"
                            <span class="hint">" is too large to show here; it is read as it is."</span>
                        </p>
                        <button type="button" class="secondary" on:click=clear>"Clear"</button>
                    </div>
                }.into_any(),
                None => view! {
                    <label for=id>{label}</label>
                    <textarea id=id rows=rows spellcheck="false" data-testid=id placeholder=placeholder
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            text.set(event_target_value(&ev));
                            if let Some(file_name) = file_name {
                                file_name.set(None);
                            }
                            let pasted = ev
                                .dyn_ref::<web_sys::InputEvent>()
                                .is_some_and(|e| matches!(e.input_type().as_str(), "insertFromPaste" | "insertFromDrop"));
                            if pasted {
                                given();
                            }
                        }></textarea>
                }.into_any(),
            }}
            <label class="file-button">
                {open_label}
                <input type="file" accept=accept on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(file) = input.files().and_then(|f| f.get(0)) {
                        load(file);
                    }
                    // The same file opened again is a change too.
                    input.set_value("");
                } />
            </label>
        </div>
    }
}
