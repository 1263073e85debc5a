//! Lets the wasm tests know whether the shared fixtures were found at build
//! time (they are embedded, since the browser cannot read files).
fn main() {
    println!("cargo:rerun-if-env-changed=NPM_PROVENANCE_FIXTURES");
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = std::env::var_os("NPM_PROVENANCE_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../shared/fixtures"));
    if dir.join("README.md").is_file() {
        println!("cargo:rustc-cfg=fixtures_available");
    }
}
