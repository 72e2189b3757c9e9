//! The published certificate revocation list: kept in the database (so every
//! instance serves and checks the same), reissued when a certificate was
//! revoked since the last one and at least daily, well inside its 7 days.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use serde::{Deserialize, Serialize};

use super::settings;
use crate::db::entities::certificate;
use crate::pki::{self, Ca};

const KEY: &str = "pki.crl";
/// Reissued when older than this, revocations or not.
pub const MAX_AGE_HOURS: i64 = 24;

/// The current CRL and what it was made from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Published {
    pub number: u64,
    pub pem: String,
    pub issued_at: DateTime<Utc>,
    /// How many certificates had been revoked when it was made: revocations
    /// are never undone, so a different count means it is out of date.
    pub revoked_count: u64,
}

pub async fn current(db: &impl ConnectionTrait) -> anyhow::Result<Option<Published>> {
    let row = crate::db::entities::setting::Entity::find_by_id(KEY.to_string())
        .one(db)
        .await?;
    Ok(match row {
        Some(row) => Some(serde_json::from_str(&row.value)?),
        None => None,
    })
}

async fn revoked_count(db: &impl ConnectionTrait) -> anyhow::Result<u64> {
    let statement = revoked_count_statement(db.get_database_backend());
    Ok(super::count_of(db, statement).await?)
}

/// `COUNT(*)` of the revoked certificates, read from the partial index
/// `certificates_revoked`, which holds only them (every instance runs this
/// every few seconds). SQLite is told to use it: without statistics its
/// planner may choose a table scan; PostgreSQL's planner has statistics.
pub(crate) fn revoked_count_statement(backend: DbBackend) -> Statement {
    let hint = if backend == DbBackend::Sqlite {
        " INDEXED BY certificates_revoked"
    } else {
        ""
    };
    Statement::from_string(
        backend,
        format!("SELECT COUNT(*) FROM certificates{hint} WHERE revoked_at IS NOT NULL"),
    )
}

/// Makes and stores a new CRL listing every revoked certificate that has
/// not expired yet (an expired one is refused anyway).
pub async fn reissue(db: &impl ConnectionTrait, ca: &Ca) -> anyhow::Result<Published> {
    let now = Utc::now();
    let count = revoked_count(db).await?;
    let rows = certificate::Entity::find()
        .filter(certificate::Column::RevokedAt.is_not_null())
        .filter(certificate::Column::NotAfter.gt(now))
        .all(db)
        .await?;
    let revoked: Vec<pki::Revoked> = rows
        .iter()
        .map(|c| pki::Revoked {
            serial_hex: c.serial_hex.clone(),
            at: time::OffsetDateTime::from_unix_timestamp(c.revoked_at.unwrap_or(now).timestamp())
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
            reason: rcgen_reason(c.revocation_reason.as_deref()),
        })
        .collect();
    let at_least = current(db).await?.map_or(1, |p| p.number + 1);
    let number = next_number(db, at_least as i64).await?.max(1) as u64;
    let pem = pki::crl(ca, &revoked, number, time::OffsetDateTime::now_utc())?;
    let published = Published {
        number,
        pem,
        issued_at: now,
        revoked_count: count,
    };
    settings::set_json(db, KEY, serde_json::to_value(&published)?).await?;
    Ok(published)
}

/// Where the last CRL number handed out is kept.
const NUMBER_KEY: &str = "crl.last_number";

/// The next CRL number, never the same twice across instances: one atomic
/// upsert that raises the counter and returns it (at least `at_least`, the
/// published CRL's number plus one).
async fn next_number(db: &impl ConnectionTrait, at_least: i64) -> anyhow::Result<i64> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = CAST(GREATEST(CAST(settings.value AS BIGINT) + 1, \
             CAST($2 AS BIGINT)) AS TEXT), updated_at = $3 RETURNING value"
        }
        _ => {
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (key) DO UPDATE SET value = CAST(MAX(CAST(settings.value AS INTEGER) + 1, \
             CAST(?2 AS INTEGER)) AS TEXT), updated_at = ?3 RETURNING value"
        }
    };
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [
                NUMBER_KEY.into(),
                at_least.to_string().into(),
                Utc::now().into(),
            ],
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the CRL number was not returned"))?;
    let value: String = row.try_get_by_index(0)?;
    Ok(value.trim().parse()?)
}

fn rcgen_reason(reason: Option<&str>) -> rcgen::RevocationReason {
    use shared::model::RevocationReason as R;
    match reason.and_then(R::parse) {
        Some(R::KeyCompromise) => rcgen::RevocationReason::KeyCompromise,
        Some(R::AffiliationChanged) => rcgen::RevocationReason::AffiliationChanged,
        Some(R::Superseded) => rcgen::RevocationReason::Superseded,
        Some(R::CessationOfOperation) => rcgen::RevocationReason::CessationOfOperation,
        Some(R::Unspecified) | None => rcgen::RevocationReason::Unspecified,
    }
}

/// The CRL, reissued first when a revocation happened since or it is a day
/// old. Every instance calls this every few seconds and after revoking.
pub async fn refresh(db: &impl ConnectionTrait, ca: &Ca) -> anyhow::Result<Published> {
    let existing = current(db).await?;
    if let Some(p) = existing {
        let fresh = Utc::now() - p.issued_at < Duration::hours(MAX_AGE_HOURS);
        if fresh && p.revoked_count == revoked_count(db).await? {
            return Ok(p);
        }
    }
    reissue(db, ca).await
}

/// `refresh` with the CA opened from the database under `key`.
pub async fn refresh_with_key(
    db: &impl ConnectionTrait,
    key: &[u8; 32],
) -> anyhow::Result<Published> {
    let ca = super::ca::load(db, key).await?;
    refresh(db, &ca).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestDb;

    /// Instances issuing at the same moment never hand out the same CRL
    /// number, and the counter never falls behind a published CRL.
    #[tokio::test]
    async fn crl_numbers_never_repeat_across_instances() {
        let t = TestDb::new().await;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let db = t.db.clone();
            set.spawn(async move { next_number(&db, 1).await.unwrap() });
        }
        let mut numbers = Vec::new();
        while let Some(n) = set.join_next().await {
            numbers.push(n.unwrap());
        }
        numbers.sort();
        assert_eq!(numbers, (1..=8).collect::<Vec<i64>>());
        assert_eq!(next_number(&t.db, 50).await.unwrap(), 50);
        assert_eq!(next_number(&t.db, 1).await.unwrap(), 51);
        t.close().await;
    }
}
