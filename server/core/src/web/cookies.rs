//! The session cookie: HttpOnly, SameSite=Lax, and `Secure` with the
//! `__Host-` prefix when served over HTTPS.
pub const PLAIN_NAME: &str = "usher_session";
pub const SECURE_NAME: &str = "__Host-usher_session";

/// A `Set-Cookie` value; `token: None` clears the cookie.
pub fn session(token: Option<&str>, secure: bool, max_age_secs: i64) -> String {
    let name = if secure { SECURE_NAME } else { PLAIN_NAME };
    let mut value = format!(
        "{name}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        token.unwrap_or(""),
        if token.is_some() { max_age_secs } else { 0 }
    );
    if secure {
        value.push_str("; Secure");
    }
    value
}

/// The session token in a `Cookie` header. Over HTTPS only the `__Host-`
/// name counts: a plain-named cookie may have been planted by a sibling
/// host or over plain HTTP (session fixation).
pub fn read_token(header: &str, secure: bool) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        let ours = if secure {
            name == SECURE_NAME
        } else {
            matches!(name, PLAIN_NAME | SECURE_NAME)
        };
        (ours && !value.is_empty()).then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        let plain = session(Some("abc"), false, 60);
        assert_eq!(
            plain,
            "usher_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        let secure = session(Some("abc"), true, 60);
        assert!(secure.starts_with("__Host-usher_session=abc;") && secure.ends_with("; Secure"));
        assert!(session(None, false, 60).contains("Max-Age=0"));
    }

    #[test]
    fn reads_either_name_but_only_the_prefixed_one_over_https() {
        assert_eq!(
            read_token("a=1; usher_session=xyz", false),
            Some("xyz".into())
        );
        assert_eq!(
            read_token("__Host-usher_session=q", false),
            Some("q".into())
        );
        assert_eq!(read_token("usher_session=", false), None);
        assert_eq!(read_token("other=1", false), None);
        assert_eq!(read_token("usher_session=planted", true), None);
        assert_eq!(
            read_token("usher_session=planted; __Host-usher_session=q", true),
            Some("q".into())
        );
    }
}
