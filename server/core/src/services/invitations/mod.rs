//! Invitations: an admin invites a person by mail; the link (single use,
//! valid for `invitations.validity_hours`, 24 by default) lets them confirm
//! their names and choose a password, which makes the account Active.
//! Sending again invalidates the previous link.
use super::access::{Act, AdminsLeft};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set, TransactionTrait};
use shared::model::{Invitation, UserStatus};
use shared::{validation, AppError};

use super::actor::Actor;
use super::{audit, db_error, links, outbox, passwords, policy, settings, users};
use crate::db::entities::{one_time_token, user};
use crate::mail::templates;

pub const PURPOSE: &str = "invite";
pub const VALIDITY_HOURS: &str = "invitations.validity_hours";
pub const DEFAULT_VALIDITY_HOURS: i64 = 24;
/// "Ask for a new link" sends nothing when a link went out this recently.
const RENEW_PAUSE: Duration = Duration::minutes(10);

pub async fn validity(db: &impl ConnectionTrait) -> Result<Duration, AppError> {
    let hours = settings::get_i64(db, VALIDITY_HOURS, DEFAULT_VALIDITY_HOURS)
        .await
        .map_err(db_error)?;
    Ok(Duration::hours(hours.clamp(1, 24 * 30)))
}

/// Mails `invitee` a new link and ends any earlier one; inside the caller's
/// transaction, so a user created with an invitation has its mail or neither.
pub async fn send(
    db: &impl ConnectionTrait,
    actor: &Actor,
    invitee: &user::Model,
    public_url: &str,
) -> Result<(), AppError> {
    if invitee.status != UserStatus::Invited.as_str() {
        return Err(AppError::Conflict(format!(
            "{} has already joined; there is nothing to invite them to.",
            invitee.username
        )));
    }
    let validity = validity(db).await?;
    let (token, resend) = links::issue(db, PURPOSE, invitee.id, validity)
        .await
        .map_err(db_error)?;
    let mail = templates::invitation(templates::InvitationMail {
        public_url,
        token: &token,
        first_name: &invitee.first_name,
        inviter: &actor.username,
        hours: validity.num_hours(),
    });
    outbox::enqueue(db, &invitee.email, mail)
        .await
        .map_err(db_error)?;
    let details = serde_json::json!({
        "to": invitee.email, "resend": resend, "valid_hours": validity.num_hours(),
    });
    let target = ("user", invitee.id.to_string(), invitee.username.as_str());
    let action = audit::AuditAction::UserInvite.as_str();
    audit::record_change(db, actor, action, target, Some(details)).await
}

/// "Send invitation" / "Resend invitation" on the user's page; returns the
/// address the mail goes to.
pub async fn send_to(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
    public_url: &str,
) -> Result<String, AppError> {
    let txn = db.begin().await.map_err(db_error)?;
    let invitee = users::find(&txn, username).await?;
    let permit = super::access::Authority::load(&txn, actor)
        .await?
        .permit(&txn, &invitee, Act::Credentials, &mut AdminsLeft::unknown())
        .await?;
    send(&txn, actor, permit.user(), public_url).await?;
    txn.commit().await.map_err(db_error)?;
    Ok(invitee.email)
}

/// When the user's latest invitation was sent, if ever.
pub async fn latest_sent(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
) -> Result<Option<chrono::DateTime<Utc>>, AppError> {
    links::latest(db, PURPOSE, user_id).await.map_err(db_error)
}

