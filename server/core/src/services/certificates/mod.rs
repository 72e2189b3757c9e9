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

mod issuing;
#[cfg(test)]
mod tests;

pub use issuing::{ca_view, issue_for, issue_on, renew_expiring, revoke_one};

pub const PER_PAGE: u64 = 25;

/// What to issue, to whom.
pub struct Issue<'a> {
    pub user: &'a user::Model,
    pub days: i64,
    pub profile: Pkcs12Profile,
    /// The admin issuing; none when Usher issues on its own.
    pub actor: Option<&'a Actor>,
    /// Base of the CRL address in the certificate.
    pub public_url: &'a str,
    /// The HTTPS sign-in page named in the mail.
    pub sign_in_url: &'a str,
}

fn internal(error: impl std::fmt::Display) -> AppError {
    let reference = Uuid::new_v4().simple().to_string()[..8].to_string();
    tracing::error!(%reference, %error, "certificate");
    AppError::Internal(reference)
}

fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default()
}

/// Issues a certificate to `user`, records it and queues the mail with the
/// PKCS#12 file, all on `txn`. The password is returned, never stored.
pub async fn issue(
    txn: &impl ConnectionTrait,
    ca: &Ca,
    request: Issue<'_>,
) -> Result<IssuedCertificate, AppError> {
    let user = request.user;
    let crl_url = format!("{}/pki/crl.der", request.public_url);
    let now = time::OffsetDateTime::now_utc();
    let issued = pki::issue_client(
        ca,
        &pki::ClientRequest {
            username: &user.username,
            email: &user.email,
            days: request.days,
            crl_url: &crl_url,
        },
        now,
    )
    .map_err(internal)?;
    let password = pki::pkcs12_password();
    let pkcs12 = pki::pkcs12(
        &issued,
        &ca.cert_pem,
        &user.username,
        &password,
        request.profile,
    )
    .map_err(internal)?;
    let not_after = to_chrono(issued.not_after);
    let record = certificate::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user.id),
        username: Set(user.username.clone()),
        serial_hex: Set(issued.serial_hex.clone()),
        fingerprint_sha256: Set(pki::fingerprint(&issued.cert_der)),
        issued_at: Set(to_chrono(now)),
        not_after: Set(not_after),
        issued_by: Set(request.actor.map(|a| a.username.clone())),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        expiry_notice: Set(0),
    };
    certificate::Entity::insert(record)
        .exec_without_returning(txn)
        .await
        .map_err(db_error)?;
    let expires = not_after.format("%Y-%m-%d").to_string();
    let mail = certificate_issued(CertificateMail {
        public_url: request.public_url,
        first_name: &user.first_name,
        username: &user.username,
        expires: &expires,
        pkcs12,
        ca_pem: &ca.cert_pem,
        sign_in_url: request.sign_in_url,
    });
    outbox::enqueue(txn, &user.email, mail)
        .await
        .map_err(db_error)?;
    let details = serde_json::json!({
        "serial": issued.serial_hex,
        "not_after": not_after.to_rfc3339(),
        "format": match request.profile { Pkcs12Profile::Modern => "aes-256", Pkcs12Profile::Legacy => "3des" },
    });
    let target = ("user", user.id.to_string(), user.username.as_str());
    match request.actor {
        Some(actor) => {
            audit::record_change(txn, actor, "certificate.issue", target, Some(details)).await?
        }
        None => audit::record(
            txn,
            audit::Event {
                action: "certificate.issue",
                target_kind: Some("user"),
                target_id: Some(user.id.to_string()),
                target_name: Some(&user.username),
                success: true,
                details: Some(details),
                ..Default::default()
            },
        )
        .await
        .map_err(db_error)?,
    }
    Ok(IssuedCertificate {
        username: user.username.clone(),
        serial_hex: issued.serial_hex,
        password,
        emailed_to: user.email.clone(),
        not_after: not_after.to_rfc3339(),
    })
}

/// The certificate with this id.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<certificate::Model, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
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

/// Why a presented certificate does not sign anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotPresented,
    Unknown,
    Revoked,
    Expired,
    Inactive,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::NotPresented => "none",
            Refusal::Unknown => "unknown",
            Refusal::Revoked => "revoked",
            Refusal::Expired => "expired",
            Refusal::Inactive => "inactive",
        }
    }
}

/// The user a presented certificate (DER) signs in, looked up by serial and
/// fingerprint in the database on every attempt, so neither a resumed TLS
/// session nor a CRL not yet reloaded lets a revoked certificate in.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    der: Option<&[u8]>,
) -> Result<Result<user::Model, Refusal>, sea_orm::DbErr> {
    let Some(der) = der else {
        return Ok(Err(Refusal::NotPresented));
    };
    let Ok((_, parsed)) = x509_parser::parse_x509_certificate(der) else {
        return Ok(Err(Refusal::Unknown));
    };
    let serial = hex::encode(parsed.raw_serial());
    let found = certificate::Entity::find()
        .filter(certificate::Column::SerialHex.eq(serial))
        .one(db)
        .await?;
    let Some(cert) = found.filter(|c| c.fingerprint_sha256 == pki::fingerprint(der)) else {
        return Ok(Err(Refusal::Unknown));
    };
    if cert.revoked_at.is_some() {
        return Ok(Err(Refusal::Revoked));
    }
    if cert.not_after <= Utc::now() {
        return Ok(Err(Refusal::Expired));
    }
    let owner = user::Entity::find()
        .filter(user::Column::Id.eq(cert.user_id))
        .one(db)
        .await?;
    Ok(match owner {
        Some(u)
            if u.status == UserStatus::Active.as_str()
                || u.status == UserStatus::CertificateSent.as_str() =>
        {
            Ok(u)
        }
        Some(_) => Err(Refusal::Inactive),
        None => Err(Refusal::Unknown),
    })
}

