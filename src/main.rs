//! The page's entry point: mounts the app.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(npm_provenance_app::app::App);
}
