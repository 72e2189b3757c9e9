//! Mass actions on users (activate, deactivate, delete, set role, add to or
//! remove from a group) as a background job over batches of users, in `seq`
//! order. Each batch decides per user (change or skip, and why), applies the
//! change with one statement per table, writes an audit event per changed
//! user and moves the job's cursor, all in one transaction.
use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::QueryTrait;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use shared::error::FieldError;
use shared::model::{BulkAction, BulkPreview, BulkRequest, BulkSelection, UserQuery, UserStatus};
use shared::AppError;
use uuid::Uuid;

use super::access::{self, Act, AdminsLeft, Authority, Permit};
use super::actor::Actor;
use super::{db_error, directory, jobs};
use crate::db::entities::{audit_event, group, group_member, job, job_item, role, user};

mod apply;
mod preview;
mod run;
use apply::*;
pub use preview::*;
pub use run::*;
#[cfg(test)]
mod tests;

pub const KIND: &str = "users.bulk";

/// Users per batch (and per transaction).
pub const BATCH: u64 = 5000;

/// What a mass-action job was asked to do, kept in the job row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkParams {
    pub action: BulkAction,
    pub selection: BulkSelection,
    /// The role or group the action needs.
    pub target: Option<Uuid>,
    pub target_name: Option<String>,
    /// The base of links in mail, for actions that send some.
    #[serde(default)]
    pub public_url: Option<String>,
}

async fn selection_condition(
    db: &impl ConnectionTrait,
    selection: &BulkSelection,
) -> Result<Condition, AppError> {
    match selection {
        BulkSelection::Rows(seqs) => {
            Ok(Condition::all().add(user::Column::Seq.is_in(seqs.clone())))
        }
        BulkSelection::Matching(filters) => {
            directory::filters(db, &UserQuery::parse(filters)).await
        }
    }
}

/// What the action itself needs beyond `users.write`.
fn check_action(authority: &Authority, action: BulkAction) -> Result<(), AppError> {
    use shared::model::Permission;
    match action {
        BulkAction::AddToGroup | BulkAction::RemoveFromGroup => {
            authority.require(Permission::GroupsManage, "Changing group memberships")
        }
        BulkAction::Delete => authority.require(Permission::UsersDelete, "Deleting users"),
        _ => authority.require(Permission::UsersWrite, "Changing users"),
    }
}

/// The act a mass action does to each user.
fn act_of(action: BulkAction, target: Option<Uuid>) -> Act {
    match action {
        BulkAction::Activate => Act::Activate,
        BulkAction::Deactivate => Act::Deactivate,
        BulkAction::Delete => Act::Delete,
        BulkAction::SetRole => Act::SetRole(target.unwrap_or_default()),
        BulkAction::AddToGroup | BulkAction::RemoveFromGroup => Act::Groups,
        BulkAction::SendInvitation => Act::Credentials,
    }
}

/// The role or group named by the confirmation's choice, checked.
async fn resolve_target(
    db: &impl ConnectionTrait,
    action: BulkAction,
    target: Option<&str>,
) -> Result<Option<(Uuid, String)>, AppError> {
    use shared::model::bulk::BulkTarget;
    let Some(kind) = action.target() else {
        return Ok(None);
    };
    let id = target.and_then(|t| Uuid::parse_str(t.trim()).ok());
    let found = match (kind, id) {
        (BulkTarget::Role, Some(id)) => role::Entity::find_by_id(id)
            .one(db)
            .await
            .map_err(db_error)?
            .map(|r| (r.id, r.name)),
        (BulkTarget::Group, Some(id)) => group::Entity::find_by_id(id)
            .one(db)
            .await
            .map_err(db_error)?
            .map(|g| (g.id, g.name)),
        (_, None) => None,
    };
    let message = match kind {
        BulkTarget::Role => "Choose a role.",
        BulkTarget::Group => "Choose a group.",
    };
    found.map(Some).ok_or_else(|| {
        AppError::Validation(vec![FieldError {
            field: "target".into(),
            message: message.into(),
        }])
    })
}

