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
    pub approval_mode: ApprovalMode,
    /// Where certificate sign-in happens (the HTTPS listener), if it runs.
    pub https_url: Option<String>,
}

/// How approving an access request lets the person in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ApprovalMode {
    /// Mail a link to choose a password (Invited).
    #[default]
    Link,
    /// Issue a client certificate and mail it (Certificate sent).
    Certificate,
}

impl ApprovalMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalMode::Link => "link",
            ApprovalMode::Certificate => "certificate",
        }
    }

    pub fn parse(name: &str) -> Option<ApprovalMode> {
        [ApprovalMode::Link, ApprovalMode::Certificate]
            .into_iter()
            .find(|m| m.as_str() == name)
    }
}

/// The certificate settings an admin can change on `/settings/certificates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateSettings {
    pub client_validity_days: i64,
    pub approval_mode: ApprovalMode,
}

/// Why a certificate was revoked (RFC 5280 reason codes Usher offers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
}

impl RevocationReason {
    pub const ALL: [RevocationReason; 5] = [
        RevocationReason::Unspecified,
        RevocationReason::KeyCompromise,
        RevocationReason::AffiliationChanged,
        RevocationReason::Superseded,
        RevocationReason::CessationOfOperation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RevocationReason::Unspecified => "unspecified",
            RevocationReason::KeyCompromise => "key_compromise",
            RevocationReason::AffiliationChanged => "affiliation_changed",
            RevocationReason::Superseded => "superseded",
            RevocationReason::CessationOfOperation => "cessation_of_operation",
        }
    }

    pub fn parse(name: &str) -> Option<RevocationReason> {
        RevocationReason::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            RevocationReason::Unspecified => "No reason given",
            RevocationReason::KeyCompromise => "Key compromised (lost or stolen device)",
            RevocationReason::AffiliationChanged => "Affiliation changed",
            RevocationReason::Superseded => "Superseded by a new certificate",
            RevocationReason::CessationOfOperation => {
                "No longer needed (account deactivated or deleted)"
            }
        }
    }
}

/// Where a certificate stands, for the tables and their filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertificateState {
    Active,
    /// Active, and expires within `EXPIRING_DAYS`.
    Expiring,
    Expired,
    Revoked,
}

/// How many certificates one "Renew" renews.
pub const RENEW_AT_ONCE: u64 = 100;

/// "Expiring soon" means within this many days.
pub const EXPIRING_DAYS: i64 = 30;

impl CertificateState {
    pub const ALL: [CertificateState; 4] = [
        CertificateState::Active,
        CertificateState::Expiring,
        CertificateState::Expired,
        CertificateState::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertificateState::Active => "active",
            CertificateState::Expiring => "expiring",
            CertificateState::Expired => "expired",
            CertificateState::Revoked => "revoked",
        }
    }

    pub fn parse(name: &str) -> Option<CertificateState> {
        CertificateState::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            CertificateState::Active => "Active",
            CertificateState::Expiring => "Expiring soon",
            CertificateState::Expired => "Expired",
            CertificateState::Revoked => "Revoked",
        }
    }

    /// From the stored facts; `days_left` counts whole days from now.
    pub fn of(revoked: bool, days_left: i64, expired: bool) -> CertificateState {
        if revoked {
            CertificateState::Revoked
        } else if expired {
            CertificateState::Expired
        } else if days_left <= EXPIRING_DAYS {
            CertificateState::Expiring
        } else {
            CertificateState::Active
        }
    }
}

/// One certificate in a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateRow {
    pub id: String,
    pub username: String,
    pub serial_hex: String,
    /// RFC 3339.
    pub issued_at: String,
    pub not_after: String,
    pub days_left: i64,
    pub state: CertificateState,
    pub revocation_reason: Option<RevocationReason>,
}

/// A page of `/certificates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateList {
    pub rows: Vec<CertificateRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Active certificates that expire within `EXPIRING_DAYS`.
    pub expiring: u64,
}

/// What the admin sees once after "Generate certificate": the PKCS#12
/// password is shown here only and stored nowhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedCertificate {
    pub username: String,
    pub serial_hex: String,
    pub password: String,
    pub emailed_to: String,
    pub not_after: String,
}

/// What "Approve request" did: in certificate mode, the certificate too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approved {
    pub username: String,
    pub certificate: Option<IssuedCertificate>,
}
