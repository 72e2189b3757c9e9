//! How times are shown: every table and page uses the same short form.

/// "2026-11-27T23:50:31Z" → "2026-11-27 23:50" (UTC).
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}
