//! Key files of a data directory: the school's root key (offline in real life), the archive key
//! (online), and the school's public key. Secret keys are written with mode 0600.

use ed25519_dalek::SigningKey;
use shared::primitives::PublicKey;
use std::io::Write;
use std::path::Path;

/// File name of the school's root secret key.
pub const ROOT_KEY: &str = "school.key";
/// File name of the archive's secret key.
pub const ARCHIVE_KEY: &str = "archive.key";
/// File name of the admin API's bearer token; without it the admin API is closed.
pub const ADMIN_TOKEN: &str = "admin.token";
/// File name of the school's public key (hex), the one thing an auditor needs.
pub const SCHOOL_PUBLIC_KEY: &str = "school.pub";

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file does not hold 64 hex digits.
    #[error("{path}: expected one line of 64 lowercase hex digits")]
    Malformed {
        /// The file.
        path: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io { path: path.display().to_string(), source }
}

/// Writes a new secret key file that only its owner can read; refuses to overwrite one.
pub fn write_secret(path: &Path, key: &SigningKey) -> Result<(), KeyFileError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io(path))?;
    writeln!(file, "{}", hex::encode(key.to_bytes())).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Writes a new random admin token (mode 0600) and returns it.
pub fn write_admin_token(path: &Path, rng: &mut impl rand_core::CryptoRngCore) -> Result<String, KeyFileError> {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io(path))?;
    writeln!(file, "{token}").map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    Ok(token)
}

/// Reads a secret key file.
pub fn read_secret(path: &Path) -> Result<SigningKey, KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let malformed = || KeyFileError::Malformed { path: path.display().to_string() };
    let seed: [u8; 32] = hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(malformed)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a public key file (or the key written out directly as hex).
pub fn read_public(path_or_hex: &str) -> Result<PublicKey, KeyFileError> {
    if let Ok(key) = PublicKey::from_hex(path_or_hex.trim()) {
        return Ok(key);
    }
    let path = Path::new(path_or_hex);
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    PublicKey::from_hex(text.trim()).map_err(|_| KeyFileError::Malformed { path: path_or_hex.to_owned() })
}
