//! `/settings/mail`: how Usher sends mail, and what its outbox holds.
use serde::{Deserialize, Serialize};

/// The mail settings as the page shows them. The SMTP password never
/// leaves the server: only whether one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettings {
    /// Empty: no SMTP, mail goes to the file outbox.
    pub host: String,
    pub port: u16,
    /// "none", "starttls" or "tls".
    pub security: String,
    pub username: String,
    pub password_set: bool,
    pub from_name: String,
    pub from_address: String,
    /// The base of every link in mail (never taken from a request).
    pub public_url: String,
    /// Where these come from: saved on this page, or the environment.
    pub saved: bool,
    /// "SMTP mail.example.com:587 (STARTTLS)" or "the file outbox (data/outbox)".
    pub transport: String,
}

/// One mail in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub template: String,
    /// queued, sending, sent or failed.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: String,
    pub created_at: String,
    pub sent_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPage {
    pub settings: MailSettings,
    /// The newest mails first.
    pub outbox: Vec<OutboxEntry>,
    /// Mails per status: (status, count).
    pub counts: Vec<(String, u64)>,
}

/// The mail settings form as sent; an empty password keeps the saved one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettingsInput {
    pub host: String,
    pub port: String,
    pub security: String,
    pub username: String,
    pub password: String,
    pub clear_password: bool,
    pub from_name: String,
    pub from_address: String,
    pub public_url: String,
    /// The admin's own password: asked when the SMTP host or the public
    /// address changes, since either can redirect recovery mail.
    #[serde(default)]
    pub current_password: String,
}
