//! The `npm-provenance` program as a library: the `verify` command and the
//! `serve` HTTP server (app hosting, README badges, verification API), over
//! `npm-provenance-core`.

pub mod audit_cmd;
pub mod base;
pub mod gate_cmd;
pub mod gate_output;
pub mod input;
pub mod lookup;
pub mod registry;
pub mod render;
pub mod serve;
pub mod static_cmd;
pub mod tuf_client;
pub mod verify_cmd;

/// Exit status: the documented contract for scripts and CI pipelines.
pub mod exit {
    /// Every check passed.
    pub const VERIFIED: u8 = 0;
    /// Verification ran and did not succeed (a check failed, or no provenance).
    pub const REJECTED: u8 = 1;
    /// The input could not be used (missing, unreadable, malformed, bad flags).
    pub const UNUSABLE: u8 = 2;
}
