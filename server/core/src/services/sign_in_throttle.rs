//! Failed sign-ins slow the next attempt down (ASVS 6.3.1), with delays that
//! grow with the failures and never become a lockout a stranger can impose
//! on the owner (6.3.5):
//! - from one client network at one account: after 3 failures in 15
//!   minutes, 1 s, 2 s, 4 s … up to 15 minutes (a guesser);
//! - at one account from anywhere: after 10 failures, up to 30 s only, so
//!   someone elsewhere can slow the owner down but not lock them out;
//! - from one client network at any account: after 20 failures, up to 15
//!   minutes (credential stuffing).
//!
//! Failures are rows of `rate_events`, so every instance sees them.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::rate_limit::{self, client_key};
use crate::db::entities::rate_event;

const WINDOW_MINUTES: i64 = 15;

/// One limit: its rate-event action, key, free failures and longest delay.
struct Limit {
    action: &'static str,
    key: String,
    free: u64,
    cap_secs: i64,
}

fn limits(login: &str, ip: Option<&str>) -> Vec<Limit> {
    let account = login.trim().to_lowercase();
    let mut out = vec![Limit {
        action: "sign_in.failed.account",
        key: account.clone(),
        free: 10,
        cap_secs: 30,
    }];
    if let Some(ip) = ip {
        let network = client_key(ip);
        out.push(Limit {
            action: "sign_in.failed.pair",
            key: format!("{network} {account}"),
            free: 3,
            cap_secs: 15 * 60,
        });
        out.push(Limit {
            action: "sign_in.failed.network",
            key: network,
            free: 20,
            cap_secs: 15 * 60,
        });
    }
    out
}

/// The delay after `failures` failures: none for the free ones, then
/// doubling from 1 s up to `cap` seconds.
pub fn delay_after(failures: u64, free: u64, cap_secs: i64) -> Duration {
    if failures < free {
        return Duration::zero();
    }
    let doublings = (failures - free).min(20) as u32;
    Duration::seconds((1i64 << doublings).min(cap_secs))
}

/// How long the attempt must still wait, if it must (the longest of the
/// limits): counted from the latest failure.
pub async fn wait(
    db: &impl ConnectionTrait,
    login: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Duration>, DbErr> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let mut longest = Duration::zero();
    for limit in limits(login, ip) {
        let rows: Vec<DateTime<Utc>> = rate_event::Entity::find()
            .filter(rate_event::Column::Action.eq(limit.action))
            .filter(rate_event::Column::ClientKey.eq(limit.key.clone()))
            .filter(rate_event::Column::OccurredAt.gt(since))
            .order_by_desc(rate_event::Column::OccurredAt)
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.occurred_at)
            .collect();
        let Some(latest) = rows.first() else { continue };
        let left = *latest + delay_after(rows.len() as u64, limit.free, limit.cap_secs) - now;
        longest = longest.max(left);
    }
    Ok((longest > Duration::zero()).then_some(longest))
}

/// Counts a failed attempt under every limit.
pub async fn failed(db: &impl ConnectionTrait, login: &str, ip: Option<&str>) -> Result<(), DbErr> {
    for limit in limits(login, ip) {
        rate_limit::record_key(db, limit.action, &limit.key).await?;
    }
    Ok(())
}

/// A successful sign-in forgets the account's failures (the network's stay).
/// Returns whether there were any, for the audit log.
pub async fn succeeded(
    db: &impl ConnectionTrait,
    login: &str,
    ip: Option<&str>,
) -> Result<bool, DbErr> {
    let mut forgot = 0;
    for limit in limits(login, ip) {
        if limit.action == "sign_in.failed.network" {
            continue;
        }
        forgot += rate_event::Entity::delete_many()
            .filter(rate_event::Column::Action.eq(limit.action))
            .filter(rate_event::Column::ClientKey.eq(limit.key.clone()))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(forgot > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestDb;

    #[test]
    fn delays_grow_and_stop_at_their_cap() {
        assert_eq!(delay_after(2, 3, 900), Duration::zero());
        assert_eq!(delay_after(3, 3, 900), Duration::seconds(1));
        assert_eq!(delay_after(5, 3, 900), Duration::seconds(4));
        assert_eq!(delay_after(40, 3, 900), Duration::seconds(900));
        assert_eq!(delay_after(30, 10, 30), Duration::seconds(30));
    }

    #[tokio::test]
    async fn a_guesser_waits_and_the_owner_elsewhere_waits_at_most_half_a_minute() {
        let t = TestDb::new().await;
        for _ in 0..3 {
            failed(&t.db, "Pat.Doe", Some("192.0.2.7")).await.unwrap();
        }
        let guesser = wait(&t.db, "pat.doe", Some("192.0.2.7"), Utc::now())
            .await
            .unwrap();
        assert!(guesser.is_some_and(|d| d > Duration::zero() && d <= Duration::seconds(1)));
        // Another network is not slowed by three failures elsewhere.
        assert_eq!(
            wait(&t.db, "pat.doe", Some("198.51.100.9"), Utc::now())
                .await
                .unwrap(),
            None
        );
        for _ in 0..30 {
            failed(&t.db, "pat.doe", Some("192.0.2.7")).await.unwrap();
        }
        let guesser = wait(&t.db, "pat.doe", Some("192.0.2.7"), Utc::now())
            .await
            .unwrap()
            .unwrap();
        assert!(guesser > Duration::seconds(60), "{guesser}");
        let owner = wait(&t.db, "pat.doe", Some("198.51.100.9"), Utc::now())
            .await
            .unwrap()
            .unwrap();
        assert!(owner <= Duration::seconds(30), "{owner}");
        // Signing in from the owner's network clears the account's count.
        assert!(succeeded(&t.db, "pat.doe", Some("198.51.100.9"))
            .await
            .unwrap());
        assert_eq!(
            wait(&t.db, "pat.doe", Some("198.51.100.9"), Utc::now())
                .await
                .unwrap(),
            None
        );
        t.close().await;
    }
}
