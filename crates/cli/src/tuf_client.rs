//! Trust material through TUF for `verify`, `audit` and `serve`: fetches
//! what the core's refresh steps ask for (`npm_provenance_core::tuf`),
//! keeps what verified in a cache directory, and falls back, saying so: to
//! the last verified refresh while its timestamp is valid, then to the
//! material built into this program. A failure that looks like an attack
//! (a bad signature, a rollback) is printed as a warning, never hidden.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use clap::Args;
use npm_provenance_core::tuf::{
    EMBEDDED_TUF_ROOT, SIGSTORE_TUF_URL, TrustDecision, TrustSource, TufFiles, TufState, decide, refresh_fetching,
    refresh_offline,
};
use npm_provenance_core::{RegistryKeys, TrustMaterial};

/// The TUF flags `verify`, `audit` and `serve` share.
#[derive(Args, Debug, Clone, Default)]
pub struct TufArgs {
    /// Sigstore's TUF repository (or another) to take the trusted root and npm's keys from.
    #[arg(long, value_name = "URL", default_value = SIGSTORE_TUF_URL)]
    pub tuf_url: String,
    /// The TUF root to start from, for a repository other than Sigstore's (default: Sigstore's, built in).
    #[arg(long, value_name = "FILE")]
    pub tuf_root: Option<PathBuf>,
    /// Where verified TUF metadata is kept between runs (default: ~/.cache/npm-provenance/tuf).
    #[arg(long, value_name = "DIR")]
    pub tuf_cache: Option<PathBuf>,
    /// Use the trust material built into this program; fetch nothing from TUF.
    #[arg(long)]
    pub offline: bool,
    /// A self-managed GitLab instance's OIDC issuer (its URL, e.g. https://gitlab.example.com): certificates it
    /// issued for repositories on its own host are labelled GitLab CI. Without it, an issuer that is a bare URL
    /// (Buildkite's is one) is named as itself, with no platform. Repeatable.
    #[arg(long = "gitlab-issuer", value_name = "URL")]
    pub gitlab_issuers: Vec<String>,
}

/// Seconds one TUF file may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The trust material and where it came from; `None`: the built-in material.
pub fn load(args: &TufArgs, now: i64) -> (Option<TrustMaterial>, TrustSource) {
    if args.offline {
        return (None, TrustSource::embedded("--offline"));
    }
    let root = match &args.tuf_root {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                return (
                    None,
                    TrustSource::embedded(format!("--tuf-root {}: {e}", path.display())),
                );
            }
        },
        None => EMBEDDED_TUF_ROOT.to_vec(),
    };
    let base = args.tuf_url.trim_end_matches('/').to_string();
    let public_good = base == SIGSTORE_TUF_URL && args.tuf_root.is_none();
    let cache = Cache::new(args.tuf_cache.clone(), &base);
    let state = cache.as_ref().map(Cache::state).unwrap_or_default();
    let cached = cache.as_ref().map(Cache::files).unwrap_or_default();

    let mut kept = TufFiles::new();
    for (path, bytes) in cached {
        kept.insert(&path, Some(bytes));
    }
    let (decision, keep) = match fetch_and_refresh(&base, &root, &kept, &state, now) {
        Ok(done) => done,
        Err(e) => (
            decide(&base, Err(e), || refresh_offline(&root, &kept, &state, now)),
            None,
        ),
    };
    if let Some(warning) = &decision.warning {
        eprintln!("npm-provenance: WARNING: {warning}");
    }
    let Some(targets) = decision.targets else {
        return (None, decision.source);
    };
    match TrustMaterial::from_tuf(&targets, public_good) {
        Ok(material) => {
            if let (Some(c), Some(files)) = (&cache, &keep) {
                c.save(files, &targets.state);
            }
            (Some(material), decision.source)
        }
        Err(e) => (
            None,
            TrustSource::embedded(format!("the TUF repository's targets are unusable: {e}")),
        ),
    }
}

