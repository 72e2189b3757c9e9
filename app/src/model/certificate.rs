//! Usher's certificate authority, as `/settings/certificates` shows it.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaView {
    pub subject: String,
    /// SHA-256 of the DER, as colon-separated upper-case hex.
    pub fingerprint_sha256: String,
    /// RFC 3339.
    pub not_before: String,
    pub not_after: String,
    /// The default validity of a user's certificate.
    pub client_validity_days: i64,
}
