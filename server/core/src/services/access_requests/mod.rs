//! `/requests`: reviewers approve a confirmed registration (choosing role and
//! groups; the person then gets a link to choose their password and is
//! Invited until they do) or reject it with a reason, which is mailed to them.
//! Decided requests are kept, with who decided, when and why.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use shared::model::{AccessRequestView, RequestList, RequestStatus, UserStatus};
use shared::model::{ApprovalMode, Approved};
use shared::{validation, AppError};
use uuid::Uuid;

use super::actor::Actor;
use super::{audit, certificates, db_error, groups, invitations, links, outbox, registration};
use crate::db::entities::{access_request, user};
use crate::mail::registration_templates as mails;
use crate::state::AppState;

pub const PER_PAGE: u64 = 25;

/// Requests in one state, newest first, with their people.
pub async fn list(
    db: &impl ConnectionTrait,
    status: RequestStatus,
    page: u64,
) -> Result<RequestList, AppError> {
    let page = page.max(1);
    let filtered =
        access_request::Entity::find().filter(access_request::Column::Status.eq(status.as_str()));
    let total = filtered.clone().count(db).await.map_err(db_error)?;
    let rows = filtered
        .order_by_desc(access_request::Column::CreatedAt)
        .order_by_desc(access_request::Column::Id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db)
        .await
        .map_err(db_error)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.user_id).collect();
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(db_error)?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let person = people.iter().find(|u| u.id == r.user_id)?;
            Some(view(r, person))
        })
        .collect();
    Ok(RequestList {
        status,
        items,
        total,
        page,
        per_page: PER_PAGE,
        waiting: waiting(db).await?,
    })
}

/// How many requests wait for review (the navigation's badge).
pub async fn waiting(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    access_request::Entity::find()
        .filter(access_request::Column::Status.eq(RequestStatus::Review.as_str()))
        .count(db)
        .await
        .map_err(db_error)
}

pub async fn detail(db: &impl ConnectionTrait, id: &str) -> Result<AccessRequestView, AppError> {
    let row = find(db, id).await?;
    let person = registration::user_of(db, &row).await?;
    Ok(view(row, &person))
}

async fn find(db: &impl ConnectionTrait, id: &str) -> Result<access_request::Model, AppError> {
    let id = super::parse_id(id.trim())?;
    access_request::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)
}

fn view(row: access_request::Model, person: &user::Model) -> AccessRequestView {
    AccessRequestView {
        id: row.id.to_string(),
        username: person.username.clone(),
        first_name: person.first_name.clone(),
        last_name: person.last_name.clone(),
        email: person.email.clone(),
        message: row.message,
        status: RequestStatus::parse(&row.status).unwrap_or(RequestStatus::Review),
        created_at: row.created_at.to_rfc3339(),
        confirmed_at: row.confirmed_at.map(|t| t.to_rfc3339()),
        decided_at: row.decided_at.map(|t| t.to_rfc3339()),
        decided_by: row.decided_by_name,
        reason: row.reason,
    }
}

/// Moves the request from one of `from` to `to`, only if it is still there:
/// of two reviewers deciding at once, one wins and the other is told.
async fn decide(
    db: &impl ConnectionTrait,
    actor: &Actor,
    row: &access_request::Model,
    from: &[RequestStatus],
    to: RequestStatus,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let moved = access_request::Entity::update_many()
        .col_expr(access_request::Column::Status, Expr::value(to.as_str()))
        .col_expr(access_request::Column::DecidedAt, Expr::value(Utc::now()))
        .col_expr(access_request::Column::DecidedBy, Expr::value(actor.id))
        .col_expr(
            access_request::Column::DecidedByName,
            Expr::value(actor.username.clone()),
        )
        .col_expr(
            access_request::Column::Reason,
            Expr::value(reason.map(str::to_string)),
        )
        .filter(access_request::Column::Id.eq(row.id))
        .filter(access_request::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await
        .map_err(db_error)?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(
            "This request has already been decided (or is not confirmed yet).".into(),
        ));
    }
    Ok(())
}

/// Sets the person's status (and, on approval, role), in one statement.
async fn move_user(
    db: &impl ConnectionTrait,
    person: &user::Model,
    to: UserStatus,
    role: Option<Uuid>,
) -> Result<(), AppError> {
    let mut update = user::Entity::update_many()
        .col_expr(user::Column::Status, Expr::value(to.as_str()))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()));
    if let Some(role) = role {
        update = update.col_expr(user::Column::RoleId, Expr::value(role));
    }
    update
        .filter(user::Column::Id.eq(person.id))
        .exec(db)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// What the reviewer chose on approval.
pub struct Approval {
    pub role_id: Uuid,
    pub group_ids: Vec<Uuid>,
}

/// In certificate mode (OpenUEM's way), what approving issues with.
pub struct CertificateApproval<'a> {
    pub ca: &'a crate::pki::Ca,
    pub sign_in_url: &'a str,
}

