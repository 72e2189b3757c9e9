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

use sea_orm::ConnectionTrait;
use shared::model::{ImportField, Outcome, OutcomeCounts, Permission, RowReport, UserStatus};
use shared::AppError;

use self::columns::Mapping;
use self::plan::{Catalog, Columns, Duplicates, Planned};
use self::read::{Record, Table};
use super::access::{Act, AdminsLeft, Authority};
use super::db_error;

pub use crate::services::export::BOM;

/// The choices an admin makes for a whole import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Groups the file names that do not exist are created.
    pub create_groups: bool,
    /// A new active user with no way to sign in (no password, invitation or
    /// certificate) is invited instead of left unable to sign in.
    pub invite_unreachable: bool,
}

/// A file ready to be decided row by row.
pub struct Prepared {
    /// Who imports: every row passes the rules of `access` for them.
    pub authority: Authority,
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
    options: ImportOptions,
    authority: Authority,
) -> Result<Prepared, AppError> {
    if options.create_groups {
        authority.require(Permission::GroupsManage, "Creating missing groups")?;
    }
    let table = read::read(bytes).map_err(AppError::BadRequest)?;
    let mapping = mapping.unwrap_or_else(|| columns::auto_map(&table.header));
    let problems = columns::problems(&mapping, &table.header);
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems.join(" ")));
    }
    let columns = Columns::new(&table.header, &mapping);
    let dups = plan::duplicates(&table, &columns);
    let catalog = lookup::catalog(db, &authority, options).await?;
    Ok(Prepared {
        authority,
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
) -> Result<Vec<Planned>, AppError> {
    plan_rows_counting(db, prepared, rows, &mut None).await
}

/// `plan_rows`, with the active administrators left after the rows decided
/// before (`None`: count them now). A dry run carries the count from chunk
/// to chunk, as nothing it decides is written; an apply counts afresh for
/// each batch, as the batch before has been written.
async fn plan_rows_counting(
    db: &impl ConnectionTrait,
    prepared: &Prepared,
    rows: &[Record],
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
    // Every change to an account passes the rules of `access`, as on the
    // user's page and in mass actions, counting the administrators the rows
    // before have already taken away.
    let mut admins = match *admins_left {
        Some(n) => AdminsLeft::known(n),
        None => AdminsLeft::unknown(),
    };
    for p in planned.iter_mut() {
        let refusal = match &p.action {
            plan::Action::Update(user, update) => {
                refusal_of(db, &prepared.authority, user, update, &mut admins).await
            }
            plan::Action::Create(new) if new.certificate => prepared
                .authority
                .require(Permission::CertificatesManage, "Issuing a certificate")
                .err()
                .map(|e| (ImportField::IssueCertificate, e.to_string())),
            _ => None,
        };
        if let Some((field, reason)) = refusal {
            p.report.errors.push(shared::model::RowError {
                column: field.as_str().into(),
                reason,
            });
            p.report.outcome = shared::model::Outcome::Error;
            p.report.changes.clear();
            p.action = plan::Action::Nothing;
        }
    }
    *admins_left = admins.count();
    Ok(planned)
}

/// Why the rules refuse a row's update of `user`, with the column to blame.
async fn refusal_of(
    db: &impl ConnectionTrait,
    authority: &Authority,
    user: &crate::db::entities::user::Model,
    update: &plan::UpdateRow,
    admins: &mut AdminsLeft,
) -> Option<(ImportField, String)> {
    let mut acts = vec![(ImportField::Username, Act::Edit)];
    if let Some(role) = update.role_id {
        acts.push((ImportField::Role, Act::SetRole(role)));
    }
    match update.status {
        Some(UserStatus::Inactive) => acts.push((ImportField::Status, Act::Deactivate)),
        Some(UserStatus::Active) => acts.push((ImportField::Status, Act::Activate)),
        _ => {}
    }
    for (field, act) in acts {
        if let Err(refusal) = authority.permit(db, user, act, admins).await {
            return Some((field, refusal.message));
        }
    }
    None
}

/// Rows decided per look-up round in a dry run.
const DRY_RUN_CHUNK: usize = 5_000;

/// The preview: every row's report, and the counts.
pub async fn dry_run(
    db: &impl ConnectionTrait,
    prepared: &Prepared,
) -> Result<(Vec<RowReport>, OutcomeCounts), AppError> {
    let mut reports = Vec::with_capacity(prepared.table.rows.len());
    let mut counts = OutcomeCounts::default();
    let mut admins_left = None;
    for chunk in prepared.table.rows.chunks(DRY_RUN_CHUNK) {
        for p in plan_rows_counting(db, prepared, chunk, &mut admins_left).await? {
            counts.add(p.report.outcome);
            if !p.report.warnings.is_empty() && p.report.outcome != Outcome::Error {
                counts.warnings += 1;
            }
            reports.push(p.report);
        }
    }
    Ok((reports, counts))
}

#[cfg(test)]
mod tests;
