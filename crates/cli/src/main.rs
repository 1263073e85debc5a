//! `npm-provenance`: verify npm package provenance from the command line
//! (`verify`, `audit` for a whole lockfile), and serve the web app with
//! README badges (`serve`).

use clap::{Parser, Subcommand};
use npm_provenance::{audit_cmd, exit, serve, static_cmd, verify_cmd};

#[derive(Parser)]
#[command(
    name = "npm-provenance",
    version,
    about = "Check where an npm package came from: verify its Sigstore provenance and registry signatures",
    after_help = "Exit status of verify: 0 verified, 1 rejected (a check failed or there is no provenance), 2 unusable input or usage.\n\
        Exit status of audit: 0 no package failed, 1 a package failed or could not be checked, 2 unusable lockfile or usage."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a registry attestations response or a single Sigstore bundle.
    Verify(Box<verify_cmd::VerifyArgs>),
    /// Verify the provenance of every package a lockfile installs.
    Audit(audit_cmd::AuditArgs),
    /// Serve the web app, README badges and the verification API.
    Serve(serve::ServeArgs),
    /// Write the web app as files for a static host.
    Static(static_cmd::StaticArgs),
}

fn main() -> std::process::ExitCode {
    // Before anything verifies: the core installs its pure-Rust provider on
    // first use, and the first one installed is the one used.
    let _ = sigstore_crypto::install_default_provider(sigstore_crypto::aws_lc_provider());
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage_error = e.use_stderr();
            let _ = e.print();
            return std::process::ExitCode::from(if usage_error { exit::UNUSABLE } else { exit::VERIFIED });
        }
    };
    let code = match cli.command {
        Command::Verify(args) => verify_cmd::run(*args),
        Command::Audit(args) => audit_cmd::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Static(args) => static_cmd::run(args),
    };
    std::process::ExitCode::from(code)
}
