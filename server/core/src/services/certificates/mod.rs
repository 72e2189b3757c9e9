//! Users' client certificates: issuing (PKCS#12 mailed, password shown once
//! to the admin, the private key kept nowhere), revoking, the tables, and
//! the look-up that certificate sign-in makes on every attempt.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use shared::model::{
    CertificateList, CertificateRow, CertificateState, IssuedCertificate, RevocationReason,
    UserStatus, EXPIRING_DAYS,
};
use shared::AppError;
use uuid::Uuid;

use super::actor::Actor;
use super::{audit, db_error, outbox};
use crate::db::entities::{certificate, user};
use crate::mail::certificate_templates::{certificate_issued, CertificateMail};
use crate::pki::{self, Ca, Pkcs12Profile};

mod actions;
#[cfg(test)]
mod tests;

pub use actions::{ca_view, issue_for, renew_expiring, revoke_one};

mod issue;
mod reminders;
mod settings;
mod sign_in;
pub use issue::*;
pub use reminders::*;
pub use settings::*;
pub use sign_in::*;

pub const PER_PAGE: u64 = 25;

/// The certificate with this id.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<certificate::Model, AppError> {
    let id = super::parse_id(id)?;
    certificate::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)
}

/// Revokes one certificate; a second revocation is refused, so the first
/// reason and time stay.
pub async fn revoke(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    cert: &certificate::Model,
    reason: RevocationReason,
) -> Result<(), AppError> {
    // The holder's account, if it still exists, is acted on: the same rules.
    let holder = user::Entity::find()
        .filter(user::Column::Id.eq(cert.user_id))
        .one(txn)
        .await
        .map_err(db_error)?;
    if let Some(holder) = holder {
        super::access::Authority::load(txn, actor)
            .await?
            .may_act_on(&holder)?;
    }
    let changed = certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(Utc::now()))
        .col_expr(
            certificate::Column::RevocationReason,
            Expr::value(reason.as_str()),
        )
        .filter(certificate::Column::Id.eq(cert.id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(txn)
        .await
        .map_err(db_error)?;
    if changed.rows_affected == 0 {
        return Err(AppError::Conflict(
            "This certificate is already revoked.".into(),
        ));
    }
    let details = serde_json::json!({ "serial": cert.serial_hex, "reason": reason.as_str() });
    let target = ("user", cert.user_id.to_string(), cert.username.as_str());
    audit::record_change(txn, actor, "certificate.revoke", target, Some(details)).await
}

/// How many working certificates (unrevoked, unexpired) the users matching
/// `users` hold: what a deactivation or deletion would revoke for good, for
/// the confirmation that says so.
pub async fn working_count(db: &impl ConnectionTrait, users: Condition) -> Result<u64, AppError> {
    use sea_orm::QueryTrait;
    let ids = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(users)
        .into_query();
    certificate::Entity::find()
        .filter(certificate::Column::UserId.in_subquery(ids))
        .filter(certificate::Column::RevokedAt.is_null())
        .filter(certificate::Column::NotAfter.gt(Utc::now()))
        .count(db)
        .await
        .map_err(db_error)
}

/// Revokes every unrevoked certificate of these users (deactivated or
/// deleted); returns how many.
pub async fn revoke_all_of(
    txn: &impl ConnectionTrait,
    user_ids: &[Uuid],
    reason: RevocationReason,
) -> Result<u64, sea_orm::DbErr> {
    let mut revoked = 0;
    for ids in user_ids.chunks(1000) {
        revoked += certificate::Entity::update_many()
            .col_expr(certificate::Column::RevokedAt, Expr::value(Utc::now()))
            .col_expr(
                certificate::Column::RevocationReason,
                Expr::value(reason.as_str()),
            )
            .filter(certificate::Column::UserId.is_in(ids.iter().copied()))
            .filter(certificate::Column::RevokedAt.is_null())
            .exec(txn)
            .await?
            .rows_affected;
    }
    Ok(revoked)
}

fn row(cert: certificate::Model, now: DateTime<Utc>) -> CertificateRow {
    let days_left = (cert.not_after - now).num_days();
    let state = CertificateState::of(cert.revoked_at.is_some(), days_left, cert.not_after <= now);
    CertificateRow {
        id: cert.id.to_string(),
        username: cert.username,
        serial_hex: cert.serial_hex,
        issued_at: cert.issued_at.to_rfc3339(),
        not_after: cert.not_after.to_rfc3339(),
        days_left: days_left.max(0),
        state,
        revocation_reason: cert
            .revocation_reason
            .as_deref()
            .and_then(RevocationReason::parse),
    }
}

/// The condition for certificates in `state` at `now`.
fn in_state(state: CertificateState, now: DateTime<Utc>) -> Condition {
    let soon = now + Duration::days(EXPIRING_DAYS);
    let unrevoked = certificate::Column::RevokedAt.is_null();
    match state {
        CertificateState::Revoked => {
            Condition::all().add(certificate::Column::RevokedAt.is_not_null())
        }
        CertificateState::Expired => Condition::all()
            .add(unrevoked)
            .add(certificate::Column::NotAfter.lte(now)),
        CertificateState::Expiring => Condition::all()
            .add(unrevoked)
            .add(certificate::Column::NotAfter.gt(now))
            .add(certificate::Column::NotAfter.lte(soon)),
        CertificateState::Active => Condition::all()
            .add(unrevoked)
            .add(certificate::Column::NotAfter.gt(soon)),
    }
}

/// `/certificates`: newest first, by state and by username prefix.
pub async fn list(
    db: &impl ConnectionTrait,
    state: Option<CertificateState>,
    username: &str,
    page: u64,
) -> Result<CertificateList, AppError> {
    let now = Utc::now();
    let page = page.max(1);
    let mut query = certificate::Entity::find();
    if let Some(state) = state {
        query = query.filter(in_state(state, now));
    }
    let username = username.trim();
    if !username.is_empty() {
        query = query.filter(certificate::Column::Username.starts_with(username));
    }
    let total = query.clone().count(db).await.map_err(db_error)?;
    let rows = query
        .order_by_desc(certificate::Column::IssuedAt)
        .order_by_desc(certificate::Column::Id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db)
        .await
        .map_err(db_error)?;
    Ok(CertificateList {
        rows: rows.into_iter().map(|c| row(c, now)).collect(),
        total,
        page,
        per_page: PER_PAGE,
        expiring: expiring(db).await?,
    })
}

/// How many unrevoked certificates expire within `EXPIRING_DAYS`.
pub async fn expiring(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    certificate::Entity::find()
        .filter(in_state(CertificateState::Expiring, Utc::now()))
        .count(db)
        .await
        .map_err(db_error)
}

/// The active users holding an unrevoked certificate that expires soon.
pub async fn holders_of_expiring(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<user::Model>, AppError> {
    let ids: Vec<Uuid> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::UserId)
        .filter(in_state(CertificateState::Expiring, Utc::now()))
        .order_by_asc(certificate::Column::NotAfter)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)?;
    user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
        .all(db)
        .await
        .map_err(db_error)
}

/// The certificates of the user with this username.
pub async fn of_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Vec<CertificateRow>, AppError> {
    let user = super::users::find(db, username).await?;
    of_user(db, user.id).await
}

/// A user's certificates, newest first.
pub async fn of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<CertificateRow>, AppError> {
    let now = Utc::now();
    let rows = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user_id))
        .order_by_desc(certificate::Column::IssuedAt)
        .all(db)
        .await
        .map_err(db_error)?;
    Ok(rows.into_iter().map(|c| row(c, now)).collect())
}
