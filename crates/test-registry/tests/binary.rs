//! The `test-registry` binary as the end-to-end tests start it: it prints
//! its URL on the first line and serves the fixtures there. (Being an
//! integration test of this package, this also makes `cargo test` build the
//! binary, with the features of the test build, where `tests/e2e` finds it:
//! `make test` needs no second build.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn prints_its_url_and_serves_a_package_document() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_test-registry"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("test-registry starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_string();
    let reply = (|| {
        let host = url.strip_prefix("http://")?.trim_end_matches('/');
        let mut stream = TcpStream::connect(host).ok()?;
        write!(
            stream,
            "GET /sigstore HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply).ok()?;
        Some(reply)
    })();
    child.kill().ok();
    child.wait().ok();
    let reply = reply.unwrap_or_else(|| panic!("no answer from {url:?}"));
    assert!(reply.starts_with("HTTP/1.1 200"), "{}", &reply[..reply.len().min(200)]);
    assert!(
        reply.contains("\"name\":\"sigstore\""),
        "the package document of sigstore"
    );
}
