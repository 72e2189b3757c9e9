use async_trait::async_trait;

use crate::error::AppError;
use crate::model::{CurrentUser, NewUserRequest, UserDetail, UserPage, UserQuery};

/// Facts about the HTTP request that services record (audit) or need (cookies).
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub secure: bool,
    /// The id (token hash) of the session the request carries, if valid.
    pub session_id: Option<String>,
}

/// A `Set-Cookie` header value produced by the server for a new or ended session.
#[derive(Debug, Clone)]
pub struct SessionCookie(pub String);

/// Joining by invitation: sending the mail and using its link.
#[async_trait]
pub trait InvitationBackend: Send + Sync {
    /// Mails a new invitation link to an invited user (ending any earlier
    /// link); returns the address it went to.
    async fn send_invitation(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
    ) -> Result<String, AppError>;

    /// What the invitation page shows, when its link can be used.
    async fn check_invitation(&self, token: &str) -> Result<crate::model::Invitation, AppError>;

    /// Completes the account from the link and signs the person in.
    async fn accept_invitation(
        &self,
        token: &str,
        first_name: &str,
        last_name: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(CurrentUser, SessionCookie), AppError>;

    /// "Ask for a new link" from an expired link's page.
    async fn renew_invitation(&self, token: &str, meta: &RequestMeta) -> Result<(), AppError>;

    /// "Invite users": what a paste of addresses would do.
    async fn check_invites(&self, text: &str) -> Result<crate::model::InviteReport, AppError>;

    /// "Invite users": creates the Invited users and sends the mails.
    async fn invite_users(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        text: &str,
        role: &str,
        groups: &[String],
    ) -> Result<crate::model::InviteReport, AppError>;
}

/// Password recovery by mail.
#[async_trait]
pub trait RecoveryBackend: Send + Sync {
    /// "Forgot password?": the same answer for every login, after the same time.
    async fn request_recovery(&self, login: &str, meta: &RequestMeta) -> Result<(), AppError>;

    /// An admin's "Send password recovery email"; returns the address.
    async fn send_recovery(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
    ) -> Result<String, AppError>;

    /// The username a recovery link is for, when it can still be used.
    async fn check_recovery(&self, token: &str) -> Result<String, AppError>;

    /// Sets the new password from the link and ends every session of the user.
    async fn reset_password(
        &self,
        token: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(), AppError>;
}

/// Changing passwords: your own, or another user's as an admin.
#[async_trait]
pub trait PasswordBackend: Send + Sync {
    /// Your own password, knowing the current one; ends your other sessions.
    async fn change_own_password(
        &self,
        caller: &CurrentUser,
        meta: &RequestMeta,
        current: &str,
        new: &str,
    ) -> Result<(), AppError>;

    /// An admin's "Change password" dialog; ends the user's sessions.
    async fn set_user_password(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
        password: &str,
        force_change: bool,
        notice: crate::model::PasswordNotice,
    ) -> Result<(), AppError>;
}

/// `/settings/mail`: how mail is sent, and the outbox.
#[async_trait]
pub trait MailBackend: Send + Sync {
    async fn mail_page(&self) -> Result<crate::model::MailPage, AppError>;

    async fn save_mail_settings(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        input: crate::model::MailSettingsInput,
    ) -> Result<(), AppError>;

    /// Sends a test mail at once; the server's answer.
    async fn send_test_mail(&self, to: &str) -> Result<String, AppError>;

    /// "Retry now" for a failed or waiting mail.
    async fn retry_mail(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
    ) -> Result<(), AppError>;
}

/// Usher's certificate authority.
#[async_trait]
pub trait CertificateBackend: Send + Sync {
    /// The CA as `/settings/certificates` shows it.
    async fn ca_view(&self) -> Result<crate::model::CaView, AppError>;

    async fn save_certificate_settings(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        settings: crate::model::CertificateSettings,
    ) -> Result<(), AppError>;

    /// "Generate certificate", or with `replace` "Regenerate certificate"
    /// (the user's current ones are revoked as superseded first).
    async fn issue_certificate(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
        legacy: bool,
        replace: bool,
    ) -> Result<crate::model::IssuedCertificate, AppError>;

    /// "Renew" on `/certificates`: a new certificate for each active holder
    /// of one expiring soon (at most `RENEW_AT_ONCE` per call).
    async fn renew_expiring(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
    ) -> Result<Vec<crate::model::IssuedCertificate>, AppError>;

    async fn revoke_certificate(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        reason: crate::model::RevocationReason,
    ) -> Result<(), AppError>;

    /// A user's certificates (their "Certificates" tab, or `/account`).
    async fn user_certificates(
        &self,
        username: &str,
    ) -> Result<Vec<crate::model::CertificateRow>, AppError>;

    /// `<HTTPS URL>/auth/certificate`, when the HTTPS listener runs.
    async fn certificate_sign_in_url(&self) -> Result<Option<String>, AppError>;

    /// `/certificates`.
    async fn certificates(
        &self,
        state: Option<crate::model::CertificateState>,
        username: &str,
        page: u64,
    ) -> Result<crate::model::CertificateList, AppError>;

    /// How many unrevoked certificates expire soon (the navigation's badge).
    async fn expiring_certificates(&self) -> Result<u64, AppError>;
}

/// Self-registration and the review of access requests.
#[async_trait]
pub trait RegistrationBackend: Send + Sync {
    /// `/register`: field errors at once, otherwise the same answer for all.
    async fn register(
        &self,
        input: &crate::model::Registration,
        meta: &RequestMeta,
    ) -> Result<(), AppError>;

