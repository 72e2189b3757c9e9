use serde::{Deserialize, Serialize};

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub success: bool,
    pub details: Option<String>,
}

/// The audit log's filters, from the URL (`?actor=&action=&target=&from=&to=&before=`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: String,
    /// A prefix such as `user.` or `auth.sign_in`.
    pub action: String,
    pub target: String,
    /// `YYYY-MM-DD`, inclusive (UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Show events older than this id (the next page).
    pub before: Option<i64>,
}

impl AuditQuery {
    pub fn parse(query_string: &str) -> Self {
        let mut q = AuditQuery::default();
        for pair in query_string.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = super::user_query::decode(v).trim().to_string();
            if v.is_empty() {
                continue;
            }
            match k {
                "actor" => q.actor = v,
                "action" => q.action = v,
                "target" => q.target = v,
                "from" if v.len() == 10 => q.from = Some(v),
                "to" if v.len() == 10 => q.to = Some(v),
                "before" => q.before = v.parse().ok(),
                _ => {}
            }
        }
        q
    }
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The id to pass as `before` for the next page, when there is one.
    pub next_before: Option<i64>,
}
