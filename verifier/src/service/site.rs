//! The static site (`--www`, the demo school's pages). Two lines of defence keep the data
//! directory's secrets off the web: `verifier serve` refuses a site folder that overlaps the data
//! directory ([`refuse_overlap`]), and whatever the folder, names that are keys, tokens, the
//! database or dotfiles are never served ([`hide_secrets`]).
//!
//! Files are sent as `cargo xtask` left them: a file's `.br` or `.gz` twin when the browser
//! accepts that encoding ([`files`]), and cached by what its name promises ([`cache_policy`]).

use crate::archive::{DATABASE, LEDGER};
use crate::keys;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::path::Path;
use tower_http::services::ServeDir;

/// Hex digits of the content hash `cargo xtask` puts in a file name (`name.<hash>.ext`): 64
/// bits, plenty to tell releases apart.
pub const HASH_DIGITS: usize = 16;

/// The site's files, each sent precompressed (brotli before gzip) when the browser accepts it
/// and a twin is there; media types follow the extension (`.wasm` is `application/wasm`, which
/// lets the browser compile the widget while it downloads).
pub fn files(www: &Path) -> ServeDir {
    ServeDir::new(www).precompressed_br().precompressed_gzip()
}

/// Middleware after the site's files: a name with a content hash never changes what it holds,
/// so a browser keeps it a year without asking; any other file (the pages, the widget's loader)
/// is checked again on every visit, so a new release reaches families at once. Every answer
/// says that it varies with `Accept-Encoding`, so that no cache hands brotli to a browser that
/// asked for gzip.
pub async fn cache_policy(request: Request, next: Next) -> Response {
    let immutable = names_its_content(request.uri().path());
    let mut response = next.run(request).await;
    let policy =
        if immutable && response.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether the last segment of `path` is `name.<HASH_DIGITS hex digits>.ext`.
fn names_its_content(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let mut parts = file.rsplit('.');
    let (_extension, hash, stem) = (parts.next(), parts.next(), parts.next());
    matches!((hash, stem), (Some(hash), Some(stem))
        if !stem.is_empty() && hash.len() == HASH_DIGITS && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

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

#[cfg(test)]
mod tests {
    use super::names_its_content;

    #[test]
    fn only_a_name_with_a_content_hash_is_cached_for_ever() {
        assert!(names_its_content("/widget/consent_widget_bg.0123456789abcdef.wasm"));
        assert!(names_its_content("/widget/consent-widget.0123456789abcdef.css"));
        assert!(!names_its_content("/widget/consent-widget.js"));
        assert!(!names_its_content("/widget/consent_widget_bg.0123456789abcde.wasm"));
        assert!(!names_its_content("/widget/consent_widget_bg.0123456789abcdeg.wasm"));
        assert!(!names_its_content("/widget/0123456789abcdef.wasm"));
        assert!(!names_its_content("/consent.html"));
    }
}
