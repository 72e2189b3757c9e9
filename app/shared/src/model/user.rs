use serde::{Deserialize, Serialize};

use super::Permission;

/// The lifecycle state of an account, stored by its `as_str` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    Active,
    Inactive,
    Invited,
    PendingEmail,
    Review,
    Rejected,
    /// Approved with a certificate (mailed); signing in with it completes.
    CertificateSent,
}

impl UserStatus {
    pub const ALL: [UserStatus; 7] = [
        UserStatus::Active,
        UserStatus::Inactive,
        UserStatus::Invited,
        UserStatus::PendingEmail,
        UserStatus::Review,
        UserStatus::Rejected,
        UserStatus::CertificateSent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Inactive => "inactive",
            UserStatus::Invited => "invited",
            UserStatus::PendingEmail => "pending_email",
            UserStatus::Review => "review",
            UserStatus::Rejected => "rejected",
            UserStatus::CertificateSent => "certificate_sent",
        }
    }

    pub fn parse(name: &str) -> Option<UserStatus> {
        UserStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Active => "Active",
            UserStatus::Inactive => "Inactive",
            UserStatus::Invited => "Invited",
            UserStatus::PendingEmail => "Pending email confirmation",
            UserStatus::Review => "Review request",
            UserStatus::Rejected => "Rejected",
            UserStatus::CertificateSent => "Certificate sent",
        }
    }

    /// What happens next, for the badge's tooltip.
    pub fn next_step(self) -> &'static str {
        match self {
            UserStatus::Active => "Can sign in.",
            UserStatus::Inactive => "Cannot sign in; an admin can activate the account again.",
            UserStatus::Invited => "Invitation sent; waiting for them to choose a password.",
            UserStatus::PendingEmail => {
                "Registered; waiting for them to confirm their email address."
            }
            UserStatus::Review => "Email confirmed; waiting for an admin to approve or reject.",
            UserStatus::Rejected => "The request was rejected; the account cannot sign in.",
            UserStatus::CertificateSent => {
                "Certificate mailed; signing in with it completes the account."
            }
        }
    }
}

/// One row of the users table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: String,
    /// The row's stable position key (for keyset paging cursors).
    pub seq: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub role: String,
    pub groups: Vec<String>,
    pub status: UserStatus,
    pub two_factor: bool,
    pub external: bool,
    /// RFC 3339 timestamps, formatted for display by the browser.
    pub last_login_at: Option<String>,
    pub created_at: String,
}

impl UserSummary {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_string()
    }
}

/// What a user is told after an admin sets their password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordNotice {
    Nothing,
    /// A mail saying it changed, without the password (no mail of Usher's
    /// ever carries one).
    Mail,
}

/// The signed-in person, as the UI needs them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub permissions: Vec<Permission>,
    /// An admin asked for a new password: nothing else opens until it is chosen.
    #[serde(default)]
    pub must_change_password: bool,
}

impl CurrentUser {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Where to go after sign-in when no `next` was asked for.
    pub fn home(&self) -> &'static str {
        if self.can(Permission::UsersRead) {
            "/users"
        } else {
            "/account"
        }
    }
}

/// A page of the users table, and whether more rows follow it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    pub page: super::Page<UserSummary>,
    pub has_next: bool,
    /// `page.total` is a floor: more rows match than were counted.
    pub total_is_floor: bool,
}

impl UserPage {
    /// "Showing 41–50 of 1,000,000" (or "… of more than 10,000").
    pub fn showing(&self) -> String {
        let exact = self.page.showing();
        if self.total_is_floor {
            exact.replacen(" of ", " of more than ", 1)
        } else {
            exact
        }
    }
}

/// Choices for the users table's filters: roles and groups as (id, name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterChoices {
    pub roles: Vec<(String, String)>,
    pub groups: Vec<(String, String)>,
    /// Ids of the roles the caller may give (every permission of the role
    /// is theirs); the forms offer only these, the filters every role.
    #[serde(default)]
    pub givable: Vec<String>,
}

impl FilterChoices {
    /// The roles a form may offer the caller.
    pub fn givable_roles(&self) -> Vec<(String, String)> {
        self.roles
            .iter()
            .filter(|(id, _)| self.givable.contains(id))
            .cloned()
            .collect()
    }
}

/// One audit event, as the Activity tab shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub success: bool,
    pub details: Option<String>,
}

/// The user page: every field, and which actions the viewer may take on
/// this user (the UI hides what the server would refuse).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserSummary,
    pub must_change_password: bool,
    pub password_changed_at: Option<String>,
    pub updated_at: String,
    pub activity: Vec<ActivityEntry>,
    pub can_deactivate: bool,
    pub can_activate: bool,
    pub can_delete: bool,
    /// The viewer holds every permission of this user's role, so may change
    /// them at all (edit, password, groups, certificates); when not,
    /// `guard_reason` says why.
    pub can_manage: bool,
    /// Why deactivating or deleting is refused, when it is.
    pub guard_reason: Option<String>,
    /// When the latest invitation went out (RFC 3339), while still invited.
    pub invited_at: Option<String>,
    /// Working certificates, which deactivating or deleting revokes for good.
    #[serde(default)]
    pub working_certificates: u64,
}

/// What activating or deactivating `username` did, in a sentence.
pub fn acknowledge_active(username: &str, active: bool, certificates_revoked: u64) -> String {
    if active {
        return format!("{username} activated: they can sign in again.");
    }
    match certificates_revoked {
        0 => format!("{username} deactivated: signed out everywhere."),
        1 => format!("{username} deactivated: signed out everywhere, 1 certificate revoked."),
        n => format!("{username} deactivated: signed out everywhere, {n} certificates revoked."),
    }
}

/// What a user page's `?done=` says (the acknowledgement of a plain form,
/// and of "Add user", which opens the new user's page).
pub fn done_message(key: &str) -> Option<&'static str> {
    Some(match key {
        "created" => "User created.",
        "updated" => "Changes saved.",
        "activated" => "User activated: they can sign in again.",
        "deactivated" => "User deactivated: signed out everywhere, their certificates revoked.",
        _ => return None,
    })
}

/// How many working certificates a deactivation or deletion revokes, as
/// the sentence a confirmation adds ("" when none).
pub fn certificates_lost(n: u64) -> String {
    match n {
        0 => String::new(),
        1 => " Their 1 certificate is revoked and cannot be restored.".into(),
        n => format!(" Their {n} certificates are revoked and cannot be restored."),
    }
}
