//! The base a lockfile's change is compared with: another lockfile, or the
//! same lockfile at a git ref (the pull request's target), read with git
//! itself so that every ref form git knows works (`origin/main`, a sha,
//! `HEAD~1`), and the files beside it (the package manager's policy).

use std::path::{Path, PathBuf};
use std::process::Command;

use npm_provenance_core::lockfile::MAX_LOCKFILE_BYTES;

/// Where the base comes from.
#[derive(Debug, Clone)]
pub enum Base {
    /// Another lockfile.
    File(PathBuf),
    /// A commit of the repository the lockfile is in.
    Git {
        /// The lockfile's folder, where git runs (paths are `./`-relative to it).
        dir: PathBuf,
        /// The commit, resolved once (a ref that moves while this runs is not read twice).
        commit: String,
    },
}

impl Base {
    /// `given` is a file when one exists at that path, else a git ref
    /// that must name a commit of the lockfile's repository.
    pub fn resolve(given: &str, lockfile: &Path) -> Result<Base, String> {
        if Path::new(given).is_file() {
            return Ok(Base::File(PathBuf::from(given)));
        }
        let dir = folder_of(lockfile);
        let out = git(&dir)
            .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
            .arg(format!("{given}^{{commit}}"))
            .output()
            .map_err(|e| format!("--base {given:?}: no such file, and git could not run: {e}"))?;
        let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || commit.is_empty() || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "--base {given:?}: neither a file nor a commit of the repository at {} (fetch it first, e.g. \
                 `git fetch origin {given}`, or check out with fetch-depth: 0)",
                dir.display()
            ));
        }
        Ok(Base::Git { dir, commit })
    }

    /// How reports name it.
    pub fn label(&self, given: &str) -> String {
        match self {
            Base::File(_) => given.to_string(),
            Base::Git { commit, .. } => format!("{given} ({})", commit.get(..12).unwrap_or(commit)),
        }
    }

    /// The base's lockfile: the file, or the lockfile's path at the commit
    /// (`None` when the commit has no such file: everything is new).
    pub fn lockfile(&self, lockfile: &Path) -> Result<Option<String>, String> {
        match self {
            Base::File(path) => crate::input::read_text(path, "base lockfile").map(Some),
            Base::Git { .. } => {
                let name = lockfile
                    .file_name()
                    .and_then(|n| n.to_str())
                    .ok_or_else(|| format!("{}: not a file name", lockfile.display()))?;
                self.file_at_commit(name)
            }
        }
    }

    /// A file beside the lockfile at the commit (`None` when absent or the
    /// base is a file, whose folder says nothing about the project's policy).
    pub fn file_at_commit(&self, name: &str) -> Result<Option<String>, String> {
        let Base::Git { dir, commit } = self else {
            return Ok(None);
        };
        let object = format!("{commit}:./{name}");
        let size = git(dir).args(["cat-file", "-s", &object]).output();
        let size = match size {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().parse::<usize>().ok(),
            _ => return Ok(None),
        };
        if size.is_none_or(|s| s > MAX_LOCKFILE_BYTES) {
            return Err(format!(
                "{name} at {commit}: larger than {MAX_LOCKFILE_BYTES} bytes, or its size unreadable"
            ));
        }
        let out = git(dir)
            .args(["cat-file", "blob", &object])
            .output()
            .map_err(|e| format!("{name} at {commit}: git could not run: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{name} at {commit}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        String::from_utf8(out.stdout)
            .map(Some)
            .map_err(|_| format!("{name} at {commit} is not UTF-8 text"))
    }
}

/// The lockfile's path as a repository names it (relative to the top of
/// its git work tree), for annotations and code scanning; as given when it
/// is in no repository.
pub fn repository_path(lockfile: &Path) -> String {
    let name = lockfile.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let prefix = git(&folder_of(lockfile))
        .args(["rev-parse", "--show-prefix"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match prefix {
        Some(prefix) if !name.is_empty() => format!("{prefix}{name}"),
        _ => lockfile.display().to_string().trim_start_matches("./").to_string(),
    }
}

fn folder_of(lockfile: &Path) -> PathBuf {
    match lockfile.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// git in `dir`, reading no configuration that could run programs
/// (a repository's own hooks or filters never run for these read-only
/// commands; `cat-file blob` applies no filters).
fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0");
    command
}