/// The core's refresh with this program's HTTP client.
fn fetch_and_refresh(
    base: &str,
    root: &[u8],
    kept: &TufFiles,
    state: &TufState,
    now: i64,
) -> Result<(TrustDecision, Option<TufFiles>), String> {
    crate::registry::install_tls();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("npm-provenance/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(runtime.block_on(refresh_fetching(base, root, kept, state, now, |need| {
        let (client, url) = (&client, format!("{base}/{}", need.path));
        async move { get(client, &url, need.max_bytes).await }
    })))
}

/// One file: `None` for a 404; at most `max_bytes` read.
async fn get(client: &reqwest::Client, url: &str, max_bytes: u64) -> Result<Option<Vec<u8>>, String> {
    let mut response = client.get(url).send().await.map_err(|e| format!("{url}: {e}"))?;
    match response.status().as_u16() {
        404 | 403 => return Ok(None),
        200..=299 => {}
        status => return Err(format!("{url}: HTTP {status}")),
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        body.extend_from_slice(&chunk);
        if body.len() as u64 > max_bytes {
            // Kept, so the core refuses it by its limit, with its words.
            break;
        }
    }
    Ok(Some(body))
}

/// The cache: files as fetched and the trusted state, per repository URL.
struct Cache {
    dir: PathBuf,
}

impl Cache {
    fn new(dir: Option<PathBuf>, base: &str) -> Option<Self> {
        let dir = dir.or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|b| b.join("npm-provenance").join("tuf"))
        })?;
        use sha2::Digest as _;
        let key = hex::encode(&sha2::Sha256::digest(base.as_bytes())[..8]);
        Some(Self { dir: dir.join(key) })
    }

    fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(dir), std::fs::read(&path))
                    && let Some(rel) = rel.to_str()
                    && bytes.len() <= 4 << 20
                {
                    out.push((rel.replace('\\', "/"), bytes));
                }
            }
        }
        out
    }

    fn files(&self) -> Vec<(String, Vec<u8>)> {
        Self::read_tree(&self.dir.join("files"))
    }

    fn state(&self) -> TufState {
        Self::read_tree(&self.dir.join("state")).into_iter().collect()
    }

    /// Writes what verified; paths that could leave the directory are skipped.
    fn save(&self, files: &TufFiles, state: &TufState) {
        let write = |sub: &str, name: &str, bytes: &[u8]| {
            let rel = Path::new(name);
            if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
                return;
            }
            let path = self.dir.join(sub).join(rel);
            if let Some(parent) = path.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let tmp = path.with_extension("tmp");
            if std::fs::write(&tmp, bytes).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        };
        for (name, bytes) in files.files() {
            write("files", name, bytes);
        }
        for (name, bytes) in state {
            write("state", name, bytes);
        }
    }
}

/// The trust for a command: a trusted root given on the command line
/// (`configured`), else TUF's, else the built-in; `keys` (a keys document)
/// is added to npm's keys either way.
pub fn trust_for(
    tuf: &TufArgs,
    trusted_root: Option<&str>,
    keys_document: Option<&str>,
) -> Result<(TrustMaterial, TrustSource), String> {
    let gitlab = tuf.gitlab_issuers.clone();
    if trusted_root.is_some() {
        let keys = RegistryKeys::npm_and(keys_document).map_err(|e| format!("--keys: {e}"))?;
        return Ok((
            TrustMaterial::from_optional_root(trusted_root, keys)?.with_gitlab_issuers(gitlab),
            TrustSource::configured(),
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (material, source) = load(tuf, now);
    let material = material.unwrap_or_else(TrustMaterial::public_good);
    let mut keys = material.registry_keys().clone();
    if let Some(doc) = keys_document {
        keys.add_keys_document(doc).map_err(|e| format!("--keys: {e}"))?;
    }
    Ok((material.with_registry_keys(keys).with_gitlab_issuers(gitlab), source))
}
