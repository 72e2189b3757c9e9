//! Running a mass-action job: batch by batch, each in one transaction with
//! the job's cursor, so it resumes where it stopped.
use super::*;

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
pub(super) const PASS_SPAN: i64 = 1 << 48;

/// PostgreSQL changes a row's status in place (HOT) only while its page has
/// room for the new version: about four rows per page at a time. A status
/// change over neighbouring users therefore goes in passes (every eighth user
/// per pass), so each transaction leaves room on every page it touches and
/// the next pass finds the old versions pruned. Elsewhere one pass in order.
pub(super) fn passes(db: &impl ConnectionTrait, action: BulkAction) -> i64 {
    let status_change = matches!(action, BulkAction::Activate | BulkAction::Deactivate);
    if status_change && db.get_database_backend() == sea_orm::DbBackend::Postgres {
        8
    } else {
        1
    }
}

/// The next batch of the job's users and the cursor after it, or `None`
/// when every pass is done.
pub(super) async fn next_items(
    txn: &impl ConnectionTrait,
    job: &job::Model,
    params: &BulkParams,
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
    params: &BulkParams,
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
                crate::services::transitions::apply(&txn, &actor, &change, source).await?;
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
