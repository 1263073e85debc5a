//! Reading the command's inputs: files, or standard input for `-`.

use std::io::Read;
use std::path::Path;

/// Inputs larger than this are refused rather than read into memory.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Reads a file, or standard input when `path` is `-`.
pub fn read_bytes(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    let result = if path == Path::new("-") {
        std::io::stdin().take(MAX_INPUT_BYTES + 1).read_to_end(&mut data)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut data))
    };
    result.map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))?;
    if data.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "the {what} {} is larger than {MAX_INPUT_BYTES} bytes",
            path.display()
        ));
    }
    Ok(data)
}

/// Reads a UTF-8 text file, or standard input when `path` is `-`.
pub fn read_text(path: &Path, what: &str) -> Result<String, String> {
    String::from_utf8(read_bytes(path, what)?).map_err(|_| format!("the {what} {} is not UTF-8 text", path.display()))
}