async fn lookup(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(one_time_token::Model, user::Model)>, AppError> {
    links::find(db, PURPOSE, token).await.map_err(db_error)
}

/// Why a link cannot be used, in words for the person holding it.
fn refusal(row: &one_time_token::Model, owner: &user::Model) -> Option<AppError> {
    let message = if row.used_at.is_some() || owner.status == UserStatus::Active.as_str() {
        "This invitation has already been used. Sign in with your username and password."
    } else if owner.status != UserStatus::Invited.as_str() {
        "This invitation is no longer valid. Ask your administrator for help."
    } else if !links::usable(row) {
        "This invitation link has expired or a newer one was sent."
    } else {
        return None;
    };
    Some(AppError::InvalidLink(message.into()))
}

fn unknown_link() -> AppError {
    AppError::InvalidLink(
        "This invitation link is not valid. Check that you opened the whole link from the mail."
            .into(),
    )
}

/// What the invitation page shows, when the link can be used.
pub async fn check(db: &impl ConnectionTrait, token: &str) -> Result<Invitation, AppError> {
    let (row, owner) = lookup(db, token).await?.ok_or_else(unknown_link)?;
    if let Some(error) = refusal(&row, &owner) {
        return Err(error);
    }
    Ok(Invitation {
        username: owner.username,
        email: owner.email,
        first_name: owner.first_name,
        last_name: owner.last_name,
        expires_at: row.expires_at.to_rfc3339(),
    })
}

/// What the invited person enters.
pub struct Joining<'a> {
    pub token: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password: &'a str,
    pub ip: Option<&'a str>,
}

/// Uses the link once: the token is claimed and the account completed in one
/// transaction, so two racing submissions cannot both succeed.
pub async fn accept(
    db: &DatabaseConnection,
    joining: Joining<'_>,
) -> Result<user::Model, AppError> {
    let invitation = check(db, joining.token).await?;
    let (first, last) = (joining.first_name.trim(), joining.last_name.trim());
    let policy = policy::load(db).await.map_err(db_error)?;
    let mut errors = validation::join(first, last, joining.password, &policy);
    if !errors.iter().any(|e| e.field == "password") {
        let username = &invitation.username;
        if let Err(message) =
            passwords::check_policy(joining.password, username, &invitation.email, &policy)
        {
            errors.push(shared::error::FieldError {
                field: "password".into(),
                message,
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = passwords::hash(joining.password.to_string()).await?;

    let txn = db.begin().await.map_err(db_error)?;
    let now = Utc::now();
    let claimed = links::claim(&txn, PURPOSE, joining.token)
        .await
        .map_err(db_error)?;
    let owner = users::find(&txn, &invitation.username).await?;
    if !claimed || owner.status != UserStatus::Invited.as_str() {
        return Err(AppError::InvalidLink(
            "This invitation has just been used or replaced.".into(),
        ));
    }
    let before = serde_json::json!({ "status": owner.status });
    let mut update: user::ActiveModel = owner.into();
    update.first_name = Set(first.to_string());
    update.last_name = Set(last.to_string());
    update.name_lc = Set(super::users::name_key(first, last));
    update.password_hash = Set(Some(hash));
    update.password_changed_at = Set(Some(now));
    update.must_change_password = Set(false);
    update.status = Set(UserStatus::Active.as_str().into());
    update.updated_at = Set(now);
    let joined = update.update(&txn).await.map_err(db_error)?;
    let actor = Actor {
        id: joined.id,
        username: joined.username.clone(),
        ip: joining.ip.map(str::to_string),
    };
    let details = serde_json::json!({ "before": before, "after": { "status": joined.status } });
    let target = ("user", joined.id.to_string(), joined.username.as_str());
    audit::record_change(&txn, &actor, "user.join", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)?;
    Ok(joined)
}

/// "Ask for a new link" on the page of an expired link: a fresh invitation
/// goes to the invited address (never to the person asking, who may not be
/// its owner), at most once per ten minutes. The answer is the same either way.
pub async fn renew(
    db: &DatabaseConnection,
    token: &str,
    ip: Option<&str>,
    public_url: &str,
) -> Result<(), AppError> {
    let Some((_, owner)) = lookup(db, token).await? else {
        return Ok(());
    };
    if owner.status != UserStatus::Invited.as_str() {
        return Ok(());
    }
    let actor = Actor {
        id: owner.id,
        username: owner.username.clone(),
        ip: ip.map(str::to_string),
    };
    let txn = db.begin().await.map_err(db_error)?;
    // Checked under the user's lock: parallel asks send one mail.
    links::lock_user(&txn, owner.id).await.map_err(db_error)?;
    let latest = latest_sent(&txn, owner.id).await?;
    if latest.is_some_and(|at| at > Utc::now() - RENEW_PAUSE) {
        return Ok(());
    }
    send(&txn, &actor, &owner, public_url).await?;
    txn.commit().await.map_err(db_error)
}

#[cfg(test)]
mod tests;
