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
    actor: &Actor,
    request: &BulkRequest,
) -> Result<BulkPreview, AppError> {
    let authority = Authority::load(db, actor).await?;
    check_action(&authority, request.action)?;
    let condition = selection_condition(db, &request.selection).await?;
    let count = user::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await
        .map_err(db_error)?;
    let sample: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Username)
        .filter(condition.clone())
        .order_by_asc(user::Column::Seq)
        .limit(5)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)?;
    let choices = match request.action.target() {
        Some(shared::model::bulk::BulkTarget::Role) => {
            let assignable = authority.assignable_roles();
            super::roles::list(db)
                .await?
                .into_iter()
                .filter(|r| assignable.iter().any(|id| id.to_string() == r.id))
                .map(|r| (r.id, r.name))
                .collect()
        }
        Some(shared::model::bulk::BulkTarget::Group) => super::groups::list(db)
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect(),
        None => Vec::new(),
    };
    let refused = refused_in(db, &authority, request.action, condition).await?;
    Ok(BulkPreview {
        action: request.action,
        count,
        sample,
        choices,
        refused,
    })
}

/// The selection's users the rules refuse whatever the state: those whose
/// role outranks the actor, and the actor themselves for lifecycle acts.
async fn refused_in(
    db: &impl ConnectionTrait,
    authority: &Authority,
    action: BulkAction,
    condition: Condition,
) -> Result<Vec<(String, u64)>, AppError> {
    let above: Vec<Uuid> = authority.roles_above();
    let mut out = Vec::new();
    if !above.is_empty() {
        let n = user::Entity::find()
            .filter(condition.clone())
            .filter(user::Column::RoleId.is_in(above))
            .count(db)
            .await
            .map_err(db_error)?;
        if n > 0 {
            out.push((access::OUTRANKS_YOU.to_string(), n));
        }
    }
    let lifecycle = matches!(
        action,
        BulkAction::Activate | BulkAction::Deactivate | BulkAction::Delete | BulkAction::SetRole
    );
    if lifecycle {
        let me = user::Entity::find()
            .filter(condition)
            .filter(user::Column::Id.eq(authority.actor().id))
            .count(db)
            .await
            .map_err(db_error)?;
        if me > 0 {
            out.push((access::YOURSELF.to_string(), me));
        }
    }
    Ok(out)
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

pub fn params_of(job: &job::Model) -> Result<Params, String> {
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
            Err(Stop::Refused(message)) => {
                return jobs::finish(db, &job, Err(message)).await;
            }
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
    /// The actor may no longer act (their account is gone or inactive, or
    /// lost the permission): the job fails closed.
    Refused(String),
    Db(DbErr),
}

impl From<DbErr> for Stop {
    fn from(e: DbErr) -> Self {
        Stop::Db(e)
    }
}

/// Why a user's state makes the action pointless, if it does (the rules of
/// who may act on whom are `access`'s).
pub fn skip_reason(
    action: BulkAction,
    target: Option<Uuid>,
    row: &user::Model,
    member: bool,
) -> Option<&'static str> {
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
    let authority = match Authority::load(&txn, &actor).await {
        Ok(a) => a,
        Err(e) => return Err(Stop::Refused(e.to_string())),
    };
    if let Err(e) = check_action(&authority, params.action) {
        return Err(Stop::Refused(e.to_string()));
    }
    let act = act_of(params.action, params.target);
    let mut admins = AdminsLeft::unknown();
    let mut change: Vec<Permit<'_>> = Vec::new();
    for row in &rows {
        let member = members.contains(&row.id);
        let state = skip_reason(params.action, params.target, row, member);
        // The rules first (a refused user is counted as refused even when
        // the state would skip them too), then the state, then the count.
        let reason = match authority.refusal(row, act) {
            Some(refusal) => Some(refusal.reason),
            None => state,
        };
        if let Some(reason) = reason {
            *skipped.entry(reason.into()).or_default() += 1;
            continue;
        }
        match authority.permit(&txn, row, act, &mut admins).await {
            Ok(permit) => change.push(permit),
            Err(refusal) => *skipped.entry(refusal.reason.into()).or_default() += 1,
        }
    }

    if !change.is_empty() {
        match params.action {
            BulkAction::SendInvitation => {
                // Each invitation writes its own audit event.
                send_invitations(&txn, params, &actor, &change).await?;
            }
            BulkAction::AddToGroup | BulkAction::RemoveFromGroup => {
                apply_groups(&txn, params, &change).await?;
                audit_groups(&txn, job, params, &actor, &change).await?;
            }
            _ => {
                let source = Some(("job", job.id.to_string()));
                super::transitions::apply(&txn, &actor, &change, source).await?;
            }
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
    change: &[Permit<'_>],
) -> Result<(), DbErr> {
    let public_url = params
        .public_url
        .as_deref()
        .ok_or_else(|| DbErr::Custom("the job has no public address for links".into()))?;
    for permit in change {
        super::invitations::send(txn, actor, permit.user(), public_url)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    Ok(())
}

async fn apply_groups(
    txn: &impl ConnectionTrait,
    params: &Params,
    change: &[Permit<'_>],
) -> Result<(), DbErr> {
    let ids: Vec<Uuid> = change.iter().map(|p| p.user().id).collect();
    let now = Utc::now();
    match (params.action, params.target) {
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
        _ => return Err(DbErr::Custom("the job has no group".into())),
    }
    Ok(())
}

/// One audit event per user added or removed, naming the job.
async fn audit_groups(
    txn: &impl ConnectionTrait,
    job: &job::Model,
    params: &Params,
    actor: &Actor,
    change: &[Permit<'_>],
) -> Result<(), DbErr> {
    let now = Utc::now();
    let action = if params.action == BulkAction::AddToGroup {
        "group.add_member"
    } else {
        "group.remove_member"
    };
    let group = params.target_name.clone().unwrap_or_default();
    let events: Vec<audit_event::ActiveModel> = change
        .iter()
        .map(|p| {
            let details = serde_json::json!({ "group": group, "job": job.id.to_string() });
            super::audit::user_change_row(
                actor,
                action,
                (p.user().id, &p.user().username),
                details,
                now,
            )
        })
        .collect();
    super::audit::insert_rows(txn, &events).await?;
    Ok(())
}
