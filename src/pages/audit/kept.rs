//! The registry documents this browser keeps for audits, and a way to
//! forget them. A document is kept only once a lookup read and accepted it
//! (`Outcome::keep`: a proxy's HTML page answered with a 200 is not), but a
//! person may still want them gone: to audit against the registry afresh,
//! or to take the space back.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::AuditState;

#[component]
pub fn KeptDocuments(state: AuditState) -> impl IntoView {
    let kept = RwSignal::new(None::<usize>);
    let count = move || spawn_local(async move { kept.set(Some(crate::api::kept_documents().await)) });
    // Counted when the page opens and after each run (the workers have
    // written what it fetched by then).
    Effect::new(move |_| {
        state.runs_ended.track();
        count();
    });
    let clear = move |_| {
        spawn_local(async move {
            crate::api::clear_kept_documents().await;
            kept.set(Some(crate::api::kept_documents().await));
        })
    };
    view! {
        <div class="kept-documents" data-testid="kept-documents" aria-live="polite">
            {move || match kept.get() {
                Some(0) => view! { <p class="hint">"No registry documents are kept in this browser."</p> }.into_any(),
                Some(n) => view! {
                    <p class="hint">{format!("This browser keeps {n} registry documents of published versions (they never change), so that the next audit asks the registry only for new ones.")}</p>
                    <button type="button" class="secondary" on:click=clear>{format!("Clear kept documents ({n})")}</button>
                }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}
