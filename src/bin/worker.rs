//! The verification worker's entry point (see `npm_provenance_app::worker`).
fn main() {
    npm_provenance_app::worker::run();
}
