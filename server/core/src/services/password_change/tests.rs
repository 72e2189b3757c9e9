//! Password changes on the chosen back-end: your own with the current
//! password, an admin's with force-change and notice, sessions ended.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use shared::model::{PasswordNotice, UserStatus};

use super::*;
use crate::db::entities::mail_outbox;
use crate::services::sessions;
use crate::services::settings::SessionPolicy;
use crate::testkit::{actor_for, add_root, add_user, add_user_with_password, TestDb};

const URL: &str = "https://usher.test";

async fn session_ids(db: &DatabaseConnection, user_id: Uuid) -> Vec<String> {
    session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

async fn open(db: &DatabaseConnection, user_id: Uuid) -> String {
    sessions::open(db, user_id, SessionPolicy::default(), None, None)
        .await
        .unwrap();
    session_ids(db, user_id).await.pop().unwrap()
}

#[tokio::test]
async fn own_change_needs_the_current_password_and_keeps_only_this_session() {
    let t = TestDb::new().await;
    let u = add_user_with_password(&t.db, "self.changer", "the current passphrase").await;
    let this = open(&t.db, u.id).await;
    open(&t.db, u.id).await;
    let change = |current: &'static str, new: &'static str| OwnChange {
        user_id: u.id,
        current,
        new,
        session_id: None,
        ip: None,
    };
    let wrong = change_own(&t.db, change("not it at all", "a fresh passphrase"))
        .await
        .unwrap_err();
    assert!(wrong.field_message("current_password").is_some());
    let same = change_own(
        &t.db,
        change("the current passphrase", "the current passphrase"),
    )
    .await
    .unwrap_err();
    assert!(same.field_message("new_password").is_some());
    let weak = change_own(&t.db, change("the current passphrase", "self.changer"))
        .await
        .unwrap_err();
    assert!(weak.field_message("new_password").is_some());

    let keep = OwnChange {
        session_id: Some(&this),
        ..change("the current passphrase", "a fresh passphrase")
    };
    change_own(&t.db, keep).await.unwrap();
    assert_eq!(session_ids(&t.db, u.id).await, vec![this]);
    let stored = user::Entity::find_by_id(u.seq)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert!(passwords::verify("a fresh passphrase".into(), stored.password_hash).await);
    t.close().await;
}

#[tokio::test]
async fn an_admin_sets_a_password_asks_for_a_change_and_tells_the_user() {
    let t = TestDb::new().await;
    let admin = add_root(&t.db).await;
    let actor = actor_for(&admin);
    let u = add_user_with_password(&t.db, "locked.out", "a forgotten passphrase").await;
    open(&t.db, u.id).await;
    let set = |password: &'static str| AdminSet {
        username: "locked.out",
        password,
        force_change: true,
        notice: PasswordNotice::Mail,
    };
    let empty = set_by_admin(&t.db, &actor, set(""), URL).await.unwrap_err();
    assert!(empty.field_message("password").is_some());
    set_by_admin(&t.db, &actor, set("a temporary passphrase"), URL)
        .await
        .unwrap();
    let stored = user::Entity::find_by_id(u.seq)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.must_change_password);
    assert!(passwords::verify("a temporary passphrase".into(), stored.password_hash).await);
    assert!(
        session_ids(&t.db, u.id).await.is_empty(),
        "signed out everywhere"
    );
    let mails = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq("locked.out@example.com"))
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);
    assert!(!mails[0].body_text.contains("a temporary passphrase"));
    assert!(mails[0].body_text.contains("choose your own"));

    // Changing it yourself clears the forced change.
    let own = OwnChange {
        user_id: u.id,
        current: "a temporary passphrase",
        new: "my very own passphrase",
        session_id: None,
        ip: None,
    };
    change_own(&t.db, own).await.unwrap();
    let stored = user::Entity::find_by_id(u.seq)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.must_change_password);

    // Not on yourself, and not on someone still invited.
    let own = AdminSet {
        username: "root.admin",
        ..set("another long passphrase")
    };
    let refused = set_by_admin(&t.db, &actor, own, URL).await;
    assert!(matches!(refused, Err(AppError::Conflict(_))));
    add_user(&t.db, "not.joined", UserStatus::Invited).await;
    let invited = AdminSet {
        username: "not.joined",
        ..set("another long passphrase")
    };
    let refused = set_by_admin(&t.db, &actor, invited, URL).await;
    assert!(matches!(refused, Err(AppError::Conflict(_))));
    let n = mail_outbox::Entity::find().count(&t.db).await.unwrap();
    assert_eq!(n, 1, "only the one notice");
    t.close().await;
}

#[tokio::test]
async fn no_mail_carries_the_password() {
    let t = TestDb::new().await;
    let actor = actor_for(&add_root(&t.db).await);
    add_user_with_password(&t.db, "new.starter", "a forgotten passphrase").await;
    let set = AdminSet {
        username: "new.starter",
        password: "a temporary passphrase",
        force_change: true,
        notice: PasswordNotice::Mail,
    };
    set_by_admin(&t.db, &actor, set, URL).await.unwrap();
    let mail = mail_outbox::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!mail.body_text.contains("a temporary passphrase"));
    assert!(!mail.body_html.contains("a temporary passphrase"));
    t.close().await;
}
