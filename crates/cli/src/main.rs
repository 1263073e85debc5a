//! `npm-provenance`: verify npm package provenance from the command line
//! (`verify`), and serve the web app with README badges (`serve`).
//!
//! A thin layer of argument parsing over `npm-provenance-core`.

mod input;
mod render;
mod verify_cmd;

use clap::{Parser, Subcommand};

/// Exit status: the documented contract for scripts and CI pipelines.
pub mod exit {
    /// Every check passed.
    pub const VERIFIED: u8 = 0;
    /// Verification ran and did not succeed (a check failed, or no provenance).
    pub const REJECTED: u8 = 1;
    /// The input could not be used (missing, unreadable, malformed, bad flags).
    pub const UNUSABLE: u8 = 2;
}

#[derive(Parser)]
#[command(
    name = "npm-provenance",
    version,
    about = "Check where an npm package came from: verify its Sigstore provenance and registry signatures",
    after_help = "Exit status: 0 verified, 1 rejected (a check failed or there is no provenance), 2 unusable input or usage."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a registry attestations response or a single Sigstore bundle.
    Verify(verify_cmd::VerifyArgs),
}

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage_error = e.use_stderr();
            let _ = e.print();
            return std::process::ExitCode::from(if usage_error { exit::UNUSABLE } else { exit::VERIFIED });
        }
    };
    let code = match cli.command {
        Command::Verify(args) => verify_cmd::run(args),
    };
    std::process::ExitCode::from(code)
}
