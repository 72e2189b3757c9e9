//! Security and caching headers on every response, and the per-request CSP
//! nonce that the page's inline hydration script carries.
use app::ssr::CspNonce;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::{engine::general_purpose::STANDARD, Engine};
use rand_core::{OsRng, RngCore};

pub async fn security_headers(
    axum::extract::State(state): axum::extract::State<usher_core::state::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    // Browsers keep to HTTPS once told so over HTTPS (they ignore the header
    // over plain HTTP): whenever the public URL or this connection is https.
    let https = state.config.secure_cookies()
        || req
            .extensions()
            .get::<crate::pki::https::TlsPeer>()
            .is_some();
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let nonce = STANDARD.encode(bytes);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = req.uri().path().to_string();

    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_policy(&path)),
        );
    }
    res
}

/// Files under `/pkg` carry a content hash in their names, so they can be
/// cached for a year; other files for an hour; pages and API answers never.
pub fn cache_policy(path: &str) -> &'static str {
    if path.starts_with("/pkg/") {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/api/") || !is_file(path) {
        "no-store"
    } else {
        "public, max-age=3600"
    }
}

/// A path naming a static file: the built assets under `/pkg/`, or a file
/// of `public/` at the root (`/favicon.svg`). Pages may contain dots too
/// (`/users/jane.doe`), so only these two places count.
pub fn is_file(path: &str) -> bool {
    if path.starts_with("/pkg/") {
        return true;
    }
    let rest = path.trim_start_matches('/');
    !rest.contains('/') && rest.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caching() {
        assert_eq!(
            cache_policy("/pkg/usher.abc123.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_policy("/favicon.svg"), "public, max-age=3600");
        assert_eq!(cache_policy("/users"), "no-store");
        assert_eq!(cache_policy("/users/jane.doe"), "no-store");
        assert!(!is_file("/users/jane.doe"));
        assert!(is_file("/favicon.svg"));
        assert_eq!(cache_policy("/api/login"), "no-store");
    }
}
