//! Password recovery: "Forgot password?" mails an active user a single-use
//! link valid for an hour. Asking gives the same answer, after the same
//! time, for known and unknown accounts, and is rate-limited per account and
//! per client network (`rate_limit`). Setting the new password ends all the user's sessions.
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set, TransactionTrait};
use shared::model::UserStatus;
use shared::AppError;

use super::actor::Actor;
use super::{audit, auth, db_error, links, outbox, passwords, policy, rate_limit, sessions, users};
use crate::db::entities::user;
use crate::mail::templates;

pub const PURPOSE: &str = "reset";
pub const VALIDITY: Duration = Duration::hours(1);
/// Links one account may get per hour.
const PER_ACCOUNT_PER_HOUR: u64 = 3;
/// Requests one address may make per hour.
const PER_IP_PER_HOUR: u64 = 20;
/// Every request takes at least this long, found or not.
const ANSWER_AFTER: StdDuration = StdDuration::from_millis(400);

const REQUESTED: &str = "auth.recovery_request";

/// "Forgot password?": mails a link when `login` names an active account
/// and the limits allow. Always `Ok` after the same delay, so the answer
/// tells nothing about which accounts exist.
pub async fn request(
    db: &DatabaseConnection,
    login: &str,
    ip: Option<&str>,
    public_url: &str,
) -> Result<(), AppError> {
    let started = Instant::now();
    let outcome = request_inner(db, login, ip, public_url).await;
    tokio::time::sleep(ANSWER_AFTER.saturating_sub(started.elapsed())).await;
    outcome
}

async fn request_inner(
    db: &DatabaseConnection,
    login: &str,
    ip: Option<&str>,
    public_url: &str,
) -> Result<(), AppError> {
    let hour_ago = Utc::now() - Duration::hours(1);
    let found = auth::find_by_login(db, login).await?;
    let owner = found.filter(|u| u.status == UserStatus::Active.as_str());
    let txn = db.begin().await.map_err(db_error)?;
    // Counted and checked together, so parallel requests cannot slip past.
    let from_ip = match ip {
        Some(ip) => rate_limit::take(&txn, REQUESTED, ip, Duration::hours(1))
            .await
            .map_err(db_error)?,
        None => 0,
    };
    let outcome = match &owner {
        _ if from_ip >= PER_IP_PER_HOUR => "limited_ip",
        None => "no_account",
        Some(u) => {
            // Counted under the user's lock: parallel requests queue here.
            links::lock_user(&txn, u.id).await.map_err(db_error)?;
            let recent = links::count_since(&txn, PURPOSE, u.id, hour_ago)
                .await
                .map_err(db_error)?;
            if recent >= PER_ACCOUNT_PER_HOUR {
                "limited_account"
            } else {
                "sent"
            }
        }
    };
    if let (Some(owner), "sent") = (&owner, outcome) {
        mail_link(&txn, owner, public_url, true).await?;
    }
    audit::record(
        &txn,
        audit::Event {
            action: REQUESTED,
            actor_name: Some(login.trim()),
            target_kind: owner.as_ref().map(|_| "user"),
            target_id: owner.as_ref().map(|u| u.id.to_string()),
            target_name: owner.as_ref().map(|u| u.username.as_str()),
            ip,
            success: outcome == "sent",
            details: Some(serde_json::json!({ "outcome": outcome })),
            ..Default::default()
        },
    )
    .await
    .map_err(db_error)?;
    txn.commit().await.map_err(db_error)
}

