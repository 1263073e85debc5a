//! A run of the audit: the lockfile read in a worker, every package version
//! looked up in the workers, a few lanes at a time, and its progress.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use npm_provenance_core::audit::AuditEntry;

use super::{AuditData, AuditInput, AuditState};
use crate::protocol::AuditJob;

/// Package versions in progress at once (their fetches and verification are
/// the workers'): browsers open six connections to a host over HTTP/1.1,
/// and each version needs two documents.
const LANES: usize = 12;
/// Results reach the table at most this often (milliseconds): each update
/// re-sorts the report and redraws the rows in view.
const REDRAW_MS: f64 = 250.0;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Audits `input`: the action's work.
pub async fn audit(data: AuditData, input: AuditInput) {
    data.problem.set(None);
    data.entries.set(Vec::new());
    data.done.set(0);
    data.lockfile.set(None);
    data.cancelled.set(false);
    data.compared.set(input.compare);
    let registry = input.registry.clone();
    let parsed = match crate::verifier::read_lockfile(input.text.to_string(), input.file_name, registry.clone()).await {
        Ok(l) if l.packages.is_empty() => {
            // Auditing nothing vouches for nothing.
            data.problem.set(Some(format!(
                "No registry package version could be read from this lockfile: nothing to audit ({} entries left out, {} not from the registry).",
                l.left_out,
                l.not_from_registry.len()
            )));
            return;
        }
        Ok(l) => Arc::new(l),
        Err(e) => {
            data.problem.set(Some(e));
            return;
        }
    };
    data.lockfile.set(Some(parsed.clone()));
    // Lanes take the next package version until none is left (or the audit
    // is cancelled); results reach the table in batches, so that a thousand
    // of them do not redraw it a thousand times.
    let next = Rc::new(Cell::new(0usize));
    let buffer: Rc<RefCell<Vec<AuditEntry>>> = Rc::default();
    let flush = {
        let buffer = buffer.clone();
        move || {
            let batch: Vec<AuditEntry> = buffer.borrow_mut().drain(..).collect();
            if !batch.is_empty() {
                let n = batch.len();
                data.entries.update(|v| v.extend(batch));
                data.done.update(|d| *d += n);
            }
        }
    };
    let last_flush = Rc::new(Cell::new(now_ms()));
    let lanes = (0..LANES).map(|_| {
        let (parsed, next, buffer, registry, flush, last_flush) = (
            parsed.clone(),
            next.clone(),
            buffer.clone(),
            registry.clone(),
            flush.clone(),
            last_flush.clone(),
        );
        async move {
            // A page left (its signals gone) stops its audit too.
            while data.cancelled.try_get_untracked() == Some(false) {
                let i = next.get();
                let Some(package) = parsed.packages.get(i) else { break };
                next.set(i + 1);
                let job = AuditJob {
                    registry: registry.clone(),
                    package: package.clone(),
                    compare_history: input.compare,
                };
                let entry = crate::verifier::audit(job)
                    .await
                    .unwrap_or_else(|e| AuditEntry::error(package, e));
                buffer.borrow_mut().push(entry);
                if now_ms() - last_flush.get() >= REDRAW_MS {
                    last_flush.set(now_ms());
                    flush();
                }
            }
        }
    });
    futures::future::join_all(lanes).await;
    flush();
    // What the workers fetched and the lookups accepted is kept for the
    // next audit, written before the run counts as ended.
    crate::verifier::audit_done().await;
    data.runs_ended.update(|n| *n += 1);
}

/// The progress bar, and what is checked of what is to check.
#[component]
pub fn Progress(state: AuditState) -> impl IntoView {
    move || {
        (state.total.get() > 0).then(|| {
            view! {
                <div class="audit-progress" data-testid="audit-progress">
                    <progress max=move || state.total.get() value=move || state.done.get()
                        aria-label="Package versions checked"></progress>
                    <span>{move || format!("{} of {} package versions checked", state.done.get(), state.total.get())}
                        {move || (!state.running() && state.done.get() < state.total.get()).then_some(" (cancelled)")}</span>
                </div>
            }
        })
    }
}
