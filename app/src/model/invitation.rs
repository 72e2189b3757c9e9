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