/// Mails a link. A request anyone can make (`keep_earlier`) leaves the
/// links already sent valid, so it cannot lock the owner out.
async fn mail_link(
    db: &impl ConnectionTrait,
    owner: &user::Model,
    public_url: &str,
    keep_earlier: bool,
) -> Result<(), AppError> {
    let token = if keep_earlier {
        links::add(db, PURPOSE, owner.id, VALIDITY).await
    } else {
        links::issue(db, PURPOSE, owner.id, VALIDITY)
            .await
            .map(|(token, _)| token)
    }
    .map_err(db_error)?;
    let mail = templates::password_recovery(public_url, &token, &owner.first_name);
    outbox::enqueue(db, &owner.email, mail)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// "Send password recovery email" on a user's page; returns the address.
pub async fn send_to(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
    public_url: &str,
) -> Result<String, AppError> {
    let txn = db.begin().await.map_err(db_error)?;
    let owner = users::find(&txn, username).await?;
    // Taking over an account by mail is acting on it: the same rules.
    super::access::Authority::load(&txn, actor)
        .await?
        .permit(
            &txn,
            &owner,
            super::access::Act::Credentials,
            &mut super::access::AdminsLeft::unknown(),
        )
        .await?;
    if owner.status != UserStatus::Active.as_str() {
        return Err(AppError::Conflict(format!(
            "{} is not active; only active accounts can recover a password.",
            owner.username
        )));
    }
    mail_link(&txn, &owner, public_url, false).await?;
    let target = ("user", owner.id.to_string(), owner.username.as_str());
    let details = serde_json::json!({ "to": owner.email });
    let action = audit::AuditAction::UserRecoverySent.as_str();
    audit::record_change(&txn, actor, action, target, Some(details)).await?;
    txn.commit().await.map_err(db_error)?;
    Ok(owner.email)
}

fn invalid_link() -> AppError {
    AppError::InvalidLink(
        "This password link has expired or has already been used. Ask for a new one.".into(),
    )
}

/// The username the link is for, when it can still be used.
pub async fn check(db: &impl ConnectionTrait, token: &str) -> Result<String, AppError> {
    Ok(owner_of(db, token).await?.username)
}

/// The active user a usable link is for.
async fn owner_of(db: &impl ConnectionTrait, token: &str) -> Result<user::Model, AppError> {
    match links::find(db, PURPOSE, token).await.map_err(db_error)? {
        Some((row, owner))
            if links::usable(&row) && owner.status == UserStatus::Active.as_str() =>
        {
            Ok(owner)
        }
        _ => Err(invalid_link()),
    }
}

/// Sets the new password from the link, once, and signs the user out
/// everywhere (a stolen session ends with the old password).
pub async fn reset(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    ip: Option<&str>,
) -> Result<user::Model, AppError> {
    let owner = owner_of(db, token).await?;
    let policy = policy::load(db).await.map_err(db_error)?;
    passwords::check_policy(password, &owner.username, &owner.email, &policy)
        .map_err(|message| AppError::field("password", message))?;
    // An admin asked for a new password: the one they set does not count.
    if owner.must_change_password
        && passwords::verify(password.to_string(), owner.password_hash.clone()).await
    {
        return Err(AppError::field(
            "password",
            "Choose a password different from the current one.",
        ));
    }
    let hash = passwords::hash(password.to_string()).await?;

    let txn = db.begin().await.map_err(db_error)?;
    if !links::claim(&txn, PURPOSE, token).await.map_err(db_error)? {
        return Err(invalid_link());
    }
    let now = Utc::now();
    let mut update: user::ActiveModel = owner.into();
    update.password_hash = Set(Some(hash));
    update.password_changed_at = Set(Some(now));
    update.must_change_password = Set(false);
    update.updated_at = Set(now);
    let changed = update.update(&txn).await.map_err(db_error)?;
    // The other links sent meanwhile end with this one.
    links::end_all(&txn, PURPOSE, changed.id)
        .await
        .map_err(db_error)?;
    let ended = sessions::end_all_for_user(&txn, changed.id)
        .await
        .map_err(db_error)?;
    let actor = Actor {
        id: changed.id,
        username: changed.username.clone(),
        ip: ip.map(str::to_string),
    };
    let target = ("user", changed.id.to_string(), changed.username.as_str());
    let details = serde_json::json!({ "sessions_ended": ended });
    audit::record_change(&txn, &actor, "user.password_reset", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)?;
    Ok(changed)
}

#[cfg(test)]
mod tests;
