//! CSV import of users: read and check the file, map its columns, decide
//! every row (the dry run), then apply the valid rows in bounded
//! transactions as a background job whose cursor records exactly which rows
//! were applied. The web wizard and `usher import` share all of it.
pub mod apply;
pub mod columns;
pub mod direct;
pub mod job;
pub mod lookup;
pub mod plan;
pub mod read;
pub mod report;
pub mod store;

use app::model::{ImportField, OutcomeCounts, Permission, RowReport, UserStatus};
use app::AppError;
use sea_orm::ConnectionTrait;

use self::columns::Mapping;
use self::plan::{Catalog, Columns, Duplicates, Planned};
use self::read::{Record, Table};
use super::db_error;
use super::users::Actor;

pub use crate::services::export::BOM;

/// A file ready to be decided row by row.
pub struct Prepared {
    pub table: Table,
    pub columns: Columns,
    pub dups: Duplicates,
    pub catalog: Catalog,
}

/// Reads the file, applies the mapping (or the automatic one) and loads the
/// roles and groups. A file that cannot be read, or a mapping without the
/// required columns, is refused whole.
pub async fn prepare(
    db: &impl ConnectionTrait,
    bytes: &[u8],
    mapping: Option<Mapping>,
    create_groups: bool,
    allowed: &[Permission],
) -> Result<Prepared, AppError> {
    let table = read::read(bytes).map_err(AppError::BadRequest)?;
    let mapping = mapping.unwrap_or_else(|| columns::auto_map(&table.header));
    let problems = columns::problems(&mapping, &table.header);
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems.join(" ")));
    }
    let columns = Columns::new(&table.header, &mapping);
    let dups = plan::duplicates(&table, &columns);
    let catalog = lookup::catalog(db, allowed, create_groups).await?;
    Ok(Prepared {
        table,
        columns,
        dups,
        catalog,
    })
}

/// Decides `rows` against the directory as it is now.
pub async fn plan_rows(
    db: &impl ConnectionTrait,
    prepared: &Prepared,
    rows: &[Record],
    actor: &Actor,
) -> Result<Vec<Planned>, AppError> {
    plan_rows_counting(db, prepared, rows, actor, &mut None).await
}

/// `plan_rows`, with the active administrators left after the rows decided
/// before (`None`: count them now). A dry run carries the count from chunk
/// to chunk, as nothing it decides is written; an apply counts afresh for
/// each batch, as the batch before has been written.
async fn plan_rows_counting(
    db: &impl ConnectionTrait,
    prepared: &Prepared,
    rows: &[Record],
    actor: &Actor,
    admins_left: &mut Option<u64>,
) -> Result<Vec<Planned>, AppError> {
    let key = |field: ImportField| -> Vec<String> {
        rows.iter()
            .filter_map(|r| prepared.columns.cell(r, field))
            .map(str::to_lowercase)
            .collect()
    };
    let known = lookup::known(db, &key(ImportField::Username), &key(ImportField::Email))
        .await
        .map_err(db_error)?;
    let mut planned: Vec<Planned> = rows
        .iter()
        .map(|r| {
            plan::plan_row(
                r,
                &prepared.columns,
                &prepared.catalog,
                &known,
                &prepared.dups,
            )
        })
        .collect();
    // Deactivating follows the same guard as on the user's page: not
    // yourself, not the last active administrator, counting the
    // administrators the rows before have already deactivated.
    for p in planned.iter_mut() {
        if let plan::Action::Update(user, update) = &p.action {
            if update.status == Some(UserStatus::Inactive) {
                let admin = super::lifecycle::is_active_admin(user);
                let left = match *admins_left {
                    Some(n) if admin => n,
                    None if admin => super::lifecycle::active_admins(db).await?,
                    _ => 0,
                };
                let refused = super::lifecycle::refusal_counted(actor, user, left);
                if admin && refused.is_none() {
                    *admins_left = Some(left - 1);
                }
                if let Some(reason) = refused {
                    p.report.errors.push(app::model::RowError {
                        column: "status".into(),
                        reason,
                    });
                    p.report.outcome = app::model::Outcome::Error;
                    p.report.changes.clear();
                    p.action = plan::Action::Nothing;
                }
            }
        }
    }
    Ok(planned)
}

/// Rows decided per look-up round in a dry run.
const DRY_RUN_CHUNK: usize = 5_000;

/// The preview: every row's report, and the counts.
pub async fn dry_run(
    db: &impl ConnectionTrait,
    prepared: &Prepared,
    actor: &Actor,
) -> Result<(Vec<RowReport>, OutcomeCounts), AppError> {
    let mut reports = Vec::with_capacity(prepared.table.rows.len());
    let mut counts = OutcomeCounts::default();
    let mut admins_left = None;
    for chunk in prepared.table.rows.chunks(DRY_RUN_CHUNK) {
        for p in plan_rows_counting(db, prepared, chunk, actor, &mut admins_left).await? {
            counts.add(p.report.outcome);
            reports.push(p.report);
        }
    }
    Ok((reports, counts))
}

/// The permissions of the importing admin: a row may not give a role with more.
pub async fn permissions_of_actor(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<Permission>, AppError> {
    use crate::db::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(row) = user::Entity::find()
        .filter(user::Column::Id.eq(actor.id))
        .one(db)
        .await
        .map_err(db_error)?
    else {
        // The command line acts with every permission.
        return Ok(Permission::ALL.to_vec());
    };
    super::roles::permissions_of(db, row.role_id)
        .await
        .map_err(db_error)
}

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod service_tests;
