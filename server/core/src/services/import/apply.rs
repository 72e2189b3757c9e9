//! Applying decided rows: passwords are hashed first, on every core, then
//! one transaction writes the batch's users, memberships, audit events,
//! invitations and certificates, so a row is applied whole or not at all.
use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use shared::model::{ImportField, Outcome, OutcomeCounts, UserStatus};
use shared::AppError;
use uuid::Uuid;

use super::plan::{Action, GroupRef, Planned};
use super::Prepared;
use crate::db::bulk_insert::BulkInsertTxn;
use crate::db::entities::{group, group_member, user};
use crate::pki::{Ca, Pkcs12Profile};
use crate::services::access::{Act, AdminsLeft, Authority};
use crate::services::actor::Actor;
use crate::services::users::{self, NewUser};
use crate::services::{audit, certificates, db_error, invitations, passwords};

/// Rows per transaction, and at most this many passwords (each an argon2
/// hash), so progress moves every few seconds either way.
pub const BATCH_ROWS: usize = 5_000;
pub const BATCH_PASSWORDS: usize = 64;

/// What mails and certificates need.
pub struct Effects {
    pub public_url: String,
    pub sign_in_url: String,
    pub ca: Option<Ca>,
}

/// What a batch did.
#[derive(Debug, Default)]
pub struct Applied {
    pub counts: OutcomeCounts,
    /// Rows not applied: line and reason.
    pub failures: Vec<(u64, String)>,
    /// Issued certificates' PKCS#12 passwords: (username, password).
    pub passwords: Vec<(String, String)>,
}

/// Where the batch starting at row index `from` ends.
pub fn batch_end(prepared: &Prepared, from: usize) -> usize {
    let rows = &prepared.table.rows;
    let mut with_password = 0;
    for (i, record) in rows.iter().enumerate().skip(from) {
        if i - from == BATCH_ROWS {
            return i;
        }
        let has = prepared
            .columns
            .cell(record, ImportField::Password)
            .is_some_and(|p| !p.is_empty());
        if has {
            with_password += 1;
            if with_password > BATCH_PASSWORDS {
                return i;
            }
        }
    }
    rows.len()
}

/// Hashes the passwords of the rows to create, in parallel on every core,
/// off the async threads.
pub async fn hash_passwords(planned: &mut [Planned]) -> Result<(), AppError> {
    let wanted: Vec<(usize, String)> = planned
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match &p.action {
            Action::Create(n) => n.password.clone().map(|pw| (i, pw)),
            _ => None,
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let (index, plain): (Vec<usize>, Vec<String>) = wanted.into_iter().unzip();
    let hashes = tokio::task::spawn_blocking(move || hash_all(&plain))
        .await
        .map_err(|e| AppError::Internal(format!("hashing threads: {e}")))?;
    for (i, hash) in index.into_iter().zip(hashes) {
        if let Action::Create(n) = &mut planned[i].action {
            n.password_hash = Some(hash);
        }
    }
    Ok(())
}

/// argon2id over `plain`, split across one thread per core.
pub fn hash_all(plain: &[String]) -> Vec<String> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let chunk = plain.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = plain
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|p| passwords::hash_blocking(p))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a hashing thread panicked"))
            .collect()
    })
}

