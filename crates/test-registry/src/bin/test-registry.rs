//! `test-registry [--port N]`: serves the fixtures (tests/fixtures) as an npm registry
//! until killed. Prints its URL on the first line, for test harnesses.
//! `test-registry --write-fuzz-seeds DIR` writes the documents it would
//! serve as seeds for the fuzz targets, and exits.

fn main() {
    let mut port = 0u16;
    let mut seeds_dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).expect("--port N"),
            "--write-fuzz-seeds" => {
                seeds_dir = Some(std::path::PathBuf::from(args.next().expect("--write-fuzz-seeds DIR")))
            }
            other => {
                eprintln!(
                    "test-registry: unknown argument {other:?}; usage: test-registry [--port N | --write-fuzz-seeds DIR]"
                );
                std::process::exit(2);
            }
        }
    }
    let dir = npm_provenance_fixtures::dir();
    if let Some(out) = seeds_dir {
        let data = test_registry::Data::load(&dir);
        match data.write_fuzz_seeds(&out) {
            Ok(n) => println!("wrote {n} seeds to {}", out.display()),
            Err(e) => {
                eprintln!("test-registry: cannot write seeds to {}: {e}", out.display());
                std::process::exit(2);
            }
        }
        return;
    }
    let running = test_registry::spawn(&dir, port);
    println!("{}", running.url(""));
    loop {
        std::thread::park();
    }
}
