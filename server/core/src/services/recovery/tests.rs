//! Password recovery on the chosen back-end: same answer for unknown
//! accounts, limits, single use, sessions ended, wrong purpose.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use shared::model::UserStatus;
use shared::AppError;

use super::*;
use crate::db::entities::{mail_outbox, session};
use crate::services::settings::SessionPolicy;
use crate::testkit::{add_user, add_user_with_password, links_mailed, TestDb};

const URL: &str = "https://usher.test";

async fn links_mailed_to(db: &DatabaseConnection, to: &str) -> Vec<String> {
    links_mailed(db, to, "password_recovery", "/reset-password").await
}

async fn with_password(db: &DatabaseConnection, name: &str) -> user::Model {
    add_user_with_password(db, name, "the old passphrase").await
}

#[tokio::test]
async fn a_recovery_link_sets_the_password_once_and_ends_every_session() {
    let t = TestDb::new().await;
    let u = with_password(&t.db, "lost.key").await;
    for _ in 0..2 {
        sessions::open(&t.db, u.id, SessionPolicy::default(), None, None)
            .await
            .unwrap();
    }
    request(&t.db, "LOST.KEY", Some("10.1.1.1"), URL)
        .await
        .unwrap();
    let token = links_mailed_to(&t.db, "lost.key@example.com")
        .await
        .remove(0);
    assert_eq!(check(&t.db, &token).await.unwrap(), "lost.key");

    let weak = reset(&t.db, &token, "lost.key", None).await.unwrap_err();
    assert!(weak.field_message("password").is_some());
    let changed = reset(&t.db, &token, "a brand new passphrase", Some("10.1.1.1"))
        .await
        .unwrap();
    assert!(passwords::verify("a brand new passphrase".into(), changed.password_hash).await);
    let left = session::Entity::find()
        .filter(session::Column::UserId.eq(u.id))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "every session ended");
    let again = reset(&t.db, &token, "yet another passphrase", None).await;
    assert!(matches!(again, Err(AppError::InvalidLink(_))));
    t.close().await;
}

#[tokio::test]
async fn unknown_inactive_and_limited_requests_send_nothing_and_answer_the_same() {
    let t = TestDb::new().await;
    with_password(&t.db, "busy.user").await;
    add_user(&t.db, "off.user", UserStatus::Inactive).await;
    assert_eq!(
        request(&t.db, "nobody@example.com", None, URL).await,
        Ok(())
    );
    assert_eq!(request(&t.db, "off.user", None, URL).await, Ok(()));
    assert_eq!(mail_outbox::Entity::find().count(&t.db).await.unwrap(), 0);

    // Three links an hour per account; a fourth request is quietly dropped.
    for _ in 0..4 {
        request(&t.db, "busy.user@example.com", Some("10.2.2.2"), URL)
            .await
            .unwrap();
    }
    let tokens = links_mailed_to(&t.db, "busy.user@example.com").await;
    assert_eq!(tokens.len(), 3);
    // Asking again leaves the earlier links valid: requests by others
    // cannot lock the owner out. Using one ends the rest (a password change).
    assert!(check(&t.db, &tokens[0]).await.is_ok());
    reset(&t.db, &tokens[2], "a brand new passphrase", None)
        .await
        .unwrap();
    assert!(check(&t.db, &tokens[0]).await.is_err());
    // An invitation token is not a recovery token.
    let invite = add_user(&t.db, "inv.user", UserStatus::Invited).await;
    let (other, _) = links::issue(&t.db, "invite", invite.id, Duration::hours(1))
        .await
        .unwrap();
    assert!(check(&t.db, &other).await.is_err());
    t.close().await;
}

#[tokio::test]
async fn one_network_is_limited_across_accounts_and_addresses() {
    let t = TestDb::new().await;
    // A host rotating through its IPv6 /64 counts as one client.
    for n in 0..PER_IP_PER_HOUR {
        let ip = format!("2001:db8:5:5::{n:x}");
        request(&t.db, &format!("nobody{n}"), Some(&ip), URL)
            .await
            .unwrap();
    }
    with_password(&t.db, "real.user").await;
    request(&t.db, "real.user", Some("2001:db8:5:5:ffff::1"), URL)
        .await
        .unwrap();
    assert!(links_mailed_to(&t.db, "real.user@example.com")
        .await
        .is_empty());
    request(&t.db, "real.user", Some("2001:db8:5:6::1"), URL)
        .await
        .unwrap();
    assert_eq!(
        links_mailed_to(&t.db, "real.user@example.com").await.len(),
        1
    );
    t.close().await;
}

#[tokio::test]
async fn a_forced_change_is_not_met_by_resetting_to_the_same_password() {
    let t = TestDb::new().await;
    let u = with_password(&t.db, "told.to.change").await;
    let mut m: user::ActiveModel = u.clone().into();
    m.must_change_password = Set(true);
    m.update(&t.db).await.unwrap();
    request(&t.db, "told.to.change", None, URL).await.unwrap();
    let token = links_mailed_to(&t.db, "told.to.change@example.com")
        .await
        .remove(0);
    let same = reset(&t.db, &token, "the old passphrase", None)
        .await
        .unwrap_err();
    assert!(same.field_message("password").is_some());
    let changed = reset(&t.db, &token, "a really new passphrase", None)
        .await
        .unwrap();
    assert!(!changed.must_change_password);
    t.close().await;
}

#[tokio::test]
async fn changing_the_password_ends_recovery_links_already_sent() {
    let t = TestDb::new().await;
    let u = with_password(&t.db, "was.phished").await;
    request(&t.db, "was.phished", None, URL).await.unwrap();
    let token = links_mailed_to(&t.db, "was.phished@example.com")
        .await
        .remove(0);
    let own = crate::services::password_change::OwnChange {
        user_id: u.id,
        current: "the old passphrase",
        new: "a safer new passphrase",
        session_id: None,
        ip: None,
    };
    crate::services::password_change::change_own(&t.db, own)
        .await
        .unwrap();
    assert!(matches!(
        check(&t.db, &token).await,
        Err(AppError::InvalidLink(_))
    ));
    t.close().await;
}

#[tokio::test]
async fn parallel_requests_cannot_pass_the_per_account_limit() {
    let t = TestDb::new().await;
    with_password(&t.db, "popular.user").await;
    let asks: Vec<_> = (0..6)
        .map(|n| {
            let db = t.db.clone();
            tokio::spawn(async move {
                let ip = format!("10.9.0.{n}");
                request(&db, "popular.user", Some(&ip), URL).await
            })
        })
        .collect();
    for ask in asks {
        ask.await.unwrap().unwrap();
    }
    let sent = links_mailed_to(&t.db, "popular.user@example.com").await;
    assert_eq!(sent.len(), PER_ACCOUNT_PER_HOUR as usize);
    t.close().await;
}