/// Writes a decided batch on `txn`. `import` names the import in the audit.
pub async fn apply(
    txn: &BulkInsertTxn,
    planned: &[Planned],
    actor: &Actor,
    effects: &Effects,
    import: &str,
) -> Result<Applied, AppError> {
    let now = Utc::now();
    let mut applied = Applied::default();
    let new_groups = create_groups(txn, planned, actor).await?;
    let resolve = |g: &GroupRef| match g {
        GroupRef::Known(id) => *id,
        GroupRef::New(name) => new_groups[&name.to_lowercase()],
    };
    let mut users_rows = Vec::new();
    let mut members = Vec::new();
    let mut events = Vec::new();
    let mut follow_up = Vec::new();
    // Role and status changes go through the transitions every path shares.
    let mut moves: Vec<(Act, &user::Model)> = Vec::new();
    for p in planned {
        applied.counts.add(p.report.outcome);
        match &p.action {
            Action::Nothing => {
                if p.report.outcome == Outcome::Error {
                    applied.failures.push((p.report.row, p.report.error_text()));
                }
            }
            Action::Create(n) => {
                let mut model = users::active_model(NewUser {
                    username: n.username.clone(),
                    email: n.email.clone(),
                    first_name: n.first_name.clone(),
                    last_name: n.last_name.clone(),
                    role_id: n.role_id,
                    status: n.status,
                    password_hash: n.password_hash.clone(),
                });
                model.phone = Set(n.phone.clone());
                model.origin = Set(if n.external { "external" } else { "internal" }.into());
                model.must_change_password = Set(n.must_change_password);
                let id = *model.id.as_ref();
                for g in &n.groups {
                    members.push(member(resolve(g), id, now));
                }
                if n.invite || n.certificate {
                    follow_up.push((id, n.invite, n.certificate));
                }
                users_rows.push(model);
            }
            Action::Update(user, update) => {
                let mut statement = user::Entity::update_many()
                    .col_expr(user::Column::UpdatedAt, Expr::value(now))
                    .filter(user::Column::Id.eq(user.id));
                let first = update.first_name.as_ref().unwrap_or(&user.first_name);
                let last = update.last_name.as_ref().unwrap_or(&user.last_name);
                if update.first_name.is_some() || update.last_name.is_some() {
                    statement = statement
                        .col_expr(user::Column::FirstName, Expr::value(first.clone()))
                        .col_expr(user::Column::LastName, Expr::value(last.clone()))
                        .col_expr(
                            user::Column::NameLc,
                            Expr::value(users::name_key(first, last)),
                        );
                }
                if let Some(phone) = &update.phone {
                    statement = statement.col_expr(user::Column::Phone, Expr::value(phone.clone()));
                }
                if let Some(role) = update.role_id {
                    moves.push((Act::SetRole(role), user.as_ref()));
                }
                match update.status {
                    Some(UserStatus::Active) => moves.push((Act::Activate, user.as_ref())),
                    Some(UserStatus::Inactive) => moves.push((Act::Deactivate, user.as_ref())),
                    _ => {}
                }
                if let Some(external) = update.external {
                    let origin = if external { "external" } else { "internal" };
                    statement = statement.col_expr(user::Column::Origin, Expr::value(origin));
                }
                statement.exec(txn).await.map_err(db_error)?;
                if let Some(groups) = &update.groups {
                    group_member::Entity::delete_many()
                        .filter(group_member::Column::UserId.eq(user.id))
                        .exec(txn)
                        .await
                        .map_err(db_error)?;
                    for g in groups {
                        members.push(member(resolve(g), user.id, now));
                    }
                }
                // Role and status changes are the transitions' own events.
                let own = [ImportField::Status.as_str(), ImportField::Role.as_str()];
                let changes: BTreeMap<&str, (&str, &str)> = p
                    .report
                    .changes
                    .iter()
                    .filter(|c| !own.contains(&c.field.as_str()))
                    .map(|c| (c.field.as_str(), (c.before.as_str(), c.after.as_str())))
                    .collect();
                if changes.is_empty() {
                    continue;
                }
                let details = serde_json::json!({ "changes": changes, "import": import });
                events.push(audit::user_change_row(
                    actor,
                    audit::AuditAction::UserUpdate.as_str(),
                    (user.id, &user.username),
                    details,
                    now,
                ));
            }
        }
    }
    txn.insert_users(users_rows).await.map_err(db_error)?;
    for chunk in members.chunks(5_000) {
        group_member::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .map_err(db_error)?;
    }
    audit::insert_rows(txn, &events).await.map_err(db_error)?;
    transitions(txn, actor, import, &moves).await?;
    follow_through(txn, &follow_up, actor, effects, &mut applied).await?;
    Ok(applied)
}

