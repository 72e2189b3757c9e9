//! The users table's state as it lives in the URL query: search, filters,
//! sort and page. The page and the server parse it with the same code.
use serde::{Deserialize, Serialize};

use super::page::PAGE_SIZES;
use super::UserStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Username,
    Name,
    Email,
    Phone,
    Role,
    Status,
    TwoFactor,
    LastLogin,
    Created,
}

impl SortKey {
    pub const ALL: [SortKey; 9] = [
        SortKey::Username,
        SortKey::Name,
        SortKey::Email,
        SortKey::Phone,
        SortKey::Role,
        SortKey::Status,
        SortKey::TwoFactor,
        SortKey::LastLogin,
        SortKey::Created,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Username => "username",
            SortKey::Name => "name",
            SortKey::Email => "email",
            SortKey::Phone => "phone",
            SortKey::Role => "role",
            SortKey::Status => "status",
            SortKey::TwoFactor => "2fa",
            SortKey::LastLogin => "last_login",
            SortKey::Created => "created",
        }
    }

    pub fn parse(value: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginFilter {
    Never,
    Ever,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    Internal,
    External,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Internal => "internal",
            Origin::External => "external",
        }
    }

    pub fn parse(value: &str) -> Option<Origin> {
        match value {
            "internal" => Some(Origin::Internal),
            "external" => Some(Origin::External),
            _ => None,
        }
    }
}

