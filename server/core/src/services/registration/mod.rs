//! Self-registration on `/register` (when the setting allows it): the person
//! gets an email-confirmation link and shows as Pending email confirmation;
//! the click makes them Review request and mails the reviewers. The page's
//! answer is the same, after the same time, whether or not the username or
//! address is taken: the owner of a taken address gets a mail instead.
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};
use shared::model::{Registration, RequestStatus, UserStatus};
use shared::AppError;
use uuid::Uuid;

use super::actor::Actor;
use super::users::NewUser;
use super::{audit, db_error, links, outbox, policy, rate_limit, roles, users};
use crate::db::entities::{access_request, role, role_permission, user};
use crate::mail::registration_templates as mails;

pub const PURPOSE: &str = "confirm";
pub const VALIDITY: Duration = Duration::hours(24);
/// Registrations one client network may make per hour.
const PER_IP_PER_HOUR: u64 = 10;
/// Every registration takes at least this long, whatever happened.
const ANSWER_AFTER: StdDuration = StdDuration::from_millis(400);
/// Reviewers mailed about one request, at most.
const MAX_REVIEWERS_MAILED: u64 = 50;

const REGISTERED: &str = "auth.register";

/// `/register`. Field errors come back at once (they depend only on what was
/// typed); everything else answers `Ok` after `ANSWER_AFTER`.
pub async fn register(
    db: &DatabaseConnection,
    input: &Registration,
    ip: Option<&str>,
    public_url: &str,
) -> Result<(), AppError> {
    let policy = policy::load(db).await.map_err(db_error)?;
    if !policy.registration_open {
        return Err(closed());
    }
    let input = Registration {
        username: input.username.trim().to_lowercase(),
        first_name: input.first_name.trim().to_string(),
        last_name: input.last_name.trim().to_string(),
        email: input.email.trim().to_string(),
        message: input.message.trim().to_string(),
    };
    let mut errors = input.problems();
    if !errors.iter().any(|e| e.field == "username") {
        if let Err(message) = policy::check_username(&policy, &input.username) {
            errors.push(shared::error::FieldError {
                field: "username".into(),
                message,
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let started = Instant::now();
    let outcome = register_inner(db, &input, ip, public_url).await;
    tokio::time::sleep(ANSWER_AFTER.saturating_sub(started.elapsed())).await;
    outcome
}

pub fn closed() -> AppError {
    AppError::Conflict("Registration is closed. Ask an administrator for an invitation.".into())
}

async fn register_inner(
    db: &DatabaseConnection,
    input: &Registration,
    ip: Option<&str>,
    public_url: &str,
) -> Result<(), AppError> {
    let txn = db.begin().await.map_err(db_error)?;
    let limited = match ip {
        Some(ip) => {
            let recent = rate_limit::take(&txn, REGISTERED, ip, Duration::hours(1))
                .await
                .map_err(db_error)?;
            recent >= PER_IP_PER_HOUR
        }
        None => false,
    };
    let owner = user::Entity::find()
        .filter(user::Column::EmailLc.eq(input.email.to_lowercase()))
        .one(&txn)
        .await
        .map_err(db_error)?;
    let (outcome, target) = match owner {
        _ if limited => ("limited_ip", None),
        // Registering again before confirming: a fresh link, the old one ends.
        Some(owner) if owner.status == UserStatus::PendingEmail.as_str() => {
            mail_confirmation(&txn, &owner, public_url).await?;
            ("confirmation_resent", Some(owner))
        }
        Some(owner) => {
            let mail = mails::already_registered(public_url, &owner.first_name);
            outbox::enqueue(&txn, &owner.email, mail)
                .await
                .map_err(db_error)?;
            ("existing_email", Some(owner))
        }
        None if users::username_taken(&txn, &input.username).await? => {
            let mail = mails::username_taken(public_url, &input.first_name, &input.username);
            outbox::enqueue(&txn, &input.email, mail)
                .await
                .map_err(db_error)?;
            ("username_taken", None)
        }
        None => {
            let created = create_pending(&txn, input).await?;
            mail_confirmation(&txn, &created, public_url).await?;
            ("created", Some(created))
        }
    };
    audit::record(
        &txn,
        audit::Event {
            action: REGISTERED,
            actor_name: Some(&input.username),
            target_kind: target.as_ref().map(|_| "user"),
            target_id: target.as_ref().map(|u| u.id.to_string()),
            target_name: target.as_ref().map(|u| u.username.as_str()),
            ip,
            success: outcome == "created",
            details: Some(serde_json::json!({ "outcome": outcome, "email": input.email })),
            ..Default::default()
        },
    )
    .await
    .map_err(db_error)?;
    txn.commit().await.map_err(db_error)
}

/// The account (General user, no password) and its request.
async fn create_pending(
    db: &impl ConnectionTrait,
    input: &Registration,
) -> Result<user::Model, AppError> {
    let created = users::insert(
        db,
        NewUser {
            username: input.username.clone(),
            email: input.email.clone(),
            first_name: input.first_name.clone(),
            last_name: input.last_name.clone(),
            role_id: roles::USER_ROLE_ID,
            status: UserStatus::PendingEmail,
            password_hash: None,
        },
    )
    .await?;
    let message = Some(input.message.clone()).filter(|m| !m.is_empty());
    access_request::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(created.id),
        message: Set(message),
        status: Set(RequestStatus::PendingEmail.as_str().into()),
        created_at: Set(Utc::now()),
        confirmed_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        decided_by_name: Set(None),
        reason: Set(None),
    }
    .insert(db)
    .await
    .map_err(db_error)?;
    Ok(created)
}

async fn mail_confirmation(
    db: &impl ConnectionTrait,
    owner: &user::Model,
    public_url: &str,
) -> Result<(), AppError> {
    let (token, _) = links::issue(db, PURPOSE, owner.id, VALIDITY)
        .await
        .map_err(db_error)?;
    let hours = VALIDITY.num_hours();
    let mail = mails::confirm_email(public_url, &token, &owner.first_name, hours);
    outbox::enqueue(db, &owner.email, mail)
        .await
        .map_err(db_error)?;
    Ok(())
}

fn unusable(message: &str) -> AppError {
    AppError::InvalidLink(message.into())
}

/// The address a confirmation link is for, while it can be used.
pub async fn check(db: &impl ConnectionTrait, token: &str) -> Result<String, AppError> {
    let Some((row, owner)) = links::find(db, PURPOSE, token).await.map_err(db_error)? else {
        return Err(unusable(
            "This confirmation link is not valid. Check that you opened the whole link from the mail.",
        ));
    };
    if row.used_at.is_some() || owner.status != UserStatus::PendingEmail.as_str() {
        return Err(unusable(
            "This address is already confirmed. An administrator will review your request; you will get a mail.",
        ));
    }
    if !links::usable(&row) {
        return Err(unusable(
            "This confirmation link has expired or a newer one was sent. Register again with the same details to get a new link.",
        ));
    }
    Ok(owner.email)
}

/// "Confirm my email address": the link is claimed, the person moves to
/// Review request and the reviewers are mailed, all in one transaction.
pub async fn confirm(
    db: &DatabaseConnection,
    token: &str,
    ip: Option<&str>,
    public_url: &str,
) -> Result<(), AppError> {
    let email = check(db, token).await?;
    let txn = db.begin().await.map_err(db_error)?;
    let claimed = links::claim(&txn, PURPOSE, token).await.map_err(db_error)?;
    let owner = user::Entity::find()
        .filter(user::Column::EmailLc.eq(email.to_lowercase()))
        .one(&txn)
        .await
        .map_err(db_error)?;
    let Some(owner) = owner.filter(|o| claimed && o.status == UserStatus::PendingEmail.as_str())
    else {
        return Err(unusable("This link has just been used."));
    };
    let now = Utc::now();
    let mut update: user::ActiveModel = owner.clone().into();
    update.status = Set(UserStatus::Review.as_str().into());
    update.updated_at = Set(now);
    update.update(&txn).await.map_err(db_error)?;
    access_request::Entity::update_many()
        .col_expr(
            access_request::Column::Status,
            Expr::value(RequestStatus::Review.as_str()),
        )
        .col_expr(access_request::Column::ConfirmedAt, Expr::value(now))
        .filter(access_request::Column::UserId.eq(owner.id))
        .filter(access_request::Column::Status.eq(RequestStatus::PendingEmail.as_str()))
        .exec(&txn)
        .await
        .map_err(db_error)?;
    let name = format!("{} {}", owner.first_name, owner.last_name);
    for reviewer in reviewers(&txn).await? {
        let mail = mails::request_received(public_url, &owner.username, &name, &owner.email);
        outbox::enqueue(&txn, &reviewer, mail)
            .await
            .map_err(db_error)?;
    }
    let actor = Actor {
        id: owner.id,
        username: owner.username.clone(),
        ip: ip.map(str::to_string),
    };
    let details = serde_json::json!({
        "before": { "status": UserStatus::PendingEmail.as_str() },
        "after": { "status": UserStatus::Review.as_str() },
    });
    let target = ("user", owner.id.to_string(), owner.username.as_str());
    audit::record_change(&txn, &actor, "user.confirm_email", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)
}

/// The addresses of active users who may review requests.
async fn reviewers(db: &impl ConnectionTrait) -> Result<Vec<String>, AppError> {
    let mut role_ids: Vec<Uuid> = role::Entity::find()
        .filter(role::Column::AllPermissions.eq(true))
        .select_only()
        .column(role::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)?;
    let granted: Vec<Uuid> = role_permission::Entity::find()
        .filter(
            role_permission::Column::Permission
                .eq(shared::model::Permission::RequestsReview.as_str()),
        )
        .select_only()
        .column(role_permission::Column::RoleId)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)?;
    role_ids.extend(granted);
    user::Entity::find()
        .filter(user::Column::RoleId.is_in(role_ids))
        .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
        .select_only()
        .column(user::Column::Email)
        .limit(MAX_REVIEWERS_MAILED)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)
}

/// The user behind a request, for the decisions in `access_requests`.
pub async fn user_of(
    db: &impl ConnectionTrait,
    request: &access_request::Model,
) -> Result<user::Model, AppError> {
    user::Entity::find()
        .filter(user::Column::Id.eq(request.user_id))
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
pub(crate) mod tests;