/// The batch's status changes, through the rules and transitions every path
/// shares: checked again here, on the batch's transaction (the rows were
/// decided on another connection).
async fn transitions(
    txn: &BulkInsertTxn,
    actor: &Actor,
    import: &str,
    moves: &[(Act, &user::Model)],
) -> Result<(), AppError> {
    if moves.is_empty() {
        return Ok(());
    }
    let authority = Authority::load(txn, actor).await?;
    let mut admins = AdminsLeft::unknown();
    // One batch of permits per act (roles first, as the file's order has it).
    let mut acts: Vec<Act> = Vec::new();
    for (act, _) in moves {
        if !acts.contains(act) {
            acts.push(*act);
        }
    }
    for act in acts {
        let mut permits = Vec::new();
        for (_, user) in moves.iter().filter(|(a, _)| *a == act) {
            permits.push(authority.permit(txn, user, act, &mut admins).await?);
        }
        let source = Some(("import", import.to_string()));
        crate::services::transitions::apply(txn, actor, &permits, source)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

/// Invitations and certificates for the new users that asked for them.
async fn follow_through(
    txn: &impl ConnectionTrait,
    follow_up: &[(Uuid, bool, bool)],
    actor: &Actor,
    effects: &Effects,
    applied: &mut Applied,
) -> Result<(), AppError> {
    if follow_up.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = follow_up.iter().map(|f| f.0).collect();
    let rows: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(txn)
        .await
        .map_err(db_error)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let days = certificates::settings(txn).await?.client_validity_days;
    for (id, invite, certificate) in follow_up {
        let user = &rows[id];
        if *invite {
            invitations::send(txn, actor, user, &effects.public_url).await?;
        }
        if *certificate {
            let ca = effects.ca.as_ref().ok_or_else(|| {
                AppError::Internal("the certificate authority could not be opened".into())
            })?;
            let issued = certificates::issue(
                txn,
                ca,
                certificates::Issue {
                    user,
                    days,
                    profile: Pkcs12Profile::Modern,
                    actor: Some(actor),
                    public_url: &effects.public_url,
                    sign_in_url: &effects.sign_in_url,
                },
            )
            .await?;
            applied.passwords.push((issued.username, issued.password));
        }
    }
    Ok(())
}

/// Makes the groups rows name that do not exist yet ("Create missing
/// groups"); returns lower-cased name → id.
async fn create_groups(
    txn: &impl ConnectionTrait,
    planned: &[Planned],
    actor: &Actor,
) -> Result<HashMap<String, Uuid>, AppError> {
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for p in planned {
        let groups = match &p.action {
            Action::Create(n) => Some(&n.groups),
            Action::Update(_, u) => u.groups.as_ref(),
            Action::Nothing => None,
        };
        for g in groups.into_iter().flatten() {
            if let GroupRef::New(name) = g {
                wanted.insert(name.to_lowercase(), name.clone());
            }
        }
    }
    let mut ids = HashMap::new();
    for (lc, name) in wanted {
        let found = group::Entity::find()
            .filter(group::Column::NameLc.eq(lc.clone()))
            .one(txn)
            .await
            .map_err(db_error)?;
        let id = match found {
            Some(g) => g.id,
            None => {
                let id = Uuid::new_v4();
                let now = Utc::now();
                group::ActiveModel {
                    id: Set(id),
                    name: Set(name.clone()),
                    name_lc: Set(lc.clone()),
                    description: Set("Created by a CSV import.".into()),
                    created_by: Set(Some(actor.id)),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(txn)
                .await
                .map_err(db_error)?;
                audit::record_change(
                    txn,
                    actor,
                    "group.create",
                    ("group", id.to_string(), &name),
                    None,
                )
                .await?;
                id
            }
        };
        ids.insert(lc, id);
    }
    Ok(ids)
}

fn member(group_id: Uuid, user_id: Uuid, now: chrono::DateTime<Utc>) -> group_member::ActiveModel {
    group_member::ActiveModel {
        group_id: Set(group_id),
        user_id: Set(user_id),
        created_at: Set(now),
    }
}