/// Where the page starts: a page number, plus (when following Next or
/// Previous) the `seq` of the row next to it, so deep pages are keyset reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cursor {
    After(i64),
    Before(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserQuery {
    pub search: String,
    pub status: Option<UserStatus>,
    pub role: Option<String>,
    pub group: Option<String>,
    pub two_factor: Option<bool>,
    pub login: Option<LoginFilter>,
    /// Not logged in for at least this many days (never counts).
    pub idle_days: Option<u32>,
    pub origin: Option<Origin>,
    /// `YYYY-MM-DD`, inclusive, in UTC.
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub page: u64,
    pub per_page: u64,
    pub cursor: Option<Cursor>,
}

impl Default for UserQuery {
    fn default() -> Self {
        Self {
            search: String::new(),
            status: None,
            role: None,
            group: None,
            two_factor: None,
            login: None,
            idle_days: None,
            origin: None,
            created_from: None,
            created_to: None,
            sort: SortKey::Username,
            descending: false,
            page: 1,
            per_page: PAGE_SIZES[0],
            cursor: None,
        }
    }
}

fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

impl UserQuery {
    /// Reads the URL query; unknown or malformed values fall back to defaults.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = UserQuery::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "q" => q.search = value.chars().take(100).collect(),
                "status" => q.status = UserStatus::parse(value),
                "role" => q.role = Some(value.to_string()),
                "group" => q.group = Some(value.to_string()),
                "2fa" => {
                    q.two_factor = match value {
                        "on" => Some(true),
                        "off" => Some(false),
                        _ => None,
                    }
                }
                "login" => {
                    q.login = match value {
                        "never" => Some(LoginFilter::Never),
                        "ever" => Some(LoginFilter::Ever),
                        _ => None,
                    }
                }
                "idle" => q.idle_days = value.parse().ok().filter(|d| *d > 0 && *d <= 36_500),
                "origin" => q.origin = Origin::parse(value),
                "from" if is_date(value) => q.created_from = Some(value.to_string()),
                "to" if is_date(value) => q.created_to = Some(value.to_string()),
                "sort" => q.sort = SortKey::parse(value).unwrap_or_default(),
                "dir" => q.descending = value == "desc",
                "page" => q.page = value.parse().unwrap_or(1).max(1),
                "per_page" => {
                    q.per_page = value
                        .parse()
                        .ok()
                        .filter(|p| PAGE_SIZES.contains(p))
                        .unwrap_or(PAGE_SIZES[0])
                }
                "after" => q.cursor = value.parse().ok().map(Cursor::After),
                "before" => q.cursor = value.parse().ok().map(Cursor::Before),
                _ => {}
            }
        }
        q
    }

    pub fn parse(query_string: &str) -> Self {
        let pairs = query_pairs(query_string);
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The filters without paging: what "all matching" means for mass actions.
    pub fn filters_only(&self) -> Self {
        Self {
            page: 1,
            cursor: None,
            ..self.clone()
        }
    }

    /// The URL query for this state (defaults left out).
    pub fn to_query_string(&self) -> String {
        let mut parts: Vec<(&str, String)> = Vec::new();
        if !self.search.is_empty() {
            parts.push(("q", self.search.clone()));
        }
        if let Some(s) = self.status {
            parts.push(("status", s.as_str().into()));
        }
        if let Some(r) = &self.role {
            parts.push(("role", r.clone()));
        }
        if let Some(g) = &self.group {
            parts.push(("group", g.clone()));
        }
        if let Some(t) = self.two_factor {
            parts.push(("2fa", if t { "on" } else { "off" }.into()));
        }
        if let Some(l) = self.login {
            parts.push((
                "login",
                if l == LoginFilter::Never {
                    "never"
                } else {
                    "ever"
                }
                .into(),
            ));
        }
        if let Some(d) = self.idle_days {
            parts.push(("idle", d.to_string()));
        }
        if let Some(o) = self.origin {
            parts.push(("origin", o.as_str().into()));
        }
        if let Some(f) = &self.created_from {
            parts.push(("from", f.clone()));
        }
        if let Some(t) = &self.created_to {
            parts.push(("to", t.clone()));
        }
        if self.sort != SortKey::Username {
            parts.push(("sort", self.sort.as_str().into()));
        }
        if self.descending {
            parts.push(("dir", "desc".into()));
        }
        if self.page > 1 {
            parts.push(("page", self.page.to_string()));
        }
        if self.per_page != PAGE_SIZES[0] {
            parts.push(("per_page", self.per_page.to_string()));
        }
        match self.cursor {
            Some(Cursor::After(s)) => parts.push(("after", s.to_string())),
            Some(Cursor::Before(s)) => parts.push(("before", s.to_string())),
            None => {}
        }
        parts
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// `/users?…` for this state.
    pub fn href(&self) -> String {
        let qs = self.to_query_string();
        if qs.is_empty() {
            "/users".into()
        } else {
            format!("/users?{qs}")
        }
    }

    /// The same filters, sorted by `key` (toggling direction when already so).
    pub fn sorted_by(&self, key: SortKey) -> Self {
        let descending = if self.sort == key {
            !self.descending
        } else {
            key == SortKey::LastLogin || key == SortKey::Created
        };
        Self {
            sort: key,
            descending,
            page: 1,
            cursor: None,
            ..self.clone()
        }
    }

    pub fn has_filters(&self) -> bool {
        !self.search.is_empty()
            || self.status.is_some()
            || self.role.is_some()
            || self.group.is_some()
            || self.two_factor.is_some()
            || self.login.is_some()
            || self.idle_days.is_some()
            || self.origin.is_some()
            || self.created_from.is_some()
            || self.created_to.is_some()
    }
}

fn encode(value: &str) -> String {
    crate::url::encode_query_value(value)
}

/// A URL query string as decoded (key, value) pairs, in order.
pub fn query_pairs(query_string: &str) -> Vec<(String, String)> {
    query_string
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decoding for query values (`+` is a space).
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let q = UserQuery::parse(
            "q=mar%C3%ADa+x&status=active&2fa=off&login=never&idle=30&origin=external&from=2026-01-01&to=2026-02-01&sort=last_login&dir=desc&page=3&per_page=25&after=42",
        );
        assert_eq!(q.search, "maría x");
        assert_eq!(q.status, Some(UserStatus::Active));
        assert_eq!(q.two_factor, Some(false));
        assert_eq!(q.login, Some(LoginFilter::Never));
        assert_eq!(q.idle_days, Some(30));
        assert_eq!(q.origin, Some(Origin::External));
        assert_eq!(q.sort, SortKey::LastLogin);
        assert!(q.descending);
        assert_eq!(
            (q.page, q.per_page, q.cursor),
            (3, 25, Some(Cursor::After(42)))
        );
        assert_eq!(UserQuery::parse(&q.to_query_string()), q);
    }

    #[test]
    fn bad_values_fall_back() {
        let q =
            UserQuery::parse("status=flying&per_page=7&page=0&from=yesterday&sort=groups&idle=-3");
        assert_eq!(q, UserQuery::default());
        assert_eq!(UserQuery::default().href(), "/users");
    }

    #[test]
    fn sorting_toggles() {
        let q = UserQuery::default();
        let by_name = q.sorted_by(SortKey::Name);
        assert!(!by_name.descending);
        assert!(by_name.sorted_by(SortKey::Name).descending);
        assert!(q.sorted_by(SortKey::LastLogin).descending, "newest first");
    }
}
