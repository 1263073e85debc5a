//! The browser app: package pages with a verified provenance panel, version
//! history, the bundle inspector.
//!
//! Layout, after Leptos' examples: [`api`] talks to the registry, [`pages`]
//! holds one module per page, [`components`] the pieces pages share, and
//! [`verifier`] hands verification to Web Workers ([`protocol`] is what they
//! exchange; the worker itself is `src/bin/worker.rs`).

pub mod api;
pub mod app;
pub mod components;
pub mod format;
pub mod pages;
pub mod protocol;
pub mod settings;
pub mod spec;
pub mod verifier;
pub mod webcrypto;
