//! Leases on rows that one instance works on at a time (jobs, outbox mail).
//! A claim draws a random token; while the work runs a background task
//! renews the lease, and only the holder of the token may renew it or write
//! the outcome. So a runner that is merely slow keeps its lease, and one
//! whose lease was taken over (it died, or stalled past the lease) can no
//! longer write anything.
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use uuid::Uuid;

pub fn new_token() -> String {
    Uuid::new_v4().to_string()
}

/// Extends the lease of `table`'s row `id` to `lease` from now, if `token`
/// still holds it; whether it did.
pub async fn renew(
    db: &impl ConnectionTrait,
    table: &str,
    id: Uuid,
    token: &str,
    lease: Duration,
) -> Result<bool, DbErr> {
    let until = Utc::now() + lease;
    let update = Query::update()
        .table(Alias::new(table))
        .value(Alias::new("locked_until"), until)
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("lease_token")).eq(token))
        .to_owned();
    Ok(db.execute(&update).await?.rows_affected() == 1)
}

/// Renews the lease every third of it until dropped.
pub struct Renewal(tokio::task::JoinHandle<()>);

impl Drop for Renewal {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub fn keep_renewed(
    db: &DatabaseConnection,
    table: &'static str,
    id: Uuid,
    token: String,
    lease: Duration,
) -> Renewal {
    let db = db.clone();
    Renewal(tokio::spawn(async move {
        loop {
            tokio::time::sleep(lease / 3).await;
            match renew(&db, table, id, &token, lease).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(%table, %id, "lease taken over by another instance");
                    return;
                }
                Err(error) => tracing::warn!(%table, %id, %error, "could not renew a lease"),
            }
        }
    }))
}
