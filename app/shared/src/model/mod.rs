//! Data shared by browser and server.
pub mod access_request;
pub mod audit;
pub mod bulk;
pub mod certificate;
pub mod export;
pub mod import;
pub mod invitation;
pub mod mail;
pub mod page;
pub mod permission;
pub mod user;
pub mod user_query;

pub use access_request::{AccessRequestView, Registration, RequestList, RequestStatus};
pub use audit::{AuditEntry, AuditPage, AuditQuery};
pub use bulk::{BulkAction, BulkPreview, BulkRequest, BulkSelection, JobStatus, JobView};
pub use certificate::{
    ApprovalMode, Approved, CaView, CertificateList, CertificateRow, CertificateSettings,
    CertificateState, IssuedCertificate, RevocationReason, EXPIRING_DAYS, RENEW_AT_ONCE,
};
pub use export::EXPORT_TOTAL_HEADER;
pub use import::{
    ApplyMode, FieldChange, ImportField, ImportStage, ImportView, Outcome, OutcomeCounts, RowError,
    RowReport,
};
pub use invitation::{parse_addresses, Invitation, InviteReport, ParsedAddresses, MAX_INVITES};
pub use mail::{MailPage, MailSettings, MailSettingsInput, OutboxEntry};
pub use page::{Page, PageRequest};
pub use permission::{GroupView, MembershipChange, Permission, RoleView};
pub use user::{
    acknowledge_active, certificates_lost, done_message, ActivityEntry, CurrentUser, FilterChoices,
    PasswordNotice, UserDetail, UserPage, UserStatus, UserSummary,
};
pub use user_query::{Cursor, SortKey, UserQuery};
