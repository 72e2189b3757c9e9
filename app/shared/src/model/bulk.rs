//! Mass actions on users: what to do, to whom, and how the job is going.
//! The users table's form sends `/users/bulk?action=…&id=…` (ticked rows) or
//! `…&all=1&<filters>` (everything matching); page and server parse it here.
use serde::{Deserialize, Serialize};

use super::user_query::{query_pairs, UserQuery};
use super::Permission;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    Activate,
    Deactivate,
    Delete,
    SetRole,
    AddToGroup,
    RemoveFromGroup,
    /// (Re)send the invitation to the invited among them.
    SendInvitation,
}

impl BulkAction {
    pub const ALL: [BulkAction; 7] = [
        BulkAction::Activate,
        BulkAction::Deactivate,
        BulkAction::Delete,
        BulkAction::SetRole,
        BulkAction::AddToGroup,
        BulkAction::RemoveFromGroup,
        BulkAction::SendInvitation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BulkAction::Activate => "activate",
            BulkAction::Deactivate => "deactivate",
            BulkAction::Delete => "delete",
            BulkAction::SetRole => "set_role",
            BulkAction::AddToGroup => "add_to_group",
            BulkAction::RemoveFromGroup => "remove_from_group",
            BulkAction::SendInvitation => "send_invitation",
        }
    }

    pub fn parse(value: &str) -> Option<BulkAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }

    /// The entry in the actions menu.
    pub fn label(self) -> &'static str {
        match self {
            BulkAction::Activate => "Activate",
            BulkAction::Deactivate => "Deactivate",
            BulkAction::Delete => "Delete",
            BulkAction::SetRole => "Set role…",
            BulkAction::AddToGroup => "Add to group…",
            BulkAction::RemoveFromGroup => "Remove from group…",
            BulkAction::SendInvitation => "Send invitation",
        }
    }

    /// "Deactivate 1,234 users?" and the job's title.
    pub fn verb(self) -> &'static str {
        match self {
            BulkAction::Activate => "Activate",
            BulkAction::Deactivate => "Deactivate",
            BulkAction::Delete => "Delete",
            BulkAction::SetRole => "Set the role of",
            BulkAction::AddToGroup => "Add to a group",
            BulkAction::RemoveFromGroup => "Remove from a group",
            BulkAction::SendInvitation => "Send the invitation to",
        }
    }

    pub fn permission(self) -> Permission {
        match self {
            BulkAction::Delete => Permission::UsersDelete,
            _ => Permission::UsersWrite,
        }
    }

    /// Which choice the confirmation asks for: a role or a group.
    pub fn target(self) -> Option<BulkTarget> {
        match self {
            BulkAction::SetRole => Some(BulkTarget::Role),
            BulkAction::AddToGroup | BulkAction::RemoveFromGroup => Some(BulkTarget::Group),
            _ => None,
        }
    }

    pub fn destructive(self) -> bool {
        matches!(self, BulkAction::Delete | BulkAction::Deactivate)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkTarget {
    Role,
    Group,
}

/// "Deactivate 1,234 users", the confirmation's question and button.
pub fn phrase(action: BulkAction, count: u64) -> String {
    let n = super::page::thousands(count);
    let users = if count == 1 { "user" } else { "users" };
    match action {
        BulkAction::SetRole => format!("Set the role of {n} {users}"),
        BulkAction::AddToGroup => format!("Add {n} {users} to a group"),
        BulkAction::RemoveFromGroup => format!("Remove {n} {users} from a group"),
        _ => format!("{} {n} {users}", action.verb()),
    }
}

/// Which users: rows ticked on the page (by `seq`), or all matching a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkSelection {
    Rows(Vec<i64>),
    /// The users table's filters, as a URL query string (no paging).
    Matching(String),
}

/// At most this many ticked rows in one request (the largest page is 100).
pub const MAX_ROWS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRequest {
    pub action: BulkAction,
    pub selection: BulkSelection,
}