/// "Approve" as the certificate settings say: by invitation link, or by
/// issuing a certificate (certificate mode).
pub async fn approve_as_configured(
    state: &AppState,
    actor: &Actor,
    id: &str,
    approval: Approval,
) -> Result<Approved, AppError> {
    let url = state.public_url().await;
    let mode = super::certificates::settings(&state.db)
        .await?
        .approval_mode;
    let (ca, sign_in_url) = match mode {
        ApprovalMode::Certificate => (Some(state.ca().await?), state.sign_in_page_url().await),
        ApprovalMode::Link => (None, String::new()),
    };
    let with = ca.as_ref().map(|ca| CertificateApproval {
        ca,
        sign_in_url: &sign_in_url,
    });
    approve(&state.db, actor, id, approval, &url, with).await
}

/// Approves a confirmed request in one transaction: role and groups set,
/// then either the person is Invited and mailed a link to choose their
/// password, or (certificate mode) issued a certificate, mailed, and
/// "Certificate sent". A reviewer cannot grant a role with permissions they
/// do not have themselves.
pub async fn approve(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &str,
    approval: Approval,
    public_url: &str,
    certificate: Option<CertificateApproval<'_>>,
) -> Result<Approved, AppError> {
    let role = groups::chosen_role_and_groups(db, approval.role_id, &approval.group_ids).await?;
    let txn = db.begin().await.map_err(db_error)?;
    super::access::Authority::load(&txn, actor)
        .await?
        .may_give(role.id)?;
    let row = find(&txn, id).await?;
    decide(
        &txn,
        actor,
        &row,
        &[RequestStatus::Review],
        RequestStatus::Approved,
        None,
    )
    .await?;
    let person = registration::user_of(&txn, &row).await?;
    let next = if certificate.is_some() {
        UserStatus::CertificateSent
    } else {
        UserStatus::Invited
    };
    move_user(&txn, &person, next, Some(role.id)).await?;
    groups::add_memberships(&txn, person.id, &approval.group_ids).await?;
    let issued = match certificate {
        Some(with) => {
            let days = certificates::settings(&txn).await?.client_validity_days;
            let request = certificates::Issue {
                user: &person,
                days,
                profile: crate::pki::Pkcs12Profile::Modern,
                actor: Some(actor),
                public_url,
                sign_in_url: with.sign_in_url,
            };
            Some(certificates::issue(&txn, with.ca, request).await?)
        }
        None => {
            let validity = invitations::validity(&txn).await?;
            let (token, _) = links::issue(&txn, invitations::PURPOSE, person.id, validity)
                .await
                .map_err(db_error)?;
            let mail = mails::request_approved(
                public_url,
                &token,
                &person.first_name,
                validity.num_hours(),
            );
            outbox::enqueue(&txn, &person.email, mail)
                .await
                .map_err(db_error)?;
            None
        }
    };
    let details = serde_json::json!({
        "before": { "status": person.status },
        "after": { "status": next.as_str(), "role": role.name,
                   "groups": approval.group_ids.len() },
    });
    let target = ("user", person.id.to_string(), person.username.as_str());
    audit::record_change(&txn, actor, "request.approve", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)?;
    Ok(Approved {
        username: person.username,
        certificate: issued,
    })
}

/// Rejects a request (confirmed or not) with a reason. The person becomes
/// Rejected and cannot sign in; only a confirmed address is mailed the
/// reason, so an unconfirmed one cannot be used to send mail to strangers.
pub async fn reject(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &str,
    reason: &str,
) -> Result<String, AppError> {
    let reason = reason.trim();
    validation::reason(reason).map_err(|m| AppError::field("reason", m))?;
    let txn = db.begin().await.map_err(db_error)?;
    let row = find(&txn, id).await?;
    let from = [RequestStatus::Review, RequestStatus::PendingEmail];
    decide(
        &txn,
        actor,
        &row,
        &from,
        RequestStatus::Rejected,
        Some(reason),
    )
    .await?;
    let person = registration::user_of(&txn, &row).await?;
    move_user(&txn, &person, UserStatus::Rejected, None).await?;
    links::end_all(&txn, registration::PURPOSE, person.id)
        .await
        .map_err(db_error)?;
    if row.confirmed_at.is_some() {
        let mail = mails::request_rejected(&person.first_name, reason);
        outbox::enqueue(&txn, &person.email, mail)
            .await
            .map_err(db_error)?;
    }
    let details = serde_json::json!({
        "before": { "status": person.status },
        "after": { "status": UserStatus::Rejected.as_str() },
        "reason": reason,
    });
    let target = ("user", person.id.to_string(), person.username.as_str());
    audit::record_change(&txn, actor, "request.reject", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)?;
    Ok(person.username)
}

#[cfg(test)]
mod tests;
