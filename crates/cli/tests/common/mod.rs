//! Helpers the test files share; each uses its own part.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use npm_provenance_fixtures as fx;

pub const BIN: &str = env!("CARGO_BIN_EXE_npm-provenance");

/// How long a test waits for an answer, or for something to happen, before
/// it fails saying the server hung. Far beyond what any answer takes on a
/// loaded machine: a guard against hanging the test run, not a bound on speed.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

/// reqwest here is built without a TLS provider of its own (as the binary's is).
pub fn tls() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The test registry over the real fixtures, on a port of its choosing.
pub fn registry() -> test_registry::Running {
    test_registry::spawn(&fx::dir(), 0)
}

/// A command's standard output read as JSON (its standard error in the message if not).
pub fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)))
}

/// The real binary's `serve`, on a port of its choosing; killed when dropped.
pub struct Served {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Every line the server wrote to its standard error so far.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Served {
    /// `npm-provenance serve --port 0` with `args`, once it printed its URL.
    pub fn start(args: &[String]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// The same, with these environment variables set.
    pub fn start_with_env(args: &[String], env: &[(&str, &str)]) -> Self {
        tls();
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("the server printed its URL").unwrap();
            log.lock().unwrap().push(line.clone());
            // `url=http://...` (text) or `"url":"http://..."` (JSON).
            let at = ["\"url\":\"", "url="]
                .iter()
                .find_map(|key| line.find(key).map(|i| i + key.len()));
            if let Some(i) = at.filter(|i| line[*i..].starts_with("http://127.0.0.1:")) {
                break line[i..]
                    .split(|c: char| c.is_whitespace() || c == '"')
                    .next()
                    .unwrap()
                    .to_string();
            }
        };
        // Keep draining stderr so the server never blocks on it.
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Served { child, base, log }
    }

    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// The lines logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server sent on `stream` until it closed it (a reset counts as
/// closed). Fails if the server kept it open for [`HANG_GUARD`].
pub fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("the server kept the connection open for {HANG_GUARD:?}")
            }
            Err(_) => return got,
        }
    }
}