impl BulkRequest {
    /// Reads `/users/bulk`'s query; the error says what is missing.
    pub fn parse(query_string: &str) -> Result<BulkRequest, String> {
        let pairs = query_pairs(query_string);
        let value = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let action = value("action")
            .and_then(BulkAction::parse)
            .ok_or("Choose an action.")?;
        let selection = if value("all") == Some("1") {
            let filters =
                UserQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .filters_only();
            BulkSelection::Matching(filters.to_query_string())
        } else {
            let mut rows: Vec<i64> = pairs
                .iter()
                .filter(|(k, _)| k == "id")
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            rows.sort_unstable();
            rows.dedup();
            if rows.is_empty() {
                return Err("Select at least one user, or all matching.".into());
            }
            if rows.len() > MAX_ROWS {
                return Err(format!("Select at most {MAX_ROWS} rows, or all matching."));
            }
            BulkSelection::Rows(rows)
        };
        Ok(BulkRequest { action, selection })
    }

    pub fn to_query_string(&self) -> String {
        let mut parts = vec![format!("action={}", self.action.as_str())];
        match &self.selection {
            BulkSelection::Rows(rows) => parts.extend(rows.iter().map(|r| format!("id={r}"))),
            BulkSelection::Matching(filters) => {
                parts.push("all=1".into());
                if !filters.is_empty() {
                    parts.push(filters.clone());
                }
            }
        }
        parts.join("&")
    }

    /// The users table this came from.
    pub fn back_href(&self) -> String {
        match &self.selection {
            BulkSelection::Matching(filters) => UserQuery::parse(filters).href(),
            BulkSelection::Rows(_) => "/users".into(),
        }
    }
}

/// What the confirmation shows before anything changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPreview {
    pub action: BulkAction,
    /// Exactly how many users the selection holds now.
    pub count: u64,
    /// A few of their usernames, so the admin sees whom it is about.
    pub sample: Vec<String>,
    /// Roles or groups to choose from (id, name) when the action needs one
    /// (only the roles the admin may give).
    pub choices: Vec<(String, String)>,
    /// Users of the selection the admin may not change, with the reason
    /// ("holds permissions you do not have", "your own account"): they are
    /// skipped.
    #[serde(default)]
    pub refused: Vec<(String, u64)>,
    /// Working certificates the selection holds, for the actions that
    /// revoke them (deactivate, delete).
    #[serde(default)]
    pub certificates: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<JobStatus> {
        [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Done,
            JobStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    pub fn finished(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Failed)
    }
}

/// A background job as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    /// E.g. "Deactivate 1,234 users".
    pub title: String,
    pub status: JobStatus,
    pub total: u64,
    pub processed: u64,
    pub changed: u64,
    pub skipped: u64,
    /// Why users were skipped, with how many for each reason.
    pub reasons: Vec<(String, u64)>,
    pub error: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// Where "Back" goes.
    pub back_href: String,
}

impl JobView {
    /// Whole per cent done, for the progress bar's text.
    pub fn percent(&self) -> u64 {
        if self.total == 0 {
            return if self.status.finished() { 100 } else { 0 };
        }
        (self.processed.min(self.total) * 100) / self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_all_matching_round_trip() {
        let rows = BulkRequest::parse("action=deactivate&id=7&id=3&id=7&q=pat").unwrap();
        assert_eq!(rows.selection, BulkSelection::Rows(vec![3, 7]));
        assert_eq!(BulkRequest::parse(&rows.to_query_string()).unwrap(), rows);

        let all = BulkRequest::parse("action=set_role&all=1&id=3&status=active&q=pat+doe&page=4")
            .unwrap();
        assert_eq!(
            all.selection,
            BulkSelection::Matching("q=pat%20doe&status=active".into())
        );
        assert_eq!(BulkRequest::parse(&all.to_query_string()).unwrap(), all);
        assert_eq!(all.back_href(), "/users?q=pat%20doe&status=active");
    }

    #[test]
    fn says_what_is_missing() {
        assert_eq!(BulkRequest::parse("id=1").unwrap_err(), "Choose an action.");
        assert!(BulkRequest::parse("action=delete")
            .unwrap_err()
            .contains("at least one"));
        let many: String = (0..101).map(|i| format!("&id={i}")).collect();
        assert!(BulkRequest::parse(&format!("action=delete{many}"))
            .unwrap_err()
            .contains("at most 100"));
    }
}
