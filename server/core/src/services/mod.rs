//! Domain logic as plain async functions over a connection: no HTTP here.
pub mod access;
pub mod access_requests;
pub mod actor;
pub mod add_user;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod bulk_invite;
pub mod ca;
pub mod certificates;
pub mod crl;
pub mod directory;
pub mod export;
pub mod groups;
pub mod import;
pub mod invitations;
pub mod job_kinds;
pub mod jobs;
pub mod lease;
pub mod lifecycle;
pub mod links;
pub mod mail_page;
pub mod mail_settings;
pub mod outbox;
pub mod password_change;
pub mod passwords;
pub mod policy;
pub mod rate_limit;
pub mod recovery;
pub mod registration;
pub mod roles;
pub mod search_index;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod setup;
pub mod sign_in_throttle;
pub mod tokens;
pub mod transitions;
pub mod users;

use sea_orm::DbErr;
use shared::AppError;

/// The number a `SELECT COUNT(*) …` statement returns (0 for no row).
pub async fn count_of(
    db: &impl sea_orm::ConnectionTrait,
    statement: sea_orm::Statement,
) -> Result<u64, AppError> {
    let row = db.query_one_raw(statement).await.map_err(db_error)?;
    let n: i64 = match row {
        Some(row) => row.try_get_by_index(0).map_err(db_error)?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}

/// Database failures are logged with a reference the person can quote.
pub fn db_error(error: DbErr) -> AppError {
    let reference = error_reference();
    tracing::error!(%reference, %error, "database error");
    #[cfg(test)]
    eprintln!("database error {reference}: {error}");
    AppError::Internal(reference)
}

/// A failure of the CA or of another library, logged with a reference the
/// user is shown.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    let reference = error_reference();
    tracing::error!(%reference, %error, "internal error");
    AppError::Internal(reference)
}

/// The short reference a failure is logged under and the user is shown.
fn error_reference() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// An id from a URL or form: a malformed one names nothing that exists.
pub fn parse_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// The role and groups a form chose (new user, invitation, approval).
pub fn parse_choice(
    role: &str,
    groups: &[String],
) -> Result<(uuid::Uuid, Vec<uuid::Uuid>), AppError> {
    let role_id =
        uuid::Uuid::parse_str(role).map_err(|_| AppError::field("role", "Choose a role."))?;
    let group_ids = groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| uuid::Uuid::parse_str(g))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::field("groups", "A chosen group no longer exists."))?;
    Ok((role_id, group_ids))
}
