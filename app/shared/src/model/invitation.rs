//! What the invitation page shows the invited person.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// The most addresses "Invite users" takes at once.
pub const MAX_INVITES: usize = 500;

/// Addresses pasted into "Invite users", sorted out: separated by `;`, `,`,
/// spaces or new lines; repeats (ignoring case) counted once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedAddresses {
    pub valid: Vec<String>,
    pub invalid: Vec<String>,
    /// How many repeats were dropped.
    pub repeated: usize,
}

pub fn parse_addresses(text: &str) -> ParsedAddresses {
    let mut parsed = ParsedAddresses::default();
    let mut seen = std::collections::HashSet::new();
    for item in text.split(|c: char| c == ';' || c == ',' || c.is_whitespace()) {
        let item = item.trim().trim_start_matches('<').trim_end_matches('>');
        if item.is_empty() {
            continue;
        }
        if !seen.insert(item.to_lowercase()) {
            parsed.repeated += 1;
            continue;
        }
        match crate::validation::email(item) {
            Ok(()) => parsed.valid.push(item.to_string()),
            Err(_) => parsed.invalid.push(item.to_string()),
        }
    }
    parsed
}

/// What "Invite users" found (before sending) or did (after).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteReport {
    /// (email, username) of each person invited (or to be invited).
    pub invited: Vec<(String, String)>,
    /// Addresses that already belong to an account.
    pub existing: Vec<String>,
    pub invalid: Vec<String>,
    pub repeated: usize,
    /// Whether the invitations were sent (false for the check).
    pub sent: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_dedupe_and_validate() {
        let p = parse_addresses(
            "ann@example.com; Bob@Example.com,bob@example.com\n  <cy@example.org>\tnot-an-address ann@EXAMPLE.com",
        );
        assert_eq!(
            p.valid,
            ["ann@example.com", "Bob@Example.com", "cy@example.org"]
        );
        assert_eq!(p.invalid, ["not-an-address"]);
        assert_eq!(p.repeated, 2);
        assert_eq!(parse_addresses(" ;,\n"), ParsedAddresses::default());
    }
}