/// After a certificate sign-in: "Certificate sent" becomes Active (the
/// sign-in itself records the time, which makes it "Completed").
pub async fn complete(db: &impl ConnectionTrait, user: &user::Model) -> Result<(), sea_orm::DbErr> {
    if user.status == UserStatus::CertificateSent.as_str() {
        user::Entity::update_many()
            .col_expr(
                user::Column::Status,
                Expr::value(UserStatus::Active.as_str()),
            )
            .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(user::Column::Id.eq(user.id))
            .filter(user::Column::Status.eq(UserStatus::CertificateSent.as_str()))
            .exec(db)
            .await?;
    }
    Ok(())
}

const CLIENT_DAYS: &str = "pki.client_days";
const APPROVAL_MODE: &str = "approval.mode";
/// The longest validity an admin may set.
pub const MAX_CLIENT_DAYS: i64 = 3650;

/// Validity of new certificates and how approvals let people in.
pub async fn settings(
    db: &impl ConnectionTrait,
) -> Result<shared::model::CertificateSettings, AppError> {
    let days = super::settings::get_i64(db, CLIENT_DAYS, super::ca::DEFAULT_CLIENT_DAYS)
        .await
        .map_err(db_error)?;
    let mode: String = super::settings::get(db, APPROVAL_MODE, "link".to_string())
        .await
        .map_err(db_error)?;
    Ok(shared::model::CertificateSettings {
        client_validity_days: days,
        approval_mode: shared::model::ApprovalMode::parse(&mode).unwrap_or_default(),
    })
}

pub async fn save_settings(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    new: &shared::model::CertificateSettings,
) -> Result<(), AppError> {
    use sea_orm::TransactionTrait;
    if !(1..=MAX_CLIENT_DAYS).contains(&new.client_validity_days) {
        return Err(AppError::field(
            "client_validity_days",
            format!("Enter a number of days from 1 to {MAX_CLIENT_DAYS}."),
        ));
    }
    let txn = db.begin().await.map_err(db_error)?;
    let before = settings(&txn).await?;
    super::settings::set_json(&txn, CLIENT_DAYS, new.client_validity_days.into())
        .await
        .map_err(db_error)?;
    super::settings::set_json(&txn, APPROVAL_MODE, new.approval_mode.as_str().into())
        .await
        .map_err(db_error)?;
    let details = serde_json::json!({
        "before": { "client_validity_days": before.client_validity_days, "approval_mode": before.approval_mode.as_str() },
        "after": { "client_validity_days": new.client_validity_days, "approval_mode": new.approval_mode.as_str() },
    });
    let target = ("settings", "certificates".to_string(), "Certificates");
    audit::record_change(&txn, actor, "settings.certificates", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)
}

/// Reminders are mailed this many days before expiry. The nearer step is
/// looked at first, so a certificate first seen 5 days before expiry gets
/// one reminder, not two.
pub const REMINDER_DAYS: [i32; 2] = [7, 30];

/// Mails each holder of an unrevoked certificate that expires within 30 or
/// 7 days, once per step. Each reminder is claimed with a conditional
/// UPDATE in the same transaction as its mail, so instances running this
/// at once send it once. Returns how many were mailed.
pub async fn remind_expiring(
    db: &sea_orm::DatabaseConnection,
    public_url: &str,
) -> Result<u64, AppError> {
    use sea_orm::TransactionTrait;
    let now = Utc::now();
    let mut mailed = 0;
    for days in REMINDER_DAYS {
        let due = certificate::Entity::find()
            .filter(certificate::Column::RevokedAt.is_null())
            .filter(certificate::Column::NotAfter.gt(now))
            .filter(certificate::Column::NotAfter.lte(now + Duration::days(days.into())))
            .filter(
                Condition::any()
                    .add(certificate::Column::ExpiryNotice.eq(0))
                    .add(certificate::Column::ExpiryNotice.gt(days)),
            )
            .limit(500)
            .all(db)
            .await
            .map_err(db_error)?;
        for cert in due {
            let txn = db.begin().await.map_err(db_error)?;
            let claimed = certificate::Entity::update_many()
                .col_expr(certificate::Column::ExpiryNotice, Expr::value(days))
                .filter(certificate::Column::Id.eq(cert.id))
                .filter(certificate::Column::ExpiryNotice.eq(cert.expiry_notice))
                .exec(&txn)
                .await
                .map_err(db_error)?;
            let holder = user::Entity::find()
                .filter(user::Column::Id.eq(cert.user_id))
                .one(&txn)
                .await
                .map_err(db_error)?;
            if let (1, Some(holder)) = (claimed.rows_affected, holder) {
                let left = (cert.not_after - now).num_days().max(0);
                let expires = cert.not_after.format("%Y-%m-%d").to_string();
                let mail = crate::mail::certificate_templates::certificate_expiring(
                    public_url,
                    &holder.first_name,
                    left,
                    &expires,
                );
                outbox::enqueue(&txn, &holder.email, mail)
                    .await
                    .map_err(db_error)?;
                mailed += 1;
            }
            txn.commit().await.map_err(db_error)?;
        }
    }
    Ok(mailed)
}
