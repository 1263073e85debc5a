//! The browser app: package pages with a verified provenance panel, version
//! history, the bundle inspector.
//!
//! Layout, after Leptos' examples: [`api`] talks to the registry, [`pages`]
//! holds one module per page, [`components`] the pieces pages share, and
//! [`verifier`] hands verification to Web Workers ([`worker`] is what runs in
//! them, [`protocol`] what they and the page exchange).

pub mod api;
pub mod app;
pub mod components;
pub mod format;
pub mod pages;
pub mod protocol;
pub mod settings;
pub mod spec;
pub mod verifier;
pub mod worker;
