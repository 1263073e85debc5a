//! Helpers the test files share; each uses its own part.
#![allow(dead_code)]

pub mod assertions;
pub mod conformance;
pub mod documents;
#[cfg(not(target_arch = "wasm32"))]
pub mod kit;
pub mod peers;
