//! The lockfile reader's entry point (see `npm_provenance_app::worker::run_lockfile_reader`).
fn main() {
    npm_provenance_app::worker::run_lockfile_reader();
}
