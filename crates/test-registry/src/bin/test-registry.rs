//! `test-registry [--port N]`: serves the shared fixtures as an npm registry
//! until killed. Prints its URL on the first line, for test harnesses.

fn main() {
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).expect("--port N"),
            other => {
                eprintln!("test-registry: unknown argument {other:?}; usage: test-registry [--port N]");
                std::process::exit(2);
            }
        }
    }
    let Some(dir) = npm_provenance_fixtures::require("test-registry") else {
        eprintln!("test-registry: no fixtures; set NPM_PROVENANCE_FIXTURES");
        std::process::exit(2);
    };
    let running = test_registry::spawn(&dir, port);
    println!("{}", running.url(""));
    loop {
        std::thread::park();
    }
}
