//! Mass actions on users (activate, deactivate, delete, set role, add to or
//! remove from a group) as a background job over batches of users, in `seq`
//! order. Each batch decides per user (change or skip, and why), applies the
//! change with one statement per table, writes an audit event per changed
//! user and moves the job's cursor, all in one transaction.
use std::collections::{BTreeMap, HashSet};

use app::error::FieldError;
use app::model::{
    BulkAction, BulkPreview, BulkRequest, BulkSelection, RevocationReason, UserQuery, UserStatus,
};
use app::AppError;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::QueryTrait;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::roles::ADMIN_ROLE_ID;
use super::users::Actor;
use super::{db_error, directory, jobs};
use crate::db::entities::{audit_event, group, group_member, job, job_item, role, session, user};

pub const KIND: &str = "users.bulk";

/// Users per batch (and per transaction).
pub const BATCH: u64 = 5000;

/// What a mass-action job was asked to do, kept in the job row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Params {
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

/// The confirmation: the exact count, a few names, and the roles or groups.
pub async fn preview(
    db: &DatabaseConnection,
    request: &BulkRequest,
) -> Result<BulkPreview, AppError> {
    let condition = selection_condition(db, &request.selection).await?;
    let count = user::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await
        .map_err(db_error)?;
    let sample: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Username)
        .filter(condition)
        .order_by_asc(user::Column::Seq)
        .limit(5)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)?;
    let choices = match request.action.target() {
        Some(app::model::bulk::BulkTarget::Role) => super::roles::list(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
        Some(app::model::bulk::BulkTarget::Group) => super::groups::list(db)
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect(),
        None => Vec::new(),
    };
    Ok(BulkPreview {
        action: request.action,
        count,
        sample,
        choices,
    })
}

