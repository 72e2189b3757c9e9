//! Which pages need what. The server's page guard and the navigation both
//! read this table, so a link is shown exactly when the page would open.
use crate::model::{CurrentUser, Permission};
pub use crate::url::encode_query_value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    SignedIn,
    /// The page where a forced password change happens: open to anyone
    /// signed in, even before they have changed it.
    PasswordChange,
    Needs(Permission),
}

/// Where a person who must change their password is sent.
pub const CHANGE_PASSWORD_PATH: &str = "/account/password";

/// The access rule for a page path (not for `/api`, which checks per function).
pub fn page_access(path: &str) -> Access {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    if path == "/users/new" || path == "/users/invite" {
        return Access::Needs(Permission::UsersWrite);
    }
    // As the Users page's "Import" button: the page is only for importers.
    if path == "/users/import" || path.starts_with("/users/import/") {
        return Access::Needs(Permission::UsersImport);
    }
    if path == CHANGE_PASSWORD_PATH {
        return Access::PasswordChange;
    }
    match first {
        "users" | "jobs" => Access::Needs(Permission::UsersRead),
        "requests" => Access::Needs(Permission::RequestsReview),
        "roles" => Access::Needs(Permission::RolesManage),
        "audit" => Access::Needs(Permission::AuditRead),
        "groups" => Access::Needs(Permission::GroupsManage),
        "settings" => Access::Needs(Permission::SettingsManage),
        "certificates" => Access::Needs(Permission::CertificatesManage),
        "account" => Access::SignedIn,
        _ => Access::Public,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    SignIn,
    Forbidden,
    /// Signed in, but an admin asked for a new password first.
    ChangePassword,
}

pub fn decide(access: Access, user: Option<&CurrentUser>) -> Decision {
    match (access, user) {
        (Access::Public, _) => Decision::Allow,
        (_, None) => Decision::SignIn,
        (Access::PasswordChange, Some(_)) => Decision::Allow,
        (_, Some(u)) if u.must_change_password => Decision::ChangePassword,
        (Access::SignedIn, Some(_)) => Decision::Allow,
        (Access::Needs(p), Some(u)) if u.can(p) => Decision::Allow,
        (Access::Needs(_), Some(_)) => Decision::Forbidden,
    }
}

/// `/login?next=<path>`, with the path percent-encoded.
pub fn login_url(next: &str) -> String {
    format!("/login?next={}", encode_query_value(next))
}

/// Only same-site absolute paths are accepted as a place to return to: a
/// path that a browser could read as another host (`//host`, `/\\host`,
/// `/<tab>/host`) is refused, as written and as percent-decoded, and so is
/// any control character, whitespace or backslash.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?;
    let decoded = percent_decode(next)?;
    let on_site = |s: &str| s.starts_with('/') && !s.starts_with("//");
    let raw_ok = !next
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    // Decoded, a space is a search term's; a control character or backslash
    // is nobody's.
    let decoded_ok = !decoded.chars().any(|c| c.is_control() || c == '\\');
    (on_site(next) && raw_ok && on_site(&decoded) && decoded_ok).then(|| next.to_string())
}

/// `%XX` sequences decoded (repeatedly, so `%252F` is `/` too); `None` when
/// the result is not UTF-8.
fn percent_decode(value: &str) -> Option<String> {
    let mut current = value.to_string();
    for _ in 0..3 {
        let bytes = current.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
                (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                    out.push((hex(h)? * 16 + hex(l)?) as u8);
                    i += 3;
                }
                (b, _, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        let next = String::from_utf8(out).ok()?;
        if next == current {
            break;
        }
        current = next;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(perms: Vec<Permission>) -> CurrentUser {
        CurrentUser {
            id: "1".into(),
            username: "u".into(),
            display_name: "U".into(),
            permissions: perms,
            must_change_password: false,
        }
    }

    #[test]
    fn decisions() {
        let admin = user(Permission::ALL.to_vec());
        let general = user(vec![]);
        assert_eq!(decide(page_access("/users"), None), Decision::SignIn);
        assert_eq!(
            decide(page_access("/users?page=2"), Some(&general)),
            Decision::Forbidden
        );
        assert_eq!(decide(page_access("/users"), Some(&admin)), Decision::Allow);
        assert_eq!(
            decide(page_access("/account"), Some(&general)),
            Decision::Allow
        );
        assert_eq!(decide(page_access("/login"), None), Decision::Allow);
        assert_eq!(decide(page_access("/register"), None), Decision::Allow);
        assert_eq!(
            decide(page_access("/requests/x"), Some(&general)),
            Decision::Forbidden
        );
        // Routes agree with the navigation: a reader sees the table, not
        // the pages behind the buttons they are not shown.
        let reader = user(vec![Permission::UsersRead]);
        assert_eq!(
            decide(page_access("/users"), Some(&reader)),
            Decision::Allow
        );
        for page in [
            "/users/new",
            "/users/invite",
            "/users/import",
            "/users/import/x",
        ] {
            assert_eq!(
                decide(page_access(page), Some(&reader)),
                Decision::Forbidden,
                "{page}"
            );
        }

        let forced = CurrentUser {
            must_change_password: true,
            ..admin.clone()
        };
        let to_change = Decision::ChangePassword;
        assert_eq!(decide(page_access("/users"), Some(&forced)), to_change);
        assert_eq!(decide(page_access("/account"), Some(&forced)), to_change);
        let change = page_access(CHANGE_PASSWORD_PATH);
        assert_eq!(decide(change, Some(&forced)), Decision::Allow);
        assert_eq!(decide(change, Some(&general)), Decision::Allow);
        assert_eq!(decide(change, None), Decision::SignIn);
        assert_eq!(
            decide(page_access("/login"), Some(&forced)),
            Decision::Allow
        );
    }

    #[test]
    fn next_must_stay_on_site() {
        assert_eq!(
            safe_next(Some("/users?page=2")),
            Some("/users?page=2".into())
        );
        assert_eq!(safe_next(Some("//evil.example")), None);
        for evil in [
            "/\t/evil.example",
            "/\\evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "/\n/evil.example",
            "/users\r\nSet-Cookie: x=1",
            "/ /evil.example",
            "/%252F/evil.example",
        ] {
            assert_eq!(safe_next(Some(evil)), None, "{evil:?}");
        }
        assert_eq!(
            safe_next(Some("/users?q=a%20b")),
            Some("/users?q=a%20b".into())
        );
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(login_url("/users?page=2"), "/login?next=/users%3Fpage%3D2");
    }
}
