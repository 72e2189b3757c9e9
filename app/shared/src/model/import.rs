//! CSV import: the columns a file can carry, what the preview says per row,
//! and the wizard's view of one import.
use serde::{Deserialize, Serialize};

/// Largest file the import takes.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// Preview rows per page.
pub const PREVIEW_PAGE: usize = 50;

/// A column of the import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImportField {
    Username,
    FirstName,
    LastName,
    Email,
    Phone,
    Role,
    Groups,
    Status,
    Origin,
    Password,
    MustChangePassword,
    SendInvitation,
    IssueCertificate,
}

impl ImportField {
    pub const ALL: [ImportField; 13] = [
        ImportField::Username,
        ImportField::FirstName,
        ImportField::LastName,
        ImportField::Email,
        ImportField::Phone,
        ImportField::Role,
        ImportField::Groups,
        ImportField::Status,
        ImportField::Origin,
        ImportField::Password,
        ImportField::MustChangePassword,
        ImportField::SendInvitation,
        ImportField::IssueCertificate,
    ];

    /// The two a file must have: they say who a row is.
    pub const REQUIRED: [ImportField; 2] = [ImportField::Username, ImportField::Email];

    /// The header name in the template and the export.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportField::Username => "username",
            ImportField::FirstName => "first_name",
            ImportField::LastName => "last_name",
            ImportField::Email => "email",
            ImportField::Phone => "phone",
            ImportField::Role => "role",
            ImportField::Groups => "groups",
            ImportField::Status => "status",
            ImportField::Origin => "origin",
            ImportField::Password => "password",
            ImportField::MustChangePassword => "must_change_password",
            ImportField::SendInvitation => "send_invitation",
            ImportField::IssueCertificate => "issue_certificate",
        }
    }

    pub fn parse(name: &str) -> Option<ImportField> {
        ImportField::ALL.into_iter().find(|f| f.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportField::Username => "Username",
            ImportField::FirstName => "First name",
            ImportField::LastName => "Last name",
            ImportField::Email => "Email",
            ImportField::Phone => "Phone",
            ImportField::Role => "Role",
            ImportField::Groups => "Groups (separated by |)",
            ImportField::Status => "Status",
            ImportField::Origin => "Origin (internal/external)",
            ImportField::Password => "Password",
            ImportField::MustChangePassword => "Must change password",
            ImportField::SendInvitation => "Send invitation",
            ImportField::IssueCertificate => "Issue certificate",
        }
    }
}

/// What applying a row does (or why it cannot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    Create,
    Update,
    Unchanged,
    Error,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Create,
        Outcome::Update,
        Outcome::Unchanged,
        Outcome::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Create => "create",
            Outcome::Update => "update",
            Outcome::Unchanged => "unchanged",
            Outcome::Error => "error",
        }
    }

    pub fn parse(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == name)
    }
}

/// One field an update changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Why a row cannot be applied: the column and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub column: String,
    pub reason: String,
}

/// The preview of one row. `row` is its line in the file (the header is 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    pub row: u64,
    pub username: String,
    pub email: String,
    pub outcome: Outcome,
    pub changes: Vec<FieldChange>,
    pub errors: Vec<RowError>,
    /// Applied, but probably not what was meant (an account nobody can
    /// sign in to).
    #[serde(default)]
    pub warnings: Vec<RowError>,
}

/// The warning on a new active user with no way to sign in.
pub const CANNOT_SIGN_IN: &str =
    "cannot sign in: add a password, send_invitation or issue_certificate (or invite such users).";

impl RowReport {
    /// "email: not a valid address; role: no role named X"
    pub fn error_text(&self) -> String {
        self.errors
            .iter()
            .map(|e| format!("{}: {}", e.column, e.reason))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// How many rows have each outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub error: u64,
    /// Rows applied with a warning (counted among the above too).
    #[serde(default)]
    pub warnings: u64,
}

impl OutcomeCounts {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Create => self.create += 1,
            Outcome::Update => self.update += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Error => self.error += 1,
        }
    }

    pub fn of(&self, outcome: Outcome) -> u64 {
        match outcome {
            Outcome::Create => self.create,
            Outcome::Update => self.update,
            Outcome::Unchanged => self.unchanged,
            Outcome::Error => self.error,
        }
    }

    pub fn total(&self) -> u64 {
        self.create + self.update + self.unchanged + self.error
    }

    /// The CLI's and the job's closing line.
    pub fn summary(&self) -> String {
        let warnings = match self.warnings {
            0 => String::new(),
            n => format!(", cannot sign in: {n}"),
        };
        format!(
            "created: {}, updated: {}, unchanged: {}, errors: {}{warnings}",
            self.create, self.update, self.unchanged, self.error
        )
    }
}

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportStage {
    /// Uploaded; the columns are being mapped.
    Mapping,
    /// Mapped; the dry run's result is shown.
    Preview,
    /// The apply job runs (or waits).
    Applying,
    Done,
    Failed,
}

/// How to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyMode {
    /// Apply every valid row; rows with errors go to the report.
    ValidRows,
    /// Apply nothing when any row has an error.
    OnlyIfNoErrors,
}

/// The import wizard's view of one upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub file_name: String,
    pub stage: ImportStage,
    /// The file's header, and the field each column is mapped to ("" = ignored).
    pub headers: Vec<String>,
    pub mapping: Vec<String>,
    /// The first data row's values, to help with the mapping.
    pub sample: Vec<String>,
    pub rows: u64,
    pub create_groups: bool,
    /// New active users who could not sign in are invited instead.
    #[serde(default)]
    pub invite_unreachable: bool,
    /// The dry run's counts, once mapped.
    pub preview: Option<OutcomeCounts>,
    /// A page of the dry run, filtered by `filter`.
    pub page: Vec<RowReport>,
    pub filter: Option<Outcome>,
    pub page_number: usize,
    pub has_next: bool,
    /// The apply job, once started.
    pub job: Option<super::JobView>,
    /// What was applied: created/updated/unchanged and failed rows (as error).
    pub applied: Option<OutcomeCounts>,
    /// Rows per second and seconds left, while applying.
    pub rate: Option<f64>,
    pub eta_seconds: Option<u64>,
    /// Certificates were issued: their passwords can be fetched once.
    pub certificate_passwords: bool,
}

/// `true` / `false` as a file may say it: yes/no, 1/0, true/false, y/n, x.
pub fn parse_flag(value: &str) -> Result<bool, String> {
    match value.trim().to_lowercase().as_str() {
        "" | "0" | "no" | "n" | "false" => Ok(false),
        "1" | "yes" | "y" | "true" | "x" => Ok(true),
        other => Err(format!("\"{other}\" is not yes or no.")),
    }
}