    /// The address a confirmation link is for, while it can be used.
    async fn check_confirmation(&self, token: &str) -> Result<String, AppError>;

    /// "Confirm my email address".
    async fn confirm_email(&self, token: &str, meta: &RequestMeta) -> Result<(), AppError>;

    async fn access_requests(
        &self,
        status: crate::model::RequestStatus,
        page: u64,
    ) -> Result<crate::model::RequestList, AppError>;

    async fn access_request(&self, id: &str) -> Result<crate::model::AccessRequestView, AppError>;

    /// How many requests wait for review.
    async fn waiting_requests(&self) -> Result<u64, AppError>;

    /// Approves with a role and groups.
    async fn approve_request(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        role: &str,
        groups: &[String],
    ) -> Result<crate::model::Approved, AppError>;

    /// Rejects with a reason; returns the username.
    async fn reject_request(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        reason: &str,
    ) -> Result<String, AppError>;
}

/// CSV import: the wizard's steps after the upload (a plain HTTP route).
#[async_trait]
pub trait ImportBackend: Send + Sync {
    /// The import's step, mapping, a page of its preview and its progress.
    async fn import_view(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        filter: Option<crate::model::Outcome>,
        page: usize,
    ) -> Result<crate::model::ImportView, AppError>;

    /// Saves the mapping and runs the dry run over the whole file.
    async fn map_import(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        mapping: &[String],
        create_groups: bool,
    ) -> Result<crate::model::OutcomeCounts, AppError>;

    /// Queues the apply job; returns its id.
    async fn apply_import(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        mode: crate::model::ApplyMode,
    ) -> Result<String, AppError>;
}

/// What the server offers the server functions. The server binary implements
/// it over the database; server functions stay thin and HTTP-free. Newer
/// areas are traits of their own that this one includes.
#[async_trait]
pub trait Backend:
    InvitationBackend
    + RecoveryBackend
    + PasswordBackend
    + MailBackend
    + RegistrationBackend
    + CertificateBackend
    + ImportBackend
    + Send
    + Sync
    + 'static
{
    /// Checks the credentials and opens a session.
    async fn sign_in(
        &self,
        login: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(CurrentUser, SessionCookie), AppError>;

    /// Ends the session carried by the request (if any) and clears the cookie.
    async fn sign_out(&self, caller: Option<&CurrentUser>, meta: &RequestMeta) -> SessionCookie;

    /// Whether a first-admin set-up link is still usable.
    async fn check_setup_token(&self, token: &str) -> Result<(), AppError>;

    /// Creates the first admin from a set-up link and signs them in.
    async fn complete_setup(
        &self,
        token: &str,
        username: &str,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(CurrentUser, SessionCookie), AppError>;

    async fn list_users(&self, query: UserQuery) -> Result<UserPage, AppError>;

    /// Creates a user; returns their username.
    async fn create_user(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        request: NewUserRequest,
    ) -> Result<String, AppError>;

    async fn suggest_password(&self) -> Result<String, AppError>;

    async fn list_audit(
        &self,
        query: crate::model::AuditQuery,
    ) -> Result<crate::model::AuditPage, AppError>;

    async fn list_groups(&self) -> Result<Vec<crate::model::GroupView>, AppError>;

    async fn create_group(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        name: &str,
        description: &str,
    ) -> Result<(), AppError>;

    /// Renames a group or changes its description.
    async fn update_group(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        name: &str,
        description: &str,
    ) -> Result<(), AppError>;

    async fn delete_group(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
    ) -> Result<(), AppError>;

    async fn set_group_member(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        group: &str,
        username: &str,
        member: bool,
    ) -> Result<(), AppError>;

    async fn list_roles(&self) -> Result<Vec<crate::model::RoleView>, AppError>;

    async fn create_role(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        name: &str,
        description: &str,
        permissions: &[crate::model::Permission],
    ) -> Result<(), AppError>;

    /// Changes a custom role's name, description and permissions.
    async fn update_role(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        name: &str,
        description: &str,
        permissions: &[crate::model::Permission],
    ) -> Result<(), AppError>;

    async fn delete_role(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
    ) -> Result<(), AppError>;

    async fn user_detail(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
    ) -> Result<UserDetail, AppError>;

    async fn set_user_active(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
        active: bool,
    ) -> Result<(), AppError>;

    async fn update_user(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
        changes: crate::model::UserChanges,
    ) -> Result<(), AppError>;

    async fn delete_user(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
    ) -> Result<(), AppError>;

    async fn directory_options(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
    ) -> Result<crate::model::FilterChoices, AppError>;

    /// The rules for usernames and passwords.
    async fn policy(&self) -> Result<crate::validation::Policy, AppError>;

    async fn save_policy(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        policy: crate::validation::Policy,
    ) -> Result<(), AppError>;

    /// The confirmation of a mass action: exact count, sample, choices.
    async fn bulk_preview(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        request: &crate::model::BulkRequest,
    ) -> Result<crate::model::BulkPreview, AppError>;

    /// Queues a confirmed mass action; returns the job's id.
    async fn start_bulk(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        request: &crate::model::BulkRequest,
        target: Option<&str>,
    ) -> Result<String, AppError>;

    /// A background job's progress and result.
    async fn job(&self, id: &str) -> Result<crate::model::JobView, AppError>;
}
