//! `/audit`: drop, open or paste a lockfile; every registry package version
//! it installs is verified here, as a package page verifies one (the same
//! registry documents, the same worker, the same core), with the integrity
//! the lockfile pins. Nothing leaves the browser but requests to the
//! registry; documents of pinned versions are kept in the browser's cache.
//!
//! One component per job, sharing the audit's state ([`AuditState`]): the
//! lockfile and the registry question ([`input`]), the run and its progress
//! ([`run`]), the summary ([`summary`]), the table ([`table`]), the exports
//! ([`exports`]) and the documents kept ([`kept`]).

mod exports;
mod input;
mod kept;
mod run;
mod summary;
mod table;

use std::sync::Arc;

use leptos::prelude::*;
use npm_provenance_core::audit::{AuditEntry, AuditReport, AuditVerdict};
use npm_provenance_core::lockfile::Lockfile;

/// What an audit is started with.
#[derive(Clone)]
pub struct AuditInput {
    /// The lockfile's text, shared: a large one is not copied per step.
    pub text: Arc<str>,
    pub file_name: Option<String>,
    /// The registry to audit against (the person's, or the link's once they
    /// agreed to it).
    pub registry: String,
    /// Compare each version with its package's earlier ones.
    pub compare: bool,
}

/// What a run writes and the components read (signals: `Copy`).
#[derive(Clone, Copy)]
pub struct AuditData {
    pub lockfile: RwSignal<Option<Arc<Lockfile>>>,
    pub entries: RwSignal<Vec<AuditEntry>>,
    pub done: RwSignal<usize>,
    /// Set by Cancel; each run starts with it cleared and its lanes stop on it.
    pub cancelled: RwSignal<bool>,
    /// Whether the run compared histories (the summary says what it found).
    pub compared: RwSignal<bool>,
    /// Why the lockfile is not audited (the form says it).
    pub problem: RwSignal<Option<String>>,
    /// Bumped when a run ended: the documents kept may have changed.
    pub runs_ended: RwSignal<usize>,
    pub report: Memo<Option<AuditReport>>,
    /// Package versions to check.
    pub total: Memo<usize>,
}

/// The audit's state, shared by its components: the data, and the action
/// that starts a run (its `pending` is "running").
#[derive(Clone, Copy)]
pub struct AuditState {
    pub data: AuditData,
    pub run: Action<AuditInput, ()>,
    pub verdict_filter: RwSignal<Option<AuditVerdict>>,
}

impl std::ops::Deref for AuditState {
    type Target = AuditData;
    fn deref(&self) -> &AuditData {
        &self.data
    }
}

impl AuditState {
    pub fn running(&self) -> bool {
        self.run.pending().get()
    }

    /// Every package version was checked: only then does the summary say
    /// what the audit did not find.
    pub fn complete(&self) -> bool {
        let total = self.total.get();
        total > 0 && self.done.get() >= total
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    crate::verifier::use_every_core();
    crate::verifier::warm_up();
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title("Audit a lockfile — npm provenance");
    }
    let lockfile = RwSignal::new(None::<Arc<Lockfile>>);
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let report = Memo::new(move |_| {
        let l = lockfile.get()?;
        Some(AuditReport::new(&l, entries.get()))
    });
    let total = Memo::new(move |_| lockfile.with(|l| l.as_ref().map_or(0, |l| l.packages.len())));
    let data = AuditData {
        lockfile,
        entries,
        done: RwSignal::new(0),
        cancelled: RwSignal::new(false),
        compared: RwSignal::new(false),
        problem: RwSignal::new(None),
        runs_ended: RwSignal::new(0),
        report,
        total,
    };
    let state = AuditState {
        data,
        run: Action::new_local(move |input: &AuditInput| run::audit(data, input.clone())),
        verdict_filter: RwSignal::new(None),
    };

    view! {
        <section class="audit">
            <h1>"Audit a lockfile"</h1>
            <input::Lead />
            <input::LockfileForm state=state />
            <kept::KeptDocuments state=state />
            <run::Progress state=state />
            <summary::Summary state=state />
            <table::AuditTable state=state />
        </section>
    }
}
