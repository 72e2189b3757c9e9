//! Server functions have no CSRF protection of their own: every request that
//! is not GET/HEAD/OPTIONS must come from our own origin.
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use usher_core::state::AppState;

pub async fn origin_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text(header::HOST.as_str());
    let allowed = is_same_origin(
        text("sec-fetch-site"),
        text(header::ORIGIN.as_str()),
        host,
        state.config.public_url.as_deref(),
    );
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(origin = ?text("origin"), "cross-origin request refused");
        (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response()
    }
}

/// Browsers send `Sec-Fetch-Site` (modern) or `Origin` on every POST; a
/// request with neither is not from a browser and cannot ride its cookies.
pub fn is_same_origin(
    fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
    public_url: Option<&str>,
) -> bool {
    if let Some(site) = fetch_site {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = origin else {
        return true;
    };
    if public_url.is_some_and(|p| p.trim_end_matches('/') == origin) {
        return true;
    }
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o == h)
}

#[cfg(test)]
mod tests {
    use super::is_same_origin;

    #[test]
    fn decisions() {
        assert!(is_same_origin(Some("same-origin"), None, None, None));
        assert!(!is_same_origin(
            Some("cross-site"),
            Some("http://127.0.0.1:3000"),
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(!is_same_origin(Some("same-site"), None, None, None));
        assert!(is_same_origin(
            None,
            Some("http://127.0.0.1:3000"),
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(!is_same_origin(
            None,
            Some("http://evil.example"),
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(is_same_origin(
            None,
            Some("https://usher.example"),
            Some("10.0.0.5:3000"),
            Some("https://usher.example/")
        ));
        assert!(is_same_origin(None, None, Some("127.0.0.1:3000"), None));
    }
}
