//! The static site (`--www`, the demo school's pages). Two lines of defence keep the data
//! directory's secrets off the web: `verifier serve` refuses a site folder that overlaps the data
//! directory ([`refuse_overlap`]), and whatever the folder, names that are keys, tokens, the
//! database or dotfiles are never served ([`hide_secrets`]).

use crate::archive::{DATABASE, LEDGER};
use crate::keys;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::path::Path;

/// Refuses a site folder that equals, contains or lies inside the data directory: it would serve
/// the root key, the admin token and the archive. Paths are compared canonicalized, so that
/// symbolic links and `..` cannot hide an overlap.
pub fn refuse_overlap(www: &Path, data: &Path) -> Result<(), String> {
    let site = www.canonicalize().map_err(|e| format!("--www {}: {e}", www.display()))?;
    // A data directory that does not exist holds nothing to leak; opening it fails later, clearly.
    let Ok(data) = data.canonicalize() else { return Ok(()) };
    if site.starts_with(&data) || data.starts_with(&site) {
        return Err(format!(
            "--www {} overlaps the data directory {}: it would serve the school's keys, admin token and \
             archive; serve a folder outside it",
            site.display(),
            data.display()
        ));
    }
    Ok(())
}

/// Middleware before the site's files: 404 for any path with a segment that names a secret key
/// (`*.key`), the admin token, the database (`archive.sqlite*`), the log ledger or a dotfile, as the file server
/// would decode it (percent-decoded, and case-insensitively, for file systems that ignore case).
pub async fn hide_secrets(request: Request, next: Next) -> Response {
    let path = percent_encoding::percent_decode_str(request.uri().path()).decode_utf8_lossy().to_lowercase();
    if path.split(['/', '\\']).any(is_secret) {
        return super::not_found().await.into_response();
    }
    next.run(request).await
}

fn is_secret(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with(".key")
        || name == keys::ADMIN_TOKEN
        || name.starts_with(DATABASE)
        || name == LEDGER
}
