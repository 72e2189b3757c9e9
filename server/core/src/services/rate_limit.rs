//! Limits on requests anyone can make (password recovery, registration),
//! counted in the database so they hold across instances. Clients are
//! grouped by network: one IPv4 address, or one IPv6 /64, since a single
//! IPv6 host may rotate through its whole /64.
use std::net::IpAddr;

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

use crate::db::entities::rate_event;

/// The key a client's requests are counted under.
pub fn client_key(ip: &str) -> String {
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => ip.trim().to_string(),
    }
}

/// How many `action` requests the client made in the last `window`.
pub async fn recent(
    db: &impl ConnectionTrait,
    action: &str,
    ip: &str,
    window: Duration,
) -> Result<u64, DbErr> {
    rate_event::Entity::find()
        .filter(rate_event::Column::Action.eq(action))
        .filter(rate_event::Column::ClientKey.eq(client_key(ip)))
        .filter(rate_event::Column::OccurredAt.gt(Utc::now() - window))
        .count(db)
        .await
}

/// Counts this request and returns how many the client made before it in
/// the last `window`, race-free: the row goes in first (on SQLite that takes
/// the write lock, so the count then sees every committed request), and on
/// PostgreSQL a transaction-scoped advisory lock on the client's key makes
/// parallel requests count one after the other. Call it inside the
/// transaction that acts on the answer.
pub async fn take(
    txn: &impl ConnectionTrait,
    action: &str,
    ip: &str,
    window: Duration,
) -> Result<u64, DbErr> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [format!("{action} {}", client_key(ip)).into()],
        ))
        .await?;
    }
    record(txn, action, ip).await?;
    Ok(recent(txn, action, ip, window).await?.saturating_sub(1))
}

/// Counts one request, and forgets this client's requests older than a day.
pub async fn record(db: &impl ConnectionTrait, action: &str, ip: &str) -> Result<(), DbErr> {
    record_key(db, action, &client_key(ip)).await
}

/// Counts one `action` under `key`, and forgets that key's events older
/// than a day.
pub async fn record_key(db: &impl ConnectionTrait, action: &str, key: &str) -> Result<(), DbErr> {
    let key = key.to_string();
    rate_event::Entity::delete_many()
        .filter(rate_event::Column::Action.eq(action))
        .filter(rate_event::Column::ClientKey.eq(key.clone()))
        .filter(rate_event::Column::OccurredAt.lt(Utc::now() - Duration::days(1)))
        .exec(db)
        .await?;
    rate_event::ActiveModel {
        action: Set(action.into()),
        client_key: Set(key),
        occurred_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestDb;
    use sea_orm::TransactionTrait;

    /// Twelve requests at once from one client: each counts exactly the
    /// ones before it, so a limit cannot be slipped past in parallel.
    #[tokio::test]
    async fn parallel_requests_each_count_the_ones_before() {
        let t = TestDb::new().await;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let db = t.db.clone();
            set.spawn(async move {
                let txn = db.begin().await.unwrap();
                let before = take(&txn, "test.limit", "192.0.2.9", Duration::hours(1))
                    .await
                    .unwrap();
                // Hold the transaction a moment, as a real request would.
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                txn.commit().await.unwrap();
                before
            });
        }
        let mut seen = Vec::new();
        while let Some(n) = set.join_next().await {
            seen.push(n.unwrap());
        }
        seen.sort();
        assert_eq!(seen, (0..12).collect::<Vec<u64>>());
        t.close().await;
    }

    #[test]
    fn ipv6_clients_are_grouped_by_their_64() {
        assert_eq!(client_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(client_key("2001:db8:1:2::5"), "2001:db8:1:2::/64");
        assert_eq!(
            client_key("2001:0db8:0001:0002:ffff:1:2:3"),
            "2001:db8:1:2::/64"
        );
        assert_ne!(client_key("2001:db8:1:3::5"), client_key("2001:db8:1:2::5"));
        assert_eq!(client_key("::ffff:192.0.2.7"), "192.0.2.7");
    }

    #[tokio::test]
    async fn counts_per_network_and_action() {
        let t = TestDb::new().await;
        for ip in ["2001:db8::1", "2001:db8::2", "2001:db8:0:0:ab::9"] {
            record(&t.db, "a", ip).await.unwrap();
        }
        record(&t.db, "b", "2001:db8::1").await.unwrap();
        let hour = Duration::hours(1);
        assert_eq!(recent(&t.db, "a", "2001:db8::77", hour).await.unwrap(), 3);
        assert_eq!(recent(&t.db, "a", "2001:db9::1", hour).await.unwrap(), 0);
        assert_eq!(recent(&t.db, "b", "2001:db8::5", hour).await.unwrap(), 1);
        t.close().await;
    }
}