/// The role or group named by the confirmation's choice, checked.
async fn resolve_target(
    db: &impl ConnectionTrait,
    action: BulkAction,
    target: Option<&str>,
) -> Result<Option<(Uuid, String)>, AppError> {
    use app::model::bulk::BulkTarget;
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

/// `start`, with the base of links for actions that mail them.
pub async fn start_with_links(
    db: &DatabaseConnection,
    actor: &Actor,
    request: &BulkRequest,
    target: Option<&str>,
    public_url: Option<&str>,
) -> Result<Uuid, AppError> {
    let target = resolve_target(db, request.action, target).await?;
    let params = Params {
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
pub fn title(params: &Params, total: u64) -> String {
    let n = app::model::page::thousands(total);
    let users = if total == 1 { "user" } else { "users" };
    let target = params.target_name.as_deref().unwrap_or("?");
    match params.action {
        BulkAction::SetRole => format!("Set the role of {n} {users} to {target}"),
        BulkAction::AddToGroup => format!("Add {n} {users} to {target}"),
        BulkAction::RemoveFromGroup => format!("Remove {n} {users} from {target}"),
        action => format!("{} {n} {users}", action.verb()),
    }
}

pub fn params_of(job: &job::Model) -> Result<Params, String> {
    serde_json::from_str(&job.params).map_err(|e| format!("Unreadable job: {e}"))
}

/// The job page's view of a mass action.
pub fn view(job: &job::Model) -> app::model::JobView {
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

/// Runs the claimed job batch by batch to its end.
pub async fn run(db: &DatabaseConnection, mut job: job::Model) -> Result<(), DbErr> {
    let params = match params_of(&job) {
        Ok(p) => p,
        Err(error) => return jobs::finish(db, &job, Err(error)).await,
    };
    loop {
        match run_batch(db, &job, &params).await {
            Ok(Some(next)) => job = next,
            Ok(None) => return jobs::finish(db, &job, Ok(())).await,
            Err(Stop::LostLease) => {
                tracing::warn!(id = %job.id, "job moved on by another runner; leaving it");
                return Ok(());
            }
            Err(Stop::Db(error)) => {
                tracing::error!(id = %job.id, %error, "mass action failed");
                let message = format!(
                    "Stopped after {} users: a database error ({error}). Nothing after that was changed.",
                    job.processed
                );
                return jobs::finish(db, &job, Err(message)).await;
            }
        }
    }
}

#[derive(Debug)]
pub enum Stop {
    LostLease,
    Db(DbErr),
}

impl From<DbErr> for Stop {
    fn from(e: DbErr) -> Self {
        Stop::Db(e)
    }
}

/// Why a user is left alone, if they are.
pub fn skip_reason(
    action: BulkAction,
    target: Option<Uuid>,
    row: &user::Model,
    actor_id: Uuid,
    member: bool,
) -> Option<&'static str> {
    let lifecycle = !matches!(action, BulkAction::AddToGroup | BulkAction::RemoveFromGroup);
    if lifecycle && row.id == actor_id {
        return Some("your own account");
    }
    let inactive = row.status == UserStatus::Inactive.as_str();
    match action {
        BulkAction::Activate if !inactive => Some("not inactive"),
        BulkAction::Deactivate if inactive => Some("already inactive"),
        BulkAction::SetRole if Some(row.role_id) == target => Some("already has this role"),
        BulkAction::AddToGroup if member => Some("already in the group"),
        BulkAction::RemoveFromGroup if !member => Some("not in the group"),
        BulkAction::SendInvitation if row.status != UserStatus::Invited.as_str() => {
            Some("already joined")
        }
        _ => None,
    }
}

/// Whether the action takes away an active admin.
fn removes_admin(action: BulkAction, target: Option<Uuid>, row: &user::Model) -> bool {
    let active_admin = row.role_id == ADMIN_ROLE_ID && row.status == UserStatus::Active.as_str();
    active_admin
        && match action {
            BulkAction::Deactivate | BulkAction::Delete => true,
            BulkAction::SetRole => target != Some(ADMIN_ROLE_ID),
            _ => false,
        }
}

const LAST_ADMIN: &str = "the last active administrator";

/// A job's cursor holds its pass and the last user done in it.
const PASS_SPAN: i64 = 1 << 48;

/// PostgreSQL changes a row's status in place (HOT) only while its page has
/// room for the new version: about four rows per page at a time. A status
/// change over neighbouring users therefore goes in passes (every eighth user
/// per pass), so each transaction leaves room on every page it touches and
/// the next pass finds the old versions pruned. Elsewhere one pass in order.
fn passes(db: &impl ConnectionTrait, action: BulkAction) -> i64 {
    let status_change = matches!(action, BulkAction::Activate | BulkAction::Deactivate);
    if status_change && db.get_database_backend() == sea_orm::DbBackend::Postgres {
        8
    } else {
        1
    }
}

/// The next batch of the job's users and the cursor after it, or `None`
/// when every pass is done.
async fn next_items(
    txn: &impl ConnectionTrait,
    job: &job::Model,
    params: &Params,
) -> Result<Option<(Vec<i64>, i64)>, DbErr> {
    let passes = passes(txn, params.action);
    let (mut pass, mut after) = (job.cursor / PASS_SPAN, job.cursor % PASS_SPAN);
    while pass < passes {
        let mut select = job_item::Entity::find()
            .select_only()
            .column(job_item::Column::Seq)
            .filter(job_item::Column::JobId.eq(job.id))
            .filter(job_item::Column::Seq.gt(after));
        if passes > 1 {
            select = select.filter(Expr::cust(format!("job_items.seq % {passes} = {pass}")));
        }
        let items: Vec<i64> = select
            .order_by_asc(job_item::Column::Seq)
            .limit(BATCH)
            .into_tuple()
            .all(txn)
            .await?;
        if let Some(&last) = items.last() {
            return Ok(Some((items, pass * PASS_SPAN + last)));
        }
        pass += 1;
        after = 0;
    }
    Ok(None)
}

/// One batch; the job as it stands after it, or `None` when nothing is left.
pub async fn run_batch(
    db: &DatabaseConnection,
    job: &job::Model,
    params: &Params,
) -> Result<Option<job::Model>, Stop> {
    let txn = db.begin().await?;
    let Some((items, cursor)) = next_items(&txn, job, params).await? else {
        return Ok(None);
    };
    let rows = user::Entity::find()
        .filter(user::Column::Seq.is_in(items.clone()))
        .order_by_asc(user::Column::Seq)
        .all(&txn)
        .await?;
    let actor = jobs::actor_of(job);
    let members: HashSet<Uuid> = match (params.action, params.target) {
        (BulkAction::AddToGroup | BulkAction::RemoveFromGroup, Some(group_id)) => {
            group_member::Entity::find()
                .select_only()
                .column(group_member::Column::UserId)
                .filter(group_member::Column::GroupId.eq(group_id))
                .filter(group_member::Column::UserId.is_in(rows.iter().map(|r| r.id)))
                .into_tuple::<Uuid>()
                .all(&txn)
                .await?
                .into_iter()
                .collect()
        }
        _ => HashSet::new(),
    };

    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    let gone = items.len() - rows.len();
    if gone > 0 {
        skipped.insert("deleted meanwhile".into(), gone as u64);
    }
    let mut change: Vec<&user::Model> = Vec::new();
    for row in &rows {
        let member = members.contains(&row.id);
        match skip_reason(params.action, params.target, row, actor.id, member) {
            Some(reason) => *skipped.entry(reason.into()).or_default() += 1,
            None => change.push(row),
        }
    }
    // Keep at least one active admin: of the admins this batch would take
    // away, change only as many as leave one behind.
    let admins_here = change
        .iter()
        .filter(|r| removes_admin(params.action, params.target, r))
        .count() as u64;
    if admins_here > 0 {
        let active_admins = user::Entity::find()
            .filter(user::Column::RoleId.eq(ADMIN_ROLE_ID))
            .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
            .count(&txn)
            .await?;
        let mut may_remove = active_admins.saturating_sub(1);
        change.retain(|r| {
            if !removes_admin(params.action, params.target, r) {
                return true;
            }
            if may_remove > 0 {
                may_remove -= 1;
                return true;
            }
            *skipped.entry(LAST_ADMIN.into()).or_default() += 1;
            false
        });
    }

    if !change.is_empty() {
        if params.action == BulkAction::SendInvitation {
            // Each invitation writes its own audit event.
            send_invitations(&txn, params, &actor, &change).await?;
        } else {
            apply(&txn, params, &change).await?;
            audit(&txn, job, params, &actor, &change).await?;
        }
    }
    let batch = jobs::BatchResult {
        cursor,
        processed: items.len() as u64,
        changed: change.len() as u64,
        skipped,
    };
    let Some(next) = jobs::advance(&txn, job, &batch).await? else {
        return Err(Stop::LostLease);
    };
    txn.commit().await?;
    Ok(Some(next))
}

async fn send_invitations(
    txn: &impl ConnectionTrait,
    params: &Params,
    actor: &Actor,
    change: &[&user::Model],
) -> Result<(), DbErr> {
    let public_url = params
        .public_url
        .as_deref()
        .ok_or_else(|| DbErr::Custom("the job has no public address for links".into()))?;
    for row in change {
        super::invitations::send(txn, actor, row, public_url)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    Ok(())
}

async fn apply(
    txn: &impl ConnectionTrait,
    params: &Params,
    change: &[&user::Model],
) -> Result<(), DbErr> {
    let seqs: Vec<i64> = change.iter().map(|r| r.seq).collect();
    let ids: Vec<Uuid> = change.iter().map(|r| r.id).collect();
    let now = Utc::now();
    let set_status = |status: UserStatus| {
        user::Entity::update_many()
            .col_expr(user::Column::Status, Expr::value(status.as_str()))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Seq.is_in(seqs.clone()))
    };
    match (params.action, params.target) {
        (BulkAction::Activate, _) => {
            set_status(UserStatus::Active).exec(txn).await?;
        }
        (BulkAction::Deactivate, _) => {
            set_status(UserStatus::Inactive).exec(txn).await?;
            // A deactivated user is signed out everywhere at once, and
            // their certificates stop working.
            session::Entity::delete_many()
                .filter(session::Column::UserId.is_in(ids.clone()))
                .exec(txn)
                .await?;
            super::certificates::revoke_all_of(txn, &ids, RevocationReason::CessationOfOperation)
                .await?;
        }
        (BulkAction::Delete, _) => {
            super::certificates::revoke_all_of(txn, &ids, RevocationReason::CessationOfOperation)
                .await?;
            user::Entity::delete_many()
                .filter(user::Column::Seq.is_in(seqs))
                .exec(txn)
                .await?;
        }
        (BulkAction::SetRole, Some(role_id)) => {
            user::Entity::update_many()
                .col_expr(user::Column::RoleId, Expr::value(role_id))
                .col_expr(user::Column::UpdatedAt, Expr::value(now))
                .filter(user::Column::Seq.is_in(seqs))
                .exec(txn)
                .await?;
        }
        (BulkAction::AddToGroup, Some(group_id)) => {
            group_member::Entity::insert_many(ids.into_iter().map(|user_id| {
                group_member::ActiveModel {
                    group_id: Set(group_id),
                    user_id: Set(user_id),
                    created_at: Set(now),
                }
            }))
            .exec(txn)
            .await?;
        }
        (BulkAction::RemoveFromGroup, Some(group_id)) => {
            group_member::Entity::delete_many()
                .filter(group_member::Column::GroupId.eq(group_id))
                .filter(group_member::Column::UserId.is_in(ids))
                .exec(txn)
                .await?;
        }
        (BulkAction::SendInvitation, _) => {}
        (_, None) => return Err(DbErr::Custom("the job has no role or group".into())),
    }
    Ok(())
}

/// One audit event per changed user, as the single-user actions write them,
/// plus the job's id.
async fn audit(
    txn: &impl ConnectionTrait,
    job: &job::Model,
    params: &Params,
    actor: &Actor,
    change: &[&user::Model],
) -> Result<(), DbErr> {
    let now = Utc::now();
    let job_id = job.id.to_string();
    let events = change.iter().map(|row| {
        let (action, details) = match params.action {
            BulkAction::Activate | BulkAction::Deactivate => {
                let (action, after) = if params.action == BulkAction::Activate {
                    ("user.activate", UserStatus::Active)
                } else {
                    ("user.deactivate", UserStatus::Inactive)
                };
                (
                    action,
                    serde_json::json!({
                        "before": { "status": row.status }, "after": { "status": after.as_str() },
                    }),
                )
            }
            BulkAction::Delete => (
                "user.delete",
                serde_json::json!({ "before": { "email": row.email, "status": row.status } }),
            ),
            BulkAction::SetRole => (
                "user.update",
                serde_json::json!({
                    "before": { "role_id": row.role_id }, "after": { "role_id": params.target },
                }),
            ),
            // (Not reached: each invitation writes its own event. Named for
            // what it is all the same.)
            BulkAction::SendInvitation => {
                ("user.invite", serde_json::json!({ "via": "mass action" }))
            }
            BulkAction::AddToGroup | BulkAction::RemoveFromGroup => {
                let action = if params.action == BulkAction::AddToGroup {
                    "group.add_member"
                } else {
                    "group.remove_member"
                };
                let group = params.target_name.clone().unwrap_or_default();
                (action, serde_json::json!({ "group": group }))
            }
        };
        let mut details = details;
        details["job"] = serde_json::Value::String(job_id.clone());
        super::audit::user_change_row(actor, action, (row.id, &row.username), details, now)
    });
    let events: Vec<audit_event::ActiveModel> = events.collect();
    super::audit::insert_rows(txn, &events).await?;
    Ok(())
}