/// Queues the job after the confirmation; returns its id.
pub async fn start(
    db: &DatabaseConnection,
    actor: &Actor,
    request: &BulkRequest,
    target: Option<&str>,
) -> Result<Uuid, AppError> {
    start_with_links(db, actor, request, target, None).await
}

/// "Confirm" on the mass-action page: the job is queued with the links its
/// mails need, and this instance's worker is woken.
pub async fn queue(
    state: &crate::state::AppState,
    actor: &Actor,
    request: &BulkRequest,
    target: Option<&str>,
) -> Result<Uuid, AppError> {
    let public_url = state.public_url().await;
    let id = start_with_links(&state.db, actor, request, target, Some(&public_url)).await?;
    state.jobs.notify_one();
    Ok(id)
}

/// `start`, with the base of links for actions that mail them.
pub async fn start_with_links(
    db: &DatabaseConnection,
    actor: &Actor,
    request: &BulkRequest,
    target: Option<&str>,
    public_url: Option<&str>,
) -> Result<Uuid, AppError> {
    let authority = Authority::load(db, actor).await?;
    check_action(&authority, request.action)?;
    let target = resolve_target(db, request.action, target).await?;
    if let (BulkAction::SetRole, Some((role_id, _))) = (request.action, &target) {
        authority.may_give(*role_id)?;
    }
    let params = BulkParams {
        action: request.action,
        selection: request.selection.clone(),
        target: target.as_ref().map(|t| t.0),
        target_name: target.map(|t| t.1),
        public_url: public_url.map(str::to_string),
    };
    let json = serde_json::to_value(&params).map_err(|e| AppError::Internal(e.to_string()))?;
    let txn = db.begin().await.map_err(db_error)?;
    let id = jobs::create(&txn, KIND, json.clone(), 0, actor)
        .await
        .map_err(db_error)?;
    // The confirmed users, fixed now: the filter is evaluated once, the
    // batches read this list, and users who arrive later are left alone.
    let matching = user::Entity::find()
        .select_only()
        .expr(Expr::val(id))
        .column(user::Column::Seq)
        .filter(selection_condition(db, &request.selection).await?)
        .into_query();
    let insert = sea_orm::sea_query::Query::insert()
        .into_table(job_item::Entity)
        .columns([job_item::Column::JobId, job_item::Column::Seq])
        .select_from(matching)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .to_owned();
    let total = txn
        .execute(&insert)
        .await
        .map_err(db_error)?
        .rows_affected();
    if total == 0 {
        return Err(AppError::Conflict("No users match any more.".into()));
    }
    job::Entity::update_many()
        .col_expr(job::Column::Total, Expr::value(total as i64))
        .filter(job::Column::Id.eq(id))
        .exec(&txn)
        .await
        .map_err(db_error)?;
    super::audit::record_change(
        &txn,
        actor,
        "users.bulk",
        ("job", id.to_string(), &title(&params, total)),
        Some(json),
    )
    .await?;
    txn.commit().await.map_err(db_error)?;
    Ok(id)
}

/// "Deactivate 1,234 users", "Add 3 users to Staff".
pub fn title(params: &BulkParams, total: u64) -> String {
    let n = shared::model::page::thousands(total);
    let users = if total == 1 { "user" } else { "users" };
    let target = params.target_name.as_deref().unwrap_or("?");
    match params.action {
        BulkAction::SetRole => format!("Set the role of {n} {users} to {target}"),
        BulkAction::AddToGroup => format!("Add {n} {users} to {target}"),
        BulkAction::RemoveFromGroup => format!("Remove {n} {users} from {target}"),
        action => format!("{} {n} {users}", action.verb()),
    }
}

pub fn params_of(job: &job::Model) -> Result<BulkParams, String> {
    serde_json::from_str(&job.params).map_err(|e| format!("Unreadable job: {e}"))
}

/// The job page's view of a mass action.
pub fn view(job: &job::Model) -> shared::model::JobView {
    let (title, back) = match params_of(job) {
        Ok(params) => {
            let back = BulkRequest {
                action: params.action,
                selection: params.selection.clone(),
            }
            .back_href();
            (title(&params, job.total.max(0) as u64), back)
        }
        Err(error) => (error, "/users".into()),
    };
    jobs::view(job, title, back)
}
