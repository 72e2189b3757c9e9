//! Self-registration and the access requests admins review.
use serde::{Deserialize, Serialize};

pub use crate::validation::MESSAGE_MAX;

/// Where a request stands; the user's own status follows it
/// (Pending email confirmation, Review request, then Invited or Rejected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestStatus {
    PendingEmail,
    Review,
    Approved,
    Rejected,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 4] = [
        RequestStatus::Review,
        RequestStatus::PendingEmail,
        RequestStatus::Approved,
        RequestStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::PendingEmail => "pending_email",
            RequestStatus::Review => "review",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
        }
    }

    pub fn parse(name: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The tab's name on `/requests`.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::PendingEmail => "Waiting for email confirmation",
            RequestStatus::Review => "Waiting for review",
            RequestStatus::Approved => "Approved",
            RequestStatus::Rejected => "Rejected",
        }
    }
}

/// What a person enters on `/register`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub message: String,
}

impl Registration {
    /// The fields' problems (the server adds the username pattern; it never
    /// says whether a username or address is taken).
    pub fn problems(&self) -> Vec<crate::error::FieldError> {
        use crate::validation::{email, field_errors, message, person_name, username};
        field_errors(vec![
            ("username", username(self.username.trim())),
            ("first_name", person_name(&self.first_name)),
            ("last_name", person_name(&self.last_name)),
            ("email", email(self.email.trim())),
            ("message", message(&self.message)),
        ])
    }
}

/// One request, as the reviewer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessRequestView {
    pub id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub message: Option<String>,
    pub status: RequestStatus,
    /// RFC 3339 timestamps.
    pub created_at: String,
    pub confirmed_at: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
}

/// A page of `/requests`, newest first, with the number waiting for review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestList {
    pub status: RequestStatus,
    pub items: Vec<AccessRequestView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub waiting: u64,
}
